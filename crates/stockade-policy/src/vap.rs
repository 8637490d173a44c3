//! ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
//! (admissionregistration.k8s.io v1 and v1beta1), evaluated as the API server does for a
//! CREATE of the object: matchConstraints and the binding's matchResources select it,
//! matchConditions gate it, `variables` and the validations run in CEL ([`crate::cel_ext`])
//! with `object`, `oldObject` (null), `params`, `namespaceObject`, `request` and `variables`,
//! under the API server's cost limits.

use std::collections::HashMap;
use std::sync::Arc;

use cel::{Context, Value};
use serde_json::{Value as Json, json};
use stockade_model::Severity;

use crate::PolicyError;
use crate::cel_ext::{self, Compiled, EvalError, json_to_value};
use crate::gatekeeper::{Origin, group_version, selector_selects, string_list};

/// The API server's per-expression cost limit (`PerCallLimit`).
pub const PER_EXPRESSION_LIMIT: u64 = 1_000_000;
/// The API server's budget for one policy evaluation (`RuntimeCELCostBudget`).
pub const PER_EVALUATION_BUDGET: u64 = 10_000_000;

/// Cost limits, in the units [`cel_ext`] counts (comprehension iterations and library work).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The most one expression may use.
    pub per_expression: u64,
    /// The most all expressions of one policy on one object (and one params object) may use.
    pub per_evaluation: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            per_expression: PER_EXPRESSION_LIMIT,
            per_evaluation: PER_EVALUATION_BUDGET,
        }
    }
}

/// `validationActions` of a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ValidationAction {
    /// Reject the request.
    Deny,
    /// Return a warning.
    Warn,
    /// Record an audit annotation.
    Audit,
}

impl ValidationAction {
    /// The finding severity: Deny high, Warn medium, Audit low.
    pub fn severity(self) -> Severity {
        match self {
            ValidationAction::Deny => Severity::High,
            ValidationAction::Warn => Severity::Medium,
            ValidationAction::Audit => Severity::Low,
        }
    }
}

/// `failurePolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailurePolicy {
    /// An error denies (the default).
    Fail,
    /// An error is ignored.
    Ignore,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    All,
    Cluster,
    Namespaced,
}

#[derive(Debug, Clone)]
struct Rule {
    groups: Vec<String>,
    versions: Vec<String>,
    resources: Vec<String>,
    operations: Vec<String>,
    names: Vec<String>,
    scope: Scope,
}

/// `matchConstraints` of a policy or `matchResources` of a binding.
#[derive(Debug, Clone, Default)]
pub struct MatchResources {
    rules: Vec<Rule>,
    exclude: Vec<Rule>,
    namespace_selector: Option<Json>,
    object_selector: Option<Json>,
}

fn any_or(list: &[String], value: &str) -> bool {
    list.iter().any(|x| x == "*" || x == value)
}

/// Kinds whose objects have no namespace.
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "IngressClass",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PriorityClass",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

/// The resource (plural, lowercase) of the core kinds; other kinds take the plural rule.
const RESOURCES: &[(&str, &str)] = &[
    ("Binding", "bindings"),
    ("ClusterRole", "clusterroles"),
    ("ClusterRoleBinding", "clusterrolebindings"),
    ("ConfigMap", "configmaps"),
    ("CronJob", "cronjobs"),
    ("CustomResourceDefinition", "customresourcedefinitions"),
    ("DaemonSet", "daemonsets"),
    ("Deployment", "deployments"),
    ("Endpoints", "endpoints"),
    ("EndpointSlice", "endpointslices"),
    ("Event", "events"),
    ("HorizontalPodAutoscaler", "horizontalpodautoscalers"),
    ("Ingress", "ingresses"),
    ("IngressClass", "ingressclasses"),
    ("Job", "jobs"),
    ("Lease", "leases"),
    ("LimitRange", "limitranges"),
    ("Namespace", "namespaces"),
    ("NetworkPolicy", "networkpolicies"),
    ("Node", "nodes"),
    ("PersistentVolume", "persistentvolumes"),
    ("PersistentVolumeClaim", "persistentvolumeclaims"),
    ("Pod", "pods"),
    ("PodDisruptionBudget", "poddisruptionbudgets"),
    ("PodTemplate", "podtemplates"),
    ("PriorityClass", "priorityclasses"),
    ("ReplicaSet", "replicasets"),
    ("ReplicationController", "replicationcontrollers"),
    ("ResourceQuota", "resourcequotas"),
    ("Role", "roles"),
    ("RoleBinding", "rolebindings"),
    ("RuntimeClass", "runtimeclasses"),
    ("Secret", "secrets"),
    ("Service", "services"),
    ("ServiceAccount", "serviceaccounts"),
    ("StatefulSet", "statefulsets"),
    ("StorageClass", "storageclasses"),
    (
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
    ),
    (
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
    ),
];

