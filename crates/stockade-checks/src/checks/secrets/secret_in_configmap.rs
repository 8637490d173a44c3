//! ## What it does
//! Flags ConfigMap `data` entries that hold a credential. Three rules:
//!
//! - The value contains a known credential format, whatever the key is called (the formats
//!   of `secret-in-env-literal`: cloud and forge tokens, PEM private keys, JSON Web Tokens,
//!   URLs with a password), also on any line of a multi-line value.
//! - A one-line value under a secret-looking key (`db.password`, `apiKey`, `CLIENT_SECRET`;
//!   the name rules and the `secret-env-names` option of `secret-in-env-literal`), unless
//!   the value is obviously not a secret (empty, a reference or template, a path, a boolean,
//!   a short number, a URL without password, a placeholder such as `<password>`).
//! - In a multi-line value (a configuration file), a `key = value`, `key: value` or
//!   `"key": "value"` line whose key looks secret and whose value reads like a generated
//!   secret: one word of at least 8 characters, with letters and digits and at least 3 bits
//!   of entropy per character.
//!   The stricter value rule keeps `password: ${DB_PASSWORD}` and prose out.
//!
//! The message shows at most the first 4 characters of the value, then `…`.
//!
//! ## Why it matters
//! ConfigMaps are not treated as confidential: they are readable by far more users and
//! service accounts than Secrets (every `view` role), printed by `kubectl describe`, logged
//! by tools, and committed to Git as plain text. A credential in one is effectively public
//! and has to be rotated.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: ConfigMap
//! metadata:
//!   name: api
//! data:
//!   LOG_LEVEL: info
//!   DB_PASSWORD: s3cr3t-Pa55 # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: ConfigMap
//! metadata:
//!   name: api
//! data:
//!   LOG_LEVEL: info
//!   DB_PASSWORD_FILE: /run/secrets/db/password
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

use stockade_model::Severity;

use super::helpers::{
    any_marker, assignments, known_credential, obviously_not_secret, placeholder, redact,
    secret_like_name, token_like,
};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK505",
    name: "secret-in-configmap",
    category: Category::Secrets,
    severity: Severity::High,
    default_on: true,
    summary: "ConfigMap holds a credential",
    remediation: "Move the value into a Secret (or an external secret store), reference it from there, and rotate the exposed credential.",
    references: &["CIS 5.4.1", "NSA/CISA: secrets management"],
    aliases: &[
        "polaris:sensitiveConfigmapContent",
        "trivy:KSV-0109",
        "trivy:KSV-01010",
    ],
    run: crate::Run::Object(run),
};

/// Why `value` under `key` is a credential, if it is: a description and the part to redact.
pub(crate) fn why<'v>(key: &str, value: &'v str, extra: &[String]) -> Option<(String, &'v str)> {
    if !value.trim_end().contains('\n') {
        if let Some(kind) = known_credential(value) {
            return Some((stockade_model::format_exact!("a {kind}"), value));
        }
        return (secret_like_name(key, extra)
            && !obviously_not_secret(value)
            && !placeholder(value))
        .then(|| ("a secret-looking value".to_string(), value));
    }
    // One pass over the whole text for every marker: most multi-line values (configuration
    // files, dashboards, scripts) have none, and then no line is a known credential.
    let marked = any_marker(value);
    if marked && known_credential(value) == Some("private key") {
        return Some(("a private key".to_string(), value));
    }
    for (line, k, v) in assignments(value) {
        if marked && let Some(kind) = known_credential(v) {
            return Some((
                stockade_model::format_exact!("a {kind} on line {line} ({k})"),
                v,
            ));
        }
        if secret_like_name(k, extra) && token_like(v) {
            return Some((
                stockade_model::format_exact!("a secret-looking value on line {line} ({k})"),
                v,
            ));
        }
    }
    if !marked {
        return None;
    }
    value.lines().enumerate().find_map(|(i, l)| {
        known_credential(l).map(|kind| {
            (
                stockade_model::format_exact!("a {kind} on line {}", i + 1),
                l.trim(),
            )
        })
    })
}

fn run(ctx: &Context, out: &mut Emit) {
    let obj = ctx.object;
    if obj.kind != "ConfigMap" || !obj.group().is_empty() {
        return;
    }
    let Some(data) = obj.root.get("data") else {
        return;
    };
    for e in data.entries() {
        let Some(value) = e.value.as_str() else {
            continue;
        };
        if let Some((what, secret)) = why(&e.key, value, &ctx.options.secret_env_names) {
            out.at(
                &e.value,
                stockade_model::format_exact!("data.{}", e.key),
                stockade_model::format_exact!(
                    "ConfigMap \"{}\" key {} holds {what}: {}",
                    obj.name,
                    e.key,
                    redact(secret)
                ),
            );
        }
    }
}
