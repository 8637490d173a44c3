//! Installed npm packages: `node_modules/**/package.json`.

use serde_json::Value;

use super::{package, problem};
use crate::{Package, PackageType, Problem};

/// The licenses of a package.json: `license` as a string or `{type}`, or the old `licenses`
/// array.
pub(crate) fn licenses(v: &Value) -> Vec<String> {
    let one = |l: &Value| match l {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("type").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    if let Some(l) = v.get("license").and_then(one) {
        return vec![l];
    }
    v.get("licenses")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(one).collect())
        .unwrap_or_default()
}

pub(crate) fn parse(path: &str, data: &[u8], problems: &mut Vec<Problem>) -> Vec<Package> {
    let v: Value = match serde_json::from_slice(data) {
        Ok(v) => v,
        Err(e) => {
            problems.push(problem(format!("{path}:{}", e.line()), e.to_string()));
            return Vec::new();
        }
    };
    let (Some(name), Some(version)) = (
        v.get("name").and_then(Value::as_str),
        v.get("version").and_then(Value::as_str),
    ) else {
        // Some packages ship package.json files without a name (test fixtures, templates).
        return Vec::new();
    };
    let mut p = package(PackageType::Npm, name, version, path);
    p.licenses = licenses(&v);
    vec![p]
}
