//! ## What it does
//! Flags an `imagePullSecrets` entry, on a pod spec or a ServiceAccount, that names a Secret
//! not in the scanned input, or a Secret whose `type` is neither
//! `kubernetes.io/dockerconfigjson` nor the legacy `kubernetes.io/dockercfg`.
//!
//! ## Why it matters
//! The kubelet silently skips a pull secret it cannot find or read as registry credentials,
//! so the pull goes out anonymously and fails with `ImagePullBackOff`. An `Opaque` Secret
//! that happens to hold a `.dockerconfigjson` key is the classic mistake.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: api
//! spec:
//!   imagePullSecrets:
//!     - name: registry-creds # finding
//!   containers:
//!     - name: api
//!       image: registry.example.com/team/api:2.3.1
//! ---
//! apiVersion: v1
//! kind: Secret
//! metadata:
//!   name: registry-creds
//! type: Opaque
//! data:
//!   .dockerconfigjson: e30=
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: api
//! spec:
//!   imagePullSecrets:
//!     - name: registry-creds
//!   containers:
//!     - name: api
//!       image: registry.example.com/team/api:2.3.1
//! ---
//! apiVersion: v1
//! kind: Secret
//! metadata:
//!   name: registry-creds
//! type: kubernetes.io/dockerconfigjson
//! data:
//!   .dockerconfigjson: e30=
//! ```
//!
//! ## Options
//! None. GitOps repositories often keep Secrets out of Git, so the check only runs when the
//! input holds at least one Secret or an object that produces one (Bitnami `SealedSecret`,
//! External Secrets `ExternalSecret`, cert-manager `Certificate`). The type of a Secret
//! produced by a SealedSecret or ExternalSecret is read from its template when set there, and
//! not judged otherwise. An unset namespace on either side matches any namespace.

use foldhash::{HashMap, HashMapExt};
use stockade_model::PodSpec;

use stockade_model::{Node, Object, Severity};

use crate::checks::correctness::helpers::same_namespace;
use crate::checks::helpers::{provided_secret, provides_secret};
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK207",
    name: "image-pull-secret-invalid",
    category: Category::Images,
    severity: Severity::Medium,
    default_on: true,
    summary: "imagePullSecrets names a Secret that is missing or not registry credentials",
    remediation: "Create the pull secret with `kubectl create secret docker-registry` (type `kubernetes.io/dockerconfigjson`), or fix the name.",
    references: &[],
    aliases: &[],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

const PULL_TYPES: &[&str] = &["kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"];

fn is_sa(o: &Object) -> bool {
    o.kind == "ServiceAccount" && o.group().is_empty()
}

fn wants(o: &Object, pods: &[PodSpec<'_>]) -> bool {
    provides_secret(o) || is_sa(o) || !pods.is_empty()
}

/// Name -> (namespace, type when known) of every Secret the input holds or produces.
type SecretsByName<'a> = HashMap<&'a str, Vec<(Option<&'a str>, Option<&'a str>)>>;

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let mut secrets: SecretsByName = HashMap::new();
    for o in ctx.objects.iter() {
        if let Some(s) = provided_secret(o) {
            secrets
                .entry(s.name)
                .or_default()
                .push((o.namespace.as_deref(), s.secret_type));
        }
    }
    if secrets.is_empty() {
        return;
    }
    for obj in ctx.objects.iter() {
        let mut lists: Vec<(&Node, String)> = Vec::new();
        if is_sa(obj) {
            if let Some(l) = obj.root.get("imagePullSecrets") {
                lists.push((l, "imagePullSecrets".into()));
            }
        } else if !provides_secret(obj) {
            for pod in ctx.pods(obj) {
                if let Some(l) = pod.field("imagePullSecrets") {
                    lists.push((
                        l,
                        stockade_model::format_exact!("{}.imagePullSecrets", pod.path),
                    ));
                }
            }
        }
        let ns = obj.namespace.as_deref();
        for (list, path) in lists {
            for (i, item) in list.items().iter().enumerate() {
                let Some(name_node) = item.get("name") else {
                    continue;
                };
                let Some(name) = name_node.as_str() else {
                    continue;
                };
                let path = stockade_model::format_exact!("{path}[{i}].name");
                let found: Vec<Option<&str>> = secrets
                    .get(name)
                    .map(|v| {
                        v.iter()
                            .filter(|(s_ns, _)| same_namespace(ns, *s_ns))
                            .map(|(_, t)| *t)
                            .collect()
                    })
                    .unwrap_or_default();
                if found.is_empty() {
                    out.at(
                        obj,
                        name_node,
                        path,
                        stockade_model::format_exact!(
                            "pull secret \"{name}\" is not in the input (namespace {})",
                            ns.unwrap_or("(unset)")
                        ),
                    );
                } else if found
                    .iter()
                    .all(|t| t.is_some_and(|t| !PULL_TYPES.contains(&t)))
                {
                    out.at(
                        obj,
                        name_node,
                        path,
                        stockade_model::format_exact!(
                            "pull secret \"{name}\" is of type {}, not kubernetes.io/dockerconfigjson; the kubelet ignores it",
                            found[0].unwrap_or_default()
                        ),
                    );
                }
            }
        }
    }
}
