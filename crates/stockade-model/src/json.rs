//! Objects built from an already-parsed JSON value, such as an AdmissionReview's
//! `request.object`, without serializing and parsing it again. There is no source text, so every
//! position is 0:0; field paths are exact.

use std::sync::Arc;

use serde_json::Value as Json;

use crate::loader::Object;
use crate::node::{Entry, Node, Pos, Value};

/// The node tree of a JSON value. Strings become quoted scalars and numbers, booleans and null
/// plain ones, which is how the loader reads the same JSON text.
pub fn node_from_json(value: &Json) -> Node {
    let scalar = |text: &str, plain: bool| Value::Scalar {
        text: text.into(),
        plain,
    };
    let value = match value {
        Json::Null => scalar("null", true),
        Json::Bool(b) => scalar(if *b { "true" } else { "false" }, true),
        Json::Number(n) => scalar(&n.to_string(), true),
        Json::String(s) => scalar(s, false),
        Json::Array(items) => Value::Seq(items.iter().map(node_from_json).collect()),
        Json::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| Entry {
                    key: k.as_str().into(),
                    value: node_from_json(v),
                })
                .collect(),
        ),
    };
    Node {
        value,
        pos: Pos::default(),
    }
}

fn text(v: Option<&Json>) -> Option<&str> {
    v.and_then(Json::as_str).filter(|s| !s.is_empty())
}

/// The Kubernetes object in `value`, named `file` in findings. Errors when it is not an object
/// with a non-empty string `apiVersion` and `kind`.
pub fn object_from_json(file: &str, value: &Json) -> Result<Object, String> {
    if !value.is_object() {
        return Err("not a JSON object".into());
    }
    let api_version = text(value.get("apiVersion"))
        .ok_or("Kubernetes object without apiVersion (a non-empty string is required)")?;
    let kind = text(value.get("kind"))
        .ok_or("Kubernetes object without kind (a non-empty string is required)")?;
    let meta = value.get("metadata");
    let name = meta
        .and_then(|m| text(m.get("name")).or_else(|| text(m.get("generateName"))))
        .unwrap_or_default();
    let namespace = meta.and_then(|m| text(m.get("namespace")));
    Ok(Object {
        file: Arc::from(file),
        source: None,
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: name.to_string(),
        namespace: namespace.map(str::to_string),
        root: node_from_json(value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_the_loader_does() {
        let json = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"generateName": "web-", "namespace": "apps"},
            "spec": {"hostNetwork": true, "containers": [{"name": "a", "args": ["true"], "x": null}]}
        });
        let o = object_from_json("request.object", &json).unwrap();
        let loaded = crate::load("request.object", json.to_string().as_bytes());
        let l = &loaded.objects[0];
        assert_eq!(
            (&o.api_version, &o.kind, &o.name, &o.namespace),
            (&l.api_version, &l.kind, &l.name, &l.namespace)
        );
        assert_eq!(o.name, "web-");
        let spec = o.root.get("spec").unwrap();
        assert_eq!(spec.get("hostNetwork").and_then(Node::as_bool), Some(true));
        let c = &spec.get("containers").unwrap().items()[0];
        assert_eq!(c.get("args").unwrap().items()[0].as_bool(), None);
        assert!(c.get("x").unwrap().is_null());
        assert_eq!(
            object_from_json("f", &serde_json::json!({"kind": "Pod"})).unwrap_err(),
            "Kubernetes object without apiVersion (a non-empty string is required)"
        );
    }
}
