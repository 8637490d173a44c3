//! ## What it does
//! Flags Namespaces without a `pod-security.kubernetes.io/enforce` label when the input holds no
//! other admission policy mechanism: no Validating- or MutatingWebhookConfiguration with a rule
//! that covers namespaced resources (`scope` unset, `*` or `Namespaced`), no
//! ValidatingAdmissionPolicyBinding, no Kyverno (Cluster)Policy and no Gatekeeper
//! ConstraintTemplate. `enforce-version` alone enforces nothing (the level defaults to
//! `privileged`) and does not count. The finding points at the Namespace's `metadata.labels` (at `metadata`
//! when it has none).
//!
//! ## Why it matters
//! Pod Security Admission is on in every cluster since 1.25, but it enforces nothing in a
//! namespace without the label: privileged pods, host namespaces and hostPath volumes are all
//! admitted. Unless another admission controller takes that role, nothing stops a workload (or
//! whoever can create pods there) from taking over the node. CIS 5.2.1.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Namespace
//! metadata: # finding
//!   name: shop
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Namespace
//! metadata:
//!   name: shop
//!   labels:
//!     pod-security.kubernetes.io/enforce: baseline
//! ```
//!
//! ## Options
//! None. Opt-in: select it (`--select namespace-without-pod-security-enforcement`). Which level
//! each namespace should enforce is `stockade pss suggest`'s question.
//!
//! ## References
//! - CIS Kubernetes Benchmark 5.2.1
//! - Pod Security Admission: <https://kubernetes.io/docs/concepts/security/pod-security-admission/>

use stockade_model::{Object, PodSpec, Severity};

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK703",
    name: "namespace-without-pod-security-enforcement",
    category: Category::Namespaces,
    severity: Severity::Medium,
    default_on: false,
    summary: "Namespace enforces no Pod Security level and no other admission policy is in the input",
    remediation: "Label the namespace `pod-security.kubernetes.io/enforce: baseline` (or `restricted`), or deploy a policy engine that covers it.",
    references: &["CIS 5.2.1"],
    aliases: &["kubescape:C-0192"],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn is_namespace(o: &Object) -> bool {
    o.kind == "Namespace" && o.group().is_empty()
}

/// An admission mechanism that can enforce policy on namespaced objects.
fn is_policy_control(o: &Object) -> bool {
    match (o.group(), o.kind.as_str()) {
        (
            "admissionregistration.k8s.io",
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration",
        ) => o.root.get("webhooks").is_some_and(|w| {
            w.items().iter().any(|h| {
                h.get("rules").is_some_and(|r| {
                    r.items()
                        .iter()
                        .any(|rule| rule.str_at("scope").unwrap_or("*") != "Cluster")
                })
            })
        }),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding") => true,
        ("kyverno.io", "ClusterPolicy" | "Policy") => true,
        ("templates.gatekeeper.sh", "ConstraintTemplate") => true,
        _ => false,
    }
}

fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    is_namespace(o) || is_policy_control(o)
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    if ctx.objects.iter().any(|o| is_policy_control(o)) {
        return;
    }
    for ns in ctx.objects.iter().filter(|o| is_namespace(o)) {
        let meta = ns.metadata();
        let labels = meta.get("labels").filter(|l| l.is_map());
        let enforced = labels.is_some_and(|l| {
            l.entries()
                .iter()
                .any(|e| &*e.key == "pod-security.kubernetes.io/enforce")
        });
        if enforced {
            continue;
        }
        let (node, path) = match labels {
            Some(l) => (l, "metadata.labels"),
            None => (meta, "metadata"),
        };
        out.at(
            ns,
            node,
            path,
            stockade_model::format_exact!(
                "Namespace \"{}\" has no pod-security.kubernetes.io/enforce label and no admission policy engine is in the input: any pod is admitted",
                ns.name
            ),
        );
    }
}
