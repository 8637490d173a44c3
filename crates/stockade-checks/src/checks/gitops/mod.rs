//! Service mesh and GitOps objects (Istio, Argo CD, Flux).

pub mod argocd_mutable_target_revision;
pub mod flux_git_repository_branch;
pub mod flux_helm_release_unpinned_chart;
pub mod gitops_repository_plain_http;
pub mod helpers;
pub mod istio_authorization_policy_allows_all;
pub mod istio_peer_authentication_not_strict;
pub mod istio_sidecar_injection_disabled;
