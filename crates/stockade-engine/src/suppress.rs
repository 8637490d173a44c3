//! Suppression annotations: `ignore.stockade.dev/<check>[.<container>]: "<reason>"` on an
//! object or its pod template.

use stockade_model::{Node, Object, PodSpec, Pos};

/// The annotation prefix.
pub const PREFIX: &str = "ignore.stockade.dev/";

/// One suppression annotation.
#[derive(Debug)]
pub struct Suppression {
    /// Check ID or name as written.
    pub check: String,
    /// Container it is limited to.
    pub container: Option<String>,
    /// The reason (may be empty: then it is invalid).
    pub reason: String,
    /// Where the annotation is.
    pub pos: Pos,
    /// The annotation's path.
    pub path: String,
    /// Whether it silenced a finding.
    pub used: bool,
}

/// Every suppression annotation on the object and its pod templates.
pub fn collect(obj: &Object, pods: &[PodSpec]) -> Vec<Suppression> {
    let mut out = Vec::new();
    read(obj.root.get("metadata"), "metadata", &mut out);
    for p in pods {
        // A Pod's template metadata is its own metadata, already read.
        if p.metadata_path != "metadata" {
            read(p.metadata, &p.metadata_path, &mut out);
        }
    }
    out
}

fn read(meta: Option<&Node>, meta_path: &str, out: &mut Vec<Suppression>) {
    let Some(annotations) = meta.and_then(|m| m.get("annotations")) else {
        return;
    };
    for e in annotations.entries() {
        let Some(rest) = e.key.strip_prefix(PREFIX) else {
            continue;
        };
        let (check, container) = match rest.split_once('.') {
            Some((c, name)) => (c.to_string(), Some(name.to_string())),
            None => (rest.to_string(), None),
        };
        out.push(Suppression {
            check,
            container,
            reason: e.value.as_str().unwrap_or("").trim().to_string(),
            pos: e.value.pos,
            path: format!("{meta_path}.annotations.{}", e.key),
            used: false,
        });
    }
}
