//! A YAML/JSON document tree that remembers where every field was written.

use std::fmt;

/// A position in a source file: 1-based line, 1-based column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub col: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// The text of a key or scalar. Most are short (`name`, `image`, `true`, `8080`) and are
/// stored inline, without an allocation of their own: a tree is mostly keys and short scalars,
/// and allocating and freeing each of them was a quarter of a scan.
pub type Text = compact_str::CompactString;

/// One node of a document.
///
/// `pos` is where the field is written: for a mapping value, the position of its key (that is
/// the line a user fixes); for a sequence item, the start of the item (for a container, its
/// first field, usually `- name:`); for a root, the start of the document's content.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the field is written.
    pub pos: Pos,
}

/// A node's value. Scalars keep their source text; typed accessors apply the YAML rules that
/// Kubernetes' decoder (YAML 1.1 via sigs.k8s.io/yaml) applies.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar: its text and whether it was written plain (unquoted), which decides whether
    /// `true` is a boolean or a string.
    Scalar { text: Text, plain: bool },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, keys in source order.
    Map(Vec<Entry>),
}

/// A mapping entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key's text (non-scalar keys are rendered as `?`).
    pub key: Text,
    /// The value; its `pos` is the key's position.
    pub value: Node,
}

static NULL: std::sync::LazyLock<Node> = std::sync::LazyLock::new(|| Node {
    value: Value::Scalar {
        text: "".into(),
        plain: true,
    },
    pos: Pos { line: 0, col: 0 },
});

impl Node {
    /// A shared null node, for lookups that found nothing.
    pub fn null() -> &'static Node {
        &NULL
    }

    /// The value under `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| &*e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// Follows a chain of mapping keys.
    pub fn at(&self, keys: &[&str]) -> Option<&Node> {
        let mut node = self;
        for k in keys {
            node = node.get(k)?;
        }
        Some(node)
    }

    /// The node at a chain of mapping keys or, where the chain breaks off, the last node on
    /// the way that is there: where a finding about a field that is not set points (the
    /// nearest enclosing field).
    pub fn nearest(&self, keys: &[&str]) -> &Node {
        let mut node = self;
        for k in keys {
            match node.get(k) {
                Some(n) => node = n,
                None => break,
            }
        }
        node
    }

    /// The node a finding's field path names, as checks write them:
    /// `spec.template.spec.containers[0].image`, `metadata.annotations["a.b/c"]` (or
    /// `metadata.annotations[a.b/c]`); the empty path names this node. `None` when the path
    /// names nothing here (a field that is not set).
    pub fn at_path(&self, path: &str) -> Option<&Node> {
        let mut node = self;
        let mut rest = path;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("[\"") {
                let end = r.find("\"]")?;
                node = node.get(&r[..end])?;
                rest = &r[end + 2..];
            } else if let Some(r) = rest.strip_prefix('[') {
                // An index, or a key as Pod Security writes annotation keys
                // (`annotations[container.apparmor.security.beta.kubernetes.io/app]`).
                let end = r.find(']')?;
                node = match r[..end].parse::<usize>() {
                    Ok(i) => node.items().get(i)?,
                    Err(_) => node.get(&r[..end])?,
                };
                rest = &r[end + 1..];
            } else {
                // A key may hold dots (`metadata.annotations.example.com/token`, as some checks
                // write annotation keys): the longest key of the mapping the path goes on with.
                let r = rest.strip_prefix('.').unwrap_or(rest);
                let e = node
                    .entries()
                    .iter()
                    .filter(|e| {
                        r.strip_prefix(&*e.key)
                            .is_some_and(|after| after.is_empty() || after.starts_with(['.', '[']))
                    })
                    .max_by_key(|e| e.key.len())?;
                node = &e.value;
                rest = &r[e.key.len()..];
            }
        }
        Some(node)
    }

    /// The mapping's entries, or an empty slice.
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(e) => e,
            _ => &[],
        }
    }

    /// The sequence's items, or an empty slice.
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// True for a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// True for a sequence.
    pub fn is_seq(&self) -> bool {
        matches!(self.value, Value::Seq(_))
    }

    /// True for YAML null (`~`, `null`, empty).
    pub fn is_null(&self) -> bool {
        match &self.value {
            Value::Scalar { text, plain: true } => {
                matches!(&**text, "" | "~" | "null" | "Null" | "NULL")
            }
            _ => false,
        }
    }

    /// The scalar text, whatever its type (`true`, `8080`, `nginx`), or `None` for
    /// collections and nulls.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } if !self.is_null() => Some(text),
            _ => None,
        }
    }

    /// A boolean, as Kubernetes' YAML decoder reads it: plain `true/false` and the YAML 1.1
    /// forms (`yes`, `on`, `y` ...). Quoted strings are not booleans.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar { text, plain: true } => match &**text {
                "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y"
                | "Y" => Some(true),
                "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n"
                | "N" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// An integer written plain: decimal, `0x` hex, `0o` or leading-zero octal, with sign and
    /// `_` separators as YAML 1.1 allows; also integral floats such as `0.0` (JSON numbers).
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Scalar { text, plain: true } => parse_int(text),
            _ => None,
        }
    }

    /// The mapping's value under `key` as a string.
    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    /// Converts to JSON (for policy engines and output). Scalars are typed as Kubernetes would.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.to_string(), e.value.to_json()))
                    .collect(),
            ),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Scalar { text, plain } => {
                if !plain {
                    return J::String(text.to_string());
                }
                if self.is_null() {
                    return J::Null;
                }
                if let Some(b) = self.as_bool() {
                    return J::Bool(b);
                }
                if let Some(i) = parse_int(text) {
                    return J::from(i);
                }
                if let Ok(f) = text.parse::<f64>()
                    && text.bytes().any(|b| b.is_ascii_digit())
                    && let Some(n) = serde_json::Number::from_f64(f)
                {
                    return J::Number(n);
                }
                J::String(text.to_string())
            }
        }
    }
}

