use std::io::{self, Write};

use crate::{CHUNK, Texts, WINDOW};
use serde::Serialize;

use crate::Report;

/// Version of the JSON document's shape; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

pub fn write(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut w = Writer::begin(out, r.version)?;
    crate::each_window(r.findings, |window| w.window(window))?;
    w.finish(r.errors, r.summary)
}

/// The document written in three steps: what comes before the findings, the findings a window
/// at a time, then what follows them.
pub struct Writer<'w> {
    // serde_json writes many small pieces: a concrete buffer lets them inline instead of
    // going through `dyn Write` one by one (a third of a large scan's instructions).
    w: io::BufWriter<&'w mut dyn Write>,
    /// The findings' text, written a window behind.
    texts: Texts,
    /// Findings handed over so far.
    written: usize,
}

impl<'w> Writer<'w> {
    /// Writes what comes before the findings.
    pub fn begin(out: &'w mut dyn Write, version: &str) -> io::Result<Self> {
        let mut w = io::BufWriter::with_capacity(1 << 16, out);
        // The document is what `serde_json::to_writer_pretty` makes of [`Doc`], byte for byte
        // (a test holds it to that), but its findings, most of a large report, are serialised
        // in parallel, each at the depth it sits at.
        let tool = Tool {
            name: "stockade",
            version,
        };
        write!(w, "{{\n  \"version\": {SCHEMA_VERSION},\n  \"tool\": ")?;
        nested(&mut w, &tool, 1)?;
        w.write_all(b",\n  \"findings\": ")?;
        Ok(Self {
            w,
            texts: Texts::default(),
            written: 0,
        })
    }

    /// Writes the next findings (at most [`WINDOW`]), serialised in parallel; the text is
    /// written a window behind (see [`Texts`]).
    pub fn window(&mut self, window: &[&stockade_model::Finding]) -> io::Result<()> {
        debug_assert!(window.len() <= WINDOW);
        if window.is_empty() {
            return Ok(());
        }
        if self.written == 0 {
            self.w.write_all(b"[")?;
        }
        // Every element but the document's first follows a comma.
        let first = self.written;
        self.written += window.len();
        self.texts.window(
            &mut self.w,
            window,
            // A memo per job, not per chunk: held by every chunk, each would keep its own
            // copy of every check's text.
            Memo::default,
            |memo, buf, c, chunk| {
                for (k, f) in chunk.iter().enumerate() {
                    let separator: &[u8] = if first + c * CHUNK + k == 0 {
                        b"\n    "
                    } else {
                        b",\n    "
                    };
                    buf.extend_from_slice(separator);
                    finding(buf, memo, f);
                }
            },
        )
    }

    /// Writes what follows the findings.
    pub fn finish(
        mut self,
        errors: &[stockade_model::LoadError],
        summary: &stockade_model::Summary,
    ) -> io::Result<()> {
        let w = &mut self.w;
        self.texts.flush(w)?;
        w.write_all(if self.written == 0 { b"[]" } else { b"\n  ]" })?;
        w.write_all(b",\n  \"errors\": ")?;
        nested(w, &errors, 1)?;
        w.write_all(b",\n  \"summary\": ")?;
        nested(w, summary, 1)?;
        w.write_all(b"\n}\n")?;
        w.flush()
    }
}

/// Escaped text already written, by the address and length of what it was made from. Most of a
/// finding's text is its check's (ID, name, remediation, aliases), its file's and its object's,
/// and each is shared by many findings: a finding's fields borrow from the report, which
/// outlives the write, so an address and length name one text. Direct-mapped: a collision
/// only costs the escaping again.
struct Memo {
    slots: Vec<(usize, usize, u32, u32)>,
    text: Vec<u8>,
    /// The last file's and the last object's text: findings come in file and object order,
    /// so these are only ever reused by the next findings, and are not kept beyond them.
    file: Last,
    object: Last,
}

impl Default for Memo {
    fn default() -> Self {
        Self {
            slots: vec![(0, 0, 0, 0); Self::SLOTS],
            text: Vec::new(),
            file: Last::default(),
            object: Last::default(),
        }
    }
}

