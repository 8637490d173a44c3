use std::io::{self, Write};

use stockade_model::{Finding, Level, LoadError, Severity, Summary};

use crate::Report;

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn sev_code(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Info => "2",
    }
}

pub fn write(r: &Report, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let mut w = Writer::new(color);
    for f in r.findings {
        w.finding(out, f)?;
    }
    w.finish(out, r.errors, r.summary)
}

/// Text written a finding at a time: it remembers the file the last finding was in.
pub struct Writer {
    color: bool,
    current: Option<std::sync::Arc<str>>,
}

impl Writer {
    pub fn new(color: bool) -> Self {
        Self {
            color,
            current: None,
        }
    }

    /// Writes one finding, under its file's name when it is the first in that file.
    pub fn finding(&mut self, out: &mut dyn Write, f: &Finding) -> io::Result<()> {
        let color = self.color;
        if self.current.as_deref() != Some(&*f.file) {
            if self.current.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", paint(color, "1;4", &f.file))?;
            self.current = Some(f.file.clone());
        }
        let ns = f
            .object
            .namespace
            .as_deref()
            .map(|n| format!("{n}/"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {:>5}:{:<3} {} {} {}  {}",
            f.line,
            f.column,
            paint(
                color,
                sev_code(f.severity),
                &format!("{:<8}", f.severity.as_str())
            ),
            paint(color, "1", &f.check),
            f.name,
            f.message,
        )?;
        // An object without a name (a kustomization file, a `generateName` object) is named
        // by its kind alone.
        let mut at = if ns.is_empty() && f.object.name.is_empty() {
            f.object.kind.clone()
        } else {
            format!("{} {ns}{}", f.object.kind, f.object.name)
        };
        if let Some(t) = &f.template {
            at.push_str(&format!(" (template {t})"));
        }
        if !f.path.is_empty() {
            at.push_str(" · ");
            at.push_str(&f.path);
        }
        writeln!(out, "              {}", paint(color, "2", &at))
    }

    /// Writes the input problems and the summary line.
    pub fn finish(self, out: &mut dyn Write, errors: &[LoadError], s: &Summary) -> io::Result<()> {
        let color = self.color;
        let any = self.current.is_some();
        if !errors.is_empty() {
            if any {
                writeln!(out)?;
            }
            for e in errors {
                let label = match e.level {
                    Level::Error => paint(color, "1;31", "error"),
                    Level::Warning => paint(color, "33", "warning"),
                };
                writeln!(out, "{label}: {e}")?;
            }
        }
        if any || !errors.is_empty() {
            writeln!(out)?;
        }

        let mut parts: Vec<String> = Severity::ALL
            .iter()
            .rev()
            .filter_map(|sev| {
                s.by_severity
                    .get(sev)
                    .filter(|n| **n > 0)
                    .map(|n| format!("{n} {sev}"))
            })
            .collect();
        if parts.is_empty() {
            parts.push("none".into());
        }
        let mut line = format!(
            "{} finding{} ({}) in {} object{} from {} file{}",
            s.findings,
            plural(s.findings),
            parts.join(", "),
            s.objects,
            plural(s.objects),
            s.files,
            plural(s.files)
        );
        if s.suppressed > 0 {
            line.push_str(&format!("; {} suppressed", s.suppressed));
        }
        if s.errors > 0 {
            line.push_str(&format!("; {} input error{}", s.errors, plural(s.errors)));
        }
        if s.warnings > 0 {
            line.push_str(&format!("; {} warning{}", s.warnings, plural(s.warnings)));
        }
        writeln!(out, "{}", paint(color, "1", &line))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
