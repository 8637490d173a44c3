//! Cataloguers: each turns the files of the view it understands into packages.

pub(crate) mod apk;
pub(crate) mod bdb;
pub(crate) mod dpkg;
pub(crate) mod java;
pub(crate) mod lockfiles;
pub(crate) mod npm;
pub(crate) mod python;
pub(crate) mod rpm;

use std::collections::HashSet;

use rayon::prelude::*;

use crate::view::{Kept, View, is_lockfile};
use crate::{Inventory, OsRelease, Package, PackageType, Problem};

/// A package with the fields every cataloguer fills; the purl is computed from them.
pub(crate) fn package(kind: PackageType, name: &str, version: &str, path: &str) -> Package {
    let mut p = Package {
        kind,
        name: name.to_string(),
        version: version.to_string(),
        purl: String::new(),
        path: path.to_string(),
        layer: None,
        source_name: None,
        source_version: None,
        arch: None,
        licenses: Vec::new(),
    };
    p.purl = crate::purl::for_package(&p, None);
    p
}

pub(crate) fn problem(location: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        location: location.into(),
        message: message.into(),
    }
}

/// What one kept file yields: packages (installed or from a lockfile) and problems.
struct Yield {
    installed: Vec<Package>,
    locked: Vec<Package>,
    problems: Vec<Problem>,
}

fn catalogue(path: &str, data: &[u8]) -> Yield {
    let mut problems = Vec::new();
    let mut locked = Vec::new();
    let base = path.rsplit('/').next().unwrap_or(path);
    let installed = if path == "var/lib/dpkg/status" || path.starts_with("var/lib/dpkg/status.d/") {
        dpkg::parse(path, data, &mut problems)
    } else if path == "lib/apk/db/installed" {
        apk::parse(path, data, &mut problems)
    } else if path.ends_with("rpmdb.sqlite") {
        rpm::parse_sqlite(path, data, &mut problems)
    } else if path.ends_with("rpm/Packages.db") {
        rpm::parse_ndb(path, data, &mut problems)
    } else if path.ends_with("rpm/Packages") {
        rpm::parse_bdb(path, data, &mut problems)
    } else if base == "METADATA" || base == "PKG-INFO" || base.ends_with(".egg-info") {
        python::parse(path, data, &mut problems)
    } else if base == "package.json" {
        npm::parse(path, data, &mut problems)
    } else if is_lockfile(base) {
        locked = lockfiles::parse(path, base, data, &mut problems);
        Vec::new()
    } else {
        Vec::new()
    };
    Yield {
        installed,
        locked,
        problems,
    }
}

/// Runs every cataloguer over the view and fills `inv`: packages (with purls and layers),
/// the OS and the problems met.
pub(crate) fn run(mut view: View, inv: &mut Inventory) {
    inv.errors.append(&mut view.problems);
    inv.os = ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .find_map(|p| match view.files.get(*p).map(|e| &e.kept) {
            Some(Kept::Bytes(b)) => parse_os_release(b),
            _ => None,
        });
    // go.sum is read only where there is no go.mod beside it (Go before 1.17 modules).
    let files: Vec<_> = view
        .files
        .iter()
        .filter(|(path, _)| match path.strip_suffix("go.sum") {
            Some(dir) if dir.is_empty() || dir.ends_with('/') => {
                !view.files.contains_key(&format!("{dir}go.mod"))
            }
            _ => true,
        })
        .collect();
    let yields: Vec<(Option<usize>, &str, Yield)> = files
        .par_iter()
        .map(|(path, entry)| {
            let y = match &entry.kept {
                Kept::Bytes(b) => catalogue(path, b),
                Kept::Found(p, problems) => Yield {
                    installed: p.clone(),
                    locked: Vec::new(),
                    problems: problems.clone(),
                },
            };
            (entry.layer, path.as_str(), y)
        })
        .collect();
    let mut installed = Vec::new();
    let mut locked = Vec::new();
    for (layer, path, y) in yields {
        inv.errors.extend(y.problems);
        for mut p in y.installed {
            let key = format!("{} {}", p.name, p.version);
            p.layer = view.layer_digest(view.introduced(path, &key, layer));
            installed.push(p);
        }
        for mut p in y.locked {
            p.layer = view.layer_digest(layer);
            locked.push(p);
        }
    }
    let os = inv.os.clone();
    for p in installed.iter_mut().chain(locked.iter_mut()) {
        if p.kind.is_os() {
            p.purl = crate::purl::for_package(p, os.as_ref());
        }
    }
    // A lockfile entry adds nothing when the same package is installed.
    let seen: HashSet<String> = installed.iter().map(|p| p.purl.clone()).collect();
    installed.extend(locked.into_iter().filter(|p| !seen.contains(&p.purl)));
    installed.sort();
    installed.dedup();
    inv.packages = installed;
    inv.errors.sort();
}

/// `KEY=value` lines with optional quotes.
pub(crate) fn parse_os_release(data: &[u8]) -> Option<OsRelease> {
    let text = String::from_utf8_lossy(data);
    let mut os = OsRelease::default();
    for line in text.lines() {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"').trim_matches('\'').to_string();
        match k.trim() {
            "ID" => os.id = v,
            "VERSION_ID" => os.version_id = Some(v),
            "VERSION_CODENAME" => os.codename = Some(v),
            "PRETTY_NAME" => os.pretty_name = Some(v),
            _ => {}
        }
    }
    (!os.id.is_empty()).then_some(os)
}

/// A stanza of `Field: value` lines (dpkg) with its first line number.
pub(crate) struct Stanza {
    pub line: usize,
    pub fields: Vec<(String, String)>,
}

impl Stanza {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Splits RFC 822-style text into stanzas separated by blank lines. Continuation lines
/// (starting with a space or tab) extend the previous field; any other line without a colon
/// is reported with its line number and skipped.
pub(crate) fn stanzas(
    path: &str,
    data: &[u8],
    sep: char,
    problems: &mut Vec<Problem>,
) -> Vec<Stanza> {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    let mut cur: Option<Stanza> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            if let Some(s) = cur.take() {
                out.push(s);
            }
            continue;
        }
        let stanza = cur.get_or_insert_with(|| Stanza {
            line: n,
            fields: Vec::new(),
        });
        if line.starts_with(' ') || line.starts_with('\t') {
            match stanza.fields.last_mut() {
                Some((_, v)) => {
                    v.push('\n');
                    v.push_str(line.trim());
                }
                None => problems.push(problem(
                    format!("{path}:{n}"),
                    "continuation line before any field",
                )),
            }
            continue;
        }
        match line.split_once(sep) {
            Some((k, v)) if !k.is_empty() && !k.contains(' ') => {
                stanza.fields.push((k.to_string(), v.trim().to_string()))
            }
            _ => problems.push(problem(
                format!("{path}:{n}"),
                format!("expected `Field{sep} value`, found {line:?}; line skipped"),
            )),
        }
    }
    if let Some(s) = cur {
        out.push(s);
    }
    out
}
