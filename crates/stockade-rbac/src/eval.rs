//! Request matching as the RBAC authorizer does it (`RuleAllows` and the helpers of
//! `pkg/apis/rbac/v1/evaluation_helpers.go`), and the questions built on it.

use serde::Serialize;

use crate::Error;
use crate::policy::{BindingId, BindingKind, Policy, PolicyRule, RuleId, Subject, SubjectKind};

/// What a request is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Target {
    /// An API resource.
    Resource {
        /// API group (`""` for core).
        group: String,
        /// Resource, plural (`pods`).
        resource: String,
        /// Subresource (`exec`), empty for none.
        subresource: String,
        /// Object name, empty for none (lists, creates).
        name: String,
    },
    /// A non-resource URL (`/healthz`).
    NonResource {
        /// The path.
        path: String,
    },
}

/// An authorization request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// The verb.
    pub verb: String,
    /// The namespace, `None` for cluster-scoped requests (all non-resource requests are).
    pub namespace: Option<String>,
    /// What it is about.
    #[serde(flatten)]
    pub target: Target,
}

/// Core resources and the groups of well-known resources, for arguments written without a
/// group (`deployments` means `deployments.apps`, as kubectl's discovery would say).
const KNOWN_GROUPS: &[(&str, &str)] = &[
    ("deployments", "apps"),
    ("daemonsets", "apps"),
    ("statefulsets", "apps"),
    ("replicasets", "apps"),
    ("controllerrevisions", "apps"),
    ("jobs", "batch"),
    ("cronjobs", "batch"),
    ("roles", "rbac.authorization.k8s.io"),
    ("rolebindings", "rbac.authorization.k8s.io"),
    ("clusterroles", "rbac.authorization.k8s.io"),
    ("clusterrolebindings", "rbac.authorization.k8s.io"),
    ("networkpolicies", "networking.k8s.io"),
    ("ingresses", "networking.k8s.io"),
    ("ingressclasses", "networking.k8s.io"),
    ("poddisruptionbudgets", "policy"),
    ("certificatesigningrequests", "certificates.k8s.io"),
    (
        "validatingwebhookconfigurations",
        "admissionregistration.k8s.io",
    ),
    (
        "mutatingwebhookconfigurations",
        "admissionregistration.k8s.io",
    ),
    (
        "validatingadmissionpolicies",
        "admissionregistration.k8s.io",
    ),
    ("customresourcedefinitions", "apiextensions.k8s.io"),
    ("storageclasses", "storage.k8s.io"),
    ("csidrivers", "storage.k8s.io"),
    ("volumeattachments", "storage.k8s.io"),
    ("leases", "coordination.k8s.io"),
    ("horizontalpodautoscalers", "autoscaling"),
    ("priorityclasses", "scheduling.k8s.io"),
    ("tokenreviews", "authentication.k8s.io"),
    ("subjectaccessreviews", "authorization.k8s.io"),
    ("endpointslices", "discovery.k8s.io"),
    ("apiservices", "apiregistration.k8s.io"),
];

impl Request {
    /// Parses `VERB RESOURCE[.GROUP][/SUBRESOURCE]`, or a non-resource URL starting with `/`.
    /// Resources without a group are looked up among well-known ones, else taken as core.
    pub fn parse(
        verb: &str,
        resource: &str,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Result<Self, Error> {
        let bad = |why: &str| Error::ParseRequest(format!("`{resource}`: {why}"));
        if verb.is_empty() {
            return Err(Error::ParseRequest("empty verb".into()));
        }
        if resource.starts_with('/') {
            if name.is_some() {
                return Err(bad("a non-resource URL takes no --name"));
            }
            return Ok(Request {
                verb: verb.into(),
                namespace: None,
                target: Target::NonResource {
                    path: resource.into(),
                },
            });
        }
        let (res, sub) = match resource.split_once('/') {
            Some((r, s)) if !s.is_empty() && !s.contains('/') => (r, s),
            Some(_) => return Err(bad("expected RESOURCE or RESOURCE/SUBRESOURCE")),
            None => (resource, ""),
        };
        if res.is_empty() {
            return Err(bad("empty resource"));
        }
        let (res, group) = match res.split_once('.') {
            Some((r, g)) => (r, g.to_owned()),
            None => (
                res,
                KNOWN_GROUPS
                    .iter()
                    .find(|(r, _)| *r == res)
                    .map_or("", |(_, g)| *g)
                    .to_owned(),
            ),
        };
        Ok(Request {
            verb: verb.into(),
            namespace: namespace.map(str::to_owned),
            target: Target::Resource {
                group,
                resource: res.into(),
                subresource: sub.into(),
                name: name.unwrap_or("").into(),
            },
        })
    }
}

/// `verbs` contains the verb or `*`.
pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

/// `apiGroups` contains the group or `*`.
pub fn group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

/// `resources` contains `*`, `resource[/subresource]`, or `*/subresource`. Note that
/// `pods/*` is not a wildcard for the API server: it matches only a subresource named `*`.
pub fn resource_matches(rule: &PolicyRule, resource: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        if r == "*" {
            return true;
        }
        let exact = if subresource.is_empty() {
            r == resource
        } else {
            r.len() == resource.len() + 1 + subresource.len()
                && r.starts_with(resource)
                && r.as_bytes()[resource.len()] == b'/'
                && r.ends_with(subresource)
        };
        exact
            || (!subresource.is_empty()
                && r.len() == subresource.len() + 2
                && r.starts_with("*/")
                && r.ends_with(subresource))
    })
}

