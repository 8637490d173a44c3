//! Privilege-escalation paths: which identity can become which other identity, chained until
//! one that holds cluster-admin (or a chosen identity).

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::Serialize;

use crate::eval::{Grant, Principal, Request, Target};
use crate::policy::{BindingKind, Policy, Subject, SubjectKind};

/// Where paths should end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Goal {
    /// Any identity allowed every verb on every resource cluster-wide.
    ClusterAdmin,
    /// This identity.
    Identity(Subject),
}

/// One hop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What the previous identity can do (`can create pods in team`).
    pub action: String,
    /// The binding, role and rule that allow it.
    pub via: String,
    /// The identity (or `cluster-admin`) it yields.
    pub to: String,
}

/// A chain from one identity to the goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscalationPath {
    /// Who starts.
    pub start: Subject,
    /// The hops; the last one ends at the goal.
    pub steps: Vec<Step>,
}

#[derive(Clone)]
struct Edge {
    to: usize,
    action: String,
    grant: Grant,
}

const WORKLOADS: &[(&str, &str)] = &[
    ("", "pods"),
    ("apps", "deployments"),
    ("apps", "daemonsets"),
    ("apps", "statefulsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("", "replicationcontrollers"),
];

fn req(
    verb: &str,
    ns: Option<&str>,
    group: &str,
    resource: &str,
    sub: &str,
    name: &str,
) -> Request {
    Request {
        verb: verb.into(),
        namespace: ns.map(str::to_owned),
        target: Target::Resource {
            group: group.into(),
            resource: resource.into(),
            subresource: sub.into(),
            name: name.into(),
        },
    }
}

impl Policy {
    fn via(&self, g: &Grant) -> String {
        let b = &self.bindings[g.binding];
        let role = b.role.map_or_else(String::new, |r| self.roles[r].display());
        format!(
            "{} -> {} (rule {})",
            b.display(),
            role,
            self.rules[g.rule].loc
        )
    }

    /// The first cluster-wide rule that gives `principal` every verb on every resource.
    pub fn cluster_admin_grant(&self, principal: &Principal) -> Option<Grant> {
        self.applicable(principal, None)
            .into_iter()
            .find_map(|(b, s)| {
                if self.bindings[b].kind != BindingKind::ClusterRoleBinding {
                    return None;
                }
                self.binding_rules(b)
                    .iter()
                    .find(|&&r| {
                        let rule = &self.rules[r].rule;
                        let star = |v: &Vec<String>| v.iter().any(|x| x == "*");
                        star(&rule.verbs)
                            && star(&rule.api_groups)
                            && star(&rule.resources)
                            && rule.resource_names.is_empty()
                    })
                    .map(|&rule| Grant {
                        binding: b,
                        subject: s,
                        rule,
                    })
            })
    }

    /// Shortest escalation paths to `goal` from every identity that does not already reach
    /// it, shortest first (then by start identity).
    pub fn escalation_paths(&self, goal: &Goal) -> Vec<EscalationPath> {
        let mut ids: Vec<Subject> = self
            .bindings
            .iter()
            .flat_map(|b| b.subjects.iter().map(|s| s.subject.clone()))
            .chain(
                self.service_accounts
                    .iter()
                    .map(|(ns, n)| Subject::service_account(ns, n)),
            )
            .collect();
        if let Goal::Identity(s) = goal {
            ids.push(s.clone());
        }
        ids.sort();
        ids.dedup();
        let index: HashMap<&Subject, usize> = ids.iter().enumerate().map(|(i, s)| (s, i)).collect();
        let goal_node = ids.len();
        // Whether a node is the goal, and why (the final hop).
        let reached: Vec<Option<Step>> = ids
            .iter()
            .map(|s| match goal {
                Goal::ClusterAdmin => {
                    self.cluster_admin_grant(&Principal::for_subject(s))
                        .map(|g| Step {
                            action: "holds cluster-admin".into(),
                            via: self.via(&g),
                            to: "cluster-admin".into(),
                        })
                }
                Goal::Identity(t) => (s == t).then(|| Step {
                    action: "is the target".into(),
                    via: String::new(),
                    to: t.to_string(),
                }),
            })
            .collect();
        let in_ns = |ns: &str| -> Vec<usize> {
            ids.iter()
                .enumerate()
                .filter(|(_, s)| match s.kind {
                    SubjectKind::ServiceAccount => s.namespace.as_deref() == Some(ns),
                    SubjectKind::Group => {
                        s.name == "system:serviceaccounts"
                            || s.name.strip_prefix("system:serviceaccounts:") == Some(ns)
                    }
                    SubjectKind::User => false,
                })
                .map(|(i, _)| i)
                .collect()
        };
        let ns_members: BTreeMap<&str, Vec<usize>> = self
            .namespaces
            .iter()
            .map(|ns| (ns.as_str(), in_ns(ns)))
            .collect();
        let edges: Vec<Vec<Edge>> = ids
            .iter()
            .map(|s| self.edges(s, goal, &ids, &index, &ns_members, goal_node))
            .collect();
        let mut out = Vec::new();
        for start in 0..ids.len() {
            if reached[start].is_some() {
                continue;
            }
            let mut prev: Vec<Option<(usize, usize)>> = vec![None; ids.len() + 1];
            let mut seen = vec![false; ids.len() + 1];
            seen[start] = true;
            let mut queue = VecDeque::from([start]);
            let mut end = None;
            'bfs: while let Some(n) = queue.pop_front() {
                for (ei, e) in edges[n].iter().enumerate() {
                    if seen[e.to] {
                        continue;
                    }
                    seen[e.to] = true;
                    prev[e.to] = Some((n, ei));
                    if e.to == goal_node || reached[e.to].is_some() {
                        end = Some(e.to);
                        break 'bfs;
                    }
                    queue.push_back(e.to);
                }
            }
            let Some(end) = end else { continue };
            let mut steps = Vec::new();
            if end != goal_node && *goal == Goal::ClusterAdmin {
                steps.extend(reached[end].clone());
            }
            let mut n = end;
            while let Some((p, ei)) = prev[n] {
                let e = &edges[p][ei];
                steps.push(Step {
                    action: e.action.clone(),
                    via: self.via(&e.grant),
                    to: if e.to == goal_node {
                        "cluster-admin".into()
                    } else {
                        ids[e.to].to_string()
                    },
                });
                n = p;
            }
            steps.reverse();
            out.push(EscalationPath {
                start: ids[start].clone(),
                steps,
            });
        }
        out.sort_by(|a, b| {
            a.steps
                .len()
                .cmp(&b.steps.len())
                .then(a.start.cmp(&b.start))
        });
        out
    }

    fn edges(
        &self,
        s: &Subject,
        goal: &Goal,
        ids: &[Subject],
        index: &HashMap<&Subject, usize>,
        ns_members: &BTreeMap<&str, Vec<usize>>,
        goal_node: usize,
    ) -> Vec<Edge> {
        let p = Principal::for_subject(s);
        let me = index[s];
        let mut out: Vec<Edge> = Vec::new();
        let add = |to: usize, action: String, grant: Grant, out: &mut Vec<Edge>| {
            if to != me && !out.iter().any(|e| e.to == to) {
                out.push(Edge { to, action, grant });
            }
        };
        if *goal == Goal::ClusterAdmin {
            let rbac = crate::RBAC_GROUP;
            if let (Some(g), Some(_)) = (
                self.authorize(
                    &p,
                    &req("bind", None, rbac, "clusterroles", "", "cluster-admin"),
                ),
                self.authorize(
                    &p,
                    &req("create", None, rbac, "clusterrolebindings", "", ""),
                ),
            ) {
                add(
                    goal_node,
                    "can bind ClusterRole cluster-admin to itself".into(),
                    g,
                    &mut out,
                );
            }
            if let (Some(g), Some(_)) = (
                self.authorize(&p, &req("escalate", None, rbac, "clusterroles", "", "")),
                self.authorize(&p, &req("update", None, rbac, "clusterroles", "", "")),
            ) {
                add(
                    goal_node,
                    "can escalate ClusterRoles it is bound to".into(),
                    g,
                    &mut out,
                );
            }
        }
        if let Some(g) = self.authorize(&p, &req("get", None, "", "nodes", "proxy", "")) {
            for (to, t) in ids.iter().enumerate() {
                if t.kind == SubjectKind::ServiceAccount {
                    add(
                        to,
                        "can exec into any pod through nodes/proxy".into(),
                        g.clone(),
                        &mut out,
                    );
                }
            }
        }
        for (to, t) in ids.iter().enumerate() {
            let imp = match t.kind {
                SubjectKind::User => req("impersonate", None, "", "users", "", &t.name),
                SubjectKind::Group => req("impersonate", None, "", "groups", "", &t.name),
                SubjectKind::ServiceAccount => req(
                    "impersonate",
                    t.namespace.as_deref(),
                    "",
                    "serviceaccounts",
                    "",
                    &t.name,
                ),
            };
            if let Some(g) = self.authorize(&p, &imp) {
                add(to, format!("can impersonate {t}"), g, &mut out);
            }
            if t.kind == SubjectKind::ServiceAccount {
                let ns = t.namespace.as_deref();
                if let Some(g) = self.authorize(
                    &p,
                    &req("create", ns, "", "serviceaccounts", "token", &t.name),
                ) {
                    add(to, format!("can create tokens for {t}"), g, &mut out);
                }
            }
        }
        for (ns, members) in ns_members {
            if members.is_empty() {
                continue;
            }
            let nso = Some(*ns);
            let found = WORKLOADS
                .iter()
                .find_map(|(g, r)| {
                    self.authorize(&p, &req("create", nso, g, r, "", ""))
                        .map(|grant| (format!("can create {r} in {ns}"), grant))
                })
                .or_else(|| {
                    self.authorize(&p, &req("create", nso, "", "pods", "exec", ""))
                        .map(|g| (format!("can exec into pods in {ns}"), g))
                })
                .or_else(|| {
                    self.authorize(&p, &req("list", nso, "", "secrets", "", ""))
                        .map(|g| (format!("can read ServiceAccount token Secrets in {ns}"), g))
                });
            if let Some((action, grant)) = found {
                for &to in members {
                    add(to, action.clone(), grant.clone(), &mut out);
                }
            }
        }
        out.sort_by_key(|e| e.to);
        out
    }
}
