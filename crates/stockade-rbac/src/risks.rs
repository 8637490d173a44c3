//! Risky grants per subject, and the same as scan findings (`STK8xx`).

use std::borrow::Cow;
use std::collections::HashSet;

use serde::Serialize;
use stockade_model::{Finding, Object, ObjectRef, Severity};

use crate::eval::{group_matches, resource_matches, verb_matches};
use crate::policy::{
    BindingId, BindingKind, Loc, Policy, PolicyRule, RuleId, Subject, SubjectKind,
};

/// One kind of risky permission.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RiskKind {
    /// Stable check ID (`STK801`), never reused.
    pub id: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    /// Severity of a namespaced grant (cluster-wide grants of namespaced powers are critical).
    pub severity: Severity,
    /// Why it matters.
    pub why: &'static str,
    /// How to fix it.
    #[serde(skip)]
    pub remediation: &'static str,
}

macro_rules! kinds {
    ($($c:ident = $id:literal $name:literal $sev:ident $why:literal $fix:literal;)*) => {
        $(
            #[doc = $why]
            pub const $c: RiskKind = RiskKind {
                id: $id, name: $name, severity: Severity::$sev, why: $why, remediation: $fix,
            };
        )*
        /// Every risk kind, in ID order.
        pub const ALL: &[RiskKind] = &[$($c),*];
    };
}

kinds! {
    SECRETS_READ = "STK801" "rbac-secrets-read" High
        "can read Secrets, which hold credentials and ServiceAccount tokens"
        "Grant get on named Secrets only (resourceNames), never list or watch.";
    WORKLOAD_CREATE = "STK802" "rbac-workload-create" High
        "can create or change pods or workloads, and so run code as any ServiceAccount of the namespace"
        "Limit who creates workloads; use a deployment pipeline with a dedicated identity.";
    POD_EXEC = "STK803" "rbac-pod-exec" High
        "can exec or attach into running pods, taking over their processes and credentials"
        "Remove pods/exec and pods/attach, or restrict them to break-glass identities.";
    ESCALATE = "STK804" "rbac-escalate" Critical
        "can escalate: edit roles to grant permissions it does not hold"
        "Remove the escalate verb on roles and clusterroles.";
    BIND = "STK805" "rbac-bind" Critical
        "can bind any role, including ones with more permissions than it holds"
        "Remove the bind verb, or restrict it with resourceNames.";
    IMPERSONATE = "STK806" "rbac-impersonate" Critical
        "can impersonate other users, groups or ServiceAccounts and act with their rights"
        "Remove impersonate, or restrict it with resourceNames.";
    NODES_PROXY = "STK807" "rbac-nodes-proxy" Critical
        "can reach the kubelet API through nodes/proxy, which runs commands in any pod of the node"
        "Remove nodes/proxy; monitoring can use the metrics endpoints instead.";
    TOKEN_CREATE = "STK808" "rbac-serviceaccount-token-create" High
        "can mint tokens for ServiceAccounts and act as them"
        "Remove create on serviceaccounts/token, or restrict it with resourceNames.";
    CSR_APPROVE = "STK809" "rbac-csr-approve" High
        "can approve certificate signing requests, issuing client certificates for any identity"
        "Leave CSR approval to the controller manager.";
    WEBHOOK_EDIT = "STK810" "rbac-webhook-config-edit" High
        "can change admission webhook configurations, and so intercept or disable admission control"
        "Restrict admission webhook configuration changes to cluster administrators.";
    WILDCARD = "STK811" "rbac-wildcard" Medium
        "is granted `*` (verbs, resources or API groups), which also covers resources added later"
        "List the verbs, resources and API groups needed instead of `*`.";
    ANONYMOUS = "STK812" "rbac-anonymous-binding" Critical
        "grants permissions to system:anonymous, system:unauthenticated or every authenticated user"
        "Bind to named users, groups or ServiceAccounts instead.";
    DEFAULT_SA = "STK813" "rbac-default-serviceaccount" Medium
        "grants permissions to a namespace's default ServiceAccount, which every pod without serviceAccountName uses"
        "Create a dedicated ServiceAccount and bind the role to it.";
    MISSING_ROLE = "STK814" "rbac-missing-role" Low
        "refers to a role that does not exist: it grants nothing now, and whoever creates that role later grants it"
        "Create the role or delete the binding.";
    EVIDENCE_DELETE = "STK817" "rbac-evidence-delete" Medium
        "can delete pod logs or events, erasing the traces of what happened in the cluster"
        "Remove delete and deletecollection on pods/log and events; ship logs and events off the cluster.";
    CONFIGMAPS_WRITE = "STK818" "rbac-configmaps-write" Medium
        "can create, change or delete ConfigMaps, which steer workloads (CoreDNS's Corefile, EKS's aws-auth, application settings)"
        "Grant write access to named ConfigMaps only (resourceNames), or only to the controller that owns them.";
    BINDINGS_WRITE = "STK819" "rbac-bindings-write" Medium
        "can create or change role bindings, handing its own permissions (and any role it may bind) to other subjects"
        "Remove create, update and patch on rolebindings and clusterrolebindings, or restrict them with resourceNames.";
    NETWORK_WRITE = "STK820" "rbac-network-write" Medium
        "can change Services, endpoints, Ingresses or NetworkPolicies, and so redirect traffic or lift network isolation"
        "Grant get, list and watch on networking resources; leave writes to the deployment pipeline.";
    PORT_FORWARD = "STK821" "rbac-pod-portforward" Medium
        "can port-forward into pods, reaching their ports past Services and NetworkPolicies"
        "Remove create on pods/portforward, or restrict it to break-glass identities.";
    PV_CREATE = "STK822" "rbac-persistent-volume-create" High
        "can create PersistentVolumes, including hostPath volumes that expose node files to any pod that claims them"
        "Leave PersistentVolume creation to storage provisioners and cluster administrators.";
    DELETE = "STK823" "rbac-delete" Medium
        "can delete Secrets, pods, Services or workloads, and so destroy data or take applications down"
        "Grant delete only on the resources a subject owns, with resourceNames where possible.";
}

