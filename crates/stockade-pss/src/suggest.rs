//! `stockade pss suggest`: per namespace, the strictest level whose enforcement admits every
//! pod spec in the input today, as ready-to-apply labels, and what stands between the namespace
//! and `restricted`.
//!
//! Decisions (see docs/pss.md):
//! - levels are judged at the newest policy version, and `enforce-version` is pinned to it
//!   (`v1.<NEWEST_MINOR>`), not `latest`: that is the version the workloads were verified
//!   against, and a pinned version means a cluster upgrade cannot start rejecting pods on its
//!   own;
//! - below `restricted`, `warn` and `audit` are set to `restricted` at `latest`, so that what is
//!   still missing, and what new versions add, shows up as warnings before it is enforced;
//! - objects without `metadata.namespace` are counted in `default`, where `kubectl apply` puts
//!   them unless told otherwise.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Value, json};
use stockade_model::{LoadError, Object, pod_specs};

use crate::namespace::{
    AUDIT_LEVEL_LABEL, AUDIT_VERSION_LABEL, ENFORCE_LEVEL_LABEL, ENFORCE_VERSION_LABEL,
    WARN_LEVEL_LABEL, WARN_VERSION_LABEL,
};
use crate::report::{DEFAULT_NAMESPACE, namespaces, violations_json};
use crate::{Level, NEWEST_MINOR, Version, Violation, evaluate, forbidden_detail};

/// A pod spec that `restricted` would reject, with why.
#[derive(Debug, Clone)]
pub struct Blocker<'a> {
    /// The object.
    pub object: &'a Object,
    /// Path of the pod spec in it.
    pub pod_spec_path: String,
    /// Its restricted violations at the newest version.
    pub violations: Vec<Violation>,
}

/// The suggestion for one namespace.
#[derive(Debug, Clone)]
pub struct Suggestion<'a> {
    /// The namespace.
    pub namespace: String,
    /// True when objects without `metadata.namespace` were counted here.
    pub defaulted: bool,
    /// Pod specs in the namespace.
    pub pod_specs: usize,
    /// The strictest level that admits all of them.
    pub level: Level,
    /// The version the level is pinned to.
    pub version: Version,
    /// The labels to set, in the order to apply them.
    pub labels: Vec<(&'static str, String)>,
    /// What `restricted` would reject (empty when the level is restricted).
    pub to_restricted: Vec<Blocker<'a>>,
}

impl Suggestion<'_> {
    /// `kubectl label --overwrite namespace <ns> k=v ...`.
    pub fn kubectl(&self) -> String {
        let mut s =
            stockade_model::format_exact!("kubectl label --overwrite namespace {}", self.namespace);
        for (k, v) in &self.labels {
            s.push_str(&stockade_model::format_exact!(" {k}={v}"));
        }
        s
    }
}

/// Suggests labels for every namespace of `objects` (and every Namespace object in them),
/// sorted by name.
pub fn suggest(objects: &[Object]) -> Vec<Suggestion<'_>> {
    let newest = Version::V(NEWEST_MINOR);
    #[derive(Default)]
    struct Acc<'a> {
        defaulted: bool,
        pods: usize,
        baseline_ok: bool,
        blockers: Vec<Blocker<'a>>,
    }
    let mut by_ns: BTreeMap<String, Acc> = BTreeMap::new();
    for ns in namespaces(objects) {
        by_ns.entry(ns.name).or_insert_with(|| Acc {
            baseline_ok: true,
            ..Acc::default()
        });
    }
    for obj in objects {
        let pods = pod_specs(obj);
        if pods.is_empty() {
            continue;
        }
        let name = obj.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE);
        let acc = by_ns.entry(name.to_string()).or_insert_with(|| Acc {
            baseline_ok: true,
            ..Acc::default()
        });
        acc.defaulted |= obj.namespace.is_none();
        for pod in &pods {
            acc.pods += 1;
            let restricted = evaluate(Level::Restricted, newest, pod);
            if restricted.is_empty() {
                continue;
            }
            if !evaluate(Level::Baseline, newest, pod).is_empty() {
                acc.baseline_ok = false;
            }
            acc.blockers.push(Blocker {
                object: obj,
                pod_spec_path: pod.path.clone(),
                violations: restricted,
            });
        }
    }
    by_ns
        .into_iter()
        .map(|(namespace, acc)| {
            let level = if acc.blockers.is_empty() {
                Level::Restricted
            } else if acc.baseline_ok {
                Level::Baseline
            } else {
                Level::Privileged
            };
            let mut labels = vec![
                (ENFORCE_LEVEL_LABEL, level.to_string()),
                (ENFORCE_VERSION_LABEL, newest.to_string()),
            ];
            if level != Level::Restricted {
                labels.extend([
                    (WARN_LEVEL_LABEL, Level::Restricted.to_string()),
                    (WARN_VERSION_LABEL, Version::Latest.to_string()),
                    (AUDIT_LEVEL_LABEL, Level::Restricted.to_string()),
                    (AUDIT_VERSION_LABEL, Version::Latest.to_string()),
                ]);
            }
            Suggestion {
                namespace,
                defaulted: acc.defaulted,
                pod_specs: acc.pods,
                level,
                version: newest,
                labels,
                to_restricted: acc.blockers,
            }
        })
        .collect()
}

