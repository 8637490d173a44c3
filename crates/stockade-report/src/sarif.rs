use std::io::{self, Write};

use serde_json::{Value, json};
use stockade_model::{Level, Severity};

use crate::Report;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning ranks security alerts by this number (0.0-10.0, as a string).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// A relative URI reference for a path: forward slashes, reserved characters escaped.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut o = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'+'
            | b'@'
            | b'='
            | b',' => o.push(b as char),
            _ => o.push_str(&format!("%{b:02X}")),
        }
    }
    o
}

/// SARIF 2.1.0: one run, every check that ran as a rule, one result per finding, input
/// errors as tool execution notifications.
pub fn write(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut rule_ids: Vec<&str> = r.findings.iter().map(|f| &*f.check).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| {
            let c = stockade_checks::find(id);
            let sev = c.map_or(Severity::Medium, |c| c.severity);
            let doc = c.map(stockade_checks::docs::page).unwrap_or_default();
            json!({
                "id": id,
                "name": c.map_or(*id, |c| c.name),
                "shortDescription": {"text": c.map_or("", |c| c.summary)},
                "fullDescription": {"text": c.map_or("", |c| c.summary)},
                "help": {"text": c.map_or("", |c| c.remediation), "markdown": doc},
                "defaultConfiguration": {"level": level(sev)},
                "properties": {
                    "tags": ["security", "kubernetes", c.map_or("", |c| c.category.as_str())],
                    "security-severity": security_severity(sev),
                },
            })
        })
        .collect();
    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let rule_index = rule_ids.binary_search(&&*f.check).unwrap_or(0);
            let ns = f.object.namespace.as_deref().map(|n| format!("{n}/")).unwrap_or_default();
            json!({
                "ruleId": f.check,
                "ruleIndex": rule_index,
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&f.file)},
                        "region": {"startLine": f.line.max(1), "startColumn": f.column.max(1)},
                    },
                    "logicalLocations": [{
                        "fullyQualifiedName": format!("{}/{ns}{}/{}", f.object.kind, f.object.name, f.path),
                        "kind": "object",
                    }],
                }],
                "partialFingerprints": {
                    "stockade/v1": format!("{}:{}/{ns}{}:{}", f.check, f.object.kind, f.object.name, f.path),
                },
                "properties": {"severity": f.severity, "container": f.container},
            })
        })
        .collect();
    let notifications: Vec<Value> = r
        .errors
        .iter()
        .map(|e| {
            let mut loc = json!({"physicalLocation": {"artifactLocation": {"uri": uri(&e.file)}}});
            if e.line > 0 {
                loc["physicalLocation"]["region"] =
                    json!({"startLine": e.line, "startColumn": e.column.max(1)});
            }
            json!({
                "level": if e.level == Level::Error { "error" } else { "warning" },
                "message": {"text": e.message},
                "locations": [loc],
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "stockade",
                "version": r.version,
                "informationUri": "https://github.com/stockade-dev/stockade",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": r.summary.errors == 0,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
