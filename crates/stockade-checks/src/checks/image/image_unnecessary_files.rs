//! ## What it does
//! Reports files an image does not need at run time: directories named `.git`, `.cache`,
//! `tmp`, `.vscode`, `.idea` or `.npm` that hold files (the outermost one, once), and files
//! named `Dockerfile`, `docker-compose.yml`, `.vimrc` or `.DS_Store`, as Dockle's DKL-LI-0003
//! does (`.DS_Store` is Stockade's addition). Files under `node_modules/` and `vendor/` are
//! left alone: package managers write those trees. An empty `/tmp` is not reported.
//!
//! ## Why it matters
//! They make the image larger and can leak what the build saw: a `.git` directory holds the
//! whole source history (deleted secrets included), caches hold downloaded packages and
//! sometimes tokens, and a `Dockerfile` or compose file describes the deployment. Exclude
//! them with `.dockerignore`, or clean up in the same `RUN` that made them.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! unnecessary:
//!   - {path: /app/.git, kind: dir, size: 12, layer: 2, present: true} # finding
//!   - {path: /app/Dockerfile, layer: 2, present: true} # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! unnecessary: []
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;
use stockade_model::image::EntryKind;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1116",
    name: "image-unnecessary-files",
    category: Category::Image,
    severity: Severity::Info,
    default_on: true,
    summary: "Files the image does not need at run time (.git, caches, Dockerfile)",
    remediation: "List them in `.dockerignore`, or remove them in the same RUN that created them (`pip install --no-cache-dir`, `rm -rf /tmp/*`); a later `RUN rm` leaves them in the earlier layer.",
    references: &[],
    aliases: &["dockle:DKL-LI-0003"],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    for f in &ctx.image.unnecessary {
        let what = if f.kind == EntryKind::Dir {
            "directory"
        } else {
            "file"
        };
        out.image(
            f.path.clone(),
            stockade_model::format_exact!(
                "{what} `{}` is not needed at run time{}",
                helpers::base(&f.path),
                helpers::layer(f.layer)
            ),
        );
    }
}
