//! The whole scan engine, every check selected, on arbitrary bytes: no check may fail on any
//! input. The engine catches a check that panics and reports it as an error naming the check
//! (`LoadError::check`); here that error is a failure, as the panic itself would be.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stockade_engine::{Config, Engine};

static ENGINE: std::sync::LazyLock<Engine> = std::sync::LazyLock::new(|| {
    let config = Config {
        select: Some(vec!["all".to_string()]),
        ..Config::default()
    };
    Engine::new(&config, false).expect("every check selects")
});

fuzz_target!(|data: &[u8]| {
    let result = ENGINE.scan_bytes("fuzz.yaml", data);
    for e in &result.errors {
        assert!(
            !e.message.contains("a bug in Stockade"),
            "a check failed: {}",
            e.message
        );
    }
    for f in &result.findings {
        assert_eq!(&*f.file, "fuzz.yaml");
        assert!(f.line >= 1 && f.column >= 1, "a finding without a line: {f:?}");
    }
});
