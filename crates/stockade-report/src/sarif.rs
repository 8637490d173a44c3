use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};
use stockade_model::{Finding, Level, LoadError, Severity, Summary};

use crate::{CHUNK, Report, Texts, WINDOW};

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

/// SARIF 2.1.0: one run, one result per finding, every check with a finding as a rule, input
/// errors as tool execution notifications. Written as the findings come ([`Writer`]).
pub fn write(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut w = Writer::begin(out, r.version)?;
    crate::each_window(r.findings, |window| w.window(window))?;
    w.finish(r.errors, r.summary)
}

/// A SARIF log written as the findings come: the results first, then the tool with its rules
/// (each check in the order its first finding came, so that a result's `ruleIndex` is known
/// when it is written) and the invocation. JSON objects are unordered: SARIF readers take the
/// run's `results`, `tool` and `invocations` in any order.
pub(crate) struct Writer<'w> {
    out: io::BufWriter<&'w mut dyn Write>,
    version: String,
    rules: Vec<String>,
    index: std::collections::HashMap<String, usize>,
    any: bool,
    buf: Vec<u8>,
    /// The results' text, written a window behind.
    texts: Texts,
}

/// Where a run's members are written (inside `{"runs": [{`).
const RUN_INDENT: &[u8] = b"      ";
/// Where a result is written (inside `"results": [`).
const RESULT_INDENT: &[u8] = b"        ";

impl<'w> Writer<'w> {
    /// Writes what comes before the first result.
    pub(crate) fn begin(out: &'w mut dyn Write, version: &str) -> io::Result<Self> {
        // A concrete buffer: see json.rs.
        let mut out = io::BufWriter::with_capacity(1 << 16, out);
        out.write_all(
            b"{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"results\": [",
        )?;
        Ok(Writer {
            out,
            version: version.to_string(),
            rules: Vec::new(),
            index: Default::default(),
            any: false,
            buf: Vec::new(),
            texts: Texts::default(),
        })
    }

    /// Writes the next results (at most [`WINDOW`]), serialised in parallel, as JSON findings
    /// are.
    pub(crate) fn window(&mut self, window: &[&Finding]) -> io::Result<()> {
        debug_assert!(window.len() <= WINDOW);
        // Rule indexes in order first: a rule's index is where its first result comes.
        let indexes: Vec<usize> = window
            .iter()
            .map(|f| match self.index.get(&*f.check) {
                Some(&i) => i,
                None => {
                    let i = self.rules.len();
                    self.rules.push(f.check.to_string());
                    self.index.insert(f.check.to_string(), i);
                    i
                }
            })
            .collect();
        let first = !self.any;
        self.texts
            .window(&mut self.out, window, String::new, |one, buf, c, chunk| {
                let indexes = &indexes[c * CHUNK..];
                for (k, (f, &i)) in chunk.iter().zip(indexes).enumerate() {
                    buf.extend_from_slice(if first && c == 0 && k == 0 {
                        b"\n"
                    } else {
                        b",\n"
                    });
                    buf.extend_from_slice(RESULT_INDENT);
                    result_text(buf, one, f, i);
                }
            })?;
        self.any |= !window.is_empty();
        Ok(())
    }

    /// Writes the rules, the invocation and the end of the log.
    pub(crate) fn finish(mut self, errors: &[LoadError], summary: &Summary) -> io::Result<()> {
        self.texts.flush(&mut self.out)?;
        if self.any {
            self.out.write_all(b"\n")?;
            self.out.write_all(RUN_INDENT)?;
        }
        self.out.write_all(b"],\n")?;
        let tool = Tool {
            driver: Driver {
                name: "stockade",
                version: &self.version,
                information_uri: "https://github.com/stockade-dev/stockade",
                rules: self.rules.iter().map(|id| Rule::new(id)).collect(),
            },
        };
        let invocations = [Invocation {
            execution_successful: summary.errors == 0,
            tool_execution_notifications: Each(errors.iter(), errors.len(), notification),
        }];
        member(&mut self.out, &mut self.buf, "tool", &tool)?;
        self.out.write_all(b",\n")?;
        member(&mut self.out, &mut self.buf, "invocations", &invocations)?;
        self.out.write_all(b"\n    }\n  ]\n}\n")?;
        self.out.flush()
    }
}

/// Writes the run's member `key` with `value` pretty-printed (through `buf`) at the run's depth.
fn member(
    out: &mut impl Write,
    buf: &mut Vec<u8>,
    key: &str,
    value: &impl Serialize,
) -> io::Result<()> {
    out.write_all(RUN_INDENT)?;
    write!(out, "\"{key}\": ")?;
    buf.clear();
    serde_json::to_writer_pretty(&mut *buf, value)?;
    indented(out, buf, RUN_INDENT)
}

/// Writes pretty-printed JSON nested at `indent`: every line after the first is indented (a
/// JSON string holds no raw newline, so every newline is between tokens).
fn indented(out: &mut impl Write, json: &[u8], indent: &[u8]) -> io::Result<()> {
    let mut lines = json.split(|&b| b == b'\n');
    if let Some(first) = lines.next() {
        out.write_all(first)?;
    }
    for line in lines {
        out.write_all(b"\n")?;
        out.write_all(indent)?;
        out.write_all(line)?;
    }
    Ok(())
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

#[cfg(test)]
#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "stockade/v1")]
    v1: String,
}

