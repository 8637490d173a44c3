//! A set of templates and constraints loaded from files, evaluated over objects.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value as Json;
use stockade_engine::{ExtraChecks, ExtraHit, ExtraResult};
use stockade_model::{Level, LoadError, Object};

use crate::PolicyError;
use crate::gatekeeper::{Constraint, Inventory, Origin, Review, Template, Violation};
use crate::vap::{self, Binding, Budget, ObjectContext, Universe, Vap, VapOutcome};

/// Templates with their constraints, and ValidatingAdmissionPolicies with their bindings.
#[derive(Debug, Default)]
pub struct PolicySet {
    templates: Vec<Template>,
    /// Constraints with the index of their template.
    constraints: Vec<(usize, Constraint)>,
    vaps: Vec<Vap>,
    /// Bindings with the index of their policy.
    bindings: Vec<(usize, Binding)>,
    /// Cost limits of the CEL expressions.
    pub budget: Budget,
}

/// One violation of one constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyHit {
    /// Index into [`PolicySet::constraints`].
    pub constraint: usize,
    /// What the template reported.
    pub violation: Violation,
}

fn is_template(obj: &Object) -> bool {
    obj.kind == "ConstraintTemplate" && obj.api_version.starts_with("templates.gatekeeper.sh/")
}

fn is_constraint(obj: &Object) -> bool {
    obj.api_version.starts_with("constraints.gatekeeper.sh/")
}

fn is_vap_object(obj: &Object) -> bool {
    vap::is_policy(&obj.api_version, &obj.kind) || vap::is_binding(&obj.api_version, &obj.kind)
}

const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// The policy files under `path`: the file itself, or a directory's `.yaml`, `.yml` and
/// `.json` files, sorted.
fn files(path: &Path) -> Result<Vec<PathBuf>, PolicyError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        return Err(PolicyError::Read {
            file: path.display().to_string(),
            message: "no such file or directory".into(),
        });
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(path)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with(".git"))
    {
        let entry = entry.map_err(|e| PolicyError::Read {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
        if entry.file_type().is_file()
            && entry
                .path()
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e))
        {
            out.push(entry.into_path());
        }
    }
    Ok(out)
}

