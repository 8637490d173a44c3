use std::io::{self, Write};

use stockade_model::{Level, Severity};

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
    let mut current: Option<&str> = None;
    for f in r.findings {
        if current != Some(&f.file) {
            if current.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", paint(color, "1;4", &f.file))?;
            current = Some(&f.file);
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
        let mut at = format!("{} {ns}{}", f.object.kind, f.object.name);
        if let Some(t) = &f.template {
            at.push_str(&format!(" (template {t})"));
        }
        if !f.path.is_empty() {
            at.push_str(" · ");
            at.push_str(&f.path);
        }
        writeln!(out, "              {}", paint(color, "2", &at))?;
    }
    if !r.errors.is_empty() {
        if current.is_some() {
            writeln!(out)?;
        }
        for e in r.errors {
            let label = match e.level {
                Level::Error => paint(color, "1;31", "error"),
                Level::Warning => paint(color, "33", "warning"),
            };
            writeln!(out, "{label}: {e}")?;
        }
    }
    if !r.findings.is_empty() || !r.errors.is_empty() {
        writeln!(out)?;
    }
    let s = r.summary;
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

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
