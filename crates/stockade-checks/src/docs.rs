//! Check documentation, taken from each check file's doc comment.

use std::fmt::Write;

use crate::Check;

include!(concat!(env!("OUT_DIR"), "/docs.rs"));

/// The doc comment of a check's file (Markdown), or an empty string.
pub fn doc(check: &Check) -> &'static str {
    DOCS.iter()
        .find(|(n, _)| *n == check.name)
        .map_or("", |(_, d)| d)
}

/// The full Markdown page for a check: title, metadata, then its documentation.
pub fn page(check: &Check) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {} `{}`\n", check.id, check.name);
    let _ = writeln!(s, "{}\n", check.summary);
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| Category | {} |", check.category);
    let _ = writeln!(s, "| Severity | {} |", check.severity);
    let _ = writeln!(
        s,
        "| Default | {} |",
        if check.default_on {
            "on"
        } else {
            "off (opt-in)"
        }
    );
    if !check.aliases.is_empty() {
        let _ = writeln!(s, "| Aliases | {} |", check.aliases.join(", "));
    }
    if !check.references.is_empty() {
        let _ = writeln!(s, "| References | {} |", check.references.join("; "));
    }
    let _ = writeln!(s, "\n{}", doc(check).trim());
    let _ = writeln!(s, "\n**Remediation:** {}", check.remediation);
    s
}

/// The index page listing every check.
pub fn index(checks: &[&Check]) -> String {
    let mut s = String::from(
        "# Stockade checks\n\nGenerated from the check sources by `cargo run -p stockade -- checks --format markdown`; a test fails when this file is stale.\n\n| ID | Name | Category | Severity | Default |\n|---|---|---|---|---|\n",
    );
    for c in checks {
        let _ = writeln!(
            s,
            "| {} | [{}]({}.md) | {} | {} | {} |",
            c.id,
            c.name,
            c.name,
            c.category,
            c.severity,
            if c.default_on { "on" } else { "off" }
        );
    }
    s
}

/// The snippets of a doc's Example section (```yaml or ```dockerfile blocks): (failing, fixed).
pub fn examples(doc: &str) -> Option<(String, String)> {
    let section = doc.split("## Example").nth(1)?;
    let section = section.split("\n## ").next()?;
    let mut blocks = section.split("```").skip(1).step_by(2).filter_map(|b| {
        let body = b
            .strip_prefix("yaml\n")
            .or_else(|| b.strip_prefix("dockerfile\n"))?;
        Some(body.to_string())
    });
    Some((blocks.next()?, blocks.next()?))
}