impl PolicySet {
    /// Loads every ConstraintTemplate, constraint, ValidatingAdmissionPolicy and binding found
    /// under `paths` (files or directories; other objects are ignored, so a policy library
    /// with its samples loads as is). Problems are returned with the set of everything that
    /// did load; a policy without binding is a warning ([`PolicyError::Warning`]).
    pub fn load(paths: &[PathBuf]) -> (Self, Vec<PolicyError>) {
        let mut objects = Vec::new();
        let mut errors = Vec::new();
        for p in paths {
            match files(p) {
                Ok(fs) => {
                    for f in fs {
                        match std::fs::read(&f) {
                            Ok(bytes) => {
                                let loaded = stockade_model::load(&f.display().to_string(), &bytes);
                                objects.extend(loaded.objects.into_iter().filter(|o| {
                                    is_template(o) || is_constraint(o) || is_vap_object(o)
                                }));
                                // A policy file that does not parse is an error; a sample that
                                // is not Kubernetes is not (libraries hold other files).
                                errors.extend(
                                    loaded
                                        .errors
                                        .into_iter()
                                        .filter(|e| e.level == Level::Error)
                                        .map(|e| PolicyError::Invalid {
                                            file: e.file.to_string(),
                                            line: e.line,
                                            message: e.message,
                                        }),
                                );
                            }
                            Err(e) => errors.push(PolicyError::Read {
                                file: f.display().to_string(),
                                message: e.to_string(),
                            }),
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        let (set, more) = Self::from_objects(&objects);
        errors.extend(more);
        (set, errors)
    }

    /// Builds a set from already-loaded objects (templates first, then constraints).
    pub fn from_objects(objects: &[Object]) -> (Self, Vec<PolicyError>) {
        let mut set = PolicySet::default();
        let mut errors = Vec::new();
        let mut by_kind: HashMap<String, usize> = HashMap::new();
        for o in objects.iter().filter(|o| is_template(o)) {
            match Template::from_object(o) {
                Ok(t) => {
                    if let Some(&prev) = by_kind.get(&t.kind) {
                        let p = &set.templates[prev];
                        errors.push(PolicyError::Invalid {
                            file: t.origin.file.to_string(),
                            line: t.origin.line,
                            message: format!(
                                "ConstraintTemplate {} defines kind {} again (first defined at {}:{}); this one is ignored",
                                t.name, t.kind, p.origin.file, p.origin.line
                            ),
                        });
                        continue;
                    }
                    by_kind.insert(t.kind.clone(), set.templates.len());
                    set.templates.push(t);
                }
                Err(e) => errors.push(e),
            }
        }
        for o in objects.iter().filter(|o| is_constraint(o)) {
            match Constraint::from_object(o) {
                Ok(c) => match by_kind.get(&c.kind) {
                    Some(&t) => set.constraints.push((t, c)),
                    None => errors.push(PolicyError::Invalid {
                        file: c.origin.file.to_string(),
                        line: c.origin.line,
                        message: format!(
                            "constraint {} has no ConstraintTemplate defining kind {}",
                            c.id(),
                            c.kind
                        ),
                    }),
                },
                Err(e) => errors.push(e),
            }
        }
        set.add_vaps(objects, &mut errors);
        (set, errors)
    }

    fn add_vaps(&mut self, objects: &[Object], errors: &mut Vec<PolicyError>) {
        let mut by_name: HashMap<String, usize> = HashMap::new();
        for o in objects
            .iter()
            .filter(|o| vap::is_policy(&o.api_version, &o.kind))
        {
            match Vap::from_json(&o.root.to_json(), Origin::of(o)) {
                Ok(v) => {
                    if let Some(&prev) = by_name.get(&v.name) {
                        let p = &self.vaps[prev];
                        errors.push(PolicyError::Invalid {
                            file: v.origin.file.to_string(),
                            line: v.origin.line,
                            message: format!(
                                "ValidatingAdmissionPolicy {} is defined again (first at {}:{}); this one is ignored",
                                v.name, p.origin.file, p.origin.line
                            ),
                        });
                        continue;
                    }
                    by_name.insert(v.name.clone(), self.vaps.len());
                    self.vaps.push(v);
                }
                Err(e) => errors.push(e),
            }
        }
        for o in objects
            .iter()
            .filter(|o| vap::is_binding(&o.api_version, &o.kind))
        {
            match Binding::from_json(&o.root.to_json(), Origin::of(o)) {
                Ok(b) => match by_name.get(&b.policy_name) {
                    Some(&p) => self.bindings.push((p, b)),
                    None => errors.push(PolicyError::Invalid {
                        file: b.origin.file.to_string(),
                        line: b.origin.line,
                        message: format!(
                            "ValidatingAdmissionPolicyBinding {} refers to policy {}, which is not loaded",
                            b.name, b.policy_name
                        ),
                    }),
                },
                Err(e) => errors.push(e),
            }
        }
        for (i, v) in self.vaps.iter().enumerate() {
            if !self.bindings.iter().any(|(p, _)| *p == i) {
                errors.push(PolicyError::Warning {
                    file: v.origin.file.to_string(),
                    line: v.origin.line,
                    message: format!(
                        "ValidatingAdmissionPolicy {} has no ValidatingAdmissionPolicyBinding, so it checks nothing (as in the API server)",
                        v.name
                    ),
                });
            }
        }
    }

    /// Whether `id` is the check ID of this set's findings: a ValidatingAdmissionPolicy's
    /// name, or a constraint's `Kind/name`.
    pub fn knows(&self, id: &str) -> bool {
        self.vaps.iter().any(|v| v.name == id) || self.constraints.iter().any(|(_, c)| c.id() == id)
    }

    /// The ValidatingAdmissionPolicies.
    pub fn vaps(&self) -> &[Vap] {
        &self.vaps
    }

    /// The bindings, each with its policy's index.
    pub fn bindings(&self) -> &[(usize, Binding)] {
        &self.bindings
    }

    fn vap_needs_set(&self, b: usize) -> bool {
        let (p, binding) = &self.bindings[b];
        self.vaps[*p].needs_set(binding)
    }

    fn param_kinds(&self) -> Vec<(String, String)> {
        let mut kinds: Vec<(String, String)> = self
            .vaps
            .iter()
            .filter_map(|v| v.param_kind.clone())
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// Evaluates every binding (`only` selects them by index) on one object; `universe`
    /// gives params and Namespaces. Each outcome comes with its binding's index.
    pub fn evaluate_vaps(
        &self,
        object: &Json,
        universe: Option<&Universe>,
        only: impl Fn(usize) -> bool,
    ) -> Vec<(usize, VapOutcome)> {
        let mut ctx: Option<ObjectContext> = None;
        let mut out = Vec::new();
        for (i, (p, b)) in self.bindings.iter().enumerate() {
            let policy = &self.vaps[*p];
            if !only(i) || !policy.selects_kind(b, object) {
                continue;
            }
            let ctx = ctx.get_or_insert_with(|| ObjectContext::new(object, universe));
            let outcome = policy.evaluate(b, ctx, universe, self.budget);
            if outcome.matched {
                out.push((i, outcome));
            }
        }
        out
    }

    fn vap_results(
        &self,
        outcomes: Vec<(usize, VapOutcome)>,
        index: usize,
        obj: &Object,
        out: &mut ExtraResult,
    ) {
        for (b, o) in outcomes {
            let (p, binding) = &self.bindings[b];
            let policy = &self.vaps[*p];
            for v in o.violations {
                out.hits.push((
                    index,
                    ExtraHit {
                        check: policy.name.clone().into(),
                        name: binding.name.clone().into(),
                        severity: binding.severity(),
                        message: v.message,
                        pos: obj.root.pos,
                        path: String::new(),
                        remediation: format!(
                            "change the object to satisfy ValidatingAdmissionPolicy {} (binding {}, {})",
                            policy.name, binding.name, policy.origin.file
                        )
                        .into(),
                    },
                ));
            }
            // The policy's failurePolicy already decided what a cost limit means (a violation
            // under Fail, nothing under Ignore, as the API server does): the limit is said as a
            // warning, not as an error the object could not be evaluated by (which the webhook
            // would deny on when it enforces).
            out.errors
                .extend(o.cost_errors.into_iter().map(|e| LoadError {
                    level: Level::Warning,
                    ..Self::error(obj, e)
                }));
        }
    }

    /// Adds a template (replacing none: its kind must be new).
    pub fn add_template(&mut self, t: Template) -> usize {
        self.templates.push(t);
        self.templates.len() - 1
    }

    /// Adds a constraint of the template at `template`.
    pub fn add_constraint(&mut self, template: usize, c: Constraint) {
        self.constraints.push((template, c));
    }

    /// The templates.
    pub fn templates(&self) -> &[Template] {
        &self.templates
    }

    /// The constraints, each with its template's index.
    pub fn constraints(&self) -> &[(usize, Constraint)] {
        &self.constraints
    }

    /// True when there is no constraint and no binding (templates and policies alone
    /// check nothing).
    pub fn is_empty(&self) -> bool {
        self.constraints.is_empty() && self.bindings.is_empty()
    }

    /// Whether a constraint needs the input set: its template reads `data.inventory`, or it
    /// selects namespaces by label.
    fn needs_set(&self, c: usize) -> bool {
        let (t, con) = &self.constraints[c];
        self.templates[*t].referential || con.matcher.needs_namespaces()
    }

    /// Evaluates every constraint on one review. `inventory` gives `data.inventory` and the
    /// namespace labels; templates that read the inventory are compiled with it by the
    /// caller (see [`Self::with_inventory`]) or see an empty one.
    pub fn evaluate(
        &self,
        review: &Review,
        inventory: Option<&Inventory>,
        only: impl Fn(usize) -> bool,
    ) -> (Vec<PolicyHit>, Vec<EvaluationError>) {
        let mut hits = Vec::new();
        let mut errors = Vec::new();
        let ns_labels = inventory.and_then(|inv| {
            review
                .object
                .pointer("/metadata/namespace")
                .and_then(Json::as_str)
                .and_then(|ns| inv.namespace_labels.get(ns))
        });
        let target = review.target(ns_labels);
        for (i, (t, c)) in self.constraints.iter().enumerate() {
            if !only(i) || !c.matcher.matches(&target) {
                continue;
            }
            match self.templates[*t].violations(&review.value, &c.parameters) {
                Ok(vs) => hits.extend(vs.into_iter().map(|violation| PolicyHit {
                    constraint: i,
                    violation,
                })),
                Err(e) => {
                    let id = c.id();
                    errors.push(EvaluationError {
                        message: format!("constraint {id}: {e}"),
                        constraint: id,
                    })
                }
            }
        }
        (hits, errors)
    }

    /// A copy whose referential templates are compiled with `inventory`.
    pub fn with_inventory(&self, inventory: &Inventory) -> Result<Self, PolicyError> {
        let mut templates = Vec::with_capacity(self.templates.len());
        for t in &self.templates {
            templates.push(if t.referential {
                t.with_inventory(inventory)?
            } else {
                t.clone()
            });
        }
        Ok(PolicySet {
            templates,
            constraints: self.constraints.clone(),
            ..PolicySet::default()
        })
    }

    fn hit(&self, h: PolicyHit, obj: &Object) -> ExtraHit {
        let c = &self.constraints[h.constraint].1;
        ExtraHit {
            check: c.id().into(),
            name: self.templates[self.constraints[h.constraint].0]
                .name
                .clone()
                .into(),
            severity: c.action.severity(),
            message: h.violation.msg,
            pos: obj.root.pos,
            path: String::new(),
            remediation: format!(
                "change the object to satisfy constraint {} (ConstraintTemplate {}, {})",
                c.id(),
                self.templates[self.constraints[h.constraint].0].name,
                c.origin.file
            )
            .into(),
        }
    }

    fn error(obj: &Object, message: String) -> LoadError {
        LoadError {
            file: obj.file.clone(),
            line: obj.root.pos.line,
            column: obj.root.pos.col,
            level: Level::Error,
            message: format!("{} {}: {message}", obj.kind, obj.name),
            check: None,
        }
    }

    fn kind_matches_set_constraint(&self, obj: &Object) -> bool {
        (0..self.constraints.len()).any(|c| {
            self.needs_set(c)
                && self.constraints[c]
                    .1
                    .matcher
                    .matches_kind(obj.group(), &obj.kind)
        })
    }
}

impl ExtraChecks for PolicySet {
    fn knows(&self, id: &str) -> bool {
        PolicySet::knows(self, id)
    }

    fn severity_of(&self, id: &str) -> Option<stockade_model::Severity> {
        self.constraints
            .iter()
            .find(|(_, c)| c.id() == id)
            .map(|(_, c)| c.action.severity())
    }

    fn check_object(&self, obj: &Object) -> ExtraResult {
        let mut out = self.check_object_gatekeeper(obj);
        // Converting the object is the fixed cost: only when an object-phase binding could
        // select its kind.
        let head = serde_json::json!({"apiVersion": obj.api_version, "kind": obj.kind});
        if self.bindings.iter().any(|(p, b)| {
            let policy = &self.vaps[*p];
            !policy.needs_set(b) && policy.selects_kind(b, &head)
        }) {
            let json = obj.root.to_json();
            let outcomes = self.evaluate_vaps(&json, None, |b| !self.vap_needs_set(b));
            self.vap_results(outcomes, 0, obj, &mut out);
        }
        out
    }

    fn wants(&self, obj: &Object) -> bool {
        self.wants_gatekeeper(obj) || self.wants_vap(obj)
    }

    fn check_set(&self, objects: &[Arc<Object>]) -> ExtraResult {
        let mut out = self.check_set_gatekeeper(objects);
        if !(0..self.bindings.len()).any(|b| self.vap_needs_set(b)) {
            return out;
        }
        let jsons: Vec<Json> = objects.iter().map(|o| o.root.to_json()).collect();
        let universe = Universe::from_objects(&jsons, &self.param_kinds());
        for (i, (obj, json)) in objects.iter().zip(&jsons).enumerate() {
            let outcomes = self.evaluate_vaps(json, Some(&universe), |b| self.vap_needs_set(b));
            self.vap_results(outcomes, i, obj, &mut out);
        }
        out
    }
}

impl PolicySet {
    fn wants_vap(&self, obj: &Object) -> bool {
        let set_bindings: Vec<usize> = (0..self.bindings.len())
            .filter(|&b| self.vap_needs_set(b))
            .collect();
        if set_bindings.is_empty() {
            return false;
        }
        if obj.kind == "Namespace" && obj.group().is_empty() {
            return true;
        }
        if self.vaps.iter().any(|v| {
            v.param_kind
                .as_ref()
                .is_some_and(|(av, k)| *av == obj.api_version && *k == obj.kind)
        }) {
            return true;
        }
        let json = serde_json::json!({"apiVersion": obj.api_version, "kind": obj.kind});
        set_bindings.into_iter().any(|b| {
            let (p, binding) = &self.bindings[b];
            self.vaps[*p].selects_kind(binding, &json)
        })
    }

    fn check_object_gatekeeper(&self, obj: &Object) -> ExtraResult {
        let mut out = ExtraResult::default();
        // Converting the object for Rego is the dominant fixed cost: skip it when no
        // object-phase constraint selects the object's kind.
        let (group, kind) = (obj.group(), obj.kind.as_str());
        if !self
            .constraints
            .iter()
            .enumerate()
            .any(|(i, (_, c))| !self.needs_set(i) && c.matcher.matches_kind(group, kind))
        {
            return out;
        }
        let review = Review::of_object(obj.root.to_json());
        let (hits, errors) = self.evaluate(&review, None, |c| !self.needs_set(c));
        out.hits = hits.into_iter().map(|h| (0, self.hit(h, obj))).collect();
        out.errors = errors.into_iter().map(|e| e.at(obj)).collect();
        out
    }

    fn wants_gatekeeper(&self, obj: &Object) -> bool {
        if !(0..self.constraints.len()).any(|c| self.needs_set(c)) {
            return false;
        }
        let any_referential =
            (0..self.constraints.len()).any(|c| self.templates[self.constraints[c].0].referential);
        // Referential templates see every object (Gatekeeper syncs what they read).
        any_referential
            || (obj.kind == "Namespace" && obj.group().is_empty())
            || self.kind_matches_set_constraint(obj)
    }

    fn check_set_gatekeeper(&self, objects: &[Arc<Object>]) -> ExtraResult {
        let mut out = ExtraResult::default();
        if !(0..self.constraints.len()).any(|c| self.needs_set(c)) {
            return out;
        }
        let jsons: Vec<Json> = objects.iter().map(|o| o.root.to_json()).collect();
        let inventory = Inventory::from_objects(&jsons);
        let set = match self.with_inventory(&inventory) {
            Ok(s) => s,
            Err(e) => {
                out.errors.push(LoadError::whole_file("", e.to_string()));
                return out;
            }
        };
        for (i, (obj, json)) in objects.iter().zip(jsons).enumerate() {
            if !self.kind_matches_set_constraint(obj) {
                continue;
            }
            let review = Review::of_object(json);
            let (hits, errors) = set.evaluate(&review, Some(&inventory), |c| self.needs_set(c));
            out.hits
                .extend(hits.into_iter().map(|h| (i, self.hit(h, obj))));
            out.errors.extend(errors.into_iter().map(|e| e.at(obj)));
        }
        out
    }
}

/// A constraint that could not be evaluated on an object (a Rego evaluation error).
#[derive(Debug, Clone)]
pub struct EvaluationError {
    /// The constraint's check ID (`Kind/name`).
    pub constraint: String,
    /// What went wrong, naming the constraint.
    pub message: String,
}

impl std::fmt::Display for EvaluationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl EvaluationError {
    /// The error at `obj`, attributed to the constraint (the webhook applies its mode).
    fn at(self, obj: &Object) -> LoadError {
        LoadError {
            check: Some(self.constraint.into()),
            ..PolicySet::error(obj, self.message)
        }
    }
}
