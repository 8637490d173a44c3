//! Image signature verdicts for one request, worked out before the review: the review stays
//! a pure function of the policy, the request and these verdicts.
//!
//! Verdicts that need no registry (allow/deny rules, no matching rule, a fresh cached
//! verification) are taken on the spot; the others are verified on the blocking pool, one
//! task per image, under a deadline. An image whose verification has not finished by then is
//! judged by `images.on-error` (deny, or admit with a warning); its task still finishes (each
//! registry request is bounded by `images.timeout`) and is not cached when it failed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use stockade_image::policy::{Decision, ImagePolicy};
use stockade_model::pod_specs;

/// The catalog check that image verdicts are reported under.
pub const IMAGE_CHECK: (&str, &str) = ("STK212", "image-signature-not-verified");

/// Verdicts by image reference as written in the pod spec.
#[derive(Debug, Clone, Default)]
pub struct ImageVerdicts(pub HashMap<String, Decision>);

impl ImageVerdicts {
    /// The verdict on an image, if one was reached.
    pub fn get(&self, image: &str) -> Option<&Decision> {
        self.0.get(image)
    }

    /// Verifies every image on the calling thread (blocking: `stockade review`, tests).
    pub fn verify_blocking(policy: &ImagePolicy, images: &[String]) -> ImageVerdicts {
        ImageVerdicts(
            images
                .iter()
                .map(|i| (i.clone(), policy.evaluate(i)))
                .collect(),
        )
    }

    /// Verifies every image: the offline verdicts at once, the rest on the blocking pool
    /// within `deadline`.
    pub async fn verify(
        policy: Arc<ImagePolicy>,
        images: Vec<String>,
        deadline: Duration,
    ) -> ImageVerdicts {
        let mut out = HashMap::new();
        let mut pending = Vec::new();
        for image in images {
            match policy.evaluate_offline(&image) {
                Some(d) => {
                    out.insert(image, d);
                }
                None => {
                    let p = policy.clone();
                    let i = image.clone();
                    pending.push((image, tokio::task::spawn_blocking(move || p.evaluate(&i))));
                }
            }
        }
        let until = tokio::time::Instant::now() + deadline;
        for (image, task) in pending {
            let d = match tokio::time::timeout_at(until, task).await {
                Ok(Ok(d)) => d,
                Ok(Err(e)) => policy.unverified(&image, &format!("verification failed: {e}")),
                Err(_) => policy.unverified(
                    &image,
                    &format!(
                        "registry verification exceeded the {} ms deadline",
                        deadline.as_millis()
                    ),
                ),
            };
            out.insert(image, d);
        }
        ImageVerdicts(out)
    }
}

/// The distinct container images (regular, init, ephemeral) of an object's pod specs, in
/// order of appearance.
pub fn images_of(object: &Value) -> Vec<String> {
    let Ok(obj) = stockade_model::json::object_from_json("request.object", object) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for spec in pod_specs(&obj) {
        for c in &spec.containers {
            if let Some(image) = c.node.str_at("image").map(str::trim)
                && !image.is_empty()
                && !out.iter().any(|i| i == image)
            {
                out.push(image.to_string());
            }
        }
    }
    out
}
