//! Text table and JSON for `stockade vuln`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::Severity;
use crate::filter::Suppressed;
use crate::matcher::Match;

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A layer digest shortened as `docker history` does: the first 12 hex digits.
pub fn short_digest(d: &str) -> &str {
    let hex = d.split_once(':').map_or(d, |(_, h)| h);
    hex.get(..12).unwrap_or(hex)
}

/// A table: ID, severity, package, installed, fixed, the layer that introduced the package
/// (when any match has one), summary; then a summary line.
pub fn text(matches: &[Match], suppressed: usize, packages: usize) -> String {
    let mut out = String::new();
    let with_layer = matches.iter().any(|m| m.layer.is_some());
    let mut headers = vec!["ID", "SEVERITY", "PACKAGE", "INSTALLED", "FIXED"];
    if with_layer {
        headers.push("LAYER");
    }
    headers.push("SUMMARY");
    let rows: Vec<Vec<String>> = matches
        .iter()
        .map(|m| {
            let mut r = vec![
                m.id.clone(),
                m.severity.to_string(),
                m.package.clone(),
                m.installed.clone(),
                m.fixed.clone().unwrap_or_else(|| "(none)".into()),
            ];
            if with_layer {
                r.push(m.layer.as_deref().map_or("-", short_digest).to_string());
            }
            r.push(truncate(&m.summary, 60));
            r
        })
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    if !rows.is_empty() {
        let line = |cells: &[&str]| {
            let mut l = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i + 1 == cells.len() {
                    l.push_str(c);
                } else {
                    let pad = widths[i] - c.chars().count();
                    l.push_str(c);
                    l.push_str(&" ".repeat(pad + 2));
                }
            }
            l.trim_end().to_string()
        };
        let _ = writeln!(out, "{}", line(&headers));
        for r in &rows {
            let cells: Vec<&str> = r.iter().map(String::as_str).collect();
            let _ = writeln!(out, "{}", line(&cells));
        }
    }
    let mut counts = Vec::new();
    for s in Severity::ALL.iter().rev() {
        let n = matches.iter().filter(|m| m.severity == *s).count();
        if n > 0 {
            counts.push(format!("{n} {s}"));
        }
    }
    let _ = write!(
        out,
        "{} vulnerabilit{} in {} package{}",
        matches.len(),
        if matches.len() == 1 { "y" } else { "ies" },
        packages,
        if packages == 1 { "" } else { "s" }
    );
    if !counts.is_empty() {
        let _ = write!(out, " ({})", counts.join(", "));
    }
    if suppressed > 0 {
        let _ = write!(out, "; {suppressed} suppressed by ignore entries or VEX");
    }
    out.push('\n');
    out
}

/// The JSON document.
#[derive(Serialize)]
pub struct JsonReport<'a> {
    /// Database build time (seconds since the epoch).
    pub database_built_at: u64,
    /// Packages looked up.
    pub packages: usize,
    /// Reported matches.
    pub matches: &'a [Match],
    /// Matches left out by ignore entries or VEX, with the reason.
    pub suppressed: &'a [Suppressed],
}

/// Pretty JSON.
pub fn json(r: &JsonReport) -> String {
    let mut s = serde_json::to_string_pretty(r).unwrap_or_default();
    s.push('\n');
    s
}
