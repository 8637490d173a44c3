//! ## What it does
//! Flags Secret objects written with values in `data` or `stringData`: a manifest that holds
//! the secret itself, in a repository or a chart's output. One finding per field, listing
//! the keys.
//!
//! Not flagged: values encrypted by SOPS (`ENC[AES256_GCM,...]`), unrendered templates
//! (`{{ ... }}`, `${VAR}`), empty values, and other kinds that carry encrypted or referenced
//! secrets (Bitnami `SealedSecret`, External Secrets `ExternalSecret`), which are the
//! remedy.
//!
//! ## Why it matters
//! `data` is base64, not encryption: anyone who can read the repository, a CI log or a
//! rendered chart has the credential, for as long as the history exists. In a GitOps
//! repository that is every clone, fork and backup.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Secret
//! metadata:
//!   name: db
//! type: Opaque
//! data: # finding
//!   password: aHVudGVyMg==
//! ```
//! Fixed (an ExternalSecret that the operator turns into the Secret in the cluster):
//! ```yaml
//! apiVersion: external-secrets.io/v1beta1
//! kind: ExternalSecret
//! metadata:
//!   name: db
//! spec:
//!   secretStoreRef: {name: vault, kind: ClusterSecretStore}
//!   target: {name: db}
//!   data:
//!     - secretKey: password
//!       remoteRef: {key: shop/db, property: password}
//! ```
//!
//! ## Options
//! None.

use stockade_model::{Node, Severity};

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK507",
    name: "secret-data-committed",
    category: Category::Secrets,
    severity: Severity::Medium,
    default_on: true,
    summary: "Secret manifest holds its values in plain text",
    remediation: "Keep the value out of the manifest: use Sealed Secrets, External Secrets, or encrypt the file with SOPS; rotate values already committed.",
    references: &["NSA/CISA: secrets management"],
    aliases: &[],
    run: crate::Run::Object(run),
};

/// True for a value that is not the secret itself.
fn protected(value: &Node) -> bool {
    let Some(v) = value.as_str() else {
        return true;
    };
    let v = v.trim();
    v.is_empty() || v.starts_with("ENC[") || v.contains("{{") || v.starts_with("${")
}

fn run(ctx: &Context, out: &mut Emit) {
    let obj = ctx.object;
    if obj.kind != "Secret" || !obj.group().is_empty() {
        return;
    }
    for field in ["data", "stringData"] {
        let Some(node) = obj.root.get(field) else {
            continue;
        };
        let keys: Vec<&str> = node
            .entries()
            .iter()
            .filter(|e| !protected(&e.value))
            .map(|e| &*e.key)
            .collect();
        if keys.is_empty() {
            continue;
        }
        out.at(
            node,
            field,
            stockade_model::format_exact!(
                "Secret \"{}\" commits {} value{} in {field} ({})",
                obj.name,
                keys.len(),
                if keys.len() == 1 { "" } else { "s" },
                keys.join(", ")
            ),
        );
    }
}
