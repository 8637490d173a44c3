use std::io::{self, Write};

use stockade_model::{Finding, Level, LoadError, Severity};

use crate::Report;

fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn prop(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: one annotation per finding and input error.
pub fn write(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in r.findings {
        finding(out, f)?;
    }
    finish(out, r.errors)
}

/// One finding's annotation.
pub fn finding(out: &mut dyn Write, f: &Finding) -> io::Result<()> {
    let cmd = match f.severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    };
    writeln!(
        out,
        "::{cmd} file={},line={},col={},title={}::{}",
        prop(&f.file),
        f.line,
        f.column,
        prop(&format!("{} {} ({})", f.check, f.name, f.severity)),
        data(&format!(
            "{} [{} {}]",
            f.message, f.object.kind, f.object.name
        )),
    )
}

/// The input errors' annotations.
pub fn finish(out: &mut dyn Write, errors: &[LoadError]) -> io::Result<()> {
    for e in errors {
        let cmd = if e.level == Level::Error {
            "error"
        } else {
            "warning"
        };
        let loc = if e.line > 0 {
            format!(",line={},col={}", e.line, e.column)
        } else {
            String::new()
        };
        writeln!(
            out,
            "::{cmd} file={}{loc},title=stockade input {cmd}::{}",
            prop(&e.file),
            data(&e.message)
        )?;
    }
    Ok(())
}
