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

/// One input of `n` Deployments with a Service each, in a namespace of its own (so that
/// scanned alone it has the findings it has among the others).
fn workloads(i: usize, n: usize) -> String {
    let mut s = String::new();
    for j in 0..n {
        s.push_str(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{j}\n  namespace: ns-{i}\n\
             spec:\n  replicas: 1\n  selector:\n    matchLabels: {{app: web-{j}}}\n  template:\n    \
             metadata:\n      labels: {{app: web-{j}}}\n    spec:\n      containers:\n        - name: web\n          \
             image: nginx\n          envFrom:\n            - configMapRef: {{name: cm-{j}}}\n---\n\
             apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{j}\n  namespace: ns-{i}\nspec:\n  \
             selector: {{app: web-{}}}\n  ports:\n    - port: 80\n---\n",
            j + j % 2
        ));
    }
    s
}

#[test]
fn findings_streamed_in_batches_are_each_inputs_findings_in_input_order() {
    let engine = Engine::new(&Config::default(), false).unwrap();
    // More kept objects than one batch settles (512), and an input larger than a batch.
    let mut inputs: Vec<Input> = (0..20)
        .map(|i| input(&format!("f{i:02}.yaml"), &workloads(i, 9)))
        .collect();
    inputs.insert(7, input("big.yaml", &workloads(99, 300)));
    let mut runs = Vec::new();
    let streamed = engine.scan_streaming(&inputs, &mut |run| runs.push(run));
    assert!(streamed.findings.is_empty());
    assert!(
        runs.iter().all(|r| !r.is_empty()),
        "an empty run was handed out"
    );
    let streamed_findings: Vec<_> = runs.into_iter().flatten().collect();
    assert_eq!(streamed.summary.findings, streamed_findings.len());
    let mut by_severity = std::collections::BTreeMap::new();
    for f in &streamed_findings {
        *by_severity.entry(f.severity).or_insert(0) += 1;
    }
    assert_eq!(streamed.summary.by_severity, by_severity);
    // Each input scanned alone is a set of its own, settled in one batch.
    let mut alone = Vec::new();
    for i in &inputs {
        alone.extend(engine.scan(std::slice::from_ref(i)).findings.into_vec());
    }
    assert!(alone.len() > 5_000, "{} findings", alone.len());
    assert!(
        alone.iter().any(|f| f.check == "STK604"),
        "no set-check finding"
    );
    assert_eq!(streamed_findings.len(), alone.len());
    assert!(streamed_findings == alone, "streamed findings differ");
    assert_eq!(engine.scan(&inputs).findings.into_vec(), alone);
}

/// Without set checks no object is kept: the inputs are scanned and handed over a window at a
/// time, and what comes out is still each input's findings in input order, counted.
#[test]
fn without_set_checks_findings_stream_by_windows_of_inputs_in_input_order() {
    let config = Config {
        select: Some(vec!["security-context".into(), "host-access".into()]),
        ..Config::default()
    };
    let engine = Engine::new(&config, false).unwrap();
    assert_eq!(engine.set_checks().count(), 0);
    // More inputs than a window (256), some with nothing to report, one that is not YAML.
    let mut inputs: Vec<Input> = (0..700)
        .map(|i| {
            let text = if i % 5 == 0 {
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n".to_string()
            } else {
                workloads(i, 1 + i % 3)
            };
            input(&format!("f{i:03}.yaml"), &text)
        })
        .collect();
    inputs.insert(300, input("broken.yaml", "a: [\n"));
    let mut runs = Vec::new();
    let streamed = engine.scan_streaming(&inputs, &mut |run| runs.push(run));
    assert!(runs.iter().all(|r| !r.is_empty()), "an empty run");
    let streamed_findings: Vec<_> = runs.into_iter().flatten().collect();
    let mut alone = Vec::new();
    let mut errors = Vec::new();
    let mut objects = 0;
    for i in &inputs {
        let one = engine.scan(std::slice::from_ref(i));
        objects += one.summary.objects;
        errors.extend(one.errors);
        alone.extend(one.findings.into_vec());
    }
    assert!(alone.len() > 2_000, "{} findings", alone.len());
    assert!(streamed_findings == alone, "streamed findings differ");
    assert_eq!(streamed.summary.findings, alone.len());
    assert_eq!(streamed.summary.files, inputs.len());
    assert_eq!(streamed.summary.objects, objects);
    assert_eq!(streamed.errors, errors);
    assert_eq!(streamed.summary.errors, 1);
    let mut by_severity = std::collections::BTreeMap::new();
    for f in &alone {
        *by_severity.entry(f.severity).or_insert(0) += 1;
    }
    assert_eq!(streamed.summary.by_severity, by_severity);
}

/// A custom resource without a pod template, kept only as a possible owner of operator-made
/// pods, keeps only its metadata: its own checks run when it is read, its labels still answer
/// selectors, and its suppression annotations still apply and are still judged.
#[test]
fn an_object_kept_for_its_metadata_keeps_its_findings_and_suppressions() {
    const INPUT: &str = r#"apiVersion: example.com/v1
kind: Database
metadata:
  name: db
  namespace: shop
  labels:
    app: db
    "bad key!": "x"
  annotations:
    ignore.stockade.dev/invalid-label: "the operator's own label"
    ignore.stockade.dev/pdb-selects-no-pods: "nothing to silence here"
spec:
  size: 3
  storage: {class: fast, privileged: true}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: db, namespace: shop}
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: db}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: none, namespace: shop}
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: none}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
"#;
    let config = Config {
        select: Some(vec!["all".into()]),
        ..Config::default()
    };
    let engine = Engine::new(&config, false).unwrap();
    let result = engine.scan(&[input("a.yaml", INPUT)]);
    let on = |kind: &str, name: &str| -> Vec<(String, u32)> {
        result
            .findings
            .iter()
            .filter(|f| f.object.kind == kind && f.object.name == name)
            .map(|f| (f.check.to_string(), f.line))
            .collect()
    };
    // The invalid label is suppressed (counted); the suppression naming a set check that
    // found nothing on it is reported at its line.
    assert_eq!(result.summary.suppressed, 1);
    assert_eq!(on("Database", "db"), vec![("STK900".to_string(), 11)]);
    // Its labels answer the PDB that selects them; the other PDB selects nothing.
    assert!(
        !on("PodDisruptionBudget", "db")
            .iter()
            .any(|(c, _)| c == "STK743")
    );
    assert!(on("PodDisruptionBudget", "none").contains(&("STK743".to_string(), 29)));
    // The same findings as the object scanned with the set checks' wants left whole: the
    // fields it does not keep are read by no set check (a Deployment beside it is kept whole).
    assert!(on("Deployment", "web").iter().any(|(c, _)| c == "STK401"));
}
