//! Probes, availability, safe rollouts, Jobs and CronJobs.

pub mod cronjob_concurrent_runs_allowed;
pub mod cronjob_schedule_invalid;
pub mod cronjob_starting_deadline_missing;
pub mod helpers;
pub mod hpa_min_equals_max;
pub mod hpa_min_replicas_above_max;
pub mod hpa_min_replicas_below_three;
pub mod hpa_single_min_replica;
pub mod hpa_targets_nothing;
pub mod identical_liveness_readiness_probes;
pub mod job_ttl_missing;
pub mod liveness_probe_missing;
pub mod min_ready_seconds_missing;
pub mod naked_pod;
pub mod pdb_unhealthy_pod_eviction_policy_missing;
pub mod pod_disruption_budget_blocks_eviction;
pub mod pod_disruption_budget_missing;
pub mod priority_class_name_missing;
pub mod probe_port_name_undefined;
pub mod progress_deadline_not_above_min_ready;
pub mod readiness_probe_missing;
pub mod replica_spread_missing;
pub mod replicas_below_three;
pub mod restart_policy_invalid;
pub mod rollout_stops_all_replicas;
pub mod single_replica;
