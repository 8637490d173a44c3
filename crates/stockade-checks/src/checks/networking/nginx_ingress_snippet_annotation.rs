//! ## What it does
//! Flags Ingresses with ingress-nginx snippet annotations: any
//! `nginx.ingress.kubernetes.io/*-snippet` key (`configuration-snippet`, `server-snippet`,
//! `auth-snippet`, `stream-snippet` ...), which paste raw NGINX configuration into the
//! controller.
//!
//! ## Why it matters
//! The controller runs with a service account that can read every Secret in the cluster.
//! A snippet can make NGINX serve files from the controller's filesystem, including that
//! token (CVE-2021-25742), or run Lua code (CVE-2023-5044, CVE-2025-1974 family). Anyone who
//! can create an Ingress can then take over the cluster. ingress-nginx disables snippet
//! annotations by default since v1.9.
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: Ingress
//! metadata:
//!   name: shop
//!   annotations:
//!     nginx.ingress.kubernetes.io/configuration-snippet: | # finding
//!       more_set_headers "X-Frame-Options: DENY";
//! spec:
//!   tls:
//!     - hosts: [shop.example.com]
//!       secretName: shop-tls
//!   rules:
//!     - host: shop.example.com
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: Ingress
//! metadata:
//!   name: shop
//! spec:
//!   tls:
//!     - hosts: [shop.example.com]
//!       secretName: shop-tls
//!   rules:
//!     - host: shop.example.com
//! ```
//! (Set headers with the controller's `add-headers` ConfigMap instead.)
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::is_ingress;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK613",
    name: "nginx-ingress-snippet-annotation",
    category: Category::Networking,
    severity: Severity::High,
    default_on: true,
    summary: "Ingress uses an ingress-nginx snippet annotation",
    remediation: "Remove the snippet annotation; use the controller's dedicated annotations or ConfigMap settings instead, and keep `allow-snippet-annotations` off.",
    references: &["CVE-2021-25742", "CVE-2023-5044"],
    aliases: &[
        "checkov:CKV_K8S_153",
        "kubescape:C-0059",
        "datree:INGRESS_CVE2021_25742_INCORRECT_SERVER_SNIPPET_KEY",
        "checkov:CKV_K8S_152",
        "checkov:CKV_K8S_154",
    ],
    run: crate::Run::Object(run),
};

const PREFIX: &str = "nginx.ingress.kubernetes.io/";

fn run(ctx: &Context, out: &mut Emit) {
    if !is_ingress(ctx.object) {
        return;
    }
    let Some(annotations) = ctx.object.metadata().get("annotations") else {
        return;
    };
    for e in annotations.entries() {
        let Some(what) = e.key.strip_prefix(PREFIX) else {
            continue;
        };
        if what.ends_with("-snippet") && e.value.as_str().is_some_and(|v| !v.trim().is_empty()) {
            out.at(
                &e.value,
                stockade_model::format_exact!("metadata.annotations.{}", e.key),
                stockade_model::format_exact!(
                    "Ingress \"{}\" injects raw NGINX configuration with {}",
                    ctx.object.name,
                    e.key
                ),
            );
        }
    }
}
