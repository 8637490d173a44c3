//! Helpers shared by checks of several categories.

use foldhash::HashSet;

use stockade_model::{Node, Object};

/// A port number as Kubernetes would read it, also when a hand-written manifest quotes it
/// (`"8080"`): the API server rejects the quoted form for `containerPort`, but the intent is
/// plain and a scanner that skipped it would hide the exposure.
pub fn port_number(node: &Node) -> Option<i64> {
    node.as_i64()
        .or_else(|| node.as_str().and_then(|s| s.trim().parse().ok()))
}

/// Names of objects, by namespace, for "is the referenced object in the input" questions.
///
/// A scan often mixes objects that set `metadata.namespace` with objects that leave it to
/// `kubectl apply -n` or to Helm; an unset namespace on either side therefore matches any
/// namespace, so such mixes never produce a missing-object finding.
#[derive(Debug, Default)]
pub struct NameIndex {
    in_ns: HashSet<(String, String)>,
    no_ns: HashSet<String>,
    all: HashSet<String>,
}

impl NameIndex {
    /// Records an object named `name` in `ns`.
    pub fn insert(&mut self, ns: Option<&str>, name: &str) {
        match ns {
            Some(ns) => {
                self.in_ns.insert((ns.to_string(), name.to_string()));
            }
            None => {
                self.no_ns.insert(name.to_string());
            }
        }
        self.all.insert(name.to_string());
    }

    /// True when an object named `name` may be in `ns`.
    pub fn contains(&self, ns: Option<&str>, name: &str) -> bool {
        match ns {
            None => self.all.contains(name),
            Some(ns) => {
                self.no_ns.contains(name)
                    || self.in_ns.contains(&(ns.to_string(), name.to_string()))
            }
        }
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
}

/// A Secret that an object in the input creates: a Secret itself, or an object whose
/// controller writes one (Bitnami SealedSecret, External Secrets ExternalSecret, cert-manager
/// Certificate), so GitOps repositories that keep only those still count as holding it.
pub struct ProvidedSecret<'a> {
    /// The Secret's name.
    pub name: &'a str,
    /// Its `type` when known (`Opaque` for a Secret without one); `None` when the producing
    /// object does not say.
    pub secret_type: Option<&'a str>,
}

/// The Secret `obj` is or produces, if any.
pub fn provided_secret(obj: &Object) -> Option<ProvidedSecret<'_>> {
    let root = &obj.root;
    let meta_name = || obj.metadata().str_at("name");
    match (obj.kind.as_str(), obj.group()) {
        ("Secret", "") => Some(ProvidedSecret {
            name: meta_name()?,
            secret_type: Some(root.str_at("type").unwrap_or("Opaque")),
        }),
        ("SealedSecret", "bitnami.com") => Some(ProvidedSecret {
            name: root
                .at(&["spec", "template", "metadata", "name"])
                .and_then(Node::as_str)
                .or_else(meta_name)?,
            secret_type: root
                .at(&["spec", "template", "type"])
                .and_then(Node::as_str),
        }),
        ("ExternalSecret", "external-secrets.io") => Some(ProvidedSecret {
            name: root
                .at(&["spec", "target", "name"])
                .and_then(Node::as_str)
                .or_else(meta_name)?,
            secret_type: root
                .at(&["spec", "target", "template", "type"])
                .and_then(Node::as_str),
        }),
        ("Certificate", "cert-manager.io") => Some(ProvidedSecret {
            name: root.at(&["spec", "secretName"]).and_then(Node::as_str)?,
            secret_type: Some("kubernetes.io/tls"),
        }),
        _ => None,
    }
}

/// True for objects [`provided_secret`] understands (for a set check's `wants`).
pub fn provides_secret(obj: &Object) -> bool {
    matches!(
        (obj.kind.as_str(), obj.group()),
        ("Secret", "")
            | ("SealedSecret", "bitnami.com")
            | ("ExternalSecret", "external-secrets.io")
            | ("Certificate", "cert-manager.io")
    )
}

#[cfg(test)]
mod tests {
    use stockade_model::load;

    use super::port_number;

    #[test]
    fn reads_ports_written_as_numbers_or_strings() {
        let loaded = load(
            "t",
            b"apiVersion: v1\nkind: X\na: 22\nb: \"8080\"\nc: ssh\nd: 0x16\ne:\n",
        );
        let root = &loaded.objects[0].root;
        let p = |k: &str| port_number(root.get(k).unwrap());
        assert_eq!(p("a"), Some(22));
        assert_eq!(p("b"), Some(8080));
        assert_eq!(p("c"), None);
        assert_eq!(p("d"), Some(22));
        assert_eq!(p("e"), None);
    }
}