/// The resource name of a kind: the table above, else the lowercase plural (`-s`, `-es`
/// after s/x/z/ch/sh, `-ies` after a consonant and `y`).
pub fn resource_of(kind: &str) -> String {
    if let Some((_, r)) = RESOURCES.iter().find(|(k, _)| *k == kind) {
        return (*r).to_string();
    }
    let k = kind.to_ascii_lowercase();
    if k.ends_with('s')
        || k.ends_with('x')
        || k.ends_with('z')
        || k.ends_with("ch")
        || k.ends_with("sh")
    {
        format!("{k}es")
    } else if let Some(stem) = k.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{k}s")
    }
}

/// Whether objects of a kind live in a namespace.
pub fn is_namespaced(kind: &str) -> bool {
    !CLUSTER_SCOPED.contains(&kind)
}

impl Rule {
    fn from_json(r: &Json) -> Result<Self, String> {
        let scope = match r.get("scope").and_then(Json::as_str) {
            None | Some("*") => Scope::All,
            Some("Cluster") => Scope::Cluster,
            Some("Namespaced") => Scope::Namespaced,
            Some(other) => {
                return Err(format!(
                    "unknown scope `{other}` (expected *, Cluster or Namespaced)"
                ));
            }
        };
        Ok(Rule {
            groups: string_list(r.get("apiGroups")),
            versions: string_list(r.get("apiVersions")),
            resources: string_list(r.get("resources")),
            operations: string_list(r.get("operations")),
            names: string_list(r.get("resourceNames")),
            scope,
        })
    }

    fn matches_kind(&self, t: &Target) -> bool {
        any_or(&self.groups, t.group)
            && any_or(&self.versions, t.version)
            && self
                .resources
                .iter()
                .any(|r| r == "*" || r == "*/*" || *r == t.resource)
            && any_or(&self.operations, "CREATE")
            && match self.scope {
                Scope::All => true,
                Scope::Cluster => !t.namespaced,
                Scope::Namespaced => t.namespaced,
            }
    }

    fn matches(&self, t: &Target) -> bool {
        self.matches_kind(t) && (self.names.is_empty() || self.names.iter().any(|n| n == t.name))
    }
}

fn selector(v: Option<&Json>) -> Option<Json> {
    v.filter(|s| {
        s.get("matchLabels")
            .and_then(Json::as_object)
            .is_some_and(|m| !m.is_empty())
            || s.get("matchExpressions")
                .and_then(Json::as_array)
                .is_some_and(|m| !m.is_empty())
    })
    .cloned()
}

impl MatchResources {
    fn from_json(m: &Json) -> Result<Self, String> {
        let rules = |key: &str| -> Result<Vec<Rule>, String> {
            m.get(key)
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .map(Rule::from_json)
                .collect()
        };
        Ok(MatchResources {
            rules: rules("resourceRules")?,
            exclude: rules("excludeResourceRules")?,
            namespace_selector: selector(m.get("namespaceSelector")),
            object_selector: selector(m.get("objectSelector")),
        })
    }

    /// Whether the namespace selector needs the Namespace object.
    fn needs_namespace(&self) -> bool {
        self.namespace_selector.is_some()
    }

    /// Whether the rules select the object's kind (selectors and names not considered).
    fn selects_kind(&self, t: &Target, empty_matches: bool) -> bool {
        (self.rules.is_empty() && empty_matches) || self.rules.iter().any(|r| r.matches_kind(t))
    }

    /// Whether it selects the object. `empty_matches`: whether no resourceRules means every
    /// resource (a binding's matchResources) or none (a policy's matchConstraints).
    fn matches(&self, t: &Target, namespace_labels: Option<&Json>, empty_matches: bool) -> bool {
        if !((self.rules.is_empty() && empty_matches) || self.rules.iter().any(|r| r.matches(t))) {
            return false;
        }
        if self.exclude.iter().any(|r| r.matches(t)) {
            return false;
        }
        if let Some(sel) = &self.object_selector
            && !selector_selects(sel, t.labels)
        {
            return false;
        }
        if let Some(sel) = &self.namespace_selector {
            let labels = if t.group.is_empty() && t.kind == "Namespace" {
                t.labels
            } else if t.namespaced {
                namespace_labels
            } else {
                // Other cluster-scoped objects are never skipped by a namespaceSelector.
                return true;
            };
            if !selector_selects(sel, labels) {
                return false;
            }
        }
        true
    }
}

