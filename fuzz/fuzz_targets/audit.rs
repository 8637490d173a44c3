//! Audit events arrive from files and from the API server over `/audit`: the reader and the
//! built-in rules must never panic on any input, and every event read or error reported
//! carries a line inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stockade_audit::{Engine, RuleSet, read_events};

static ENGINE: std::sync::LazyLock<Engine> =
    std::sync::LazyLock::new(|| Engine::compile(&RuleSet::builtin()).0);

fuzz_target!(|data: &[u8]| {
    let lines = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let _ = read_events(
        "fuzz",
        data,
        |ev, loc| {
            assert!(loc.line >= 1 && loc.line <= lines);
            for alert in ENGINE.alerts(ev, loc) {
                assert!(!alert.rule.is_empty());
            }
        },
        |e| assert!(e.line >= 1 && e.line <= lines, "{e}"),
    );
});
