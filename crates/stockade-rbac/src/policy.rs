//! The RBAC objects of an input, resolved the way the API server and the ClusterRole
//! aggregation controller see them: roles with their effective rules, bindings with their
//! role, subjects with their namespace defaulted.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use stockade_model::{Node, Object};

use crate::selector::Selector;

/// The RBAC API group.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Where something is written: file and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Loc {
    /// The file.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// The content of one `rules[]` item (what the aggregation controller compares).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PolicyRule {
    /// `verbs`.
    pub verbs: Vec<String>,
    /// `apiGroups`.
    #[serde(rename = "apiGroups", skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    /// `resources`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// `resourceNames`.
    #[serde(rename = "resourceNames", skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    /// `nonResourceURLs`.
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Vec::is_empty")]
    pub non_resource_urls: Vec<String>,
}

/// Index of a role in [`Policy::roles`].
pub type RoleId = usize;
/// Index of a rule in [`Policy::rules`].
pub type RuleId = usize;
/// Index of a binding in [`Policy::bindings`].
pub type BindingId = usize;

/// A rule as written, with its position and the role that declares it.
#[derive(Debug, Clone)]
pub struct Rule {
    /// What it allows.
    pub rule: PolicyRule,
    /// Where the rule is written.
    pub loc: Loc,
    /// The role that declares it.
    pub role: RoleId,
}

/// `Role` or `ClusterRole`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RoleKind {
    /// Namespaced.
    Role,
    /// Cluster-wide.
    ClusterRole,
}

impl RoleKind {
    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Role => "Role",
            Self::ClusterRole => "ClusterRole",
        }
    }
}

/// A Role or ClusterRole.
#[derive(Debug, Clone)]
pub struct Role {
    /// Its kind.
    pub kind: RoleKind,
    /// `apiVersion` as written (`rbac.authorization.k8s.io/v1`).
    pub api_version: String,
    /// Its namespace (Roles only).
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// Where the object starts.
    pub loc: Loc,
    /// `rules`, as written.
    pub declared: Vec<RuleId>,
    /// `aggregationRule.clusterRoleSelectors`, when present.
    pub aggregation: Option<Vec<Selector>>,
    /// The rules in force: the declared ones, or for an aggregated ClusterRole the union of
    /// the rules of every ClusterRole its selectors match (as the controller writes them).
    pub effective: Vec<RuleId>,
}

impl Role {
    /// `ClusterRole admin`, `Role team/reader`.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}/{}", self.kind.as_str(), ns, self.name),
            None => format!("{} {}", self.kind.as_str(), self.name),
        }
    }
}

/// The kinds of subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum SubjectKind {
    /// A user name.
    User,
    /// A group name.
    Group,
    /// A ServiceAccount.
    ServiceAccount,
}

/// A subject of a binding, or an identity asked about. For a ServiceAccount the namespace is
/// already defaulted to the RoleBinding's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Subject {
    /// Its kind.
    pub kind: SubjectKind,
    /// Its namespace (ServiceAccounts only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
}

impl Subject {
    /// A user.
    pub fn user(name: &str) -> Self {
        Self {
            kind: SubjectKind::User,
            namespace: None,
            name: name.into(),
        }
    }
    /// A group.
    pub fn group(name: &str) -> Self {
        Self {
            kind: SubjectKind::Group,
            namespace: None,
            name: name.into(),
        }
    }
    /// A ServiceAccount.
    pub fn service_account(namespace: &str, name: &str) -> Self {
        Self {
            kind: SubjectKind::ServiceAccount,
            namespace: Some(namespace.into()),
            name: name.into(),
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, &self.namespace) {
            (SubjectKind::User, _) => write!(f, "User {}", self.name),
            (SubjectKind::Group, _) => write!(f, "Group {}", self.name),
            (SubjectKind::ServiceAccount, Some(ns)) => {
                write!(f, "ServiceAccount {ns}/{}", self.name)
            }
            (SubjectKind::ServiceAccount, None) => write!(f, "ServiceAccount {}", self.name),
        }
    }
}

/// A subject as written in a binding.
#[derive(Debug, Clone)]
pub struct BoundSubject {
    /// The subject (ServiceAccount namespace defaulted).
    pub subject: Subject,
    /// Where it is written.
    pub loc: Loc,
    /// Its index in `subjects`.
    pub index: usize,
}

/// `RoleBinding` or `ClusterRoleBinding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum BindingKind {
    /// Grants in its namespace.
    RoleBinding,
    /// Grants cluster-wide.
    ClusterRoleBinding,
}