/// No `resourceNames`, or they contain the name (a request without a name, such as list or
/// create, never matches a rule with `resourceNames`).
pub fn name_matches(rule: &PolicyRule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

/// `nonResourceURLs` contains `*`, the path, or a prefix of it followed by `*`.
pub fn url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|u| {
        u == "*" || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
    })
}

/// Whether one rule allows the request (`RuleAllows`).
pub fn rule_allows(rule: &PolicyRule, req: &Request) -> bool {
    if !verb_matches(rule, &req.verb) {
        return false;
    }
    match &req.target {
        Target::Resource {
            group,
            resource,
            subresource,
            name,
        } => {
            group_matches(rule, group)
                && resource_matches(rule, resource, subresource)
                && name_matches(rule, name)
        }
        Target::NonResource { path } => url_matches(rule, path),
    }
}

/// An authenticated identity: a user name and its groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// The user name; `None` for "some member of these groups".
    pub name: Option<String>,
    /// Every group, built-in ones included.
    pub groups: Vec<String>,
}

impl Principal {
    /// Parses `system:serviceaccount:NS:NAME`, `serviceaccount:NS/NAME`, `user:NAME`,
    /// `group:NAME`, or a bare user name. Users get `system:authenticated` (except
    /// `system:anonymous`, who gets `system:unauthenticated`), ServiceAccounts also
    /// `system:serviceaccounts` and `system:serviceaccounts:NS`.
    pub fn parse(spec: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::ParseSubject(format!("`{spec}`: {why}"));
        if let Some(rest) = spec.strip_prefix("system:serviceaccount:") {
            let (ns, name) = rest
                .split_once(':')
                .ok_or_else(|| bad("expected system:serviceaccount:NAMESPACE:NAME"))?;
            if ns.is_empty() || name.is_empty() || name.contains(':') {
                return Err(bad("expected system:serviceaccount:NAMESPACE:NAME"));
            }
            return Ok(Self::for_subject(&Subject::service_account(ns, name)));
        }
        let (kind, name) = spec.split_once(':').unwrap_or(("user", spec));
        if name.is_empty() {
            return Err(bad("empty name"));
        }
        match kind.to_ascii_lowercase().as_str() {
            "user" => Ok(Self::for_subject(&Subject::user(name))),
            "group" => Ok(Self::for_subject(&Subject::group(name))),
            "serviceaccount" | "sa" => {
                let (ns, n) = name
                    .split_once('/')
                    .ok_or_else(|| bad("expected serviceaccount:NAMESPACE/NAME"))?;
                Ok(Self::for_subject(&Subject::service_account(ns, n)))
            }
            // `system:masters`, `system:kube-scheduler`: a bare name with a colon is a user.
            _ => Ok(Self::for_subject(&Subject::user(spec))),
        }
    }

