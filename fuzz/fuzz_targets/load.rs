//! The YAML/JSON loader takes untrusted bytes: it must never panic, and what it reports must
//! stay well-formed whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let loaded = stockade_model::load("fuzz", data);
    for e in &loaded.errors {
        assert_eq!(&*e.file, "fuzz");
        assert!(!e.message.is_empty());
    }
    assert!(
        loaded
            .errors
            .windows(2)
            .all(|w| (w[0].line, w[0].column) <= (w[1].line, w[1].column)),
        "errors are sorted by position"
    );
    for o in &loaded.objects {
        assert!(!o.kind.is_empty() && !o.api_version.is_empty());
        for pod in stockade_model::pod_specs(o) {
            for c in &pod.containers {
                assert!(c.path.starts_with(&pod.path));
            }
        }
    }
});
