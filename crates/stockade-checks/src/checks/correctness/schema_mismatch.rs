//! ## What it does
//! Validates the built-in workload, Service, ConfigMap and Secret kinds against a compact
//! schema embedded in Stockade (Kubernetes 1.34 field names): Pod, Deployment, StatefulSet,
//! DaemonSet, ReplicaSet, ReplicationController, Job and CronJob (object metadata, the
//! workload `spec`, the pod template, the pod spec, containers, their ports, env, resources
//! and volume mounts), Service (`spec` and ports), ConfigMap and Secret. It flags:
//! - a value of the wrong type: a number or boolean where a string goes (`value: 8080`,
//!   `name: yes`), text where an integer goes (`containerPort: "8080"`), a mapping where a list
//!   goes;
//! - a field these types do not have (`imagePulPolicy`, `resource:`, `livenessprobe`).
//!
//! Keys starting with `$` (strategic-merge-patch directives such as `$patch: delete`) are
//! skipped. Fields whose schema is large or open (probes, securityContext, affinity, volumes' sources,
//! `status`) are checked for being a mapping or list only; custom resources are not validated.
//! This is a subset of what kubeconform validates against the full OpenAPI schema, chosen for
//! the mistakes that slip through: the API server rejects a wrongly typed value at apply time,
//! and drops an unknown field (with at most a warning), so a misspelt probe or limit is
//! silently absent.
//!
//! ## Why it matters
//! A rejected manifest breaks the rollout that applies it; a dropped field runs a workload
//! without the probe, limit or security setting its author wrote, and nothing says so.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//! spec:
//!   replicas: "2" # finding
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       containers:
//!         - name: web
//!           image: nginx:1.27
//!           imagePulPolicy: Always # finding
//!           env:
//!             - name: PORT
//!               value: 8080 # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//! spec:
//!   replicas: 2
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       containers:
//!         - name: web
//!           image: nginx:1.27
//!           imagePullPolicy: Always
//!           env:
//!             - name: PORT
//!               value: "8080"
//! ```
//!
//! ## Options
//! None. Opt-in: select it (`--select schema-mismatch`). Fields added to these types after
//! Kubernetes 1.34 are reported as unknown until Stockade's schema learns them.
//!
//! ## References
//! - Kubernetes API reference: <https://kubernetes.io/docs/reference/kubernetes-api/>

use stockade_model::{Node, Severity, Value};

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK758",
    name: "schema-mismatch",
    category: Category::Correctness,
    severity: Severity::High,
    default_on: false,
    summary: "Field has the wrong type or is not a field of the built-in kind",
    remediation: "Quote strings that look like numbers or booleans, write integers unquoted, and fix misspelt field names.",
    references: &[],
    aliases: &["kube-linter:schema-validation"],
    run: crate::Run::Object(run),
};

