//! ## What it does
//! Flags annotations (of any object, and of pod templates) that carry a credential:
//!
//! - `kubectl.kubernetes.io/last-applied-configuration` of a Secret that holds the Secret's
//!   `data` or `stringData`: `kubectl apply` copies the whole object there, so the values
//!   sit in an annotation that every reader of the object sees, and `stringData`, which the
//!   API server never stores, is kept there in plain text. In the last-applied JSON of any
//!   other object, a known credential format anywhere in it.
//! - Any other annotation whose value contains a known credential format (the formats of
//!   `secret-in-env-literal`: cloud and forge tokens, PEM private keys, JSON Web Tokens, URLs
//!   with a password).
//! - An annotation whose key's last part looks secret (`example.com/api-token`) and whose
//!   value reads like a generated secret (one word of at least 8 characters, with letters
//!   and digits and at least 3 bits of entropy per character). Not flagged: plain values
//!   such as Vault Agent paths (`vault.hashicorp.com/agent-inject-secret-db:
//!   database/creds/db`), and hex digests (32, 40 or 64 hex digits, as in Helm's
//!   `checksum/secret` annotations, which hash a Secret without revealing it).
//!
//! The message shows at most the first 4 characters of the value, then `…`.
//!
//! ## Why it matters
//! Annotations are metadata: they are returned by `list` and `watch` on the object, shown by
//! `kubectl describe`, copied by controllers and backup tools, and readable by anyone who can
//! read the object, which for a Secret's last-applied-configuration defeats the point of
//! restricting access to Secrets.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Secret
//! metadata:
//!   name: db
//!   annotations:
//!     kubectl.kubernetes.io/last-applied-configuration: | # finding
//!       {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"stringData":{"password":"hunter2"}}
//! type: Opaque
//! ```
//! Fixed (apply Secrets server-side, or create them from a secret store):
//! ```yaml
//! apiVersion: v1
//! kind: Secret
//! metadata:
//!   name: db
//!   annotations:
//!     reloader.stakater.com/match: "true"
//! type: Opaque
//! ```
//!
//! ## Options
//! `secret-env-names`: more key fragments that mark a secret (case-insensitive), shared
//! with `secret-in-env-literal`.
//!
//! ```yaml
//! options:
//!   secret-env-names: [license]
//! ```

use stockade_model::{Node, Severity, Value};

use super::helpers::{any_marker, known_credential, redact, secret_like_name, token_like};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK506",
    name: "secret-in-annotation",
    category: Category::Secrets,
    severity: Severity::High,
    default_on: true,
    summary: "Annotation holds a credential",
    remediation: "Remove the value from the annotation and rotate it; apply Secrets with `kubectl apply --server-side` or from a secret store so no last-applied copy is kept.",
    references: &["CIS 5.4.1", "NSA/CISA: secrets management"],
    aliases: &[],
    run: crate::Run::Object(run),
};

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// True for a hex digest (MD5, SHA-1, SHA-256).
fn digest(v: &str) -> bool {
    let v = v.trim();
    matches!(v.len(), 32 | 40 | 64) && v.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The first scalar in `node` that is a known credential format.
fn find_credential(node: &Node) -> Option<(&'static str, &str)> {
    match &node.value {
        Value::Scalar { text, .. } => known_credential(text).map(|k| (k, &**text)),
        Value::Seq(items) => items.iter().find_map(find_credential),
        Value::Map(entries) => entries.iter().find_map(|e| find_credential(&e.value)),
    }
}

/// Why the last-applied configuration `json` leaks a secret.
fn last_applied(json: &str) -> Option<String> {
    // Parsing the copy is most of this check's cost. Without the word `Secret`, an escape (which
    // could hide a marker) or any credential marker, nothing in it can be reported.
    if !json.contains("Secret") && !json.contains('\\') && !any_marker(json) {
        return None;
    }
    let loaded = stockade_model::load("last-applied", json.as_bytes());
    let obj = loaded.objects.first()?;
    if obj.kind == "Secret" && obj.group().is_empty() {
        let fields: Vec<&str> = ["data", "stringData"]
            .into_iter()
            .filter(|f| obj.root.get(f).is_some_and(|d| !d.entries().is_empty()))
            .collect();
        if !fields.is_empty() {
            return Some(stockade_model::format_exact!(
                "a copy of the Secret's {}",
                fields.join(" and ")
            ));
        }
    }
    find_credential(&obj.root)
        .map(|(kind, v)| stockade_model::format_exact!("a {kind}: {}", redact(v)))
}

fn check(annotations: &Node, base: &str, what: &str, extra: &[String], out: &mut Emit) {
    for e in annotations.entries() {
        let Some(value) = e.value.as_str() else {
            continue;
        };
        let found = if &*e.key == LAST_APPLIED {
            last_applied(value)
        } else if let Some(kind) = known_credential(value) {
            Some(stockade_model::format_exact!("a {kind}: {}", redact(value)))
        } else {
            let last = e.key.rsplit('/').next().unwrap_or(&e.key);
            (secret_like_name(last, extra) && token_like(value) && !digest(value))
                .then(|| stockade_model::format_exact!("a secret-looking value: {}", redact(value)))
        };
        if let Some(found) = found {
            out.at(
                &e.value,
                stockade_model::format_exact!("{base}.{}", e.key),
                stockade_model::format_exact!("{what} annotation {} holds {found}", e.key),
            );
        }
    }
}

fn run(ctx: &Context, out: &mut Emit) {
    let obj = ctx.object;
    let extra = &ctx.options.secret_env_names;
    if let Some(a) = obj.metadata().get("annotations") {
        let what = stockade_model::format_exact!("{} \"{}\"", obj.kind, obj.name);
        check(a, "metadata.annotations", &what, extra, out);
    }
    for pod in ctx.pods {
        // A Pod's own metadata was covered above.
        if pod.metadata_path == "metadata" {
            continue;
        }
        if let Some(a) = pod.metadata.and_then(|m| m.get("annotations")) {
            let base = stockade_model::format_exact!("{}.annotations", pod.metadata_path);
            check(a, &base, "pod template", extra, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::last_applied;

    #[test]
    fn last_applied_copies_are_read_when_they_can_hold_a_finding() {
        let token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        let with_token = format!(
            r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"a"}},"spec":{{"template":{{"spec":{{"containers":[{{"name":"c","env":[{{"name":"T","value":"{token}"}}]}}]}}}}}}}}"#
        );
        assert!(last_applied(&with_token).is_some_and(|m| m.starts_with("a GitHub token")));
        // A marker written with JSON escapes is still found.
        let escaped = with_token.replace("ghp_", "gh\\u0070_");
        assert!(last_applied(&escaped).is_some_and(|m| m.starts_with("a GitHub token")));
        // A Secret's copy of its data.
        let secret =
            r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"k":"dg=="}}"#;
        assert_eq!(
            last_applied(secret).as_deref(),
            Some("a copy of the Secret's data")
        );
        // Nothing to report, with or without the quick test's words.
        let clean = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"}}"#;
        assert_eq!(last_applied(clean), None);
        let pull = r#"{"apiVersion":"v1","kind":"Pod","spec":{"imagePullSecrets":[{"name":"r"}]}}"#;
        assert_eq!(last_applied(pull), None);
    }
}
