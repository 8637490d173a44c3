//! ## What it does
//! Flags an environment variable name set twice in one container's `env` list (regular, init
//! and ephemeral containers). The finding points at the later entry.
//!
//! ## Why it matters
//! Kubernetes keeps the last value without a word, so the first entry is dead configuration
//! that reviewers still read as the one in force. Typically a chart appends a default after a
//! user override, or a merge of two lists repeated a name.
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
//!       image: ghcr.io/acme/api:1.4.2
//!       env:
//!         - name: LOG_LEVEL
//!           value: debug
//!         - name: LOG_LEVEL # finding
//!           value: info
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
//!       image: ghcr.io/acme/api:1.4.2
//!       env:
//!         - name: LOG_LEVEL
//!           value: info
//! ```
//!
//! ## Options
//! None. Names that `envFrom` sources also define are not flagged: overriding a ConfigMap key
//! with `env` is the documented way to adjust one value.

use foldhash::{HashMap, HashMapExt};

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK748",
    name: "duplicate-env-var",
    category: Category::Correctness,
    severity: Severity::Low,
    default_on: true,
    summary: "Environment variable set twice in one container",
    remediation: "Keep one entry per variable name; remove the one that is not meant to apply.",
    references: &[],
    aliases: &[
        "kube-linter:duplicate-env-var",
        "kube-score:environment-variable-key-duplication",
        "kubescape:C-0295",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        let Some(env) = c.node.get("env") else {
            continue;
        };
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, e) in env.items().iter().enumerate() {
            let Some(name_node) = e.get("name") else {
                continue;
            };
            let Some(name) = name_node.as_str() else {
                continue;
            };
            if let Some(first) = seen.insert(name, i) {
                out.container(
                    c,
                    Some((
                        name_node,
                        &stockade_model::format_exact!("{}.env[{i}].name", c.path),
                    )),
                    stockade_model::format_exact!(
                        "{} sets {name} again (first at env[{first}]); the last value wins",
                        c.label()
                    ),
                );
                seen.insert(name, first);
            }
        }
    }
}
