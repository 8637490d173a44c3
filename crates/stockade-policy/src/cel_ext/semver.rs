//! The Kubernetes CEL semver library (k8s.io/apiserver/pkg/cel/library/semverlib.go):
//! `isSemver(s[, normalize])`, `semver(s[, normalize])`, and on a version `major()`,
//! `minor()`, `patch()`, `isGreaterThan(v)`, `isLessThan(v)`, `compareTo(v)`. Parsing is
//! Semantic Versioning 2.0.0, strict as blang/semver's `Parse`; `normalize` first drops a
//! leading `v`, fills a missing minor or patch with 0 and strips leading zeros. Build
//! metadata is validated and ignored, as SemVer says for comparisons.

use std::cmp::Ordering;
use std::sync::Arc;

use cel::Value;
use cel::common::types::{BOOL_TYPE, STRING_TYPE};
use cel::common::value::CowVal;
use cel::objects::Opaque;

use super::{Decl, R, err, opaque, opaque_type, ret, string, vals};

const SEMVER: &str = "kubernetes.Semver";

/// A pre-release identifier: numeric ones order numerically and before alphanumeric ones.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Pre {
    Num(u64),
    Alnum(String),
}

/// A semantic version.
#[derive(Debug, Clone)]
pub struct Semver {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<Pre>,
}

impl PartialEq for Semver {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Semver {}

impl PartialOrd for Semver {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Semver {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                // A pre-release comes before its release.
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&o.pre),
            })
    }
}

impl Opaque for Semver {
    fn runtime_type_name(&self) -> &str {
        SEMVER
    }
}

fn number(s: &str, what: &str) -> Result<u64, String> {
    if s.is_empty() {
        return Err(format!("{what} number is empty"));
    }
    if !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("invalid character(s) found in {what} number {s:?}"));
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err(format!(
            "{what} number must not contain leading zeroes {s:?}"
        ));
    }
    s.parse()
        .map_err(|_| format!("{what} number {s:?} is too large"))
}

fn identifiers(s: &str, what: &str) -> Result<Vec<String>, String> {
    s.split('.')
        .map(|p| {
            if p.is_empty() {
                Err(format!("{what} is empty"))
            } else if !p.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') {
                Err(format!("invalid character(s) found in {what} {p:?}"))
            } else {
                Ok(p.to_string())
            }
        })
        .collect()
}

impl Semver {
    /// Parses a version strictly (`1.2.3`, `1.2.3-rc.1+build.5`).
    pub fn parse(s: &str) -> Result<Semver, String> {
        // Build metadata is validated, then dropped: it takes no part in comparisons.
        let rest = match s.split_once('+') {
            Some((r, b)) => {
                identifiers(b, "build metadata")?;
                r
            }
            None => s,
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        let [ma, mi, pa] = parts.as_slice() else {
            return Err("No Major.Minor.Patch elements found".to_string());
        };
        let pre = match pre {
            None => Vec::new(),
            Some(p) => identifiers(p, "prerelease")?
                .into_iter()
                .map(|id| {
                    if id.bytes().all(|c| c.is_ascii_digit()) {
                        number(&id, "prerelease").map(Pre::Num)
                    } else {
                        Ok(Pre::Alnum(id))
                    }
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(Semver {
            major: number(ma, "major")?,
            minor: number(mi, "minor")?,
            patch: number(pa, "patch")?,
            pre,
        })
    }

    /// Parses after normalising: no leading `v`, missing minor and patch as 0, no leading
    /// zeros in the numbers.
    pub fn parse_normalized(s: &str) -> Result<Semver, String> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let cut = s.find(['-', '+']).unwrap_or(s.len());
        let (core, suffix) = s.split_at(cut);
        let mut parts: Vec<String> = core
            .split('.')
            .map(|p| {
                let t = p.trim_start_matches('0');
                if t.is_empty() && !p.is_empty() {
                    "0".to_string()
                } else {
                    t.to_string()
                }
            })
            .collect();
        while parts.len() < 3 {
            parts.push("0".to_string());
        }
        Semver::parse(&format!("{}{suffix}", parts.join(".")))
    }
}

pub(super) fn declare(d: &mut Decl) -> Result<(), cel::DeclarationError> {
    d.global("isSemver", "is_semver_string", vec![STRING_TYPE], is_semver)?;
    d.global(
        "isSemver",
        "is_semver_string_bool",
        vec![STRING_TYPE, BOOL_TYPE],
        is_semver,
    )?;
    d.global("semver", "string_to_semver", vec![STRING_TYPE], semver)?;
    d.global(
        "semver",
        "string_bool_to_semver",
        vec![STRING_TYPE, BOOL_TYPE],
        semver,
    )?;
    for (name, f) in [
        ("major", major as cel::common::functions::Function),
        ("minor", minor),
        ("patch", patch),
    ] {
        d.member(
            name,
            &format!("semver_{name}"),
            opaque_type(SEMVER),
            vec![],
            f,
        )?;
    }
    for (name, f) in [
        ("isGreaterThan", greater as cel::common::functions::Function),
        ("isLessThan", less),
        ("compareTo", compare),
    ] {
        d.member(
            name,
            &format!("semver_{name}"),
            opaque_type(SEMVER),
            vec![opaque_type(SEMVER)],
            f,
        )?;
    }
    Ok(())
}

fn parse_args(
    args: &[CowVal<'_, '_>],
    f: &str,
) -> Result<Result<Semver, String>, cel::ExecutionError> {
    let (s, normalize) = match args.len() {
        2 => {
            let [s, n] = vals::<2>(args)?;
            let n = match n {
                Value::Bool(b) => b,
                other => return Err(err(f, format!("expected a bool, got {}", other.type_of()))),
            };
            (s, n)
        }
        _ => {
            let [s] = vals::<1>(args)?;
            (s, false)
        }
    };
    let s = string(&s, f)?;
    Ok(if normalize {
        Semver::parse_normalized(s)
    } else {
        Semver::parse(s)
    })
}

fn is_semver<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(parse_args(&args, "isSemver")?.is_ok())
}

fn semver<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let v = parse_args(&args, "semver")?.map_err(|e| err("semver", e))?;
    ret(Value::Opaque(Arc::new(v)))
}

fn one(args: &[CowVal<'_, '_>], f: &str) -> Result<Semver, cel::ExecutionError> {
    let [v] = vals::<1>(args)?;
    opaque::<Semver>(&v, f)
}

fn major<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(one(&args, "major")?.major as i64)
}

fn minor<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(one(&args, "minor")?.minor as i64)
}

fn patch<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(one(&args, "patch")?.patch as i64)
}

fn two(args: &[CowVal<'_, '_>], f: &str) -> Result<Ordering, cel::ExecutionError> {
    let [a, b] = vals::<2>(args)?;
    Ok(opaque::<Semver>(&a, f)?.cmp(&opaque::<Semver>(&b, f)?))
}

fn greater<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(two(&args, "isGreaterThan")? == Ordering::Greater)
}

fn less<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(two(&args, "isLessThan")? == Ordering::Less)
}

fn compare<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(two(&args, "compareTo")? as i64)
}