/// The expected shape of a value.
enum Ty {
    /// Any value (not validated).
    Any,
    /// Any mapping (fields not validated).
    AnyMap,
    /// Any list.
    AnyList,
    /// A string.
    Str,
    /// An integer.
    Int,
    /// A boolean.
    Bool,
    /// An integer or a string (`targetPort`, `maxSurge`).
    IntOrStr,
    /// A mapping of strings to strings (labels, annotations, ConfigMap data).
    StrMap,
    /// A mapping of strings to quantities (`limits`, `requests`): text or numbers.
    QuantityMap,
    /// A list of one type.
    List(&'static Ty),
    /// A mapping with these fields only.
    Struct(&'static [(&'static str, &'static Ty)]),
}

use Ty::*;

static STR_LIST: Ty = List(&Str);

static OBJECT_META: Ty = Struct(&[
    ("name", &Str),
    ("generateName", &Str),
    ("namespace", &Str),
    ("labels", &StrMap),
    ("annotations", &StrMap),
    ("finalizers", &STR_LIST),
    ("ownerReferences", &AnyList),
    ("uid", &Str),
    ("resourceVersion", &Str),
    ("generation", &Int),
    ("creationTimestamp", &Any),
    ("deletionTimestamp", &Any),
    ("deletionGracePeriodSeconds", &Int),
    ("managedFields", &AnyList),
    ("selfLink", &Str),
]);

static SELECTOR_REQUIREMENT: Ty =
    Struct(&[("key", &Str), ("operator", &Str), ("values", &STR_LIST)]);
static SELECTOR_REQUIREMENTS: Ty = List(&SELECTOR_REQUIREMENT);
static LABEL_SELECTOR: Ty = Struct(&[
    ("matchLabels", &StrMap),
    ("matchExpressions", &SELECTOR_REQUIREMENTS),
]);

static CONTAINER_PORT: Ty = Struct(&[
    ("name", &Str),
    ("containerPort", &Int),
    ("hostPort", &Int),
    ("hostIP", &Str),
    ("protocol", &Str),
]);
static CONTAINER_PORTS: Ty = List(&CONTAINER_PORT);
static ENV_VAR: Ty = Struct(&[("name", &Str), ("value", &Str), ("valueFrom", &AnyMap)]);
static ENV_VARS: Ty = List(&ENV_VAR);
static RESOURCES: Ty = Struct(&[
    ("limits", &QuantityMap),
    ("requests", &QuantityMap),
    ("claims", &AnyList),
]);
static VOLUME_MOUNT: Ty = Struct(&[
    ("name", &Str),
    ("mountPath", &Str),
    ("readOnly", &Bool),
    ("recursiveReadOnly", &Str),
    ("subPath", &Str),
    ("subPathExpr", &Str),
    ("mountPropagation", &Str),
]);
static VOLUME_MOUNTS: Ty = List(&VOLUME_MOUNT);

static CONTAINER: Ty = Struct(&[
    ("name", &Str),
    ("image", &Str),
    ("command", &STR_LIST),
    ("args", &STR_LIST),
    ("workingDir", &Str),
    ("ports", &CONTAINER_PORTS),
    ("envFrom", &AnyList),
    ("env", &ENV_VARS),
    ("resources", &RESOURCES),
    ("resizePolicy", &AnyList),
    ("restartPolicy", &Str),
    ("restartPolicyRules", &AnyList),
    ("volumeMounts", &VOLUME_MOUNTS),
    ("volumeDevices", &AnyList),
    ("livenessProbe", &AnyMap),
    ("readinessProbe", &AnyMap),
    ("startupProbe", &AnyMap),
    ("lifecycle", &AnyMap),
    ("terminationMessagePath", &Str),
    ("terminationMessagePolicy", &Str),
    ("imagePullPolicy", &Str),
    ("securityContext", &AnyMap),
    ("stdin", &Bool),
    ("stdinOnce", &Bool),
    ("tty", &Bool),
]);
static CONTAINERS: Ty = List(&CONTAINER);

static TOLERATION: Ty = Struct(&[
    ("key", &Str),
    ("operator", &Str),
    ("value", &Str),
    ("effect", &Str),
    ("tolerationSeconds", &Int),
]);
static TOLERATIONS: Ty = List(&TOLERATION);

static POD_SPEC: Ty = Struct(&[
    ("activeDeadlineSeconds", &Int),
    ("affinity", &AnyMap),
    ("automountServiceAccountToken", &Bool),
    ("containers", &CONTAINERS),
    ("dnsConfig", &AnyMap),
    ("dnsPolicy", &Str),
    ("enableServiceLinks", &Bool),
    ("ephemeralContainers", &AnyList),
    ("hostAliases", &AnyList),
    ("hostIPC", &Bool),
    ("hostNetwork", &Bool),
    ("hostPID", &Bool),
    ("hostUsers", &Bool),
    ("hostname", &Str),
    ("hostnameOverride", &Str),
    ("imagePullSecrets", &AnyList),
    ("initContainers", &CONTAINERS),
    ("nodeName", &Str),
    ("nodeSelector", &StrMap),
    ("os", &AnyMap),
    ("overhead", &QuantityMap),
    ("preemptionPolicy", &Str),
    ("priority", &Int),
    ("priorityClassName", &Str),
    ("readinessGates", &AnyList),
    ("resourceClaims", &AnyList),
    ("resources", &RESOURCES),
    ("restartPolicy", &Str),
    ("runtimeClassName", &Str),
    ("schedulerName", &Str),
    ("schedulingGates", &AnyList),
    ("securityContext", &AnyMap),
    ("serviceAccount", &Str),
    ("serviceAccountName", &Str),
    ("setHostnameAsFQDN", &Bool),
    ("shareProcessNamespace", &Bool),
    ("subdomain", &Str),
    ("terminationGracePeriodSeconds", &Int),
    ("tolerations", &TOLERATIONS),
    ("topologySpreadConstraints", &AnyList),
    ("volumes", &AnyList),
]);

static POD_TEMPLATE: Ty = Struct(&[("metadata", &OBJECT_META), ("spec", &POD_SPEC)]);

static DEPLOYMENT_SPEC: Ty = Struct(&[
    ("replicas", &Int),
    ("selector", &LABEL_SELECTOR),
    ("template", &POD_TEMPLATE),
    ("strategy", &AnyMap),
    ("minReadySeconds", &Int),
    ("revisionHistoryLimit", &Int),
    ("paused", &Bool),
    ("progressDeadlineSeconds", &Int),
]);
static STATEFULSET_SPEC: Ty = Struct(&[
    ("replicas", &Int),
    ("selector", &LABEL_SELECTOR),
    ("template", &POD_TEMPLATE),
    ("volumeClaimTemplates", &AnyList),
    ("serviceName", &Str),
    ("podManagementPolicy", &Str),
    ("updateStrategy", &AnyMap),
    ("revisionHistoryLimit", &Int),
    ("minReadySeconds", &Int),
    ("persistentVolumeClaimRetentionPolicy", &AnyMap),
    ("ordinals", &AnyMap),
]);
static DAEMONSET_SPEC: Ty = Struct(&[
    ("selector", &LABEL_SELECTOR),
    ("template", &POD_TEMPLATE),
    ("updateStrategy", &AnyMap),
    ("minReadySeconds", &Int),
    ("revisionHistoryLimit", &Int),
]);
static REPLICASET_SPEC: Ty = Struct(&[
    ("replicas", &Int),
    ("minReadySeconds", &Int),
    ("selector", &LABEL_SELECTOR),
    ("template", &POD_TEMPLATE),
]);
static RC_SPEC: Ty = Struct(&[
    ("replicas", &Int),
    ("minReadySeconds", &Int),
    ("selector", &StrMap),
    ("template", &POD_TEMPLATE),
]);
static JOB_SPEC: Ty = Struct(&[
    ("parallelism", &Int),
    ("completions", &Int),
    ("activeDeadlineSeconds", &Int),
    ("podFailurePolicy", &AnyMap),
    ("successPolicy", &AnyMap),
    ("backoffLimit", &Int),
    ("backoffLimitPerIndex", &Int),
    ("maxFailedIndexes", &Int),
    ("selector", &LABEL_SELECTOR),
    ("manualSelector", &Bool),
    ("template", &POD_TEMPLATE),
    ("ttlSecondsAfterFinished", &Int),
    ("completionMode", &Str),
    ("suspend", &Bool),
    ("podReplacementPolicy", &Str),
    ("managedBy", &Str),
]);
static JOB_TEMPLATE: Ty = Struct(&[("metadata", &OBJECT_META), ("spec", &JOB_SPEC)]);
static CRONJOB_SPEC: Ty = Struct(&[
    ("schedule", &Str),
    ("timeZone", &Str),
    ("startingDeadlineSeconds", &Int),
    ("concurrencyPolicy", &Str),
    ("suspend", &Bool),
    ("jobTemplate", &JOB_TEMPLATE),
    ("successfulJobsHistoryLimit", &Int),
    ("failedJobsHistoryLimit", &Int),
]);
static SERVICE_PORT: Ty = Struct(&[
    ("name", &Str),
    ("protocol", &Str),
    ("appProtocol", &Str),
    ("port", &Int),
    ("targetPort", &IntOrStr),
    ("nodePort", &Int),
]);
static SERVICE_PORTS: Ty = List(&SERVICE_PORT);
static SERVICE_SPEC: Ty = Struct(&[
    ("ports", &SERVICE_PORTS),
    ("selector", &StrMap),
    ("clusterIP", &Str),
    ("clusterIPs", &STR_LIST),
    ("type", &Str),
    ("externalIPs", &STR_LIST),
    ("sessionAffinity", &Str),
    ("loadBalancerIP", &Str),
    ("loadBalancerSourceRanges", &STR_LIST),
    ("externalName", &Str),
    ("externalTrafficPolicy", &Str),
    ("healthCheckNodePort", &Int),
    ("publishNotReadyAddresses", &Bool),
    ("sessionAffinityConfig", &AnyMap),
    ("ipFamilies", &STR_LIST),
    ("ipFamilyPolicy", &Str),
    ("allocateLoadBalancerNodePorts", &Bool),
    ("loadBalancerClass", &Str),
    ("internalTrafficPolicy", &Str),
    ("trafficDistribution", &Str),
]);

macro_rules! root {
    ($name:ident, $($field:expr),* $(,)?) => {
        static $name: Ty = Struct(&[
            ("apiVersion", &Str),
            ("kind", &Str),
            ("metadata", &OBJECT_META),
            $($field,)*
        ]);
    };
}

root!(POD, ("spec", &POD_SPEC), ("status", &Any));
root!(DEPLOYMENT, ("spec", &DEPLOYMENT_SPEC), ("status", &Any));
root!(STATEFULSET, ("spec", &STATEFULSET_SPEC), ("status", &Any));
root!(DAEMONSET, ("spec", &DAEMONSET_SPEC), ("status", &Any));
root!(REPLICASET, ("spec", &REPLICASET_SPEC), ("status", &Any));
root!(RC, ("spec", &RC_SPEC), ("status", &Any));
root!(JOB, ("spec", &JOB_SPEC), ("status", &Any));
root!(CRONJOB, ("spec", &CRONJOB_SPEC), ("status", &Any));
root!(SERVICE, ("spec", &SERVICE_SPEC), ("status", &Any));
root!(
    CONFIGMAP,
    ("data", &StrMap),
    ("binaryData", &StrMap),
    ("immutable", &Bool),
);
root!(
    SECRET,
    ("data", &StrMap),
    ("stringData", &StrMap),
    ("type", &Str),
    ("immutable", &Bool),
);

fn schema_of(group: &str, kind: &str) -> Option<&'static Ty> {
    Some(match (group, kind) {
        ("", "Pod") => &POD,
        ("", "Service") => &SERVICE,
        ("", "ConfigMap") => &CONFIGMAP,
        ("", "Secret") => &SECRET,
        ("", "ReplicationController") => &RC,
        ("apps", "Deployment") => &DEPLOYMENT,
        ("apps", "StatefulSet") => &STATEFULSET,
        ("apps", "DaemonSet") => &DAEMONSET,
        ("apps", "ReplicaSet") => &REPLICASET,
        ("batch", "Job") => &JOB,
        ("batch", "CronJob") => &CRONJOB,
        _ => return None,
    })
}

/// What a scalar is, as Kubernetes' decoder reads it.
fn scalar_kind(n: &Node) -> &'static str {
    let Value::Scalar { text, plain } = &n.value else {
        return "a value";
    };
    if !plain {
        "a string"
    } else if n.is_null() {
        "null"
    } else if n.as_bool().is_some() {
        "a boolean"
    } else if !text.bytes().any(|b| b.is_ascii_digit()) {
        // Integers and numbers have a digit; most strings (names, paths) have none, and are
        // then not parsed twice to learn it.
        "a string"
    } else if n.as_i64().is_some() && !text.contains(['.', 'e', 'E']) {
        "an integer"
    } else if text.parse::<f64>().is_ok() {
        "a number"
    } else {
        "a string"
    }
}

