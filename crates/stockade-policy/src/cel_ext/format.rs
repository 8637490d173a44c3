//! The Kubernetes CEL format library (k8s.io/apiserver/pkg/cel/library/format.go):
//! `format.<name>()` and `format.named(name)` give a format, whose `validate(s)` returns
//! `optional.none()` for a valid string and `optional.of([errors])` otherwise. The errors
//! are apimachinery's validation messages (`IsDNS1123Label`, `IsQualifiedName`, ...) and, for
//! the OpenAPI formats, the library's own ("invalid date", ...).

use std::sync::Arc;

use cel::Value;
use cel::common::types::{CelOptional, STRING_TYPE};
use cel::common::value::{CowVal, Val};
use cel::objects::Opaque;

use super::{Decl, R, err, opaque_type, string, vals};

const FORMAT: &str = "kubernetes.NamedFormat";

/// The formats, by the name `format.named` and `format.<name>()` use.
pub const NAMES: &[&str] = &[
    "dns1123Label",
    "dns1123Subdomain",
    "dns1035Label",
    "qualifiedName",
    "dns1123LabelPrefix",
    "dns1123SubdomainPrefix",
    "dns1035LabelPrefix",
    "labelValue",
    "uri",
    "uuid",
    "byte",
    "date",
    "datetime",
];

/// A named format (an index into [`NAMES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format(usize);

impl Opaque for Format {
    fn runtime_type_name(&self) -> &str {
        FORMAT
    }
}

pub(super) fn declare(d: &mut Decl) -> Result<(), cel::DeclarationError> {
    const CONSTRUCTORS: [cel::common::functions::Function; 13] =
        [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12];
    for (name, f) in NAMES.iter().zip(CONSTRUCTORS) {
        d.global(
            &format!("format.{name}"),
            &format!("format_{name}"),
            vec![],
            f,
        )?;
    }
    d.global("format.named", "format_named", vec![STRING_TYPE], named)?;
    d.member(
        "validate",
        "format_validate",
        opaque_type(FORMAT),
        vec![STRING_TYPE],
        validate,
    )?;
    Ok(())
}

fn make<'b, 'v>(i: usize) -> R<'b, 'v> {
    super::ret(Value::Opaque(Arc::new(Format(i))))
}

macro_rules! constructors {
    ($($f:ident = $i:expr),*) => {
        $(fn $f<'b, 'v>(_: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> { make($i) })*
    };
}
constructors!(
    f0 = 0,
    f1 = 1,
    f2 = 2,
    f3 = 3,
    f4 = 4,
    f5 = 5,
    f6 = 6,
    f7 = 7,
    f8 = 8,
    f9 = 9,
    f10 = 10,
    f11 = 11,
    f12 = 12
);

fn optional<'b, 'v>(v: Option<Value>) -> R<'b, 'v> {
    let o = match v {
        Some(v) => {
            let b: Box<dyn Val> = v.try_into()?;
            CelOptional::of(b)
        }
        None => CelOptional::none(),
    };
    Ok(CowVal::Owned(Box::new(o)))
}

fn named<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [s] = vals::<1>(&args)?;
    let s = string(&s, "format.named")?;
    optional(
        NAMES
            .iter()
            .position(|n| *n == s)
            .map(|i| Value::Opaque(Arc::new(Format(i)))),
    )
}

fn validate<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [f, s] = vals::<2>(&args)?;
    let f = match &f {
        Value::Opaque(o) => o
            .downcast_ref::<Format>()
            .copied()
            .ok_or_else(|| err("validate", format!("unexpected {}", o.runtime_type_name())))?,
        other => return Err(err("validate", format!("unexpected {}", other.type_of()))),
    };
    let s = string(&s, "validate")?;
    super::charge(1 + s.len() as u64 / 16)?;
    let errors = check(NAMES[f.0], s);
    optional((!errors.is_empty()).then(|| {
        Value::List(Arc::new(
            errors
                .into_iter()
                .map(|e| Value::String(Arc::new(e)))
                .collect(),
        ))
    }))
}

/// The errors of `s` in the format `name` (empty: valid).
pub fn check(name: &str, s: &str) -> Vec<String> {
    match name {
        "dns1123Label" => dns1123_label(s),
        "dns1123Subdomain" => dns1123_subdomain(s),
        "dns1035Label" => dns1035_label(s),
        "qualifiedName" => qualified_name(s),
        "dns1123LabelPrefix" => dns1123_label(&mask_trailing_dash(s)),
        "dns1123SubdomainPrefix" => dns1123_subdomain(&mask_trailing_dash(s)),
        "dns1035LabelPrefix" => dns1035_label(&mask_trailing_dash(s)),
        "labelValue" => label_value(s),
        "uri" => uri(s),
        "uuid" => one(is_uuid(s), "does not match the UUID format"),
        "byte" => one(is_base64(s), "invalid base64"),
        "date" => one(is_date(s), "invalid date"),
        "datetime" => one(is_datetime(s), "invalid datetime"),
        _ => Vec::new(),
    }
}

fn one(ok: bool, message: &str) -> Vec<String> {
    if ok {
        Vec::new()
    } else {
        vec![message.to_string()]
    }
}

// apimachinery/pkg/util/validation, with its messages.

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

fn max_len(n: usize) -> String {
    format!("must be no more than {n} characters")
}