/// The object under review, as the matchers see it.
pub struct Target<'a> {
    group: &'a str,
    version: &'a str,
    kind: &'a str,
    resource: String,
    name: &'a str,
    namespace: &'a str,
    namespaced: bool,
    labels: Option<&'a Json>,
}

impl<'a> Target<'a> {
    /// The target of an object in JSON form.
    pub fn of(o: &'a Json) -> Self {
        let s = |p: &str| o.pointer(p).and_then(Json::as_str).unwrap_or_default();
        let (group, version) = group_version(s("/apiVersion"));
        let kind = s("/kind");
        Target {
            group,
            version,
            kind,
            resource: resource_of(kind),
            name: s("/metadata/name"),
            namespace: s("/metadata/namespace"),
            namespaced: is_namespaced(kind),
            labels: o.pointer("/metadata/labels"),
        }
    }

    /// The `request` variable: a CREATE of the object by an unknown user.
    fn request(&self) -> Json {
        let kind = json!({"group": self.group, "version": self.version, "kind": self.kind});
        let resource =
            json!({"group": self.group, "version": self.version, "resource": self.resource});
        json!({
            "uid": "",
            "kind": kind,
            "resource": resource,
            "subResource": "",
            "requestKind": kind,
            "requestResource": resource,
            "requestSubResource": "",
            "name": self.name,
            "namespace": self.namespace,
            "operation": "CREATE",
            // Zero values, as a typed request reads when no user is known.
            "userInfo": {"username": "", "uid": "", "groups": [], "extra": {}},
            "dryRun": false,
        })
    }
}

/// One validation.
#[derive(Debug)]
struct Validation {
    expr: Compiled,
    message: Option<String>,
    message_expr: Option<Compiled>,
    reason: String,
}

/// A ValidatingAdmissionPolicy, its expressions compiled.
#[derive(Debug)]
pub struct Vap {
    /// `metadata.name`: the check ID of its findings.
    pub name: String,
    /// Where it was read.
    pub origin: Origin,
    /// `spec.paramKind` (apiVersion, kind).
    pub param_kind: Option<(String, String)>,
    constraints: MatchResources,
    match_conditions: Vec<(String, Compiled)>,
    variables: Vec<(String, Compiled)>,
    validations: Vec<Validation>,
    audit_annotations: Vec<(String, Compiled)>,
    /// `spec.failurePolicy`.
    pub failure_policy: FailurePolicy,
    uses_variables: bool,
    uses_namespace: bool,
}

/// `spec.paramRef` of a binding.
#[derive(Debug, Clone)]
pub struct ParamRef {
    name: Option<String>,
    namespace: Option<String>,
    selector: Option<Json>,
    deny_when_missing: bool,
}

/// A ValidatingAdmissionPolicyBinding.
#[derive(Debug, Clone)]
pub struct Binding {
    /// `metadata.name`.
    pub name: String,
    /// Where it was read.
    pub origin: Origin,
    /// `spec.policyName`.
    pub policy_name: String,
    param_ref: Option<ParamRef>,
    match_resources: Option<MatchResources>,
    /// `spec.validationActions`, sorted.
    pub actions: Vec<ValidationAction>,
}

fn compile_in(
    origin: &Origin,
    owner: &str,
    what: &str,
    src: &str,
) -> Result<Compiled, PolicyError> {
    let c = cel_ext::compile(src)
        .map_err(|e| origin.invalid(format!("{owner}: {what} `{src}` does not compile: {e}")))?;
    if c.references("authorizer") {
        return Err(origin.invalid(format!(
            "{owner}: {what} `{src}` uses `authorizer`, which is not supported offline (no API server to ask)"
        )));
    }
    Ok(c)
}

/// The variables Gatekeeper adds to a K8sNativeValidation template's `variables`.
const GATEKEEPER_VARIABLES: &[&str] = &["params", "anyObject"];

