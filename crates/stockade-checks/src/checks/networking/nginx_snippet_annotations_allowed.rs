//! ## What it does
//! Flags ConfigMaps that set the ingress-nginx controller option `allow-snippet-annotations`
//! to `"true"`.
//!
//! ## Why it matters
//! With snippet annotations allowed, anyone who may create or edit an Ingress in any
//! namespace can inject raw nginx configuration (`configuration-snippet`,
//! `server-snippet`) into the shared controller. CVE-2021-25742 showed that such a snippet
//! can read the controller's service account token and every Secret it can see, which is
//! every TLS Secret in the cluster. ingress-nginx turned the option off by default from
//! controller 1.9; setting it back to `"true"` reopens the hole.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: ConfigMap
//! metadata:
//!   name: ingress-nginx-controller
//!   namespace: ingress-nginx
//! data:
//!   allow-snippet-annotations: "true" # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: ConfigMap
//! metadata:
//!   name: ingress-nginx-controller
//!   namespace: ingress-nginx
//! data:
//!   allow-snippet-annotations: "false"
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://github.com/kubernetes/ingress-nginx/issues/7837>
//! - CVE-2021-25742

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK615",
    name: "nginx-snippet-annotations-allowed",
    category: Category::Networking,
    severity: Severity::High,
    default_on: true,
    summary: "ingress-nginx ConfigMap allows snippet annotations",
    remediation: "Set `allow-snippet-annotations: \"false\"` in the controller's ConfigMap (or remove it on controller 1.9 and later).",
    references: &["CVE-2021-25742"],
    aliases: &["datree:CONFIGMAP_CVE2021_25742_INCORRECT_SNIPPET_ANNOTATIONS_VALUE"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "ConfigMap" || !o.group().is_empty() {
        return;
    }
    let Some(v) = o.root.at(&["data", "allow-snippet-annotations"]) else {
        return;
    };
    if v.as_str()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("true"))
        || v.as_bool() == Some(true)
    {
        out.at(
            v,
            "data.allow-snippet-annotations",
            stockade_model::format_exact!(
                "ConfigMap \"{}\" sets allow-snippet-annotations to true",
                o.name
            ),
        );
    }
}
