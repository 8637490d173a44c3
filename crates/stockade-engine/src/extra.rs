//! Checks from outside the built-in catalog (custom policies), run by the same scan loop so
//! their findings get the same exclusions, ordering, summary and reports.

use std::borrow::Cow;
use std::sync::Arc;

use stockade_model::{LoadError, Object, Pos, Severity};

/// One problem an extra check found on one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraHit {
    /// The check ID (for a Gatekeeper constraint, `Kind/name`).
    pub check: Cow<'static, str>,
    /// A short name.
    pub name: Cow<'static, str>,
    /// Severity.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// Where in the object.
    pub pos: Pos,
    /// The field path, if known (empty for the whole object).
    pub path: String,
    /// How to fix it.
    pub remediation: Cow<'static, str>,
}

/// What an extra check reports for objects: hits, and evaluation errors (reported like input
/// errors, naming the policy and the object).
#[derive(Debug, Default)]
pub struct ExtraResult {
    /// Hits, with the index of the object they are about (0 for a single object).
    pub hits: Vec<(usize, ExtraHit)>,
    /// Evaluation problems.
    pub errors: Vec<LoadError>,
}

/// A set of checks the engine runs next to the catalog: per object while files stream
/// through, and once over the objects it asked to keep when it needs the whole input set
/// (references between objects, namespace labels).
pub trait ExtraChecks: Send + Sync {
    /// Hits on one object that need nothing but the object.
    fn check_object(&self, obj: &Object) -> ExtraResult;
    /// Whether `check_set` needs this object.
    fn wants(&self, obj: &Object) -> bool;
    /// Hits that need the input set; `objects` holds at least every object `wants` accepted.
    /// Hit indexes point into `objects`.
    fn check_set(&self, objects: &[Arc<Object>]) -> ExtraResult;
    /// Whether `id` is the check ID of some of its hits (a policy's name), so that the
    /// configuration's `ignore:` and `exclude:` and suppression annotations may name it like
    /// a catalog check.
    fn knows(&self, id: &str) -> bool {
        let _ = id;
        false
    }
    /// The severity of `id`'s hits when they do not vary (a constraint's follows its
    /// enforcement action): what an error of `id` is judged at where no hit says it.
    fn severity_of(&self, id: &str) -> Option<Severity> {
        let _ = id;
        None
    }
}
