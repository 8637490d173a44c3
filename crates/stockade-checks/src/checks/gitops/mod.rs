//! Service mesh and GitOps objects (Istio, Argo CD, Flux).

pub mod argo_rollout_pause_without_duration;
pub mod argo_rollout_progress_deadline_abort_off;
pub mod argo_rollout_scale_down_delay_short;
pub mod argo_workflow_dag_fail_fast_disabled;
pub mod argo_workflow_retry_always_unfiltered;
pub mod argo_workflow_retry_unlimited;
pub mod argocd_configmap_part_of_label_missing;
pub mod argocd_mutable_target_revision;
pub mod argocd_object_outside_argocd_namespace;
pub mod flux_git_repository_branch;
pub mod flux_helm_release_unpinned_chart;
pub mod gitops_repository_plain_http;
pub mod helpers;
pub mod istio_authorization_policy_allows_all;
pub mod istio_peer_authentication_not_strict;
pub mod istio_sidecar_injection_disabled;
pub mod revision_history_limit_zero;