/// Checks, when a ConstraintTemplate loads, the CEL of its K8sNativeValidation `source`
/// (matchConditions, variables, validations and their messageExpressions) as a policy's:
/// it must compile, read known variables and call known functions. Stockade runs the
/// template's Rego; this catches the CEL that would fail in a cluster running the CEL engine.
pub(crate) fn check_k8s_native(
    origin: &Origin,
    template: &str,
    source: &Json,
) -> Result<(), PolicyError> {
    let owner = format!("ConstraintTemplate {template} (K8sNativeValidation)");
    let list = |key: &str| {
        source
            .get(key)
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
    };
    let mut declared: Vec<String> = GATEKEEPER_VARIABLES.iter().map(|v| v.to_string()).collect();
    for v in list("variables") {
        if let Some(e) = v.get("expression").and_then(Json::as_str) {
            let c = compile_in(origin, &owner, "variable", e)?;
            check_names(origin, &owner, "variable", &c, &declared)?;
        }
        if let Some(n) = v.get("name").and_then(Json::as_str) {
            declared.push(n.to_string());
        }
    }
    let fields = [
        ("matchConditions", "expression", "matchCondition"),
        ("validations", "expression", "expression"),
        ("validations", "messageExpression", "messageExpression"),
    ];
    for (key, field, what) in fields {
        for e in list(key).filter_map(|v| v.get(field).and_then(Json::as_str)) {
            let c = compile_in(origin, &owner, what, e)?;
            check_names(origin, &owner, what, &c, &declared)?;
        }
    }
    Ok(())
}

/// The variables a policy's expressions may read.
pub const BINDINGS: &[&str] = &[
    "object",
    "oldObject",
    "params",
    "namespaceObject",
    "request",
    "variables",
    "authorizer",
];

/// Rejects, when the policy is loaded, an expression that reads a variable no policy has, a
/// `variables.NAME` that is not declared (for a variable: not declared before it), or that
/// calls a function the environment does not have (or with the wrong argument count, where
/// known: see [`Compiled::bad_calls`]). `owner` names the policy in messages.
pub(crate) fn check_names(
    origin: &Origin,
    owner: &str,
    what: &str,
    c: &Compiled,
    declared: &[String],
) -> Result<(), PolicyError> {
    if let Some(v) = c
        .free_variables()
        .into_iter()
        .find(|v| !BINDINGS.contains(&v.as_str()))
    {
        return Err(origin.invalid(format!(
            "{owner}: {what} `{}` names the unknown variable `{v}` (known: {})",
            c.source,
            BINDINGS.join(", ")
        )));
    }
    if let Some(v) = c
        .variables_read()
        .into_iter()
        .find(|v| !declared.contains(v))
    {
        let scope = if what == "variable" {
            "declared before it"
        } else {
            "declared in spec.variables"
        };
        return Err(origin.invalid(format!(
            "{owner}: {what} `{}` reads `variables.{v}`, which is not {scope}",
            c.source
        )));
    }
    if let Some(p) = c.bad_calls(BINDINGS).into_iter().next() {
        return Err(origin.invalid(format!("{owner}: {what} `{}` {p}", c.source)));
    }
    Ok(())
}

/// Whether an object is a ValidatingAdmissionPolicy.
pub fn is_policy(api_version: &str, kind: &str) -> bool {
    kind == "ValidatingAdmissionPolicy" && api_version.starts_with("admissionregistration.k8s.io/")
}

/// Whether an object is a ValidatingAdmissionPolicyBinding.
pub fn is_binding(api_version: &str, kind: &str) -> bool {
    kind == "ValidatingAdmissionPolicyBinding"
        && api_version.starts_with("admissionregistration.k8s.io/")
}