fn object_label(obj: &Object) -> String {
    match &obj.namespace {
        Some(ns) => stockade_model::format_exact!("{} {ns}/{}", obj.kind, obj.name),
        None => stockade_model::format_exact!("{} {}", obj.kind, obj.name),
    }
}

/// Renders suggestions and input errors as text.
pub fn write_text(
    suggestions: &[Suggestion],
    errors: &[LoadError],
    out: &mut dyn Write,
) -> io::Result<()> {
    for (i, s) in suggestions.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "namespace {}: {} ({} pod spec{})",
            s.namespace,
            s.level,
            s.pod_specs,
            if s.pod_specs == 1 { "" } else { "s" }
        )?;
        if s.defaulted {
            writeln!(
                out,
                "  note: includes objects without metadata.namespace, which kubectl applies to `{DEFAULT_NAMESPACE}` unless -n says otherwise"
            )?;
        }
        writeln!(out, "  labels:")?;
        for (k, v) in &s.labels {
            writeln!(out, "    {k}: {v}")?;
        }
        writeln!(out, "  {}", s.kubectl())?;
        if !s.to_restricted.is_empty() {
            writeln!(out, "  to reach restricted:")?;
            for b in &s.to_restricted {
                let o = b.object;
                writeln!(
                    out,
                    "    {}:{} {} ({}):",
                    o.file,
                    o.root.pos.line,
                    object_label(o),
                    b.pod_spec_path
                )?;
                for v in &b.violations {
                    writeln!(
                        out,
                        "      {}:{}:{} {}: {}",
                        o.file,
                        v.pos.line,
                        v.pos.col,
                        v.check,
                        forbidden_detail(std::slice::from_ref(v))
                    )?;
                }
            }
        }
    }
    if !errors.is_empty() {
        writeln!(out)?;
        for e in errors {
            let label = match e.level {
                stockade_model::Level::Error => "error",
                stockade_model::Level::Warning => "warning",
            };
            writeln!(out, "{label}: {e}")?;
        }
    }
    Ok(())
}

/// The JSON document (documented in docs/pss.md).
pub fn to_json(suggestions: &[Suggestion], errors: &[LoadError]) -> Value {
    let namespaces: Vec<Value> = suggestions
        .iter()
        .map(|s| {
            json!({
                "name": s.namespace,
                "defaulted": s.defaulted,
                "podSpecs": s.pod_specs,
                "level": s.level.as_str(),
                "version": s.version.to_string(),
                "labels": s.labels.iter().map(|(k, v)| (k.to_string(), Value::from(v.as_str()))).collect::<serde_json::Map<_, _>>(),
                "kubectl": s.kubectl(),
                "toRestricted": s.to_restricted.iter().map(|b| json!({
                    "file": &*b.object.file,
                    "line": b.object.root.pos.line,
                    "apiVersion": b.object.api_version,
                    "kind": b.object.kind,
                    "namespace": b.object.namespace,
                    "name": b.object.name,
                    "podSpecPath": b.pod_spec_path,
                    "violations": violations_json(&b.violations),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "namespaces": namespaces, "errors": errors })
}
