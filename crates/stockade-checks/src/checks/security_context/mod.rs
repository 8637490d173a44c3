//! Container and pod securityContext checks.

pub mod apparmor_profile_missing;
pub mod apparmor_unconfined;
pub mod capabilities_not_dropped;
pub mod capability_added;
pub mod custom_selinux_options;
pub mod dangerous_capability_added;
pub mod helpers;
pub mod host_users_enabled;
pub mod linux_hardening_missing;
pub mod low_group_id;
pub mod low_user_id;
pub mod net_raw_capability;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
pub mod privileged_port;
pub mod root_group;
pub mod run_as_non_root_not_set;
pub mod runs_as_root_user;
pub mod seccomp_profile_missing;
pub mod seccomp_unconfined;
pub mod security_context_missing;
pub mod sudo_in_command;
pub mod unmasked_proc_mount;
pub mod unsafe_sysctls;
pub mod windows_host_process;
pub mod writable_root_filesystem;
