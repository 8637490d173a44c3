//! Findings come out in input order, then line, column and check, whether an object check or
//! a set check (which runs after every file was read) found them.

use stockade_engine::{Config, Engine, Input};

fn input(name: &str, text: &str) -> Input {
    Input::Bytes(name.into(), text.as_bytes().into())
}

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: missing-sa
      containers:
        - name: web
          image: nginx
";

const HPA: &str = "\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
  namespace: shop
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: api
  minReplicas: 2
  maxReplicas: 4
";

#[test]
fn set_and_object_findings_are_merged_in_input_order() {
    let engine = Engine::new(&Config::default(), false).unwrap();
    // The HPA's target is not in the input: a set-check finding in the last file. The
    // Deployments are kept for set checks, so their object-check findings come back late too.
    let inputs = [
        input("a.yaml", DEPLOYMENT),
        input("b.yaml", DEPLOYMENT),
        input("c.yaml", HPA),
    ];
    let result = engine.scan(&inputs);
    let keys: Vec<(String, u32, u32, String)> = result
        .findings
        .iter()
        .map(|f| (f.file.to_string(), f.line, f.column, f.check.to_string()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| {
        (&a.0, a.1, a.2)
            .cmp(&(&b.0, b.1, b.2))
            .then_with(|| stockade_model::check_id_cmp(&a.3, &b.3))
    });
    assert_eq!(keys, sorted, "findings out of order");
    // A set-check finding on the last file, after the other files' object-check findings.
    assert!(
        keys.iter()
            .any(|(f, _, _, c)| f == "c.yaml" && c == "STK742")
    );
    // Object-check findings on the kept Deployments, merged back into their own files.
    assert!(
        keys.iter()
            .any(|(f, _, _, c)| f == "a.yaml" && c == "STK401")
    );
    assert!(
        keys.iter()
            .any(|(f, _, _, c)| f == "b.yaml" && c == "STK401")
    );
    assert!(
        keys.iter()
            .any(|(f, _, _, c)| f == "b.yaml" && c == "STK201")
    );
}
