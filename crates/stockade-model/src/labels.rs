//! Label selectors as the API server evaluates them.

use crate::node::Node;

/// A label's value in a `labels` mapping (values are compared as their source text).
fn label<'a>(labels: Option<&'a Node>, key: &str) -> Option<&'a str> {
    labels?.get(key)?.as_str()
}

/// A Service-style selector (a plain map): every pair must be present. An empty or absent
/// selector selects nothing here (a Service without selector has manual endpoints).
pub fn map_selects(selector: &Node, labels: Option<&Node>) -> bool {
    let entries = selector.entries();
    !entries.is_empty()
        && entries.iter().all(|e| {
            e.value
                .as_str()
                .is_some_and(|v| label(labels, &e.key) == Some(v))
        })
}

/// A `LabelSelector` (`matchLabels` and `matchExpressions`, ANDed). An empty selector
/// selects everything; a malformed expression selects nothing.
pub fn selector_selects(selector: &Node, labels: Option<&Node>) -> bool {
    if let Some(ml) = selector.get("matchLabels") {
        for e in ml.entries() {
            if e.value
                .as_str()
                .is_none_or(|v| label(labels, &e.key) != Some(v))
            {
                return false;
            }
        }
    }
    if let Some(exprs) = selector.get("matchExpressions") {
        for x in exprs.items() {
            let Some(key) = x.str_at("key") else {
                return false;
            };
            let values: Vec<&str> = x
                .get("values")
                .map(|v| v.items().iter().filter_map(Node::as_str).collect())
                .unwrap_or_default();
            let have = label(labels, key);
            let ok = match x.str_at("operator") {
                Some("In") => have.is_some_and(|h| values.contains(&h)),
                Some("NotIn") => have.is_none_or(|h| !values.contains(&h)),
                Some("Exists") => have.is_some(),
                Some("DoesNotExist") => have.is_none(),
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load;

    fn node(yaml: &str) -> Node {
        let text = format!("apiVersion: v1\nkind: X\nmetadata: {{name: x}}\nv: {yaml}\n");
        load("t", text.as_bytes())
            .objects
            .remove(0)
            .root
            .get("v")
            .unwrap()
            .clone()
    }

    #[test]
    fn label_selectors() {
        let labels = node("{app: web, tier: front}");
        assert!(map_selects(&node("{app: web}"), Some(&labels)));
        assert!(!map_selects(&node("{app: db}"), Some(&labels)));
        assert!(!map_selects(&node("{}"), Some(&labels)));
        assert!(selector_selects(&node("{}"), Some(&labels)));
        assert!(selector_selects(
            &node(
                "{matchLabels: {tier: front}, matchExpressions: [{key: app, operator: In, values: [web, api]}]}"
            ),
            Some(&labels)
        ));
        assert!(!selector_selects(
            &node("{matchExpressions: [{key: app, operator: NotIn, values: [web]}]}"),
            Some(&labels)
        ));
        assert!(selector_selects(
            &node("{matchExpressions: [{key: env, operator: DoesNotExist}]}"),
            Some(&labels)
        ));
        assert!(!selector_selects(
            &node("{matchExpressions: [{key: env, operator: Exists}]}"),
            Some(&labels)
        ));
        assert!(!selector_selects(
            &node("{matchExpressions: [{key: env, operator: Bogus}]}"),
            None
        ));
    }
}
