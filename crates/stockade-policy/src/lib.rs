//! Custom policies, run offline with the same findings as the built-in checks: Gatekeeper
//! ConstraintTemplates (Rego, through `regorus`) with their Constraints, gator's
//! `kind: Suite` test format, and ValidatingAdmissionPolicies with their bindings (CEL, through
//! the `cel` crate and the Kubernetes libraries in [`cel_ext`]).
//!
//! [`PolicySet`] loads templates and constraints from files and evaluates them per object
//! (`input.review` built as Gatekeeper builds it) and per input set (`data.inventory` and
//! namespace labels); it plugs into the scan engine as [`stockade_engine::ExtraChecks`].

pub mod cel_ext;
pub mod gatekeeper;
mod set;
pub mod suite;
pub mod vap;

pub use gatekeeper::{Action, Constraint, Inventory, Review, Template, Violation};
pub use set::{EvaluationError, PolicyHit, PolicySet};

/// A policy that could not be loaded or evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A file could not be read.
    #[error("{file}: cannot read: {message}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
    /// A policy object is malformed.
    #[error("{file}:{line}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// 1-based line of the object.
        line: u32,
        /// What is wrong.
        message: String,
    },
    /// Not an error, but worth saying (a policy without binding).
    #[error("{file}:{line}: warning: {message}")]
    Warning {
        /// The file.
        file: String,
        /// 1-based line of the object.
        line: u32,
        /// What is odd.
        message: String,
    },
    /// A template's Rego does not parse or compile.
    #[error("{file}:{line}: ConstraintTemplate {template}: Rego does not compile: {message}")]
    Compile {
        /// The file.
        file: String,
        /// 1-based line of the template.
        line: u32,
        /// The template's name.
        template: String,
        /// The compiler's message.
        message: String,
    },
}

impl PolicyError {
    /// The error as an input error of a scan (exit code 2), with its file and line.
    pub fn to_load_error(&self) -> stockade_model::LoadError {
        let (file, line) = match self {
            PolicyError::Read { file, .. } => (file.as_str(), 0),
            PolicyError::Invalid { file, line, .. }
            | PolicyError::Warning { file, line, .. }
            | PolicyError::Compile { file, line, .. } => (file.as_str(), *line),
        };
        if let PolicyError::Warning { message, .. } = self {
            return stockade_model::LoadError {
                file: file.into(),
                line,
                column: 0,
                level: stockade_model::Level::Warning,
                message: message.clone(),
                check: None,
            };
        }
        let full = self.to_string();
        let prefix = if line > 0 {
            format!("{file}:{line}: ")
        } else {
            format!("{file}: ")
        };
        stockade_model::LoadError {
            file: file.into(),
            line,
            column: 0,
            level: stockade_model::Level::Error,
            message: full.strip_prefix(&prefix).unwrap_or(&full).to_string(),
            check: None,
        }
    }
}
