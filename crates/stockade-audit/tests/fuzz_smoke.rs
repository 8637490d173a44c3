//! A stable-toolchain companion to `fuzz/fuzz_targets/audit.rs`: thousands of mutated audit
//! logs (byte flips, truncations, spliced JSON syntax, lines joined, duplicated and wrapped in
//! EventLists) go through the reader and the built-in rules. None may panic; every event and
//! every error is reported at a line inside the input; a mutation that leaves a line intact
//! does not lose that line's event.

use stockade_audit::{Engine, RuleSet, read_events};
use stockade_testdata::Rng;

const SYNTAX: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b",",
    b":",
    b"null",
    b"true",
    b"-1",
    b"1e999",
    b"\\u0000",
    b"\\ud800",
    b"\xff",
    b" ",
    b"\n",
    b"{\"kind\":\"EventList\",\"items\":[",
    b"\"items\":",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(4) {
        if data.is_empty() {
            break;
        }
        let at = rng.below(data.len());
        match rng.below(6) {
            0 => data[at] ^= 1 << rng.below(8),
            1 => data.truncate(at),
            2 => {
                let tok = SYNTAX[rng.below(SYNTAX.len())];
                data.splice(at..at, tok.iter().copied());
            }
            3 => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at..end);
            }
            4 => {
                // Join two lines.
                if let Some(nl) = data[at..].iter().position(|&b| b == b'\n') {
                    data.remove(at + nl);
                }
            }
            _ => {
                // Duplicate a slice somewhere else.
                let end = (at + rng.below(256)).min(data.len());
                let piece = data[at..end].to_vec();
                let to = rng.below(data.len());
                data.splice(to..to, piece);
            }
        }
    }
    data
}

#[test]
fn mutated_audit_logs_never_panic_and_report_lines_inside_the_input() {
    let seed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/builtin_events.jsonl"
    ))
    .unwrap();
    let lines: Vec<&[u8]> = seed
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let list = format!(
        "{{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[{}]}}",
        lines
            .iter()
            .map(|l| String::from_utf8_lossy(l))
            .collect::<Vec<_>>()
            .join(",\n")
    );
    let (engine, errors) = Engine::compile(&RuleSet::builtin());
    assert!(errors.is_empty());
    let mut rng = Rng(0x5eed_a0d1);
    let (mut events, mut problems) = (0u64, 0u64);
    for i in 0..3000 {
        let base: &[u8] = if i % 3 == 0 { list.as_bytes() } else { &seed };
        let data = mutate(&mut rng, base);
        let n_lines = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let res = read_events(
            "m.log",
            &data[..],
            |ev, loc| {
                events += 1;
                assert!(
                    loc.line >= 1 && loc.line <= n_lines,
                    "case {i}: line {}",
                    loc.line
                );
                for alert in engine.alerts(ev, loc) {
                    assert!(!alert.output.is_empty() || alert.rule.is_empty());
                }
            },
            |e| {
                problems += 1;
                assert!(e.line >= 1 && e.line <= n_lines, "case {i}: {e}");
                assert_eq!(e.file, "m.log");
            },
        );
        assert!(res.is_ok(), "case {i}: {res:?}");
    }
    // The mutations leave most of the lines intact: both paths were exercised.
    assert!(events > 10_000, "{events}");
    assert!(problems > 1_000, "{problems}");
}

#[test]
fn an_intact_line_after_broken_ones_is_still_read() {
    let seed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/builtin_events.jsonl"
    ))
    .unwrap();
    let last = seed
        .split(|&b| b == b'\n')
        .rfind(|l| !l.is_empty())
        .unwrap()
        .to_vec();
    for junk in [
        &b"{\"kind\":"[..],
        b"[1,",
        b"\xff\xfe",
        b"{}{}",
        b"\"x",
        b"{\"items\":[{",
    ] {
        let mut data = junk.to_vec();
        data.push(b'\n');
        data.extend_from_slice(&last);
        data.push(b'\n');
        let (mut lines, mut errs) = (Vec::new(), 0);
        read_events(
            "j.log",
            &data[..],
            |_, loc| lines.push(loc.line),
            |_| errs += 1,
        )
        .unwrap();
        assert_eq!(lines, [2], "junk {:?}", String::from_utf8_lossy(junk));
        assert_eq!(errs, 1, "junk {:?}", String::from_utf8_lossy(junk));
    }
}
