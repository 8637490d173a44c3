//! ## What it does
//! Flags entries of a Gatekeeper `K8sAllowedRepos` constraint
//! (`constraints.gatekeeper.sh`, `spec.parameters.repos`) that do not end with `/`, `:` or `@`.
//!
//! ## Why it matters
//! The library's policy admits an image when it starts with one of the entries, as plain text.
//! `docker.io/library` therefore also admits `docker.io/library-evil/miner`, and `quay.io`
//! admits `quay.io.attacker.example/app`: anyone who can register a look-alike name passes the
//! allow list. Ending the entry with `/` (a repository or registry prefix) or `:`/`@` (one
//! image) makes the match end on a boundary.
//!
//! ## Example
//! ```yaml
//! apiVersion: constraints.gatekeeper.sh/v1beta1
//! kind: K8sAllowedRepos
//! metadata:
//!   name: allowed-repos
//! spec:
//!   match:
//!     kinds:
//!       - apiGroups: [""]
//!         kinds: ["Pod"]
//!   parameters:
//!     repos:
//!       - "registry.example.com/"
//!       - "docker.io/library" # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: constraints.gatekeeper.sh/v1beta1
//! kind: K8sAllowedRepos
//! metadata:
//!   name: allowed-repos
//! spec:
//!   match:
//!     kinds:
//!       - apiGroups: [""]
//!         kinds: ["Pod"]
//!   parameters:
//!     repos:
//!       - "registry.example.com/"
//!       - "docker.io/library/"
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - Gatekeeper library: allowedrepos (`K8sAllowedRepos`)

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK945",
    name: "gatekeeper-allowed-repos-open-ended",
    category: Category::Admission,
    severity: Severity::High,
    default_on: true,
    summary: "Gatekeeper K8sAllowedRepos entry is an open-ended prefix",
    remediation: "End every allowed repository with `/` (or `:`/`@` for one image), e.g. `docker.io/library/`.",
    references: &[],
    aliases: &["trivy:KSV-0124"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "K8sAllowedRepos" || o.group() != "constraints.gatekeeper.sh" {
        return;
    }
    let Some(repos) = o.root.at(&["spec", "parameters", "repos"]) else {
        return;
    };
    for (i, r) in repos.items().iter().enumerate() {
        let Some(repo) = r.as_str() else { continue };
        if repo.is_empty() || repo.ends_with(['/', ':', '@']) {
            continue;
        }
        out.at(
            r,
            stockade_model::format_exact!("spec.parameters.repos[{i}]"),
            stockade_model::format_exact!(
                "K8sAllowedRepos \"{}\" allows \"{repo}\", which also admits any image whose name merely starts with it (\"{repo}-evil/...\")",
                o.name
            ),
        );
    }
}
