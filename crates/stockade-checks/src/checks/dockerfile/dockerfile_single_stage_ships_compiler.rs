//! ## What it does
//! Flags Dockerfiles whose final stage neither builds on nor copies from another stage, and
//! that install a compiler or build tool (`gcc`, `g++`, `clang`, `make`, `build-essential`,
//! `golang`, `rustc`, `cargo`, a JDK, `maven`, `gradle`) or build on a compiler image (`golang`,
//! `rust`, `gcc`, `maven`, `gradle`, `*-jdk`).
//!
//! ## Why it matters
//! Compilers and build tools are what an attacker who gets a shell needs to build exploits;
//! they also make the image many times larger and add hundreds of packages to patch. A
//! multi-stage build leaves them behind.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.22 # finding
//! WORKDIR /src
//! COPY . .
//! RUN go build -o /app .
//! CMD ["/app"]
//! ```
//! Fixed:
//! ```dockerfile
//! FROM golang:1.22 AS build
//! WORKDIR /src
//! COPY . .
//! RUN go build -o /app .
//! FROM gcr.io/distroless/static-debian12:nonroot
//! COPY --from=build /app /app
//! CMD ["/app"]
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::checks::images::helpers::ImageRef;
use crate::{Category, Check, DockerfileContext, Emit};
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1024",
    name: "dockerfile-single-stage-ships-compiler",
    category: Category::Dockerfile,
    severity: Severity::Medium,
    default_on: true,
    summary: "Single-stage build ships compilers or build tools",
    remediation: "Build in a first stage and copy only the result into a minimal final stage (distroless, Alpine, scratch): `COPY --from=build /app /app`.",
    references: &[],
    aliases: &[],
    run: crate::Run::Dockerfile(run),
};

const TOOLS: &[&str] = &[
    "gcc",
    "g++",
    "gcc-c++",
    "clang",
    "make",
    "build-essential",
    "build-base",
    "golang",
    "go",
    "rustc",
    "cargo",
    "maven",
    "gradle",
    "cmake",
    "autoconf",
    "automake",
];
const IMAGES: &[&str] = &["golang", "rust", "gcc", "maven", "gradle", "buildpack-deps"];

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    let Some(last) = df.final_stage() else { return };
    if last.base_stage.is_some() {
        return;
    }
    let insts = df.stage_instructions(last);
    if insts.iter().any(|i| i.flag("from").is_some()) {
        return;
    }
    if let Some(image) = helpers::external_image(last) {
        let r = ImageRef::parse(image);
        let repo = r.repository.rsplit('/').next().unwrap_or("");
        let jdk =
            r.tag.is_some_and(|t| t.contains("jdk")) && !r.tag.is_some_and(|t| t.contains("jre"));
        if IMAGES.contains(&repo) || jdk {
            let from = &df.instructions[last.from];
            out.at_pos(
                from.pos,
                helpers::path(df, from),
                stockade_model::format_exact!(
                    "single-stage build on the compiler image `{image}` ships its toolchain"
                ),
            );
            return;
        }
    }
    for (inst, cmds) in helpers::runs(df) {
        if inst.stage != Some(last.index) {
            continue;
        }
        for inv in cmds.iter().filter_map(helpers::invocation) {
            if !inv.is_install()
                || matches!(
                    inv.manager,
                    helpers::Manager::Pip
                        | helpers::Manager::Npm
                        | helpers::Manager::Gem
                        | helpers::Manager::Go
                )
            {
                continue;
            }
            let tool = inv.packages().into_iter().find(|p| {
                let name = p.text.split(['=', ':']).next().unwrap_or("");
                TOOLS.contains(&name)
                    || (name.starts_with("openjdk")
                        && name.contains("jdk")
                        && !name.contains("jre"))
            });
            if let Some(t) = tool {
                out.at_pos(
                    t.pos,
                    helpers::path(df, inst),
                    stockade_model::format_exact!(
                        "single-stage build installs `{}` and ships it",
                        t.text
                    ),
                );
                return;
            }
        }
    }
}
