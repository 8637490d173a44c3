//! Kubernetes label selectors.

use std::collections::BTreeMap;

use stockade_model::Node;

/// Labels of a pod or namespace.
pub type Labels = BTreeMap<String, String>;

/// A `metav1.LabelSelector`: `matchLabels` and `matchExpressions`, all of which must hold.
/// The empty selector matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selector {
    /// `matchLabels`.
    pub labels: Vec<(String, String)>,
    /// `matchExpressions`.
    pub exprs: Vec<Expr>,
}

/// One `matchExpressions` requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    /// The label key.
    pub key: String,
    /// The operator.
    pub op: Op,
    /// The values (for `In`/`NotIn`).
    pub values: Vec<String>,
}

/// A requirement's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// The label is one of the values.
    In,
    /// The label is absent or none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
}

impl Selector {
    /// Reads a selector node. Unknown operators make a selector that matches nothing, the safe
    /// reading for an analysis of what is allowed.
    pub fn parse(node: &Node) -> Selector {
        let mut sel = Selector::default();
        if let Some(ml) = node.get("matchLabels") {
            for e in ml.entries() {
                sel.labels.push((
                    e.key.to_string(),
                    e.value.as_str().unwrap_or("").to_string(),
                ));
            }
        }
        if let Some(me) = node.get("matchExpressions") {
            for item in me.items() {
                let op = match item.str_at("operator").unwrap_or("") {
                    "In" => Op::In,
                    "NotIn" => Op::NotIn,
                    "Exists" => Op::Exists,
                    "DoesNotExist" => Op::DoesNotExist,
                    // An invalid selector: In with no values never matches.
                    _ => Op::In,
                };
                let values = item
                    .get("values")
                    .map(|v| {
                        v.items()
                            .iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                sel.exprs.push(Expr {
                    key: item.str_at("key").unwrap_or("").to_string(),
                    op,
                    values,
                });
            }
        }
        sel
    }

    /// A selector from a plain map (a Service's `selector`).
    pub fn from_map(node: &Node) -> Selector {
        Selector {
            labels: node
                .entries()
                .iter()
                .map(|e| {
                    (
                        e.key.to_string(),
                        e.value.as_str().unwrap_or("").to_string(),
                    )
                })
                .collect(),
            exprs: Vec::new(),
        }
    }

    /// True for the empty selector (matches everything).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.exprs.is_empty()
    }

    /// True when `labels` satisfy every requirement.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.labels
            .iter()
            .all(|(k, v)| labels.get(k).is_some_and(|x| x == v))
            && self.exprs.iter().all(|e| {
                let got = labels.get(&e.key);
                match e.op {
                    Op::In => got.is_some_and(|v| e.values.contains(v)),
                    Op::NotIn => got.is_none_or(|v| !e.values.contains(v)),
                    Op::Exists => got.is_some(),
                    Op::DoesNotExist => got.is_none(),
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(yaml: &str) -> Node {
        let loaded = stockade_model::load(
            "t.yaml",
            format!("apiVersion: v1\nkind: X\nmetadata: {{name: x}}\nsel:\n{yaml}").as_bytes(),
        );
        loaded.objects[0].root.get("sel").unwrap().clone()
    }

    #[test]
    fn labels_and_expressions() {
        let s = Selector::parse(&node(
            "  matchLabels: {app: web}\n  matchExpressions:\n  - {key: tier, operator: NotIn, values: [db]}\n  - {key: env, operator: Exists}\n",
        ));
        let l = |pairs: &[(&str, &str)]| -> Labels {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert!(s.matches(&l(&[("app", "web"), ("env", "p")])));
        assert!(!s.matches(&l(&[("app", "web"), ("env", "p"), ("tier", "db")])));
        assert!(!s.matches(&l(&[("app", "web")])));
        assert!(Selector::default().matches(&l(&[])));
    }
}
