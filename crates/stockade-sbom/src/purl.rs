//! Package URLs, per the purl specification: `pkg:type/namespace/name@version?qualifiers`.

use crate::{OsRelease, Package, PackageType};

/// Percent-encodes everything but the unreserved characters (RFC 3986).
fn encode(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Builds a package URL from its parts. Namespace segments are separated by `/`; qualifiers
/// are sorted by key and empty values left out, as the specification requires.
pub fn purl(
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> String {
    let mut out = format!("pkg:{}/", kind.to_ascii_lowercase());
    if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
        for seg in ns.split('/').filter(|s| !s.is_empty()) {
            encode(seg, &mut out);
            out.push('/');
        }
    }
    encode(name, &mut out);
    if !version.is_empty() {
        out.push('@');
        encode(version, &mut out);
    }
    let mut q: Vec<&(&str, &str)> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    q.sort_by_key(|(k, _)| *k);
    for (i, (k, v)) in q.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(&k.to_ascii_lowercase());
        out.push('=');
        encode(v, &mut out);
    }
    out
}

/// The purl of a package; OS packages take their namespace and `distro` from the OS.
pub(crate) fn for_package(p: &Package, os: Option<&OsRelease>) -> String {
    let distro = os.map(|o| match &o.version_id {
        Some(v) => format!("{}-{v}", o.id),
        None => o.id.clone(),
    });
    let distro = distro.as_deref().unwrap_or("");
    let arch = p.arch.as_deref().unwrap_or("");
    match p.kind {
        PackageType::Deb | PackageType::Apk => {
            let ns = os.map(|o| o.id.as_str()).unwrap_or(match p.kind {
                PackageType::Apk => "alpine",
                _ => "debian",
            });
            purl(
                p.kind.as_str(),
                Some(ns),
                &p.name,
                &p.version,
                &[("arch", arch), ("distro", distro)],
            )
        }
        PackageType::Rpm => {
            let ns = os.map(|o| o.id.as_str()).unwrap_or("");
            let (epoch, rest) = match p.version.split_once(':') {
                Some((e, r)) if e.bytes().all(|b| b.is_ascii_digit()) => (e, r),
                _ => ("", p.version.as_str()),
            };
            purl(
                "rpm",
                Some(ns),
                &p.name,
                rest,
                &[("arch", arch), ("distro", distro), ("epoch", epoch)],
            )
        }
        PackageType::Pypi => {
            let name = p.name.to_ascii_lowercase().replace('_', "-");
            purl("pypi", None, &name, &p.version, &[])
        }
        PackageType::Npm => match p.name.strip_prefix('@').and_then(|n| n.split_once('/')) {
            Some((scope, name)) => purl("npm", Some(&format!("@{scope}")), name, &p.version, &[]),
            None => purl("npm", None, &p.name, &p.version, &[]),
        },
        PackageType::Maven => match p.name.split_once(':') {
            Some((group, artifact)) => purl("maven", Some(group), artifact, &p.version, &[]),
            None => purl("maven", None, &p.name, &p.version, &[]),
        },
        PackageType::Golang => match p.name.rsplit_once('/') {
            Some((ns, name)) => purl("golang", Some(ns), name, &p.version, &[]),
            None => purl("golang", None, &p.name, &p.version, &[]),
        },
        PackageType::Cargo | PackageType::Gem => {
            purl(p.kind.as_str(), None, &p.name, &p.version, &[])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(kind: PackageType, name: &str, version: &str, arch: Option<&str>) -> Package {
        Package {
            kind,
            name: name.into(),
            version: version.into(),
            purl: String::new(),
            path: String::new(),
            layer: None,
            source_name: None,
            source_version: None,
            arch: arch.map(Into::into),
            licenses: vec![],
        }
    }

    #[test]
    fn purls_per_type() {
        let debian = OsRelease {
            id: "debian".into(),
            version_id: Some("12".into()),
            ..OsRelease::default()
        };
        let cases = [
            (
                pkg(PackageType::Deb, "libc6", "2.36-9+deb12u4", Some("amd64")),
                "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
            ),
            (
                pkg(PackageType::Deb, "bsdutils", "1:2.38.1-5+b1", Some("amd64")),
                "pkg:deb/debian/bsdutils@1%3A2.38.1-5%2Bb1?arch=amd64&distro=debian-12",
            ),
            (
                pkg(PackageType::Rpm, "bash", "1:5.1.8-6.el9", Some("x86_64")),
                "pkg:rpm/debian/bash@5.1.8-6.el9?arch=x86_64&distro=debian-12&epoch=1",
            ),
            (
                pkg(PackageType::Pypi, "Typing_Extensions", "4.0.1", None),
                "pkg:pypi/typing-extensions@4.0.1",
            ),
            (
                pkg(PackageType::Npm, "@babel/core", "7.1.2", None),
                "pkg:npm/%40babel/core@7.1.2",
            ),
            (
                pkg(
                    PackageType::Maven,
                    "org.apache.logging.log4j:log4j-core",
                    "2.14.1",
                    None,
                ),
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            ),
            (
                pkg(
                    PackageType::Golang,
                    "github.com/gorilla/mux",
                    "v1.8.0",
                    None,
                ),
                "pkg:golang/github.com/gorilla/mux@v1.8.0",
            ),
            (
                pkg(PackageType::Gem, "rails", "7.0.4", None),
                "pkg:gem/rails@7.0.4",
            ),
        ];
        for (p, want) in cases {
            assert_eq!(for_package(&p, Some(&debian)), want);
        }
    }
}
