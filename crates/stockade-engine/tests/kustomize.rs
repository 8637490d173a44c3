//! Kustomize patches in a scanned directory: a patch names only the fields it changes, so it is
//! checked only for the values it sets (no "missing probe" noise on a replicas patch), it is not
//! an object of the set (no second copy of the Deployment it patches), and a JSON patch is named
//! as one instead of "not a Kubernetes object".

use stockade_engine::{Config, Engine, collect_inputs};
use stockade_model::Level;

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27.3
";

/// Sets a value that is wrong wherever it lands (privileged, a host path volume) and one that
/// is not (a memory limit), and leaves everything else out.
const PATCH: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          securityContext:
            privileged: true
          resources:
            limits: {memory: 512Mi}
      volumes:
        - name: host
          hostPath: {path: /}
";

const REPLICAS: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 5
";

const JSON_PATCH: &str = "- op: replace
  path: /spec/replicas
  value: 2
- op: add
  path: /spec/template/spec/containers/0/securityContext
  value:
    privileged: true
- op: remove
  path: /spec/template/spec/containers/0/securityContext/runAsNonRoot
";

fn write(dir: &std::path::Path) {
    std::fs::create_dir_all(dir.join("base")).unwrap();
    std::fs::create_dir_all(dir.join("overlays/prod")).unwrap();
    std::fs::write(dir.join("base/deployment.yaml"), DEPLOYMENT).unwrap();
    std::fs::write(
        dir.join("base/kustomization.yaml"),
        "resources:\n  - deployment.yaml\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("overlays/prod/kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
patches:
  - path: ./patches/security.yaml
  - path: json.yaml
    target: {kind: Deployment, name: web}
patchesStrategicMerge:
  - ../prod/replicas.yaml
",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("overlays/prod/patches")).unwrap();
    std::fs::write(dir.join("overlays/prod/patches/security.yaml"), PATCH).unwrap();
    std::fs::write(dir.join("overlays/prod/replicas.yaml"), REPLICAS).unwrap();
    std::fs::write(dir.join("overlays/prod/json.yaml"), JSON_PATCH).unwrap();
    // Not named by any kustomization: an object like any other.
    std::fs::write(dir.join("overlays/prod/extra.yaml"), REPLICAS).unwrap();
}

fn checks(result: &stockade_engine::ScanResult, file_suffix: &str) -> Vec<String> {
    result
        .findings
        .iter()
        .filter(|f| f.file.ends_with(file_suffix))
        .map(|f| format!("{}:{} {}", f.line, f.column, f.check))
        .collect()
}

#[test]
fn patches_are_checked_only_for_the_values_they_set() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path());
    let (inputs, errors) = collect_inputs(&[dir.path().to_path_buf()]);
    assert!(errors.is_empty(), "{errors:?}");
    let config = Config {
        select: Some(vec!["all".into()]),
        ..Config::default()
    };
    let engine = Engine::new(&config, false).unwrap();
    let result = engine.scan(&inputs);

    // The values the patch sets: privileged, the host path volume and its path, each also a
    // Pod Security violation. Nothing about what it leaves out (probes,
    // allowPrivilegeEscalation, requests, replicas...) nor about its memory limit.
    assert_eq!(
        checks(&result, "patches/security.yaml"),
        [
            "11:13 STK001",
            "11:13 STK050",
            "11:13 STK051",
            "15:11 STK105",
            "16:11 STK050",
            "16:11 STK051",
            "16:11 STK110",
            "16:22 STK107"
        ]
    );
    for f in result
        .findings
        .iter()
        .filter(|f| f.file.contains("patches"))
    {
        assert!(
            !f.path.ends_with(']') || f.path.contains("volumes"),
            "a finding about a container's missing fields: {f:?}"
        );
    }
    // A replicas-only patch: nothing to say (no PodDisruptionBudget finding either, as it is
    // not an object of the set).
    assert_eq!(checks(&result, "prod/replicas.yaml"), Vec::<String>::new());
    // The same text in a file no kustomization names is an object: checked as written.
    assert!(checks(&result, "prod/extra.yaml").contains(&"6:3 STK407".to_string()));
    // The base is checked as written: the container's missing fields are reported there.
    let base = checks(&result, "base/deployment.yaml");
    assert!(base.contains(&"14:11 STK002".to_string()), "{base:?}");
    assert!(base.contains(&"14:11 STK401".to_string()), "{base:?}");

    // The JSON patch: what its add and replace operations set is checked as a Deployment
    // (the kustomization's target), at the line of the value; its remove is named as unchecked.
    assert_eq!(
        checks(&result, "prod/json.yaml"),
        // replicas: 2 (fewer than three), then privileged.
        ["3:3 STK424", "7:5 STK001", "7:5 STK050", "7:5 STK051"]
    );
    let f = result
        .findings
        .iter()
        .find(|f| f.file.ends_with("prod/json.yaml") && f.check == "STK001")
        .unwrap();
    assert_eq!(
        (
            f.object.kind.as_str(),
            f.object.name.as_str(),
            f.path.as_str()
        ),
        (
            "Deployment",
            "web",
            "spec.template.spec.containers[0].securityContext.privileged"
        )
    );
    let json: Vec<_> = result
        .errors
        .iter()
        .filter(|e| e.file.ends_with("json.yaml"))
        .collect();
    assert_eq!(json.len(), 1, "{:?}", result.errors);
    assert_eq!(json[0].level, Level::Warning);
    let m = &json[0].message;
    assert!(
        m.starts_with("Kustomize patch named by ")
            && m.contains(
                "overlays/prod/kustomization.yaml: some of its operations are not checked here \
                 (remove; only the values add and replace set are)"
            )
            && m.ends_with("overlays/prod | stockade scan -`"),
        "{m}"
    );
}

