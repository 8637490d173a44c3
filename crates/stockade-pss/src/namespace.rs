//! Namespace-aware evaluation: what the API server's Pod Security Admission decides for a pod
//! spec, given its namespace's `pod-security.kubernetes.io/*` labels and the admission
//! configuration's defaults and exemptions.
//!
//! It mirrors upstream's admission plugin:
//! - labels resolve to a level and version per mode (enforce, audit, warn), falling back to the
//!   configured defaults (`privileged:latest` unless configured) when a label is absent, and to
//!   the defaults altogether when the namespace has no labels;
//! - an invalid enforce level fails closed (`restricted`), an invalid audit or warn level fails
//!   open (`privileged`), an invalid version means `latest`; each is reported as a
//!   [`LabelError`];
//! - exempt namespaces and users, then exempt runtime classes, are admitted without evaluation;
//! - only Pods are enforced at admission: for workload resources (a Deployment's template ...)
//!   the API server only audits and warns, and rejects the Pods later, when they are created;
//! - warnings are not added to a request that enforce rejects.
//!
//! Everything here is a pure function of its inputs.

use std::fmt;

use stockade_model::{Node, Object, PodSpec};

use crate::{Error, Level, Version, Violation, evaluate, forbidden_detail};

/// Label with the enforce level.
pub const ENFORCE_LEVEL_LABEL: &str = "pod-security.kubernetes.io/enforce";
/// Label with the enforce version.
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";
/// Label with the audit level.
pub const AUDIT_LEVEL_LABEL: &str = "pod-security.kubernetes.io/audit";
/// Label with the audit version.
pub const AUDIT_VERSION_LABEL: &str = "pod-security.kubernetes.io/audit-version";
/// Label with the warn level.
pub const WARN_LEVEL_LABEL: &str = "pod-security.kubernetes.io/warn";
/// Label with the warn version.
pub const WARN_VERSION_LABEL: &str = "pod-security.kubernetes.io/warn-version";
/// Audit annotation upstream records violations of the audit policy under.
pub const AUDIT_VIOLATIONS_ANNOTATION: &str = "pod-security.kubernetes.io/audit-violations";

/// A level at a version, displayed as upstream does: `restricted:latest`, `baseline:v1.25`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LevelVersion {
    /// The level.
    pub level: Level,
    /// The version.
    pub version: Version,
}

impl LevelVersion {
    /// `privileged:latest`, upstream's default for every mode.
    pub const PRIVILEGED_LATEST: LevelVersion = LevelVersion {
        level: Level::Privileged,
        version: Version::Latest,
    };
}

impl fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

/// The policy of a namespace: one level and version per mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Policy {
    /// Violations reject the pod.
    pub enforce: LevelVersion,
    /// Violations are recorded in the audit log.
    pub audit: LevelVersion,
    /// Violations are returned to the client as warnings.
    pub warn: LevelVersion,
}

impl Default for Policy {
    /// `privileged:latest` in every mode, as upstream's default configuration.
    fn default() -> Self {
        Policy {
            enforce: LevelVersion::PRIVILEGED_LATEST,
            audit: LevelVersion::PRIVILEGED_LATEST,
            warn: LevelVersion::PRIVILEGED_LATEST,
        }
    }
}

impl Policy {
    /// True when no mode evaluates anything.
    pub fn fully_privileged(&self) -> bool {
        [self.enforce, self.audit, self.warn]
            .iter()
            .all(|lv| lv.level == Level::Privileged)
    }
}

/// Exemptions of the admission configuration (upstream `PodSecurityConfiguration.exemptions`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exemptions {
    /// Authenticated user names whose requests are not checked.
    pub usernames: Vec<String>,
    /// Namespaces whose pods are not checked.
    pub namespaces: Vec<String>,
    /// `runtimeClassName`s whose pods are not checked.
    pub runtime_classes: Vec<String>,
}

/// The admission configuration (upstream `PodSecurityConfiguration`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Policy for modes whose label a namespace does not set.
    pub defaults: Policy,
    /// Who and what is never checked.
    pub exemptions: Exemptions,
}

/// A namespace label the API server could not parse; it still applied a policy (see the module
/// documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelError {
    /// The label key.
    pub label: &'static str,
    /// Its value.
    pub value: String,
    /// Why it is invalid.
    pub error: Error,
}

