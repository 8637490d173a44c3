//! gator verify's `kind: Suite` test files: each test names a template and a constraint, each
//! case an object (or an AdmissionReview), optional inventory files, and assertions on the
//! violations (`violations: yes | no | N`, optionally only those whose message matches a
//! regular expression).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use stockade_model::Object;

use crate::PolicyError;
use crate::gatekeeper::{Constraint, Inventory, Review, Template, Violation};
use crate::set::PolicySet;

/// What became of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every assertion held.
    Pass,
    /// An assertion failed, or the case could not run (the reason).
    Fail(String),
    /// Marked `skip: true`.
    Skip,
}

/// One case's result.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The suite file.
    pub suite: PathBuf,
    /// The test's name.
    pub test: String,
    /// The case's name.
    pub case: String,
    /// The outcome.
    pub outcome: Outcome,
}

fn read_objects(path: &Path) -> Result<Vec<Object>, PolicyError> {
    let bytes = std::fs::read(path).map_err(|e| PolicyError::Read {
        file: path.display().to_string(),
        message: e.to_string(),
    })?;
    let loaded = stockade_model::load(&path.display().to_string(), &bytes);
    if let Some(e) = loaded
        .errors
        .iter()
        .find(|e| e.level == stockade_model::Level::Error)
    {
        return Err(PolicyError::Invalid {
            file: e.file.to_string(),
            line: e.line,
            message: e.message.clone(),
        });
    }
    Ok(loaded.objects)
}

fn one_object(path: &Path) -> Result<Object, PolicyError> {
    let mut objs = read_objects(path)?;
    if objs.len() != 1 {
        return Err(PolicyError::Invalid {
            file: path.display().to_string(),
            line: 0,
            message: format!("expected exactly one object, found {}", objs.len()),
        });
    }
    Ok(objs.remove(0))
}

/// An assertion: how many violations (whose message matches) are expected.
#[derive(Debug)]
struct Assertion {
    violations: Expect,
    message: Option<regex::Regex>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Yes,
    No,
    Count(u64),
}

impl Assertion {
    fn from_json(a: &Json) -> Result<Self, String> {
        let violations = match a.get("violations") {
            None | Some(Json::Null) => Expect::Yes,
            Some(Json::Bool(true)) => Expect::Yes,
            Some(Json::Bool(false)) => Expect::No,
            Some(Json::Number(n)) => Expect::Count(
                n.as_u64()
                    .ok_or_else(|| format!("violations must be yes, no or a count, not {n}"))?,
            ),
            Some(Json::String(s)) => match s.trim() {
                "yes" => Expect::Yes,
                "no" => Expect::No,
                other => Expect::Count(other.parse().map_err(|_| {
                    format!("violations must be yes, no or a count, not `{other}`")
                })?),
            },
            Some(other) => {
                return Err(format!(
                    "violations must be yes, no or a count, not {other}"
                ));
            }
        };
        let message = match a.get("message") {
            None | Some(Json::Null) => None,
            Some(m) => {
                let text = m
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| m.to_string());
                Some(
                    regex::Regex::new(&text)
                        .map_err(|e| format!("message is not a regular expression: {e}"))?,
                )
            }
        };
        Ok(Assertion {
            violations,
            message,
        })
    }

    fn check(&self, found: &[Violation]) -> Result<(), String> {
        let matching = found
            .iter()
            .filter(|v| self.message.as_ref().is_none_or(|r| r.is_match(&v.msg)))
            .count() as u64;
        let about = match &self.message {
            Some(r) => format!(" matching /{r}/"),
            None => String::new(),
        };
        let ok = match self.violations {
            Expect::Yes => matching > 0,
            Expect::No => matching == 0,
            Expect::Count(n) => matching == n,
        };
        if ok {
            return Ok(());
        }
        let want = match self.violations {
            Expect::Yes => "at least one violation".to_string(),
            Expect::No => "no violation".to_string(),
            Expect::Count(n) => format!("{n} violation(s)"),
        };
        let got: Vec<&str> = found.iter().map(|v| v.msg.as_str()).collect();
        Err(format!(
            "expected {want}{about}, got {matching}{about} (all messages: {got:?})"
        ))
    }
}

/// Templates and constraints read once per suite run.
#[derive(Default)]
struct Cache {
    templates: HashMap<PathBuf, Result<Template, String>>,
}

impl Cache {
    fn template(&mut self, path: &Path) -> Result<Template, String> {
        self.templates
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                let obj = one_object(path).map_err(|e| e.to_string())?;
                Template::from_object(&obj).map_err(|e| e.to_string())
            })
            .clone()
    }
}

