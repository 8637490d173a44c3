//! `stockade pss`: evaluates every pod spec of every object against one level, or against the
//! policy its namespace's labels give it, and renders the verdicts as text or JSON.
//!
//! Two modes:
//! - **level mode** (`--level` and no namespace information): every pod spec is evaluated at
//!   the given level and version;
//! - **namespace mode**, when the input has Namespace objects with `pod-security.kubernetes.io`
//!   labels, or namespace labels or an admission configuration are supplied: each pod spec is
//!   judged as Pod Security Admission would judge it in its namespace (see
//!   [`crate::namespace`]), `--level` being the enforce default for namespaces without an enforce
//!   label.
//!
//! The API server enforces only Pods; for a workload's pod template it only warns and audits,
//! then rejects the Pods its controller creates. Since this runs before deploy to answer "will
//! my pods be admitted", a template that fails the enforce policy is a failure here too,
//! reported as `pods of this workload will be rejected: ...`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::Arc;

use serde_json::{Value, json};
use stockade_model::{LoadError, Object, pod_specs};

use crate::namespace::{
    Config, Decision, Exemption, LabelError, LevelVersion, Policy, Request, Verdict, decide,
    labels, policy_from_labels,
};
use crate::{Error, Level, Version, Violation, forbidden_detail};

/// Prefix of every Pod Security label.
pub const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";

/// The namespace of objects that do not set `metadata.namespace`.
pub const DEFAULT_NAMESPACE: &str = "default";

/// A Namespace object and its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.labels`, in source order.
    pub labels: Vec<(String, String)>,
    /// Where it was read.
    pub file: Arc<str>,
    /// Its line.
    pub line: u32,
}

impl Namespace {
    /// True when any label is a Pod Security label.
    pub fn has_pod_security_labels(&self) -> bool {
        self.labels.iter().any(|(k, _)| k.starts_with(LABEL_PREFIX))
    }
}

/// The core `v1` Namespace objects among `objects`.
pub fn namespaces(objects: &[Object]) -> Vec<Namespace> {
    objects
        .iter()
        .filter(|o| o.kind == "Namespace" && o.api_version == "v1")
        .map(|o| Namespace {
            name: o.name.clone(),
            labels: labels(o)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            file: o.file.clone(),
            line: o.root.pos.line,
        })
        .collect()
}

/// What to evaluate against.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `--level`: the level in level mode; the enforce default in namespace mode.
    pub level: Option<Level>,
    /// `--version`.
    pub version: Option<Version>,
    /// The admission configuration (`--exemptions`).
    pub config: Option<Config>,
    /// Namespaces known besides the input (`--namespace-labels`); the input's win.
    pub namespaces: Vec<Namespace>,
}

/// Which question was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One level for everything.
    Level,
    /// Each object by its namespace's policy.
    Namespace,
}

/// The policy a namespace resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespacePolicy {
    /// The namespace.
    pub name: String,
    /// Its Namespace object, when one was found: file and line.
    pub source: Option<(Arc<str>, u32)>,
    /// The policy.
    pub policy: Policy,
    /// Labels the API server could not parse.
    pub label_errors: Vec<LabelError>,
}

/// The verdict for one pod spec.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The object.
    pub object: &'a Object,
    /// Path of the pod spec in it.
    pub pod_spec_path: String,
    /// True when the object has more than one pod spec.
    pub one_of_many: bool,
    /// True for a Pod (enforced at admission), false for a pod template.
    pub is_pod: bool,
    /// The namespace whose policy applied (namespace mode).
    pub namespace: String,
    /// Set when the namespace or runtime class is exempt.
    pub exempt: Option<Exemption>,
    /// The enforce (level mode: the only) verdict.
    pub enforce: Verdict,
    /// Audit violations (namespace mode), when there are any.
    pub audit: Option<Verdict>,
    /// Warn violations (namespace mode), when there are any.
    pub warn: Option<Verdict>,
}

impl Entry<'_> {
    /// False when the pod (or the pods of this workload) would be rejected.
    pub fn passed(&self) -> bool {
        self.enforce.allowed()
    }

    /// The failure message, in the API server's words.
    pub fn message(&self) -> Option<String> {
        if self.passed() {
            return None;
        }
        let msg = stockade_model::format_exact!(
            "violates PodSecurity \"{}\": {}",
            self.enforce.policy,
            forbidden_detail(&self.enforce.violations)
        );
        Some(if self.is_pod {
            msg
        } else {
            stockade_model::format_exact!("pods of this workload will be rejected: {msg}")
        })
    }
}