impl BindingKind {
    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RoleBinding => "RoleBinding",
            Self::ClusterRoleBinding => "ClusterRoleBinding",
        }
    }
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Debug, Clone)]
pub struct Binding {
    /// Its kind.
    pub kind: BindingKind,
    /// Its namespace (RoleBindings only).
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
    /// Where the object starts.
    pub loc: Loc,
    /// `roleRef.kind`.
    pub role_kind: String,
    /// `roleRef.name`.
    pub role_name: String,
    /// The subjects that can match someone.
    pub subjects: Vec<BoundSubject>,
    /// The role it refers to, when that exists.
    pub role: Option<RoleId>,
    /// `apiVersion` as written, for findings.
    pub api_version: String,
}

impl Binding {
    /// `ClusterRoleBinding x`, `RoleBinding team/y`.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}/{}", self.kind.as_str(), ns, self.name),
            None => format!("{} {}", self.kind.as_str(), self.name),
        }
    }
}

/// Something in the input that changes the analysis and that the user should know about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// A stable kebab-case code.
    pub code: &'static str,
    /// Where.
    #[serde(flatten)]
    pub loc: Loc,
    /// A plain message.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.loc, self.message)
    }
}

/// The RBAC state described by a set of objects.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Roles and ClusterRoles, in input order.
    pub roles: Vec<Role>,
    /// Every declared rule.
    pub rules: Vec<Rule>,
    /// RoleBindings and ClusterRoleBindings, in input order.
    pub bindings: Vec<Binding>,
    /// Problems that change the analysis (missing roles, subjects that match nobody ...).
    pub diagnostics: Vec<Diagnostic>,
    /// ServiceAccounts defined in the input or named by a binding, as (namespace, name).
    pub service_accounts: BTreeSet<(String, String)>,
    /// Namespaces seen anywhere.
    pub namespaces: BTreeSet<String>,
    pub(crate) role_index: HashMap<(RoleKind, Option<String>, String), RoleId>,
    /// Cluster-wide bindings, then RoleBindings per namespace.
    pub(crate) by_namespace: HashMap<Option<String>, Vec<BindingId>>,
    pub(crate) by_subject: HashMap<Subject, Vec<(BindingId, usize)>>,
}

fn strings(node: Option<&Node>) -> Vec<String> {
    node.map(|n| {
        n.items()
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect()
    })
    .unwrap_or_default()
}