/// One risky grant.
#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    /// What kind.
    pub kind: RiskKind,
    /// Severity (after the cluster-wide bump).
    pub severity: Severity,
    /// Who (absent for a binding to a missing role).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    /// Namespace of the grant; `None` when cluster-wide.
    pub namespace: Option<String>,
    /// The binding.
    #[serde(skip)]
    pub binding: BindingId,
    /// `RoleBinding team/x`.
    #[serde(rename = "binding")]
    pub binding_name: String,
    /// The role (`ClusterRole edit`), if it exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Where the subject (or the binding) is written.
    pub location: Loc,
    /// The rule that grants it, if one does.
    #[serde(skip)]
    pub rule: Option<RuleId>,
    /// Where that rule is written.
    #[serde(rename = "ruleLocation", skip_serializing_if = "Option::is_none")]
    pub rule_loc: Option<Loc>,
    /// A plain sentence.
    pub message: String,
}

fn probe(rule: &PolicyRule, verbs: &[&str], group: &str, resources: &[&str]) -> bool {
    // Create requests carry no name, so resourceNames make a create-only grant harmless.
    if !rule.resource_names.is_empty() && verbs.iter().all(|v| *v == "create") {
        return false;
    }
    verbs.iter().any(|v| verb_matches(rule, v))
        && group_matches(rule, group)
        && resources.iter().any(|r| match r.split_once('/') {
            Some((res, sub)) => resource_matches(rule, res, sub),
            None => resource_matches(rule, r, ""),
        })
}

const WRITE: &[&str] = &["create", "update", "patch"];
const WRITE_DELETE: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];

