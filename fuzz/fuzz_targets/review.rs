//! The webhook answers untrusted AdmissionReview bodies: `review_bytes` must never panic, and
//! whatever it accepts must be answered with the request's uid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stockade_admission::{Policy, Webhook, review_bytes};

static POLICY: std::sync::LazyLock<Policy> = std::sync::LazyLock::new(Policy::default_policy);

fuzz_target!(|data: &[u8]| {
    for webhook in [Webhook::Validate, Webhook::Mutate] {
        if let Ok(outcome) = review_bytes(&POLICY, webhook, data) {
            assert_eq!(
                outcome.response["response"]["uid"].as_str(),
                Some(outcome.uid.as_str())
            );
            // A check the engine caught panicking is named in this annotation.
            let errors = &outcome.response["response"]["auditAnnotations"]["evaluation-errors"];
            assert!(!errors.as_str().unwrap_or("").contains("a bug in Stockade"));
        }
    }
});