impl Vap {
    /// Reads a policy and compiles its expressions.
    pub fn from_json(doc: &Json, origin: Origin) -> Result<Self, PolicyError> {
        let name = doc
            .pointer("/metadata/name")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let bad = |m: String| origin.invalid(format!("ValidatingAdmissionPolicy {name}: {m}"));
        let owner = format!("ValidatingAdmissionPolicy {name}");
        let spec = doc.get("spec").cloned().unwrap_or(Json::Null);
        let param_kind = spec.get("paramKind").map(|p| {
            let s = |k: &str| {
                p.get(k)
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            (s("apiVersion"), s("kind"))
        });
        let constraints =
            MatchResources::from_json(spec.get("matchConstraints").unwrap_or(&Json::Null))
                .map_err(|m| bad(format!("matchConstraints: {m}")))?;
        let failure_policy = match spec.get("failurePolicy").and_then(Json::as_str) {
            None | Some("Fail") => FailurePolicy::Fail,
            Some("Ignore") => FailurePolicy::Ignore,
            Some(other) => {
                return Err(bad(format!(
                    "unknown failurePolicy `{other}` (expected Fail or Ignore)"
                )));
            }
        };
        let named =
            |key: &str, field: &str, what: &str| -> Result<Vec<(String, Compiled)>, PolicyError> {
                spec.get(key)
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .map(|v| {
                        let n = v.get(field).and_then(Json::as_str).unwrap_or_default();
                        let e = v
                            .get(if key == "auditAnnotations" {
                                "valueExpression"
                            } else {
                                "expression"
                            })
                            .and_then(Json::as_str)
                            .ok_or_else(|| bad(format!("{what} {n} has no expression")))?;
                        Ok((n.to_string(), compile_in(&origin, &owner, what, e)?))
                    })
                    .collect()
            };
        let match_conditions = named("matchConditions", "name", "matchCondition")?;
        let variables = named("variables", "name", "variable")?;
        let audit_annotations = named("auditAnnotations", "key", "auditAnnotation")?;
        let mut validations = Vec::new();
        for v in spec
            .get("validations")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let e = v
                .get("expression")
                .and_then(Json::as_str)
                .ok_or_else(|| bad("a validation has no expression".into()))?;
            validations.push(Validation {
                expr: compile_in(&origin, &owner, "expression", e)?,
                message: v.get("message").and_then(Json::as_str).map(str::to_string),
                message_expr: v
                    .get("messageExpression")
                    .and_then(Json::as_str)
                    .map(|m| compile_in(&origin, &owner, "messageExpression", m))
                    .transpose()?,
                reason: v
                    .get("reason")
                    .and_then(Json::as_str)
                    .unwrap_or("Invalid")
                    .to_string(),
            });
        }
        let declared: Vec<String> = variables.iter().map(|(n, _)| n.clone()).collect();
        for (i, (_, c)) in variables.iter().enumerate() {
            check_names(&origin, &owner, "variable", c, &declared[..i])?;
        }
        for (what, c) in match_conditions
            .iter()
            .map(|(_, c)| ("matchCondition", c))
            .chain(
                audit_annotations
                    .iter()
                    .map(|(_, c)| ("auditAnnotation", c)),
            )
            .chain(validations.iter().flat_map(|v| {
                std::iter::once(("expression", &v.expr))
                    .chain(v.message_expr.as_ref().map(|m| ("messageExpression", m)))
            }))
        {
            check_names(&origin, &owner, what, c, &declared)?;
        }
        if validations.is_empty() && audit_annotations.is_empty() {
            return Err(bad("has neither validations nor auditAnnotations".into()));
        }
        let all = || {
            match_conditions
                .iter()
                .map(|(_, c)| c)
                .chain(variables.iter().map(|(_, c)| c))
                .chain(audit_annotations.iter().map(|(_, c)| c))
                .chain(
                    validations
                        .iter()
                        .flat_map(|v| std::iter::once(&v.expr).chain(v.message_expr.as_ref())),
                )
        };
        let uses_variables = all().any(|c| c.references("variables"));
        let uses_namespace = all().any(|c| c.references("namespaceObject"));
        Ok(Vap {
            name,
            origin,
            param_kind,
            constraints,
            match_conditions,
            variables,
            validations,
            audit_annotations,
            failure_policy,
            uses_variables,
            uses_namespace,
        })
    }
}

impl Binding {
    /// Reads a binding.
    pub fn from_json(doc: &Json, origin: Origin) -> Result<Self, PolicyError> {
        let name = doc
            .pointer("/metadata/name")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let bad =
            |m: String| origin.invalid(format!("ValidatingAdmissionPolicyBinding {name}: {m}"));
        let spec = doc.get("spec").cloned().unwrap_or(Json::Null);
        let policy_name = spec
            .get("policyName")
            .and_then(Json::as_str)
            .filter(|p| !p.is_empty())
            .ok_or_else(|| bad("has no spec.policyName".into()))?
            .to_string();
        let param_ref = match spec.get("paramRef") {
            None | Some(Json::Null) => None,
            Some(p) => Some(ParamRef {
                name: p.get("name").and_then(Json::as_str).map(str::to_string),
                namespace: p
                    .get("namespace")
                    .and_then(Json::as_str)
                    .filter(|n| !n.is_empty())
                    .map(str::to_string),
                selector: p.get("selector").cloned(),
                deny_when_missing: match p.get("parameterNotFoundAction").and_then(Json::as_str) {
                    None | Some("Deny") => true,
                    Some("Allow") => false,
                    Some(other) => {
                        return Err(bad(format!(
                            "unknown paramRef.parameterNotFoundAction `{other}` (expected Allow or Deny)"
                        )));
                    }
                },
            }),
        };
        let match_resources = spec
            .get("matchResources")
            .filter(|m| !m.is_null())
            .map(MatchResources::from_json)
            .transpose()
            .map_err(|m| bad(format!("matchResources: {m}")))?;
        let mut actions = Vec::new();
        for a in string_list(spec.get("validationActions")) {
            actions.push(match a.as_str() {
                "Deny" => ValidationAction::Deny,
                "Warn" => ValidationAction::Warn,
                "Audit" => ValidationAction::Audit,
                other => {
                    return Err(bad(format!(
                        "unknown validationAction `{other}` (expected Deny, Warn or Audit)"
                    )));
                }
            });
        }
        if actions.is_empty() {
            return Err(bad("has no validationActions".into()));
        }
        actions.sort();
        actions.dedup();
        Ok(Binding {
            name,
            origin,
            policy_name,
            param_ref,
            match_resources,
            actions,
        })
    }