/// The risk kinds one rule carries.
pub fn rule_risks(rule: &PolicyRule) -> Vec<RiskKind> {
    let all = |v: &Vec<String>| v.iter().any(|x| x == "*");
    if all(&rule.verbs) && all(&rule.api_groups) && all(&rule.resources) {
        // Full control: one finding says it; listing each power it implies is noise.
        return vec![WILDCARD];
    }
    let mut out = Vec::new();
    let checks: &[(RiskKind, &[&str], &str, &[&str])] = &[
        (SECRETS_READ, &["get", "list", "watch"], "", &["secrets"]),
        (
            WORKLOAD_CREATE,
            WRITE,
            "",
            &["pods", "replicationcontrollers"],
        ),
        (
            WORKLOAD_CREATE,
            WRITE,
            "apps",
            &["deployments", "daemonsets", "statefulsets", "replicasets"],
        ),
        (WORKLOAD_CREATE, WRITE, "batch", &["jobs", "cronjobs"]),
        (
            POD_EXEC,
            &["create", "get"],
            "",
            &["pods/exec", "pods/attach"],
        ),
        (
            ESCALATE,
            &["escalate"],
            crate::RBAC_GROUP,
            &["roles", "clusterroles"],
        ),
        (
            BIND,
            &["bind"],
            crate::RBAC_GROUP,
            &["roles", "clusterroles"],
        ),
        (
            IMPERSONATE,
            &["impersonate"],
            "",
            &["users", "groups", "serviceaccounts"],
        ),
        (
            IMPERSONATE,
            &["impersonate"],
            "authentication.k8s.io",
            &["userextras", "uids"],
        ),
        (NODES_PROXY, &["get", "create"], "", &["nodes/proxy"]),
        (TOKEN_CREATE, &["create"], "", &["serviceaccounts/token"]),
        (
            CSR_APPROVE,
            &["update", "patch"],
            "certificates.k8s.io",
            &["certificatesigningrequests/approval"],
        ),
        (
            EVIDENCE_DELETE,
            &["delete", "deletecollection"],
            "",
            &["pods/log", "events"],
        ),
        (
            EVIDENCE_DELETE,
            &["delete", "deletecollection"],
            "events.k8s.io",
            &["events"],
        ),
        (CONFIGMAPS_WRITE, WRITE_DELETE, "", &["configmaps"]),
        (
            BINDINGS_WRITE,
            WRITE,
            crate::RBAC_GROUP,
            &["rolebindings", "clusterrolebindings"],
        ),
        (
            NETWORK_WRITE,
            WRITE_DELETE,
            "",
            &["services", "services/status", "endpoints"],
        ),
        (
            NETWORK_WRITE,
            WRITE_DELETE,
            "discovery.k8s.io",
            &["endpointslices"],
        ),
        (
            NETWORK_WRITE,
            WRITE_DELETE,
            "networking.k8s.io",
            &["networkpolicies", "ingresses"],
        ),
        (PORT_FORWARD, &["create", "get"], "", &["pods/portforward"]),
        (PV_CREATE, &["create"], "", &["persistentvolumes"]),
        (
            DELETE,
            &["delete", "deletecollection"],
            "",
            &["secrets", "pods", "services"],
        ),
        (
            DELETE,
            &["delete", "deletecollection"],
            "apps",
            &["deployments", "replicasets", "daemonsets", "statefulsets"],
        ),
        (
            DELETE,
            &["delete", "deletecollection"],
            "batch",
            &["jobs", "cronjobs"],
        ),
        (
            WEBHOOK_EDIT,
            &["create", "update", "patch", "delete"],
            "admissionregistration.k8s.io",
            &[
                "validatingwebhookconfigurations",
                "mutatingwebhookconfigurations",
            ],
        ),
    ];
    for (kind, verbs, group, resources) in checks {
        if probe(rule, verbs, group, resources) && !out.iter().any(|k: &RiskKind| k.id == kind.id) {
            out.push(*kind);
        }
    }
    if all(&rule.verbs)
        || all(&rule.api_groups)
        || all(&rule.resources)
        || all(&rule.non_resource_urls)
    {
        out.push(WILDCARD);
    }
    out
}

/// Roles that the bootstrap policy binds to everyone on purpose (discovery and self-review).
const PUBLIC_ROLES: &[&str] = &[
    "system:discovery",
    "system:basic-user",
    "system:public-info-viewer",
];