fn shape(n: &Node) -> &'static str {
    match &n.value {
        Value::Map(_) => "a mapping",
        Value::Seq(_) => "a list",
        Value::Scalar { .. } => scalar_kind(n),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        stockade_model::format_exact!("{path}.{key}")
    }
}

/// Walks `n` against `ty`. `path` is the field path of `n`, built in one buffer that each level
/// extends and restores: most nodes match, and a string per node was most of the check's cost.
fn check(ty: &Ty, n: &Node, path: &mut String, out: &mut Emit) {
    if n.is_null() || matches!(ty, Any) {
        return;
    }
    let got = shape(n);
    let mismatch = |out: &mut Emit, path: &str, want: &str| {
        let shown = n
            .as_str()
            .map(|s| stockade_model::format_exact!(" ({s})"))
            .unwrap_or_default();
        out.at(
            n,
            path,
            stockade_model::format_exact!("{path} is {got}{shown}, but Kubernetes expects {want}"),
        );
    };
    match ty {
        Any => {}
        AnyMap => {
            if !n.is_map() {
                mismatch(out, path, "a mapping");
            }
        }
        AnyList => {
            if !n.is_seq() {
                mismatch(out, path, "a list");
            }
        }
        Str => {
            if got != "a string" {
                mismatch(out, path, "a string (quote it)");
            }
        }
        Int => {
            // `1.0` decodes to the integer 1 (YAML floats become JSON numbers).
            if got != "an integer" && !(got == "a number" && n.as_i64().is_some()) {
                mismatch(out, path, "an integer (unquoted)");
            }
        }
        Bool => {
            if got != "a boolean" {
                mismatch(out, path, "a boolean (true or false, unquoted)");
            }
        }
        IntOrStr => {
            if got != "an integer" && got != "a string" {
                mismatch(out, path, "an integer or a string");
            }
        }
        StrMap | QuantityMap => {
            if !n.is_map() {
                mismatch(out, path, "a mapping");
                return;
            }
            for e in n.entries() {
                let v = &e.value;
                let k = shape(v);
                let ok = match ty {
                    QuantityMap => matches!(k, "a string" | "an integer" | "a number" | "null"),
                    _ => matches!(k, "a string" | "null"),
                };
                if !ok {
                    let p = join(path, &e.key);
                    let shown = v
                        .as_str()
                        .map(|s| stockade_model::format_exact!(" ({s})"))
                        .unwrap_or_default();
                    let want = if matches!(ty, QuantityMap) {
                        "a quantity such as 500m or 1Gi"
                    } else {
                        "a string (quote it)"
                    };
                    out.at(
                        v,
                        p.clone(),
                        stockade_model::format_exact!(
                            "{p} is {k}{shown}, but Kubernetes expects {want}"
                        ),
                    );
                }
            }
        }
        List(item) => {
            if !n.is_seq() {
                mismatch(out, path, "a list");
                return;
            }
            let len = path.len();
            for (i, x) in n.items().iter().enumerate() {
                path.push('[');
                stockade_model::push_index(path, i);
                path.push(']');
                check(item, x, path, out);
                path.truncate(len);
            }
        }
        Struct(fields) => {
            if !n.is_map() {
                mismatch(out, path, "a mapping");
                return;
            }
            // `$patch`, `$retainKeys`...: strategic-merge-patch directives (Kustomize patches).
            for e in n.entries().iter().filter(|e| !e.key.starts_with('$')) {
                match fields.iter().find(|(k, _)| **k == *e.key) {
                    Some((_, t)) => {
                        let len = path.len();
                        if len > 0 {
                            path.push('.');
                        }
                        path.push_str(&e.key);
                        check(t, &e.value, path, out);
                        path.truncate(len);
                    }
                    None => {
                        let p = join(path, &e.key);
                        let near = fields
                            .iter()
                            .map(|(k, _)| (distance(k, &e.key), *k))
                            .filter(|(d, _)| *d <= 2)
                            .min()
                            .map(|(_, k)| stockade_model::format_exact!(" (did you mean `{k}`?)"))
                            .unwrap_or_default();
                        let owner = if path.is_empty() {
                            "the object"
                        } else {
                            path.as_str()
                        };
                        out.at(
                            &e.value,
                            p.clone(),
                            stockade_model::format_exact!(
                                "{owner} has no field `{}`{near}: the API server drops it",
                                e.key
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// Edit distance between two field names, ignoring case (`livenessprobe` is 0 from
/// `livenessProbe`); for suggestions only.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    let Some(ty) = schema_of(o.group(), &o.kind) else {
        return;
    };
    check(ty, &o.root, &mut String::new(), out);
}
