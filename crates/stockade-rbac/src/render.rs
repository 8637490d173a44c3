//! Text, JSON and DOT renderings of the answers. JSON shapes are documented in docs/rbac.md.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::eval::{Grant, Request, Target};
use crate::paths::EscalationPath;
use crate::permissions::{Permission, Permissions};
use crate::policy::{Binding, Diagnostic, Loc, Policy, Role};
use crate::risks::Risk;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned text for people.
    Text,
    /// JSON for programs.
    Json,
    /// Graphviz (paths only).
    Dot,
}

impl std::str::FromStr for Format {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, crate::Error> {
        match s {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            "dot" => Ok(Self::Dot),
            _ => Err(crate::Error::Format(s.to_owned())),
        }
    }
}

fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c + 1 == r.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}  ", w = widths[c]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn loc_json(l: &Loc) -> Value {
    json!({"file": &*l.file, "line": l.line})
}

fn binding_json(b: &Binding) -> Value {
    json!({"kind": b.kind.as_str(), "namespace": b.namespace, "name": b.name, "location": loc_json(&b.loc)})
}

fn role_json(r: &Role) -> Value {
    json!({"kind": r.kind.as_str(), "namespace": r.namespace, "name": r.name, "location": loc_json(&r.loc)})
}

fn diagnostics_json(d: &[Diagnostic]) -> Value {
    serde_json::to_value(d).unwrap_or(Value::Null)
}

/// Describes a request: `get secrets in namespace team`.
pub fn describe_request(req: &Request) -> String {
    let what = match &req.target {
        Target::Resource {
            group,
            resource,
            subresource,
            name,
        } => {
            let mut s = resource.clone();
            if !group.is_empty() {
                s = format!("{s}.{group}");
            }
            if !subresource.is_empty() {
                s = format!("{s}/{subresource}");
            }
            if !name.is_empty() {
                s = format!("{s} named {name}");
            }
            s
        }
        Target::NonResource { path } => path.clone(),
    };
    match &req.namespace {
        Some(ns) => format!("{} {what} in namespace {ns}", req.verb),
        None => format!("{} {what} cluster-wide", req.verb),
    }
}

/// Renders a who-can answer.
pub fn who_can(policy: &Policy, req: &Request, grants: &[Grant], format: Format) -> String {
    match format {
        Format::Json => {
            let subjects: Vec<Value> = grants
                .iter()
                .map(|g| {
                    let b = &policy.bindings[g.binding];
                    let s = &b.subjects[g.subject];
                    let rule = &policy.rules[g.rule];
                    json!({
                        "subject": s.subject,
                        "subjectLocation": loc_json(&s.loc),
                        "binding": binding_json(b),
                        "role": b.role.map(|r| role_json(&policy.roles[r])),
                        "rule": {"location": loc_json(&rule.loc), "rule": rule.rule},
                    })
                })
                .collect();
            let v = json!({
                "request": req,
                "subjects": subjects,
                "diagnostics": diagnostics_json(&policy.diagnostics),
            });
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        _ => {
            if grants.is_empty() {
                return format!("nobody can {}\n", describe_request(req));
            }
            let mut rows = vec![vec![
                "SUBJECT".into(),
                "BINDING".into(),
                "ROLE".into(),
                "RULE".into(),
            ]];
            for g in grants {
                let b = &policy.bindings[g.binding];
                rows.push(vec![
                    b.subjects[g.subject].subject.to_string(),
                    b.display(),
                    b.role
                        .map_or_else(String::new, |r| policy.roles[r].display()),
                    policy.rules[g.rule].loc.to_string(),
                ]);
            }
            format!("who can {}:\n", describe_request(req)) + &table(&rows)
        }
    }
}

fn perm_target(p: &Permission) -> String {
    let mut s = match (&p.resource, &p.api_group, &p.non_resource_url) {
        (Some(r), Some(g), _) if g.is_empty() => r.clone(),
        (Some(r), Some(g), _) => format!("{r}.{g}"),
        (_, _, Some(u)) => u.clone(),
        _ => String::new(),
    };
    if !p.resource_names.is_empty() {
        let _ = write!(s, " [{}]", p.resource_names.join(","));
    }
    s
}

/// Renders effective permissions.
pub fn permissions(perms: &Permissions, format: Format) -> String {
    if format == Format::Json {
        return serde_json::to_string_pretty(perms).unwrap_or_default() + "\n";
    }
    let who = match &perms.principal.name {
        Some(n) => format!("user {n}"),
        None => "a member".into(),
    };
    let mut out = format!("{who} (groups: {})\n", perms.principal.groups.join(", "));
    if perms.cluster.is_empty() && perms.namespaces.is_empty() {
        out.push_str("no permissions\n");
        return out;
    }
    let mut section = |title: String, list: &[Permission]| {
        out.push_str(&title);
        let mut rows = vec![vec!["  RESOURCE".to_owned(), "VERBS".into(), "VIA".into()]];
        for p in list {
            rows.push(vec![
                format!("  {}", perm_target(p)),
                p.verbs.join(","),
                p.via.join("; "),
            ]);
        }
        out.push_str(&table(&rows));
    };
    if !perms.cluster.is_empty() {
        section("cluster-wide (all namespaces):\n".into(), &perms.cluster);
    }
    for (ns, list) in &perms.namespaces {
        section(format!("namespace {ns}:\n"), list);
    }
    out
}

/// Renders risks, grouped by subject.
pub fn risks(policy: &Policy, risks: &[Risk], format: Format) -> String {
    if format == Format::Json {
        let v = json!({"risks": risks, "diagnostics": diagnostics_json(&policy.diagnostics)});
        return serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
    }
    if risks.is_empty() {
        return "no risky permissions\n".into();
    }
    let mut out = String::new();
    let mut last: Option<String> = None;
    for r in risks {
        let head = r.subject.as_ref().map_or_else(
            || "bindings to missing roles".to_owned(),
            ToString::to_string,
        );
        if last.as_ref() != Some(&head) {
            let _ = writeln!(out, "{head}:");
            last = Some(head);
        }
        let _ = writeln!(
            out,
            "  {:<8}  {}  {}  {}",
            r.severity.as_str(),
            r.kind.id,
            r.location,
            r.message
        );
    }
    out
}

/// Renders escalation paths.
pub fn paths(paths: &[EscalationPath], format: Format) -> String {
    match format {
        Format::Json => {
            serde_json::to_string_pretty(&json!({"paths": paths})).unwrap_or_default() + "\n"
        }
        Format::Dot => {
            let mut out = String::from("digraph escalation {\n  rankdir=LR;\n");
            let mut seen = std::collections::HashSet::new();
            for p in paths {
                let mut from = p.start.to_string();
                for s in &p.steps {
                    let line = format!("  {:?} -> {:?} [label={:?}];\n", from, s.to, s.action);
                    if seen.insert(line.clone()) {
                        out.push_str(&line);
                    }
                    from = s.to.clone();
                }
            }
            out.push_str("}\n");
            out
        }
        Format::Text => {
            if paths.is_empty() {
                return "no escalation paths\n".into();
            }
            let mut out = String::new();
            for (i, p) in paths.iter().enumerate() {
                let n = p.steps.len();
                let _ = writeln!(
                    out,
                    "{}. {} ({n} step{})",
                    i + 1,
                    p.start,
                    if n == 1 { "" } else { "s" }
                );
                for s in &p.steps {
                    let _ = writeln!(out, "   -> {} => {}", s.action, s.to);
                    if !s.via.is_empty() {
                        let _ = writeln!(out, "      via {}", s.via);
                    }
                }
            }
            out
        }
    }
}