/// Resolves namespace labels to the policy to evaluate, as upstream's `PolicyToEvaluate`.
/// When a key appears more than once the last value wins.
pub fn policy_from_labels<'a>(
    labels: impl IntoIterator<Item = (&'a str, &'a str)>,
    defaults: Policy,
) -> (Policy, Vec<LabelError>) {
    let mut values: [Option<&str>; 6] = [None; 6];
    const KEYS: [&str; 6] = [
        ENFORCE_LEVEL_LABEL,
        ENFORCE_VERSION_LABEL,
        AUDIT_LEVEL_LABEL,
        AUDIT_VERSION_LABEL,
        WARN_LEVEL_LABEL,
        WARN_VERSION_LABEL,
    ];
    for (k, v) in labels {
        if let Some(i) = KEYS.iter().position(|key| *key == k) {
            values[i] = Some(v);
        }
    }
    let mut p = defaults;
    let mut errors = Vec::new();
    let modes: [(&mut LevelVersion, Level); 3] = [
        (&mut p.enforce, Level::Restricted), // fail closed
        (&mut p.audit, Level::Privileged),   // fail open
        (&mut p.warn, Level::Privileged),    // fail open
    ];
    for (i, (lv, on_error)) in modes.into_iter().enumerate() {
        if let Some(v) = values[2 * i] {
            lv.level = v.parse().unwrap_or_else(|e| {
                errors.push(LabelError {
                    label: KEYS[2 * i],
                    value: v.to_string(),
                    error: e,
                });
                on_error
            });
        }
        if let Some(v) = values[2 * i + 1] {
            lv.version = v.parse().unwrap_or_else(|e| {
                errors.push(LabelError {
                    label: KEYS[2 * i + 1],
                    value: v.to_string(),
                    error: e,
                });
                Version::Latest
            });
        }
    }
    (p, errors)
}

/// The `metadata.labels` of an object (a Namespace), as key/value pairs in source order. Values
/// that are not scalars read as empty strings.
pub fn labels(obj: &Object) -> Vec<(&str, &str)> {
    obj.metadata()
        .get("labels")
        .map(Node::entries)
        .unwrap_or(&[])
        .iter()
        .map(|e| (&*e.key, e.value.as_str().unwrap_or("")))
        .collect()
}

/// Why a request was admitted without evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exemption {
    /// The namespace is exempt.
    Namespace,
    /// The requesting user is exempt.
    Username,
    /// The pod's runtime class is exempt.
    RuntimeClass,
}

impl Exemption {
    /// Upstream's value of the `exempt` audit annotation.
    pub fn as_str(self) -> &'static str {
        match self {
            Exemption::Namespace => "namespace",
            Exemption::Username => "user",
            Exemption::RuntimeClass => "runtimeClass",
        }
    }
}

/// The request being admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    /// The namespace the object is created in.
    pub namespace: &'a str,
    /// The requesting user, when known.
    pub username: Option<&'a str>,
    /// True for a Pod (enforce applies); false for a workload resource (audit and warn only).
    pub is_pod: bool,
}

/// The outcome of one mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The level and version evaluated.
    pub policy: LevelVersion,
    /// The violations; empty when the mode is satisfied or was not evaluated.
    pub violations: Vec<Violation>,
}

impl Verdict {
    fn new(policy: LevelVersion, pod: &PodSpec<'_>) -> Self {
        Verdict {
            policy,
            violations: evaluate(policy.level, policy.version, pod),
        }
    }

    fn skipped(policy: LevelVersion) -> Self {
        Verdict {
            policy,
            violations: Vec::new(),
        }
    }

    /// True when the mode has no violation.
    pub fn allowed(&self) -> bool {
        self.violations.is_empty()
    }
}

/// What the API server decides for one pod spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The namespace policy that applied.
    pub policy: Policy,
    /// Labels the API server could not parse.
    pub label_errors: Vec<LabelError>,
    /// Set when the request was admitted without evaluation.
    pub exempt: Option<Exemption>,
    /// The enforce verdict (evaluated for Pods only).
    pub enforce: Verdict,
    /// The audit verdict.
    pub audit: Verdict,
    /// The warn verdict (not evaluated when enforce rejects).
    pub warn: Verdict,
}

impl Decision {
    /// False when the API server rejects the request.
    pub fn allowed(&self) -> bool {
        self.enforce.allowed()
    }

    /// The rejection message, e.g. `violates PodSecurity "restricted:latest": ...`.
    pub fn error(&self) -> Option<String> {
        (!self.enforce.allowed()).then(|| {
            stockade_model::format_exact!(
                "violates PodSecurity \"{}\": {}",
                self.enforce.policy,
                forbidden_detail(&self.enforce.violations)
            )
        })
    }

