//! The Dockerfile parser takes untrusted bytes: it must never panic, errors must name a line of
//! the input, and the shell splitter must cope with every RUN it produces.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.split('\n').count() as u32;
    let df = stockade_dockerfile::parse(&text);
    for e in &df.errors {
        assert!(e.line >= 1 && e.line <= lines, "{e}");
    }
    for i in &df.instructions {
        assert!(i.pos.line <= i.end_line && i.end_line <= lines);
        let _ = i.commands();
        let _ = i.pairs();
        let _ = i.exec_form();
    }
});