    /// The finding severity: that of the strongest action.
    pub fn severity(&self) -> Severity {
        self.actions
            .iter()
            .map(|a| a.severity())
            .max()
            .unwrap_or(Severity::High)
    }
}

/// What evaluation needs from the input set: Namespace objects and candidate params.
#[derive(Debug, Default)]
pub struct Universe {
    namespaces: HashMap<String, Json>,
    objects: Vec<Json>,
}

impl Universe {
    /// From the objects of the input set (JSON forms): Namespaces by name, and every object
    /// of one of `param_kinds` (apiVersion, kind).
    pub fn from_objects<'a>(
        objects: impl IntoIterator<Item = &'a Json>,
        param_kinds: &[(String, String)],
    ) -> Self {
        let mut u = Universe::default();
        for o in objects {
            let s = |p: &str| o.pointer(p).and_then(Json::as_str).unwrap_or_default();
            if s("/apiVersion") == "v1" && s("/kind") == "Namespace" {
                u.namespaces
                    .insert(s("/metadata/name").to_string(), o.clone());
            }
            if param_kinds
                .iter()
                .any(|(av, k)| s("/apiVersion") == av && s("/kind") == k)
            {
                u.objects.push(o.clone());
            }
        }
        u
    }

    fn namespace(&self, name: &str) -> Option<&Json> {
        self.namespaces.get(name)
    }
}

/// One way the object fails a policy under one binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VapViolation {
    /// The validation's message (or messageExpression's result), or what failed.
    pub message: String,
    /// `reason` (Invalid by default; the API server's status reason).
    pub reason: String,
    /// The params object's name, when the binding selects params.
    pub params: Option<String>,
    /// Whether this is an evaluation error denying under failurePolicy Fail.
    pub error: bool,
}

/// The result of one policy under one binding on one object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VapOutcome {
    /// Whether the policy selected the object at all.
    pub matched: bool,
    /// The violations.
    pub violations: Vec<VapViolation>,
    /// Audit annotations (`policy/key`, value).
    pub audit_annotations: Vec<(String, String)>,
    /// Cost limit errors, naming the policy and expression (also violations under Fail).
    pub cost_errors: Vec<String>,
    /// Cost units used.
    pub cost: u64,
}

/// The evaluation context of one object: its bindings built once for every policy.
pub struct ObjectContext<'a> {
    json: &'a Json,
    target: Target<'a>,
    namespace: Option<&'a Json>,
    root: Context<'static, 'static>,
}

impl<'a> ObjectContext<'a> {
    /// The context of `object`; `universe` gives its Namespace when present.
    pub fn new(object: &'a Json, universe: Option<&'a Universe>) -> Self {
        let target = Target::of(object);
        let namespace = universe.and_then(|u| {
            if target.namespaced {
                u.namespace(target.namespace)
            } else {
                None
            }
        });
        let mut root = Context::with_env(cel_ext::env());
        root.add_variable_from_value("object", json_to_value(object));
        root.add_variable_from_value("oldObject", Value::Null);
        root.add_variable_from_value("request", json_to_value(&target.request()));
        root.add_variable_from_value(
            "namespaceObject",
            namespace.map_or(Value::Null, json_to_value),
        );
        ObjectContext {
            json: object,
            target,
            namespace,
            root,
        }
    }

    /// The object's JSON.
    pub fn object(&self) -> &Json {
        self.json
    }
}

fn is_true(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

struct Run<'p> {
    policy: &'p Vap,
    budget: Budget,
    used: u64,
    outcome: VapOutcome,
    params: Option<String>,
}

