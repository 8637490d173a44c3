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
            Format::Json => Inner::Json(json::Writer::begin(out, version)?, Held::default()),
            Format::Sarif => Inner::Sarif(sarif::Writer::begin(out, version)?, Held::default()),
            Format::Text => Inner::Text(out, text::Writer::new(color)),
            Format::Github => Inner::Github(out),
            Format::Junit => return Ok(None),
        })))
    }
}

/// A report being written as the findings come: [`Format::stream`].
pub struct Stream<'w>(Inner<'w>);

enum Inner<'w> {
    /// JSON findings and SARIF results are written a window at a time (in parallel): runs are
    /// held until one is full.
    Json(json::Writer<'w>, Held),
    Sarif(sarif::Writer<'w>, Held),
    Text(&'w mut dyn Write, text::Writer),
    Github(&'w mut dyn Write),
}

impl Stream<'_> {
    /// Writes the next findings (after every one written so far).
    pub fn push(&mut self, run: Vec<Finding>) -> io::Result<()> {
        match &mut self.0 {
            Inner::Json(w, held) => held.push(run, |b| w.window(b)),
            Inner::Sarif(w, held) => held.push(run, |b| w.window(b)),
            Inner::Text(out, w) => run.iter().try_for_each(|f| w.finding(*out, f)),
            Inner::Github(out) => run.iter().try_for_each(|f| github::finding(*out, f)),
        }
    }

    /// Writes what follows the findings: the input errors and the summary.
    pub fn finish(self, errors: &[LoadError], summary: &Summary) -> io::Result<()> {
        match self.0 {
            Inner::Json(mut w, mut held) => {
                held.write(true, |b| w.window(b))?;
                w.finish(errors, summary)
            }
            Inner::Sarif(mut w, mut held) => {
                held.write(true, |b| w.window(b))?;
                w.finish(errors, summary)
            }
            Inner::Text(out, w) => w.finish(out, errors, summary),
            Inner::Github(out) => github::finish(out, errors),
        }
    }
}

/// Findings serialised together, by as many threads as there are; a window bounds the text
/// held in memory at once (about a kilobyte a finding: 1,024 findings hold 1 MB of fresh pages,
/// 4,096 held 4 MB, 750 more page faults and 2.5 MB more peak memory on realworld).
const WINDOW: usize = 1_024;
/// The findings of a window one thread serialises.
const CHUNK: usize = 256;

/// The text of a report's findings, serialised a window at a time by chunks in parallel and
/// written one window behind: while the pool serialises a window, the calling thread writes
/// the one before (writing is about 40% of a window's time, and one thread's work).
#[derive(Default)]
struct Texts {
    /// One buffer per chunk, reused from window to window: fresh buffers each time would be
    /// fresh pages, and page faults cost as much as the text. The first `ready` hold the last
    /// window's text, not yet written.
    bufs: Vec<Vec<u8>>,
    ready: usize,
    /// The buffers the next window is serialised into.
    spare: Vec<Vec<u8>>,
}

impl Texts {
    /// Writes the last window's text to `out` while `chunk` serialises `window`'s chunks (its
    /// place among them, its findings) in parallel, each with a state made by `init` for
    /// each job; the text is written by the next call or by [`Self::flush`].
    fn window<S>(
        &mut self,
        out: &mut impl Write,
        window: &[&Finding],
        init: impl Fn() -> S + Sync + Send,
        chunk: impl Fn(&mut S, &mut Vec<u8>, usize, &[&Finding]) + Sync + Send,
    ) -> io::Result<()> {
        use rayon::prelude::*;
        let chunks = window.len().div_ceil(CHUNK);
        self.spare
            .resize_with(chunks.max(self.spare.len()), Vec::new);
        let spare = &mut self.spare[..chunks];
        let ready = &self.bufs[..self.ready];
        let mut written = Ok(());
        rayon::in_place_scope(|s| {
            s.spawn(|_| {
                spare
                    .par_iter_mut()
                    .zip(window.par_chunks(CHUNK).enumerate())
                    .for_each_init(&init, |state, (buf, (c, findings))| {
                        buf.clear();
                        // A finding's text is about a kilobyte: made room for once, not
                        // doubled into (each doubling copies what the chunk has so far).
                        buf.reserve(findings.len() * 1024);
                        chunk(state, buf, c, findings);
                    });
            });
            written = ready.iter().try_for_each(|t| out.write_all(t));
        });
        std::mem::swap(&mut self.bufs, &mut self.spare);
        self.ready = chunks;
        written
    }

    /// Writes the last window's text.
    fn flush(&mut self, out: &mut impl Write) -> io::Result<()> {
        let ready = std::mem::take(&mut self.ready);
        self.bufs[..ready].iter().try_for_each(|t| out.write_all(t))
    }
}

/// Hands `findings` to `write` a window at a time.
fn each_window<'a>(
    findings: impl IntoIterator<Item = &'a Finding>,
    mut write: impl FnMut(&[&Finding]) -> io::Result<()>,
) -> io::Result<()> {
    let mut window: Vec<&Finding> = Vec::with_capacity(WINDOW);
    let mut all = findings.into_iter();
    loop {
        window.clear();
        window.extend(all.by_ref().take(WINDOW));
        if window.is_empty() {
            return Ok(());
        }
        write(&window)?;
    }
}

/// Runs of findings a stream holds until they fill a window.
#[derive(Default)]
struct Held {
    runs: Vec<Vec<Finding>>,
    len: usize,
}

impl Held {
    /// Holds `run`, and writes what fills whole windows.
    fn push(
        &mut self,
        run: Vec<Finding>,
        write: impl FnMut(&[&Finding]) -> io::Result<()>,
    ) -> io::Result<()> {
        self.len += run.len();
        self.runs.push(run);
        if self.len >= WINDOW {
            self.write(false, write)?;
        }
        Ok(())
    }

    /// Writes the held findings in full windows (and, when `all`, the last partial one) with
    /// `write`, keeping the rest.
    fn write(
        &mut self,
        all: bool,
        mut write: impl FnMut(&[&Finding]) -> io::Result<()>,
    ) -> io::Result<()> {
        let full = if all {
            self.len
        } else {
            self.len / WINDOW * WINDOW
        };
        each_window(self.runs.iter().flatten().take(full), &mut write)?;
        // The findings written are dropped, on the pool (a window's findings take a tenth of a
        // millisecond to free, which this thread would otherwise spend while the pool waits
        // for the next window); a run written only in part keeps its rest.
        let mut left = full;
        let whole = self
            .runs
            .iter()
            .take_while(|run| {
                let fits = run.len() <= left;
                if fits {
                    left -= run.len();
                }
                fits
            })
            .count();
        let written: Vec<Vec<Finding>> = self.runs.drain(..whole).collect();
        if left > 0 {
            self.runs[0].drain(..left);
        }
        self.len -= full;
        if !written.is_empty() {
            rayon::spawn(move || drop(written));
        }
        Ok(())
    }
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
