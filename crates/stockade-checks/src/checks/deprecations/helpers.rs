//! The table of deprecated and removed Kubernetes API versions, from the Kubernetes
//! "Deprecated API Migration Guide" and the API server's own deprecation warnings
//! (`<group/version> <Kind> is deprecated in v1.X+, unavailable in v1.Y+`).

/// Newest Kubernetes minor version the table was checked against; without `kube-version` the
/// checks evaluate this one.
pub const NEWEST_MINOR: u32 = 35;

/// One deprecated API version of one kind (`*` for every kind of the group/version).
#[derive(Debug, Clone, Copy)]
pub struct Deprecation {
    /// `group/version` as written in `apiVersion`.
    pub api_version: &'static str,
    /// The kind, or `*`.
    pub kind: &'static str,
    /// Minor version that deprecated it.
    pub deprecated_in: u32,
    /// Minor version that stopped serving it, if scheduled.
    pub removed_in: Option<u32>,
    /// What to use instead.
    pub replacement: &'static str,
}

const fn d(
    api_version: &'static str,
    kind: &'static str,
    deprecated_in: u32,
    removed_in: Option<u32>,
    replacement: &'static str,
) -> Deprecation {
    Deprecation {
        api_version,
        kind,
        deprecated_in,
        removed_in,
        replacement,
    }
}