impl Run<'_> {
    fn eval(&mut self, c: &Compiled, ctx: &Context) -> Result<Value, EvalError> {
        let remaining = self.budget.per_evaluation.saturating_sub(self.used);
        let limit = self.budget.per_expression.min(remaining);
        let (r, used) = c.eval(ctx, limit);
        self.used += used.min(limit.saturating_add(1));
        self.outcome.cost = self.used;
        if let Err(EvalError::Cost(_)) = &r {
            let which = if limit < self.budget.per_expression {
                format!(
                    "the policy's evaluation budget of {} units is spent",
                    self.budget.per_evaluation
                )
            } else {
                format!(
                    "the per-expression cost limit of {} units is exceeded",
                    self.budget.per_expression
                )
            };
            self.outcome.cost_errors.push(format!(
                "ValidatingAdmissionPolicy {}: expression `{}`: {which}",
                self.policy.name, c.source
            ));
        }
        r
    }

    fn fail(&mut self, what: &str, c: &Compiled, e: &EvalError) {
        if self.policy.failure_policy == FailurePolicy::Fail {
            self.outcome.violations.push(VapViolation {
                message: format!("{what} '{}' resulted in error: {e}", c.source),
                reason: "Invalid".into(),
                params: self.params.clone(),
                error: true,
            });
        }
    }
}

/// Variables evaluated in order; a failed one is left out and its error kept, so an
/// expression that reads it fails with that error (as if evaluated lazily), and one that
/// does not read it is unaffected.
fn variables_value(run: &mut Run, ctx: &Context) -> (Value, Vec<(String, String)>) {
    let mut done: HashMap<cel::objects::Key, Value> = HashMap::new();
    let mut failed = Vec::new();
    for (name, c) in &run.policy.variables {
        let mut scope = ctx.new_inner_scope();
        scope.add_variable_from_value(
            "variables",
            Value::Map(cel::objects::Map {
                map: Arc::new(done.clone()),
            }),
        );
        match run.eval(c, &scope) {
            Ok(v) => {
                done.insert(cel::objects::Key::String(Arc::new(name.clone())), v);
            }
            Err(e) => {
                let e = explain(e, &failed);
                failed.push((name.clone(), e.to_string()));
            }
        }
    }
    (
        Value::Map(cel::objects::Map {
            map: Arc::new(done),
        }),
        failed,
    )
}

/// An error that reading a failed variable caused, replaced by the variable's own error.
fn explain(e: EvalError, failed: &[(String, String)]) -> EvalError {
    match &e {
        EvalError::Exec(m) => match failed
            .iter()
            .find(|(n, _)| *m == format!("No such key: {n}"))
        {
            Some((n, why)) => EvalError::Exec(format!("variables.{n}: {why}")),
            None => e,
        },
        EvalError::Cost(_) => e,
    }
}

impl Vap {
    /// Whether evaluating needs the input set: params, or a Namespace (namespaceSelector or
    /// `namespaceObject`).
    pub fn needs_set(&self, binding: &Binding) -> bool {
        self.param_kind.is_some()
            || self.uses_namespace
            || self.constraints.needs_namespace()
            || binding
                .match_resources
                .as_ref()
                .is_some_and(MatchResources::needs_namespace)
    }

    /// Whether the policy and the binding could select objects of this group/version/kind
    /// (names and selectors not considered).
    pub fn selects_kind(&self, binding: &Binding, object: &Json) -> bool {
        let t = Target::of(object);
        self.constraints.selects_kind(&t, false)
            && binding
                .match_resources
                .as_ref()
                .is_none_or(|m| m.selects_kind(&t, true))
    }

