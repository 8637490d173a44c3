//! ## What it does
//! With `stockade scan --images`, reports the known vulnerabilities of the packages in each
//! image the manifests use, on every container that runs the image, at its `image:` line:
//! the advisory ID (and its CVE/GHSA aliases), the package, the installed and the fixed
//! version, and the layer that introduced the package. The finding's severity is the
//! advisory's (the vendor's rating, else from the CVSS v3 score; unknown counts as medium,
//! negligible as info), unless the configuration sets one for this check. The `vulnerabilities:`
//! section of `.stockade.yaml` applies as for `stockade vuln`: ignore entries (with reason,
//! package, image and expiry), `ignore-unfixed` and `min-severity`. The scan itself emits it
//! (it reads registries and the vulnerability database), so without `--images`, or without a
//! database (`stockade db update`), it reports nothing.
//!
//! ## Why it matters
//! A manifest is only as safe as the images it runs. Reporting the vulnerabilities at the
//! workload that deploys the image puts them in the same report, gate and review as the rest
//! of the manifest's findings, and shows which workloads a vulnerable image reaches.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   containers:
//!     - name: web
//!       image: registry.example.com/team/web:1.4.2  # ships openssl 3.0.11-1~deb12u2: a finding with --images
//! ```
//! Fixed: rebuild the image on a base with the fixed package versions, or record why a
//! vulnerability does not apply in `vulnerabilities.ignore` with a reason and an expiry.
//!
//! ## Options
//! The `vulnerabilities:` section of `.stockade.yaml` (see docs/vulnerabilities.md):
//!
//! ```yaml
//! vulnerabilities:
//!   ignore-unfixed: true
//!   min-severity: medium
//!   ignore:
//!     - id: CVE-2023-0464
//!       package: openssl
//!       reason: certificate policy checking is not enabled in our builds
//!       expires: 2026-06-30
//! ```

use stockade_model::Severity;

use crate::{Category, Check};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK213",
    name: "image-has-vulnerabilities",
    category: Category::Images,
    severity: Severity::High,
    default_on: true,
    summary: "Image has packages with known vulnerabilities (stockade scan --images)",
    remediation: "Rebuild the image with the fixed package versions (a newer base image, or upgraded packages), or record why the vulnerability does not apply in `vulnerabilities.ignore`.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: scan containers and pods for vulnerabilities",
    ],
    aliases: &[],
    run: crate::Run::Engine,
};