    /// The warning returned to the client, e.g. `would violate PodSecurity "restricted:latest": ...`.
    pub fn warning(&self) -> Option<String> {
        would_violate(&self.warn)
    }

    /// The value of the [`AUDIT_VIOLATIONS_ANNOTATION`] audit annotation.
    pub fn audit_violations(&self) -> Option<String> {
        would_violate(&self.audit)
    }
}

fn would_violate(v: &Verdict) -> Option<String> {
    (!v.allowed()).then(|| {
        stockade_model::format_exact!(
            "would violate PodSecurity \"{}\": {}",
            v.policy,
            forbidden_detail(&v.violations)
        )
    })
}

/// Decides admission of `pod` for `request`, given the labels of its namespace (`None` or empty:
/// the namespace has no labels, so the configured defaults apply).
pub fn decide<'a>(
    config: &Config,
    namespace_labels: Option<&[(&'a str, &'a str)]>,
    request: &Request<'_>,
    pod: &PodSpec<'_>,
) -> Decision {
    let (policy, label_errors) = policy_from_labels(
        namespace_labels.unwrap_or(&[]).iter().copied(),
        config.defaults,
    );
    let ex = &config.exemptions;
    let runtime_class = pod.spec.get("runtimeClassName").and_then(Node::as_str);
    let exempt = if ex.namespaces.iter().any(|n| n == request.namespace) {
        Some(Exemption::Namespace)
    } else if request
        .username
        .is_some_and(|u| ex.usernames.iter().any(|n| n == u))
    {
        Some(Exemption::Username)
    } else if runtime_class.is_some_and(|rc| ex.runtime_classes.iter().any(|n| n == rc)) {
        Some(Exemption::RuntimeClass)
    } else {
        None
    };
    if exempt.is_some() {
        return Decision {
            policy,
            label_errors,
            exempt,
            enforce: Verdict::skipped(policy.enforce),
            audit: Verdict::skipped(policy.audit),
            warn: Verdict::skipped(policy.warn),
        };
    }
    let enforce = if request.is_pod {
        Verdict::new(policy.enforce, pod)
    } else {
        Verdict::skipped(policy.enforce)
    };
    let reuse = |lv: LevelVersion, prev: &[&Verdict]| -> Verdict {
        match prev.iter().find(|v| v.policy == lv) {
            Some(v) => (*v).clone(),
            None => Verdict::new(lv, pod),
        }
    };
    let audit = if request.is_pod {
        reuse(policy.audit, &[&enforce])
    } else {
        Verdict::new(policy.audit, pod)
    };
    let warn = if !enforce.allowed() {
        Verdict::skipped(policy.warn)
    } else if request.is_pod {
        reuse(policy.warn, &[&enforce, &audit])
    } else {
        reuse(policy.warn, &[&audit])
    };
    Decision {
        policy,
        label_errors,
        exempt,
        enforce,
        audit,
        warn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stockade_model::{load, pod_specs};

    const NS: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: apps
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/enforce-version: v1.30
    pod-security.kubernetes.io/warn: restricted
    pod-security.kubernetes.io/audit: restricted
";

    const POD: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: apps}
spec:
  containers:
  - name: app
    image: nginx
";

    const PRIVILEGED_POD: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: apps}
spec:
  runtimeClassName: kata
  containers:
  - name: app
    image: nginx
    securityContext: {privileged: true}