/// Everything `stockade pss` found.
#[derive(Debug, Clone)]
pub struct Outcome<'a> {
    /// The mode.
    pub mode: Mode,
    /// Namespace policies (namespace mode), sorted by name.
    pub namespaces: Vec<NamespacePolicy>,
    /// One entry per pod spec, in input order.
    pub entries: Vec<Entry<'a>>,
}

impl Outcome<'_> {
    /// True when any pod spec fails (exit 1).
    pub fn failed(&self) -> bool {
        self.entries.iter().any(|e| !e.passed())
    }
}

fn would_violate(v: &Verdict) -> String {
    stockade_model::format_exact!(
        "would violate PodSecurity \"{}\": {}",
        v.policy,
        forbidden_detail(&v.violations)
    )
}

/// True for a core `v1` Pod.
fn is_pod(obj: &Object) -> bool {
    obj.kind == "Pod" && obj.api_version == "v1"
}

/// Evaluates every pod spec in `objects`.
pub fn evaluate_objects<'a>(
    objects: &'a [Object],
    settings: &Settings,
) -> Result<Outcome<'a>, Error> {
    let input_ns = namespaces(objects);
    let namespace_mode = settings.config.is_some()
        || !settings.namespaces.is_empty()
        || input_ns.iter().any(Namespace::has_pod_security_labels);
    let version = settings.version.unwrap_or(Version::Latest);
    if !namespace_mode {
        let level = settings.level.ok_or(Error::NoPolicy)?;
        let policy = LevelVersion { level, version };
        let mut entries = Vec::new();
        for obj in objects {
            let pods = pod_specs(obj);
            let many = pods.len() > 1;
            for pod in &pods {
                entries.push(Entry {
                    object: obj,
                    pod_spec_path: pod.path.clone(),
                    one_of_many: many,
                    is_pod: is_pod(obj),
                    namespace: obj
                        .namespace
                        .clone()
                        .unwrap_or_else(|| DEFAULT_NAMESPACE.into()),
                    exempt: None,
                    enforce: Verdict {
                        policy,
                        violations: crate::evaluate(level, version, pod),
                    },
                    audit: None,
                    warn: None,
                });
            }
        }
        return Ok(Outcome {
            mode: Mode::Level,
            namespaces: Vec::new(),
            entries,
        });
    }

    let mut config = settings.config.clone().unwrap_or_default();
    if let Some(level) = settings.level {
        config.defaults.enforce = LevelVersion { level, version };
    }
    // The input's Namespace objects are what will be applied, so they win over the cluster's.
    let mut known: BTreeMap<&str, &Namespace> = BTreeMap::new();
    for ns in settings.namespaces.iter().chain(&input_ns) {
        known.insert(&ns.name, ns);
    }
    let mut policies: BTreeMap<String, NamespacePolicy> = BTreeMap::new();
    let mut resolve = |name: &str| -> NamespacePolicy {
        policies
            .entry(name.to_string())
            .or_insert_with(|| {
                let ns = known.get(name);
                let (policy, label_errors) = policy_from_labels(
                    ns.map(|n| &n.labels[..])
                        .unwrap_or(&[])
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str())),
                    config.defaults,
                );
                NamespacePolicy {
                    name: name.to_string(),
                    source: ns.map(|n| (n.file.clone(), n.line)),
                    policy,
                    label_errors,
                }
            })
            .clone()
    };
    for ns in &input_ns {
        resolve(&ns.name);
    }
    let mut entries = Vec::new();
    for obj in objects {
        let pods = pod_specs(obj);
        let many = pods.len() > 1;
        let namespace = obj
            .namespace
            .clone()
            .unwrap_or_else(|| DEFAULT_NAMESPACE.into());
        let ns = resolve(&namespace);
        // Exactly the labels the policy came from, so `decide` resolves the same policy.
        let ns_labels: Vec<(&str, &str)> = known
            .get(namespace.as_str())
            .map(|n| &n.labels[..])
            .unwrap_or(&[])
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        debug_assert_eq!(
            policy_from_labels(ns_labels.iter().copied(), config.defaults).0,
            ns.policy
        );
        for pod in &pods {
            let pod_request = Request {
                namespace: &namespace,
                username: None,
                is_pod: true,
            };
            let as_pod = decide(&config, Some(&ns_labels), &pod_request, pod);
            // For a template, warn and audit are what applying the workload gives; enforce is
            // what its pods will get.
            let shown: Decision = if is_pod(obj) {
                as_pod.clone()
            } else {
                decide(
                    &config,
                    Some(&ns_labels),
                    &Request {
                        is_pod: false,
                        ..pod_request
                    },
                    pod,
                )
            };
            let some = |v: Verdict| (!v.allowed()).then_some(v);
            entries.push(Entry {
                object: obj,
                pod_spec_path: pod.path.clone(),
                one_of_many: many,
                is_pod: is_pod(obj),
                namespace: namespace.clone(),
                exempt: as_pod.exempt,
                enforce: as_pod.enforce,
                audit: some(shown.audit),
                warn: some(shown.warn),
            });
        }
    }
    Ok(Outcome {
        mode: Mode::Namespace,
        namespaces: policies.into_values().collect(),
        entries,
    })
}

