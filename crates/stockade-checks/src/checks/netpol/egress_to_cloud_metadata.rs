//! ## What it does
//! Flags workloads whose egress a policy restricts (a NetworkPolicy isolates them for
//! egress, or an AdminNetworkPolicy or the BaselineAdminNetworkPolicy has egress rules for
//! them) and that may still connect to the cloud metadata address `169.254.169.254` on TCP
//! port 80, where the AWS, GCP, Azure and OpenStack metadata services answer, after every
//! policy layer is applied. The message names what is allowed and the policy rules
//! that allow it (`NetworkPolicy 'shop/web-egress' allows All Connections by rule #1`).
//!
//! Workloads whose egress nothing restricts reach the metadata address too; they are not
//! reported here, so that inputs without egress policies stay quiet (the missing egress
//! default-deny is `namespace-without-default-deny`, STK606). Nor are workloads whose
//! policies open egress to every address on every port (`egress: [{}]`): that rule is
//! `network-policy-allows-all-egress` (STK608). What remains is the case this check is for:
//! egress was narrowed, and the metadata address was left inside what is allowed. `egress-to-cloud-metadata-allowed`
//! (STK609) reads each policy rule on its own; this check sees the combined effect of all
//! policies on each workload, admin policies included, on any port.
//!
//! ## Why it matters
//! The metadata service hands out the node's cloud credentials to anything that can reach
//! it. An egress policy that was meant to contain a workload but leaves `169.254.169.254`
//! open still lets a compromised pod act in the cloud account with the node's permissions.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web # finding
//!   namespace: shop
//! spec:
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       containers:
//!         - name: web
//!           image: web:3.2.0
//! ---
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: web-egress
//!   namespace: shop
//! spec:
//!   podSelector:
//!     matchLabels: {app: web}
//!   policyTypes: [Egress]
//!   egress:
//!     - to:
//!         - ipBlock:
//!             cidr: 0.0.0.0/0
//!             except: [10.0.0.0/8]
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//!   namespace: shop
//! spec:
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       containers:
//!         - name: web
//!           image: web:3.2.0
//! ---
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: web-egress
//!   namespace: shop
//! spec:
//!   podSelector:
//!     matchLabels: {app: web}
//!   policyTypes: [Egress]
//!   egress:
//!     - to:
//!         - ipBlock:
//!             cidr: 0.0.0.0/0
//!             except: [10.0.0.0/8, 169.254.169.254/32]
//! ```
//!
//! ## Options
//! None.

use stockade_netpol::report::METADATA_EGRESS as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Networking,
    severity: KIND.severity,
    default_on: true,
    summary: "Workload with restricted egress may still connect to the cloud metadata address",
    remediation: KIND.remediation,
    references: &[
        "NSA/CISA: network separation and hardening",
        "CIS EKS 5.4.1 (restrict access to the instance metadata service)",
    ],
    aliases: &[],
    run: crate::Run::Set {
        wants: super::helpers::wants,
        run,
        metadata_only: None,
    },
};

fn run(ctx: &SetContext, out: &mut SetEmit) {
    super::helpers::emit(&KIND, ctx, out);
}
