//! Package URLs (purl spec) and the [`Package`] query type built from them.

use crate::Error;
use crate::version::Scheme;

/// A parsed package URL: `pkg:type/namespace/name@version?qualifiers#subpath`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// Lower-case type (`deb`, `apk`, `pypi` ...).
    pub ty: String,
    /// Namespace segments joined with `/`, decoded; empty when absent.
    pub namespace: String,
    /// Decoded name.
    pub name: String,
    /// Decoded version.
    pub version: Option<String>,
    /// Decoded qualifiers, keys lower-case, in input order.
    pub qualifiers: Vec<(String, String)>,
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(b[i + 1]) * 16 + hex(b[i + 2]));
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Purl {
    /// Parses a purl; the error names the problem.
    pub fn parse(s: &str) -> Result<Purl, Error> {
        let bad = |why: &str| Error::Purl {
            purl: s.to_string(),
            problem: why.to_string(),
        };
        let rest = s
            .trim()
            .strip_prefix("pkg:")
            .ok_or_else(|| bad("does not start with `pkg:`"))?;
        let rest = rest.trim_start_matches('/');
        let rest = rest.split('#').next().unwrap_or("");
        let (rest, qualifiers) = match rest.split_once('?') {
            Some((r, q)) => (r, q),
            None => (rest, ""),
        };
        let (ty, rest) = rest.split_once('/').ok_or_else(|| bad("no type"))?;
        if ty.is_empty() {
            return Err(bad("empty type"));
        }
        let (path, version) = match rest.rfind('@') {
            Some(i) => (&rest[..i], Some(decode(&rest[i + 1..]))),
            None => (rest, None),
        };
        let path = path.trim_matches('/');
        let (namespace, name) = match path.rfind('/') {
            Some(i) => (&path[..i], &path[i + 1..]),
            None => ("", path),
        };
        if name.is_empty() {
            return Err(bad("empty name"));
        }
        let namespace = namespace
            .split('/')
            .filter(|p| !p.is_empty())
            .map(decode)
            .collect::<Vec<_>>()
            .join("/");
        let qualifiers = qualifiers
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_ascii_lowercase(), decode(v)))
            .collect();
        Ok(Purl {
            ty: ty.to_ascii_lowercase(),
            namespace,
            name: decode(name),
            version: version.filter(|v| !v.is_empty()),
            qualifiers,
        })
    }

    /// A qualifier's value.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The ecosystems advisories are matched in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// Debian (dpkg).
    Debian,
    /// Ubuntu (dpkg).
    Ubuntu,
    /// Alpine (apk).
    Alpine,
    /// An RPM distribution; which one is in [`Package::distro`].
    Rpm,
    /// PyPI.
    PyPI,
    /// npm.
    Npm,
    /// Maven Central and other Maven repositories.
    Maven,
    /// Go modules.
    Go,
    /// crates.io.
    Cargo,
    /// RubyGems.
    RubyGems,
}

impl Ecosystem {
    /// The version order advisories for this ecosystem use.
    pub fn scheme(self) -> Scheme {
        match self {
            Ecosystem::Debian | Ecosystem::Ubuntu => Scheme::Dpkg,
            Ecosystem::Alpine => Scheme::Apk,
            Ecosystem::Rpm => Scheme::Rpm,
            Ecosystem::PyPI => Scheme::Pep440,
            Ecosystem::Npm | Ecosystem::Cargo => Scheme::Semver,
            Ecosystem::Maven => Scheme::Maven,
            Ecosystem::Go => Scheme::Go,
            Ecosystem::RubyGems => Scheme::RubyGems,
        }
    }

    /// True for operating-system package ecosystems (matched only against their distro).
    pub fn is_distro(self) -> bool {
        matches!(
            self,
            Ecosystem::Debian | Ecosystem::Ubuntu | Ecosystem::Alpine | Ecosystem::Rpm
        )
    }

    /// The OSV ecosystem name for language ecosystems (`PyPI`, `npm` ...), as stored.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Debian => "Debian",
            Ecosystem::Ubuntu => "Ubuntu",
            Ecosystem::Alpine => "Alpine",
            Ecosystem::Rpm => "RPM",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Npm => "npm",
            Ecosystem::Maven => "Maven",
            Ecosystem::Go => "Go",
            Ecosystem::Cargo => "crates.io",
            Ecosystem::RubyGems => "RubyGems",
        }
    }
}