/// Go's `validation.RegexError`.
fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    let mut out = format!("{msg} (e.g. ");
    for (i, e) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push_str(&format!("'{e}', "));
    }
    out.push_str(&format!("regex used for validation is '{fmt}')"));
    out
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$` (`first` decides the first character's class).
fn label_like(s: &str, first: fn(u8) -> bool) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => {
            first(f)
                && (l.is_ascii_lowercase() || l.is_ascii_digit())
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        }
        _ => false,
    }
}

fn alnum_lower(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn is_dns1123_label(s: &str) -> bool {
    label_like(s, alnum_lower)
}

fn is_dns1123_subdomain(s: &str) -> bool {
    s.split('.').all(is_dns1123_label)
}

fn dns1123_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len(63));
    }
    if !is_dns1123_label(s) {
        errs.push(if is_dns1123_subdomain(s) {
            "must not contain dots".to_string()
        } else {
            regex_error(
                DNS1123_LABEL_MSG,
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            )
        });
    }
    errs
}

fn dns1123_subdomain(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push(max_len(253));
    }
    if !is_dns1123_subdomain(s) {
        errs.push(regex_error(
            DNS1123_SUBDOMAIN_MSG,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

fn dns1035_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len(63));
    }
    if !label_like(s, |c| c.is_ascii_lowercase()) {
        errs.push(regex_error(
            DNS1035_LABEL_MSG,
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// apimachinery's `maskTrailingDash`, for the `...Prefix` formats (a generateName prefix
/// may end in a dash): it replaces the last two characters with `a`, as the Go code does.
fn mask_trailing_dash(s: &str) -> String {
    if s.len() > 1 && s.ends_with('-') {
        format!("{}a", &s[..s.len() - 2])
    } else {
        s.to_string()
    }
}

/// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`.
fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) => {
            f.is_ascii_alphanumeric()
                && l.is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
        }
        _ => false,
    }
}

fn qualified_name(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let examples = ["MyName", "my.name", "123-abc"];
    let parts: Vec<&str> = s.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                errs.extend(
                    dns1123_subdomain(prefix)
                        .into_iter()
                        .map(|m| format!("prefix part {m}")),
                );
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, &examples)
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push(format!("name part {}", max_len(63)));
    }
    if !is_qualified_name_part(name) {
        errs.push(format!(
            "name part {}",
            regex_error(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, &examples)
        ));
    }
    errs
}

fn label_value(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len(63));
    }
    if !s.is_empty() && !is_qualified_name_part(s) {
        errs.push(regex_error(
            LABEL_VALUE_MSG,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// Go's `url.ParseRequestURI`, whose error the library returns.
fn uri(s: &str) -> Vec<String> {
    if s.is_empty() {
        return vec!["parse \"\": empty url".to_string()];
    }
    match super::Url::parse(s) {
        Ok(_) => Vec::new(),
        Err(_) => vec![format!("parse {s:?}: invalid URI for request")],
    }
}

/// strfmt's UUID: 8-4-4-4-12 hexadecimal digits, or 32 without dashes, any case.
fn is_uuid(s: &str) -> bool {
    let hex = |p: &str, n: usize| p.len() == n && p.bytes().all(|c| c.is_ascii_hexdigit());
    match s.split('-').collect::<Vec<_>>().as_slice() {
        [a, b, c, d, e] => hex(a, 8) && hex(b, 4) && hex(c, 4) && hex(d, 4) && hex(e, 12),
        [whole] => hex(whole, 32),
        _ => false,
    }
}

/// Go's `base64.StdEncoding.DecodeString` succeeds (padded; newlines ignored).
fn is_base64(s: &str) -> bool {
    let b: Vec<u8> = s.bytes().filter(|c| *c != b'\n' && *c != b'\r').collect();
    if !b.len().is_multiple_of(4) {
        return false;
    }
    let pad = b.iter().rev().take_while(|c| **c == b'=').count();
    pad <= 2
        && b[..b.len() - pad]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Go's `time.Parse("2006-01-02", s)`: a real calendar date.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(&s[..4]), digits(&s[5..7]), digits(&s[8..])) else {
        return false;
    };
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// strfmt's `IsDateTime`: a date, `t`, then `HH:MM:SS`, optional fraction, and `z` or an
/// offset `±HH:MM` (case-insensitive).
fn is_datetime(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let mut parts = lower.split('t');
    let (Some(date), Some(time)) = (parts.next(), parts.next()) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let b = time.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let two = |i: usize| b[i].is_ascii_digit() && b[i + 1].is_ascii_digit();
    if !(two(0) && two(3) && two(6)) {
        return false;
    }
    if &time[..2] > "23" || &time[3..5] > "59" || &time[6..8] > "59" {
        return false;
    }
    let mut rest = &time[8..];
    // `(.[0-9]+)?`: any one character, then digits.
    if let Some(c) = rest.chars().next()
        && c != 'z'
        && c != '+'
        && c != '-'
    {
        let after = &rest[c.len_utf8()..];
        let n = after.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &after[n..];
    }
    if rest == "z" {
        return true;
    }
    let r = rest.as_bytes();
    r.len() == 6
        && (r[0] == b'+' || r[0] == b'-')
        && r[1].is_ascii_digit()
        && r[2].is_ascii_digit()
        && r[3] == b':'
        && r[4].is_ascii_digit()
        && r[5].is_ascii_digit()
}
