//! Gatekeeper ConstraintTemplates (Rego) and their Constraints, evaluated as Gatekeeper does:
//! the constraint's `match` selects objects, the template's `violation` rule runs with
//! `input.review` (the admission request Gatekeeper builds) and `input.parameters`, and
//! referential templates read `data.inventory` built from the input set.

use std::collections::BTreeMap;
use std::sync::Arc;

use regorus::Value;
use serde_json::{Value as Json, json};
use stockade_model::{Object, Pos, Severity};

use crate::PolicyError;

/// Where a policy object came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file.
    pub file: Arc<str>,
    /// 1-based line of the object.
    pub line: u32,
}

impl Origin {
    pub(crate) fn of(obj: &Object) -> Self {
        Origin {
            file: obj.file.clone(),
            line: obj.root.pos.line,
        }
    }

    pub(crate) fn invalid(&self, message: impl Into<String>) -> PolicyError {
        PolicyError::Invalid {
            file: self.file.to_string(),
            line: self.line,
            message: message.into(),
        }
    }
}

/// A ConstraintTemplate compiled once. Templates that read `data.inventory` are compiled again
/// per input set with that set's inventory (see [`Template::with_inventory`]).
#[derive(Clone)]
pub struct Template {
    /// `metadata.name`.
    pub name: String,
    /// The constraint kind it defines (`spec.crd.spec.names.kind`).
    pub kind: String,
    /// Where it was read.
    pub origin: Origin,
    /// Whether the Rego reads `data.inventory` (it then needs the whole input set).
    pub referential: bool,
    /// The engine with the template's modules loaded, before compilation (kept to compile
    /// again with an inventory).
    engine: regorus::Engine,
    entry: Arc<str>,
    compiled: regorus::CompiledPolicy,
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Template")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("referential", &self.referential)
            .finish_non_exhaustive()
    }
}

/// The Rego source of a template: the main module, its libraries, and the syntax version.
struct RegoSource {
    rego: String,
    libs: Vec<String>,
    v1: bool,
}

