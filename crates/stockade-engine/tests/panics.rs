//! A check or custom policy that panics (a bug, on input nobody foresaw) does not end the
//! scan: the panic becomes an error naming the check and the object, the object's other checks
//! and every other object are still reported, and the exit code says the scan is incomplete.

use std::sync::Arc;

use stockade_engine::{Config, Engine, ExtraChecks, ExtraResult, Input};
use stockade_model::{Level, Object};

/// Panics on the object named `boom`, and in the set phase when `set` is true.
struct Panicky {
    set: bool,
}

impl ExtraChecks for Panicky {
    fn check_object(&self, obj: &Object) -> ExtraResult {
        assert!(obj.name != "boom", "boom!");
        ExtraResult::default()
    }

    fn wants(&self, _: &Object) -> bool {
        true
    }

    fn check_set(&self, objects: &[Arc<Object>]) -> ExtraResult {
        assert!(!self.set, "the set of {} went boom", objects.len());
        ExtraResult::default()
    }
}

const A: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:latest
          securityContext:
            privileged: true
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: boom
";

const B: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  hostNetwork: true
  containers:
    - name: api
      image: nginx:latest
";

fn scan(set: bool) -> stockade_engine::ScanResult {
    let engine = Engine::new(&Config::default(), false)
        .unwrap()
        .with_extra(Arc::new(Panicky { set }));
    engine.scan(&[
        Input::Bytes("a.yaml".into(), A.as_bytes().into()),
        Input::Bytes("b.yaml".into(), B.as_bytes().into()),
    ])
}

/// The checks of every object, `boom` and the objects after it too, as if nothing panicked.
fn built_in_findings(result: &stockade_engine::ScanResult) -> Vec<(String, String, String)> {
    result
        .findings
        .iter()
        .map(|f| {
            (
                f.file.to_string(),
                f.object.name.clone(),
                f.check.to_string(),
            )
        })
        .collect()
}

#[test]
fn a_policy_that_panics_on_an_object_is_an_error_at_that_object() {
    let quiet = Engine::new(&Config::default(), false).unwrap().scan(&[
        Input::Bytes("a.yaml".into(), A.as_bytes().into()),
        Input::Bytes("b.yaml".into(), B.as_bytes().into()),
    ]);
    let result = scan(false);
    assert_eq!(built_in_findings(&result), built_in_findings(&quiet));
    assert!(
        built_in_findings(&result)
            .iter()
            .any(|(f, n, c)| f == "b.yaml" && n == "api" && c == "STK101")
    );
    let errors: Vec<_> = result
        .errors
        .iter()
        .filter(|e| e.level == Level::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = errors[0];
    assert_eq!((&*e.file, e.line), ("a.yaml", 14));
    assert!(
        e.message
            .starts_with("a custom policy failed on this object (boom!): a bug in Stockade"),
        "{}",
        e.message
    );
    assert_eq!(result.summary.errors, 1);
    assert!(result.has_errors());
}

#[test]
fn a_policy_that_panics_on_the_set_is_an_error_about_the_set() {
    let result = scan(true);
    let sets: Vec<_> = result
        .errors
        .iter()
        .filter(|e| {
            e.message
                .starts_with("the custom policies failed on the input set (the set of")
        })
        .collect();
    assert_eq!(sets.len(), 1, "{:?}", result.errors);
    assert_eq!((&*sets[0].file, sets[0].line), ("", 0));
    // Every object's own checks still ran.
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.object.name == "web" && f.check == "STK001")
    );
    assert!(result.findings.iter().any(|f| f.object.name == "api"));
}