/// `Kind ns/name`, the namespace as written (none when unset).
fn object_label(obj: &Object) -> String {
    match &obj.namespace {
        Some(ns) => stockade_model::format_exact!("{} {ns}/{}", obj.kind, obj.name),
        None => stockade_model::format_exact!("{} {}", obj.kind, obj.name),
    }
}

fn write_violations(
    out: &mut dyn Write,
    file: &str,
    indent: &str,
    vs: &[Violation],
) -> io::Result<()> {
    for v in vs {
        writeln!(
            out,
            "{indent}{file}:{}:{} {}: {}",
            v.pos.line, v.pos.col, v.check, v.path
        )?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Renders the outcome and input errors as text.
pub fn write_text(outcome: &Outcome, errors: &[LoadError], out: &mut dyn Write) -> io::Result<()> {
    if outcome.mode == Mode::Namespace {
        for ns in &outcome.namespaces {
            let p = ns.policy;
            let from = match &ns.source {
                Some((file, line)) => stockade_model::format_exact!("{file}:{line}"),
                None => "no Namespace object: defaults".into(),
            };
            writeln!(
                out,
                "namespace {}: enforce {}, audit {}, warn {} ({from})",
                ns.name, p.enforce, p.audit, p.warn
            )?;
            for e in &ns.label_errors {
                writeln!(
                    out,
                    "  warning: label {}={:?}: {}",
                    e.label, e.value, e.error
                )?;
            }
        }
        if !outcome.namespaces.is_empty() {
            writeln!(out)?;
        }
    }
    for e in &outcome.entries {
        let obj = e.object;
        let mut head = stockade_model::format_exact!(
            "{}:{} {}",
            obj.file,
            obj.root.pos.line,
            object_label(obj)
        );
        if e.one_of_many {
            head.push_str(&stockade_model::format_exact!(" ({})", e.pod_spec_path));
        }
        match (e.message(), e.exempt) {
            (Some(msg), _) => writeln!(out, "{head}: FAIL {msg}")?,
            (None, Some(x)) => writeln!(
                out,
                "{head}: PASS (exempt: {} {})",
                x.as_str(),
                match x {
                    Exemption::Namespace => e.namespace.as_str(),
                    _ => obj_runtime_class(obj, &e.pod_spec_path),
                }
            )?,
            (None, None) => writeln!(out, "{head}: PASS")?,
        }
        write_violations(out, &obj.file, "  ", &e.enforce.violations)?;
        match (&e.warn, &e.audit) {
            (Some(w), Some(a)) if w == a => {
                writeln!(out, "  warning (warn, audit): {}", would_violate(w))?;
                write_violations(out, &obj.file, "    ", &w.violations)?;
            }
            (w, a) => {
                if let Some(w) = w {
                    writeln!(out, "  warning (warn): {}", would_violate(w))?;
                    write_violations(out, &obj.file, "    ", &w.violations)?;
                }
                if let Some(a) = a {
                    writeln!(out, "  warning (audit): {}", would_violate(a))?;
                    write_violations(out, &obj.file, "    ", &a.violations)?;
                }
            }
        }
    }
    if !errors.is_empty() {
        if !outcome.entries.is_empty() {
            writeln!(out)?;
        }
        for e in errors {
            let label = match e.level {
                stockade_model::Level::Error => "error",
                stockade_model::Level::Warning => "warning",
            };
            writeln!(out, "{label}: {e}")?;
        }
    }
    let s = summary(outcome, errors);
    let n = outcome.entries.len();
    let mut line = stockade_model::format_exact!(
        "\n{n} pod spec{} evaluated: {} pass, {} fail",
        plural(n),
        s.pass,
        s.fail
    );
    if outcome.mode == Mode::Namespace {
        line.push_str(&stockade_model::format_exact!(
            ", {} with warnings, {} exempt",
            s.warnings,
            s.exempt
        ));
    }
    if s.errors > 0 {
        line.push_str(&stockade_model::format_exact!(
            "; {} input error{}",
            s.errors,
            plural(s.errors)
        ));
    }
    writeln!(out, "{line}")
}

fn obj_runtime_class<'o>(obj: &'o Object, pod_spec_path: &str) -> &'o str {
    pod_specs(obj)
        .into_iter()
        .find(|p| p.path == pod_spec_path)
        .and_then(|p| p.spec.str_at("runtimeClassName"))
        .unwrap_or("")
}

