//! ## What it does
//! Flags private keys (PEM `-----BEGIN ... PRIVATE KEY-----` in `*.pem`, `*.key`, `id_rsa`,
//! `id_ed25519`... and files under `.ssh/`) and credential files (`.aws/credentials`,
//! `.docker/config.json` with auths, `.npmrc` with a token, `.pypirc` and `.netrc` with a
//! password, `.git-credentials`, `.pgpass`) in **any** layer. A file a later layer deleted is
//! still flagged, with the layer that holds it: layers are shipped whole, and anyone who can
//! pull the image can unpack that layer.
//!
//! ## Why it matters
//! Keys and tokens left in an image leak to everyone with pull access, for as long as the
//! image exists, and `RUN rm` in a later step does not remove them.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! files:
//!   - {path: /root/.ssh/id_rsa, layer: 1, present: false, secret: private key} # finding
//!   - {path: /root/.npmrc, layer: 2, present: true, secret: npm registry token} # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! files: []
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1109",
    name: "image-secret-file",
    category: Category::Image,
    severity: Severity::High,
    default_on: true,
    summary: "Private key or credential file in an image layer",
    remediation: "Pass build secrets with `RUN --mount=type=secret` (BuildKit) or `--mount=type=ssh`, never COPY them; rebuild the image without the file and rotate the secret.",
    references: &["CIS Docker Benchmark 4.10"],
    aliases: &["dockle:CIS-DI-0010"],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    for f in &ctx.image.files {
        let Some(what) = &f.secret else { continue };
        let gone = if f.present {
            String::new()
        } else {
            ", deleted by a later layer but still readable in that layer".to_string()
        };
        out.image(
            f.path.clone(),
            stockade_model::format_exact!("{what} in the image{}{gone}", helpers::layer(f.layer)),
        );
    }
}
