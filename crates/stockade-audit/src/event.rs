//! Kubernetes audit events (audit.k8s.io/v1 and v1beta1) as a lazily queried view, and a
//! streaming reader for JSON-lines files, EventList objects and pretty-printed JSON.
//!
//! The top-level fields rules test on every event (verb, user, objectRef, stage, response
//! code) are deserialized once, borrowing from the input line; the request and response
//! objects, annotations and the whole event are kept as raw JSON and parsed only when a rule
//! or an output template asks for them.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::io::BufRead;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// Largest JSON value the reader accumulates across lines (pretty-printed input).
pub const MAX_EVENT_BYTES: usize = 64 << 20;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct User<'a> {
    #[serde(borrow, default)]
    pub username: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub groups: Option<&'a RawValue>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ObjectRef<'a> {
    #[serde(borrow, default)]
    pub resource: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub namespace: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub subresource: Option<Cow<'a, str>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Status<'a> {
    #[serde(borrow, default)]
    pub code: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub reason: Option<Cow<'a, str>>,
}

/// The two annotations rules test, read during the main parse.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Annotations<'a> {
    #[serde(borrow, default, rename = "authorization.k8s.io/decision")]
    pub decision: Option<Cow<'a, str>>,
    /// Kept raw: it usually holds escaped quotes, and decoding it for every event would
    /// allocate.
    #[serde(borrow, default, rename = "authorization.k8s.io/reason")]
    pub reason: Option<&'a RawValue>,
}

/// A string borrowed from the input when it has no escapes.
#[derive(Debug, Deserialize)]
pub(crate) struct Str<'a>(#[serde(borrow)] pub Cow<'a, str>);

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawEvent<'a> {
    #[serde(borrow, default)]
    pub kind: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "auditID")]
    pub audit_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub stage: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "requestURI")]
    pub request_uri: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub verb: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub user: Option<User<'a>>,
    #[serde(borrow, default, rename = "impersonatedUser")]
    pub impersonated_user: Option<User<'a>>,
    #[serde(borrow, default, rename = "sourceIPs")]
    pub source_ips: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "userAgent")]
    pub user_agent: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "objectRef")]
    pub object_ref: Option<ObjectRef<'a>>,
    #[serde(borrow, default, rename = "responseStatus")]
    pub response_status: Option<Status<'a>>,
    #[serde(borrow, default, rename = "requestObject")]
    pub request_object: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "responseObject")]
    pub response_object: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub annotations: Option<Annotations<'a>>,
    #[serde(borrow, default, rename = "requestReceivedTimestamp")]
    pub request_received: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "stageTimestamp")]
    pub stage_timestamp: Option<Cow<'a, str>>,
    /// v1beta1 only.
    #[serde(borrow, default)]
    pub timestamp: Option<Cow<'a, str>>,
    /// EventList only.
    #[serde(borrow, default)]
    pub items: Option<Vec<&'a RawValue>>,
}

/// One audit event, parsed once; nested objects are parsed on first use.
#[derive(Debug)]
pub struct Event<'a> {
    pub(crate) raw: RawEvent<'a>,
    text: &'a str,
    full: OnceCell<Option<Value>>,
    request: OnceCell<Option<Value>>,
    response: OnceCell<Option<Value>>,
    groups: OnceCell<Option<Vec<Str<'a>>>>,
    source_ips: OnceCell<Option<Vec<Str<'a>>>>,
}

fn lazy<'v>(cell: &'v OnceCell<Option<Value>>, raw: Option<&RawValue>) -> Option<&'v Value> {
    cell.get_or_init(|| raw.and_then(|r| serde_json::from_str(r.get()).ok()))
        .as_ref()
}

fn lazy_strs<'v, 'a>(
    cell: &'v OnceCell<Option<Vec<Str<'a>>>>,
    raw: Option<&'a RawValue>,
) -> Option<&'v [Str<'a>]> {
    cell.get_or_init(|| raw.and_then(|r| serde_json::from_str(r.get()).ok()))
        .as_deref()
}

impl<'a> Event<'a> {
    fn new(raw: RawEvent<'a>, text: &'a str) -> Self {
        Event {
            raw,
            text,
            full: OnceCell::new(),
            request: OnceCell::new(),
            response: OnceCell::new(),
            groups: OnceCell::new(),
            source_ips: OnceCell::new(),
        }
    }

    /// Parses one JSON object as an audit Event (not a list).
    pub fn parse(text: &'a str) -> Result<Self, String> {
        let raw: RawEvent<'a> = serde_json::from_str(text).map_err(|e| e.to_string())?;
        check_kind(&raw, false)?;
        Ok(Event::new(raw, text))
    }

    /// The event's JSON text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The whole event as a JSON tree.
    pub fn json(&self) -> Option<&Value> {
        self.full
            .get_or_init(|| serde_json::from_str(self.text).ok())
            .as_ref()
    }

    /// `requestObject`, parsed on first use.
    pub fn request_object(&self) -> Option<&Value> {
        lazy(&self.request, self.raw.request_object)
    }

