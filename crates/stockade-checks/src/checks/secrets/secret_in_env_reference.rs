//! ## What it does
//! Flags containers (regular, init and ephemeral) that read a Secret into environment
//! variables: an `env` entry with `valueFrom.secretKeyRef`, or an `envFrom` entry with
//! `secretRef`.
//!
//! ## Why it matters
//! Environment variables leak easily: they are inherited by every child process, printed by
//! crash handlers and debug endpoints, captured in core dumps, visible in
//! `/proc/<pid>/environ` to anything sharing the PID namespace, and never updated when the
//! Secret rotates. A Secret mounted as a read-only volume is a file only the container reads,
//! it lives in memory (tmpfs), and the kubelet refreshes it on rotation.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: api
//! spec:
//!   containers:
//!     - name: api
//!       image: api:2.3.1
//!       env:
//!         - name: DB_PASSWORD
//!           valueFrom:
//!             secretKeyRef: # finding
//!               name: api-db
//!               key: password
//!       envFrom:
//!         - secretRef: # finding
//!             name: api-keys
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: api
//! spec:
//!   containers:
//!     - name: api
//!       image: api:2.3.1
//!       volumeMounts:
//!         - name: secrets
//!           mountPath: /run/secrets/api
//!           readOnly: true
//!   volumes:
//!     - name: secrets
//!       projected:
//!         sources:
//!           - secret: {name: api-db}
//!           - secret: {name: api-keys}
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK502",
    name: "secret-in-env-reference",
    category: Category::Secrets,
    severity: Severity::Low,
    default_on: true,
    summary: "Secret exposed through environment variables",
    remediation: "Mount the Secret as a read-only volume and have the application read the file.",
    references: &["CIS 5.4.1", "NSA/CISA: secrets management"],
    aliases: &[
        "kube-linter:read-secret-from-env-var",
        "kubesec:SecretsAsEnvironmentVariables",
        "checkov:CKV_K8S_35",
        "kubescape:C-0207",
        "datree:CIS_INVALID_KEY_SECRETKEYREF_SECRETREF",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        if let Some(env) = c.node.get("env") {
            for (i, e) in env.items().iter().enumerate() {
                let Some(r) = e
                    .at(&["valueFrom", "secretKeyRef"])
                    .filter(|r| !r.is_null())
                else {
                    continue;
                };
                let var = e.str_at("name").unwrap_or_default();
                let secret = r.str_at("name").unwrap_or_default();
                let key = r.str_at("key").unwrap_or_default();
                out.container(
                    c,
                    Some((
                        r,
                        &stockade_model::format_exact!(
                            "{}.env[{i}].valueFrom.secretKeyRef",
                            c.path
                        ),
                    )),
                    stockade_model::format_exact!(
                        "{} reads key \"{key}\" of Secret \"{secret}\" into env {var}",
                        c.label()
                    ),
                );
            }
        }
        if let Some(env_from) = c.node.get("envFrom") {
            for (i, e) in env_from.items().iter().enumerate() {
                let Some(r) = e.get("secretRef").filter(|r| !r.is_null()) else {
                    continue;
                };
                let secret = r.str_at("name").unwrap_or_default();
                out.container(
                    c,
                    Some((
                        r,
                        &stockade_model::format_exact!("{}.envFrom[{i}].secretRef", c.path),
                    )),
                    stockade_model::format_exact!(
                        "{} loads every key of Secret \"{secret}\" into its environment",
                        c.label()
                    ),
                );
            }
        }
    }
}
