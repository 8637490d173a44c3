//! Suppression annotations: `ignore.stockade.dev/<check>[.<container>]: "<reason>"` on an
//! object or its pod template; in Dockerfiles, `# stockade:ignore=<check>[,<check>] <reason>`
//! comments (and hadolint's `# hadolint ignore=DL3008` pragmas) before an instruction.

use stockade_model::{Node, Object, PodSpec, Pos};

/// The annotation prefix.
pub const PREFIX: &str = "ignore.stockade.dev/";

/// One suppression annotation.
#[derive(Debug)]
pub struct Suppression {
    /// Check ID or name as written.
    pub check: String,
    /// Container it is limited to.
    pub container: Option<String>,
    /// The reason (may be empty: then it is invalid).
    pub reason: String,
    /// Where the annotation is.
    pub pos: Pos,
    /// The annotation's path.
    pub path: String,
    /// Whether it silenced a finding.
    pub used: bool,
    /// Lines it applies to (a Dockerfile comment covers the next instruction); `None`: the
    /// whole object.
    pub scope: Option<(u32, u32)>,
    /// Whether an invalid or unused one is reported (not for hadolint's own pragmas, which
    /// also serve hadolint).
    pub judged: bool,
}

impl Suppression {
    /// True when it covers a finding on `line`.
    pub fn covers(&self, line: u32) -> bool {
        self.scope.is_none_or(|(a, b)| (a..=b).contains(&line))
    }
}

/// The Dockerfile comment that suppresses findings of the next instruction.
pub const DOCKERFILE_PREFIX: &str = "stockade:ignore=";

/// Every suppression comment of a Dockerfile: `# stockade:ignore=<check>[,<check>] <reason>`
/// and hadolint's `# hadolint ignore=DL3008,DL3015` (mapped to the checks that list those
/// IDs as aliases) apply to the next instruction; `# hadolint global ignore=...` to the file.
pub fn collect_dockerfile(df: &stockade_dockerfile::Dockerfile) -> Vec<Suppression> {
    let mut out = Vec::new();
    for c in &df.comments {
        let next = df
            .instructions
            .iter()
            .find(|i| i.pos.line > c.pos.line)
            .map_or((0, 0), |i| (i.pos.line, i.end_line));
        if let Some(rest) = c.text.strip_prefix(DOCKERFILE_PREFIX) {
            let (checks, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            for check in checks.split(',').filter(|s| !s.is_empty()) {
                out.push(Suppression {
                    check: check.to_string(),
                    container: None,
                    reason: reason.trim().to_string(),
                    pos: c.pos,
                    path: "comment".into(),
                    used: false,
                    scope: Some(next),
                    judged: true,
                });
            }
            continue;
        }
        let Some(rest) = c.text.strip_prefix("hadolint") else {
            continue;
        };
        let rest = rest.trim_start();
        let (global, rest) = match rest.strip_prefix("global") {
            Some(r) => (true, r.trim_start()),
            None => (false, rest),
        };
        let Some(ids) = rest
            .strip_prefix("ignore")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('='))
        else {
            continue;
        };
        let ids = ids.split_whitespace().next().unwrap_or("");
        for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let alias = format!("hadolint:{id}");
            for check in stockade_checks::all()
                .iter()
                .filter(|k| k.aliases.iter().any(|a| a.eq_ignore_ascii_case(&alias)))
            {
                out.push(Suppression {
                    check: check.id.to_string(),
                    container: None,
                    reason: format!("hadolint ignore={id}"),
                    pos: c.pos,
                    path: "comment".into(),
                    used: false,
                    scope: (!global).then_some(next),
                    judged: false,
                });
            }
        }
    }
    out
}

/// Every suppression annotation on the object and its pod templates.
pub fn collect(obj: &Object, pods: &[PodSpec]) -> Vec<Suppression> {
    let mut out = Vec::new();
    read(obj.root.get("metadata"), "metadata", &mut out);
    for p in pods {
        // A Pod's template metadata is its own metadata, already read.
        if p.metadata_path != "metadata" {
            read(p.metadata, &p.metadata_path, &mut out);
        }
    }
    out
}

fn read(meta: Option<&Node>, meta_path: &str, out: &mut Vec<Suppression>) {
    let Some(annotations) = meta.and_then(|m| m.get("annotations")) else {
        return;
    };
    for e in annotations.entries() {
        let Some(rest) = e.key.strip_prefix(PREFIX) else {
            continue;
        };
        let (check, container) = match rest.split_once('.') {
            Some((c, name)) => (c.to_string(), Some(name.to_string())),
            None => (rest.to_string(), None),
        };
        out.push(Suppression {
            check,
            container,
            reason: e.value.as_str().unwrap_or("").trim().to_string(),
            pos: e.value.pos,
            path: format!("{meta_path}.annotations.{}", e.key),
            used: false,
            scope: None,
            judged: true,
        });
    }
}