/// Normalises a package name the way the ecosystem compares names (PEP 503 for PyPI,
/// case-insensitive for Maven and Go module paths stay as they are).
pub fn normalize_name(eco: Ecosystem, name: &str) -> String {
    match eco {
        Ecosystem::PyPI => {
            let mut out = String::with_capacity(name.len());
            let mut sep = false;
            for c in name.trim().chars() {
                if matches!(c, '-' | '_' | '.') {
                    sep = true;
                } else {
                    if sep && !out.is_empty() {
                        out.push('-');
                    }
                    sep = false;
                    out.push(c.to_ascii_lowercase());
                }
            }
            out
        }
        Ecosystem::Debian
        | Ecosystem::Ubuntu
        | Ecosystem::Alpine
        | Ecosystem::Npm
        | Ecosystem::Cargo => name.trim().to_ascii_lowercase(),
        _ => name.trim().to_string(),
    }
}

/// One installed package to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Name as the ecosystem's advisories write it (`group:artifact` for Maven, `@scope/name`
    /// for npm, the module path for Go).
    pub name: String,
    /// Installed version.
    pub version: String,
    /// Source package (Debian source, Alpine origin, RPM source RPM name) when known.
    pub source_name: Option<String>,
    /// Source package version when it differs from `version`.
    pub source_version: Option<String>,
    /// The distribution: (`debian`, `12`), (`alpine`, `3.19.1`), (`rocky`, `9.3`) ...
    pub distro: Option<(String, String)>,
    /// The purl it came from (or would be written as).
    pub purl: String,
    /// Digest of the image layer that introduced the package, when known.
    pub layer: Option<String>,
}

impl Package {
    /// Builds a package from a purl. The distro comes from the `distro` qualifier
    /// (`debian-12`, `alpine-3.19.1`, or a bare version with the namespace as the distro id);
    /// the source package from `upstream` (`openssl` or `openssl@3.0.11-1`).
    pub fn from_purl(purl: &str) -> Result<Package, Error> {
        let p = Purl::parse(purl)?;
        let bad = |why: &str| Error::Purl {
            purl: purl.to_string(),
            problem: why.to_string(),
        };
        let version = p.version.clone().ok_or_else(|| bad("no version"))?;
        let ecosystem = match p.ty.as_str() {
            "deb" if p.namespace.eq_ignore_ascii_case("ubuntu") => Ecosystem::Ubuntu,
            "deb" => Ecosystem::Debian,
            "apk" => Ecosystem::Alpine,
            "rpm" => Ecosystem::Rpm,
            "pypi" => Ecosystem::PyPI,
            "npm" => Ecosystem::Npm,
            "maven" => Ecosystem::Maven,
            "golang" => Ecosystem::Go,
            "cargo" => Ecosystem::Cargo,
            "gem" => Ecosystem::RubyGems,
            other => return Err(bad(&format!("unsupported type `{other}`"))),
        };
        let name = match ecosystem {
            Ecosystem::Maven if !p.namespace.is_empty() => format!("{}:{}", p.namespace, p.name),
            Ecosystem::Npm | Ecosystem::Go if !p.namespace.is_empty() => {
                format!("{}/{}", p.namespace, p.name)
            }
            _ => p.name.clone(),
        };
        let name = normalize_name(ecosystem, &name);
        let mut distro = None;
        let mut source_name = None;
        let mut source_version = None;
        if ecosystem.is_distro() {
            let ns = p.namespace.to_ascii_lowercase();
            distro = p.qualifier("distro").map(|d| split_distro(d, &ns));
            if let Some(up) = p.qualifier("upstream") {
                // Syft writes `upstream=name` or `upstream=name@version`; rpm purls carry a
                // source RPM file name there (`openssl-3.0.7-24.el9.src.rpm`).
                let up = up.trim_end_matches(".src.rpm");
                match up.split_once('@') {
                    Some((n, v)) => {
                        source_name = Some(n.to_string());
                        source_version = Some(v.to_string());
                    }
                    None if ecosystem == Ecosystem::Rpm => {
                        source_name = Some(srpm_name(up).to_string());
                    }
                    None => source_name = Some(up.to_string()),
                }
            }
        }
        let version = match (ecosystem, p.qualifier("epoch")) {
            (Ecosystem::Rpm, Some(e)) if !version.contains(':') && e != "0" => {
                format!("{e}:{version}")
            }
            _ => version,
        };
        Ok(Package {
            ecosystem,
            name,
            version,
            source_name,
            source_version,
            distro,
            purl: purl.to_string(),
            layer: None,
        })
    }

    /// The name distro advisories are keyed by: the source package when known.
    pub fn advisory_name(&self) -> &str {
        self.source_name.as_deref().unwrap_or(&self.name)
    }

