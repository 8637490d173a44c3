//! Exports built-in checks as ValidatingAdmissionPolicies and bindings
//! (admissionregistration.k8s.io/v1), so the API server enforces them in CEL with no webhook.
//!
//! Each exportable check has a hand-written CEL translation in [`table`]. A policy matches
//! Pods and the workload kinds that hold a pod template (Deployment, StatefulSet, DaemonSet,
//! ReplicaSet, ReplicationController, Job, CronJob); its variables find the pod spec, its
//! securityContext, its containers (regular, init and ephemeral) and the template's
//! annotations, as the checks read them. Checks without a translation are reported with the
//! reason, never dropped silently.

pub mod table;

use serde_json::{Value as Json, json};
use stockade_checks::{Check, Run};

pub use table::{Scope, Translation};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A translation does not compile (a bug in the table, caught by the tests).
    #[error("{id}: the CEL translation does not compile: {message}\n  expression: {expression}")]
    Compile {
        /// The check.
        id: String,
        /// The expression after expansion.
        expression: String,
        /// The compiler's message.
        message: String,
    },
    /// The YAML could not be rendered.
    #[error("cannot render YAML: {0}")]
    Render(String),
}

/// The binding's `validationActions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Action {
    /// Reject the request.
    #[default]
    Deny,
    /// Admit with a warning.
    Warn,
    /// Admit and record an audit annotation.
    Audit,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Deny => "Deny",
            Action::Warn => "Warn",
            Action::Audit => "Audit",
        }
    }
}

/// The policy's variables, in order: the pod spec (`{}` when the object holds none), its
/// securityContext, all its containers, and the pod template's annotations.
pub const VARIABLES: &[(&str, &str)] = &[
    (
        "spec",
        "object.kind == 'Pod' ? (has(object.spec) ? object.spec : {}) : object.kind == 'CronJob' ? (has(object.spec) && has(object.spec.jobTemplate) && has(object.spec.jobTemplate.spec) && has(object.spec.jobTemplate.spec.template) && has(object.spec.jobTemplate.spec.template.spec) ? object.spec.jobTemplate.spec.template.spec : {}) : (has(object.spec) && has(object.spec.template) && has(object.spec.template.spec) ? object.spec.template.spec : {})",
    ),
    (
        "psc",
        "has(variables.spec.securityContext) ? variables.spec.securityContext : {}",
    ),
    (
        "containers",
        "(has(variables.spec.containers) ? variables.spec.containers : []) + (has(variables.spec.initContainers) ? variables.spec.initContainers : []) + (has(variables.spec.ephemeralContainers) ? variables.spec.ephemeralContainers : [])",
    ),
    (
        "annotations",
        "object.kind == 'Pod' ? (has(object.metadata) && has(object.metadata.annotations) ? object.metadata.annotations : {}) : object.kind == 'CronJob' ? (has(object.spec) && has(object.spec.jobTemplate) && has(object.spec.jobTemplate.spec) && has(object.spec.jobTemplate.spec.template) && has(object.spec.jobTemplate.spec.template.metadata) && has(object.spec.jobTemplate.spec.template.metadata.annotations) ? object.spec.jobTemplate.spec.template.metadata.annotations : {}) : (has(object.spec) && has(object.spec.template) && has(object.spec.template.metadata) && has(object.spec.template.metadata.annotations) ? object.spec.template.metadata.annotations : {})",
    ),
];

/// The resources an exported policy matches: (API group, resources).
pub const RESOURCES: &[(&str, &[&str])] = &[
    (
        "",
        &["pods", "pods/ephemeralcontainers", "replicationcontrollers"],
    ),
    (
        "apps",
        &["deployments", "statefulsets", "daemonsets", "replicasets"],
    ),
    ("batch", &["jobs", "cronjobs"]),
];

/// securityContext fields a container inherits from the pod's.
const INHERITED: &[&str] = &[
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "seLinuxOptions",
    "seccompProfile",
    "windowsOptions",
    "appArmorProfile",
];

