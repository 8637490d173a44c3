//! Runtime detection on Kubernetes audit logs.
//!
//! - [`event`]: audit.k8s.io Events read as a stream (JSON lines, EventList, pretty JSON) into a
//!   lazily queried view; bad input is reported with file and line and reading goes on.
//! - [`rules`]: Falco's rules format for the `k8s_audit` source (rules, macros, lists,
//!   `append`/`override`, `exceptions`), with file:line errors.
//! - [`cond`]: Falco's condition language, compiled once (macros and lists expanded).
//! - [`fields`]: the `ka.*` and `jevt.*` fields of Falco's k8saudit and json plugins.
//! - [`sink`]: webhook, Slack and Teams sinks with an on-disk spool (at-least-once, in order),
//!   deduplication and rate limits.
//! - [`engine`]: the compiled rule set, indexed by verb and resource, producing [`Alert`]s.
//!
//! ```
//! use stockade_audit::{Engine, RuleSet, event::Event};
//! let (engine, errors) = Engine::compile(&RuleSet::builtin());
//! assert!(errors.is_empty());
//! let ev = Event::parse(r#"{"kind":"Event","stage":"ResponseStarted","verb":"create",
//!   "user":{"username":"alice"},"requestURI":"/api/v1/namespaces/prod/pods/web/exec?command=sh",
//!   "objectRef":{"resource":"pods","subresource":"exec","namespace":"prod","name":"web"}}"#).unwrap();
//! let mut hits = Vec::new();
//! engine.evaluate(&ev, |rule| hits.push(rule.name.to_string()));
//! assert_eq!(hits, ["Exec or attach into a pod"]);
//! ```

pub mod cond;
pub mod engine;
pub mod event;
pub mod fields;
pub mod rules;
pub mod sink;
pub mod watch;
mod yaml;

pub use engine::{Alert, Engine, Matching, Rule, Target};
pub use event::{Event, Location, ReadError, ReadStats, read_events};
pub use rules::{BUILTIN, Priority, RuleError, RuleSet};
