//! ## What it does
//! With `stockade scan --verify-images`, reports every container whose image the `images:`
//! policy of `.stockade.yaml` refuses: no cosign signature, no signature from the required
//! keys, a rule that denies the image, or a registry that could not be asked (with
//! `on-error: deny`). Each distinct image is verified once per scan; the finding sits on the
//! container's `image:` line and names the reason. The scan itself emits it (the check reads
//! registries, which no other check does), so without `--verify-images` it reports nothing.
//!
//! ## Why it matters
//! A signature made by the team that built an image, checked against its digest, is what
//! tells the image that runs from one a compromised registry or a typo-squatter serves under
//! the same name. Checking in CI what the admission webhook enforces (`stockade serve` with the
//! same `images:` section) catches an unsigned image before it reaches the cluster.
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
//!       image: registry.example.com/team/web:1.4.2  # unsigned: a finding with --verify-images
//! ```
//! Fixed: sign the image (`stockade image sign registry.example.com/team/web:1.4.2 --key
//! cosign.key`, or `cosign sign --key`), with a key the `images:` rule for it lists.
//!
//! ## Options
//! The `images:` section of `.stockade.yaml` (see docs/image-signing.md):
//!
//! ```yaml
//! images:
//!   rules:
//!     - image: "registry.example.com/team/**"
//!       keys: [keys/team.pub]
//! ```

use stockade_model::Severity;

use crate::{Category, Check};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK212",
    name: "image-signature-not-verified",
    category: Category::Images,
    severity: Severity::High,
    default_on: true,
    summary: "Image is not signed as the image policy requires (stockade scan --verify-images)",
    remediation: "Sign the image with a key its `images:` rule lists (`stockade image sign`), or fix the rule; for registry errors, check the registry is reachable.",
    references: &["NSA/CISA: use trusted, signed images", "Sigstore cosign"],
    aliases: &[],
    run: crate::Run::Engine,
};
