//! Label and annotation syntax as the API server validates it (apimachinery's
//! `IsQualifiedName`, `IsValidLabelValue` and `ValidateAnnotations`).

use stockade_model::{Node, Value};

/// Longest name part of a qualified name, and longest label value.
const MAX_NAME: usize = 63;
/// Longest prefix (a DNS subdomain).
const MAX_PREFIX: usize = 253;
/// Largest total size of an object's annotations (keys and values), in bytes.
pub const MAX_ANNOTATIONS_BYTES: usize = 256 * 1024;

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`: the name part of a key, and a label value.
fn is_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A DNS-1123 subdomain: lowercase labels of `[a-z0-9]([-a-z0-9]*[a-z0-9])?` joined by dots.
fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_PREFIX
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
                && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

/// Why `key` is not a valid label or annotation key, if it is not.
pub fn key_error(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if name.contains('/') {
            return Some("has more than one `/`".into());
        }
        if p.is_empty() {
            return Some("has an empty prefix before `/`".into());
        }
        if p.len() > MAX_PREFIX {
            return Some(stockade_model::format_exact!(
                "prefix is longer than {MAX_PREFIX} characters"
            ));
        }
        if !is_dns_subdomain(p) {
            return Some(stockade_model::format_exact!(
                "prefix `{p}` is not a DNS subdomain (lowercase letters, digits, `-` and `.`)"
            ));
        }
    }
    if name.is_empty() {
        return Some("has an empty name".into());
    }
    if name.len() > MAX_NAME {
        return Some(stockade_model::format_exact!(
            "name part is {} characters, more than {MAX_NAME}",
            name.len()
        ));
    }
    if !is_name_part(name) {
        return Some(stockade_model::format_exact!(
            "name `{name}` must start and end with a letter or digit and contain only letters, digits, `-`, `_` and `.`"
        ));
    }
    None
}

/// Why `value` is not a valid label value, if it is not (empty is valid).
pub fn label_value_error(value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    if value.len() > MAX_NAME {
        return Some(stockade_model::format_exact!(
            "is {} characters, more than {MAX_NAME}",
            value.len()
        ));
    }
    if !is_name_part(value) {
        return Some(
            "must start and end with a letter or digit and contain only letters, digits, `-`, `_` and `.`"
                .into(),
        );
    }
    None
}

/// The YAML type a plain scalar decodes to when it is not a string (labels and annotations
/// are `map[string]string`, so the API server's decoder rejects it).
pub fn non_string_type(node: &Node) -> Option<&'static str> {
    match &node.value {
        Value::Scalar { plain: true, .. } if !node.is_null() => {
            let typed = node.to_json();
            if typed.is_boolean() {
                Some("boolean")
            } else if typed.is_number() {
                Some("number")
            } else {
                None
            }
        }
        Value::Scalar { .. } => None,
        Value::Seq(_) => Some("list"),
        Value::Map(_) => Some("mapping"),
    }
}

/// The object's `metadata` and every pod template's metadata, with their field paths.
pub fn metadatas<'a>(ctx: &crate::Context<'a>) -> Vec<(&'a Node, &'a str)> {
    let obj = ctx.object;
    let mut out = Vec::new();
    if let Some(m) = obj.root.get("metadata") {
        out.push((m, "metadata"));
    }
    // The pod specs the engine found once for every object check.
    for pod in ctx.pods {
        if let Some(m) = pod.metadata
            && !std::ptr::eq(m, obj.metadata())
            && !out.iter().any(|(n, _)| std::ptr::eq(*n, m))
        {
            out.push((m, pod.metadata_path.as_str()));
        }
    }
    out
}

/// Reports the keys of `required` missing from `metadata.<field>` (`labels` or
/// `annotations`) in one finding at that map, or at `metadata` when the map is absent.
pub fn report_missing_keys(
    ctx: &crate::Context,
    out: &mut crate::Emit,
    field: &str,
    noun: &str,
    required: &[String],
) {
    if required.is_empty() {
        return;
    }
    let meta = ctx.object.metadata();
    let map = meta.get(field);
    let missing: Vec<&str> = required
        .iter()
        .map(String::as_str)
        .filter(|k| map.and_then(|m| m.get(k)).is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    let (node, path) = match map {
        Some(m) => (m, stockade_model::format_exact!("metadata.{field}")),
        None => (meta, "metadata".to_string()),
    };
    let node = if node.pos.line == 0 {
        &ctx.object.root
    } else {
        node
    };
    out.at(
        node,
        path,
        stockade_model::format_exact!(
            "{} \"{}\" lacks required {noun}{} {}",
            ctx.object.kind,
            ctx.object.name,
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", ")
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(key_error("app"), None);
        assert_eq!(key_error("app.kubernetes.io/name"), None);
        assert_eq!(key_error("Team_Name.v2"), None);
        assert!(key_error("a/b/c").is_some());
        assert!(key_error("/name").is_some());
        assert!(key_error("Example.com/name").is_some());
        assert!(key_error("example.com/").is_some());
        assert!(key_error("-app").is_some());
        assert!(key_error("my key").is_some());
        assert!(key_error(&"a".repeat(64)).is_some());
        assert_eq!(key_error(&"a".repeat(63)), None);
    }

    #[test]
    fn values() {
        assert_eq!(label_value_error(""), None);
        assert_eq!(label_value_error("v1.2.3"), None);
        assert!(label_value_error("team a").is_some());
        assert!(label_value_error("a/b").is_some());
        assert!(label_value_error("-x").is_some());
        assert!(label_value_error(&"a".repeat(64)).is_some());
    }
}
