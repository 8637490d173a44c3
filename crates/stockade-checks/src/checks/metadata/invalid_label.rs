//! ## What it does
//! Flags labels the API server rejects, in `metadata.labels` and in every pod template's
//! labels: keys that are not qualified names (an optional DNS-subdomain prefix of at most 253
//! characters and `/`, then a name of at most 63 characters of letters, digits, `-`, `_` and
//! `.` that starts and ends with a letter or digit), values longer than 63 characters or with
//! other characters, and values written as YAML numbers or booleans (`version: 1.0`,
//! `canary: true`) where a string is required.
//!
//! ## Why it matters
//! The API server refuses the whole object, so the deploy fails at apply time. Unquoted
//! numbers and booleans are the most common cause, and the error message (`cannot unmarshal
//! number into Go struct field ObjectMeta.metadata.labels of type string`) rarely points at
//! the line.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: api
//!   labels:
//!     app: api
//!     version: 1.0 # finding
//!     team: Payments Platform # finding
//! spec:
//!   selector: {app: api}
//!   ports: [{port: 80}]
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: api
//!   labels:
//!     app: api
//!     version: "1.0"
//!     team: payments-platform
//! spec:
//!   selector: {app: api}
//!   ports: [{port: 80}]
//! ```
//!
//! ## Options
//! None. Templating placeholders left in the text (`{{ .Values.x }}`) are flagged too: the
//! scan sees what would be applied.

use stockade_model::Severity;

use super::helpers::{key_error, label_value_error, metadatas, non_string_type};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK713",
    name: "invalid-label",
    category: Category::Metadata,
    severity: Severity::Medium,
    default_on: true,
    summary: "Label key or value that the API server rejects",
    remediation: "Use a qualified-name key and a value of at most 63 letters, digits, `-`, `_` and `.` (starting and ending alphanumeric); quote values that YAML would read as numbers or booleans.",
    references: &[],
    aliases: &[
        "kube-score:label-values",
        "datree:WORKLOAD_INVALID_LABELS_VALUE",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (meta, path) in metadatas(ctx) {
        let Some(labels) = meta.get("labels") else {
            continue;
        };
        for e in labels.entries() {
            let key = &*e.key;
            // Formatted only for a finding: most labels are fine.
            let at = || stockade_model::format_exact!("{path}.labels.{key}");
            if let Some(err) = key_error(key) {
                out.at(
                    &e.value,
                    at(),
                    stockade_model::format_exact!("label key `{key}` {err}"),
                );
                continue;
            }
            if let Some(t) = non_string_type(&e.value) {
                out.at(
                    &e.value,
                    at(),
                    stockade_model::format_exact!(
                        "label {key} has a {t} value; label values must be strings (quote it)"
                    ),
                );
                continue;
            }
            if let Some(v) = e.value.as_str()
                && let Some(err) = label_value_error(v)
            {
                out.at(
                    &e.value,
                    at(),
                    stockade_model::format_exact!("label {key} value `{v}` {err}"),
                );
            }
        }
    }
}
