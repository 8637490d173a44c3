//! RubyGems versions, ordered as `Gem::Version#<=>` does: segments are digit runs (numbers)
//! and letter runs (strings, which make a pre-release); `-` reads as `.pre.`; missing
//! segments count as 0; a string sorts before any number.

use std::cmp::Ordering;

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Seg<'a> {
    Str(&'a str),
    Num(&'a str),
}

fn segments(v: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    let b = v.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i].is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Seg::Num(v[start..i].trim_start_matches('0')));
        } else if b[i].is_ascii_alphabetic() {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Seg::Str(&v[start..i]));
        } else {
            if b[i] == b'-' {
                out.push(Seg::Str("pre"));
            }
            i += 1;
        }
    }
    out
}

fn cmp_seg(a: &Seg, b: &Seg) -> Ordering {
    match (a, b) {
        (Seg::Num(x), Seg::Num(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
        _ => a.cmp(b),
    }
}

/// `Gem::Version#canonical_segments`: trailing zeros dropped from the release part and from
/// the pre-release part.
fn canonical(v: &str) -> Vec<Seg<'_>> {
    let segs = segments(v);
    let split = segs
        .iter()
        .position(|s| matches!(s, Seg::Str(_)))
        .unwrap_or(segs.len());
    let mut out = Vec::with_capacity(segs.len());
    let mut it = segs.into_iter();
    let mut release: Vec<Seg> = it.by_ref().take(split).collect();
    while release.last() == Some(&Seg::Num("")) {
        release.pop();
    }
    let mut pre: Vec<Seg> = it.collect();
    while pre.last() == Some(&Seg::Num("")) {
        pre.pop();
    }
    out.extend(release);
    out.extend(pre);
    out
}

/// Compares two RubyGems versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (sa, sb) = (canonical(a.trim()), canonical(b.trim()));
    let zero = Seg::Num("");
    for i in 0..sa.len().max(sb.len()) {
        let c = cmp_seg(sa.get(i).unwrap_or(&zero), sb.get(i).unwrap_or(&zero));
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::{self, *};

    #[test]
    fn gem_version_ordering() {
        // From rubygems' test_gem_version.rb.
        let cases: [(&str, &str, Ordering); 12] = [
            ("1.0", "1.0.0", Equal),
            ("1.0", "1.0.a", Greater),
            ("1.8.2", "0.0.0", Greater),
            ("1.8.2", "1.8.2.a", Greater),
            ("1.8.2.b", "1.8.2.a", Greater),
            ("1.8.2.a", "1.8.2", Less),
            ("1.8.2.a10", "1.8.2.a9", Greater),
            ("", "0", Equal),
            ("0.beta.1", "0.0.beta.1", Equal),
            ("0.0.beta", "0.0.beta.1", Less),
            ("5.2.4", "5.2.4.1", Less),
            ("1.0.0-rc1", "1.0.0", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
    }
}