fn rego_source(target: &Json) -> Option<RegoSource> {
    let strings = |v: Option<&Json>| -> Vec<String> {
        v.and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    // `code` (Gatekeeper 3.13+) wins over the legacy `rego`/`libs` fields.
    if let Some(code) = target.get("code").and_then(Json::as_array) {
        for c in code {
            if c.get("engine").and_then(Json::as_str) == Some("Rego")
                && let Some(src) = c.get("source")
                && let Some(rego) = src.get("rego").and_then(Json::as_str)
            {
                return Some(RegoSource {
                    rego: rego.to_string(),
                    libs: strings(src.get("libs")),
                    v1: src.get("version").and_then(Json::as_str) == Some("v1"),
                });
            }
        }
    }
    let rego = target.get("rego").and_then(Json::as_str)?;
    Some(RegoSource {
        rego: rego.to_string(),
        libs: strings(target.get("libs")),
        v1: false,
    })
}

/// The engines a template's `code` lists (for the error when none is Rego).
fn engines(target: &Json) -> Vec<String> {
    target
        .get("code")
        .and_then(Json::as_array)
        .map(|c| {
            c.iter()
                .filter_map(|c| c.get("engine").and_then(Json::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// regorus 0.14.1 reads a reference followed by a parenthesised expression on the next line
/// (`input.parameters.spread` then `(a - b) >= ...`) as one function call, where OPA ends the
/// expression at the newline. Ending such a line with `;` (Rego's expression separator) gives
/// both parsers the same reading; lines that do not end in an identifier or `]`, or whose next
/// line does not start with `(`, are left alone.
fn separate_newline_parens(rego: &str) -> std::borrow::Cow<'_, str> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"(?m)^([^#\n]*[A-Za-z0-9_\]])[ \t]*\n([ \t]*\()").expect("valid regex")
    });
    re.replace_all(rego, "$1;\n$2")
}

fn compile_error(origin: &Origin, name: &str, e: impl std::fmt::Display) -> PolicyError {
    PolicyError::Compile {
        file: origin.file.to_string(),
        line: origin.line,
        template: name.to_string(),
        message: e.to_string(),
    }
}

impl Template {
    /// Reads a ConstraintTemplate object and compiles its Rego.
    pub fn from_object(obj: &Object) -> Result<Self, PolicyError> {
        Self::from_json(&obj.root.to_json(), Origin::of(obj))
    }

    /// Reads a ConstraintTemplate from its JSON form.
    pub fn from_json(doc: &Json, origin: Origin) -> Result<Self, PolicyError> {
        let name = doc
            .pointer("/metadata/name")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let kind = doc
            .pointer("/spec/crd/spec/names/kind")
            .and_then(Json::as_str)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                origin.invalid(format!(
                    "ConstraintTemplate {name} has no spec.crd.spec.names.kind"
                ))
            })?
            .to_string();
        let target = doc
            .pointer("/spec/targets")
            .and_then(Json::as_array)
            .and_then(|t| {
                t.iter().find(|t| {
                    t.get("target").and_then(Json::as_str) == Some("admission.k8s.gatekeeper.sh")
                })
            })
            .ok_or_else(|| {
                origin.invalid(format!(
                    "ConstraintTemplate {name} has no target admission.k8s.gatekeeper.sh"
                ))
            })?;
        for code in target
            .get("code")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            if code.get("engine").and_then(Json::as_str) == Some("K8sNativeValidation") {
                crate::vap::check_k8s_native(
                    &origin,
                    &name,
                    code.get("source").unwrap_or(&Json::Null),
                )?;
            }
        }
        let src = rego_source(target).ok_or_else(|| {
            let found = engines(target);
            origin.invalid(if found.is_empty() {
                format!("ConstraintTemplate {name} has no Rego")
            } else {
                format!(
                    "ConstraintTemplate {name} has no Rego engine (it has {}; only Rego is supported)",
                    found.join(", ")
                )
            })
        })?;
        let mut engine = regorus::Engine::new();
        engine.set_rego_v0(!src.v1);
        // OPA, and so Gatekeeper, makes a failing built-in call undefined instead of failing
        // the whole query.
        engine.set_strict_builtin_errors(false);
        let package = engine
            .add_policy(
                format!("{name}.rego"),
                separate_newline_parens(&src.rego).into_owned(),
            )
            .map_err(|e| compile_error(&origin, &name, e))?;
        for (i, lib) in src.libs.iter().enumerate() {
            engine
                .add_policy(
                    format!("{name}.lib{i}.rego"),
                    separate_newline_parens(lib).into_owned(),
                )
                .map_err(|e| compile_error(&origin, &name, e))?;
        }
        let referential = src.rego.contains("data.inventory")
            || src.libs.iter().any(|l| l.contains("data.inventory"));
        let entry: Arc<str> = format!("{package}.violation").into();
        let compiled = compile(&engine, &entry, empty_inventory())
            .map_err(|e| compile_error(&origin, &name, e))?;
        Ok(Template {
            name,
            kind,
            origin,
            referential,
            engine,
            entry,
            compiled,
        })
    }

    /// The template compiled with `data.inventory` set to `inventory`.
    pub fn with_inventory(&self, inventory: &Inventory) -> Result<Self, PolicyError> {
        let compiled = compile(&self.engine, &self.entry, inventory.data.clone())
            .map_err(|e| compile_error(&self.origin, &self.name, e))?;
        Ok(Template {
            compiled,
            ..self.clone()
        })
    }

    /// Runs the `violation` rule on one review with the constraint's parameters.
    pub fn violations(&self, review: &Value, parameters: &Value) -> Result<Vec<Violation>, String> {
        let mut input = BTreeMap::new();
        input.insert(Value::from("review"), review.clone());
        input.insert(Value::from("parameters"), parameters.clone());
        let result = self
            .compiled
            .eval_with_input(Value::from(input))
            .map_err(|e| e.to_string())?;
        let items: Vec<&Value> = match &result {
            Value::Undefined => return Ok(Vec::new()),
            Value::Set(s) => s.iter().collect(),
            Value::Array(a) => a.iter().collect(),
            other => return Err(format!("violation is not a set but {other}")),
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let msg = match &item["msg"] {
                Value::String(s) => s.to_string(),
                Value::Undefined => return Err("violation without msg".into()),
                other => other.to_string(),
            };
            let details = match &item["details"] {
                Value::Undefined => Json::Null,
                v => v
                    .to_json_str()
                    .ok()
                    .and_then(|s| serde_json::from_str(&s).ok())
                    .unwrap_or(Json::Null),
            };
            out.push(Violation { msg, details });
        }
        Ok(out)
    }
}

