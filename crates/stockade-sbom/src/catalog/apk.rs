//! Alpine packages: `/lib/apk/db/installed` (`P:` name, `V:` version, `o:` origin).

use std::collections::BTreeSet;

use super::{package, problem, stanzas};
use crate::{Package, PackageType, Problem};

pub(crate) fn parse(path: &str, data: &[u8], problems: &mut Vec<Problem>) -> Vec<Package> {
    let mut out = Vec::new();
    for s in stanzas(path, data, ':', problems) {
        let field = |k: &str| {
            s.fields
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
        };
        let (Some(name), Some(version)) = (field("P"), field("V")) else {
            problems.push(problem(
                format!("{path}:{}", s.line),
                "entry without P: (name) or V: (version); skipped",
            ));
            continue;
        };
        let mut p = package(PackageType::Apk, name, version, path);
        p.arch = field("A").map(str::to_string);
        p.source_name = Some(field("o").unwrap_or(name).to_string());
        p.source_version = Some(version.to_string());
        if let Some(l) = field("L") {
            p.licenses.push(l.to_string());
        }
        out.push(p);
    }
    out
}

/// `name version` of every installed package, for layer attribution.
pub(crate) fn keys(data: &[u8]) -> BTreeSet<String> {
    let mut sink = Vec::new();
    parse("", data, &mut sink)
        .into_iter()
        .map(|p| format!("{} {}", p.name, p.version))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_db() {
        let data = b"C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\n\
C:Q1def=\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\nL:Apache-2.0\no:openssl\n\nC:Q1x=\nV:1\n";
        let mut problems = Vec::new();
        let pkgs = parse("lib/apk/db/installed", data, &mut problems);
        assert_eq!(pkgs.len(), 2);
        assert_eq!(pkgs[1].name, "libcrypto3");
        assert_eq!(pkgs[1].source_name.as_deref(), Some("openssl"));
        assert_eq!(pkgs[1].licenses, ["Apache-2.0"]);
        assert_eq!(
            problems[0].to_string(),
            "lib/apk/db/installed:15: entry without P: (name) or V: (version); skipped"
        );
    }
}