impl Policy {
    /// Reads the RBAC objects (rbac.authorization.k8s.io/v1 and older versions) and
    /// ServiceAccounts among `objects`; other kinds only contribute their namespace.
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a Object>) -> Self {
        let mut p = Policy::default();
        let mut pending = Vec::new();
        for o in objects {
            if let Some(ns) = &o.namespace {
                p.namespaces.insert(ns.clone());
            }
            let rbac = o.group() == RBAC_GROUP;
            match o.kind.as_str() {
                "Role" | "ClusterRole" if rbac => p.add_role(o),
                "RoleBinding" | "ClusterRoleBinding" if rbac => pending.push(o),
                "ServiceAccount" if o.group().is_empty() => {
                    let ns = o.namespace.clone().unwrap_or_else(|| "default".into());
                    p.service_accounts.insert((ns, o.name.clone()));
                }
                "Namespace" if o.group().is_empty() => {
                    p.namespaces.insert(o.name.clone());
                }
                _ => {}
            }
        }
        p.aggregate();
        for o in pending {
            p.add_binding(o);
        }
        p.diagnostics
            .sort_by(|a, b| a.loc.cmp(&b.loc).then(a.message.cmp(&b.message)));
        p
    }

    fn loc(o: &Object, n: &Node) -> Loc {
        Loc {
            file: o.file.clone(),
            line: n.pos.line,
        }
    }

    fn add_role(&mut self, o: &Object) {
        let kind = if o.kind == "Role" {
            RoleKind::Role
        } else {
            RoleKind::ClusterRole
        };
        let namespace = match kind {
            // A Role without namespace lands in the namespace it is applied to; `default` is
            // what `kubectl apply` without -n gives.
            RoleKind::Role => Some(o.namespace.clone().unwrap_or_else(|| "default".into())),
            RoleKind::ClusterRole => None,
        };
        let id = self.roles.len();
        let labels = o
            .metadata()
            .get("labels")
            .map(|l| {
                l.entries()
                    .iter()
                    .filter_map(|e| Some((e.key.to_string(), e.value.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let mut declared = Vec::new();
        for item in o.root.get("rules").map(Node::items).unwrap_or_default() {
            let rule = PolicyRule {
                verbs: strings(item.get("verbs")),
                api_groups: strings(item.get("apiGroups")),
                resources: strings(item.get("resources")),
                resource_names: strings(item.get("resourceNames")),
                non_resource_urls: strings(item.get("nonResourceURLs")),
            };
            declared.push(self.rules.len());
            self.rules.push(Rule {
                rule,
                loc: Self::loc(o, item),
                role: id,
            });
        }
        let aggregation = match (kind, o.root.get("aggregationRule")) {
            (RoleKind::ClusterRole, Some(a)) if !a.is_null() => Some(
                a.get("clusterRoleSelectors")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .map(Selector::from_node)
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        };
        let key = (kind, namespace.clone(), o.name.clone());
        if let Some(prev) = self.role_index.insert(key, id) {
            self.diagnostics.push(Diagnostic {
                code: "duplicate-role",
                loc: Self::loc(o, &o.root),
                message: format!(
                    "{} is defined twice (first at {}); the last definition is used",
                    self.roles[prev].display(),
                    self.roles[prev].loc
                ),
            });
        }
        self.roles.push(Role {
            kind,
            api_version: o.api_version.clone(),
            namespace,
            name: o.name.clone(),
            labels,
            loc: Self::loc(o, &o.root),
            effective: declared.clone(),
            declared,
            aggregation,
        });
    }

    /// Fills aggregated ClusterRoles the way the aggregation controller does: for each
    /// selector, every other ClusterRole it matches, in name order, contributes its rules
    /// (identical rules once). Repeated until nothing changes, so aggregation is transitive.
    fn aggregate(&mut self) {
        let mut cluster: Vec<RoleId> = (0..self.roles.len())
            .filter(|&r| {
                self.roles[r].kind == RoleKind::ClusterRole
                    && self.role_index.get(&(
                        RoleKind::ClusterRole,
                        None,
                        self.roles[r].name.clone(),
                    )) == Some(&r)
            })
            .collect();
        cluster.sort_by(|&a, &b| self.roles[a].name.cmp(&self.roles[b].name));
        let aggregating: Vec<RoleId> = cluster
            .iter()
            .copied()
            .filter(|&r| self.roles[r].aggregation.is_some())
            .collect();
        for &r in &aggregating {
            let role = &self.roles[r];
            let sels = role.aggregation.as_deref().unwrap_or_default();
            if let Some(err) = sels.iter().find_map(|s| s.error.clone()) {
                // The controller stops on an invalid selector and leaves the rules as stored.
                self.diagnostics.push(Diagnostic {
                    code: "invalid-selector",
                    loc: role.loc.clone(),
                    message: format!(
                        "{}: invalid aggregation selector ({err}); its rules are left as written",
                        role.display()
                    ),
                });
                continue;
            }
            self.roles[r].effective.clear();
        }
        let valid: Vec<RoleId> = aggregating
            .into_iter()
            .filter(|&r| {
                self.roles[r]
                    .aggregation
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .all(|s| s.error.is_none())
            })
            .collect();
        for _round in 0..=cluster.len() {
            let mut changed = false;
            for &r in &valid {
                let mut seen: HashSet<&PolicyRule> = HashSet::new();
                let mut new = Vec::new();
                for sel in self.roles[r].aggregation.as_deref().unwrap_or_default() {
                    for &c in &cluster {
                        if c == r || !sel.matches(&self.roles[c].labels) {
                            continue;
                        }
                        for &rule in &self.roles[c].effective {
                            if seen.insert(&self.rules[rule].rule) {
                                new.push(rule);
                            }
                        }
                    }
                }
                if new != self.roles[r].effective {
                    self.roles[r].effective = new;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    fn add_binding(&mut self, o: &Object) {
        let kind = if o.kind == "RoleBinding" {
            BindingKind::RoleBinding
        } else {
            BindingKind::ClusterRoleBinding
        };
        let namespace = match kind {
            BindingKind::RoleBinding => {
                Some(o.namespace.clone().unwrap_or_else(|| "default".into()))
            }
            BindingKind::ClusterRoleBinding => None,
        };
        let loc = Self::loc(o, &o.root);
        let role_ref = o.root.get("roleRef");
        let role_kind = role_ref
            .and_then(|r| r.str_at("kind"))
            .unwrap_or("")
            .to_owned();
        let role_name = role_ref
            .and_then(|r| r.str_at("name"))
            .unwrap_or("")
            .to_owned();
        let mut b = Binding {
            kind,
            namespace: namespace.clone(),
            name: o.name.clone(),
            loc: loc.clone(),
            role_kind: role_kind.clone(),
            role_name: role_name.clone(),
            subjects: Vec::new(),
            role: None,
            api_version: o.api_version.clone(),
        };
        let ref_loc = role_ref.map_or(loc.clone(), |r| Self::loc(o, r));
        let key = match (role_kind.as_str(), &namespace) {
            ("ClusterRole", _) => Some((RoleKind::ClusterRole, None, role_name.clone())),
            ("Role", Some(ns)) => Some((RoleKind::Role, Some(ns.clone()), role_name.clone())),
            _ => None,
        };
        b.role = key.as_ref().and_then(|k| self.role_index.get(k).copied());
        if b.role.is_none() {
            let message = match key {
                Some(_) => format!(
                    "{} refers to {} {}, which does not exist in the input; it grants nothing",
                    b.display(),
                    role_kind,
                    match &namespace {
                        Some(ns) if role_kind == "Role" => format!("{ns}/{role_name}"),
                        _ => role_name.clone(),
                    }
                ),
                None => format!(
                    "{} has roleRef kind `{}`, which it cannot refer to; it grants nothing",
                    b.display(),
                    role_kind
                ),
            };
            self.diagnostics.push(Diagnostic {
                code: "missing-role",
                loc: ref_loc,
                message,
            });
        }
        for (index, s) in o
            .root
            .get("subjects")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let sloc = Self::loc(o, s);
            let name = s.str_at("name").unwrap_or("").to_owned();
            let subject = match s.str_at("kind").unwrap_or("") {
                "User" => Subject::user(&name),
                "Group" => Subject::group(&name),
                "ServiceAccount" => {
                    // The authorizer defaults a ServiceAccount's namespace to the
                    // RoleBinding's; in a ClusterRoleBinding one without namespace matches
                    // nobody.
                    match s.str_at("namespace").or(namespace.as_deref()) {
                        Some(ns) => {
                            self.service_accounts.insert((ns.into(), name.clone()));
                            self.namespaces.insert(ns.into());
                            Subject::service_account(ns, &name)
                        }
                        None => {
                            self.diagnostics.push(Diagnostic {
                                code: "subject-matches-nobody",
                                loc: sloc,
                                message: format!(
                                    "{}: ServiceAccount {name} has no namespace and matches nobody",
                                    b.display()
                                ),
                            });
                            continue;
                        }
                    }
                }
                other => {
                    self.diagnostics.push(Diagnostic {
                        code: "subject-matches-nobody",
                        loc: sloc,
                        message: format!("{}: subject kind `{other}` matches nobody", b.display()),
                    });
                    continue;
                }
            };
            if let Some(ns) = subject
                .name
                .strip_prefix("system:serviceaccounts:")
                .filter(|_| subject.kind == SubjectKind::Group)
            {
                self.namespaces.insert(ns.into());
            }
            b.subjects.push(BoundSubject {
                subject,
                loc: sloc,
                index,
            });
        }
        let id = self.bindings.len();
        self.by_namespace
            .entry(namespace.clone())
            .or_default()
            .push(id);
        for (i, s) in b.subjects.iter().enumerate() {
            self.by_subject
                .entry(s.subject.clone())
                .or_default()
                .push((id, i));
        }
        self.bindings.push(b);
    }

    /// Looks a role up.
    pub fn role(&self, kind: RoleKind, namespace: Option<&str>, name: &str) -> Option<&Role> {
        self.role_index
            .get(&(kind, namespace.map(str::to_owned), name.to_owned()))
            .map(|&r| &self.roles[r])
    }

    /// The rules in force for a binding (none when its role is missing).
    pub fn binding_rules(&self, b: BindingId) -> &[RuleId] {
        match self.bindings[b].role {
            Some(r) => &self.roles[r].effective,
            None => &[],
        }
    }

    /// Bindings that apply in `namespace` (`None`: cluster-wide ones only).
    pub fn bindings_in(&self, namespace: Option<&str>) -> impl Iterator<Item = BindingId> + '_ {
        let cluster = self.by_namespace.get(&None).into_iter().flatten();
        let ns = namespace
            .and_then(|ns| self.by_namespace.get(&Some(ns.to_owned())))
            .into_iter()
            .flatten();
        cluster.chain(ns).copied()
    }
}
