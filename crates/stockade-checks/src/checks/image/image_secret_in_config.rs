//! ## What it does
//! Flags secrets in the image configuration: environment variables and labels whose name
//! says they hold a secret (`PASSWORD`, `TOKEN`, `API_KEY`... plus the `secret-env-names`
//! option) with a literal value, any value shaped like a known credential (cloud keys,
//! forge tokens, private keys), and the same in the build history (`ENV`, `ARG` values and
//! commands recorded in `history[].created_by`). A history step that only repeats an
//! environment variable already flagged is not reported twice.
//!
//! ## Why it matters
//! The configuration and history travel with the image: `docker inspect` and `docker
//! history` show them to anyone who can pull it, and build arguments stay there even when
//! the final environment no longer has them.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! env:
//!   - PATH=/usr/bin
//!   - DB_PASSWORD=hunter2hunter2 # finding
//! history:
//!   - "RUN |1 NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz0123456789 /bin/sh -c npm ci" # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! env:
//!   - PATH=/usr/bin
//!   - DB_PASSWORD_FILE=/run/secrets/db-password
//! history:
//!   - "RUN /bin/sh -c npm ci # buildkit"
//! ```
//!
//! ## Options
//! `secret-env-names` adds name fragments that mark a secret.

use crate::checks::secrets::helpers::{
    known_credential, obviously_not_secret, placeholder, redact, secret_like_name,
};
use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1110",
    name: "image-secret-in-config",
    category: Category::Image,
    severity: Severity::High,
    default_on: true,
    summary: "Secret in the image's environment, labels or build history",
    remediation: "Rebuild without the secret (BuildKit `RUN --mount=type=secret` at build time, a Kubernetes Secret at run time) and rotate it.",
    references: &["CIS Docker Benchmark 4.10"],
    aliases: &["dockle:CIS-DI-0010"],
    run: crate::Run::Image(run),
};

/// Why `name=value` is a secret, if it is.
fn secret(name: &str, value: &str, extra: &[String]) -> Option<&'static str> {
    if let Some(kind) = known_credential(value) {
        return Some(kind);
    }
    (secret_like_name(name, extra) && !obviously_not_secret(value) && !placeholder(value))
        .then_some("secret-looking value")
}

fn run(ctx: &ImageContext, out: &mut Emit) {
    let extra = &ctx.options.secret_env_names;
    let mut flagged: Vec<&str> = Vec::new();
    for e in &ctx.image.env {
        let (name, value) = e.split_once('=').unwrap_or((e, ""));
        if let Some(why) = secret(name, value, extra) {
            flagged.push(e);
            out.image(
                stockade_model::format_exact!("config.Env.{name}"),
                stockade_model::format_exact!(
                    "environment variable `{name}` holds a {why} ({})",
                    redact(value)
                ),
            );
        }
    }
    for (key, value) in &ctx.image.labels {
        if let Some(why) = secret(key, value, extra) {
            out.image(
                stockade_model::format_exact!("config.Labels.{key}"),
                stockade_model::format_exact!("label `{key}` holds a {why} ({})", redact(value)),
            );
        }
    }
    for (i, step) in ctx.image.history.iter().enumerate() {
        let hit = step.split_whitespace().find_map(|word| {
            let word = word.trim_matches(['"', '\'']);
            let (name, value) = word.split_once('=')?;
            let name = name.trim_start_matches('-');
            if name.is_empty() || flagged.contains(&word) {
                return None;
            }
            secret(name, value, extra).map(|why| (name, value, why))
        });
        if let Some((name, value, why)) = hit {
            out.image(
                stockade_model::format_exact!("history[{i}]"),
                stockade_model::format_exact!(
                    "build step {} records `{name}` with a {why} ({})",
                    i + 1,
                    redact(value)
                ),
            );
        } else if let Some(why) = known_credential(step) {
            out.image(
                stockade_model::format_exact!("history[{i}]"),
                stockade_model::format_exact!("build step {} contains a {why}", i + 1),
            );
        }
    }
}
