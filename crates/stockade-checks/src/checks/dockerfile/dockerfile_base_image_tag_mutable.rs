//! ## What it does
//! Flags `FROM` lines whose image has no tag or the `latest` tag and no digest. Build
//! arguments declared before the first `FROM` are substituted with their defaults first, so
//! `ARG BASE=ubuntu` then `FROM $BASE` is flagged; a variable without a default is left alone
//! (its value is only known at build time), and so is an empty default (`ARG TAG=`). `scratch` and earlier stages are not images.
//!
//! ## Why it matters
//! An untagged base image is whatever was pushed last: two builds of the same commit can
//! produce different images, and a vulnerability report cannot say which base a build used.
//!
//! ## Example
//! ```dockerfile
//! FROM node # finding
//! FROM python:latest # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM node:22.11-alpine3.20
//! FROM python:3.12.7-slim
//! ```
//!
//! ## Options
//! None.
//!
//! ## Compared with hadolint and Trivy
//! hadolint does not substitute build arguments: it skips `FROM $BASE` even when `BASE`
//! has a default, and reads `FROM golang:${GO}` as tagged. Stockade uses the defaults, so it
//! flags `ARG BASE=ubuntu` + `FROM $BASE`, which hadolint misses.

use super::helpers;
use crate::checks::images::helpers::ImageRef;
use crate::{Category, Check, DockerfileContext, Emit};
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1002",
    name: "dockerfile-base-image-tag-mutable",
    category: Category::Dockerfile,
    severity: Severity::Medium,
    default_on: true,
    summary: "FROM an image without a tag or with `latest`",
    remediation: "Name a version tag (`debian:12.7`) or, better, a digest (`debian@sha256:...`).",
    references: &[],
    aliases: &["hadolint:DL3006", "hadolint:DL3007", "trivy:DS-0001"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for stage in &df.stages {
        let Some(image) = helpers::external_image(stage) else {
            continue;
        };
        let r = ImageRef::parse(image);
        if r.digest.is_some() {
            continue;
        }
        let from = &df.instructions[stage.from];
        let message = match r.tag {
            None => stockade_model::format_exact!(
                "base image `{image}` has no tag (defaults to latest)"
            ),
            Some("latest") => {
                stockade_model::format_exact!("base image `{image}` uses the mutable `latest` tag")
            }
            Some(_) => continue,
        };
        out.at_pos(stage.base_pos, helpers::path(df, from), message);
    }
}
