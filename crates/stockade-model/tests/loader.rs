//! The loader and pod-spec discovery on real-shaped input.

use stockade_model::{ContainerKind, Level, load, pod_specs};

#[test]
fn positions_are_the_key_lines_and_sequence_items() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: nginx\n      securityContext:\n        privileged: true\n";
    let l = load("p.yaml", text.as_bytes());
    assert!(l.errors.is_empty());
    let root = &l.objects[0].root;
    let c = &root.at(&["spec", "containers"]).unwrap().items()[0];
    assert_eq!(
        (c.pos.line, c.pos.col),
        (7, 7),
        "a container points at its `- name:` line"
    );
    let p = c.at(&["securityContext", "privileged"]).unwrap();
    assert_eq!(
        (p.pos.line, p.pos.col),
        (10, 9),
        "a value points at its key"
    );
    assert_eq!(root.get("spec").unwrap().pos.line, 5);
}

#[test]
fn merge_keys_anchors_and_yaml11_scalars() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nx-base: &base\n  privileged: yes\n  runAsUser: 0o0\nspec:\n  containers:\n    - name: a\n      image: a\n      securityContext:\n        <<: *base\n        runAsUser: 1000\n";
    let l = load("m.yaml", text.as_bytes());
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let sc = l.objects[0]
        .root
        .at(&["spec", "containers"])
        .unwrap()
        .items()[0]
        .get("securityContext")
        .unwrap();
    assert_eq!(sc.get("privileged").unwrap().as_bool(), Some(true));
    assert_eq!(
        sc.get("runAsUser").unwrap().as_i64(),
        Some(1000),
        "explicit keys win over merged ones"
    );
    assert_eq!(sc.entries().len(), 2);
}

#[test]
fn lists_helm_sources_and_empty_documents() {
    let text = "# leading comment only\n---\n---\n# Source: chart/templates/a.yaml\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: one}\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: two, namespace: ns}\n...\n";
    let l = load("h.yaml", text.as_bytes());
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let names: Vec<(&str, Option<&str>, Option<&str>)> = l
        .objects
        .iter()
        .map(|o| (o.name.as_str(), o.namespace.as_deref(), o.source.as_deref()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("one", None, Some("chart/templates/a.yaml")),
            ("two", Some("ns"), Some("chart/templates/a.yaml"))
        ]
    );
    assert_eq!(l.objects[1].root.pos.line, 11);
}

#[test]
fn json_with_tabs_and_a_bom() {
    let text = "\u{feff}{\n\t\"apiVersion\": \"apps/v1\",\n\t\"kind\": \"Deployment\",\n\t\"metadata\": {\"name\": \"d\"},\n\t\"spec\": {\"template\": {\"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"i\"}]}}}\n}\n";
    let l = load("d.json", text.as_bytes());
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let pods = pod_specs(&l.objects[0]);
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0].path, "spec.template.spec");
    assert_eq!(pods[0].containers[0].node.pos.line, 5);
}

#[test]
fn quoted_scalars_keep_their_type() {
    let l = load("q.yaml", b"apiVersion: v1\nkind: Pod\nmetadata: {name: \"123\"}\nspec: {hostNetwork: \"true\", hostPID: True}\n");
    let spec = l.objects[0].root.get("spec").unwrap();
    assert_eq!(spec.get("hostNetwork").unwrap().as_bool(), None);
    assert_eq!(spec.get("hostPID").unwrap().as_bool(), Some(true));
    assert_eq!(l.objects[0].name, "123");
    assert_eq!(
        spec.to_json(),
        serde_json::json!({"hostNetwork": "true", "hostPID": true})
    );
}

