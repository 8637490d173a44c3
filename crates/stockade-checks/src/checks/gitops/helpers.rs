//! Helpers shared by the service mesh and GitOps checks.

use stockade_model::{Node, Object};

/// True when `obj` is `kind` in an API group starting with `group` (`security.istio.io`,
/// `source.toolkit.fluxcd.io` ...), whatever the version.
pub fn is(obj: &Object, group: &str, kind: &str) -> bool {
    obj.kind == kind && obj.group() == group
}

/// True for text with an unrendered template (`{{ }}` of Helm or an ApplicationSet, `${}` of
/// Flux post-build substitution): its value is decided elsewhere.
pub fn templated(v: &str) -> bool {
    v.contains("{{") || v.contains("${")
}

/// True for a commit SHA, full or abbreviated (7 to 40 hex digits).
pub fn commit_sha(v: &str) -> bool {
    (7..=40).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_hexdigit())
}

/// True for a version range or wildcard rather than one version: `*`, `x` components,
/// `^`, `~`, comparisons, `||`, hyphen ranges, comma lists.
pub fn version_range(v: &str) -> bool {
    let v = v.trim();
    v.is_empty()
        || v.contains(['*', '^', '~', '>', '<', '|', ','])
        || v.contains(" - ")
        || v.trim_start_matches(['v', '='])
            .split(['.', '-', '+'])
            .take(3)
            .any(|part| matches!(part, "x" | "X"))
}

/// True for an exact version tag (`1.2.3`, `v2.0`, `v1.4.0-rc.1`).
pub fn exact_version(v: &str) -> bool {
    let core = v.trim().strip_prefix('v').unwrap_or(v.trim());
    core.split(['-', '+']).next().is_some_and(|c| {
        c.contains('.')
            && c.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    }) && !version_range(v)
}

/// A mapping's items under `key` when it is a list, or the single mapping under `single`
/// (`spec.sources` / `spec.source`), with their paths.
pub fn one_or_many<'a>(
    parent: &'a Node,
    base: &str,
    single: &str,
    many: &str,
) -> Vec<(&'a Node, String)> {
    let mut out = Vec::new();
    if let Some(s) = parent.get(single).filter(|n| n.is_map()) {
        out.push((s, stockade_model::format_exact!("{base}.{single}")));
    }
    if let Some(list) = parent.get(many) {
        for (i, s) in list.items().iter().enumerate() {
            out.push((s, stockade_model::format_exact!("{base}.{many}[{i}]")));
        }
    }
    out
}

/// The Argo CD sources of an Application, or of an ApplicationSet's template.
pub fn argo_sources(obj: &Object) -> Vec<(&Node, String)> {
    if obj.group() != "argoproj.io" {
        return Vec::new();
    }
    let (spec, base) = match obj.kind.as_str() {
        "Application" => (obj.root.get("spec"), "spec"),
        "ApplicationSet" => (
            obj.root.at(&["spec", "template", "spec"]),
            "spec.template.spec",
        ),
        _ => (None, ""),
    };
    spec.map(|s| one_or_many(s, base, "source", "sources"))
        .unwrap_or_default()
}

/// True for an Argo Workflows object that holds templates: Workflow, WorkflowTemplate,
/// ClusterWorkflowTemplate, CronWorkflow.
pub fn is_argo_workflow(obj: &Object) -> bool {
    obj.group() == "argoproj.io"
        && matches!(
            obj.kind.as_str(),
            "Workflow" | "WorkflowTemplate" | "ClusterWorkflowTemplate" | "CronWorkflow"
        )
}

/// The workflow spec of an Argo Workflows object (`spec`, or `spec.workflowSpec` of a
/// CronWorkflow) with its path.
pub fn workflow_spec(obj: &Object) -> Option<(&Node, &'static str)> {
    if !is_argo_workflow(obj) {
        return None;
    }
    if obj.kind == "CronWorkflow" {
        obj.root
            .at(&["spec", "workflowSpec"])
            .map(|n| (n, "spec.workflowSpec"))
    } else {
        obj.root.get("spec").map(|n| (n, "spec"))
    }
}

/// The templates of an Argo Workflows object, with their paths.
pub fn workflow_templates(obj: &Object) -> Vec<(&Node, String)> {
    let Some((spec, base)) = workflow_spec(obj) else {
        return Vec::new();
    };
    spec.get("templates")
        .map(|t| {
            t.items()
                .iter()
                .enumerate()
                .map(|(i, n)| (n, stockade_model::format_exact!("{base}.templates[{i}]")))
                .collect()
        })
        .unwrap_or_default()
}

/// True for an Argo Rollout.
pub fn is_argo_rollout(obj: &Object) -> bool {
    obj.group() == "argoproj.io" && obj.kind == "Rollout"
}

#[cfg(test)]
mod tests {
    use super::{commit_sha, exact_version, version_range};

    #[test]
    fn versions() {
        for r in [
            "*",
            "",
            "1.x",
            "1.2.X",
            "^1.2.0",
            "~1.2",
            ">=1.0.0 <2.0.0",
            "1.0 || 2.0",
            "1 - 2",
        ] {
            assert!(version_range(r), "{r}");
        }
        for e in ["1.2.3", "v1.2.3", "1.4.0-rc.1", "0.1"] {
            assert!(!version_range(e), "{e}");
            assert!(exact_version(e), "{e}");
        }
        for b in ["main", "HEAD", "release-1.2", "v1", "1.x"] {
            assert!(!exact_version(b), "{b}");
        }
        assert!(commit_sha("3f2a9c1"));
        assert!(commit_sha("3f2a9c1d0e4b5a6978c1d2e3f4a5b6c7d8e9f0a1"));
        assert!(!commit_sha("main"));
        assert!(!commit_sha("abc"));
    }
}
