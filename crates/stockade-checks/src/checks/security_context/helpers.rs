//! Helpers shared by the security-context checks.
