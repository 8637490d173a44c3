//! Packages from a CycloneDX JSON SBOM (as Syft and Trivy write them): every component with
//! a purl, nested components included. The distribution comes from the purl's `distro`
//! qualifier, else from the SBOM's `operating-system` component; source packages from the
//! purl's `upstream` qualifier or the tools' properties.

use std::path::Path;

use serde_json::Value;

use crate::Error;
use crate::purl::Package;

/// Packages read and problems met (a component whose purl cannot be used), each naming the
/// SBOM file and the component.
#[derive(Debug, Default)]
pub struct SbomPackages {
    /// Packages.
    pub packages: Vec<Package>,
    /// Problems; the other components were read.
    pub errors: Vec<Error>,
    /// Components skipped because their purl type is not matched (`pkg:github/...`, files).
    pub skipped: usize,
}

fn prop<'a>(c: &'a Value, names: &[&str]) -> Option<&'a str> {
    c.get("properties")?.as_array()?.iter().find_map(|p| {
        let n = p.get("name")?.as_str()?;
        if names.contains(&n) {
            p.get("value")?.as_str()
        } else {
            None
        }
    })
}

fn collect<'a>(components: &'a Value, out: &mut Vec<&'a Value>) {
    for c in components.as_array().into_iter().flatten() {
        out.push(c);
        if let Some(inner) = c.get("components") {
            collect(inner, out);
        }
    }
}

/// Reads `path`.
pub fn read(path: &Path) -> Result<SbomPackages, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse(&bytes, &path.display().to_string())
}

/// Reads SBOM bytes; `name` is used in messages.
pub fn parse(bytes: &[u8], name: &str) -> Result<SbomPackages, Error> {
    let bad = |problem: String| Error::Input {
        file: name.to_string(),
        problem,
    };
    let doc: Value = serde_json::from_slice(bytes)
        .map_err(|e| bad(format!("line {}, column {}: {e}", e.line(), e.column())))?;
    if doc.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        return Err(bad(
            "not a CycloneDX JSON SBOM (bomFormat is not CycloneDX)".into(),
        ));
    }
    let mut all = Vec::new();
    if let Some(c) = doc.pointer("/metadata/component") {
        all.push(c);
        if let Some(inner) = c.get("components") {
            collect(inner, &mut all);
        }
    }
    if let Some(c) = doc.get("components") {
        collect(c, &mut all);
    }
    let os = all.iter().find_map(|c| {
        (c.get("type")?.as_str()? == "operating-system").then(|| {
            (
                c.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_ascii_lowercase(),
                c.get("version")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            )
        })
    });
    let mut out = SbomPackages::default();
    for c in all {
        let Some(purl) = c.get("purl").and_then(Value::as_str) else {
            continue;
        };
        let mut p = match Package::from_purl(purl) {
            Ok(p) => p,
            Err(Error::Purl { problem, .. }) if problem.starts_with("unsupported type") => {
                out.skipped += 1;
                continue;
            }
            Err(e) => {
                let label = c
                    .get("bom-ref")
                    .or_else(|| c.get("name"))
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                out.errors.push(bad(format!("component {label}: {e}")));
                continue;
            }
        };
        if p.ecosystem.is_distro() {
            if p.distro.is_none() {
                p.distro = os.clone().filter(|(id, v)| !id.is_empty() && !v.is_empty());
            }
            if p.source_name.is_none() {
                p.source_name = prop(
                    c,
                    &[
                        "aquasecurity:trivy:SrcName",
                        "syft:metadata:source",
                        "syft:metadata:originPackage",
                    ],
                )
                .map(str::to_string);
            }
            if p.source_version.is_none() {
                let v = prop(
                    c,
                    &[
                        "aquasecurity:trivy:SrcVersion",
                        "syft:metadata:sourceVersion",
                    ],
                );
                let rel = prop(c, &["aquasecurity:trivy:SrcRelease"]);
                let epoch = prop(c, &["aquasecurity:trivy:SrcEpoch"]).filter(|e| *e != "0");
                p.source_version = v.map(|v| {
                    let mut s = String::new();
                    if let Some(e) = epoch {
                        s.push_str(e);
                        s.push(':');
                    }
                    s.push_str(v);
                    if let Some(r) = rel {
                        s.push('-');
                        s.push_str(r);
                    }
                    s
                });
            }
        }
        out.packages.push(p);
    }
    Ok(out)
}
