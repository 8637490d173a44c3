//! A stable-toolchain companion to `fuzz/` (cargo-fuzz needs nightly): thousands of mutated
//! real manifests (byte flips, truncations, spliced YAML syntax, duplicated lines, deep
//! nesting) plus alias bombs go through `load` and `pod_specs`. None may panic, errors must
//! stay well-formed, and no input may run away: the depth and alias limits bound the work.

use std::time::{Duration, Instant};

/// Far above what any input here needs (milliseconds): only a runaway (an unbounded alias
/// expansion, a quadratic blow-up) gets near it, even in a debug build on a busy machine.
/// A hang guard, not a benchmark.
const RUNAWAY: Duration = Duration::from_secs(10);
use stockade_testdata::Rng;

const SYNTAX: &[&[u8]] = &[
    b":",
    b"- ",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"'",
    b"\n",
    b" ",
    b"---\n",
    b"...\n",
    b"\t",
    b"#",
    b"|\n",
    b">-\n",
    b"? ",
    b"!!str ",
    b"%YAML 1.2\n",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\0",
    b"\r",
    b"\\u00e9",
    b"~",
    b"\xe2\x80\xa8",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut d = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(d.len() + 1);
        match rng.below(7) {
            0 if at < d.len() => d[at] ^= 1 << rng.below(8),
            1 => d.truncate(at),
            2 => {
                let t = SYNTAX[rng.below(SYNTAX.len())];
                d.splice(at..at, t.iter().copied());
            }
            3 => {
                // Duplicate a line: duplicate keys, repeated documents.
                let s = d[..at]
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |i| i + 1);
                let e = d[at..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(d.len(), |i| at + i + 1);
                let line = d[s..e].to_vec();
                d.splice(e..e, line);
            }
            4 => {
                let e = (at + rng.below(64)).min(d.len());
                d.drain(at..e);
            }
            5 => {
                let n = 1 + rng.below(400);
                let open = if rng.below(2) == 0 { b'[' } else { b'{' };
                d.splice(at..at, std::iter::repeat_n(open, n));
            }
            _ => {
                d.splice(at..at, b"  ".iter().copied());
            }
        }
    }
    d
}

fn alias_bomb(levels: usize, width: usize) -> Vec<u8> {
    let mut s = String::from("apiVersion: v1\nkind: ConfigMap\na0: &a0 [x]\n");
    for i in 1..levels {
        let refs = vec![format!("*a{}", i - 1); width].join(", ");
        s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    s.into_bytes()
}

fn check(name: &str, data: &[u8]) {
    let start = Instant::now();
    let loaded = stockade_model::load(name, data);
    for o in &loaded.objects {
        assert!(!o.kind.is_empty() && !o.api_version.is_empty(), "{name}");
        for pod in stockade_model::pod_specs(o) {
            for c in &pod.containers {
                assert!(c.path.starts_with(&pod.path), "{name}: {}", c.path);
            }
        }
    }
    for e in &loaded.errors {
        assert_eq!(&*e.file, name);
        assert!(!e.message.is_empty(), "{name}");
    }
    assert!(
        loaded
            .errors
            .windows(2)
            .all(|w| (w[0].line, w[0].column) <= (w[1].line, w[1].column)),
        "{name}: errors out of order"
    );
    let took = start.elapsed();
    assert!(took < RUNAWAY, "{name}: {took:?} for {} bytes", data.len());
}

#[test]
fn hostile_inputs_are_bounded() {
    for (levels, width) in [(9, 10), (20, 2), (6, 100)] {
        let bomb = alias_bomb(levels, width);
        check("bomb.yaml", &bomb);
    }
    let skipped = stockade_model::load("bomb.yaml", &alias_bomb(9, 10));
    assert!(skipped.objects.is_empty());
    assert!(skipped.errors[0].message.contains("alias bomb"));
    let deep = format!("a: {}", "[".repeat(100_000));
    check("deep.yaml", deep.as_bytes());
    let deep_block: String = (0..1000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    check("deep-block.yaml", deep_block.as_bytes());
    check("empty", b"");
    check("dashes", &b"---\n".repeat(10_000));
}

#[test]
fn mutated_real_manifests_never_panic() {
    let Some(dir) = stockade_testdata::shared("corpus/realworld") else {
        return;
    };
    let files = stockade_testdata::files(&dir, &[]);
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let mut inputs = 0;
    // Small files keep a debug build quick; they use the same syntax as the big ones.
    for path in files
        .iter()
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() < 16_384))
    {
        let data = std::fs::read(path).unwrap();
        let name = path.display().to_string();
        check(&name, &data);
        for _ in 0..4 {
            check(&name, &mutate(&mut rng, &data));
            inputs += 1;
        }
    }
    assert!(inputs >= 2_000, "only {inputs} mutated inputs");
}
