//! Helpers shared by the RBAC checks: the risks of one input set, computed once for all of
//! them.
//!
//! Every RBAC check is a slice of one evaluation (`stockade_rbac::risk_findings`): roles
//! are aggregated and bindings resolved once, then each check emits the findings of its
//! own risk kind. The engine runs the set checks in parallel, each with its own list of the
//! same objects (the same `Arc`s). The result is kept per thread, keyed by the identity of the
//! objects, so the evaluation runs once per worker thread that runs one of these checks.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Weak};
use stockade_model::PodSpec;

use stockade_model::{Finding, Node, Object, Pos};
use stockade_rbac::RiskKind;

use crate::{Hit, SetContext, SetEmit};

/// Roles, ClusterRoles, RoleBindings and ClusterRoleBindings (any version of
/// rbac.authorization.k8s.io): all that the risks depend on.
pub fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    o.group() == "rbac.authorization.k8s.io"
        && matches!(
            o.kind.as_str(),
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding"
        )
}

/// The `roleRef.name` of a RoleBinding or ClusterRoleBinding that binds a ClusterRole.
pub fn cluster_role_ref(o: &Object) -> Option<&Node> {
    if o.group() != "rbac.authorization.k8s.io"
        || !matches!(o.kind.as_str(), "RoleBinding" | "ClusterRoleBinding")
    {
        return None;
    }
    let role = o.root.get("roleRef")?;
    if role.str_at("kind") != Some("ClusterRole") {
        return None;
    }
    role.get("name")
}

/// Where a binding's grant applies, for messages.
pub fn binding_scope(o: &Object) -> String {
    if o.kind == "ClusterRoleBinding" {
        "in every namespace".to_string()
    } else {
        stockade_model::format_exact!(
            "in namespace {}",
            o.namespace.as_deref().unwrap_or("(unset)")
        )
    }
}

/// The last set's findings. The `Weak`s keep the first and last objects' allocations
/// alive, so their addresses cannot be reused by a later set while the entry exists: the
/// key cannot match a different set by accident.
struct Cached {
    first: Weak<Object>,
    last: Weak<Object>,
    len: usize,
    findings: Rc<Vec<Resolved>>,
}

/// A risk finding and the index of the object it is about, among the set's objects.
type Resolved = (Finding, Option<usize>);

thread_local! {
    static CACHE: RefCell<Option<Cached>> = const { RefCell::new(None) };
}

/// The risk findings of `objects` (not empty), each with the object it is about, computed once
/// per set and thread.
fn findings(objects: &[Arc<Object>]) -> Rc<Vec<Resolved>> {
    let (Some(first), Some(last)) = (objects.first(), objects.last()) else {
        return Rc::default();
    };
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(c) = cache.as_ref()
            && c.len == objects.len()
            && std::ptr::eq(c.first.as_ptr(), Arc::as_ptr(first))
            && std::ptr::eq(c.last.as_ptr(), Arc::as_ptr(last))
        {
            return c.findings.clone();
        }
        let found = stockade_rbac::risk_findings(objects.iter().map(|o| &**o));
        let mut by_name = ByName::default();
        if !found.is_empty() {
            for (i, o) in objects.iter().enumerate() {
                by_name
                    .entry((&*o.file, o.kind.as_str(), o.name.as_str()))
                    .or_default()
                    .push(i);
            }
        }
        let findings = Rc::new(
            found
                .into_iter()
                .map(|f| {
                    let at = object_of(objects, &by_name, &f);
                    (f, at)
                })
                .collect::<Vec<_>>(),
        );
        *cache = Some(Cached {
            first: Arc::downgrade(first),
            last: Arc::downgrade(last),
            len: objects.len(),
            findings: findings.clone(),
        });
        findings
    })
}

/// The indexes of the objects by file, kind and name, in input order.
type ByName<'a> = foldhash::HashMap<(&'a str, &'a str, &'a str), Vec<usize>>;

/// The binding a finding is about: same file, kind and name, same namespace (a RoleBinding
/// without one is in `default`, as the policy reads it); among equal ones, the last that
/// starts at or before the finding's line.
/// `by_name` indexes `objects` by file, kind and name.
fn object_of(objects: &[Arc<Object>], by_name: &ByName, f: &Finding) -> Option<usize> {
    by_name
        .get(&(&*f.file, f.object.kind.as_str(), f.object.name.as_str()))?
        .iter()
        .copied()
        .filter(|&i| {
            let o = &objects[i];
            o.api_version == f.object.api_version
                && match (&o.namespace, &f.object.namespace) {
                    (Some(a), Some(b)) => a == b,
                    (None, Some(b)) => {
                        matches!(o.kind.as_str(), "RoleBinding" | "Role") && b == "default"
                    }
                    (None, None) => true,
                    (Some(_), None) => {
                        matches!(o.kind.as_str(), "ClusterRoleBinding" | "ClusterRole")
                    }
                }
        })
        .filter(|&i| objects[i].root.pos.line <= f.line)
        .max_by_key(|&i| objects[i].root.pos.line)
}

/// The node a finding's path names: `subjects[i]`, `rules[i]` or `roleRef`.
fn node_at<'a>(obj: &'a Object, path: &str) -> Option<&'a Node> {
    for list in ["subjects", "rules"] {
        if let Some(i) = path
            .strip_prefix(list)
            .and_then(|r| r.strip_prefix('['))
            .and_then(|r| r.strip_suffix(']'))
        {
            return obj.root.get(list)?.items().get(i.parse::<usize>().ok()?);
        }
    }
    obj.root.get(path)
}

/// Emits the findings of `kind` in the set, each at its subject (at `roleRef` for a
/// binding to a missing role), with the finding's own severity.
pub fn emit(kind: &RiskKind, ctx: &SetContext, out: &mut SetEmit) {
    if ctx.objects.is_empty() {
        return;
    }
    for (f, at) in findings(ctx.objects)
        .iter()
        .filter(|(f, _)| f.check == kind.id)
    {
        let Some(obj) = at.map(|i| &ctx.objects[i]) else {
            continue;
        };
        let pos = node_at(obj, &f.path).map_or(
            Pos {
                line: f.line,
                col: 1,
            },
            |n| n.pos,
        );
        out.hits.push((
            obj.clone(),
            Hit {
                message: f.message.clone(),
                pos,
                path: f.path.clone(),
                container: None,
                severity: Some(f.severity),
            },
        ));
    }
}
