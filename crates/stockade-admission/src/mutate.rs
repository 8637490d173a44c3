//! Secure defaults as a JSON Patch (RFC 6902).
//!
//! Only fields the object leaves unset are added, so the patch never overrides a choice and a
//! second pass over the patched object produces nothing (idempotence). Each default is skipped
//! where the API server would reject it or the kubelet refuse to start the pod: no
//! `allowPrivilegeEscalation: false` on a privileged or CAP_SYS_ADMIN container, no
//! `runAsNonRoot` when some `runAsUser` is 0, no Linux-only fields on Windows pods, no seccomp
//! field next to the legacy seccomp annotations (which must agree with it), no request above an
//! existing limit or limit below an existing request.
//!
//! Built-in workload kinds only: a CRD's pod template may not accept these fields.

use serde_json::{Map, Value, json};

use crate::config::Mutate;
use crate::quantity;

/// Where the pod spec of a built-in kind is, as JSON Pointer segments; `None` for other kinds.
pub fn pod_spec_pointer(api_version: &str, kind: &str) -> Option<&'static [&'static str]> {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    Some(match (group, kind) {
        ("", "Pod") => &["spec"],
        ("", "PodTemplate") => &["template", "spec"],
        ("", "ReplicationController")
        | ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("batch", "Job") => &["spec", "template", "spec"],
        ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => return None,
    })
}

