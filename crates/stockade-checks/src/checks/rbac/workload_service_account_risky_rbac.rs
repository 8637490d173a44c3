//! ## What it does
//! Flags workloads whose pods run as a ServiceAccount that the input's RBAC grants a high or
//! critical power: reading Secrets, creating workloads, exec into pods, escalate, bind,
//! impersonate, nodes/proxy, token creation, CSR approval, webhook edits, PersistentVolume
//! creation, or full control (`*` on everything, or a binding to the built-in `cluster-admin`,
//! `admin` or `edit` ClusterRole). The ServiceAccount is `serviceAccountName` (`default` when
//! unset); grants to the groups `system:serviceaccounts` and `system:serviceaccounts:<namespace>`
//! count too. The finding points at `serviceAccountName` (at the pod spec when it is unset) and
//! lists each power with the binding that grants it.
//!
//! ## Why it matters
//! A pod's ServiceAccount token is mounted into it: whoever gets code execution in the pod
//! (a vulnerable dependency, an exposed debug endpoint) gets those permissions too. With
//! workload creation or Secret access that is a short path to taking over the namespace or the
//! cluster. The RBAC checks report who holds a power; this one reports which running code holds
//! it.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: Role
//! metadata:
//!   name: deployer
//!   namespace: team
//! rules:
//!   - apiGroups: ["apps"]
//!     resources: ["deployments"]
//!     verbs: ["create", "update"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: web-deployer
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: deployer
//! subjects:
//!   - kind: ServiceAccount
//!     name: web
//!     namespace: team
//! ---
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//!   namespace: team
//! spec:
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       serviceAccountName: web # finding
//!       containers:
//!         - name: web
//!           image: nginx:1.27
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: Role
//! metadata:
//!   name: deployer
//!   namespace: team
//! rules:
//!   - apiGroups: ["apps"]
//!     resources: ["deployments"]
//!     verbs: ["create", "update"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: ci-deployer
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: deployer
//! subjects:
//!   - kind: ServiceAccount
//!     name: ci
//!     namespace: team
//! ---
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//!   namespace: team
//! spec:
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       serviceAccountName: web
//!       containers:
//!         - name: web
//!           image: nginx:1.27
//! ```
//!
//! ## Options
//! None. Opt-in: select it (`--select workload-service-account-risky-rbac`). Only the roles and
//! bindings in the input are known; the built-in `cluster-admin`, `admin` and `edit`
//! ClusterRoles count even when the input does not define them.

use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;

use stockade_model::{Object, PodSpec, Severity};
use stockade_rbac::{Policy, SubjectKind, risks};

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK825",
    name: "workload-service-account-risky-rbac",
    category: Category::Rbac,
    severity: Severity::High,
    default_on: false,
    summary: "Workload runs as a ServiceAccount with high-risk RBAC permissions",
    remediation: "Give the workload its own ServiceAccount bound to a role with only what it needs; move deployment and admin rights to a separate identity.",
    references: &[],
    aliases: &["kubescape:C-0267", "kubescape:C-0272"],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn wants(o: &Object, pods: &[PodSpec<'_>]) -> bool {
    super::helpers::wants(o, pods) || !pods.is_empty()
}

/// Who a grant reaches among ServiceAccounts.
#[derive(Hash, PartialEq, Eq)]
enum Holder {
    /// One ServiceAccount (namespace, name).
    One(String, String),
    /// Every ServiceAccount of a namespace (`system:serviceaccounts:<ns>`).
    Namespace(String),
    /// Every ServiceAccount (`system:serviceaccounts`).
    All,
}

fn holder(kind: SubjectKind, namespace: Option<&str>, name: &str) -> Option<Holder> {
    match kind {
        SubjectKind::ServiceAccount => Some(Holder::One(
            namespace.unwrap_or("default").to_owned(),
            name.to_owned(),
        )),
        SubjectKind::Group if name == "system:serviceaccounts" => Some(Holder::All),
        SubjectKind::Group => name
            .strip_prefix("system:serviceaccounts:")
            .map(|ns| Holder::Namespace(ns.to_owned())),
        SubjectKind::User => name
            .strip_prefix("system:serviceaccount:")
            .and_then(|r| r.split_once(':'))
            .map(|(ns, n)| Holder::One(ns.to_owned(), n.to_owned())),
    }
}

const BUILT_IN_ADMIN: &[&str] = &["cluster-admin", "admin", "edit"];

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let rbac: Vec<&Object> = ctx
        .objects
        .iter()
        .filter(|o| super::helpers::wants(o, &[]))
        .map(|o| &**o)
        .collect();
    if rbac.is_empty() {
        return;
    }
    let policy = Policy::from_objects(rbac);
    let mut grants: HashMap<Holder, Vec<String>> = HashMap::new();
    let skip = [
        risks::ANONYMOUS.id,
        risks::DEFAULT_SA.id,
        risks::MISSING_ROLE.id,
    ];
    for r in policy.risks() {
        let Some(s) = &r.subject else { continue };
        if r.severity < Severity::High || skip.contains(&r.kind.id) {
            continue;
        }
        if let Some(h) = holder(s.kind, s.namespace.as_deref(), &s.name) {
            let why = stockade_model::format_exact!("{} ({})", r.kind.name, r.binding_name);
            let list = grants.entry(h).or_default();
            if !list.contains(&why) {
                list.push(why);
            }
        }
    }
    for b in policy.bindings.iter().filter(|b| {
        b.role.is_none()
            && b.role_kind == "ClusterRole"
            && BUILT_IN_ADMIN.contains(&b.role_name.as_str())
    }) {
        for s in &b.subjects {
            let subj = &s.subject;
            if let Some(h) = holder(subj.kind, subj.namespace.as_deref(), &subj.name) {
                let why = stockade_model::format_exact!(
                    "built-in ClusterRole {} ({})",
                    b.role_name,
                    b.display()
                );
                let list = grants.entry(h).or_default();
                if !list.contains(&why) {
                    list.push(why);
                }
            }
        }
    }
    if grants.is_empty() {
        return;
    }
    for obj in ctx.objects.iter() {
        emit_for(obj, ctx.pods(obj), &grants, out);
    }
}

fn emit_for(
    obj: &Arc<Object>,
    pods: &[stockade_model::PodSpec<'_>],
    grants: &HashMap<Holder, Vec<String>>,
    out: &mut SetEmit,
) {
    let ns = obj.namespace.as_deref().unwrap_or("default");
    for pod in pods {
        let field = ["serviceAccountName", "serviceAccount"]
            .into_iter()
            .find_map(|k| pod.field(k).map(|n| (k, n)));
        let sa = field.and_then(|(_, n)| n.as_str()).unwrap_or("default");
        let mut why: Vec<&str> = Vec::new();
        for h in [
            Holder::One(ns.to_owned(), sa.to_owned()),
            Holder::Namespace(ns.to_owned()),
            Holder::All,
        ] {
            if let Some(list) = grants.get(&h) {
                why.extend(list.iter().map(String::as_str));
            }
        }
        if why.is_empty() {
            continue;
        }
        let message = stockade_model::format_exact!(
            "{} \"{}\" runs as ServiceAccount {ns}/{sa}, which holds: {}",
            obj.kind,
            obj.name,
            why.join(", ")
        );
        match field {
            Some((k, node)) => out.at(
                obj,
                node,
                stockade_model::format_exact!("{}.{k}", pod.path),
                message,
            ),
            None => out.at(obj, pod.spec, pod.path.clone(), message),
        }
    }
}