fn compile(
    engine: &regorus::Engine,
    entry: &Arc<str>,
    inventory: Value,
) -> Result<regorus::CompiledPolicy, String> {
    let mut engine = engine.clone();
    let mut data = BTreeMap::new();
    data.insert(Value::from("inventory"), inventory);
    engine
        .add_data(Value::from(data))
        .map_err(|e| e.to_string())?;
    engine
        .compile_with_entrypoint(entry)
        .map_err(|e| e.to_string())
}

fn empty_inventory() -> Value {
    Value::from(json!({"cluster": {}, "namespace": {}}))
}

/// One violation: the message and the optional details.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// `msg`.
    pub msg: String,
    /// `details`, or null.
    pub details: Json,
}

/// Gatekeeper's enforcement actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `deny` (the default).
    Deny,
    /// `warn`.
    Warn,
    /// `dryrun`.
    Dryrun,
    /// `scoped` (per enforcement point; treated as deny).
    Scoped,
}

impl Action {
    /// The finding severity: deny high, warn medium, dryrun low.
    pub fn severity(self) -> Severity {
        match self {
            Action::Deny | Action::Scoped => Severity::High,
            Action::Warn => Severity::Medium,
            Action::Dryrun => Severity::Low,
        }
    }

    /// The name as written in a constraint.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Deny => "deny",
            Action::Warn => "warn",
            Action::Dryrun => "dryrun",
            Action::Scoped => "scoped",
        }
    }
}

/// A constraint: an instance of a template with a match and parameters.
#[derive(Debug, Clone)]
pub struct Constraint {
    /// The constraint kind (the template's kind).
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// Where it was read.
    pub origin: Origin,
    /// `spec.match`.
    pub matcher: Match,
    /// `spec.parameters`, converted once.
    pub parameters: Value,
    /// `spec.enforcementAction`.
    pub action: Action,
}

impl Constraint {
    /// Reads a constraint object (any kind in `constraints.gatekeeper.sh`).
    pub fn from_object(obj: &Object) -> Result<Self, PolicyError> {
        Self::from_json(&obj.root.to_json(), Origin::of(obj))
    }

    /// Reads a constraint from its JSON form.
    pub fn from_json(doc: &Json, origin: Origin) -> Result<Self, PolicyError> {
        let kind = doc
            .get("kind")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let name = doc
            .pointer("/metadata/name")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let spec = doc.get("spec").cloned().unwrap_or(Json::Null);
        let action = match spec.get("enforcementAction").and_then(Json::as_str) {
            None | Some("deny") | Some("") => Action::Deny,
            Some("warn") => Action::Warn,
            Some("dryrun") => Action::Dryrun,
            Some("scoped") => Action::Scoped,
            Some(other) => {
                return Err(origin.invalid(format!(
                    "constraint {kind}/{name}: unknown enforcementAction `{other}` (expected deny, warn, dryrun or scoped)"
                )));
            }
        };
        let matcher = Match::from_json(spec.get("match").unwrap_or(&Json::Null))
            .map_err(|m| origin.invalid(format!("constraint {kind}/{name}: {m}")))?;
        let parameters = Value::from(spec.get("parameters").cloned().unwrap_or_else(|| json!({})));
        Ok(Constraint {
            kind,
            name,
            origin,
            matcher,
            parameters,
            action,
        })
    }