    /// `responseObject`, parsed on first use.
    pub fn response_object(&self) -> Option<&Value> {
        lazy(&self.response, self.raw.response_object)
    }

    /// `annotations` (from the whole event, parsed on first use).
    pub fn annotations(&self) -> Option<&Value> {
        self.json()?.get("annotations")
    }

    /// `authorization.k8s.io/decision` and `.../reason`.
    pub(crate) fn auth(&self) -> Option<&Annotations<'a>> {
        self.raw.annotations.as_ref()
    }

    pub(crate) fn groups(&self) -> Option<&[Str<'a>]> {
        lazy_strs(&self.groups, self.raw.user.as_ref().and_then(|u| u.groups))
    }

    pub(crate) fn source_ips(&self) -> Option<&[Str<'a>]> {
        lazy_strs(&self.source_ips, self.raw.source_ips)
    }

    /// `verb`.
    pub fn verb(&self) -> Option<&str> {
        self.raw.verb.as_deref()
    }

    /// `objectRef.resource`.
    pub fn resource(&self) -> Option<&str> {
        self.raw.object_ref.as_ref()?.resource.as_deref()
    }

    /// `stage`.
    pub fn stage(&self) -> Option<&str> {
        self.raw.stage.as_deref()
    }

    /// The event's time: `stageTimestamp`, else `requestReceivedTimestamp`, else the v1beta1
    /// `timestamp`.
    pub fn time(&self) -> Option<&str> {
        self.raw
            .stage_timestamp
            .as_deref()
            .or(self.raw.request_received.as_deref())
            .or(self.raw.timestamp.as_deref())
    }
}

fn check_kind(raw: &RawEvent<'_>, list_ok: bool) -> Result<bool, String> {
    match raw.kind.map(RawValue::get) {
        Some("\"Event\"") => Ok(false),
        Some("\"EventList\"") if list_ok => Ok(true),
        Some(other) => Err(format!(
            "not a Kubernetes audit event (kind is {other}, expected \"Event\" or \"EventList\")"
        )),
        None if raw.audit_id.is_some() => Ok(false),
        None => Err("not a Kubernetes audit event (no kind and no auditID)".into()),
    }
}

/// Where an event was read: file and 1-based line of the JSON value that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location<'f> {
    /// The file name as given (`<stdin>` for standard input).
    pub file: &'f str,
    /// 1-based line where the event (or the EventList holding it) starts.
    pub line: u64,
}

impl std::fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A line that is not an audit event. Reading goes on after it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ReadError {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// Counts from one read.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReadStats {
    /// Events handed to the callback.
    pub events: u64,
    /// Lines or values that were not events.
    pub errors: u64,
}

/// Tracks `{}`/`[]` nesting across lines so a pretty-printed value is parsed once, when it is
/// complete, instead of after every line.
#[derive(Default)]
struct Depth {
    depth: i64,
    in_string: bool,
    escape: bool,
}

impl Depth {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.in_string {
                if self.escape {
                    self.escape = false;
                } else if b == b'\\' {
                    self.escape = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => self.depth -= 1,
                _ => {}
            }
        }
    }
}

/// Reads audit events from `reader` one JSON value at a time and calls `on_event` for each.
///
/// Accepted: one Event per line (the API server's log backend), EventList objects (the
/// webhook backend's batches, on one line or pretty-printed), JSON arrays of events, and
/// pretty-printed events. Blank lines are skipped. A value that is not an event is passed to
/// `on_error` with its file and line, and reading continues with the next line. Only I/O
/// errors stop the read.
pub fn read_events<R: BufRead>(
    file: &str,
    mut reader: R,
    mut on_event: impl FnMut(&Event<'_>, Location<'_>),
    mut on_error: impl FnMut(ReadError),
) -> std::io::Result<ReadStats> {
    let mut stats = ReadStats::default();
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut line_no: u64 = 0;
    // A line read ahead while collecting a multi-line value, to be handled next.
    let mut carried: Option<Vec<u8>> = None;
    loop {
        buf.clear();
        match carried.take() {
            Some(line) => buf.extend_from_slice(&line),
            None => {
                if reader.read_until(b'\n', &mut buf)? == 0 {
                    break;
                }
                line_no += 1;
            }
        }
        let start = line_no;
        let first = buf.iter().position(|b| !b.is_ascii_whitespace());
        let Some(first) = first else { continue };
        let last = buf
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .unwrap_or(first);
        // Pretty-printed JSON: a first line that opens a value and stops where no JSON-lines
        // record can end (`{`, `[`, `,`, `:`). Collect lines until the value closes. A line
        // starting with `{` in the first column is a new record: the value before it was cut
        // short, so it is reported and the new line is read on its own.
        if matches!(buf[first], b'{' | b'[') && matches!(buf[last], b'{' | b'[' | b',' | b':') {
            let mut depth = Depth::default();
            depth.feed(&buf);
            let mut next = Vec::new();
            while depth.depth > 0 && buf.len() < MAX_EVENT_BYTES {
                next.clear();
                if reader.read_until(b'\n', &mut next)? == 0 {
                    break;
                }
                line_no += 1;
                if next.first() == Some(&b'{') {
                    carried = Some(std::mem::take(&mut next));
                    break;
                }
                depth.feed(&next);
                buf.extend_from_slice(&next);
            }
        }
        let loc = Location { file, line: start };
        let mut err = |message: String| {
            on_error(ReadError {
                file: file.to_string(),
                line: start,
                message,
            })
        };
        let text = match std::str::from_utf8(&buf) {
            Ok(t) => t.trim(),
            Err(e) => {
                stats.errors += 1;
                err(format!("not valid UTF-8 (byte {})", e.valid_up_to()));
                continue;
            }
        };
        if text.starts_with('[') {
            match serde_json::from_str::<Vec<&RawValue>>(text) {
                Ok(items) => {
                    for item in items {
                        handle_value(item.get(), loc, &mut stats, &mut on_event, &mut err);
                    }
                }
                Err(e) => {
                    stats.errors += 1;
                    err(format!("invalid JSON: {e}"));
                }
            }
            continue;
        }
        handle_value(text, loc, &mut stats, &mut on_event, &mut err);
    }
    Ok(stats)
}

