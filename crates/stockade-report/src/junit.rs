use std::collections::BTreeMap;
use std::io::{self, Write};

use stockade_model::{Finding, LoadError};

use crate::Report;

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {
                o.push_str(&format!("&#x{:X};", c as u32))
            }
            c => o.push(c),
        }
    }
    o
}

/// One test suite per file; one failing test case per finding, one erroring case per input
/// error, and one passing case for a file without either.
pub fn write(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut files: BTreeMap<&str, (Vec<&Finding>, Vec<&LoadError>)> = BTreeMap::new();
    for f in r.findings {
        files.entry(&f.file).or_default().0.push(f);
    }
    for e in r.errors {
        files.entry(&e.file).or_default().1.push(e);
    }
    let failures = r.findings.len();
    let errors = r.errors.len();
    let tests: usize = files
        .values()
        .map(|(f, e)| (f.len() + e.len()).max(1))
        .sum();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="stockade" tests="{tests}" failures="{failures}" errors="{errors}">"#
    )?;
    for (file, (findings, errs)) in &files {
        let n = (findings.len() + errs.len()).max(1);
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{n}" failures="{}" errors="{}">"#,
            esc(file),
            findings.len(),
            errs.len()
        )?;
        for f in findings {
            let name = format!(
                "{} {} {}/{} line {}",
                f.check, f.name, f.object.kind, f.object.name, f.line
            );
            writeln!(
                out,
                r#"    <testcase name="{}" classname="{}" file="{}" line="{}">"#,
                esc(&name),
                esc(file),
                esc(file),
                f.line
            )?;
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}:{}:{} {}&#10;path: {}&#10;remediation: {}</failure>"#,
                esc(&f.message),
                f.severity,
                esc(file),
                f.line,
                f.column,
                esc(&f.message),
                esc(&f.path),
                esc(&f.remediation)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        for e in errs {
            writeln!(
                out,
                r#"    <testcase name="{}" classname="{}">"#,
                esc(&format!("input line {}", e.line)),
                esc(file)
            )?;
            writeln!(
                out,
                r#"      <error message="{}" type="{:?}">{}</error>"#,
                esc(&e.message),
                e.level,
                esc(&e.to_string())
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    if files.is_empty() {
        writeln!(
            out,
            r#"  <testsuite name="stockade" tests="1" failures="0" errors="0"><testcase name="no findings" classname="stockade"/></testsuite>"#
        )?;
    }
    writeln!(out, "</testsuites>")
}