/// The patch operations that apply `config`'s defaults to `object` (empty when there is
/// nothing to add or the kind is not a built-in workload).
pub fn patch(config: &Mutate, object: &Value) -> Vec<Value> {
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let Some(spec_at) = pod_spec_pointer(api_version, kind) else {
        return Vec::new();
    };
    let mut p = Patcher {
        work: object.clone(),
        ops: Vec::new(),
    };
    let Some(spec) = lookup(&p.work, spec_at).filter(|s| s.is_object()).cloned() else {
        return Vec::new();
    };
    let meta_at = &spec_at[..spec_at.len() - 1];
    let meta_at: Vec<&str> = meta_at.iter().copied().chain(["metadata"]).collect();
    let annotations = lookup(&p.work, &meta_at)
        .and_then(|m| m.get("annotations"))
        .and_then(Value::as_object);
    let seccomp_annotated = annotations.is_some_and(|a| {
        a.keys().any(|k| {
            k.starts_with("seccomp.security.alpha.kubernetes.io/")
                || k.starts_with("container.seccomp.security.alpha.kubernetes.io/")
        })
    });

    let pod_sc = spec.get("securityContext");
    let containers: Vec<(&str, usize, &Value)> = ["initContainers", "containers"]
        .into_iter()
        .flat_map(|list| {
            spec.get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(i, c)| (list, i, c))
        })
        .collect();
    let csc =
        |c: &'_ Value, field: &str| c.get("securityContext").and_then(|s| s.get(field)).cloned();
    let windows = spec.pointer("/os/name").and_then(Value::as_str) == Some("windows")
        || pod_sc.and_then(|s| s.pointer("/windowsOptions/hostProcess"))
            == Some(&Value::Bool(true))
        || containers.iter().any(|(_, _, c)| {
            c.pointer("/securityContext/windowsOptions/hostProcess") == Some(&Value::Bool(true))
        });
    let linux = !windows;
    let at = |rest: &[&'static str]| -> Vec<String> {
        spec_at
            .iter()
            .chain(rest)
            .map(|s| (*s).to_string())
            .collect()
    };

    if config.seccomp_runtime_default && linux && !seccomp_annotated {
        p.ensure(
            &at(&["securityContext", "seccompProfile"]),
            json!({"type": "RuntimeDefault"}),
        );
    }
    if config.run_as_non_root && linux {
        let root = |v: Option<&Value>| v.and_then(Value::as_i64) == Some(0);
        let any_root = root(pod_sc.and_then(|s| s.get("runAsUser")))
            || containers
                .iter()
                .any(|(_, _, c)| root(c.pointer("/securityContext/runAsUser")));
        if !any_root {
            p.ensure(&at(&["securityContext", "runAsNonRoot"]), Value::Bool(true));
        }
    }
    if config.disable_service_account_token {
        p.ensure(&at(&["automountServiceAccountToken"]), Value::Bool(false));
    }

    for &(list, i, c) in &containers {
        let base = |rest: &[&str]| -> Vec<String> {
            let mut v = at(&[]);
            v.push(list.to_string());
            v.push(i.to_string());
            v.extend(rest.iter().map(|s| (*s).to_string()));
            v
        };
        if config.disallow_privilege_escalation && linux {
            let privileged = csc(c, "privileged") == Some(Value::Bool(true));
            let sys_admin = c
                .pointer("/securityContext/capabilities/add")
                .and_then(Value::as_array)
                .is_some_and(|a| {
                    a.iter()
                        .any(|x| matches!(x.as_str(), Some("SYS_ADMIN" | "CAP_SYS_ADMIN")))
                });
            if !privileged && !sys_admin {
                p.ensure(
                    &base(&["securityContext", "allowPrivilegeEscalation"]),
                    Value::Bool(false),
                );
            }
        }
        if config.drop_all_capabilities && linux {
            p.ensure(
                &base(&["securityContext", "capabilities", "drop"]),
                json!(["ALL"]),
            );
        }
        if config.read_only_root_filesystem && linux {
            p.ensure(
                &base(&["securityContext", "readOnlyRootFilesystem"]),
                Value::Bool(true),
            );
        }
        // Pod-level resources bound the containers' too; leave such pods alone.
        if let Some(r) = &config.default_resources
            && spec.get("resources").is_none_or(Value::is_null)
        {
            let get = |kind: &str, name: &str| {
                c.get("resources")
                    .and_then(|r| r.get(kind))
                    .and_then(|m| m.get(name))
                    .filter(|v| !v.is_null())
            };
            for (name, default) in &r.requests {
                // With a limit and no request, the API server defaults the request to the limit.
                if get("requests", name).is_none() && get("limits", name).is_none() {
                    p.ensure(&base(&["resources", "requests", name]), json!(default));
                }
            }
            for (name, default) in &r.limits {
                if get("limits", name).is_some() {
                    continue;
                }
                let fits = match get("requests", name) {
                    None => r
                        .requests
                        .get(name)
                        .is_none_or(|d| quantity::parse(d) <= quantity::parse(default)),
                    Some(req) => match (
                        req.as_str().and_then(quantity::parse),
                        quantity::parse(default),
                    ) {
                        (Some(req), Some(lim)) => req <= lim,
                        _ => false,
                    },
                };
                if fits {
                    p.ensure(&base(&["resources", "limits", name]), json!(default));
                }
            }
        }
    }
    p.ops
}

