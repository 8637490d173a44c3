//! ## What it does
//! Reports a suppression annotation (`ignore.stockade.dev/<check>[.<container>]`) that cannot
//! be honoured: it names no known check, or it gives no reason.
//!
//! ## Why it matters
//! Suppressions are an audit trail: each one says why a finding is accepted. One without a
//! reason, or one for a check that does not exist, is not applied, and the author should know.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//!   annotations:
//!     ignore.stockade.dev/privileged-container: "" # finding
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
//! None.

use stockade_model::Severity;

use crate::{Category, Check};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK901",
    name: "invalid-suppression",
    category: Category::Meta,
    severity: Severity::Medium,
    default_on: true,
    summary: "Suppression annotation without a reason or naming no known check",
    remediation: "Name an existing check ID or name, and give the reason as the annotation's value.",
    references: &[],
    aliases: &[],
    run: crate::Run::Engine,
};