    /// The identity a subject stands for. A group stands for an otherwise unknown member,
    /// who is authenticated unless the group is `system:unauthenticated`; the
    /// `system:serviceaccounts:NS` groups stand for a ServiceAccount of that namespace.
    pub fn for_subject(s: &Subject) -> Self {
        let authenticated = "system:authenticated".to_owned();
        match s.kind {
            SubjectKind::User if s.name == "system:anonymous" => Principal {
                name: Some(s.name.clone()),
                groups: vec!["system:unauthenticated".into()],
            },
            SubjectKind::User => Principal {
                name: Some(s.name.clone()),
                groups: vec![authenticated],
            },
            SubjectKind::Group => {
                let mut groups = vec![s.name.clone()];
                if s.name.starts_with("system:serviceaccounts:") {
                    groups.push("system:serviceaccounts".into());
                }
                if s.name != "system:unauthenticated" && s.name != "system:authenticated" {
                    groups.push(authenticated);
                }
                Principal { name: None, groups }
            }
            SubjectKind::ServiceAccount => {
                let ns = s.namespace.as_deref().unwrap_or("");
                Principal {
                    name: Some(format!("system:serviceaccount:{ns}:{}", s.name)),
                    groups: vec![
                        "system:serviceaccounts".into(),
                        format!("system:serviceaccounts:{ns}"),
                        authenticated,
                    ],
                }
            }
        }
    }

    /// The subject keys under which bindings can name this principal.
    pub fn keys(&self) -> Vec<Subject> {
        let mut keys = Vec::new();
        if let Some(name) = &self.name {
            keys.push(Subject::user(name));
            if let Some((ns, n)) = name
                .strip_prefix("system:serviceaccount:")
                .and_then(|r| r.split_once(':'))
            {
                keys.push(Subject::service_account(ns, n));
            }
        }
        keys.extend(self.groups.iter().map(|g| Subject::group(g)));
        keys
    }
}

/// One way a request is allowed: the binding, the subject in it, the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The binding.
    pub binding: BindingId,
    /// Index into the binding's `subjects` (as kept by [`Policy`]).
    pub subject: usize,
    /// The first rule of the role that allows it.
    pub rule: RuleId,
}

impl Policy {
    /// The bindings (and which of their subjects) that apply to `principal` in `namespace`
    /// (`None`: cluster-wide bindings only), in input order, each once.
    pub fn applicable(
        &self,
        principal: &Principal,
        namespace: Option<&str>,
    ) -> Vec<(BindingId, usize)> {
        let mut out: Vec<(BindingId, usize)> = principal
            .keys()
            .iter()
            .filter_map(|k| self.by_subject.get(k))
            .flatten()
            .copied()
            .filter(|&(b, _)| {
                let b = &self.bindings[b];
                match b.kind {
                    BindingKind::ClusterRoleBinding => true,
                    BindingKind::RoleBinding => {
                        namespace.is_some() && b.namespace.as_deref() == namespace
                    }
                }
            })
            .collect();
        out.sort_unstable();
        out.dedup_by_key(|(b, _)| *b);
        out
    }

    /// Whether `principal` may make the request, with the first grant that allows it.
    pub fn authorize(&self, principal: &Principal, req: &Request) -> Option<Grant> {
        self.applicable(principal, req.namespace.as_deref())
            .into_iter()
            .find_map(|(b, s)| {
                self.binding_rules(b)
                    .iter()
                    .find(|&&r| rule_allows(&self.rules[r].rule, req))
                    .map(|&rule| Grant {
                        binding: b,
                        subject: s,
                        rule,
                    })
            })
    }

    /// Every subject named in a binding that allows the request, with that binding and the
    /// first rule of its role that allows it; sorted by subject, then binding.
    pub fn who_can(&self, req: &Request) -> Vec<Grant> {
        let mut out = Vec::new();
        for b in self.bindings_in(req.namespace.as_deref()) {
            let Some(&rule) = self
                .binding_rules(b)
                .iter()
                .find(|&&r| rule_allows(&self.rules[r].rule, req))
            else {
                continue;
            };
            for subject in 0..self.bindings[b].subjects.len() {
                out.push(Grant {
                    binding: b,
                    subject,
                    rule,
                });
            }
        }
        out.sort_by(|x, y| {
            let sx = &self.bindings[x.binding].subjects[x.subject].subject;
            let sy = &self.bindings[y.binding].subjects[y.subject].subject;
            sx.cmp(sy).then(x.binding.cmp(&y.binding))
        });
        out
    }
}