fn lookup<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| match v {
        Value::Object(m) => m.get(*k),
        Value::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Builds the patch against a working copy, so later operations see the parents earlier ones
/// created.
struct Patcher {
    work: Value,
    ops: Vec<Value>,
}

impl Patcher {
    /// Sets `path` to `value` unless something (not null) is there already; missing parents are
    /// created by one `add` of the nested object. A parent that is not an object (the object is
    /// malformed) leaves the field alone.
    fn ensure(&mut self, path: &[String], value: Value) {
        let mut node = &mut self.work;
        for (depth, key) in path.iter().enumerate() {
            let exists = match &*node {
                Value::Object(m) => m.get(key).is_some_and(|v| !v.is_null()),
                Value::Array(a) => key.parse::<usize>().is_ok_and(|i| i < a.len()),
                _ => return,
            };
            if !exists {
                let Value::Object(m) = node else { return };
                let nested = path[depth + 1..].iter().rev().fold(value, |v, k| {
                    Value::Object(Map::from_iter([(k.clone(), v)]))
                });
                self.ops.push(json!({
                    "op": "add",
                    "path": pointer(&path[..=depth]),
                    "value": nested.clone(),
                }));
                m.insert(key.clone(), nested);
                return;
            }
            node = match node {
                Value::Object(m) => m.get_mut(key).expect("checked above"),
                Value::Array(a) => &mut a[key.parse::<usize>().expect("checked above")],
                _ => return,
            };
        }
    }
}

fn pointer(path: &[String]) -> String {
    let mut s = String::new();
    for k in path {
        s.push('/');
        s.push_str(&k.replace('~', "~0").replace('/', "~1"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_on() -> Mutate {
        Mutate {
            seccomp_runtime_default: true,
            disallow_privilege_escalation: true,
            drop_all_capabilities: true,
            run_as_non_root: true,
            read_only_root_filesystem: true,
            disable_service_account_token: true,
            default_resources: Some(crate::config::DefaultResources {
                requests: [
                    ("cpu".into(), "100m".into()),
                    ("memory".into(), "128Mi".into()),
                ]
                .into(),
                limits: [("memory".into(), "256Mi".into())].into(),
            }),
        }
    }

    #[test]
    fn a_bare_deployment_gets_every_default_in_few_operations() {
        let d = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx"}]}}}
        });
        assert_eq!(
            patch(&all_on(), &d),
            vec![
                json!({"op": "add", "path": "/spec/template/spec/securityContext", "value": {"seccompProfile": {"type": "RuntimeDefault"}}}),
                json!({"op": "add", "path": "/spec/template/spec/securityContext/runAsNonRoot", "value": true}),
                json!({"op": "add", "path": "/spec/template/spec/automountServiceAccountToken", "value": false}),
                json!({"op": "add", "path": "/spec/template/spec/containers/0/securityContext", "value": {"allowPrivilegeEscalation": false}}),
                json!({"op": "add", "path": "/spec/template/spec/containers/0/securityContext/capabilities", "value": {"drop": ["ALL"]}}),
                json!({"op": "add", "path": "/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem", "value": true}),
                json!({"op": "add", "path": "/spec/template/spec/containers/0/resources", "value": {"requests": {"cpu": "100m"}}}),
                json!({"op": "add", "path": "/spec/template/spec/containers/0/resources/requests/memory", "value": "128Mi"}),
                json!({"op": "add", "path": "/spec/template/spec/containers/0/resources/limits", "value": {"memory": "256Mi"}}),
            ]
        );
    }

    #[test]
    fn unsafe_defaults_are_skipped() {
        let pod = json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {
                "securityContext": {"runAsUser": 0},
                "containers": [{"name": "a", "image": "x",
                    "securityContext": {"privileged": true, "capabilities": {"drop": ["NET_RAW"]}, "readOnlyRootFilesystem": false},
                    "resources": {"requests": {"memory": "1Gi"}, "limits": {"cpu": "50m"}},
                    "automountServiceAccountToken": null}],
                "automountServiceAccountToken": true
            }
        });
        assert_eq!(
            patch(&all_on(), &pod),
            vec![
                json!({"op": "add", "path": "/spec/securityContext/seccompProfile", "value": {"type": "RuntimeDefault"}})
            ]
        );
        let windows = json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"os": {"name": "windows"}, "automountServiceAccountToken": false,
                "containers": [{"name": "a", "image": "x", "resources": {"limits": {"memory": "1Gi"}}}]}
        });
        // Resources apply to Windows pods too; nothing Linux-only is added.
        assert_eq!(
            patch(&all_on(), &windows),
            vec![
                json!({"op": "add", "path": "/spec/containers/0/resources/requests", "value": {"cpu": "100m"}})
            ]
        );
        let crd = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}});
        assert_eq!(patch(&all_on(), &crd), Vec::<Value>::new());
    }
}
