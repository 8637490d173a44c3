//! The admission webhook as a library: [`review`] evaluates an AdmissionReview (a pure
//! function, testable without a socket), [`app`] routes `/validate` and `/mutate`, and
//! [`serve`] runs the HTTPS server with its admin listener, certificate and configuration
//! reloads, and graceful shutdown.
//!
//! See `docs/serve.md` for the configuration file, modes, metrics and deployment notes.

#![deny(missing_docs)]

pub mod audit;
pub mod config;
pub mod events;
pub mod images;
pub mod install;
pub mod json;
pub mod metrics;
pub mod mutate;
mod quantity;
pub mod review;
pub mod server;
pub mod tls;

pub use config::{ConfigError, Mode, Policy, ServeConfig, load_policy, load_policy_with};
pub use review::{
    AdmissionReview, Outcome, RawObject, ReviewError, Verdict, Webhook, images_to_verify, review,
    review_bytes, review_with,
};
