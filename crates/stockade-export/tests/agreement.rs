//! The proof that an exported ValidatingAdmissionPolicy enforces what its built-in check
//! reports: every exported policy, rendered to YAML and read back, runs through Stockade's VAP
//! evaluator on every object of the check fixtures (its own fixtures, and those of every other
//! check, which are more objects to disagree on), and must deny exactly the objects on which the
//! check has findings. Known disagreements are listed in `KNOWN` with their reason; the test
//! fails on any other one, and on a listed one that no longer happens.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use stockade_checks::{Check, Options, Run, find, run_check};
use stockade_export::{Action, export, expressions, table};
use stockade_model::{load, pod_specs};
use stockade_policy::gatekeeper::Origin;
use stockade_policy::vap::{Binding, Budget, ObjectContext, Vap};

/// Disagreements that cannot be fixed in CEL, as `check-name fixture-dir/file #index`, with why.
/// All are objects the API server rejects when decoding, before admission runs: a list field
/// written as a scalar, on which the checks find nothing and the policy's `exists` fails.
const KNOWN: &[(&str, &str)] = &[
    (
        "privileged-port probe-port-name-undefined/valid.yaml #0",
        "a container's `ports` is a string, not a list",
    ),
    (
        "host-port probe-port-name-undefined/valid.yaml #0",
        "a container's `ports` is a string, not a list",
    ),
    (
        "host-port host-port/valid.yaml #0",
        "a container's `ports` is an integer, not a list",
    ),
    (
        "host-path-volume host-path-volume/valid.yaml #1",
        "the pod's `volumes` is a string, not a list",
    ),
    (
        "non-core-volume-type host-path-volume/valid.yaml #1",
        "the pod's `volumes` is a string, not a list",
    ),
    (
        "sudo-in-command schema-mismatch/invalid.yaml #0",
        "the fixture of fields of the wrong type, which the API server refuses before admission",
    ),
];

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../stockade-checks/tests/fixtures")
}