fn profile(field: &str, container_annotation: &str, pod_annotation: Option<&str>) -> String {
    let kind = |v: &str| {
        format!(
            "({v} in ['runtime/default', 'docker/default'] ? 'RuntimeDefault' : {v} == 'unconfined' ? 'Unconfined' : {v}.startsWith('localhost/') ? 'Localhost' : 'other')"
        )
    };
    let field_type =
        |base: &str| format!("(has({base}.{field}.type) ? string({base}.{field}.type) : 'other')");
    let key = format!("'{container_annotation}' + (has(c.name) ? c.name : '')");
    let tail = match pod_annotation {
        Some(a) => format!(
            "'{a}' in variables.annotations ? {} : 'none'",
            kind(&format!("variables.annotations['{a}']"))
        ),
        None => "'none'".to_string(),
    };
    format!(
        "(has(c.securityContext) && has(c.securityContext.{field}) ? {} : ({key}) in variables.annotations ? {} : has(variables.psc.{field}) ? {} : {tail})",
        field_type("c.securityContext"),
        kind(&format!("variables.annotations[{key}]")),
        field_type("variables.psc"),
    )
}

/// Expands the shorthands of [`table`] into plain CEL.
pub fn expand(src: &str) -> String {
    let mut out = String::with_capacity(src.len() * 4);
    let mut rest = src;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        let name_len = rest
            .find(|ch: char| !ch.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        if name.is_empty() {
            // A regex anchor, not a shorthand.
            out.push('$');
            continue;
        }
        rest = &rest[name_len..];
        let arg = if rest.starts_with('(') {
            let mut depth = 0;
            let mut end = 0;
            for (j, ch) in rest.char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let a = expand(&rest[1..end]);
            rest = &rest[end + 1..];
            Some(a)
        } else {
            None
        };
        let arg = arg.unwrap_or_default();
        let own = |f: &str| {
            format!(
                "(has(c.securityContext) && has(c.securityContext.{f}) ? c.securityContext.{f} : null)"
            )
        };
        let caps = |list: &str| {
            format!(
                "(has(c.securityContext) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.{list}) ? c.securityContext.capabilities.{list} : [])"
            )
        };
        out.push_str(&match name {
            "sc" if INHERITED.contains(&arg.as_str()) => format!(
                "(has(c.securityContext) && has(c.securityContext.{arg}) ? c.securityContext.{arg} : has(variables.psc.{arg}) ? variables.psc.{arg} : null)"
            ),
            "sc" | "csc" => own(&arg),
            "add" => caps("add"),
            "drop" => caps("drop"),
            "written" => format!("string({arg}).trim().upperAscii()"),
            "cap" => format!(
                "(string({arg}).trim().upperAscii().startsWith('CAP_') ? string({arg}).trim().upperAscii().substring(4) : string({arg}).trim().upperAscii())"
            ),
            "windows" => "(has(variables.spec.os) && has(variables.spec.os.name) && variables.spec.os.name == 'windows')".to_string(),
            "port" => format!(
                "(type({arg}) == int ? {arg} : type({arg}) == string && {arg}.trim().matches('^-?[0-9]{{1,18}}$') ? int({arg}.trim()) : 0)"
            ),
            "seccomp" => profile(
                "seccompProfile",
                "container.seccomp.security.alpha.kubernetes.io/",
                Some("seccomp.security.alpha.kubernetes.io/pod"),
            ),
            "apparmor" => profile(
                "appArmorProfile",
                "container.apparmor.security.beta.kubernetes.io/",
                None,
            ),
            other => panic!("unknown shorthand ${other} in the CEL table"),
        });
    }
    out.push_str(rest);
    out
}

/// The validation expression of a translation: true when the object is admitted.
pub fn validation(t: &Translation) -> String {
    let bad = expand(t.bad);
    let cond = match t.scope {
        Scope::Container => format!("variables.containers.exists(c, {bad})"),
        Scope::Pod => format!("({bad})"),
    };
    // An object without a pod spec (no `containers` list) is not the checks' business.
    format!("!has(variables.spec.containers) || !{cond}")
}

/// The policy's name for a check.
pub fn policy_name(check: &Check) -> String {
    format!("stockade-{}", check.name)
}

