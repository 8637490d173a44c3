//! ## What it does
//! Flags containers whose image comes from a private registry when neither the pod
//! (`imagePullSecrets`) nor its ServiceAccount in the scanned input provides a pull secret.
//!
//! A registry counts as needing no pull secret when it is public (`docker.io`, `ghcr.io`,
//! `quay.io`, `registry.k8s.io`, `k8s.gcr.io`, `gcr.io`, `mirror.gcr.io`, `mcr.microsoft.com`,
//! `public.ecr.aws`, `cgr.dev`, `docker.elastic.co`, `registry.access.redhat.com`), when it
//! is a cloud registry that nodes pull from with their own identity (ECR
//! `*.amazonaws.com`, ACR `*.azurecr.io`, Artifact Registry `*.pkg.dev`, regional `*.gcr.io`),
//! when it is on the node (`localhost`), or when it is listed in `public-registries`.
//!
//! ## Why it matters
//! Without credentials the kubelet cannot pull the image: pods sit in `ImagePullBackOff`
//! and the rollout stalls, which is only seen after deploying. The usual cause is a chart
//! value for pull secrets left empty when the image was moved to a private registry.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: registry.example.com/team/api:2.3.1 # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       imagePullSecrets:
//!         - name: registry-example-com
//!       containers:
//!         - name: api
//!           image: registry.example.com/team/api:2.3.1
//! ```
//!
//! ## Options
//! `public-registries`: registries (same forms as `allowed-registries`) to treat as public,
//! such as an anonymous internal mirror.
//!
//! Noise rule: a pod that names a ServiceAccount other than `default` which is not in the
//! input is skipped (that account may carry pull secrets). A pod on the `default` account is
//! judged even when the account is not in the input, since the default account has no pull
//! secrets unless someone added them; if your clusters do, add that ServiceAccount to the
//! input or list the registry in `public-registries`. Tekton Tasks (account set by the run)
//! are skipped. An unset namespace on either side matches any namespace.

use foldhash::{HashMap, HashMapExt};
use stockade_model::PodSpec;

use stockade_model::{Object, Severity};

use super::helpers::{ImageRef, pull_needs_no_secret};
use crate::checks::correctness::helpers::same_namespace;
use crate::checks::secrets::helpers::account_set_by_run;
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK206",
    name: "image-pull-secret-missing",
    category: Category::Images,
    severity: Severity::Medium,
    default_on: true,
    summary: "Private-registry image with no pull secret on the pod or its ServiceAccount",
    remediation: "Add `imagePullSecrets` to the pod spec or to its ServiceAccount, or list the registry in `public-registries` if it allows anonymous pulls.",
    references: &[],
    aliases: &[],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn is_sa(o: &Object) -> bool {
    o.kind == "ServiceAccount" && o.group().is_empty()
}

fn wants(o: &Object, pods: &[PodSpec<'_>]) -> bool {
    is_sa(o) || !pods.is_empty()
}

fn has_items(n: Option<&stockade_model::Node>) -> bool {
    n.is_some_and(|n| !n.items().is_empty())
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    // Name -> (namespace, has pull secrets) of every ServiceAccount.
    let mut accounts: HashMap<&str, Vec<(Option<&str>, bool)>> = HashMap::new();
    for sa in ctx.objects.iter().filter(|o| is_sa(o)) {
        accounts.entry(sa.name.as_str()).or_default().push((
            sa.namespace.as_deref(),
            has_items(sa.root.get("imagePullSecrets")),
        ));
    }
    let extra = &ctx.options.public_registries;
    for obj in ctx
        .objects
        .iter()
        .filter(|o| !is_sa(o) && !account_set_by_run(o))
    {
        let ns = obj.namespace.as_deref();
        for pod in ctx.pods(obj) {
            if has_items(pod.field("imagePullSecrets")) {
                continue;
            }
            let account = ["serviceAccountName", "serviceAccount"]
                .into_iter()
                .find_map(|k| pod.field(k).and_then(|n| n.as_str()))
                .unwrap_or("default");
            let found: Vec<bool> = accounts
                .get(account)
                .map(|v| {
                    v.iter()
                        .filter(|(sa_ns, _)| same_namespace(ns, *sa_ns))
                        .map(|(_, s)| *s)
                        .collect()
                })
                .unwrap_or_default();
            if found.iter().any(|s| *s) || (found.is_empty() && account != "default") {
                continue;
            }
            let account_note = if found.is_empty() {
                " (not in the input, so assumed to have none)"
            } else {
                ""
            };
            for c in &pod.containers {
                let Some(image) = c.image() else { continue };
                if pull_needs_no_secret(&ImageRef::parse(image), extra) {
                    continue;
                }
                let node = c.node.get("image").unwrap_or(c.node);
                out.at(
                    obj,
                    node,
                    stockade_model::format_exact!("{}.image", c.path),
                    stockade_model::format_exact!(
                        "{} image `{image}` is from a private registry, and neither the pod nor ServiceAccount \"{account}\"{account_note} has imagePullSecrets",
                        c.label()
                    ),
                );
            }
        }
    }
}