impl Policy {
    /// Every risky grant, sorted by subject, then severity (highest first), then ID.
    pub fn risks(&self) -> Vec<Risk> {
        let mut out = Vec::new();
        // A role's rules are classified once, however many bindings use it.
        let mut rule_cache: Vec<Option<Vec<RiskKind>>> = vec![None; self.rules.len()];
        for (b, binding) in self.bindings.iter().enumerate() {
            let cluster = binding.kind == BindingKind::ClusterRoleBinding;
            let Some(role_id) = binding.role else {
                out.push(Risk {
                    kind: MISSING_ROLE,
                    severity: MISSING_ROLE.severity,
                    subject: None,
                    namespace: binding.namespace.clone(),
                    binding: b,
                    binding_name: binding.display(),
                    role: None,
                    location: binding.loc.clone(),
                    rule: None,
                    rule_loc: None,
                    message: format!(
                        "{} refers to {} {}, which does not exist: it grants nothing now, and whoever creates that role later grants it",
                        binding.display(),
                        binding.role_kind,
                        binding.role_name,
                    ),
                });
                continue;
            };
            let role = &self.roles[role_id];
            let mut kinds: Vec<(RiskKind, RuleId)> = Vec::new();
            for &r in &role.effective {
                let ks = rule_cache[r].get_or_insert_with(|| rule_risks(&self.rules[r].rule));
                for k in ks.iter() {
                    if !kinds.iter().any(|(x, _)| x.id == k.id) {
                        kinds.push((*k, r));
                    }
                }
            }
            let scope = match &binding.namespace {
                Some(ns) => format!("in namespace {ns}"),
                None => "cluster-wide".to_owned(),
            };
            let via = format!("via {} -> {}", binding.display(), role.display());
            for s in &binding.subjects {
                let subj = &s.subject;
                let mut push =
                    |kind: RiskKind, severity: Severity, rule: Option<RuleId>, what: String| {
                        out.push(Risk {
                            kind,
                            severity,
                            subject: Some(subj.clone()),
                            namespace: binding.namespace.clone(),
                            binding: b,
                            binding_name: binding.display(),
                            role: Some(role.display()),
                            location: s.loc.clone(),
                            rule,
                            rule_loc: rule.map(|r| self.rules[r].loc.clone()),
                            message: what,
                        });
                    };
                let public = matches!(
                    (subj.kind, subj.name.as_str()),
                    (SubjectKind::User, "system:anonymous")
                        | (
                            SubjectKind::Group,
                            "system:unauthenticated" | "system:authenticated"
                        )
                );
                if public
                    && !role.effective.is_empty()
                    && !PUBLIC_ROLES.contains(&role.name.as_str())
                {
                    let sev = if subj.name == "system:authenticated" {
                        Severity::High
                    } else {
                        Severity::Critical
                    };
                    push(
                        ANONYMOUS,
                        sev,
                        None,
                        format!(
                            "{subj} {scope} {} ({via})",
                            ANONYMOUS.why.replacen("grants", "is granted", 1)
                        ),
                    );
                }
                if subj.kind == SubjectKind::ServiceAccount
                    && subj.name == "default"
                    && !role.effective.is_empty()
                {
                    push(
                        DEFAULT_SA,
                        DEFAULT_SA.severity,
                        None,
                        format!(
                            "{subj} has permissions {scope} ({via}); every pod without serviceAccountName gets them"
                        ),
                    );
                }
                for &(kind, r) in &kinds {
                    let full = kind.id == WILDCARD.id && {
                        let rule = &self.rules[r].rule;
                        [&rule.verbs, &rule.api_groups, &rule.resources]
                            .iter()
                            .all(|v| v.iter().any(|x| x == "*"))
                    };
                    let rule = &self.rules[r].rule;
                    let limited = !full && !rule.resource_names.is_empty();
                    let mut severity = if full || (cluster && kind.severity >= Severity::High) {
                        Severity::Critical
                    } else {
                        kind.severity
                    };
                    if limited {
                        // Named objects only: still a risk, a smaller one.
                        severity = Severity::ALL[(severity as usize).saturating_sub(1)];
                    }
                    let mut what = if full {
                        format!(
                            "{subj} {scope}: has full control ({via}, rule {})",
                            self.rules[r].loc
                        )
                    } else {
                        format!(
                            "{subj} {scope}: {} ({via}, rule {})",
                            kind.why, self.rules[r].loc
                        )
                    };
                    if limited {
                        what.push_str(&format!(
                            " [only resourceNames: {}]",
                            rule.resource_names.join(", ")
                        ));
                    }
                    push(kind, severity, Some(r), what);
                }
            }
        }
        out.sort_by(|a, b| {
            a.subject
                .cmp(&b.subject)
                .then(b.severity.cmp(&a.severity))
                .then(a.kind.id.cmp(b.kind.id))
                .then(a.binding.cmp(&b.binding))
        });
        out
    }
}