/// The ValidatingAdmissionPolicy and its binding for one check.
pub fn documents(check: &Check, t: &Translation, action: Action) -> (Json, Json) {
    let name = policy_name(check);
    let rules: Vec<Json> = RESOURCES
        .iter()
        .map(|(group, resources)| {
            json!({
                "apiGroups": [group],
                "apiVersions": ["*"],
                "operations": ["CREATE", "UPDATE"],
                "resources": resources,
            })
        })
        .collect();
    let message = format!("{} {}: {}", check.id, check.name, check.summary);
    let mut validation_doc = json!({
        "expression": validation(t),
        "message": message,
        "reason": "Forbidden",
    });
    if t.scope == Scope::Container {
        validation_doc["messageExpression"] = json!(format!(
            "'{} {}: ' + variables.containers.filter(c, {}).map(c, has(c.name) ? string(c.name) : '(unnamed)').join(', ') + ': {}'",
            check.id,
            check.name,
            expand(t.bad),
            cel_quote(check.summary),
        ));
    }
    let labels = json!({"app.kubernetes.io/managed-by": "stockade"});
    let annotations = json!({
        "stockade.dev/check": check.id,
        "stockade.dev/remediation": check.remediation,
    });
    let policy = json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name, "labels": labels, "annotations": annotations},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": rules},
            "variables": VARIABLES
                .iter()
                .map(|(n, e)| json!({"name": n, "expression": e}))
                .collect::<Vec<_>>(),
            "validations": [validation_doc],
        },
    });
    let binding = json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "policyName": name,
            "validationActions": [action.as_str()],
        },
    });
    (policy, binding)
}

fn cel_quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\'', "\\'")
}

/// Why a check cannot be exported, or None when it can.
pub fn not_exportable(check: &Check) -> Option<String> {
    if table::translation(check.id).is_some() {
        return None;
    }
    Some(match check.run {
        Run::Set { .. } => {
            "looks across objects (a set check); a policy sees one object at a time".to_string()
        }
        Run::Dockerfile(_) => "reads Dockerfiles, which never reach the API server".to_string(),
        Run::Image(_) => "reads built images, which never reach the API server".to_string(),
        Run::Engine => "reported by the scan engine itself".to_string(),
        Run::Object(_) => table::reason(check.id)
            .unwrap_or("no CEL translation written for it yet")
            .to_string(),
    })
}

/// The result of an export.
#[derive(Debug, Default)]
pub struct Export {
    /// The YAML stream: a header comment, then a policy and a binding per exported check.
    pub yaml: String,
    /// The IDs of the exported checks.
    pub exported: Vec<&'static str>,
    /// The checks left out, with the reason.
    pub skipped: Vec<(&'static Check, String)>,
}

/// Exports `checks`. Every expression is compiled with Stockade's CEL environment before it
/// is written.
pub fn export(checks: &[&'static Check], action: Action) -> Result<Export, ExportError> {
    let mut out = Export::default();
    let mut docs = Vec::new();
    for &check in checks {
        if let Some(why) = not_exportable(check) {
            out.skipped.push((check, why));
            continue;
        }
        let t = table::translation(check.id).expect("checked above");
        let (policy, binding) = documents(check, t, action);
        for e in expressions(&policy) {
            stockade_policy::cel_ext::compile(&e).map_err(|message| ExportError::Compile {
                id: check.id.to_string(),
                expression: e.clone(),
                message,
            })?;
        }
        out.exported.push(check.id);
        docs.push(policy);
        docs.push(binding);
    }
    let mut yaml = String::from(
        "# ValidatingAdmissionPolicies generated by `stockade export vap`: each enforces one\n# built-in check in the API server (Kubernetes 1.30+), with no webhook.\n",
    );
    yaml.push_str(&format!(
        "# exported: {}\n",
        if out.exported.is_empty() {
            "none".to_string()
        } else {
            out.exported.join(", ")
        }
    ));
    for (c, why) in &out.skipped {
        yaml.push_str(&format!("# not exportable: {} {}: {why}\n", c.id, c.name));
    }
    for d in &docs {
        yaml.push_str("---\n");
        yaml.push_str(&serde_saphyr::to_string(d).map_err(|e| ExportError::Render(e.to_string()))?);
    }
    out.yaml = yaml;
    Ok(out)
}

/// Every CEL expression of a policy document.
pub fn expressions(policy: &Json) -> Vec<String> {
    let mut out = Vec::new();
    let spec = &policy["spec"];
    for key in ["variables", "validations", "matchConditions"] {
        for v in spec[key].as_array().into_iter().flatten() {
            for field in ["expression", "messageExpression"] {
                if let Some(e) = v[field].as_str() {
                    out.push(e.to_string());
                }
            }
        }
    }
    out
}