#[test]
fn without_a_kustomization_the_same_files_are_objects() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path());
    std::fs::remove_file(dir.path().join("overlays/prod/kustomization.yaml")).unwrap();
    let (inputs, _) = collect_inputs(&[dir.path().to_path_buf()]);
    let config = Config {
        select: Some(vec!["all".into()]),
        ..Config::default()
    };
    let result = Engine::new(&config, false).unwrap().scan(&inputs);
    let patch = checks(&result, "patches/security.yaml");
    assert!(patch.contains(&"9:11 STK002".to_string()), "{patch:?}");
    let json = result
        .errors
        .iter()
        .find(|e| e.file.ends_with("json.yaml"))
        .unwrap();
    assert!(json.message.starts_with("not a Kubernetes object"));
}

#[test]
fn analyses_leave_patches_out_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path());
    let (inputs, _) = collect_inputs(&[dir.path().to_path_buf()]);
    let loaded = stockade_engine::load_inputs(&inputs, stockade_engine::DEFAULT_MAX_FILE_SIZE);
    assert_eq!(loaded.len(), inputs.len());
    let mut objects = Vec::new();
    let mut notes = Vec::new();
    for (input, l) in inputs.iter().zip(loaded) {
        let l = l.unwrap();
        for e in &l.errors {
            if e.message.starts_with(stockade_engine::KUSTOMIZE_PATCH) {
                notes.push((input.name(), e.line, e.message.clone()));
            }
        }
        objects.extend(l.objects.into_iter().map(|o| o.file.to_string()));
    }
    // The base Deployment, the file no kustomization names and the typed Kustomization (an
    // object the analyses ignore); not the two patches.
    let ends: Vec<_> = objects
        .iter()
        .map(|f| f.rsplit('/').take(2).collect::<Vec<_>>().join("<"))
        .collect();
    assert_eq!(
        ends,
        [
            "deployment.yaml<base",
            "extra.yaml<prod",
            "kustomization.yaml<prod"
        ]
    );
    let named: Vec<_> = notes
        .iter()
        .map(|(f, line, m)| {
            (
                f.rsplit('/').next().unwrap().to_string(),
                *line,
                m.contains("left out"),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            ("json.yaml".to_string(), 1, false),
            ("security.yaml".to_string(), 1, true),
            ("replicas.yaml".to_string(), 1, true),
        ]
    );
}

#[test]
fn an_unreadable_input_is_an_error_and_the_others_still_load() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path());
    let (mut inputs, _) = collect_inputs(&[dir.path().to_path_buf()]);
    inputs.insert(
        0,
        stockade_engine::Input::File(dir.path().join("missing.yaml")),
    );
    let loaded = stockade_engine::load_inputs(&inputs, stockade_engine::DEFAULT_MAX_FILE_SIZE);
    let e = loaded[0].as_ref().unwrap_err();
    assert!(
        e.file.ends_with("missing.yaml") && e.message.starts_with("cannot read"),
        "{e}"
    );
    assert!(loaded[1..].iter().all(Result::is_ok));
}

