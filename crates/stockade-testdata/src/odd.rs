//! Manifests with fields of the wrong type, for the tests that every check and policy reads
//! odd trees without panicking: a value (or a list item) of real YAML replaced by a value of
//! another type, the YAML kept valid so that the loader accepts it.

pub use crate::Rng;

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
pub fn mutate(rng: &mut Rng, text: &str) -> Option<String> {
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

/// `text` with one to three values replaced (see [`mutate`]).
pub fn mutated(rng: &mut Rng, text: &str) -> String {
    let mut t = text.to_string();
    for _ in 0..1 + rng.below(3) {
        if let Some(m) = mutate(rng, &t) {
            t = m;
        }
    }
    t
}

/// Scans mutated copies of `texts` (name, text), `chunk` files at a time, `rounds` times over
/// (`ODD_ROUNDS` overrides it; `ODD_SEED` the seed, so a failure can be replayed), and hands
/// each result to `seen` with its round. Returns one entry per scan that panicked: the files
/// that panic when scanned alone, with their text (or that only the chunk together did).
pub fn scan_mutated<R>(
    texts: &[(String, String)],
    rounds: usize,
    chunk: usize,
    scan: impl Fn(&[(String, String)]) -> R,
    mut seen: impl FnMut(usize, R),
) -> Vec<String> {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
    let rounds = env("ODD_ROUNDS").map_or(rounds, |n: u64| n as usize);
    let mut rng = Rng(env("ODD_SEED").unwrap_or(0x5eed_0dd5));
    let quiet = |f: &dyn Fn() -> R| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
    let mut failures = Vec::new();
    for round in 0..rounds {
        for (n, files) in texts.chunks(chunk).enumerate() {
            let inputs: Vec<(String, String)> = files
                .iter()
                .map(|(name, text)| (name.clone(), mutated(&mut rng, text)))
                .collect();
            match quiet(&|| scan(&inputs)) {
                Some(result) => seen(round, result),
                None => {
                    let before = failures.len();
                    for one in inputs.chunks(1) {
                        if quiet(&|| scan(one)).is_none() {
                            failures.push(format!("round {round}: {}\n{}", one[0].0, one[0].1));
                        }
                    }
                    if failures.len() == before {
                        failures.push(format!("round {round}, chunk {n}: only together"));
                    }
                }
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mutation replaces one value or list item, with what belongs under it, by an odd
    /// value, and leaves the lines before it alone.
    #[test]
    fn a_mutation_replaces_one_value_and_what_is_under_it() {
        let text = "kind: Pod\nspec:\n  containers:\n  - name: a\n    image: x\n";
        let mut rng = Rng(7);
        let mut changed = 0;
        for _ in 0..200 {
            let m = mutate(&mut rng, text).expect("the text has keys");
            assert!(m.lines().count() <= text.lines().count(), "{m}");
            if m == text {
                continue; // `image: x` replaced by `x`
            }
            let at = text
                .lines()
                .zip(m.lines())
                .take_while(|(a, b)| a == b)
                .count();
            let line = m.lines().nth(at).unwrap_or("");
            assert!(ODD.iter().any(|v| line.ends_with(v)), "{m}");
            changed += 1;
        }
        assert!(changed > 150);
        // `spec:` replaced takes its block with it.
        assert!((0..200).any(|_| mutate(&mut rng, text).unwrap().lines().count() == 2));
    }
}