    /// The check ID of its findings: `Kind/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// `spec.match` of a constraint.
#[derive(Debug, Clone, Default)]
pub struct Match {
    kinds: Vec<(Vec<String>, Vec<String>)>,
    scope: Scope,
    namespaces: Vec<String>,
    excluded_namespaces: Vec<String>,
    label_selector: Option<Json>,
    namespace_selector: Option<Json>,
    name: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Scope {
    #[default]
    All,
    Cluster,
    Namespaced,
}

pub(crate) fn string_list(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Gatekeeper's namespace and name patterns: exact, or a `*` prefix or suffix wildcard.
fn glob_match(pattern: &str, value: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix('*') {
        value.starts_with(prefix)
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        value.ends_with(suffix)
    } else {
        pattern == value
    }
}

/// What the matcher needs to know about the object under review.
pub struct Target<'a> {
    /// API group ("" for core).
    pub group: &'a str,
    /// Kind.
    pub kind: &'a str,
    /// Name.
    pub name: &'a str,
    /// Namespace, if the object has one.
    pub namespace: Option<&'a str>,
    /// `metadata.labels` as JSON.
    pub labels: Option<&'a Json>,
    /// The labels of the object's namespace when the Namespace is known (for a Namespace,
    /// its own labels).
    pub namespace_labels: Option<&'a Json>,
}

impl Match {
    fn from_json(m: &Json) -> Result<Self, String> {
        if m.is_null() {
            return Ok(Match::default());
        }
        let mut kinds = Vec::new();
        for k in m
            .get("kinds")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            kinds.push((string_list(k.get("apiGroups")), string_list(k.get("kinds"))));
        }
        let scope = match m.get("scope").and_then(Json::as_str) {
            None | Some("*") => Scope::All,
            Some("Cluster") => Scope::Cluster,
            Some("Namespaced") => Scope::Namespaced,
            Some(other) => {
                return Err(format!(
                    "unknown match.scope `{other}` (expected *, Cluster or Namespaced)"
                ));
            }
        };
        Ok(Match {
            kinds,
            scope,
            namespaces: string_list(m.get("namespaces")),
            excluded_namespaces: string_list(m.get("excludedNamespaces")),
            label_selector: m.get("labelSelector").cloned(),
            namespace_selector: m.get("namespaceSelector").cloned(),
            name: m.get("name").and_then(Json::as_str).map(str::to_string),
        })
    }

    /// Whether the constraint needs Namespace objects (a namespaceSelector).
    pub fn needs_namespaces(&self) -> bool {
        self.namespace_selector.is_some()
    }

    /// Whether the kind criteria select this group and kind.
    pub fn matches_kind(&self, group: &str, kind: &str) -> bool {
        self.kinds.is_empty()
            || self.kinds.iter().any(|(groups, kinds)| {
                (groups.is_empty() || groups.iter().any(|g| g == "*" || g == group))
                    && (kinds.is_empty() || kinds.iter().any(|k| k == "*" || k == kind))
            })
    }