#[cfg(test)]
#[derive(Serialize)]
struct ResultProperties<'a> {
    severity: Severity,
    container: &'a Option<String>,
}

#[cfg(test)]
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

/// Writes one result as serde_json's pretty printer writes [`result`] at a result's depth (a
/// test holds the two equal byte for byte): most of a log is results, and serialising each
/// through a temporary and indenting it again cost as much as the scan's checks. `scratch`
/// holds the text of the names built from the object.
fn result_text(buf: &mut Vec<u8>, scratch: &mut String, f: &Finding, rule_index: usize) {
    use std::fmt::Write as _;
    let escaped = crate::json::escaped;
    buf.extend_from_slice(b"{\n          \"ruleId\": ");
    escaped(buf, &f.check);
    buf.extend_from_slice(b",\n          \"ruleIndex\": ");
    buf.extend_from_slice(itoa::Buffer::new().format(rule_index).as_bytes());
    buf.extend_from_slice(b",\n          \"level\": \"");
    buf.extend_from_slice(level(f.severity).as_bytes());
    buf.extend_from_slice(b"\",\n          \"message\": {\n            \"text\": ");
    escaped(buf, &f.message);
    buf.extend_from_slice(
        b"\n          },\n          \"locations\": [\n            {\n              \"physicalLocation\": {\n                \"artifactLocation\": {\n                  \"uri\": ",
    );
    escaped(buf, &uri(&f.file));
    buf.extend_from_slice(
        b"\n                },\n                \"region\": {\n                  \"startLine\": ",
    );
    buf.extend_from_slice(itoa::Buffer::new().format(f.line.max(1)).as_bytes());
    buf.extend_from_slice(b",\n                  \"startColumn\": ");
    buf.extend_from_slice(itoa::Buffer::new().format(f.column.max(1)).as_bytes());
    buf.extend_from_slice(
        b"\n                }\n              },\n              \"logicalLocations\": [\n                {\n                  \"fullyQualifiedName\": ",
    );
    let o = &*f.object;
    let ns = o.namespace.as_deref();
    let slash = if ns.is_some() { "/" } else { "" };
    let ns = ns.unwrap_or("");
    scratch.clear();
    let _ = write!(scratch, "{}/{ns}{slash}{}/{}", o.kind, o.name, f.path);
    escaped(buf, scratch);
    buf.extend_from_slice(
        b",\n                  \"kind\": \"object\"\n                }\n              ]\n            }\n          ],\n          \"partialFingerprints\": {\n            \"stockade/v1\": ",
    );
    scratch.clear();
    let _ = write!(
        scratch,
        "{}:{}/{ns}{slash}{}:{}",
        f.check, o.kind, o.name, f.path
    );
    escaped(buf, scratch);
    buf.extend_from_slice(
        b"\n          },\n          \"properties\": {\n            \"severity\": \"",
    );
    buf.extend_from_slice(f.severity.as_str().as_bytes());
    buf.extend_from_slice(b"\",\n            \"container\": ");
    match &f.container {
        Some(c) => escaped(buf, c),
        None => buf.extend_from_slice(b"null"),
    }
    buf.extend_from_slice(b"\n          }\n        }");
}

#[cfg(test)]
fn result(f: &Finding, rule_index: usize) -> SarifResult<'_> {
    let ns = f
        .object
        .namespace
        .as_deref()
        .map(|n| format!("{n}/"))
        .unwrap_or_default();
    SarifResult {
        rule_id: &f.check,
        rule_index,
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use stockade_model::{Finding, ObjectRef, Severity};

    /// The hand-written result is serde_json's pretty text of [`super::result`], indented to a
    /// result's depth, for findings with and without namespace, container and template, and
    /// with text that needs escaping.
    #[test]
    fn results_are_written_as_serde_writes_them() {
        let finding =
            |ns: Option<&str>, container: Option<&str>, message: &str, file: &str| Finding {
                check: "STK001".into(),
                name: "privileged-container".into(),
                severity: Severity::High,
                message: message.into(),
                file: Arc::from(file),
                template: None,
                line: 0,
                column: 9,
                object: Arc::new(ObjectRef {
                    api_version: "apps/v1".into(),
                    kind: "Deployment".into(),
                    namespace: ns.map(Into::into),
                    name: "we\"b".into(),
                }),
                container: container.map(Into::into),
                path: "spec.template.spec.containers[0].securityContext[\"x\"]".into(),
                remediation: "Remove it.".into(),
                aliases: &[],
            };
        let findings = [
            finding(Some("shop"), Some("app"), "plain", "deploy/app.yaml"),
            finding(
                None,
                None,
                "tab\there \"quoted\" \\ and\nnewline \u{1}",
                "my dir/ü.yaml",
            ),
            finding(Some("a/b"), Some("c\"d"), "", "-"),
        ];
        for (i, f) in findings.iter().enumerate() {
            for severity in [Severity::Critical, Severity::Medium, Severity::Info] {
                let f = Finding {
                    severity,
                    ..f.clone()
                };
                let mut want = Vec::new();
                super::indented(
                    &mut want,
                    &serde_json::to_vec_pretty(&super::result(&f, i * 7)).unwrap(),
                    super::RESULT_INDENT,
                )
                .unwrap();
                let mut got = Vec::new();
                super::result_text(&mut got, &mut String::new(), &f, i * 7);
                assert_eq!(
                    String::from_utf8(got).unwrap(),
                    String::from_utf8(want).unwrap()
                );
            }
        }
    }
}