/// The text written for the value at an address and length, for the next value to reuse.
#[derive(Default)]
struct Last {
    key: (usize, usize),
    text: Vec<u8>,
}

impl Last {
    fn put(&mut self, buf: &mut Vec<u8>, key: (usize, usize), render: impl FnOnce(&mut Vec<u8>)) {
        if self.key != key || key.0 == 0 {
            self.text.clear();
            render(&mut self.text);
            self.key = key;
        }
        buf.extend_from_slice(&self.text);
    }
}

impl Memo {
    const SLOTS: usize = 512;
    /// Text kept before it is dropped and built again (checks' texts, from a few hundred
    /// checks, fit easily). Small in tests, so that they drop it too.
    const MAX_TEXT: usize = if cfg!(test) { 4_096 } else { 1 << 18 };

    /// Appends what `render` writes for the value at `addr` with `len`, written once.
    fn put(
        &mut self,
        buf: &mut Vec<u8>,
        addr: usize,
        len: usize,
        render: impl FnOnce(&mut Vec<u8>),
    ) {
        let slot = (addr ^ len.rotate_left(40)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 55;
        let (a, l, start, end) = self.slots[slot];
        if a == addr && l == len && addr != 0 {
            buf.extend_from_slice(&self.text[start as usize..end as usize]);
            return;
        }
        if self.text.len() > Self::MAX_TEXT {
            self.text.clear();
            self.slots.fill((0, 0, 0, 0));
        }
        let start = self.text.len();
        render(&mut self.text);
        let end = self.text.len();
        self.slots[slot] = (addr, len, start as u32, end as u32);
        buf.extend_from_slice(&self.text[start..end]);
    }

    /// `s` escaped, as [`escaped`] writes it.
    fn str(&mut self, buf: &mut Vec<u8>, s: &str) {
        if s.is_empty() {
            buf.extend_from_slice(b"\"\"");
        } else {
            self.put(buf, s.as_ptr() as usize, s.len(), |t| escaped(t, s));
        }
    }
}

/// Writes one finding as serde_json's pretty printer writes it two levels down (a test holds
/// the two equal byte for byte). Most of a report is findings: written directly, without a
/// temporary document per finding and a second pass to indent it, they cost about half.
fn finding(buf: &mut Vec<u8>, memo: &mut Memo, f: &stockade_model::Finding) {
    const AT: &[u8] = b",\n      \"";
    let field = |buf: &mut Vec<u8>, first: bool, key: &str| {
        buf.extend_from_slice(if first { &b"{\n      \""[..] } else { AT });
        buf.extend_from_slice(key.as_bytes());
        buf.extend_from_slice(b"\": ");
    };
    let string = |buf: &mut Vec<u8>, first: bool, key: &str, value: &str| {
        field(buf, first, key);
        escaped(buf, value);
    };
    let number = |buf: &mut Vec<u8>, key: &str, n: u32| {
        field(buf, false, key);
        buf.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    };
    field(buf, true, "check");
    memo.str(buf, &f.check);
    field(buf, false, "name");
    memo.str(buf, &f.name);
    // A severity's name is a lowercase word: nothing to escape.
    field(buf, false, "severity");
    buf.push(b'"');
    buf.extend_from_slice(f.severity.as_str().as_bytes());
    buf.push(b'"');
    string(buf, false, "message", &f.message);
    field(buf, false, "file");
    memo.file
        .put(buf, (f.file.as_ptr() as usize, f.file.len()), |b| {
            escaped(b, &f.file)
        });
    if let Some(t) = &f.template {
        field(buf, false, "template");
        memo.str(buf, t);
    }
    number(buf, "line", f.line);
    number(buf, "column", f.column);
    field(buf, false, "object");
    let o = &*f.object;
    memo.object.put(buf, (o as *const _ as usize, 0), |buf| {
        buf.extend_from_slice(b"{\n        \"apiVersion\": ");
        escaped(buf, &o.api_version);
        buf.extend_from_slice(b",\n        \"kind\": ");
        escaped(buf, &o.kind);
        buf.extend_from_slice(b",\n        \"namespace\": ");
        match &o.namespace {
            Some(ns) => escaped(buf, ns),
            None => buf.extend_from_slice(b"null"),
        }
        buf.extend_from_slice(b",\n        \"name\": ");
        escaped(buf, &o.name);
        buf.extend_from_slice(b"\n      }");
    });
    field(buf, false, "container");
    match &f.container {
        Some(c) => escaped(buf, c),
        None => buf.extend_from_slice(b"null"),
    }
    string(buf, false, "path", &f.path);
    field(buf, false, "remediation");
    memo.str(buf, &f.remediation);
    field(buf, false, "aliases");
    if f.aliases.is_empty() {
        buf.extend_from_slice(b"[]");
    } else {
        // The slice's own address: its strings' addresses are the `str` keys'.
        memo.put(
            buf,
            f.aliases.as_ptr() as usize,
            f.aliases.len() | 1 << 63,
            |buf| {
                for (i, a) in f.aliases.iter().enumerate() {
                    buf.extend_from_slice(if i == 0 {
                        &b"[\n        "[..]
                    } else {
                        b",\n        "
                    });
                    escaped(buf, a);
                }
                buf.extend_from_slice(b"\n      ]");
            },
        );
    }
    buf.extend_from_slice(b"\n    }");
}

/// A JSON string as serde_json writes it: `"` and `\` escaped, the control characters as
/// `\b \t \n \f \r` or `\u00xx`, everything else (non-ASCII included) as it is.
pub(crate) fn escaped(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    buf.reserve(bytes.len() + 2);
    buf.push(b'"');
    // Control characters are rare: asked of all bytes at once (no early exit, so the compiler
    // vectorises it). Without them, `"` and `\` are the only bytes to escape, and memchr finds
    // them a block at a time (most messages quote a name: `Deployment "web"`).
    if !bytes.iter().fold(false, |any, &b| any | (b < 0x20)) {
        let mut start = 0;
        for i in memchr::memchr2_iter(b'"', b'\\', bytes) {
            buf.extend_from_slice(&bytes[start..i]);
            buf.push(b'\\');
            buf.push(bytes[i]);
            start = i + 1;
        }
        buf.extend_from_slice(&bytes[start..]);
        buf.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        buf.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            0x08 => buf.extend_from_slice(b"\\b"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            0x0c => buf.extend_from_slice(b"\\f"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf.extend_from_slice(b"\\u00");
                buf.push(HEX[usize::from(b >> 4)]);
                buf.push(HEX[usize::from(b & 0xf)]);
            }
        }
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.push(b'"');
}

/// Writes `value` pretty-printed as it would be `depth` levels down in a pretty-printed
/// document. A serialised string holds no raw newline (it is escaped), so every newline is
/// the formatter's own and takes the extra indent.
fn nested(w: &mut impl Write, value: &impl Serialize, depth: usize) -> io::Result<()> {
    let text = serde_json::to_vec_pretty(value)?;
    let indent = &b"                "[..2 * depth];
    let mut rest = &text[..];
    while let Some(at) = rest.iter().position(|&b| b == b'\n') {
        w.write_all(&rest[..=at])?;
        w.write_all(indent)?;
        rest = &rest[at + 1..];
    }
    w.write_all(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;
    use std::sync::Arc;
    use stockade_model::{Finding, LoadError, Summary};
    use stockade_model::{ObjectRef, Severity};

    /// The document's shape, the reference [`write`] is held to (its test serialises this).
    #[derive(Serialize)]
    struct Doc<'a> {
        version: u32,
        tool: Tool<'a>,
        findings: &'a [Finding],
        errors: &'a [LoadError],
        summary: &'a Summary,
    }

    fn finding(i: usize) -> Finding {
        Finding {
            check: Cow::Borrowed("STK001"),
            name: Cow::Borrowed("privileged-container"),
            severity: Severity::High,
            message: format!(
                "container \"app{i}\" runs privileged:\n\t\u{1}\u{8}\u{c}\r\u{1f}\u{7f}é \\ \u{2028}"
            ),
            file: Arc::from(format!("deploy/{i}.yaml").as_str()),
            template: i
                .is_multiple_of(3)
                .then(|| Arc::from("chart/templates/x.yaml")),
            line: i as u32 + 1,
            column: 3,
            object: Arc::new(ObjectRef {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                namespace: i.is_multiple_of(2).then(|| "ns".into()),
                name: format!("app-{i}"),
            }),
            container: (!i.is_multiple_of(4)).then(|| format!("c{i}")),
            path: "spec.template.spec.containers[0].securityContext.privileged".into(),
            // Shared, escaped once (quotes, a backslash, a tab), or a finding's own.
            remediation: if i.is_multiple_of(7) {
                Cow::Owned(format!("Fix \"{i}\"."))
            } else {
                Cow::Borrowed("Set \"privileged: false\" \\ once.\t")
            },
            aliases: match i % 3 {
                0 => &["checkov:CKV_K8S_16", "trivy:KSV017"],
                1 => &["kubescape:C-0057"],
                _ => &[],
            },
        }
    }

    fn both(findings: &[Finding], errors: &[LoadError]) -> (String, String) {
        let summary = Summary {
            findings: findings.len(),
            ..Summary::default()
        };
        // Held in runs of uneven sizes, as a scan holds them: windows and chunks span runs.
        let mut runs = stockade_model::Findings::new();
        let mut rest = findings;
        for size in [1, 300, 5_000, 7].into_iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (run, tail) = rest.split_at(size.min(rest.len()));
            runs.push_run(run.to_vec());
            rest = tail;
        }
        assert_eq!(runs.len(), findings.len());
        let report = Report {
            findings: &runs,
            errors,
            summary: &summary,
            version: "1.2.3",
        };
        let mut ours = Vec::new();
        write(&report, &mut ours).unwrap();
        let doc = Doc {
            version: SCHEMA_VERSION,
            tool: Tool {
                name: "stockade",
                version: "1.2.3",
            },
            findings,
            errors,
            summary: &summary,
        };
        let mut theirs = serde_json::to_vec_pretty(&doc).unwrap();
        theirs.push(b'\n');
        (
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap(),
        )
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        // Every byte that needs escaping, and some that do not (non-ASCII among them), at every
        // place in strings of every length around a word's: the first of several, after a
        // borrow, in the tail.
        let specials = [
            "\"", "\\", "\n", "\t", "\r", "\u{8}", "\u{c}", "\u{0}", "\u{1f}", "\u{7f}", "é", "→",
            " ", "a",
        ];
        for len in 0..20 {
            for at in 0..len.max(1) {
                for a in specials {
                    for b in ["x", "\"", "\u{1}", "ü"] {
                        let s: String = (0..len)
                            .map(|i| {
                                if i == at {
                                    a
                                } else if i > at && i % 3 == 0 {
                                    b
                                } else {
                                    "k"
                                }
                            })
                            .collect();
                        let mut buf = Vec::new();
                        escaped(&mut buf, &s);
                        assert_eq!(
                            String::from_utf8(buf).unwrap(),
                            serde_json::to_string(&s).unwrap(),
                            "{s:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn parallel_writing_is_byte_for_byte_serde_jsons_pretty_document() {
        let error = LoadError {
            file: Arc::from("bad.yaml"),
            line: 3,
            column: 1,
            level: stockade_model::Level::Error,
            message: "duplicate key \"a\"".into(),
            check: None,
        };
        // Empty, one, a chunk's edge, a window's edge and several windows.
        for n in [0, 1, CHUNK, CHUNK + 1, WINDOW, WINDOW + 1, 2 * WINDOW + 7] {
            let mut findings: Vec<Finding> = (0..n).map(finding).collect();
            // Findings share their object (five each) and file (three each), as a scan's do.
            for i in 0..n {
                findings[i].object = findings[i - i % 5].object.clone();
                findings[i].file = findings[i - i % 3].file.clone();
            }
            for errors in [&[][..], std::slice::from_ref(&error)] {
                let (ours, theirs) = both(&findings, errors);
                assert!(
                    ours == theirs,
                    "{n} findings, {} errors differ",
                    errors.len()
                );
            }
        }
    }
}
