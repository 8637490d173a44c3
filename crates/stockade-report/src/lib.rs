//! Output formats. One file per format behind [`Format::write`]; each reads the same
//! [`Report`].

mod github;
mod json;
mod junit;
mod sarif;
mod text;

use std::io::{self, Write};

use stockade_model::{Findings, LoadError, Summary};

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
