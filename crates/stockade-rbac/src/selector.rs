//! Label selectors (`matchLabels` + `matchExpressions`) as `metav1.LabelSelectorAsSelector`
//! reads them: an empty selector matches everything, every requirement must hold.

use std::collections::BTreeMap;

use stockade_model::Node;

/// A `matchExpressions` operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// The label's value is one of the values.
    In,
    /// The label is absent or its value is none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
}

/// One requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The label key.
    pub key: String,
    /// The operator.
    pub op: Op,
    /// The values (In / NotIn).
    pub values: Vec<String>,
}

/// A parsed label selector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// `matchLabels` and `matchExpressions`, all of which must hold.
    pub requirements: Vec<Requirement>,
    /// Why the selector is invalid, if it is (the API server rejects it).
    pub error: Option<String>,
}

impl Selector {
    /// Reads a `LabelSelector` node.
    pub fn from_node(node: &Node) -> Self {
        let mut s = Selector::default();
        if let Some(ml) = node.get("matchLabels") {
            for e in ml.entries() {
                s.requirements.push(Requirement {
                    key: e.key.to_string(),
                    op: Op::In,
                    values: vec![e.value.as_str().unwrap_or("").to_owned()],
                });
            }
        }
        for (i, x) in node
            .get("matchExpressions")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let key = x.str_at("key").unwrap_or("").to_owned();
            let values: Vec<String> = x
                .get("values")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            let op = match x.str_at("operator").unwrap_or("") {
                "In" => Op::In,
                "NotIn" => Op::NotIn,
                "Exists" => Op::Exists,
                "DoesNotExist" => Op::DoesNotExist,
                other => {
                    s.error = Some(format!("matchExpressions[{i}]: unknown operator `{other}`"));
                    continue;
                }
            };
            let needs_values = matches!(op, Op::In | Op::NotIn);
            if needs_values == values.is_empty() {
                s.error = Some(format!(
                    "matchExpressions[{i}]: operator {op:?} {} values",
                    if needs_values { "needs" } else { "takes no" }
                ));
            }
            s.requirements.push(Requirement { key, op, values });
        }
        s
    }

    /// Whether `labels` satisfy every requirement. An invalid selector matches nothing.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.error.is_none()
            && self.requirements.iter().all(|r| {
                let v = labels.get(&r.key);
                match r.op {
                    Op::In => v.is_some_and(|v| r.values.contains(v)),
                    Op::NotIn => v.is_none_or(|v| !r.values.contains(v)),
                    Op::Exists => v.is_some(),
                    Op::DoesNotExist => v.is_none(),
                }
            })
    }
}
