//! Every check, object and set, on real manifests whose fields hold values of the wrong type:
//! a mapping where a list belongs, a number where a mapping belongs, `null`, an empty list,
//! a huge or negative number, a string of digits. The YAML stays valid, so the loader accepts
//! it and the checks see the odd tree (the API server would refuse these objects; a scanner
//! reads them from a repository before it does). No check may panic, and the scan must still
//! report the file's other objects.

use stockade_engine::{Config, Engine, Input};

/// Deterministic xorshift, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Values of every YAML type, put where a field's own value was.
const ODD: &[&str] = &[
    "{}",
    "[]",
    "null",
    "~",
    "''",
    "0",
    "-1",
    "1.5",
    "1e400",
    "99999999999999999999999",
    "-9223372036854775809",
    "true",
    "x",
    "\"123\"",
    "[x, 1, {}]",
    "[[]]",
    "[{}]",
    "[{name: 5}]",
    "{a: b}",
    "{name: [], image: {}}",
    "0x7fffffff",
    "-0",
    "\"\"",
    ".nan",
    "2147483648",
    "4294967296",
    "'*'",
    "/",
    "../../../etc",
    "\"\\u0000\"",
];

/// Indentation of a line, in bytes.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Replaces the value of one `key:` line (and the block under it) with an odd value, or one
/// list item (`- ...` and what belongs to it) with an odd value.
fn mutate(rng: &mut Rng, text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let candidates: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            !t.starts_with('#')
                && !t.starts_with("---")
                && (t.starts_with("- ") || t.contains(": ") || t.ends_with(':'))
        })
        .map(|(i, _)| i)
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let at = candidates[rng.below(candidates.len())];
    let line = lines[at];
    let ind = indent(line);
    let t = line.trim_start();
    let odd = ODD[rng.below(ODD.len())];
    let new = if let Some(item) = t.strip_prefix("- ") {
        // Either the item's first key gets the odd value, or the whole item is replaced.
        if rng.below(2) == 0 && (item.contains(": ") || item.ends_with(':')) {
            let key = item.split(':').next().unwrap_or("");
            format!("{}- {key}: {odd}", " ".repeat(ind))
        } else {
            format!("{}- {odd}", " ".repeat(ind))
        }
    } else {
        let key = t.split(':').next().unwrap_or("");
        format!("{}{key}: {odd}", " ".repeat(ind))
    };
    // What belongs to the line: the more indented lines after it, and for a key, a list
    // written at the key's own indentation.
    let item = t.starts_with("- ");
    let mut end = at + 1;
    while let Some(l) = lines.get(end) {
        let belongs = l.trim().is_empty()
            || indent(l) > ind
            || (!item && indent(l) == ind && l.trim_start().starts_with("- "));
        if !belongs {
            break;
        }
        end += 1;
    }
    let mut out = String::with_capacity(text.len());
    for l in &lines[..at] {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(&new);
    out.push('\n');
    for l in &lines[end..] {
        out.push_str(l);
        out.push('\n');
    }
    Some(out)
}

#[test]
fn no_check_panics_on_fields_of_the_wrong_type() {
    let Some(dir) = stockade_testdata::shared("corpus/realworld") else {
        return;
    };
    let files = stockade_testdata::files(&dir, &["yaml", "yml"]);
    assert!(files.len() > 500, "the realworld corpus is there");
    let config = Config {
        select: Some(vec!["all".into()]),
        ..Config::default()
    };
    let engine = Engine::new(&config, false).expect("every check");
    // Release runs can ask for more (`ODD_ROUNDS=50 cargo test --release ...`).
    let rounds: usize = std::env::var("ODD_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let seed: u64 = std::env::var("ODD_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_0dd5);
    let texts: Vec<(String, String)> = files
        .iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect();
    let originals: Vec<Input> = texts
        .iter()
        .map(|(n, t)| Input::Bytes(n.as_str().into(), t.as_bytes().into()))
        .collect();
    let objects = engine.scan(&originals).summary.objects;
    let mut rng = Rng(seed);
    let mut failures = Vec::new();
    let mut scanned = 0;
    for round in 0..rounds {
        let mut seen = 0;
        // A set of mutated files at a time: the set checks see odd objects beside each other.
        for (chunk_no, chunk) in texts.chunks(64).enumerate() {
            let mut inputs = Vec::new();
            for (name, text) in chunk {
                let mut t = text.clone();
                for _ in 0..1 + rng.below(3) {
                    if let Some(m) = mutate(&mut rng, &t) {
                        t = m;
                    }
                }
                inputs.push((name.clone(), t));
            }
            scanned += inputs.len();
            let as_inputs: Vec<Input> = inputs
                .iter()
                .map(|(n, t)| Input::Bytes(n.as_str().into(), t.as_bytes().into()))
                .collect();
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| engine.scan(&as_inputs)));
            if let Ok(r) = &result {
                seen += r.summary.objects;
            }
            if result.is_err() {
                // Find the file: each alone (set checks then see that file's objects).
                for (n, t) in &inputs {
                    let one = [Input::Bytes(n.as_str().into(), t.as_bytes().into())];
                    let alone = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        engine.scan(&one)
                    }));
                    if alone.is_err() {
                        failures.push(format!("round {round} chunk {chunk_no}: {n}\n{t}"));
                    }
                }
                if failures.is_empty() {
                    failures.push(format!("round {round} chunk {chunk_no}: only together"));
                }
            }
        }
        // A value replaced under `kind:` or a document's top loses that object; nothing else
        // may (an odd field is a finding or nothing, not a lost object).
        assert!(
            seen * 10 >= objects * 9,
            "round {round}: {seen} of {objects} objects scanned"
        );
    }
    assert!(scanned > 1_000);
    assert!(
        failures.is_empty(),
        "{} scans panicked:\n{}",
        failures.len(),
        failures.join("\n=====\n")
    );
}
