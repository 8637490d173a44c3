use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};
use stockade_model::{Finding, Level, LoadError, Severity};

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
/// errors as tool execution notifications. Results are serialized one at a time straight to
/// the output: the document is never built in memory.
pub fn write(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut rule_ids: Vec<&str> = r.findings.iter().map(|f| &*f.check).collect();
    rule_ids.sort_unstable_by(|a, b| stockade_model::check_id_cmp(a, b));
    rule_ids.dedup();
    let rules: Vec<Rule> = rule_ids.iter().map(|id| Rule::new(id)).collect();
    let doc = Doc {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "stockade",
                    version: r.version,
                    information_uri: "https://github.com/stockade-dev/stockade",
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: r.summary.errors == 0,
                tool_execution_notifications: Each(r.errors.iter(), r.errors.len(), notification),
            }],
            results: Each(r.findings.iter(), r.findings.len(), |f| {
                result(f, &rule_ids)
            }),
        }],
    };
    // A concrete buffer: see json.rs.
    let mut w = io::BufWriter::with_capacity(1 << 16, &mut *out);
    serde_json::to_writer_pretty(&mut w, &doc)?;
    writeln!(w)?;
    w.flush()
}

/// A sequence of `len` items serialized by mapping each item as it is written.
struct Each<I, F>(I, usize, F);

impl<I, F, S> Serialize for Each<I, F>
where
    I: Iterator + Clone,
    F: Fn(I::Item) -> S,
    S: Serialize,
{
    fn serialize<Z: Serializer>(&self, z: Z) -> Result<Z::Ok, Z::Error> {
        let mut seq = z.serialize_seq(Some(self.1))?;
        for item in self.0.clone() {
            seq.serialize_element(&(self.2)(item))?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct Doc<'a, N, R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a, N, R>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a, N, R> {
    tool: Tool<'a>,
    invocations: [Invocation<N>; 1],
    results: R,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    information_uri: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<N> {
    execution_successful: bool,
    tool_execution_notifications: N,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: String,
}

#[derive(Serialize)]
struct Level_<'a> {
    level: &'a str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: [&'a str; 3],
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    help: Help<'a>,
    default_configuration: Level_<'static>,
    properties: RuleProperties<'a>,
}

impl<'a> Rule<'a> {
    fn new(id: &'a str) -> Self {
        let c = stockade_checks::find(id);
        let sev = c.map_or(Severity::Medium, |c| c.severity);
        Rule {
            id,
            name: c.map_or(id, |c| c.name),
            short_description: Text {
                text: c.map_or("", |c| c.summary),
            },
            full_description: Text {
                text: c.map_or("", |c| c.summary),
            },
            help: Help {
                text: c.map_or("", |c| c.remediation),
                markdown: c.map(stockade_checks::docs::page).unwrap_or_default(),
            },
            default_configuration: Level_ { level: level(sev) },
            properties: RuleProperties {
                tags: [
                    "security",
                    "kubernetes",
                    c.map_or("", |c| c.category.as_str()),
                ],
                security_severity: security_severity(sev),
            },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "stockade/v1")]
    v1: String,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    severity: Severity,
    container: &'a Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text<'a>,
    locations: [Location; 1],
    partial_fingerprints: Fingerprints,
    properties: ResultProperties<'a>,
}

fn result<'a>(f: &'a Finding, rule_ids: &[&str]) -> SarifResult<'a> {
    let ns = f
        .object
        .namespace
        .as_deref()
        .map(|n| format!("{n}/"))
        .unwrap_or_default();
    SarifResult {
        rule_id: &f.check,
        rule_index: rule_ids.binary_search(&&*f.check).unwrap_or(0),
        level: level(f.severity),
        message: Text { text: &f.message },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri: uri(&f.file) },
                region: Some(Region {
                    start_line: f.line.max(1),
                    start_column: f.column.max(1),
                }),
            },
            logical_locations: vec![LogicalLocation {
                fully_qualified_name: format!("{}/{ns}{}/{}", f.object.kind, f.object.name, f.path),
                kind: "object",
            }],
        }],
        partial_fingerprints: Fingerprints {
            v1: format!(
                "{}:{}/{ns}{}:{}",
                f.check, f.object.kind, f.object.name, f.path
            ),
        },
        properties: ResultProperties {
            severity: f.severity,
            container: &f.container,
        },
    }
}

#[derive(Serialize)]
struct Notification<'a> {
    level: &'static str,
    message: Text<'a>,
    locations: [Location; 1],
}

fn notification(e: &LoadError) -> Notification<'_> {
    Notification {
        level: if e.level == Level::Error {
            "error"
        } else {
            "warning"
        },
        message: Text { text: &e.message },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri: uri(&e.file) },
                region: (e.line > 0).then(|| Region {
                    start_line: e.line,
                    start_column: e.column.max(1),
                }),
            },
            logical_locations: Vec::new(),
        }],
    }
}
