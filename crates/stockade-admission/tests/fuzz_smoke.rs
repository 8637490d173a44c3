//! A stable-toolchain companion to `fuzz/fuzz_targets/review.rs`: thousands of mutated
//! AdmissionReviews (byte flips, truncations, spliced JSON syntax, fields replaced by values of
//! the wrong type, deep nesting) go through `review_bytes`, validate and mutate, with the
//! default policy and with one that enforces, mutates and checks Pod Security. None may panic
//! (nor make a check fail, which the engine catches and names in the `evaluation-errors`
//! annotation); every accepted request is answered with its own uid.

use serde_json::{Value, json};
use stockade_admission::{Policy, Webhook, review_bytes};
use stockade_testdata::Rng;

const SYNTAX: &[&[u8]] = &[
    b"{", b"}", b"[", b"]", b"\"", b",", b":", b"null", b"true", b"-1", b"1e999", b"\\u0000",
    b"\\ud800", b"\xff", b" ", b"\"\"",
];

/// Values of every JSON type, dropped in where the webhook expects something else.
fn odd_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(-1),
        json!(1.5e300),
        json!(""),
        json!("x".repeat(10_000)),
        json!([]),
        json!([null, 1, "a"]),
        json!({}),
        json!({"": {"": []}}),
    ]
}

fn policies() -> Vec<Policy> {
    let strict = "modes:\n  enforce-at: low\nmutate:\n  seccomp-runtime-default: true\n  disallow-privilege-escalation: true\n  drop-all-capabilities: true\n  run-as-non-root: true\n  read-only-root-filesystem: true\n  disable-service-account-token: true\n  default-resources:\n    requests: {cpu: 100m, memory: 64Mi}\n    limits: {memory: 128Mi}\n";
    let config = stockade_admission::config::parse_config(strict).unwrap();
    vec![Policy::default_policy(), Policy::new(&config).unwrap()]
}

fn seeds() -> Vec<Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        // The review fixtures; subdirectories hold other tests' expected outputs.
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        out.push(serde_json::from_str(&text).unwrap());
    }
    out.sort_by_key(|v: &Value| v.to_string());
    out
}

fn check(policies: &[Policy], body: &[u8]) {
    for p in policies {
        for webhook in [Webhook::Validate, Webhook::Mutate] {
            if let Ok(outcome) = review_bytes(p, webhook, body) {
                assert_eq!(
                    outcome.response["response"]["uid"].as_str(),
                    Some(outcome.uid.as_str()),
                    "{}",
                    String::from_utf8_lossy(body)
                );
                // A check that panics is caught and named in this annotation (and denies
                // where it is enforced): as much a failure here as the panic itself.
                let errors = &outcome.response["response"]["auditAnnotations"]["evaluation-errors"];
                assert!(
                    !errors.as_str().unwrap_or("").contains("a bug in Stockade"),
                    "{errors}\n{}",
                    String::from_utf8_lossy(body)
                );
            }
        }
    }
}

/// Every path to a value in `v`, as JSON pointers.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(
                    c,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

#[test]
fn every_field_replaced_by_a_value_of_another_type() {
    let policies = policies();
    for seed in seeds() {
        let mut paths = Vec::new();
        pointers(&seed, String::new(), &mut paths);
        for path in paths.iter().filter(|p| !p.is_empty()) {
            for odd in odd_values() {
                let mut v = seed.clone();
                *v.pointer_mut(path).unwrap() = odd;
                check(&policies, &serde_json::to_vec(&v).unwrap());
            }
        }
    }
}

#[test]
fn mutated_and_truncated_bytes() {
    let policies = policies();
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    for seed in seeds() {
        let bytes = serde_json::to_vec(&seed).unwrap();
        for cut in (0..bytes.len()).step_by(7) {
            check(&policies, &bytes[..cut]);
        }
        for _ in 0..600 {
            let mut b = bytes.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(b.len());
                match rng.below(3) {
                    0 => b[at] = rng.step() as u8,
                    1 => {
                        let s = SYNTAX[rng.below(SYNTAX.len())];
                        b.splice(at..at, s.iter().copied());
                    }
                    _ => {
                        let end = (at + rng.below(16)).min(b.len());
                        b.drain(at..end);
                    }
                }
            }
            check(&policies, &b);
        }
    }
}

#[test]
fn deep_nesting_and_large_objects() {
    let policies = policies();
    let mut seed = seeds().remove(0);
    // Nesting beyond serde_json's recursion limit is refused, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    check(&policies, deep.as_bytes());
    let mut nested = json!("leaf");
    for _ in 0..100 {
        nested = json!({ "a": nested });
    }
    seed["request"]["object"]["metadata"]["annotations"] = json!({"x": nested.to_string()});
    seed["request"]["object"]["spec"]["extra"] = nested;
    check(&policies, &serde_json::to_vec(&seed).unwrap());
    // Thousands of containers.
    let mut many = seeds().remove(0);
    if let Some(spec) = many["request"]["object"]["spec"]["template"]["spec"].as_object_mut() {
        let c = spec["containers"][0].clone();
        spec.insert("containers".into(), Value::Array(vec![c; 2_000]));
    }
    check(&policies, &serde_json::to_vec(&many).unwrap());
}