/// The risky grants in `objects` as scan findings, one per subject and risk, at the line
/// of the subject in its binding (of the binding for a missing role). For the scan engine's
/// cross-object pass; the order is deterministic (file, line, check).
pub fn risk_findings<'a>(objects: impl IntoIterator<Item = &'a Object>) -> Vec<Finding> {
    let policy = Policy::from_objects(objects);
    let mut seen = HashSet::new();
    let mut out: Vec<Finding> = policy
        .risks()
        .into_iter()
        .filter(|r| seen.insert((r.kind.id, r.location.clone(), r.binding)))
        .map(|r| {
            let b = &policy.bindings[r.binding];
            let path = match &r.subject {
                Some(_) => b
                    .subjects
                    .iter()
                    .find(|s| s.loc == r.location)
                    .map_or("subjects".to_owned(), |s| format!("subjects[{}]", s.index)),
                None => "roleRef".to_owned(),
            };
            let object = ObjectRef {
                api_version: b.api_version.clone(),
                kind: b.kind.as_str().to_owned(),
                namespace: b.namespace.clone(),
                name: b.name.clone(),
            };
            finding(&r.kind, r.severity, r.message, &r.location, object, path)
        })
        .collect();
    out.extend(unbound_role_findings(&policy));
    out.sort_by(|a, b| (&a.file, a.line, &a.check).cmp(&(&b.file, b.line, &b.check)));
    out
}

/// A risk of `kind` as a scan finding at `at`, on `object`'s field `path`.
fn finding(
    kind: &RiskKind,
    severity: Severity,
    message: String,
    at: &Loc,
    object: ObjectRef,
    path: String,
) -> Finding {
    Finding {
        check: Cow::Borrowed(kind.id),
        name: Cow::Borrowed(kind.name),
        severity,
        message,
        file: at.file.clone(),
        template: None,
        line: at.line,
        column: 1,
        object: std::sync::Arc::new(object),
        container: None,
        path,
        remediation: Cow::Borrowed(kind.remediation),
        aliases: &[],
    }
}

/// The labels that aggregate a ClusterRole into the default user-facing roles, which every
/// cluster has and binds.
const AGGREGATE_TO: &[(&str, &str)] = &[
    ("rbac.authorization.k8s.io/aggregate-to-admin", "admin"),
    ("rbac.authorization.k8s.io/aggregate-to-edit", "edit"),
    ("rbac.authorization.k8s.io/aggregate-to-view", "view"),
];

/// Risky rules of roles that no binding of the input puts in force, at the rule: a role
/// labelled to aggregate into `admin`, `edit` or `view` is granted to everyone bound to
/// those (same severity); any other such role grants nothing yet, but whoever binds it later
/// gets the rule (one level lower). A role shadowed by a later definition of the same name
/// is left out: the definition in use is the one reported.
fn unbound_role_findings(policy: &Policy) -> Vec<Finding> {
    let mut live = vec![false; policy.rules.len()];
    for b in &policy.bindings {
        if let Some(role) = b.role {
            for &r in &policy.roles[role].effective {
                live[r] = true;
            }
        }
    }
    let mut out = Vec::new();
    for (id, role) in policy.roles.iter().enumerate() {
        let key = (role.kind, role.namespace.clone(), role.name.clone());
        if role.declared.iter().any(|&r| live[r]) || policy.role_index.get(&key) != Some(&id) {
            continue;
        }
        let aggregated: Vec<&str> = AGGREGATE_TO
            .iter()
            .filter(|(label, _)| role.labels.get(*label).map(String::as_str) == Some("true"))
            .map(|(_, to)| *to)
            .collect();
        let mut reported: Vec<&str> = Vec::new();
        for (i, &r) in role.declared.iter().enumerate() {
            for kind in rule_risks(&policy.rules[r].rule) {
                if reported.contains(&kind.id) {
                    continue;
                }
                reported.push(kind.id);
                let loc = &policy.rules[r].loc;
                let (severity, who) = if aggregated.is_empty() {
                    (
                        Severity::ALL[(kind.severity as usize).saturating_sub(1)],
                        "is bound by nothing in the input; whoever it is bound to".to_owned(),
                    )
                } else {
                    (
                        kind.severity,
                        format!(
                            "is aggregated into ClusterRole {}: everyone bound to it",
                            aggregated.join(", ")
                        ),
                    )
                };
                let object = ObjectRef {
                    api_version: role.api_version.clone(),
                    kind: role.kind.as_str().to_owned(),
                    namespace: role.namespace.clone(),
                    name: role.name.clone(),
                };
                let message = format!("{} {who} {} (rule {loc})", role.display(), kind.why);
                out.push(finding(
                    &kind,
                    severity,
                    message,
                    loc,
                    object,
                    format!("rules[{i}]"),
                ));
            }
        }
    }
    out
}