/// The API server decodes objects into typed structs before admission, so a field written as
/// `null` is absent from the object a policy sees.
fn strip_nulls(j: &mut Json) {
    match j {
        Json::Object(m) => {
            m.retain(|_, v| !v.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Json::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// The kinds an exported policy matches, as (API group, kind): custom resources that embed
/// pod templates (Argo Rollouts and Workflows, Tekton, Ray, JobSet, Knative...) are read by the
/// checks but have no place in a policy written for the built-in workload kinds.
const MATCHED: &[(&str, &str)] = &[
    ("", "Pod"),
    ("", "ReplicationController"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("apps", "ReplicaSet"),
    ("batch", "Job"),
    ("batch", "CronJob"),
];

/// Whether the API server could decode the object: every step of the path to its pod spec
/// that is present is a mapping. (`spec: not-a-map` is rejected before admission runs.)
fn decodable(j: &Json) -> bool {
    let path: &[&str] = match j["kind"].as_str() {
        Some("Pod") => &["spec"],
        Some("CronJob") => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => &["spec", "template", "spec"],
    };
    let mut at = j;
    for step in path {
        match at.get(step) {
            None => return true,
            Some(v) if v.is_object() => at = v,
            Some(_) => return false,
        }
    }
    true
}

fn exported(check: &'static Check) -> (Vap, Binding) {
    let out = export(&[check], Action::Deny).expect("export");
    assert_eq!(out.exported, [check.id], "{} was not exported", check.id);
    let loaded = load("exported.yaml", out.yaml.as_bytes());
    assert!(
        loaded.errors.is_empty(),
        "{}: {:?}",
        check.id,
        loaded.errors
    );
    assert_eq!(loaded.objects.len(), 2, "{}: policy and binding", check.id);
    let origin = |o: &stockade_model::Object| Origin {
        file: o.file.clone(),
        line: o.root.pos.line,
    };
    let p = &loaded.objects[0];
    let b = &loaded.objects[1];
    let vap = Vap::from_json(&p.root.to_json(), origin(p))
        .unwrap_or_else(|e| panic!("{}: exported policy does not load: {e}", check.id));
    let binding = Binding::from_json(&b.root.to_json(), origin(b))
        .unwrap_or_else(|e| panic!("{}: exported binding does not load: {e}", check.id));
    (vap, binding)
}

fn fixture_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(fixtures_root()).expect("fixtures") {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            if (name.ends_with(".yaml") || name.ends_with(".yml")) && name != "options.yaml" {
                files.push(f);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_exported_policy_agrees_with_its_check_on_every_fixture() {
    let root = fixtures_root();
    let files: Vec<(String, Vec<stockade_model::Object>)> = fixture_files()
        .into_iter()
        .map(|f| {
            let rel = f.strip_prefix(&root).unwrap().to_string_lossy().to_string();
            let bytes = std::fs::read(&f).unwrap();
            (rel.clone(), load(&rel, &bytes).objects)
        })
        .collect();
    let options = Options::default();
    let mut disagreements = BTreeSet::new();
    let mut report = Vec::new();
    let (mut own_objects, mut objects_seen, mut other_kinds, mut undecodable) = (0, 0, 0, 0);
    for t in table::TRANSLATIONS {
        let check = find(t.id).unwrap_or_else(|| panic!("{}: no such check", t.id));
        assert!(matches!(check.run, Run::Object(_)), "{}", t.id);
        let (vap, binding) = exported(check);
        let mut own = 0;
        for (rel, objects) in &files {
            let is_own = rel.starts_with(&format!("{}/", check.name));
            // Checks reading options are exported with their defaults: fixtures with an
            // options.yaml run with other settings.
            if root
                .join(rel)
                .parent()
                .unwrap()
                .join("options.yaml")
                .exists()
            {
                continue;
            }
            for (i, obj) in objects.iter().enumerate() {
                let pods = pod_specs(obj);
                let hits = run_check(check, obj, &pods, &options);
                let mut json = obj.root.to_json();
                strip_nulls(&mut json);
                let ctx = ObjectContext::new(&json, None);
                let outcome = vap.evaluate(&binding, &ctx, None, Budget::default());
                let in_scope = MATCHED.contains(&(obj.group(), obj.kind.as_str()));
                assert_eq!(
                    outcome.matched, in_scope,
                    "{} {rel} #{i}: the policy's match disagrees with MATCHED",
                    check.name
                );
                if !in_scope {
                    other_kinds += 1;
                    continue;
                }
                if !decodable(&json) {
                    undecodable += 1;
                    continue;
                }
                objects_seen += 1;
                if is_own {
                    own += 1;
                }
                let denied = !outcome.violations.is_empty();
                let found = !hits.is_empty();
                if denied != found {
                    let key = format!("{} {rel} #{i}", check.name);
                    report.push(format!(
                        "{key} ({} {}): check {} finding(s) {:?}; policy {} {:?}",
                        obj.kind,
                        obj.name,
                        hits.len(),
                        hits.iter().map(|h| h.message.as_str()).collect::<Vec<_>>(),
                        if outcome.matched {
                            "matched"
                        } else {
                            "did not match"
                        },
                        outcome
                            .violations
                            .iter()
                            .map(|v| v.message.as_str())
                            .collect::<Vec<_>>(),
                    ));
                    disagreements.insert(key);
                }
            }
        }
        assert!(own > 0, "{}: no fixture object of its own", check.name);
        own_objects += own;
    }
    let known: BTreeSet<String> = KNOWN.iter().map(|(k, _)| k.to_string()).collect();
    let unexpected: Vec<_> = report
        .iter()
        .filter(|r| !known.iter().any(|k| r.starts_with(&format!("{k} ("))))
        .collect();
    let stale: Vec<_> = known.difference(&disagreements).collect();
    println!(
        "{} policies, {own_objects} objects of their own fixtures, {objects_seen} evaluations compared, {} known disagreements; not compared: {other_kinds} of kinds the policies do not match, {undecodable} the API server could not decode",
        table::TRANSLATIONS.len(),
        known.len()
    );
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "unexpected disagreements ({}):\n{}\nlisted but not happening: {stale:?}",
        unexpected.len(),
        unexpected
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_exported_expression_compiles_and_names_only_known_variables() {
    for t in table::TRANSLATIONS {
        let check = find(t.id).unwrap();
        let (policy, _) = stockade_export::documents(check, t, Action::Deny);
        let exprs = expressions(&policy);
        assert_eq!(
            exprs.len(),
            stockade_export::VARIABLES.len() + 1 + usize::from(t.scope == table::Scope::Container)
        );
        for e in exprs {
            let c = stockade_policy::cel_ext::compile(&e)
                .unwrap_or_else(|m| panic!("{}: `{e}` does not compile: {m}", t.id));
            for banned in ["params", "oldObject", "authorizer", "namespaceObject"] {
                assert!(!c.references(banned), "{}: `{e}` reads {banned}", t.id);
            }
        }
    }
}

#[test]
fn checks_without_translation_are_listed_with_a_reason() {
    let all: Vec<&'static Check> = stockade_checks::all().to_vec();
    let out = export(&all, Action::Warn).unwrap();
    assert_eq!(out.exported.len(), table::TRANSLATIONS.len());
    assert_eq!(out.exported.len() + out.skipped.len(), all.len());
    for (c, why) in &out.skipped {
        assert!(
            out.yaml
                .contains(&format!("# not exportable: {} {}: {why}\n", c.id, c.name)),
            "{} not listed in the YAML",
            c.id
        );
    }
    let sensitive = out.skipped.iter().find(|(c, _)| c.id == "STK107").unwrap();
    assert!(
        sensitive.1.contains("path normalisation"),
        "{}",
        sensitive.1
    );
    let dockerfile = out
        .skipped
        .iter()
        .find(|(c, _)| matches!(c.run, Run::Dockerfile(_)))
        .unwrap();
    assert_eq!(
        dockerfile.1,
        "reads Dockerfiles, which never reach the API server"
    );
}