/// Patches written inside the kustomization: a strategic-merge patch as a block (`patch: |-`),
/// a JSON patch with a target, one on a single quoted line, and a `patchesStrategicMerge` item.
const INLINE: &str = r#"resources:
  - deployment.yaml
patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        template:
          spec:
            hostNetwork: true
  - target:
      kind: Deployment
      name: web
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/securityContext/privileged
        value: true
      - op: remove
        path: /spec/replicas
  - patch: '[{"op": "add", "path": "/spec/template/spec/hostPID", "value": true}]'
    target: {kind: Deployment}
  - patch: '[{"op": "add", "path": "/spec/template/spec/hostIPC", "value": true}]'
patchesStrategicMerge:
  - |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      template:
        spec:
          hostIPC: true
          containers:
            - name: web
              image: nginx:latest
"#;

#[test]
fn patches_inside_a_kustomization_are_checked_at_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deployment.yaml"), DEPLOYMENT).unwrap();
    std::fs::write(dir.path().join("kustomization.yaml"), INLINE).unwrap();
    let (inputs, _) = collect_inputs(&[dir.path().to_path_buf()]);
    let result = Engine::new(&Config::default(), false)
        .unwrap()
        .scan(&inputs);
    assert_eq!(
        checks(&result, "kustomization.yaml"),
        [
            "12:13 STK101", // hostNetwork, in a pod spec with no containers
            "19:9 STK001",  // the JSON patch's privileged, at its value
            "22:5 STK102",  // hostPID, on the one line the patch is written on
            "34:11 STK103", // hostIPC
            "37:15 STK201", // nginx:latest
        ]
    );
    // Nothing about what the patches leave out (the container's securityContext, probes...),
    // and the base keeps its own findings.
    assert!(checks(&result, "deployment.yaml").contains(&"14:11 STK002".to_string()));
    let notes: Vec<_> = result
        .errors
        .iter()
        .filter(|e| e.file.ends_with("kustomization.yaml") && e.line > 1)
        .map(|e| (e.line, e.message.split(':').next().unwrap().to_string()))
        .collect();
    assert_eq!(
        notes,
        [
            (17, "inline JSON patch".to_string()), // its remove is not checked
            (24, "inline JSON patch without a target kind".to_string()),
        ]
    );
}

#[test]
fn a_patch_that_sets_pod_fields_only_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "resources: [deployment.yaml]\npatches:\n  - path: host.yaml\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("deployment.yaml"), DEPLOYMENT).unwrap();
    std::fs::write(
        dir.path().join("host.yaml"),
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          hostPID: true\n",
    )
    .unwrap();
    let (inputs, _) = collect_inputs(&[dir.path().to_path_buf()]);
    let result = Engine::new(&Config::default(), false)
        .unwrap()
        .scan(&inputs);
    assert_eq!(checks(&result, "host.yaml"), ["10:11 STK102"]);
}

