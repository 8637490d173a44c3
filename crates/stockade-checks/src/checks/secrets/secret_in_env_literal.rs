//! ## What it does
//! Flags environment variables (regular, init and ephemeral containers) that carry a secret
//! as a literal `value` in the manifest. Two rules, each enough on its own:
//!
//! - The value looks like a known credential, whatever the variable is called: an AWS access
//!   key ID (`AKIA...`, `ASIA...`), a GitHub (`ghp_...`, `github_pat_...`), GitLab
//!   (`glpat-...`) or Slack (`xox?-...`) token, a Stripe live key, a Google API key, an npm
//!   token (`npm_...`), a Terraform Cloud token (`....atlasv1....`), a Vault token
//!   (`hvs.`, `hvb.`), a New Relic key (`NRAK-`, `NRII-`), a Bitbucket app password
//!   (`ATBB...`), a Heroku (`HRKU-...`), Twilio (`SK` and 32 hex digits) or LaunchDarkly
//!   (`sdk-`/`api-` and a UUID) key, a PEM private key, a JSON Web Token, or a URL with a
//!   password (`postgres://app:pw@db`).
//! - The variable names a vendor whose keys have no prefix and the value has that vendor's
//!   key shape: Datadog (`DD_*`, `*DATADOG*`: 32 or 40 hex digits), Okta (`00` and 40
//!   characters), SumoLogic (`su` and 12 characters, or 64), Heroku (a UUID).
//! - The name looks secret and the value is not obviously something else. Names match
//!   case-insensitively with separators ignored (`DB_PASSWORD`, `dbPassword`): `password`,
//!   `passwd`, `passphrase`, `secret`, `token`, `apikey`, `privatekey`, `credential`,
//!   `accesskey`, `authkey`, `signingkey`, `encryptionkey`, `connectionstring`, a `_PWD`
//!   word (not `PWD` itself), plus the `secret-env-names` option. A name whose last word
//!   describes the secret instead of holding it is skipped (`PASSWORD_FILE`, `TOKEN_URL`,
//!   `SECRET_NAME`, `AWS_ACCESS_KEY_ID`, `MAX_TOKENS`). Values skipped as obviously not
//!   secret: empty, references (`$(VAR)`, unrendered `${VAR}` and `{{ }}` templates), file
//!   paths, booleans, numbers shorter than 6 digits, and URLs without a password.
//!
//! The finding names the variable, never the value, so scan output does not spread the
//! secret further. Values passed in `command`/`args` are not examined.
//!
//! ## Why it matters
//! A manifest is stored in Git, in CI logs, in the cluster's etcd unencrypted as part of the
//! workload object, and is readable by anyone with `get` on Deployments, a much wider group
//! than those with access to Secrets. A credential written there is effectively public and has
//! to be rotated.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: api:2.3.1
//!           env:
//!             - name: DB_PASSWORD
//!               value: hunter2 # finding
//!             - name: DB_PASSWORD_FILE
//!               value: /run/secrets/db/password
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: api:2.3.1
//!           env:
//!             - name: DB_PASSWORD_FILE
//!               value: /run/secrets/db/password
//!           volumeMounts:
//!             - name: db
//!               mountPath: /run/secrets/db
//!               readOnly: true
//!       volumes:
//!         - name: db
//!           secret:
//!             secretName: api-db
//! ```
//!
//! ## Options
//! `secret-env-names`: more name fragments that mark a secret (case-insensitive).
//!
//! ```yaml
//! options:
//!   secret-env-names: [license, sas_sig]
//! ```

use stockade_model::Severity;

use super::helpers::{known_credential, obviously_not_secret, secret_like_name, vendor_credential};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK501",
    name: "secret-in-env-literal",
    category: Category::Secrets,
    severity: Severity::High,
    default_on: true,
    summary: "Secret written as a literal environment variable value",
    remediation: "Move the value into a Secret (or an external secret store) and mount it as a file; rotate the exposed credential.",
    references: &["CIS 5.4.1", "NSA/CISA: secrets management"],
    aliases: &[
        "kube-linter:env-var-secret",
        "polaris:sensitiveContainerEnvVar",
        "kubescape:C-0012",
        "datree:ALL_EXPOSED_SECRET_AWS",
        "datree:ALL_EXPOSED_SECRET_GITHUB",
        "datree:ALL_EXPOSED_SECRET_GITLAB",
        "datree:ALL_EXPOSED_SECRET_STRIPE",
        "datree:ALL_EXPOSED_SECRET_GCP",
        "datree:ALL_EXPOSED_SECRET_JWT",
        "datree:ALL_EXPOSED_SECRET_PRIVATEKEY",
        "datree:ALL_EXPOSED_SECRET_BITBUCKET",
        "datree:ALL_EXPOSED_SECRET_DATADOG",
        "datree:ALL_EXPOSED_SECRET_TERRAFORM",
        "datree:ALL_EXPOSED_SECRET_HEROKU",
        "datree:ALL_EXPOSED_SECRET_LAUNCHDARKLY",
        "datree:ALL_EXPOSED_SECRET_NEWRELIC",
        "datree:ALL_EXPOSED_SECRET_NPM",
        "datree:ALL_EXPOSED_SECRET_OKTA",
        "datree:ALL_EXPOSED_SECRET_SUMOLOGIC",
        "datree:ALL_EXPOSED_SECRET_TWILIO",
        "datree:ALL_EXPOSED_SECRET_VAULT",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        let Some(env) = c.node.get("env") else {
            continue;
        };
        for (i, e) in env.items().iter().enumerate() {
            let name = e.str_at("name").unwrap_or_default();
            let Some(node) = e.get("value") else { continue };
            let Some(value) = node.as_str() else { continue };
            let message = if let Some(kind) =
                known_credential(value).or_else(|| vendor_credential(name, value))
            {
                stockade_model::format_exact!("{} env {name} holds a literal {kind}", c.label())
            } else if !obviously_not_secret(value)
                && secret_like_name(name, &ctx.options.secret_env_names)
            {
                stockade_model::format_exact!(
                    "{} sets secret-looking env {name} to a literal value",
                    c.label()
                )
            } else {
                continue;
            };
            out.container(
                c,
                Some((
                    node,
                    &stockade_model::format_exact!("{}.env[{i}].value", c.path),
                )),
                message,
            );
        }
    }
}
