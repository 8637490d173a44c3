//! Helpers shared by the NetworkPolicy connectivity checks: the analysis of one input set,
//! computed once for all of them.
//!
//! Every check here is a slice of one evaluation (`stockade_netpol::report::findings_for`):
//! workloads, namespaces and policies are read and the connectivity engine is prepared once,
//! then each check emits the findings of its own kind. The engine runs the set checks in
//! parallel, each with its own list of the same objects (these checks share one `wants`, so
//! the lists hold the same `Arc`s). The result is kept per thread, keyed by the identity of the
//! objects and the options that shape it: the analysis runs once per worker thread that runs
//! one of these checks (a lock shared by the threads could deadlock, since the analysis itself
//! runs on the same thread pool).

use foldhash::{HashMap, HashMapExt};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Weak};
use stockade_model::PodSpec;

use stockade_model::{Finding, Object, Pos};
use stockade_netpol::report::{self, Kind};

use crate::{Hit, Options, SetContext, SetEmit};

/// The kinds the analysis reads: workloads (the kinds that own pod templates, and Pods),
/// Namespaces, NetworkPolicies, admin policies, Services, Ingresses and Routes.
pub fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    matches!(
        o.kind.as_str(),
        "Pod"
            | "Deployment"
            | "ReplicaSet"
            | "StatefulSet"
            | "DaemonSet"
            | "Job"
            | "CronJob"
            | "ReplicationController"
            | "Namespace"
            | "NetworkPolicy"
            | "AdminNetworkPolicy"
            | "BaselineAdminNetworkPolicy"
            | "Service"
            | "Ingress"
            | "Route"
    )
}

/// The last set's findings. The `Weak`s keep the first and last objects' allocations alive,
/// so their addresses cannot be reused by a later set while the entry exists.
struct Cached {
    first: Weak<Object>,
    last: Weak<Object>,
    len: usize,
    data_store: Vec<String>,
    findings: Rc<Vec<Resolved>>,
}

/// A finding and the index of the object it is about, among the set's objects.
type Resolved = (Finding, Option<usize>);

thread_local! {
    static CACHE: RefCell<Option<Cached>> = const { RefCell::new(None) };
}

#[cfg(test)]
thread_local! {
    /// How many times this thread ran the analysis.
    static ANALYSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The findings of `objects` (not empty), computed once per set, options and thread.
fn findings(objects: &[Arc<Object>], options: &Options) -> Rc<Vec<Resolved>> {
    let (Some(first), Some(last)) = (objects.first(), objects.last()) else {
        return Rc::default();
    };
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(c) = cache.as_ref()
            && c.len == objects.len()
            && std::ptr::eq(c.first.as_ptr(), Arc::as_ptr(first))
            && std::ptr::eq(c.last.as_ptr(), Arc::as_ptr(last))
            && c.data_store == options.data_store
        {
            return c.findings.clone();
        }
        // `Options::validate` rejects bad selectors before a scan; one that slips through
        // (a caller that skipped validation) is left out rather than failing the scan.
        let data_stores = options
            .data_store
            .iter()
            .filter_map(|s| report::parse_selector(s).ok().flatten())
            .collect();
        let opts = report::Options { data_stores };
        #[cfg(test)]
        ANALYSES.with(|n| n.set(n.get() + 1));
        let cluster = stockade_netpol::Cluster::from_objects(objects.iter().map(|o| &**o));
        let found = report::findings_for(&cluster, &opts);
        // A finding is about the first object that starts where it points.
        let mut at: HashMap<(&str, u32, u32), usize> = HashMap::new();
        if !found.is_empty() {
            for (i, o) in objects.iter().enumerate() {
                at.entry((&*o.file, o.root.pos.line, o.root.pos.col))
                    .or_insert(i);
            }
        }
        let findings = Rc::new(
            found
                .into_iter()
                .map(|f| {
                    let i = at.get(&(&*f.file, f.line, f.column)).copied();
                    (f, i)
                })
                .collect::<Vec<_>>(),
        );
        *cache = Some(Cached {
            first: Arc::downgrade(first),
            last: Arc::downgrade(last),
            len: objects.len(),
            data_store: options.data_store.clone(),
            findings: findings.clone(),
        });
        findings
    })
}

/// Emits the findings of `kind` in the set, each at its object's `metadata.name`.
pub fn emit(kind: &Kind, ctx: &SetContext, out: &mut SetEmit) {
    if ctx.objects.is_empty() {
        return;
    }
    for (f, at) in findings(ctx.objects, ctx.options)
        .iter()
        .filter(|(f, _)| f.check == kind.id)
    {
        let Some(obj) = at.map(|i| &ctx.objects[i]) else {
            continue;
        };
        // At the name, or the `generateName` a Job or Pod may have instead, else `metadata`.
        let meta = obj.metadata();
        let (pos, path) = match (meta.get("name"), meta.get("generateName")) {
            (Some(n), _) => (n.pos, f.path.clone()),
            (None, Some(g)) if f.path == "metadata.name" => (g.pos, "metadata.generateName".into()),
            _ => (
                obj.root.get("metadata").map_or(
                    Pos {
                        line: f.line,
                        col: f.column,
                    },
                    |m| m.pos,
                ),
                f.path.clone(),
            ),
        };
        out.hits.push((
            obj.clone(),
            Hit {
                message: f.message.clone(),
                pos,
                path,
                container: None,
                severity: None,
            },
        ));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::ANALYSES;
    use crate::checks::netpol;
    use crate::{Check, Options, run_set_check};

    const INPUT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1.0.0}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: other, namespace: shop}
spec:
  podSelector: {matchLabels: {app: other}}
  policyTypes: [Ingress, Egress]
";

    fn objects() -> Vec<Arc<stockade_model::Object>> {
        stockade_model::load("t.yaml", INPUT.as_bytes())
            .objects
            .into_iter()
            .map(Arc::new)
            .collect()
    }

    #[test]
    fn one_analysis_serves_every_check_of_a_set() {
        let checks: [&Check; 6] = [
            &netpol::workload_not_isolated_ingress::CHECK,
            &netpol::workload_not_isolated_egress::CHECK,
            &netpol::namespace_without_default_deny_ingress::CHECK,
            &netpol::workload_exposed_outside_cluster::CHECK,
            &netpol::egress_to_cloud_metadata::CHECK,
            &netpol::exposed_path_to_data_store::CHECK,
        ];
        let before = ANALYSES.with(|n| n.get());
        let set = objects();
        let options = Options::default();
        let hits: usize = checks
            .iter()
            .map(|c| run_set_check(c, &set, &[], &options).len())
            .sum();
        // web is not isolated in either direction; shop has no default-deny.
        assert_eq!(hits, 3);
        assert_eq!(ANALYSES.with(|n| n.get()) - before, 1);
        // Another set (equal contents, other objects) or other options: analysed again.
        let other = objects();
        run_set_check(checks[0], &other, &[], &options);
        assert_eq!(ANALYSES.with(|n| n.get()) - before, 2);
        let with_store = Options {
            data_store: vec!["app=db".into()],
            ..Options::default()
        };
        run_set_check(checks[0], &other, &[], &with_store);
        run_set_check(checks[1], &other, &[], &with_store);
        assert_eq!(ANALYSES.with(|n| n.get()) - before, 3);
    }
}
