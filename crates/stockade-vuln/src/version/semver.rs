//! Semantic Versioning 2.0.0 precedence (section 11): major, minor and patch numerically; a
//! pre-release sorts before its release; pre-release identifiers compare numerically when both
//! are numbers, numbers sort before letters, and a longer list wins when the rest is equal;
//! build metadata is ignored. Leniencies that advisories need: a leading `v`, missing minor or
//! patch read as 0, and numbers of any size.

use std::cmp::Ordering;

fn cmp_num(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn is_num(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Splits `v1.2.3-pre+build` into the core numbers and the pre-release.
fn parts(v: &str) -> ([&str; 3], Option<&str>) {
    let v = v.trim();
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let v = v.split('+').next().unwrap_or("");
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (v, None),
    };
    let mut nums = ["0"; 3];
    for (slot, part) in nums.iter_mut().zip(core.split('.')) {
        *slot = part;
    }
    (nums, pre)
}

/// Compares two pre-release strings (dot-separated identifiers).
pub fn cmp_prerelease(a: &str, b: &str) -> Ordering {
    let (mut ia, mut ib) = (a.split('.'), b.split('.'));
    loop {
        match (ia.next(), ib.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let c = match (is_num(x), is_num(y)) {
                    (true, true) => cmp_num(x, y),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => x.cmp(y),
                };
                if c != Ordering::Equal {
                    return c;
                }
            }
        }
    }
}

/// Compares two semantic versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (na, pa) = parts(a);
    let (nb, pb) = parts(b);
    for (x, y) in na.iter().zip(nb.iter()) {
        let c = cmp_num(x, y);
        if c != Ordering::Equal {
            return c;
        }
    }
    match (pa, pb) {
        (None, None) => Ordering::Equal,
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (Some(x), Some(y)) => cmp_prerelease(x, y),
    }
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::{self, *};

    #[track_caller]
    fn check(a: &str, b: &str, want: Ordering) {
        super::super::assert_order(compare, a, b, want);
    }

    #[test]
    fn spec_examples_and_edges() {
        // The chain from semver.org section 11, then edges.
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for w in chain.windows(2) {
            check(w[0], w[1], Less);
        }
        for (i, a) in chain.iter().enumerate() {
            for b in &chain[i + 1..] {
                check(a, b, Less);
            }
        }
        let cases = [
            ("1.0.0+build.1", "1.0.0+build.2", Equal),
            ("1.0.0+build", "1.0.0", Equal),
            ("1.0.0-rc.1+build", "1.0.0-rc.1", Equal),
            ("v1.2.3", "1.2.3", Equal),
            ("1.2", "1.2.0", Equal),
            ("1", "1.0.0", Equal),
            ("1.10.0", "1.9.0", Greater),
            ("0.0.1", "0.0.0", Greater),
            ("1.0.0-2", "1.0.0-10", Less),
            ("1.0.0-a", "1.0.0-1", Greater),
            ("1.0.0-alpha.10", "1.0.0-alpha.9", Greater),
            ("1.0.0-x-y", "1.0.0-x", Greater),
            (
                "18446744073709551616.0.0",
                "18446744073709551615.0.0",
                Greater,
            ),
            ("4.17.20", "4.17.21", Less),
            ("0.0.0", "0.0.0-0", Greater),
        ];
        for (a, b, want) in cases {
            check(a, b, want);
        }
    }
}
