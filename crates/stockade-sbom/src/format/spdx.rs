//! SPDX 2.3 JSON.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::{Value, json};

use crate::Inventory;

/// SPDX identifiers allow letters, digits, `.` and `-` only.
fn id_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Whether `l` is an SPDX license expression: listed identifiers (optionally with `+`) joined
/// by AND, OR, WITH and parentheses. Anything else becomes a `LicenseRef-` with its text kept.
fn is_expression(l: &str) -> bool {
    let mut tokens = l
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|t| !t.is_empty())
        .peekable();
    tokens.peek().is_some()
        && tokens.all(|t| {
            matches!(t, "AND" | "OR" | "WITH")
                || super::is_spdx_id(t.trim_end_matches('+'))
                || t.ends_with("-exception-2.0")
        })
}

pub(super) fn document(inv: &Inventory, created: SystemTime) -> Value {
    let mut packages = Vec::new();
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": "SPDXRef-Target",
    })];
    let mut extracted: BTreeMap<String, String> = BTreeMap::new();
    packages.push(json!({
        "name": super::target_name(inv),
        "SPDXID": "SPDXRef-Target",
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": match inv.kind {
            crate::TargetKind::OciLayout
            | crate::TargetKind::DockerArchive
            | crate::TargetKind::Registry => "CONTAINER",
            _ => "FILE",
        },
    }));
    for (i, p) in inv.packages.iter().enumerate() {
        let id = format!(
            "SPDXRef-Package-{}-{}-{}",
            p.kind.as_str(),
            id_part(&p.name),
            i + 1
        );
        let declared = if p.licenses.is_empty() {
            "NOASSERTION".to_string()
        } else {
            p.licenses
                .iter()
                .map(|l| {
                    if is_expression(l) {
                        if p.licenses.len() > 1 && l.contains(' ') {
                            format!("({l})")
                        } else {
                            l.clone()
                        }
                    } else {
                        let r = format!("LicenseRef-{}", id_part(l));
                        extracted.insert(r.clone(), l.clone());
                        r
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        let mut comment = format!("found in {}", p.path);
        if let Some(l) = &p.layer {
            comment.push_str(&format!(", layer {l}"));
        }
        let mut pkg = json!({
            "name": p.name,
            "SPDXID": id,
            "versionInfo": p.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": declared,
            "copyrightText": "NOASSERTION",
            "sourceInfo": comment,
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl,
            }],
        });
        if let Some(src) = &p.source_name {
            pkg["comment"] = json!(
                format!(
                    "source package: {src} {}",
                    p.source_version.as_deref().unwrap_or("")
                )
                .trim_end()
                .to_string()
            );
        }
        packages.push(pkg);
        relationships.push(json!({
            "spdxElementId": "SPDXRef-Target",
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": id,
        }));
    }
    let mut doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": super::target_name(inv),
        "documentNamespace": format!(
            "https://spdx.org/spdxdocs/stockade/{}-{}",
            id_part(&super::target_name(inv)),
            super::uuid(inv)
        ),
        "creationInfo": {
            "created": super::timestamp(created),
            "creators": [format!("Tool: stockade-{}", env!("CARGO_PKG_VERSION"))],
        },
        "packages": packages,
        "relationships": relationships,
    });
    if !extracted.is_empty() {
        doc["hasExtractedLicensingInfos"] = Value::Array(
            extracted
                .into_iter()
                .map(|(id, text)| json!({"licenseId": id, "extractedText": text}))
                .collect(),
        );
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_expressions() {
        assert!(is_expression("MIT"));
        assert!(is_expression("Apache-2.0 OR MIT"));
        assert!(is_expression(
            "GPL-2.0-or-later WITH Classpath-exception-2.0"
        ));
        assert!(!is_expression("Apache 2.0"));
        assert!(!is_expression("MIT License"));
        assert!(!is_expression("GPLv3+"));
    }
}