/// Kind-specific rows come before `*` rows of the same group/version.
pub static TABLE: &[Deprecation] = &[
    // Removed in 1.16.
    d("extensions/v1beta1", "Deployment", 8, Some(16), "apps/v1"),
    d("extensions/v1beta1", "DaemonSet", 8, Some(16), "apps/v1"),
    d("extensions/v1beta1", "ReplicaSet", 8, Some(16), "apps/v1"),
    d(
        "extensions/v1beta1",
        "NetworkPolicy",
        9,
        Some(16),
        "networking.k8s.io/v1",
    ),
    d(
        "extensions/v1beta1",
        "PodSecurityPolicy",
        11,
        Some(16),
        "Pod Security Admission (namespace labels) or a policy engine; there is no successor API",
    ),
    d("apps/v1beta1", "*", 8, Some(16), "apps/v1"),
    d("apps/v1beta2", "*", 9, Some(16), "apps/v1"),
    // Removed in 1.22.
    d(
        "extensions/v1beta1",
        "Ingress",
        14,
        Some(22),
        "networking.k8s.io/v1",
    ),
    d(
        "networking.k8s.io/v1beta1",
        "Ingress",
        19,
        Some(22),
        "networking.k8s.io/v1",
    ),
    d(
        "networking.k8s.io/v1beta1",
        "IngressClass",
        19,
        Some(22),
        "networking.k8s.io/v1",
    ),
    d(
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        16,
        Some(22),
        "admissionregistration.k8s.io/v1",
    ),
    d(
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        16,
        Some(22),
        "admissionregistration.k8s.io/v1",
    ),
    d(
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        16,
        Some(22),
        "apiextensions.k8s.io/v1",
    ),
    d(
        "apiregistration.k8s.io/v1beta1",
        "APIService",
        19,
        Some(22),
        "apiregistration.k8s.io/v1",
    ),
    d(
        "authentication.k8s.io/v1beta1",
        "TokenReview",
        19,
        Some(22),
        "authentication.k8s.io/v1",
    ),
    d(
        "authorization.k8s.io/v1beta1",
        "*",
        19,
        Some(22),
        "authorization.k8s.io/v1",
    ),
    d(
        "certificates.k8s.io/v1beta1",
        "CertificateSigningRequest",
        19,
        Some(22),
        "certificates.k8s.io/v1",
    ),
    d(
        "coordination.k8s.io/v1beta1",
        "Lease",
        19,
        Some(22),
        "coordination.k8s.io/v1",
    ),
    d(
        "rbac.authorization.k8s.io/v1beta1",
        "*",
        17,
        Some(22),
        "rbac.authorization.k8s.io/v1",
    ),
    d(
        "scheduling.k8s.io/v1beta1",
        "PriorityClass",
        14,
        Some(22),
        "scheduling.k8s.io/v1",
    ),
    d(
        "storage.k8s.io/v1beta1",
        "CSIDriver",
        19,
        Some(22),
        "storage.k8s.io/v1",
    ),
    d(
        "storage.k8s.io/v1beta1",
        "CSINode",
        17,
        Some(22),
        "storage.k8s.io/v1",
    ),
    d(
        "storage.k8s.io/v1beta1",
        "StorageClass",
        19,
        Some(22),
        "storage.k8s.io/v1",
    ),
    d(
        "storage.k8s.io/v1beta1",
        "VolumeAttachment",
        19,
        Some(22),
        "storage.k8s.io/v1",
    ),
    // Removed in 1.25.
    d("batch/v1beta1", "CronJob", 21, Some(25), "batch/v1"),
    d(
        "discovery.k8s.io/v1beta1",
        "EndpointSlice",
        21,
        Some(25),
        "discovery.k8s.io/v1",
    ),
    d(
        "events.k8s.io/v1beta1",
        "Event",
        22,
        Some(25),
        "events.k8s.io/v1",
    ),
    d(
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        22,
        Some(25),
        "autoscaling/v2",
    ),
    d(
        "policy/v1beta1",
        "PodDisruptionBudget",
        21,
        Some(25),
        "policy/v1",
    ),
    d(
        "policy/v1beta1",
        "PodSecurityPolicy",
        21,
        Some(25),
        "Pod Security Admission (namespace labels) or a policy engine; there is no successor API",
    ),
    d(
        "node.k8s.io/v1beta1",
        "RuntimeClass",
        22,
        Some(25),
        "node.k8s.io/v1",
    ),
    // Removed in 1.26.
    d(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "*",
        23,
        Some(26),
        "flowcontrol.apiserver.k8s.io/v1 (1.29+; v1beta3 from 1.26, v1beta2 from 1.23)",
    ),
    d(
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        23,
        Some(26),
        "autoscaling/v2",
    ),
    // Removed in 1.27.
    d(
        "storage.k8s.io/v1beta1",
        "CSIStorageCapacity",
        24,
        Some(27),
        "storage.k8s.io/v1",
    ),
    // Removed in 1.29.
    d(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "*",
        26,
        Some(29),
        "flowcontrol.apiserver.k8s.io/v1 (1.29+; v1beta3 from 1.26)",
    ),
    // Removed in 1.32.
    d(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "*",
        29,
        Some(32),
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    // Dynamic Resource Allocation alphas: alpha versions are dropped without a deprecation
    // period (and were only served with a feature gate).
    d(
        "resource.k8s.io/v1alpha1",
        "*",
        27,
        Some(27),
        "resource.k8s.io/v1 (1.34+; v1beta1 from 1.32), a redesigned API: ResourceClass became DeviceClass",
    ),
    d(
        "resource.k8s.io/v1alpha2",
        "*",
        31,
        Some(31),
        "resource.k8s.io/v1 (1.34+; v1beta1 from 1.32), a redesigned API: ResourceClass became DeviceClass",
    ),
    // Deprecated, still served.
    d(
        "v1",
        "ComponentStatus",
        19,
        None,
        "the components' own /livez and /readyz endpoints",
    ),
    d(
        "v1",
        "Endpoints",
        33,
        None,
        "discovery.k8s.io/v1 EndpointSlice",
    ),
];

/// The table row for an object's `apiVersion` and `kind`, if it is deprecated.
pub fn lookup(api_version: &str, kind: &str) -> Option<&'static Deprecation> {
    TABLE
        .iter()
        .find(|d| d.api_version == api_version && (d.kind == kind || d.kind == "*"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_rows_win_over_wildcards_and_rows_are_ordered() {
        assert_eq!(
            lookup("extensions/v1beta1", "Ingress").unwrap().removed_in,
            Some(22)
        );
        assert_eq!(
            lookup("apps/v1beta2", "StatefulSet").unwrap().replacement,
            "apps/v1"
        );
        assert!(lookup("apps/v1", "Deployment").is_none());
        assert!(lookup("extensions/v1beta1", "Unknown").is_none());
        for d in TABLE {
            assert!(d.removed_in.is_none_or(|r| r >= d.deprecated_in), "{d:?}");
            assert!(d.deprecated_in <= NEWEST_MINOR, "{d:?}");
        }
    }
}
