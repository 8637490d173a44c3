//! Output formats. One file per format behind [`Format::write`]; each reads the same
//! [`Report`].

mod github;
mod json;
mod junit;
mod sarif;
mod text;

use std::io::{self, Write};

use stockade_model::{Finding, Findings, LoadError, Summary};

/// What every format renders.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// Findings in output order.
    pub findings: &'a Findings,
    /// Input problems.
    pub errors: &'a [LoadError],
    /// Counts.
    pub summary: &'a Summary,
    /// The tool version.
    pub version: &'a str,
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable, grouped by file.
    Text,
    /// Documented, stable JSON.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

impl Format {
    /// Every format with its name.
    pub const ALL: &[(Format, &str)] = &[
        (Format::Text, "text"),
        (Format::Json, "json"),
        (Format::Sarif, "sarif"),
        (Format::Junit, "junit"),
        (Format::Github, "github"),
    ];

    /// The format's name.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("", |(_, n)| n)
    }

    /// The file name used with `--output-dir`.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Text => "stockade.txt",
            Format::Json => "stockade.json",
            Format::Sarif => "stockade.sarif",
            Format::Junit => "stockade.junit.xml",
            Format::Github => "stockade.github.txt",
        }
    }

    /// Renders `report`. `color` only affects text.
    pub fn write(self, report: &Report, out: &mut dyn Write, color: bool) -> io::Result<()> {
        match self {
            Format::Text => text::write(report, out, color),
            Format::Json => json::write(report, out),
            Format::Sarif => sarif::write(report, out),
            Format::Junit => junit::write(report, out),
            Format::Github => github::write(report, out),
        }
    }

    /// Whether the format can be written as the findings come ([`Self::stream`]): its
    /// findings precede everything that counts them.
    pub fn streams(self) -> bool {
        matches!(
            self,
            Format::Text | Format::Json | Format::Sarif | Format::Github
        )
    }

    /// A writer of this format that takes the findings as they come, in output order, and
    /// holds only the ones it is writing; `None` for formats that do not stream. Writes the
    /// same bytes as [`Self::write`] given the same findings, errors and summary.
    pub fn stream<'w>(
        self,
        out: &'w mut dyn Write,
        color: bool,
        version: &str,
    ) -> io::Result<Option<Stream<'w>>> {
        Ok(Some(Stream(match self {
            Format::Json => Inner::Json {
                w: json::Writer::begin(out, version)?,
                runs: Vec::new(),
                held: 0,
            },
            Format::Sarif => Inner::Sarif {
                w: sarif::Writer::begin(out)?,
                version: version.to_string(),
                runs: Vec::new(),
                held: 0,
            },
            Format::Text => Inner::Text(out, text::Writer::new(color)),
            Format::Github => Inner::Github(out),
            Format::Junit => return Ok(None),
        })))
    }
}

/// A report being written as the findings come: [`Format::stream`].
pub struct Stream<'w>(Inner<'w>);

enum Inner<'w> {
    /// JSON findings are written a window at a time (in parallel): runs are held until one
    /// is full.
    Json {
        w: json::Writer<'w>,
        runs: Vec<Vec<Finding>>,
        held: usize,
    },
    /// So are SARIF results.
    Sarif {
        w: sarif::Writer<'w>,
        version: String,
        runs: Vec<Vec<Finding>>,
        held: usize,
    },
    Text(&'w mut dyn Write, text::Writer),
    Github(&'w mut dyn Write),
}

impl Stream<'_> {
    /// Writes the next findings (after every one written so far).
    pub fn push(&mut self, run: Vec<Finding>) -> io::Result<()> {
        match &mut self.0 {
            Inner::Json { w, runs, held } => {
                *held += run.len();
                runs.push(run);
                if *held >= json::Writer::WINDOW {
                    windows(json::Writer::WINDOW, |b| w.window(b), runs, held, false)?;
                }
                Ok(())
            }
            Inner::Sarif { w, runs, held, .. } => {
                *held += run.len();
                runs.push(run);
                if *held >= sarif::Writer::WINDOW {
                    windows(sarif::Writer::WINDOW, |b| w.window(b), runs, held, false)?;
                }
                Ok(())
            }
            Inner::Text(out, w) => run.iter().try_for_each(|f| w.finding(*out, f)),
            Inner::Github(out) => run.iter().try_for_each(|f| github::finding(*out, f)),
        }
    }

    /// Writes what follows the findings: the input errors and the summary.
    pub fn finish(self, errors: &[LoadError], summary: &Summary) -> io::Result<()> {
        match self.0 {
            Inner::Json {
                mut w,
                mut runs,
                mut held,
            } => {
                windows(
                    json::Writer::WINDOW,
                    |b| w.window(b),
                    &mut runs,
                    &mut held,
                    true,
                )?;
                w.finish(errors, summary)
            }
            Inner::Sarif {
                mut w,
                version,
                mut runs,
                mut held,
            } => {
                windows(
                    sarif::Writer::WINDOW,
                    |b| w.window(b),
                    &mut runs,
                    &mut held,
                    true,
                )?;
                w.finish(errors, summary, &version)
            }
            Inner::Text(out, w) => w.finish(out, errors, summary),
            Inner::Github(out) => github::finish(out, errors),
        }
    }
}

/// Writes the held runs' findings in full windows of `window` (and, when `all`, the last
/// partial one) with `write`, keeping the rest.
fn windows(
    window: usize,
    mut write: impl FnMut(&[&Finding]) -> io::Result<()>,
    runs: &mut Vec<Vec<Finding>>,
    held: &mut usize,
    all: bool,
) -> io::Result<()> {
    let full = if all { *held } else { *held / window * window };
    {
        let mut findings = runs.iter().flatten();
        let mut batch: Vec<&Finding> = Vec::with_capacity(window.min(full));
        let mut done = 0;
        while done < full {
            batch.clear();
            batch.extend(findings.by_ref().take(window.min(full - done)));
            write(&batch)?;
            done += batch.len();
        }
    }
    // The findings written are dropped; a run written only in part keeps its rest.
    let mut left = full;
    runs.retain_mut(|run| {
        if left >= run.len() {
            left -= run.len();
            false
        } else {
            if left > 0 {
                run.drain(..left);
                left = 0;
            }
            true
        }
    });
    *held -= full;
    Ok(())
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(s))
            .map(|(f, _)| *f)
            .ok_or_else(|| {
                format!("unknown format `{s}` (expected text, json, sarif, junit or github)")
            })
    }
}
