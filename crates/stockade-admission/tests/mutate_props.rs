//! Properties of the secure defaults: over generated pods and deployments, the patch applies,
//! never turns an object the API server (and kubelet) accepts into one it rejects, never
//! replaces a value that was set, and is idempotent.

use proptest::prelude::*;
use serde_json::{Value, json};
use stockade_admission::config::{DefaultResources, Mutate};
use stockade_admission::mutate::patch;

fn config() -> Mutate {
    Mutate {
        seccomp_runtime_default: true,
        disallow_privilege_escalation: true,
        drop_all_capabilities: true,
        run_as_non_root: true,
        read_only_root_filesystem: true,
        disable_service_account_token: true,
        default_resources: Some(DefaultResources {
            requests: [
                ("cpu".into(), "100m".into()),
                ("memory".into(), "128Mi".into()),
            ]
            .into(),
            limits: [
                ("cpu".into(), "1".into()),
                ("memory".into(), "256Mi".into()),
            ]
            .into(),
        }),
    }
}

fn opt<T: Clone + std::fmt::Debug + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    prop_oneof![Just(None), s.prop_map(Some)].boxed()
}

fn quantity(choices: &'static [&'static str]) -> BoxedStrategy<Option<String>> {
    opt(prop::sample::select(choices).prop_map(String::from))
}

prop_compose! {
    fn container(windows: bool)(
        has_sc in any::<bool>(),
        privileged in opt(any::<bool>()),
        ape in opt(any::<bool>()),
        add in prop::sample::subsequence(vec!["SYS_ADMIN", "CAP_SYS_ADMIN", "NET_BIND_SERVICE"], 0..=2),
        drop in opt(prop::sample::subsequence(vec!["ALL", "NET_RAW"], 0..=2)),
        run_as_user in opt(prop::sample::select(vec![0i64, 1000])),
        run_as_non_root in opt(any::<bool>()),
        rofs in opt(any::<bool>()),
        req_cpu in quantity(&["10m", "1", "2"]),
        req_mem in quantity(&["64Mi", "1Gi"]),
        lim_cpu in quantity(&["500m", "2"]),
        lim_mem in quantity(&["64Mi", "2Gi"]),
    ) -> Value {
        let mut c = json!({"name": "c", "image": "example/app:1"});
        if has_sc && !windows {
            let mut sc = serde_json::Map::new();
            let mut put = |k: &str, v: Option<Value>| { if let Some(v) = v { sc.insert(k.into(), v); } };
            put("privileged", privileged.map(Value::Bool));
            put("allowPrivilegeEscalation", ape.map(Value::Bool));
            put("runAsUser", run_as_user.map(Value::from));
            put("runAsNonRoot", run_as_non_root.map(Value::Bool));
            put("readOnlyRootFilesystem", rofs.map(Value::Bool));
            let mut caps = serde_json::Map::new();
            if !add.is_empty() { caps.insert("add".into(), json!(add)); }
            if let Some(d) = drop { caps.insert("drop".into(), json!(d)); }
            if !caps.is_empty() { sc.insert("capabilities".into(), Value::Object(caps)); }
            c["securityContext"] = Value::Object(sc);
        }
        let mut res = json!({});
        for (kind, name, v) in [("requests", "cpu", req_cpu), ("requests", "memory", req_mem), ("limits", "cpu", lim_cpu), ("limits", "memory", lim_mem)] {
            if let Some(v) = v { res[kind][name] = json!(v); }
        }
        if res != json!({}) { c["resources"] = res; }
        c
    }
}

fn pod_spec() -> impl Strategy<Value = (Value, Option<Value>)> {
    any::<bool>().prop_flat_map(|windows| {
        (
            prop::collection::vec(container(windows), 1..=3),
            prop::collection::vec(container(windows), 0..=1),
            opt(prop::sample::select(vec![0i64, 1000])),
            opt(any::<bool>()),
            opt(prop::sample::select(vec!["RuntimeDefault", "Unconfined"])),
            opt(any::<bool>()),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(
                move |(
                    containers,
                    init,
                    user,
                    non_root,
                    seccomp,
                    automount,
                    annotated,
                    pod_res,
                )| {
                    let mut spec = json!({"containers": containers});
                    if !init.is_empty() {
                        spec["initContainers"] = json!(init);
                    }
                    if windows {
                        spec["os"] = json!({"name": "windows"});
                    } else {
                        let mut sc = serde_json::Map::new();
                        if let Some(u) = user {
                            sc.insert("runAsUser".into(), json!(u));
                        }
                        if let Some(n) = non_root {
                            sc.insert("runAsNonRoot".into(), json!(n));
                        }
                        if let Some(s) = seccomp {
                            sc.insert("seccompProfile".into(), json!({"type": s}));
                        }
                        if !sc.is_empty() {
                            spec["securityContext"] = Value::Object(sc);
                        }
                    }
                    if let Some(a) = automount {
                        spec["automountServiceAccountToken"] = json!(a);
                    }
                    if pod_res {
                        spec["resources"] = json!({"limits": {"memory": "1Gi"}});
                    }
                    let annotations = (annotated && !windows)
                        .then(|| json!({"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}));
                    (spec, annotations)
                },
            )
    })
}

fn object() -> impl Strategy<Value = Value> {
    (pod_spec(), any::<bool>()).prop_map(|((spec, annotations), is_pod)| {
        let mut meta = json!({"name": "x", "namespace": "apps"});
        if let Some(a) = annotations {
            meta["annotations"] = a;
        }
        if is_pod {
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec})
        } else {
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
                "spec": {"selector": {}, "template": {"metadata": meta, "spec": spec}}})
        }
    })
}