#[test]
fn what_a_patch_merges_into_its_base_is_not_taken_for_its_values() {
    let dir = tempfile::tempdir().unwrap();
    // Named `Kustomization`, a name Kustomize reads too; patches by absolute path.
    let abs = dir.path().join("labels.yaml");
    std::fs::write(
        dir.path().join("Kustomization"),
        format!(
            "patches:\n  - path: {}\n  - path: ingress.yaml\n  - path: json.yaml\n    target: {{group: extensions, version: v1beta1, kind: Ingress, name: Web_App, namespace: default}}\n",
            abs.display()
        ),
    )
    .unwrap();
    // Labels merge with the base's (no "lacks recommended labels"); a probe's one field merges
    // with the base's probe; a `$patch` directive is not a volume.
    std::fs::write(
        &abs,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {tier: x}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          readinessProbe: {initialDelaySeconds: 5}\n      volumes:\n        - $patch: replace\n",
    )
    .unwrap();
    // An annotation key with dots that holds a token: a value the patch sets.
    std::fs::write(
        dir.path().join("ingress.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations:\n    nginx.ingress.kubernetes.io/server-snippet: |\n      lua_need_request_body on;\n    example.com/api-token: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n",
    )
    .unwrap();
    // The target's identity (an old apiVersion, the default namespace) is not the patch's.
    std::fs::write(
        dir.path().join("json.yaml"),
        "- op: replace\n  path: /spec/rules/0/host\n  value: '*.example.com'\n",
    )
    .unwrap();
    let (inputs, errors) = collect_inputs(&[dir.path().to_path_buf()]);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(inputs.iter().any(|i| i.name().ends_with("Kustomization")));
    let config = Config {
        select: Some(vec!["all".into()]),
        ..Config::default()
    };
    let result = Engine::new(&config, false).unwrap().scan(&inputs);
    assert_eq!(checks(&result, "labels.yaml"), Vec::<String>::new());
    let ingress: Vec<_> = result
        .findings
        .iter()
        .filter(|f| f.file.ends_with("ingress.yaml"))
        .map(|f| f.path.as_str())
        .collect();
    assert!(
        ingress.contains(&"metadata.annotations.example.com/api-token")
            || ingress.contains(&"metadata.annotations[\"example.com/api-token\"]"),
        "{ingress:?}"
    );
    assert!(
        ingress.iter().any(|p| p.contains("server-snippet")),
        "{ingress:?}"
    );
    let json: Vec<_> = result
        .findings
        .iter()
        .filter(|f| f.file.ends_with("json.yaml"))
        .map(|f| (f.check.to_string(), f.path.clone()))
        .collect();
    assert!(
        json.iter().all(|(_, p)| p.starts_with("spec.rules")),
        "{json:?}"
    );
}

#[test]
fn a_kustomizations_images_are_checked_with_or_without_its_kind() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deployment.yaml"), DEPLOYMENT).unwrap();
    for (sub, head) in [
        ("implicit", "# no apiVersion, no kind\n"),
        (
            "named",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
        ),
    ] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        std::fs::write(
            dir.path().join(sub).join("kustomization.yaml"),
            format!(
                "{head}resources: [../deployment.yaml]
images:
  - name: nginx
    newTag: latest
  - name: redis
    newTag: \"7.2\"
    digest: sha256:2b1c8d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c
  - name: app
    newName: ghcr.io/acme/app
"
            ),
        )
        .unwrap();
    }
    // Without images: nothing to check, and no object.
    std::fs::create_dir_all(dir.path().join("plain")).unwrap();
    std::fs::write(
        dir.path().join("plain/kustomization.yaml"),
        "resources: [../deployment.yaml]\n",
    )
    .unwrap();
    let (inputs, _) = collect_inputs(&[dir.path().to_path_buf()]);
    let config = Config {
        select: Some(vec!["STK201".into(), "STK202".into()]),
        ..Config::default()
    };
    let result = Engine::new(&config, false).unwrap().scan(&inputs);
    let at = |file: &str| -> Vec<String> {
        result
            .findings
            .iter()
            .filter(|f| f.file.ends_with(file))
            .map(|f| {
                format!(
                    "{}:{} {} {} {}/{}",
                    f.line, f.column, f.check, f.path, f.object.kind, f.object.api_version
                )
            })
            .collect()
    };
    let want = |line: u32| {
        vec![
            format!(
                "{line}:5 STK201 images[0].newTag Kustomization/kustomize.config.k8s.io/v1beta1"
            ),
            format!(
                "{line}:5 STK202 images[0].newTag Kustomization/kustomize.config.k8s.io/v1beta1"
            ),
        ]
    };
    assert_eq!(at("implicit/kustomization.yaml"), want(5));
    assert_eq!(at("named/kustomization.yaml"), want(6));
    assert!(at("plain/kustomization.yaml").is_empty());
    // The deployment (nginx:1.27.3) is not pinned; the implicit kustomization is still named as
    // configuration, and counted as an object only where it has images.
    assert_eq!(at("/deployment.yaml").len(), 1);
    let warned: Vec<&str> = result
        .errors
        .iter()
        .filter(|e| e.level == Level::Warning)
        .map(|e| &*e.file)
        .collect();
    assert_eq!(warned.len(), 2, "{warned:?}");
    assert!(
        warned
            .iter()
            .any(|f| f.ends_with("implicit/kustomization.yaml"))
    );
    assert_eq!(result.summary.objects, 3);
}