#[test]
fn pod_specs_are_found_in_crd_workloads_and_not_in_schemas() {
    let l = load("crd.yaml", include_bytes!("fixtures/crd-workloads.yaml"));
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let found: Vec<(String, Vec<String>)> = l
        .objects
        .iter()
        .flat_map(|o| {
            pod_specs(o).into_iter().map(move |p| {
                (
                    format!("{}:{}", o.kind, p.path),
                    p.containers
                        .iter()
                        .map(|c| format!("{}={}", c.path, c.image().unwrap_or("")))
                        .collect(),
                )
            })
        })
        .collect();
    let expected: Vec<(String, Vec<String>)> = vec![
        (
            "Workflow:spec.templates[0]".into(),
            vec!["spec.templates[0].container=golang:1.23".into()],
        ),
        (
            "Workflow:spec.templates[1]".into(),
            vec!["spec.templates[1].script=python:3.12".into()],
        ),
        (
            "JobSet:spec.replicatedJobs[0].template.spec.template.spec".into(),
            vec![
                "spec.replicatedJobs[0].template.spec.template.spec.containers[0]=trainer:1".into(),
            ],
        ),
        (
            "LeaderWorkerSet:spec.leaderWorkerTemplate.leaderTemplate.spec".into(),
            vec!["spec.leaderWorkerTemplate.leaderTemplate.spec.containers[0]=vllm:1".into()],
        ),
        (
            "LeaderWorkerSet:spec.leaderWorkerTemplate.workerTemplate.spec".into(),
            vec!["spec.leaderWorkerTemplate.workerTemplate.spec.containers[0]=vllm:1".into()],
        ),
        (
            "Service:spec.template.spec".into(),
            vec!["spec.template.spec.containers[0]=hello:1".into()],
        ),
        (
            "Task:spec".into(),
            vec![
                "spec.steps[0]=golang:1.23".into(),
                "spec.sidecars[0]=docker:dind".into(),
            ],
        ),
    ];
    assert_eq!(found, expected);
    let jobset = pod_specs(&l.objects[1]);
    assert_eq!(
        jobset[0].annotation("team").and_then(|n| n.as_str()),
        Some("ml")
    );
    assert_eq!(
        jobset[0].metadata_path,
        "spec.replicatedJobs[0].template.spec.template.metadata"
    );
}

#[test]
fn container_settings_override_the_pod_and_only_inherited_fields_inherit() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 1000\n    fsGroup: 0\n  initContainers:\n    - name: init\n      image: i\n      securityContext: {runAsUser: 0}\n  containers:\n    - name: app\n      image: a\n  ephemeralContainers:\n    - name: dbg\n      image: d\n";
    let l = load("p.yaml", text.as_bytes());
    let pods = pod_specs(&l.objects[0]);
    let cs = &pods[0].containers;
    let kinds: Vec<(ContainerKind, &str)> = cs.iter().map(|c| (c.kind, c.name)).collect();
    assert_eq!(
        kinds,
        vec![
            (ContainerKind::Regular, "app"),
            (ContainerKind::Init, "init"),
            (ContainerKind::Ephemeral, "dbg")
        ]
    );
    let init_user = cs[1].security("runAsUser").unwrap();
    assert_eq!(
        (
            init_user.node.as_i64(),
            init_user.from_pod,
            init_user.path.as_str()
        ),
        (
            Some(0),
            false,
            "spec.initContainers[0].securityContext.runAsUser"
        )
    );
    let app_user = cs[0].security("runAsUser").unwrap();
    assert_eq!(
        (
            app_user.node.as_i64(),
            app_user.from_pod,
            app_user.path.as_str()
        ),
        (Some(1000), true, "spec.securityContext.runAsUser")
    );
    assert!(cs[2].security("runAsNonRoot").unwrap().from_pod);
    assert!(
        cs[0].security("fsGroup").is_none(),
        "fsGroup is pod-only, not a container field"
    );
}

#[test]
fn not_kubernetes_is_a_warning_only_when_the_whole_file_is_not_kubernetes() {
    let l = load("v.yaml", b"replicas: 2\n");
    assert_eq!(l.errors.len(), 1);
    assert_eq!(l.errors[0].level, Level::Warning);
    let l = load(
        "v.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nreplicas: 2\n",
    );
    assert_eq!(l.errors[0].level, Level::Error);
    assert_eq!(l.errors[0].line, 5);
}

#[test]
fn typed_list_items_take_the_kind_of_their_list() {
    let yaml = "kind: PodList\napiVersion: v1\nitems:\n- metadata: {name: a, namespace: ns}\n  spec: {}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: b}\n";
    let loaded = stockade_model::load("l.yaml", yaml.as_bytes());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let got: Vec<(String, String, String, u32)> = loaded
        .objects
        .iter()
        .map(|o| {
            (
                o.api_version.clone(),
                o.kind.clone(),
                o.name.clone(),
                o.root.pos.line,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("v1".into(), "Pod".into(), "a".into(), 4),
            ("v1".into(), "Pod".into(), "b".into(), 6)
        ]
    );
}