";

    fn decide_yaml(config: &Config, ns: &str, pod: &str, req: Request<'_>) -> Decision {
        let ns = load("ns.yaml", ns.as_bytes());
        let pod = load("pod.yaml", pod.as_bytes());
        let lbl = labels(&ns.objects[0]);
        let spec = pod_specs(&pod.objects[0]).remove(0);
        decide(config, Some(&lbl), &req, &spec)
    }

    const REQ: Request<'static> = Request {
        namespace: "apps",
        username: Some("alice"),
        is_pod: true,
    };

    #[test]
    fn labels_resolve_modes_and_fall_back_to_defaults() {
        let (p, errs) = policy_from_labels(
            [
                (ENFORCE_LEVEL_LABEL, "baseline"),
                (WARN_VERSION_LABEL, "v1.29"),
                ("other", "x"),
            ],
            Policy::default(),
        );
        assert!(errs.is_empty());
        assert_eq!(p.enforce.to_string(), "baseline:latest");
        assert_eq!(p.audit.to_string(), "privileged:latest");
        assert_eq!(p.warn.to_string(), "privileged:v1.29");
        assert!(!p.fully_privileged());
        assert!(Policy::default().fully_privileged());
    }

    #[test]
    fn invalid_labels_fail_closed_for_enforce_and_open_for_audit_and_warn() {
        let (p, errs) = policy_from_labels(
            [
                (ENFORCE_LEVEL_LABEL, "Baseline"),
                (ENFORCE_VERSION_LABEL, "1.25"),
                (AUDIT_LEVEL_LABEL, "strict"),
                (WARN_LEVEL_LABEL, ""),
                (WARN_VERSION_LABEL, "v1.25"),
            ],
            Policy {
                audit: LevelVersion {
                    level: Level::Baseline,
                    version: Version::V(20),
                },
                ..Policy::default()
            },
        );
        assert_eq!(p.enforce.to_string(), "restricted:latest");
        assert_eq!(p.audit.to_string(), "privileged:v1.20");
        assert_eq!(p.warn.to_string(), "privileged:v1.25");
        assert_eq!(
            errs.iter().map(|e| e.label).collect::<Vec<_>>(),
            [
                ENFORCE_LEVEL_LABEL,
                ENFORCE_VERSION_LABEL,
                AUDIT_LEVEL_LABEL,
                WARN_LEVEL_LABEL
            ]
        );
        assert_eq!(errs[0].value, "Baseline");
        assert_eq!(errs[0].error, Error::ParseLevel("Baseline".into()));
    }

    #[test]
    fn enforce_rejects_and_suppresses_warnings() {
        let d = decide_yaml(&Config::default(), NS, PRIVILEGED_POD, REQ);
        assert!(!d.allowed());
        assert_eq!(d.exempt, None);
        assert_eq!(
            d.error().as_deref(),
            Some(
                "violates PodSecurity \"baseline:v1.30\": privileged (container \"app\" must not set securityContext.privileged=true)"
            )
        );
        assert_eq!(d.warning(), None);
        assert_eq!(d.warn.violations, vec![]);
        let audit = d.audit_violations().unwrap_or_default();
        assert!(
            audit.starts_with("would violate PodSecurity \"restricted:latest\": privileged ("),
            "{audit}"
        );
    }

    #[test]
    fn allowed_pods_get_warnings_and_workloads_are_never_enforced() {
        let d = decide_yaml(&Config::default(), NS, POD, REQ);
        assert!(d.allowed());
        let w = d.warning().unwrap_or_default();
        assert!(
            w.starts_with(
                "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false"
            ),
            "{w}"
        );
        let d = decide_yaml(
            &Config::default(),
            NS,
            PRIVILEGED_POD,
            Request {
                is_pod: false,
                ..REQ
            },
        );
        assert!(
            d.allowed(),
            "workload resources are only audited and warned"
        );
        assert!(d.warning().is_some());
        assert!(d.audit_violations().is_some());
    }

    #[test]
    fn exemptions() {
        let mut config = Config::default();
        config.exemptions.runtime_classes = vec!["kata".into()];
        let d = decide_yaml(&config, NS, PRIVILEGED_POD, REQ);
        assert_eq!(d.exempt, Some(Exemption::RuntimeClass));
        assert!(d.allowed());
        assert_eq!(d.exempt.map(Exemption::as_str), Some("runtimeClass"));

        config.exemptions.usernames = vec!["alice".into()];
        let d = decide_yaml(&config, NS, PRIVILEGED_POD, REQ);
        assert_eq!(d.exempt, Some(Exemption::Username));

        config.exemptions.namespaces = vec!["apps".into()];
        let d = decide_yaml(&config, NS, PRIVILEGED_POD, REQ);
        assert_eq!(d.exempt, Some(Exemption::Namespace));

        let d = decide_yaml(&Config::default(), NS, PRIVILEGED_POD, REQ);
        assert_eq!(d.exempt, None);
        assert!(!d.allowed());
    }

    #[test]
    fn unlabelled_namespaces_use_the_configured_defaults() {
        let pod = load("pod.yaml", PRIVILEGED_POD.as_bytes());
        let spec = pod_specs(&pod.objects[0]).remove(0);
        let d = decide(&Config::default(), None, &REQ, &spec);
        assert!(d.allowed());
        assert_eq!(d.warning(), None);
        let config = Config {
            defaults: Policy {
                enforce: LevelVersion {
                    level: Level::Baseline,
                    version: Version::Latest,
                },
                ..Policy::default()
            },
            ..Config::default()
        };
        assert!(!decide(&config, None, &REQ, &spec).allowed());
    }
}