    /// Whether every criterion selects the target.
    pub fn matches(&self, t: &Target) -> bool {
        if !self.matches_kind(t.group, t.kind) {
            return false;
        }
        let is_namespace = t.group.is_empty() && t.kind == "Namespace";
        // A Namespace is matched by namespace criteria on its own name.
        let ns = if is_namespace {
            Some(t.name)
        } else {
            t.namespace
        };
        match self.scope {
            Scope::All => {}
            Scope::Cluster if t.namespace.is_some() => return false,
            Scope::Namespaced if t.namespace.is_none() => return false,
            _ => {}
        }
        if let Some(ns) = ns {
            if !self.namespaces.is_empty() && !self.namespaces.iter().any(|p| glob_match(p, ns)) {
                return false;
            }
            if self.excluded_namespaces.iter().any(|p| glob_match(p, ns)) {
                return false;
            }
        }
        if let Some(name) = &self.name
            && !glob_match(name, t.name)
        {
            return false;
        }
        if let Some(sel) = &self.label_selector
            && !selector_selects(sel, t.labels)
        {
            return false;
        }
        if let Some(sel) = &self.namespace_selector
            && ns.is_some()
            && !selector_selects(sel, t.namespace_labels)
        {
            return false;
        }
        true
    }
}

/// A `LabelSelector` over JSON labels: `matchLabels` and `matchExpressions`, ANDed.
pub(crate) fn selector_selects(selector: &Json, labels: Option<&Json>) -> bool {
    let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Json::as_str);
    if let Some(ml) = selector.get("matchLabels").and_then(Json::as_object) {
        for (k, v) in ml {
            if v.as_str().is_none_or(|v| label(k) != Some(v)) {
                return false;
            }
        }
    }
    for x in selector
        .get("matchExpressions")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let Some(key) = x.get("key").and_then(Json::as_str) else {
            return false;
        };
        let values = string_list(x.get("values"));
        let have = label(key);
        let ok = match x.get("operator").and_then(Json::as_str) {
            Some("In") => have.is_some_and(|h| values.iter().any(|v| v == h)),
            Some("NotIn") => have.is_none_or(|h| !values.iter().any(|v| v == h)),
            Some("Exists") => have.is_some(),
            Some("DoesNotExist") => have.is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// The group and version of an `apiVersion`.
pub fn group_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

/// A review under evaluation: the object as JSON and the `input.review` document.
pub struct Review {
    /// `input.review.object` (or `oldObject` for a DELETE).
    pub object: Json,
    /// The whole `input.review`, converted for Rego once.
    pub value: Value,
}

impl Review {
    /// The review Gatekeeper builds for an object read from a file (as its audit and gator
    /// do): kind, name, namespace, the object, and operation CREATE.
    pub fn of_object(object: Json) -> Self {
        let api_version = object
            .get("apiVersion")
            .and_then(Json::as_str)
            .unwrap_or_default();
        let (group, version) = group_version(api_version);
        let review = json!({
            "kind": {"group": group, "version": version, "kind": object.get("kind").cloned().unwrap_or(Json::Null)},
            "name": object.pointer("/metadata/name").cloned().unwrap_or_else(|| json!("")),
            "namespace": object.pointer("/metadata/namespace").cloned().unwrap_or_else(|| json!("")),
            "operation": "CREATE",
            "object": object,
        });
        Review {
            value: Value::from(review.clone()),
            object: review.get("object").cloned().unwrap_or(Json::Null),
        }
    }

    /// The review of an AdmissionReview's `request` (UPDATE and DELETE keep their operation,
    /// `oldObject` and `userInfo`). Fields the request omits are filled from its object.
    pub fn of_request(request: &Json) -> Self {
        let mut review = request.clone();
        let object = request
            .get("object")
            .filter(|o| !o.is_null())
            .or_else(|| request.get("oldObject"))
            .cloned()
            .unwrap_or(Json::Null);
        if let Some(map) = review.as_object_mut() {
            let api_version = object
                .get("apiVersion")
                .and_then(Json::as_str)
                .unwrap_or_default();
            let (group, version) = group_version(api_version);
            map.entry("kind").or_insert_with(|| {
                json!({"group": group, "version": version, "kind": object.get("kind").cloned().unwrap_or(Json::Null)})
            });
            map.entry("name").or_insert_with(|| {
                object
                    .pointer("/metadata/name")
                    .cloned()
                    .unwrap_or_else(|| json!(""))
            });
            map.entry("namespace").or_insert_with(|| {
                object
                    .pointer("/metadata/namespace")
                    .cloned()
                    .unwrap_or_else(|| json!(""))
            });
        }
        Review {
            value: Value::from(review),
            object,
        }
    }

    /// The matcher's view of the object.
    pub fn target<'a>(&'a self, namespace_labels: Option<&'a Json>) -> Target<'a> {
        let o = &self.object;
        let s = |p: &str| o.pointer(p).and_then(Json::as_str);
        let (group, _) = group_version(s("/apiVersion").unwrap_or_default());
        let kind = s("/kind").unwrap_or_default();
        let is_namespace = group.is_empty() && kind == "Namespace";
        Target {
            group,
            kind,
            name: s("/metadata/name").unwrap_or_default(),
            namespace: s("/metadata/namespace").filter(|n| !n.is_empty()),
            labels: o.pointer("/metadata/labels"),
            namespace_labels: if is_namespace {
                o.pointer("/metadata/labels")
            } else {
                namespace_labels
            },
        }
    }
}

/// `data.inventory`: `cluster[apiVersion][kind][name]` and
/// `namespace[ns][apiVersion][kind][name]`, as Gatekeeper's sync fills it.
#[derive(Debug, Clone)]
pub struct Inventory {
    data: Value,
    /// Labels of the Namespaces in the set, for namespaceSelector.
    pub namespace_labels: BTreeMap<String, Json>,
}

impl Default for Inventory {
    fn default() -> Self {
        Inventory {
            data: empty_inventory(),
            namespace_labels: BTreeMap::new(),
        }
    }
}

impl Inventory {
    /// The inventory of these objects (JSON forms).
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a Json>) -> Self {
        let mut tree = json!({"cluster": {}, "namespace": {}});
        let mut namespace_labels = BTreeMap::new();
        for o in objects {
            let s = |p: &str| o.pointer(p).and_then(Json::as_str);
            let (Some(av), Some(kind)) = (s("/apiVersion"), s("/kind")) else {
                continue;
            };
            let name = s("/metadata/name").unwrap_or_default();
            if av == "v1" && kind == "Namespace" {
                namespace_labels.insert(
                    name.to_string(),
                    o.pointer("/metadata/labels").cloned().unwrap_or(Json::Null),
                );
            }
            let slot = match s("/metadata/namespace").filter(|n| !n.is_empty()) {
                Some(ns) => &mut tree["namespace"][ns],
                None => &mut tree["cluster"],
            };
            slot[av][kind][name] = o.clone();
        }
        Inventory {
            data: Value::from(tree),
            namespace_labels,
        }
    }
}

/// The position of an object's first line, for findings.
pub fn object_pos(obj: &Object) -> Pos {
    obj.root.pos
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: Json) -> Match {
        Match::from_json(&v).unwrap()
    }

