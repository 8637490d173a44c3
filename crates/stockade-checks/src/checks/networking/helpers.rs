//! Helpers shared by the networking checks.

use stockade_model::Object;

/// True for a core `v1` Service (a Knative `serving.knative.dev` Service is not one).
pub fn is_core_service(obj: &Object) -> bool {
    obj.kind == "Service" && obj.group().is_empty()
}
