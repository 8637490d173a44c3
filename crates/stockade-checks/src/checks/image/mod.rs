//! Image checks: what a built image ships (user, tools, setuid files, secrets) and its age.

pub mod helpers;
pub mod image_base_identified;
pub mod image_build_tool_present;
pub mod image_download_tool_present;
pub mod image_duplicate_account;
pub mod image_empty_password;
pub mod image_healthcheck_missing;
pub mod image_history_add;
pub mod image_history_package_cache_kept;
pub mod image_history_package_upgrade;
pub mod image_history_sudo;
pub mod image_history_update_alone;
pub mod image_package_manager_present;
pub mod image_runs_as_root;
pub mod image_secret_file;
pub mod image_secret_in_config;
pub mod image_sensitive_volume;
pub mod image_setuid_file;
pub mod image_shell_present;
pub mod image_ssh_present;
pub mod image_too_old;
pub mod image_unnecessary_files;
pub mod image_world_writable_directory;
