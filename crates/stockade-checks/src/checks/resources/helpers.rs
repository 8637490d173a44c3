//! Helpers shared by the resource checks.

use stockade_model::{ContainerKind, Node};

use crate::{Context, Emit};

/// `requests` or `limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `resources.requests`.
    Request,
    /// `resources.limits`.
    Limit,
}

fn has(resources: Option<&Node>, list: &str, resource: &str) -> bool {
    resources
        .and_then(|r| r.at(&[list, resource]))
        .is_some_and(|n| !n.is_null())
}

/// Reports every regular and init container (ephemeral containers cannot set resources) that
/// lacks `resource` (`cpu`, `memory`) for `bound`.
///
/// A request is also satisfied by a limit, because the API server copies a limit into a
/// missing request; and either is satisfied at pod level by `spec.resources` (pod-level
/// resources, Kubernetes 1.32+), which bounds all the containers together.
pub fn report_missing(ctx: &Context, out: &mut Emit, bound: Bound, resource: &str, what: &str) {
    let lists: &[&str] = match bound {
        Bound::Request => &["requests", "limits"],
        Bound::Limit => &["limits"],
    };
    for pod in ctx.pods {
        let pod_resources = pod.field("resources");
        if lists.iter().any(|l| has(pod_resources, l, resource)) {
            continue;
        }
        for c in &pod.containers {
            if c.kind == ContainerKind::Ephemeral {
                continue;
            }
            let own = c.node.get("resources");
            if lists.iter().any(|l| has(own, l, resource)) {
                continue;
            }
            out.container(
                c,
                None,
                stockade_model::format_exact!("{} has no {what}", c.label()),
            );
        }
    }
}

/// A resource quantity (`500m`, `1Gi`, `0.5`, `1e3`) in nano-units, so that values written
/// differently (`1` and `1000m`, `1Gi` and `1024Mi`) compare equal. `None` for text that is
/// not a quantity or does not fit.
pub fn quantity_nanos(text: &str) -> Option<i128> {
    let text = text.trim();
    let (neg, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let num_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (num, suffix) = body.split_at(num_end);
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if (int.is_empty() && frac.is_empty()) || frac.contains('.') {
        return None;
    }
    const NANO: i128 = 1_000_000_000;
    let mult: i128 = match suffix {
        "" => NANO,
        "n" => 1,
        "u" => 1_000,
        "m" => 1_000_000,
        "k" => NANO * 1_000,
        "M" => NANO * 1_000_000,
        "G" => NANO * 1_000_000_000,
        "T" => NANO * 1_000_000_000_000,
        "P" => NANO * 1_000_000_000_000_000,
        "E" => NANO * 1_000_000_000_000_000_000,
        "Ki" => NANO << 10,
        "Mi" => NANO << 20,
        "Gi" => NANO << 30,
        "Ti" => NANO << 40,
        "Pi" => NANO << 50,
        "Ei" => NANO << 60,
        s if s.starts_with(['e', 'E']) => {
            let exp: u32 = s[1..].parse().ok().filter(|e| *e <= 18)?;
            NANO.checked_mul(10i128.checked_pow(exp)?)?
        }
        _ => return None,
    };
    let int_value: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut value = int_value.checked_mul(mult)?;
    if !frac.is_empty() {
        let digits = &frac[..frac.len().min(30)];
        let f: i128 = digits.parse().ok()?;
        value =
            value.checked_add(f.checked_mul(mult)? / 10i128.checked_pow(digits.len() as u32)?)?;
    }
    Some(if neg { -value } else { value })
}

/// Namespaces that hold the cluster's own components; their budgets are the platform's.
const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

/// True for a core `v1` Namespace.
pub fn is_namespace(o: &stockade_model::Object) -> bool {
    o.kind == "Namespace" && o.group().is_empty()
}

/// Reports every Namespace object of the set for which no object of core kind `kind`
/// (`ResourceQuota`, `LimitRange`) is in the set. An object of that kind without a namespace
/// covers every namespace, since where it is applied is decided at apply time.
pub fn report_namespaces_without(ctx: &crate::SetContext, out: &mut crate::SetEmit, kind: &str) {
    let mut covered = foldhash::HashSet::default();
    let mut covers_all = false;
    for o in ctx
        .objects
        .iter()
        .filter(|o| o.kind == kind && o.group().is_empty())
    {
        match o.namespace.as_deref() {
            Some(ns) => {
                covered.insert(ns);
            }
            None => covers_all = true,
        }
    }
    if covers_all {
        return;
    }
    for ns in ctx.objects.iter().filter(|o| is_namespace(o)) {
        let name = ns.name.as_str();
        if name.is_empty() || SYSTEM_NAMESPACES.contains(&name) || covered.contains(name) {
            continue;
        }
        let node = ns.root.nearest(&["metadata", "name"]);
        out.at(
            ns,
            node,
            "metadata.name",
            stockade_model::format_exact!("Namespace \"{name}\" has no {kind} in the input"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::quantity_nanos as q;

    #[test]
    fn quantities_written_differently_compare_equal() {
        assert_eq!(q("1"), q("1000m"));
        assert_eq!(q("0.5"), q("500m"));
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert_eq!(q("1k"), q("1e3"));
        assert_eq!(q("100m"), Some(100_000_000));
        assert_ne!(q("1G"), q("1Gi"));
        assert_eq!(q("abc"), None);
        assert_eq!(q(""), None);
        assert_eq!(q("1Xi"), None);
        assert_eq!(q("."), None);
        assert_eq!(q("99999999999999999999999999999Ei"), None);
    }
}