    /// The version distro advisories compare against: the source version when known.
    pub fn advisory_version(&self) -> &str {
        if self.ecosystem.is_distro() {
            self.source_version.as_deref().unwrap_or(&self.version)
        } else {
            &self.version
        }
    }
}

/// `debian-12` → (debian, 12); `3.19.1` with namespace alpine → (alpine, 3.19.1).
fn split_distro(d: &str, namespace: &str) -> (String, String) {
    match d.split_once('-') {
        Some((id, v)) if id.chars().all(|c| c.is_ascii_alphabetic()) => {
            (id.to_ascii_lowercase(), v.to_string())
        }
        _ => (namespace.to_string(), d.to_string()),
    }
}

/// `openssl-3.0.7-24.el9` → `openssl` (a source RPM's name is what precedes version-release).
fn srpm_name(s: &str) -> &str {
    let mut parts = s.rsplitn(3, '-');
    let _release = parts.next();
    let _version = parts.next();
    parts.next().unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_purls_of_every_supported_type() {
        let p = Package::from_purl(
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12",
        )
        .unwrap();
        assert_eq!(p.ecosystem, Ecosystem::Debian);
        assert_eq!(p.name, "libssl3");
        assert_eq!(p.version, "3.0.11-1~deb12u2");
        assert_eq!(p.source_name.as_deref(), Some("openssl"));
        assert_eq!(p.distro, Some(("debian".into(), "12".into())));
        assert_eq!(p.advisory_name(), "openssl");

        let p = Package::from_purl(
            "pkg:deb/debian/bash@5.2.15-2%2Bb2?distro=debian-12&upstream=bash%405.2.15-2",
        )
        .unwrap();
        assert_eq!(p.version, "5.2.15-2+b2");
        assert_eq!(p.advisory_version(), "5.2.15-2");

        let p = Package::from_purl(
            "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&upstream=openssl&distro=3.19.1",
        )
        .unwrap();
        assert_eq!(p.ecosystem, Ecosystem::Alpine);
        assert_eq!(p.distro, Some(("alpine".into(), "3.19.1".into())));
        assert_eq!(p.advisory_name(), "openssl");

        let p = Package::from_purl("pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1&upstream=openssl-3.0.7-24.el9.src.rpm&distro=rocky-9.3").unwrap();
        assert_eq!(p.ecosystem, Ecosystem::Rpm);
        assert_eq!(p.version, "1:3.0.7-24.el9");
        assert_eq!(p.advisory_name(), "openssl");
        assert_eq!(p.distro, Some(("rocky".into(), "9.3".into())));

        let p = Package::from_purl("pkg:pypi/Django_Rest.Framework@3.14.0").unwrap();
        assert_eq!(
            (p.ecosystem, p.name.as_str()),
            (Ecosystem::PyPI, "django-rest-framework")
        );

        let p = Package::from_purl("pkg:npm/%40babel/traverse@7.23.1").unwrap();
        assert_eq!(
            (p.ecosystem, p.name.as_str()),
            (Ecosystem::Npm, "@babel/traverse")
        );

        let p = Package::from_purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar")
            .unwrap();
        assert_eq!(
            (p.ecosystem, p.name.as_str()),
            (Ecosystem::Maven, "org.apache.logging.log4j:log4j-core")
        );

        let p = Package::from_purl("pkg:golang/golang.org/x/net@v0.17.0").unwrap();
        assert_eq!(
            (p.ecosystem, p.name.as_str(), p.version.as_str()),
            (Ecosystem::Go, "golang.org/x/net", "v0.17.0")
        );

        let p = Package::from_purl("pkg:cargo/hyper@0.14.10").unwrap();
        assert_eq!((p.ecosystem, p.name.as_str()), (Ecosystem::Cargo, "hyper"));

        let p = Package::from_purl("pkg:gem/rails@7.0.4").unwrap();
        assert_eq!(
            (p.ecosystem, p.name.as_str()),
            (Ecosystem::RubyGems, "rails")
        );

        let p = Package::from_purl("pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.10?distro=ubuntu-22.04")
            .unwrap();
        assert_eq!(p.ecosystem, Ecosystem::Ubuntu);
    }

    #[test]
    fn rejects_bad_purls_with_the_reason() {
        for (p, why) in [
            ("deb/debian/x@1", "does not start with `pkg:`"),
            ("pkg:deb/debian/x", "no version"),
            ("pkg:swift/x@1", "unsupported type `swift`"),
            ("pkg:npm/@1", "empty name"),
        ] {
            let e = Package::from_purl(p).unwrap_err().to_string();
            assert!(e.contains(why), "{p}: {e}");
        }
    }
}
