//! Effective permissions of one identity, merged and de-duplicated per namespace.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::eval::Principal;
use crate::policy::{BindingKind, Policy};

/// Verbs allowed on one resource (or non-resource URL) pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Permission {
    /// API group pattern (`""` core, `*` any); empty for non-resource URLs.
    #[serde(rename = "apiGroup", skip_serializing_if = "Option::is_none")]
    pub api_group: Option<String>,
    /// Resource pattern (`pods`, `pods/exec`, `*`, `*/scale`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Restricted to these names, when not empty.
    #[serde(rename = "resourceNames", skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    /// A non-resource URL pattern.
    #[serde(rename = "nonResourceURL", skip_serializing_if = "Option::is_none")]
    pub non_resource_url: Option<String>,
    /// The verbs, sorted; `["*"]` when every verb is.
    pub verbs: Vec<String>,
    /// The bindings and roles that grant it (`RoleBinding team/x -> ClusterRole edit`).
    pub via: Vec<String>,
}

/// Everything an identity may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Permissions {
    /// Who.
    pub principal: Principal,
    /// Granted by ClusterRoleBindings: in every namespace and cluster-wide.
    pub cluster: Vec<Permission>,
    /// Granted by RoleBindings, per namespace, without what `cluster` already allows.
    pub namespaces: BTreeMap<String, Vec<Permission>>,
}

type Key = (Option<String>, Option<String>, Vec<String>, Option<String>);

#[derive(Default)]
struct Acc {
    map: BTreeMap<Key, BTreeMap<String, BTreeSet<String>>>,
}

impl Acc {
    fn add(&mut self, key: Key, verbs: &[String], via: &str) {
        let e = self.map.entry(key).or_default();
        for v in verbs {
            e.entry(v.clone()).or_default().insert(via.to_owned());
        }
    }

    fn finish(self, cluster: &[Permission]) -> Vec<Permission> {
        let mut out = Vec::new();
        for ((api_group, resource, resource_names, non_resource_url), mut verbs) in self.map {
            if let Some(via) = verbs.remove("*") {
                // Every verb: the other verbs add nothing.
                verbs = BTreeMap::from([("*".to_owned(), via)]);
            }
            let mut p = Permission {
                api_group,
                resource,
                resource_names,
                non_resource_url,
                verbs: Vec::new(),
                via: Vec::new(),
            };
            verbs.retain(|v, _| !cluster.iter().any(|c| covers(c, &p, v)));
            if verbs.is_empty() {
                continue;
            }
            let via: BTreeSet<String> = verbs.values().flatten().cloned().collect();
            p.verbs = verbs.into_keys().collect();
            p.via = via.into_iter().collect();
            out.push(p);
        }
        out
    }
}

/// Whether `c` allows `verb` on everything `p` names.
fn covers(c: &Permission, p: &Permission, verb: &str) -> bool {
    let verb_ok = c.verbs.iter().any(|v| v == "*" || v == verb);
    let group_ok = match (&c.api_group, &p.api_group) {
        (Some(cg), Some(pg)) => cg == "*" || cg == pg,
        _ => false,
    };
    let res_ok = match (&c.resource, &p.resource) {
        (Some(cr), Some(pr)) => {
            cr == "*"
                || cr == pr
                || cr
                    .strip_prefix("*/")
                    .is_some_and(|sub| pr.split_once('/').is_some_and(|(_, s)| s == sub))
        }
        _ => false,
    };
    let names_ok = c.resource_names.is_empty()
        || (!p.resource_names.is_empty()
            && p.resource_names
                .iter()
                .all(|n| c.resource_names.contains(n)));
    let url_ok = match (&c.non_resource_url, &p.non_resource_url) {
        (Some(cu), Some(pu)) => {
            cu == "*" || cu == pu || (cu.ends_with('*') && pu.starts_with(cu.trim_end_matches('*')))
        }
        _ => false,
    };
    verb_ok && ((group_ok && res_ok && names_ok) || url_ok)
}

impl Policy {
    /// The effective permissions of `principal`: every rule of every binding that applies to
    /// it, split into resource/group pairs and merged by verb.
    pub fn permissions(&self, principal: &Principal) -> Permissions {
        let mut namespaces: BTreeSet<Option<String>> = BTreeSet::new();
        namespaces.insert(None);
        for (b, _) in principal
            .keys()
            .iter()
            .filter_map(|k| self.by_subject.get(k))
            .flatten()
        {
            namespaces.insert(self.bindings[*b].namespace.clone());
        }
        let mut cluster = Vec::new();
        let mut per_ns = BTreeMap::new();
        for ns in namespaces {
            let mut acc = Acc::default();
            for (b, _) in self.applicable(principal, ns.as_deref()) {
                let binding = &self.bindings[b];
                // RoleBindings of other namespaces and, in a namespace, the cluster-wide
                // bindings already reported, are left out.
                if binding.namespace != ns {
                    continue;
                }
                let via = match binding.role {
                    Some(r) => format!("{} -> {}", binding.display(), self.roles[r].display()),
                    None => continue,
                };
                for &r in self.binding_rules(b) {
                    let rule = &self.rules[r].rule;
                    if binding.kind == BindingKind::ClusterRoleBinding {
                        for u in &rule.non_resource_urls {
                            acc.add((None, None, Vec::new(), Some(u.clone())), &rule.verbs, &via);
                        }
                    }
                    let mut names = rule.resource_names.clone();
                    names.sort();
                    names.dedup();
                    for g in &rule.api_groups {
                        for res in &rule.resources {
                            acc.add(
                                (Some(g.clone()), Some(res.clone()), names.clone(), None),
                                &rule.verbs,
                                &via,
                            );
                        }
                    }
                }
            }
            match ns {
                None => cluster = acc.finish(&[]),
                Some(ns) => {
                    let perms = acc.finish(&cluster);
                    if !perms.is_empty() {
                        per_ns.insert(ns, perms);
                    }
                }
            }
        }
        Permissions {
            principal: principal.clone(),
            cluster,
            namespaces: per_ns,
        }
    }
}