fn q(v: Option<&Value>) -> Option<f64> {
    let s = v?.as_str()?;
    let (n, f) = match s.strip_suffix("Mi") {
        Some(n) => (n, 1024.0 * 1024.0),
        None => match s.strip_suffix("Gi") {
            Some(n) => (n, 1024.0 * 1024.0 * 1024.0),
            None => match s.strip_suffix('m') {
                Some(n) => (n, 0.001),
                None => (s, 1.0),
            },
        },
    };
    n.parse::<f64>().ok().map(|n| n * f)
}

/// The rules the API server's validation (and the kubelet) apply to the fields the defaults
/// touch. `Err` names the first rule broken.
fn valid(obj: &Value) -> Result<(), String> {
    let (spec, meta) = if obj["kind"] == "Pod" {
        (&obj["spec"], &obj["metadata"])
    } else {
        (
            &obj["spec"]["template"]["spec"],
            &obj["spec"]["template"]["metadata"],
        )
    };
    let windows = spec["os"]["name"] == "windows";
    let pod_sc = &spec["securityContext"];
    if windows && !pod_sc.is_null() {
        return Err("windows pod with a Linux securityContext".into());
    }
    let annotated = !meta["annotations"]["seccomp.security.alpha.kubernetes.io/pod"].is_null();
    if annotated && !pod_sc["seccompProfile"].is_null() {
        return Err("seccomp field disagrees with the legacy annotation".into());
    }
    let containers = spec["containers"]
        .as_array()
        .into_iter()
        .chain(spec["initContainers"].as_array())
        .flatten();
    for c in containers {
        let sc = &c["securityContext"];
        if windows && !sc.is_null() {
            return Err("windows container with a Linux securityContext".into());
        }
        if sc["allowPrivilegeEscalation"] == false {
            if sc["privileged"] == true {
                return Err("privileged with allowPrivilegeEscalation false".into());
            }
            let adds = sc["capabilities"]["add"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if adds
                .iter()
                .any(|a| a == "SYS_ADMIN" || a == "CAP_SYS_ADMIN")
            {
                return Err("CAP_SYS_ADMIN with allowPrivilegeEscalation false".into());
            }
        }
        let eff = |k: &str| {
            if sc[k].is_null() {
                pod_sc[k].clone()
            } else {
                sc[k].clone()
            }
        };
        if eff("runAsNonRoot") == true && eff("runAsUser") == 0 {
            return Err("runAsNonRoot with runAsUser 0".into());
        }
        for r in ["cpu", "memory"] {
            if let (Some(req), Some(lim)) = (
                q(c["resources"]["requests"].get(r)),
                q(c["resources"]["limits"].get(r)),
            ) && req > lim
            {
                return Err(format!("{r} request above its limit"));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2000,
        max_global_rejects: 20_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn defaults_keep_valid_objects_valid_never_override_and_are_idempotent(obj in object()) {
        prop_assume!(valid(&obj).is_ok());
        let ops = patch(&config(), &obj);
        for op in &ops {
            prop_assert_eq!(&op["op"], "add");
            let path = op["path"].as_str().unwrap();
            prop_assert!(obj.pointer(path).is_none_or(Value::is_null), "{} was set", path);
        }
        let mut patched = obj.clone();
        let p: json_patch::Patch = serde_json::from_value(Value::Array(ops)).unwrap();
        json_patch::patch(&mut patched, &p).unwrap();
        if let Err(e) = valid(&patched) {
            prop_assert!(false, "{e}\nbefore: {obj}\nafter: {patched}");
        }
        prop_assert_eq!(patch(&config(), &patched), Vec::<Value>::new());
    }
}

#[test]
fn the_validity_model_rejects_what_the_defaults_must_avoid() {
    let pod = |c: Value, sc: Value| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {},
            "spec": {"securityContext": sc, "containers": [c]}})
    };
    assert_eq!(
        valid(&pod(
            json!({"securityContext": {"privileged": true, "allowPrivilegeEscalation": false}}),
            json!({})
        )),
        Err("privileged with allowPrivilegeEscalation false".into())
    );
    assert_eq!(
        valid(&pod(
            json!({}),
            json!({"runAsNonRoot": true, "runAsUser": 0})
        )),
        Err("runAsNonRoot with runAsUser 0".into())
    );
    assert_eq!(
        valid(&pod(
            json!({"resources": {"requests": {"memory": "1Gi"}, "limits": {"memory": "256Mi"}}}),
            json!({})
        )),
        Err("memory request above its limit".into())
    );
    assert_eq!(valid(&pod(json!({}), json!({}))), Ok(()));
}
