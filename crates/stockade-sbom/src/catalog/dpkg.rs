//! Debian packages: `/var/lib/dpkg/status` and the one-file-per-package `status.d/` that
//! distroless images use.

use std::collections::BTreeSet;

use super::{package, problem, stanzas};
use crate::{Package, PackageType, Problem};

pub(crate) fn parse(path: &str, data: &[u8], problems: &mut Vec<Problem>) -> Vec<Package> {
    let mut out = Vec::new();
    for s in stanzas(path, data, ':', problems) {
        let Some(name) = s.get("Package") else {
            problems.push(problem(
                format!("{path}:{}", s.line),
                "stanza has no Package field; skipped",
            ));
            continue;
        };
        let Some(version) = s.get("Version") else {
            problems.push(problem(
                format!("{path}:{}", s.line),
                format!("package {name} has no Version field; skipped"),
            ));
            continue;
        };
        // Removed packages whose configuration files remain are not installed.
        if s.get("Status")
            .is_some_and(|st| !st.ends_with(" installed"))
        {
            continue;
        }
        let mut p = package(PackageType::Deb, name, version, path);
        p.arch = s.get("Architecture").map(str::to_string);
        // `Source: name` or `Source: name (version)` after a binNMU.
        let (src, src_ver) = match s.get("Source") {
            Some(src) => match src.split_once(' ') {
                Some((n, v)) => (
                    n.to_string(),
                    v.trim()
                        .trim_start_matches('(')
                        .trim_end_matches(')')
                        .to_string(),
                ),
                None => (src.to_string(), version.to_string()),
            },
            None => (name.to_string(), version.to_string()),
        };
        p.source_name = Some(src);
        p.source_version = Some(src_ver);
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
    fn status_with_source_forms_and_a_bad_stanza() {
        let data = b"Package: bsdutils\nStatus: install ok installed\nArchitecture: amd64\n\
Source: util-linux (2.38.1-5)\nVersion: 1:2.38.1-5+b1\nDescription: basic utilities\n more text\n\n\
Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n\n\
Version: 3.0\nArchitecture: all\n\n\
Package: tzdata\nStatus: install ok installed\nVersion: 2024a-0+deb12u1\nthis line is wrong\n\n\
Package: zlib1g\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n";
        let mut problems = Vec::new();
        let pkgs = parse("var/lib/dpkg/status", data, &mut problems);
        let got: Vec<_> = pkgs
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.source_name.as_deref().unwrap(),
                    p.source_version.as_deref().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("bsdutils", "1:2.38.1-5+b1", "util-linux", "2.38.1-5"),
                ("tzdata", "2024a-0+deb12u1", "tzdata", "2024a-0+deb12u1"),
                ("zlib1g", "1:1.2.13.dfsg-1", "zlib", "1:1.2.13.dfsg-1"),
            ]
        );
        let msgs: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "var/lib/dpkg/status:19: expected `Field: value`, found \"this line is wrong\"; line skipped",
                "var/lib/dpkg/status:13: stanza has no Package field; skipped",
            ]
        );
    }
}
