//! Request objects read straight from JSON text into the model's tree, without a
//! `serde_json::Value` in between: the same tree as `stockade_model::json::object_from_json`
//! builds from a parsed value (positions 0:0, mapping keys in serde_json's order), at a
//! fraction of the allocations. The webhook's validation reads every request object this way.

use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use stockade_model::{Entry, Node, Object, Pos, Text, Value};

/// The text of a node read from JSON when it was a JSON string (numbers, booleans and null
/// are plain scalars, and give `None`), as `serde_json::Value::as_str` would.
pub fn json_str(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Scalar { text, plain: false } => Some(text),
        _ => None,
    }
}

/// The Kubernetes object whose tree (read from JSON) is `root`, named `file` in findings, with
/// the errors of `stockade_model::json::object_from_json`: not an object, or no non-empty
/// string `apiVersion` or `kind`.
pub fn object_from_node(file: &str, root: Node) -> Result<Object, String> {
    if !root.is_map() {
        return Err("not a JSON object".into());
    }
    fn text(n: Option<&Node>) -> Option<&str> {
        n.and_then(json_str).filter(|s| !s.is_empty())
    }
    let api_version = text(root.get("apiVersion"))
        .ok_or("Kubernetes object without apiVersion (a non-empty string is required)")?
        .to_string();
    let kind = text(root.get("kind"))
        .ok_or("Kubernetes object without kind (a non-empty string is required)")?
        .to_string();
    let meta = root.get("metadata");
    let name = meta
        .and_then(|m| text(m.get("name")).or_else(|| text(m.get("generateName"))))
        .unwrap_or_default()
        .to_string();
    let namespace = meta
        .and_then(|m| text(m.get("namespace")))
        .map(str::to_string);
    Ok(Object {
        file: Arc::from(file),
        source: None,
        api_version,
        kind,
        name,
        namespace,
        root,
    })
}

/// Reads JSON text straight into the node tree, without building a `serde_json::Value` first:
/// the same tree as `stockade_model::json::node_from_json(&serde_json::from_str(text)?)`, mapping keys in the order
/// serde_json's map keeps them (sorted; of duplicate keys the last one), numbers written as
/// serde_json writes them, and the same errors.
pub fn node_from_json_str(text: &str) -> Result<Node, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let node = NodeSeed.deserialize(&mut de)?;
    de.end()?;
    Ok(node)
}

/// Deserializes one JSON value into a [`Node`].
struct NodeSeed;

impl<'de> DeserializeSeed<'de> for NodeSeed {
    type Value = Node;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

/// A mapping key (short keys are stored inline, see `stockade_model::Text`).
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Text;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Text, D::Error> {
        d.deserialize_str(KeySeed)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Text, E> {
        Ok(s.into())
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Text, E> {
        Ok(s.into())
    }
}

fn leaf(text: &str, plain: bool) -> Node {
    Node {
        value: Value::Scalar {
            text: text.into(),
            plain,
        },
        pos: Pos::default(),
    }
}

fn number(n: Option<serde_json::Number>) -> Node {
    match n {
        Some(n) => leaf(&n.to_string(), true),
        // serde_json reads a non-finite float as null.
        None => leaf("null", true),
    }
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
        Ok(leaf(if b { "true" } else { "false" }, true))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Node, E> {
        Ok(number(Some(n.into())))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Node, E> {
        Ok(number(Some(n.into())))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Node, E> {
        Ok(number(serde_json::Number::from_f64(n)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Node, E> {
        Ok(leaf(s, false))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Node, E> {
        Ok(Node {
            value: Value::Scalar {
                text: s.into(),
                plain: false,
            },
            pos: Pos::default(),
        })
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(leaf("null", true))
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(leaf("null", true))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        NodeSeed.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(NodeSeed)? {
            items.push(item);
        }
        Ok(Node {
            value: Value::Seq(items),
            pos: Pos::default(),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<Entry> = Vec::new();
        let mut sorted = true;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value = map.next_value_seed(NodeSeed)?;
            sorted &= entries.last().is_none_or(|e| e.key < key);
            entries.push(Entry { key, value });
        }
        if !sorted {
            // serde_json's map is ordered by key and keeps the last of duplicate keys: a
            // stable sort keeps duplicates in input order, then each run keeps its last.
            entries.sort_by(|a, b| a.key.cmp(&b.key));
            let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
            for e in entries {
                match out.last_mut() {
                    Some(last) if last.key == e.key => *last = e,
                    _ => out.push(e),
                }
            }
            entries = out;
        }
        Ok(Node {
            value: Value::Map(entries),
            pos: Pos::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value as Json;
    use stockade_model::json::node_from_json;

    /// The direct read gives the tree the `serde_json::Value` route gives, and its errors.
    #[test]
    fn text_reads_like_the_value_route() {
        for text in [
            r#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","labels":{"z":"1","b":"x","b":"y"}},"spec":{"containers":[{"name":"c","ports":[{"containerPort":8080}],"x":null,"on":true,"f":1.50,"e":2e3,"n":-7,"big":18446744073709551615,"neg":-9223372036854775808,"esc":"a\"b\u00e9\n"}],"list":[[1,[]],{},""]}}"#,
            r#"  [1, 2.5e-7, -0, 0.1, 1e20, 12345678901234567890123, "s", false, null]  "#,
            r#""plain string""#,
            r#"{"b":1,"a":2,"a":3,"c":{"y":1,"x":2}}"#,
        ] {
            let via_value = node_from_json(&serde_json::from_str(text).unwrap());
            assert_eq!(node_from_json_str(text).unwrap(), via_value, "{text}");
        }
        for bad in [r#"{"a":1,}"#, r#"{"a":1e400}"#, "[1] x", r#"{"a""#, "{1:2}"] {
            assert_eq!(
                node_from_json_str(bad).unwrap_err().to_string(),
                serde_json::from_str::<Json>(bad).unwrap_err().to_string(),
                "{bad}"
            );
        }
        let o = object_from_node("f", node_from_json_str(r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"","generateName":"g-","namespace":"ns"}}"#).unwrap()).unwrap();
        assert_eq!(
            (o.name.as_str(), o.namespace.as_deref()),
            ("g-", Some("ns"))
        );
        assert_eq!(
            object_from_node(
                "f",
                node_from_json_str(r#"{"apiVersion":1,"kind":"Pod"}"#).unwrap()
            )
            .unwrap_err(),
            "Kubernetes object without apiVersion (a non-empty string is required)"
        );
        assert_eq!(
            object_from_node("f", node_from_json_str("[]").unwrap()).unwrap_err(),
            "not a JSON object"
        );
    }
}
