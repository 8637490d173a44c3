//! Responses byte for byte as before the request object was read straight into the model's
//! tree: every `fixtures/golden/expected/*.json` was recorded with `stockade review` built from
//! commit d45d474 (where the object went through a `serde_json::Value` first):
//!
//! ```text
//! stockade review FIXTURE --config fixtures/golden/configs/CONFIG.yaml [--mutate]
//! ```
//!
//! for each fixture (the three request fixtures and `golden/pod-no-namespace.json`: keys out
//! of order, a duplicate key, floats, escapes, no `metadata.namespace`, only `generateName`)
//! and each configuration, validating and mutating.

use std::path::{Path, PathBuf};

use stockade_admission::config::parse_config;
use stockade_admission::{Policy, Webhook, review_bytes};

const FIXTURES: [&str; 4] = [
    "bench-deployment.json",
    "deployment-create.json",
    "hardened-pod.json",
    "golden/pod-no-namespace.json",
];
const CONFIGS: [&str; 5] = ["default", "pss", "enforce", "mutate", "exempt"];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn expected_name(fixture: &str, config: &str, webhook: Webhook) -> String {
    let stem = Path::new(fixture).file_stem().unwrap().to_string_lossy();
    format!("{stem}.{config}.{}.json", webhook.as_str())
}

#[test]
fn responses_are_byte_identical_to_the_value_based_parse() {
    let mut compared = 0;
    for config in CONFIGS {
        let text =
            std::fs::read_to_string(dir().join(format!("golden/configs/{config}.yaml"))).unwrap();
        let policy = Policy::new(&parse_config(&text).unwrap()).unwrap();
        for fixture in FIXTURES {
            let body = std::fs::read(dir().join(fixture)).unwrap();
            for webhook in [Webhook::Validate, Webhook::Mutate] {
                let name = expected_name(fixture, config, webhook);
                let expected = std::fs::read_to_string(dir().join("golden/expected").join(&name))
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                let outcome = review_bytes(&policy, webhook, &body).unwrap();
                // What the server sends (`serde_json::to_vec`) and `stockade review` prints.
                let got = serde_json::to_string(&outcome.response).unwrap() + "\n";
                assert_eq!(got, expected, "{name}");
                compared += 1;
            }
        }
    }
    assert_eq!(compared, FIXTURES.len() * CONFIGS.len() * 2);
}