fn parse_int(text: &str) -> Option<i64> {
    // Every form below starts with a sign or a digit once `_` is taken out: other text (most
    // names, `my_value`) is no integer, and is not copied to find out.
    let first = text.bytes().find(|&b| b != b'_')?;
    if !(first.is_ascii_digit() || first == b'-' || first == b'+') {
        return None;
    }
    let t: std::borrow::Cow<str> = if text.contains('_') {
        text.replace('_', "").into()
    } else {
        text.into()
    };
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, &t[..]),
    };
    if digits.is_empty() {
        return None;
    }
    let v = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if digits.len() > 1
        && digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        i64::from_str_radix(&digits[1..], 8).ok()?
    } else if digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else if let Some(int) = digits
        .strip_suffix(".0")
        .or_else(|| digits.strip_suffix('.'))
    {
        if int.bytes().all(|b| b.is_ascii_digit()) && !int.is_empty() {
            int.parse().ok()?
        } else {
            return None;
        }
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_path_follows_a_findings_field_path() {
        let text = "spec:\n  template:\n    spec:\n      containers:\n        - name: a\n        - name: b\n          image: nginx\nmetadata:\n  annotations:\n    a.b/c: x\n";
        let root = crate::documents(text).remove(0);
        assert_eq!(
            root.at_path("spec.template.spec.containers[1].image")
                .and_then(Node::as_str),
            Some("nginx")
        );
        assert_eq!(
            root.at_path("metadata.annotations[\"a.b/c\"]")
                .and_then(Node::as_str),
            Some("x")
        );
        assert!(
            root.at_path("spec.template.spec.containers[0]")
                .is_some_and(Node::is_map)
        );
        assert!(std::ptr::eq(root.at_path("").unwrap(), &root));
        // The nearest field there is on a chain of keys.
        assert_eq!(
            root.nearest(&["metadata", "annotations", "a.b/c"]).as_str(),
            Some("x")
        );
        assert!(std::ptr::eq(
            root.nearest(&["metadata", "labels", "x"]),
            root.get("metadata").unwrap()
        ));
        assert!(std::ptr::eq(root.nearest(&["status"]), &root));
        // A key in brackets without quotes, as Pod Security writes annotation keys.
        assert_eq!(
            root.at_path("metadata.annotations[a.b/c]")
                .and_then(Node::as_str),
            Some("x")
        );
        // Dotted keys written without brackets.
        assert_eq!(
            root.at_path("metadata.annotations.a.b/c")
                .and_then(Node::as_str),
            Some("x")
        );
        // Fields that are not set, an index past the end, malformed paths: nothing.
        for missing in [
            "spec.replicas",
            "spec.template.spec.containers[2]",
            "spec.template.spec.containers[x]",
            "spec.template.spec.containers[0",
            "metadata.annotations[\"a.b/c",
            "spec.template.spec.containers.name",
        ] {
            assert!(root.at_path(missing).is_none(), "{missing}");
        }
    }

    fn plain(t: &str) -> Node {
        Node {
            value: Value::Scalar {
                text: t.into(),
                plain: true,
            },
            pos: Pos::default(),
        }
    }

    #[test]
    fn yaml11_booleans_are_booleans() {
        assert_eq!(plain("yes").as_bool(), Some(true));
        assert_eq!(plain("On").as_bool(), Some(true));
        assert_eq!(plain("false").as_bool(), Some(false));
        assert_eq!(plain("maybe").as_bool(), None);
        let quoted = Node {
            value: Value::Scalar {
                text: "true".into(),
                plain: false,
            },
            pos: Pos::default(),
        };
        assert_eq!(quoted.as_bool(), None);
    }

    #[test]
    fn integers_in_every_yaml_form() {
        assert_eq!(plain("0").as_i64(), Some(0));
        assert_eq!(plain("-1").as_i64(), Some(-1));
        assert_eq!(plain("0x10").as_i64(), Some(16));
        assert_eq!(plain("0o17").as_i64(), Some(15));
        assert_eq!(plain("017").as_i64(), Some(15));
        assert_eq!(plain("1_000").as_i64(), Some(1000));
        assert_eq!(plain("0.0").as_i64(), Some(0));
        assert_eq!(plain("1.5").as_i64(), None);
        assert_eq!(plain("abc").as_i64(), None);
        assert_eq!(plain("").as_i64(), None);
        // Underscores anywhere, as before the early exit for text that starts otherwise.
        assert_eq!(plain("_1_0").as_i64(), Some(10));
        assert_eq!(plain("-_1").as_i64(), Some(-1));
        assert_eq!(plain("my_value").as_i64(), None);
        assert_eq!(plain("___").as_i64(), None);
        assert_eq!(plain(".5").as_i64(), None);
    }
}
