//! Image checks: what a built image ships (user, tools, setuid files, secrets) and its age.

pub mod helpers;
pub mod image_base_identified;
pub mod image_build_tool_present;
pub mod image_download_tool_present;
pub mod image_healthcheck_missing;
pub mod image_package_manager_present;
pub mod image_runs_as_root;
pub mod image_secret_file;
pub mod image_secret_in_config;
pub mod image_setuid_file;
pub mod image_shell_present;
pub mod image_ssh_present;
pub mod image_too_old;
pub mod image_world_writable_directory;
