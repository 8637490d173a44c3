//! Helpers shared by the admission webhook checks.

use stockade_model::{Node, Object};

/// One webhook of a Validating- or MutatingWebhookConfiguration.
pub struct Webhook<'a> {
    /// The webhook mapping.
    pub node: &'a Node,
    /// Its index in `webhooks`.
    pub index: usize,
    /// `name`, empty when missing.
    pub name: &'a str,
    /// True for `admissionregistration.k8s.io/v1beta1`, whose defaults are the unsafe ones
    /// (`failurePolicy: Ignore`, `timeoutSeconds: 30`, `sideEffects: Unknown`).
    pub beta: bool,
}

impl<'a> Webhook<'a> {
    /// Field path of one of its fields.
    pub fn path(&self, field: &str) -> String {
        stockade_model::format_exact!("webhooks[{}].{field}", self.index)
    }

    /// The field's node, or the webhook itself when the field is missing (a finding about a
    /// default points at the webhook).
    pub fn at(&self, field: &str) -> (&'a Node, String) {
        match self.node.get(field).filter(|n| !n.is_null()) {
            Some(n) => (n, self.path(field)),
            None => (
                self.node,
                stockade_model::format_exact!("webhooks[{}]", self.index),
            ),
        }
    }

    /// A field's string value.
    pub fn str(&self, field: &str) -> Option<&'a str> {
        self.node.str_at(field)
    }

    /// A label for messages: `webhook "name"`.
    pub fn label(&self) -> String {
        stockade_model::format_exact!("webhook \"{}\"", self.name)
    }
}

/// The webhooks of `obj` if it is a webhook configuration.
pub fn webhooks(obj: &Object) -> Vec<Webhook<'_>> {
    if !matches!(
        obj.kind.as_str(),
        "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration"
    ) || obj.group() != "admissionregistration.k8s.io"
    {
        return Vec::new();
    }
    let beta = obj.api_version.ends_with("/v1beta1");
    obj.root
        .get("webhooks")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter(|(_, n)| n.is_map())
        .map(|(index, node)| Webhook {
            node,
            index,
            name: node.str_at("name").unwrap_or(""),
            beta,
        })
        .collect()
}
