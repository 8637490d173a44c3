//! ## What it does
//! Flags `ENV` with a literal value, and any `ARG`, whose name says it holds a secret
//! (`PASSWORD`, `SECRET`, `TOKEN`, `API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY`, `CREDENTIALS`,
//! plus the names in the `secret-env-names` option). Names ending in `_FILE`, `_PATH`, `_DIR` or
//! `_URL` point at a secret rather than hold one and are left alone; so is an `ENV` whose value
//! is only a variable reference.
//!
//! ## Why it matters
//! `ENV` values are stored in the image configuration and `ARG` values in its build
//! history: anyone who can pull the image can read them with `docker history` or
//! `docker inspect`, long after the secret was meant to be rotated.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! ARG NPM_TOKEN # finding
//! ENV DB_PASSWORD=hunter2 # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM alpine:3.20
//! ENV DB_PASSWORD_FILE=/run/secrets/db-password
//! RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};
use stockade_dockerfile::Kind;
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1013",
    name: "dockerfile-secret-in-env-or-arg",
    category: Category::Dockerfile,
    severity: Severity::High,
    default_on: true,
    summary: "Secret-looking value in ENV or ARG",
    remediation: "Pass secrets with `RUN --mount=type=secret,id=...` (BuildKit) at build time and from a Secret at run time; never bake them into ENV or ARG.",
    references: &[],
    aliases: &["trivy:DS-0031"],
    run: crate::Run::Dockerfile(run),
};

const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "access_key",
    "private_key",
    "credentials",
    "client_secret",
    "auth_key",
];

fn secret_name(name: &str, extra: &[String]) -> bool {
    let l = name.to_ascii_lowercase();
    if ["_file", "_path", "_dir", "_url", "_length", "_len"]
        .iter()
        .any(|s| l.ends_with(s))
    {
        return false;
    }
    SECRET_WORDS.iter().any(|w| l.contains(w))
        || extra
            .iter()
            .any(|e| !e.is_empty() && l.contains(&e.to_ascii_lowercase()))
}

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for inst in &df.instructions {
        if !matches!(inst.kind, Kind::Env | Kind::Arg) {
            continue;
        }
        for (key, value) in inst.pairs() {
            if !secret_name(&key.text, &ctx.options.secret_env_names) {
                continue;
            }
            let literal = value.as_ref().is_some_and(|v| {
                let t = v.text.trim();
                !t.is_empty() && (!t.starts_with('$') || t[1..].contains(['$', ' ']))
            });
            if inst.kind == Kind::Env && !literal {
                continue;
            }
            let message = match inst.kind {
                Kind::Env => stockade_model::format_exact!(
                    "ENV `{}` holds a secret-looking literal; it is stored in the image configuration",
                    key.text
                ),
                _ => stockade_model::format_exact!(
                    "ARG `{}` looks like a secret; build arguments are recorded in the image history",
                    key.text
                ),
            };
            out.at_pos(key.pos, helpers::path(df, inst), message);
        }
    }
}