/// Runs one case: the template and constraint are already loaded.
fn run_case(template: &Template, constraint: &Constraint, dir: &Path, case: &Json) -> Outcome {
    let go = || -> Result<(), String> {
        let path = |v: &Json| -> Result<PathBuf, String> {
            v.as_str()
                .map(|s| dir.join(s))
                .ok_or_else(|| format!("path must be a string, not {v}"))
        };
        let object_path = path(case.get("object").ok_or("case has no object")?)?;
        let obj = one_object(&object_path).map_err(|e| e.to_string())?;
        let json = obj.root.to_json();
        let review = if obj.kind == "AdmissionReview" {
            Review::of_request(json.get("request").unwrap_or(&Json::Null))
        } else {
            Review::of_object(json)
        };
        let mut inv_objects = Vec::new();
        for p in case
            .get("inventory")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let objs = read_objects(&path(p)?).map_err(|e| e.to_string())?;
            inv_objects.extend(objs.iter().map(|o| o.root.to_json()));
        }
        let inventory = Inventory::from_objects(&inv_objects);
        let template = if template.referential {
            template
                .with_inventory(&inventory)
                .map_err(|e| e.to_string())?
        } else {
            template.clone()
        };
        let mut set = PolicySet::default();
        let t = set.add_template(template);
        set.add_constraint(t, constraint.clone());
        let (hits, errors) = set.evaluate(&review, Some(&inventory), |_| true);
        if let Some(e) = errors.into_iter().next() {
            return Err(format!("evaluation failed: {e}"));
        }
        let found: Vec<Violation> = hits.into_iter().map(|h| h.violation).collect();
        let assertions = case
            .get("assertions")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        for a in &assertions {
            Assertion::from_json(a)?.check(&found)?;
        }
        Ok(())
    };
    match go() {
        Ok(()) => Outcome::Pass,
        Err(e) => Outcome::Fail(e),
    }
}

fn truthy(v: Option<&Json>) -> bool {
    matches!(v, Some(Json::Bool(true)))
        || v.and_then(Json::as_str)
            .is_some_and(|s| s == "true" || s == "yes")
}

/// Runs every case of one suite file. An error means the suite itself is unreadable; a test
/// whose template or constraint fails to load fails each of its cases with the reason.
pub fn run_suite(path: &Path) -> Result<Vec<CaseResult>, PolicyError> {
    let suite = one_object(path)?;
    if suite.kind == "VAPSuite" {
        return Ok(run_vap_suite(path, &suite));
    }
    if suite.kind != "Suite" {
        return Err(PolicyError::Invalid {
            file: path.display().to_string(),
            line: suite.root.pos.line,
            message: format!("expected kind Suite or VAPSuite, found {}", suite.kind),
        });
    }
    let doc = suite.root.to_json();
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut cache = Cache::default();
    let mut out = Vec::new();
    for test in doc
        .get("tests")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let test_name = test
            .get("name")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let loaded = (|| -> Result<(Template, Constraint), String> {
            let t = test
                .get("template")
                .and_then(Json::as_str)
                .ok_or("test has no template")?;
            let c = test
                .get("constraint")
                .and_then(Json::as_str)
                .ok_or("test has no constraint")?;
            let template = cache.template(&dir.join(t))?;
            let cobj = one_object(&dir.join(c)).map_err(|e| e.to_string())?;
            let constraint = Constraint::from_object(&cobj).map_err(|e| e.to_string())?;
            if constraint.kind != template.kind {
                return Err(format!(
                    "constraint kind {} is not the template's kind {}",
                    constraint.kind, template.kind
                ));
            }
            Ok((template, constraint))
        })();
        let skip_test = truthy(test.get("skip"));
        for case in test
            .get("cases")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let case_name = case
                .get("name")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string();
            let outcome = if skip_test || truthy(case.get("skip")) {
                Outcome::Skip
            } else {
                match &loaded {
                    Ok((t, c)) => run_case(t, c, dir, case),
                    Err(e) => Outcome::Fail(e.clone()),
                }
            };
            out.push(CaseResult {
                suite: path.to_path_buf(),
                test: test_name.clone(),
                case: case_name,
                outcome,
            });
        }
    }
    Ok(out)
}

/// The suite files among `paths`: files as given, and every `suite.yaml`/`suite.yml` (or
/// file holding `kind: Suite`) under directories, sorted.
pub fn find_suites(paths: &[PathBuf]) -> Result<Vec<PathBuf>, PolicyError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_file() {
            out.push(p.clone());
            continue;
        }
        if !p.is_dir() {
            return Err(PolicyError::Read {
                file: p.display().to_string(),
                message: "no such file or directory".into(),
            });
        }
        for e in walkdir::WalkDir::new(p).sort_by_file_name() {
            let e = e.map_err(|e| PolicyError::Read {
                file: p.display().to_string(),
                message: e.to_string(),
            })?;
            let name = e.file_name().to_string_lossy();
            if e.file_type().is_file() && (name == "suite.yaml" || name == "suite.yml") {
                out.push(e.into_path());
            }
        }
    }
    Ok(out)
}