fn handle_value(
    text: &str,
    loc: Location<'_>,
    stats: &mut ReadStats,
    on_event: &mut impl FnMut(&Event<'_>, Location<'_>),
    err: &mut impl FnMut(String),
) {
    let raw: RawEvent<'_> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            stats.errors += 1;
            let what = if text.starts_with('{') {
                "invalid audit event"
            } else {
                "invalid JSON"
            };
            err(format!("{what}: {e}"));
            return;
        }
    };
    match check_kind(&raw, true) {
        Ok(false) => {
            stats.events += 1;
            on_event(&Event::new(raw, text), loc);
        }
        Ok(true) => {
            for item in raw.items.as_deref().unwrap_or(&[]) {
                match Event::parse(item.get()) {
                    Ok(ev) => {
                        stats.events += 1;
                        on_event(&ev, loc);
                    }
                    Err(e) => {
                        stats.errors += 1;
                        err(format!("EventList item: {e}"));
                    }
                }
            }
        }
        Err(e) => {
            stats.errors += 1;
            err(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str) -> (Vec<(String, u64)>, Vec<String>) {
        let mut evs = Vec::new();
        let mut errs = Vec::new();
        read_events(
            "f",
            input.as_bytes(),
            |e, loc| evs.push((e.verb().unwrap_or("").to_string(), loc.line)),
            |e| errs.push(e.to_string()),
        )
        .unwrap();
        (evs, errs)
    }

    #[test]
    fn lines_lists_and_errors() {
        let input = concat!(
            "{\"kind\":\"Event\",\"verb\":\"get\"}\n",
            "\n",
            "{\"kind\": 0}\n",
            "not json\n",
            "{\"kind\":\"EventList\",\"items\":[{\"kind\":\"Event\",\"verb\":\"list\"},{\"kind\":\"Event\",\"verb\":\"watch\"}]}\n",
            "{\n  \"kind\": \"Event\",\n  \"verb\": \"create\", \"x\": \"}{\"\n}\n",
            "{\"kind\":\"Event\",\"verb\":\"delete\"}",
        );
        let (evs, errs) = read(input);
        assert_eq!(
            evs,
            vec![
                ("get".to_string(), 1),
                ("list".to_string(), 5),
                ("watch".to_string(), 5),
                ("create".to_string(), 6),
                ("delete".to_string(), 10),
            ]
        );
        assert_eq!(errs.len(), 2);
        assert!(
            errs[0].starts_with("f:3: not a Kubernetes audit event (kind is 0"),
            "{}",
            errs[0]
        );
        assert!(errs[1].starts_with("f:4: invalid JSON"), "{}", errs[1]);
    }

    #[test]
    fn every_truncation_is_an_error_never_a_panic() {
        let line = r#"{"kind":"Event","verb":"get","user":{"username":"a\"b","groups":["x"]},"objectRef":{"resource":"pods"},"requestObject":{"spec":{"containers":[{"image":"nginx"}]}},"annotations":{"authorization.k8s.io/decision":"allow"}}"#;
        for cut in 1..line.len() {
            let input = format!("{}\n{}\n", &line[..cut], line);
            let (evs, errs) = read(&input);
            // The cut line is reported and the intact line after it is still read.
            assert_eq!(evs, vec![("get".to_string(), 2)], "cut at {cut}: {errs:?}");
            assert_eq!(errs.len(), 1, "cut at {cut}: {errs:?}");
            assert!(errs[0].starts_with("f:1: "), "cut at {cut}: {errs:?}");
        }
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let (evs, _) = read("{\"kind\":\"Event\",\"verb\":\"g\\u0065t\"}\n");
        assert_eq!(evs, vec![("get".to_string(), 1)]);
    }
}
