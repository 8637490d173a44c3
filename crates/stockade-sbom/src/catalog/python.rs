//! Installed Python distributions: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` and
//! `*.egg-info` files (core metadata headers).

use super::{package, problem};
use crate::{Package, PackageType, Problem};

pub(crate) fn parse(path: &str, data: &[u8], problems: &mut Vec<Problem>) -> Vec<Package> {
    let text = String::from_utf8_lossy(data);
    let mut fields: Vec<(&str, String)> = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break; // the body (description) follows the headers
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some((_, v)) = fields.last_mut() {
                v.push('\n');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            fields.push((k.trim(), v.trim().to_string()));
        }
    }
    let get = |k: &str| {
        fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let (Some(name), Some(version)) = (get("Name"), get("Version")) else {
        problems.push(problem(
            path,
            "Python metadata without Name or Version; skipped",
        ));
        return Vec::new();
    };
    let mut p = package(PackageType::Pypi, name, version, path);
    if let Some(expr) = get("License-Expression") {
        p.licenses.push(expr.to_string());
    } else if let Some(l) = get("License")
        .filter(|l| !l.contains('\n') && l.len() <= 100 && !l.eq_ignore_ascii_case("UNKNOWN"))
    {
        p.licenses.push(l.to_string());
    } else {
        for (k, v) in &fields {
            if k.eq_ignore_ascii_case("Classifier")
                && v.starts_with("License ::")
                && let Some(last) = v.rsplit(" :: ").next()
            {
                p.licenses.push(last.to_string());
            }
        }
    }
    vec![p]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_headers_and_licenses() {
        let data = b"Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n\
Classifier: License :: OSI Approved :: Apache Software License\n\nLicense: not a header\n";
        let mut problems = Vec::new();
        let p = parse("x/requests-2.31.0.dist-info/METADATA", data, &mut problems);
        assert_eq!(p[0].name, "requests");
        assert_eq!(p[0].version, "2.31.0");
        assert_eq!(p[0].licenses, ["Apache 2.0"]);
        let data = b"Name: six\nVersion: 1.16.0\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n";
        let p = parse("PKG-INFO", data, &mut problems);
        assert_eq!(p[0].licenses, ["MIT License"]);
        assert!(problems.is_empty());
        assert!(parse("bad/METADATA", b"Name: x\n", &mut problems).is_empty());
        assert_eq!(
            problems[0].to_string(),
            "bad/METADATA: Python metadata without Name or Version; skipped"
        );
    }
}
