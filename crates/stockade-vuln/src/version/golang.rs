//! Go module versions: semantic versions with a `v` prefix (golang.org/ref/mod#versions).
//! Pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`, `v1.2.4-0.2019...`) are pre-releases
//! and order by their timestamp; `+incompatible` is build metadata and does not change the order.
//! The standard library's `go1.21.3` form is accepted too.

use std::cmp::Ordering;

fn normalize(v: &str) -> String {
    let v = v.trim();
    match v.strip_prefix("go") {
        // go1.21rc2 → 1.21.0-rc2; go1.21.3 → 1.21.3.
        Some(rest) => match rest.find(|c: char| c.is_ascii_alphabetic()) {
            Some(i) => {
                let (n, pre) = rest.split_at(i);
                format!("{n}-{pre}")
            }
            None => rest.to_string(),
        },
        None => v.to_string(),
    }
}

/// Compares two Go module versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    super::semver::compare(&normalize(a), &normalize(b))
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
    fn module_versions() {
        let cases = [
            ("v1.2.3", "v1.2.4", Less),
            ("v1.2.3", "1.2.3", Equal),
            ("v0.0.0-20191109021931-daa7c04131f5", "v0.0.0", Less),
            (
                "v0.0.0-20191109021931-daa7c04131f5",
                "v0.0.0-20200101000000-aaaaaaaaaaaa",
                Less,
            ),
            ("v0.0.0-20191109021931-daa7c04131f5", "v0.1.0", Less),
            ("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3", Greater),
            ("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", Less),
            ("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4-pre", Less),
            (
                "v1.2.4-pre.0.20191109021931-daa7c04131f5",
                "v1.2.4-pre",
                Greater,
            ),
            ("v2.0.0+incompatible", "v2.0.0", Equal),
            ("v2.0.1+incompatible", "v2.0.0+incompatible", Greater),
            ("v17.0.0+incompatible", "v2.0.0+incompatible", Greater),
            ("v1.0.0-rc.1", "v1.0.0", Less),
            ("v0.3.7", "v0.3.8", Less),
            ("go1.21.3", "go1.21.4", Less),
            ("go1.21rc2", "go1.21.0", Less),
            ("go1.9", "go1.10", Less),
            ("v0.17.0", "v0.9.9", Greater),
        ];
        for (a, b, want) in cases {
            check(a, b, want);
        }
    }
}