struct Counts {
    pass: usize,
    fail: usize,
    warnings: usize,
    exempt: usize,
    errors: usize,
}

fn summary(outcome: &Outcome, errors: &[LoadError]) -> Counts {
    let e = &outcome.entries;
    let fail = e.iter().filter(|e| !e.passed()).count();
    Counts {
        pass: e.len() - fail,
        fail,
        warnings: e
            .iter()
            .filter(|e| e.warn.is_some() || e.audit.is_some())
            .count(),
        exempt: e.iter().filter(|e| e.exempt.is_some()).count(),
        errors: errors
            .iter()
            .filter(|e| e.level == stockade_model::Level::Error)
            .count(),
    }
}

/// JSON of violations (shared with `suggest`).
pub fn violations_json(vs: &[Violation]) -> Value {
    vs.iter()
        .map(|v| {
            json!({
                "check": v.check, "reason": v.reason, "detail": v.detail, "path": v.path,
                "line": v.pos.line, "column": v.pos.col,
            })
        })
        .collect()
}

fn verdict_json(v: &Option<Verdict>) -> Value {
    match v {
        None => Value::Null,
        Some(v) => json!({
            "level": v.policy.level.as_str(),
            "version": v.policy.version.to_string(),
            "message": would_violate(v),
            "violations": violations_json(&v.violations),
        }),
    }
}

/// The JSON document (documented in docs/pss.md).
pub fn to_json(outcome: &Outcome, errors: &[LoadError]) -> Value {
    let objects: Vec<Value> = outcome
        .entries
        .iter()
        .map(|e| {
            let o = e.object;
            json!({
                "file": &*o.file,
                "line": o.root.pos.line,
                "apiVersion": o.api_version,
                "kind": o.kind,
                "namespace": o.namespace,
                "name": o.name,
                "podSpecPath": e.pod_spec_path,
                "verdict": if e.passed() { "pass" } else { "fail" },
                "level": e.enforce.policy.level.as_str(),
                "version": e.enforce.policy.version.to_string(),
                "message": e.message(),
                "violations": violations_json(&e.enforce.violations),
                "enforcedAtAdmission": e.is_pod,
                "policyNamespace": (outcome.mode == Mode::Namespace).then_some(&e.namespace),
                "exempt": e.exempt.map(Exemption::as_str),
                "warn": verdict_json(&e.warn),
                "audit": verdict_json(&e.audit),
            })
        })
        .collect();
    let namespaces: Vec<Value> = outcome
        .namespaces
        .iter()
        .map(|n| {
            json!({
                "name": n.name,
                "file": n.source.as_ref().map(|(f, _)| &**f),
                "line": n.source.as_ref().map(|(_, l)| *l),
                "enforce": n.policy.enforce.to_string(),
                "audit": n.policy.audit.to_string(),
                "warn": n.policy.warn.to_string(),
                "labelErrors": n.label_errors.iter().map(|e| json!({
                    "label": e.label, "value": e.value, "message": e.error.to_string(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let s = summary(outcome, errors);
    json!({
        "mode": match outcome.mode { Mode::Level => "level", Mode::Namespace => "namespace" },
        "namespaces": namespaces,
        "objects": objects,
        "errors": errors,
        "summary": {
            "objects": outcome.entries.len(),
            "pass": s.pass,
            "fail": s.fail,
            "warnings": s.warnings,
            "exempt": s.exempt,
            "errors": s.errors,
        },
    })
}
