//! ## What it does
//! Flags annotations the API server rejects, in `metadata.annotations` and in every pod
//! template's annotations: keys that are not qualified names (an optional DNS-subdomain prefix
//! and `/`, then a name of at most 63 characters of letters, digits, `-`, `_` and `.` that
//! starts and ends with a letter or digit), values written as YAML numbers, booleans, lists or
//! mappings where a string is required, and annotations whose keys and values add up to more
//! than 256 KiB.
//!
//! ## Why it matters
//! The API server refuses the whole object, so the deploy fails at apply time. Unquoted
//! values such as `prometheus.io/scrape: true` or `prometheus.io/port: 9090` are the usual
//! cause; oversized annotations usually come from `kubectl apply`'s last-applied
//! configuration of a large object.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: api
//!   annotations:
//!     prometheus.io/scrape: true # finding
//!     prometheus.io/port: "9090"
//! spec:
//!   containers:
//!     - name: api
//!       image: ghcr.io/acme/api:1.4.2
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: api
//!   annotations:
//!     prometheus.io/scrape: "true"
//!     prometheus.io/port: "9090"
//! spec:
//!   containers:
//!     - name: api
//!       image: ghcr.io/acme/api:1.4.2
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{MAX_ANNOTATIONS_BYTES, key_error, metadatas, non_string_type};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK714",
    name: "invalid-annotation",
    category: Category::Metadata,
    severity: Severity::Medium,
    default_on: true,
    summary: "Annotation key, value or total size that the API server rejects",
    remediation: "Use qualified-name keys, quote values that YAML would read as numbers or booleans, and keep all annotations of an object under 256 KiB.",
    references: &[],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (meta, path) in metadatas(ctx) {
        let Some(annotations) = meta.get("annotations") else {
            continue;
        };
        let mut total = 0usize;
        for e in annotations.entries() {
            let key = &*e.key;
            // Formatted only for a finding: most annotations are fine.
            let at = || stockade_model::format_exact!("{path}.annotations.{key}");
            total += key.len() + e.value.as_str().map_or(0, str::len);
            if let Some(err) = key_error(key) {
                out.at(
                    &e.value,
                    at(),
                    stockade_model::format_exact!("annotation key `{key}` {err}"),
                );
                continue;
            }
            if let Some(t) = non_string_type(&e.value) {
                out.at(
                    &e.value,
                    at(),
                    stockade_model::format_exact!("annotation {key} has a {t} value; annotation values must be strings (quote it)"),
                );
            }
        }
        if total > MAX_ANNOTATIONS_BYTES {
            out.at(
                annotations,
                stockade_model::format_exact!("{path}.annotations"),
                stockade_model::format_exact!(
                    "annotations total {total} bytes, more than the API server's limit of {MAX_ANNOTATIONS_BYTES}"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use stockade_model::{load, pod_specs};

    use crate::{Options, run_check};

    #[test]
    fn oversized_annotations_are_flagged_once_at_the_mapping() {
        // Built here rather than kept as a 256 KiB fixture file.
        let big = "x".repeat(super::MAX_ANNOTATIONS_BYTES);
        let yaml = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: \"{big}\"\n"
        );
        let loaded = load("t", yaml.as_bytes());
        let o = &loaded.objects[0];
        let hits = run_check(&super::CHECK, o, &pod_specs(o), &Options::default());
        assert_eq!(hits.len(), 1);
        assert_eq!(
            (hits[0].pos.line, hits[0].path.as_str()),
            (5, "metadata.annotations")
        );
        assert!(
            hits[0].message.contains("262192 bytes"),
            "{}",
            hits[0].message
        );
    }
}
