//! Findings about the scan itself (suppressions). The engine emits them; their files hold the
//! metadata and documentation.

pub mod invalid_suppression;
pub mod unused_suppression;

use crate::{Context, Emit};

/// Meta checks have no per-object logic.
pub(crate) fn engine_emitted(_: &Context, _: &mut Emit) {}