/// Runs a `kind: VAPSuite` file (Stockade's format for ValidatingAdmissionPolicies, see
/// docs/policy.md): `policies` (files or directories with the policies and bindings),
/// `objects` (files whose objects join every case's input set: params, Namespaces), and
/// `cases`, each with an `object` (a file holding one object, or the object inline),
/// optional `objects` of its own, and the expectations `allowed` (no violation under a
/// binding with the Deny action) and `messages` (every violation's message, in any order).
fn run_vap_suite(path: &Path, suite: &Object) -> Vec<CaseResult> {
    let doc = suite.root.to_json();
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = doc
        .pointer("/metadata/name")
        .and_then(Json::as_str)
        .unwrap_or("vap")
        .to_string();
    let paths = |v: Option<&Json>| -> Vec<PathBuf> {
        v.and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .map(|p| dir.join(p))
            .collect()
    };
    let policy_paths = paths(doc.get("policies"));
    let loaded = (|| -> Result<(PolicySet, Vec<Json>), String> {
        if policy_paths.is_empty() {
            return Err("the suite lists no policies".into());
        }
        let (set, errors) = PolicySet::load(&policy_paths);
        if let Some(e) = errors
            .iter()
            .find(|e| !matches!(e, PolicyError::Warning { .. }))
        {
            return Err(e.to_string());
        }
        if set.bindings().is_empty() {
            return Err("the policies have no ValidatingAdmissionPolicyBinding".into());
        }
        let mut shared = Vec::new();
        for p in paths(doc.get("objects")) {
            let objs = read_objects(&p).map_err(|e| e.to_string())?;
            shared.extend(objs.iter().map(|o| o.root.to_json()));
        }
        Ok((set, shared))
    })();
    let mut out = Vec::new();
    for case in doc
        .get("cases")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let case_name = case
            .get("name")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let outcome = if truthy(case.get("skip")) {
            Outcome::Skip
        } else {
            match &loaded {
                Ok((set, shared)) => match run_vap_case(set, shared, dir, case) {
                    Ok(()) => Outcome::Pass,
                    Err(e) => Outcome::Fail(e),
                },
                Err(e) => Outcome::Fail(e.clone()),
            }
        };
        out.push(CaseResult {
            suite: path.to_path_buf(),
            test: name.clone(),
            case: case_name,
            outcome,
        });
    }
    out
}

fn run_vap_case(set: &PolicySet, shared: &[Json], dir: &Path, case: &Json) -> Result<(), String> {
    let object = match case.get("object") {
        Some(Json::String(p)) => one_object(&dir.join(p))
            .map_err(|e| e.to_string())?
            .root
            .to_json(),
        Some(o @ Json::Object(_)) => o.clone(),
        _ => return Err("case has no object (a file name or the object inline)".into()),
    };
    let mut set_objects: Vec<Json> = shared.to_vec();
    for p in case
        .get("objects")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let p = p
            .as_str()
            .ok_or_else(|| format!("objects must be file names, not {p}"))?;
        let objs = read_objects(&dir.join(p)).map_err(|e| e.to_string())?;
        set_objects.extend(objs.iter().map(|o| o.root.to_json()));
    }
    set_objects.push(object.clone());
    let kinds: Vec<(String, String)> = set
        .vaps()
        .iter()
        .filter_map(|v| v.param_kind.clone())
        .collect();
    let universe = crate::vap::Universe::from_objects(&set_objects, &kinds);
    let outcomes = set.evaluate_vaps(&object, Some(&universe), |_| true);
    let mut denied = false;
    let mut messages = Vec::new();
    for (b, o) in &outcomes {
        let binding = &set.bindings()[*b].1;
        for v in &o.violations {
            denied |= binding
                .actions
                .contains(&crate::vap::ValidationAction::Deny);
            messages.push(v.message.clone());
        }
    }
    if let Some(want) = case.get("allowed") {
        let want = want
            .as_bool()
            .ok_or_else(|| format!("allowed must be true or false, not {want}"))?;
        if want == denied {
            return Err(format!(
                "expected {}, got {} (messages: {messages:?})",
                if want { "allowed" } else { "denied" },
                if denied { "denied" } else { "allowed" }
            ));
        }
    }
    if let Some(want) = case.get("messages") {
        let mut want: Vec<String> = want
            .as_array()
            .ok_or("messages must be a list")?
            .iter()
            .map(|m| {
                m.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| m.to_string())
            })
            .collect();
        let mut got = messages.clone();
        want.sort();
        got.sort();
        if want != got {
            return Err(format!("expected messages {want:?}, got {got:?}"));
        }
    }
    Ok(())
}
