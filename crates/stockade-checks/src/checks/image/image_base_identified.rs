//! ## What it does
//! Reports, at `info`, which base the image is built on, from `/etc/os-release`, the OS
//! packages and the tools found: `distroless` (an OS package database but no shell and no
//! package manager), `scratch` (no OS at all), or the distribution and its version (Alpine,
//! Debian, Ubuntu, Red Hat, Wolfi...). It always reports one finding, so the report says
//! what every image is; ignore the check to drop it.
//!
//! ## Why it matters
//! Minimal bases (distroless, scratch, Alpine, Wolfi) carry fewer packages to patch and fewer
//! tools for an attacker; knowing the base of each image is the first step to moving them.
//!
//! ## Example
//! ```yaml
//! has_config: true # finding
//! os_id: debian
//! os_version: "12"
//! ```
//! Fixed (nothing to fix; an input without an image configuration or files reports nothing):
//! ```yaml
//! has_config: false
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;
use stockade_model::image::Tool;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1113",
    name: "image-base-identified",
    category: Category::Image,
    severity: Severity::Info,
    default_on: true,
    summary: "Base image identified",
    remediation: "Nothing to fix: prefer distroless, scratch, Alpine or Wolfi bases for the final stage.",
    references: &[],
    aliases: &[],
    run: crate::Run::Image(run),
};

fn distro(id: &str) -> &str {
    match id {
        "alpine" => "Alpine",
        "debian" => "Debian",
        "ubuntu" => "Ubuntu",
        "rhel" => "Red Hat Enterprise Linux",
        "centos" => "CentOS",
        "rocky" => "Rocky Linux",
        "almalinux" => "AlmaLinux",
        "fedora" => "Fedora",
        "amzn" => "Amazon Linux",
        "ol" => "Oracle Linux",
        "wolfi" => "Wolfi",
        "chainguard" => "Chainguard",
        "opensuse-leap" | "opensuse-tumbleweed" | "sles" => "SUSE",
        "photon" => "Photon OS",
        "mariner" | "azurelinux" => "Azure Linux",
        other => other,
    }
}

fn run(ctx: &ImageContext, out: &mut Emit) {
    let img = ctx.image;
    if !img.has_config && img.files.is_empty() && img.os_id.is_none() && img.packages.is_empty() {
        return;
    }
    let os_packages = img
        .packages
        .iter()
        .any(|p| matches!(p.kind.as_str(), "deb" | "apk" | "rpm"));
    let shell = helpers::tools(img, Tool::Shell).next().is_some();
    let manager = helpers::tools(img, Tool::PackageManager).next().is_some();
    let version = img
        .os_version
        .as_deref()
        .map(|v| stockade_model::format_exact!(" {v}"))
        .unwrap_or_default();
    let message = match img.os_id.as_deref() {
        None if !os_packages => {
            "base: scratch (no os-release and no OS packages: a static binary image)".to_string()
        }
        None => "base: unknown (OS packages but no os-release)".to_string(),
        Some(id) if !shell && !manager => stockade_model::format_exact!(
            "base: distroless ({}{version} packages, no shell, no package manager)",
            distro(id)
        ),
        Some(id) => stockade_model::format_exact!("base: {}{version}", distro(id)),
    };
    out.image("/etc/os-release", message);
}
