//! ## What it does
//! Reports a suppression annotation (`ignore.stockade.dev/<check>[.<container>]`) that did not
//! silence any finding.
//!
//! ## Why it matters
//! A stale suppression hides the next real finding of that check on that object: once the
//! original problem is fixed, the annotation should go too. It also catches typos in check
//! names and container names, which otherwise leave a finding unsilenced while the author
//! believes it is handled.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//!   annotations:
//!     ignore.stockade.dev/host-network: "legacy agent, removal tracked in OPS-12" # finding
//! spec:
//!   containers:
//!     - name: web
//!       image: nginx:1.27.3
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   containers:
//!     - name: web
//!       image: nginx:1.27.3
//! ```
//!
//! ## Options
//! None. `--strict` ignores all suppression annotations.

use stockade_model::Severity;

use crate::{Category, Check};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK900",
    name: "unused-suppression",
    category: Category::Meta,
    severity: Severity::Low,
    default_on: true,
    summary: "Suppression annotation matches no finding",
    remediation: "Remove the annotation, or correct the check or container name it names.",
    references: &[],
    aliases: &[],
    run: crate::Run::Engine,
};