    fn review(obj: Json) -> Review {
        Review::of_object(obj)
    }

    #[test]
    fn match_criteria_as_gatekeeper_reads_them() {
        let pod = review(json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-1", "namespace": "kube-system", "labels": {"app": "web"}}}));
        let t = pod.target(None);
        assert!(m(json!({})).matches(&t));
        assert!(m(json!({"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]})).matches(&t));
        assert!(m(json!({"kinds": [{"apiGroups": ["*"], "kinds": ["*"]}]})).matches(&t));
        assert!(!m(json!({"kinds": [{"apiGroups": ["apps"], "kinds": ["Pod"]}]})).matches(&t));
        assert!(!m(json!({"excludedNamespaces": ["kube-*"]})).matches(&t));
        assert!(m(json!({"namespaces": ["*-system"]})).matches(&t));
        assert!(!m(json!({"namespaces": ["default"]})).matches(&t));
        assert!(!m(json!({"scope": "Cluster"})).matches(&t));
        assert!(m(json!({"scope": "Namespaced"})).matches(&t));
        assert!(m(json!({"name": "web-*"})).matches(&t));
        assert!(!m(json!({"name": "api"})).matches(&t));
        assert!(m(json!({"labelSelector": {"matchLabels": {"app": "web"}}})).matches(&t));
        assert!(
            !m(json!({"labelSelector": {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}}))
                .matches(&t)
        );
        // namespaceSelector: the namespace's labels, unknown namespace = no labels.
        let sel = m(json!({"namespaceSelector": {"matchLabels": {"env": "prod"}}}));
        assert!(!sel.matches(&t));
        let prod = json!({"env": "prod"});
        assert!(sel.matches(&pod.target(Some(&prod))));
        // A Namespace is matched on its own name and labels.
        let ns = review(json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "kube-public", "labels": {"env": "prod"}}}));
        assert!(!m(json!({"excludedNamespaces": ["kube-public"]})).matches(&ns.target(None)));
        assert!(sel.matches(&ns.target(None)));
        assert!(m(json!({"scope": "Cluster"})).matches(&ns.target(None)));
        assert_eq!(
            Match::from_json(&json!({"scope": "Everywhere"})).unwrap_err(),
            "unknown match.scope `Everywhere` (expected *, Cluster or Namespaced)"
        );
    }

    #[test]
    fn a_parenthesised_line_after_a_reference_is_a_new_expression() {
        let src = "f {\n  input.a.b\n  (1 + 2) > 0\n  g(x,\n    (y))\n  # c d\n  (z)\n}\n";
        assert_eq!(
            separate_newline_parens(src),
            "f {\n  input.a.b;\n  (1 + 2) > 0\n  g(x,\n    (y))\n  # c d\n  (z)\n}\n"
        );
    }

    #[test]
    fn review_documents() {
        let r = review(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"}}));
        assert_eq!(r.value["kind"]["group"], Value::from("apps"));
        assert_eq!(r.value["kind"]["version"], Value::from("v1"));
        assert_eq!(r.value["namespace"], Value::from(""));
        assert_eq!(r.value["operation"], Value::from("CREATE"));
        let req = Review::of_request(&json!({"operation": "DELETE",
            "oldObject": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a"}},
            "userInfo": {"username": "bob"}}));
        assert_eq!(req.value["operation"], Value::from("DELETE"));
        assert_eq!(req.value["name"], Value::from("p"));
        assert_eq!(req.value["kind"]["kind"], Value::from("Pod"));
        assert_eq!(req.value["userInfo"]["username"], Value::from("bob"));
        assert_eq!(req.object["metadata"]["namespace"], json!("a"));
    }

    #[test]
    fn inventory_tree_and_rego_v1_template() {
        let objs = [
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "labels": {"x": "1"}}}),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "a"}}),
        ];
        let inv = Inventory::from_objects(&objs);
        assert_eq!(inv.namespace_labels["a"], json!({"x": "1"}));
        let t = Template::from_json(
            &json!({"metadata": {"name": "t"}, "spec": {"crd": {"spec": {"names": {"kind": "T"}}},
                "targets": [{"target": "admission.k8s.gatekeeper.sh", "code": [
                    {"engine": "K8sNativeValidation", "source": {}},
                    {"engine": "Rego", "source": {"version": "v1", "rego":
                        "package t\nviolation contains {\"msg\": m} if {\n  some name\n  data.inventory.namespace.a.v1.Service[name]\n  m := sprintf(\"%v/%v\", [input.parameters.p, name])\n}\n"}}]}]}}),
            Origin { file: "t.yaml".into(), line: 1 },
        )
        .unwrap();
        assert!(t.referential);
        let params = Value::from(json!({"p": "x"}));
        let r = review(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}));
        assert_eq!(t.violations(&r.value, &params).unwrap(), vec![]);
        let with = t.with_inventory(&inv).unwrap();
        let v = with.violations(&r.value, &params).unwrap();
        assert_eq!(
            v,
            vec![Violation {
                msg: "x/s".into(),
                details: Json::Null
            }]
        );
        // A CEL-only template is refused with the engines it has.
        let cel = Template::from_json(
            &json!({"metadata": {"name": "c"}, "spec": {"crd": {"spec": {"names": {"kind": "C"}}},
                "targets": [{"target": "admission.k8s.gatekeeper.sh", "code": [
                    {"engine": "K8sNativeValidation", "source": {}}]}]}}),
            Origin {
                file: "c.yaml".into(),
                line: 3,
            },
        )
        .unwrap_err();
        assert_eq!(
            cel.to_string(),
            "c.yaml:3: ConstraintTemplate c has no Rego engine (it has K8sNativeValidation; only Rego is supported)"
        );
    }
}