    /// Evaluates the policy under `binding` on the object. `universe` gives params and
    /// Namespaces (None: no input set, so a policy with params finds none).
    pub fn evaluate(
        &self,
        binding: &Binding,
        obj: &ObjectContext,
        universe: Option<&Universe>,
        budget: Budget,
    ) -> VapOutcome {
        let ns_labels = obj.namespace.and_then(|n| n.pointer("/metadata/labels"));
        let t = &obj.target;
        if !self.constraints.matches(t, ns_labels, false)
            || binding
                .match_resources
                .as_ref()
                .is_some_and(|m| !m.matches(t, ns_labels, true))
        {
            return VapOutcome::default();
        }
        let mut outcome = VapOutcome {
            matched: true,
            ..VapOutcome::default()
        };
        let params: Vec<(Option<String>, Value)> = match (&self.param_kind, &binding.param_ref) {
            (None, _) => vec![(None, Value::Null)],
            (Some((av, kind)), None) => {
                if self.failure_policy == FailurePolicy::Fail {
                    outcome.violations.push(VapViolation {
                        message: format!(
                            "policy {} has paramKind {av} {kind}, but binding {} has no paramRef",
                            self.name, binding.name
                        ),
                        reason: "Invalid".into(),
                        params: None,
                        error: true,
                    });
                }
                return outcome;
            }
            (Some((av, kind)), Some(pr)) => {
                let found: Vec<&Json> = universe
                    .map(|u| u.objects.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .filter(|p| {
                        let s = |k: &str| p.pointer(k).and_then(Json::as_str).unwrap_or_default();
                        s("/apiVersion") == av
                            && s("/kind") == kind
                            && match &pr.namespace {
                                Some(ns) => s("/metadata/namespace") == ns,
                                None => {
                                    let pns = s("/metadata/namespace");
                                    pns.is_empty() || pns == t.namespace
                                }
                            }
                            && pr.name.as_ref().is_none_or(|n| s("/metadata/name") == n)
                            && pr.selector.as_ref().is_none_or(|sel| {
                                selector_selects(sel, p.pointer("/metadata/labels"))
                            })
                    })
                    .collect();
                if found.is_empty() {
                    if pr.deny_when_missing {
                        outcome.violations.push(VapViolation {
                            message: format!(
                                "no params found for policy binding with `Deny` parameterNotFoundAction ({av} {kind}{})",
                                pr.name.as_ref().map(|n| format!(" {n}")).unwrap_or_default()
                            ),
                            reason: "Invalid".into(),
                            params: None,
                            error: false,
                        });
                    }
                    return outcome;
                }
                found
                    .into_iter()
                    .map(|p| {
                        (
                            p.pointer("/metadata/name")
                                .and_then(Json::as_str)
                                .map(str::to_string),
                            json_to_value(p),
                        )
                    })
                    .collect()
            }
        };
        let mut run = Run {
            policy: self,
            budget,
            used: 0,
            outcome,
            params: None,
        };
        for (pname, p) in params {
            run.params = pname;
            let mut ctx = obj.root.new_inner_scope();
            ctx.add_variable_from_value("params", p);
            self.evaluate_with(&mut run, &mut ctx);
        }
        run.outcome
    }

    fn evaluate_with(&self, run: &mut Run, ctx: &mut Context) {
        // matchConditions: any false skips the policy; an error (none false) fails per
        // failurePolicy.
        let mut error = None;
        for (_, c) in &self.match_conditions {
            match run.eval(c, ctx) {
                Ok(v) => match is_true(&v) {
                    Some(true) => {}
                    Some(false) => return,
                    None => {
                        error.get_or_insert((
                            c,
                            EvalError::Exec(format!(
                                "expected a bool, got {}",
                                cel_ext::display(&v)
                            )),
                        ));
                    }
                },
                Err(e) => {
                    error.get_or_insert((c, e));
                }
            }
        }
        if let Some((c, e)) = error {
            run.fail("matchCondition", c, &e);
            return;
        }
        let failed = if self.uses_variables {
            let (vars, failed) = variables_value(run, ctx);
            ctx.add_variable_from_value("variables", vars);
            failed
        } else {
            Vec::new()
        };
        for v in &self.validations {
            let result = run.eval(&v.expr, ctx).map_err(|e| explain(e, &failed));
            match result {
                Ok(Value::Bool(true)) => {}
                Ok(Value::Bool(false)) => {
                    let from_expr = v
                        .message_expr
                        .as_ref()
                        .and_then(|m| match run.eval(m, ctx) {
                            Ok(Value::String(s)) => {
                                let s = s.trim();
                                (!s.is_empty() && !s.contains('\n')).then(|| s.to_string())
                            }
                            _ => None,
                        });
                    let message = from_expr
                        .or_else(|| v.message.clone())
                        .unwrap_or_else(|| format!("failed expression: {}", v.expr.source));
                    run.outcome.violations.push(VapViolation {
                        message,
                        reason: v.reason.clone(),
                        params: run.params.clone(),
                        error: false,
                    });
                }
                Ok(other) => run.fail(
                    "expression",
                    &v.expr,
                    &EvalError::Exec(format!("expected a bool, got {}", cel_ext::display(&other))),
                ),
                Err(e) => run.fail("expression", &v.expr, &e),
            }
        }
        for (key, c) in &self.audit_annotations {
            match run.eval(c, ctx).map_err(|e| explain(e, &failed)) {
                Ok(Value::String(s)) => run
                    .outcome
                    .audit_annotations
                    .push((format!("{}/{key}", self.name), s.to_string())),
                Ok(Value::Null) => {}
                Ok(other) => run.fail(
                    "valueExpression",
                    c,
                    &EvalError::Exec(format!(
                        "expected a string or null, got {}",
                        cel_ext::display(&other)
                    )),
                ),
                Err(e) => run.fail("valueExpression", c, &e),
            }
        }
    }
}
