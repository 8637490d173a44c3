//! Alpine package versions, ordered as apk-tools' `apk_version_compare` does:
//! `digits{.digits}[letter]{_suffix[number]}[-rN]`. Pre-release suffixes (`_alpha`, `_beta`,
//! `_pre`, `_rc`) sort before the plain version, post-release ones (`_cvs`, `_svn`, `_git`,
//! `_hg`, `_p`) after it. When one version runs out of tokens first, the ordering of token
//! kinds decides (digit > letter > suffix > revision > end).

use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    /// A number; `first` tells the leading component (compared numerically even with zeros).
    Digit(&'a str, bool),
    Letter(u8),
    /// Suffix rank (negative: pre-release) and its number.
    Suffix(i32, u64),
    Revision(u64),
    End,
}

impl Tok<'_> {
    /// apk-tools' token order: a token later in this list makes the version smaller when the
    /// other version has a token earlier in it at the same place.
    fn kind(&self) -> u8 {
        match self {
            Tok::Digit(..) => 0,
            Tok::Letter(_) => 1,
            Tok::Suffix(..) => 2,
            Tok::Revision(_) => 3,
            Tok::End => 4,
        }
    }
}

const SUFFIXES: &[(&str, i32)] = &[
    ("alpha", -4),
    ("beta", -3),
    ("pre", -2),
    ("rc", -1),
    ("cvs", 1),
    ("svn", 2),
    ("git", 3),
    ("hg", 4),
    ("p", 5),
];

fn digits(s: &str) -> (&str, &str) {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    s.split_at(n)
}

fn tokens(v: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    // A `~hash` commit suffix does not take part in the order.
    let v = v.trim().split('~').next().unwrap_or("");
    let (v, rev) = match v.rfind("-r") {
        Some(i) if !v[i + 2..].is_empty() && v[i + 2..].bytes().all(|b| b.is_ascii_digit()) => {
            (&v[..i], Some(&v[i + 2..]))
        }
        _ => (v, None),
    };
    let (d, mut rest) = digits(v);
    out.push(Tok::Digit(d, true));
    while let Some(r) = rest.strip_prefix('.') {
        let (d, r) = digits(r);
        if d.is_empty() {
            break;
        }
        out.push(Tok::Digit(d, false));
        rest = r;
    }
    if let Some(&c) = rest.as_bytes().first()
        && c.is_ascii_lowercase()
    {
        out.push(Tok::Letter(c));
        rest = &rest[1..];
    }
    while let Some(r) = rest.strip_prefix('_') {
        let name_len = r.bytes().take_while(u8::is_ascii_lowercase).count();
        let (name, r) = r.split_at(name_len);
        let (num, r) = digits(r);
        let rank = SUFFIXES
            .iter()
            .find(|(s, _)| *s == name)
            .map_or(0, |(_, k)| *k);
        out.push(Tok::Suffix(rank, num.parse().unwrap_or(0)));
        rest = r;
    }
    if let Some(r) = rev {
        out.push(Tok::Revision(r.parse().unwrap_or(u64::MAX)));
    }
    out.push(Tok::End);
    out
}

fn cmp_digits(a: &str, b: &str, first: bool) -> Ordering {
    if !first && (a.starts_with('0') || b.starts_with('0')) {
        // apk compares components with a leading zero as decimal fractions: 1.01 < 1.1.
        return a.cmp(b);
    }
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Compares two Alpine package versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (ta, tb) = (tokens(a), tokens(b));
    for (x, y) in ta.iter().zip(tb.iter()) {
        let c = match (x, y) {
            (Tok::Digit(p, f), Tok::Digit(q, _)) => cmp_digits(p, q, *f),
            (Tok::Letter(p), Tok::Letter(q)) => p.cmp(q),
            (Tok::Suffix(p, m), Tok::Suffix(q, n)) => p.cmp(q).then(m.cmp(n)),
            (Tok::Revision(p), Tok::Revision(q)) => p.cmp(q),
            (Tok::End, Tok::End) => return Ordering::Equal,
            // A pre-release suffix is less than anything else at its place.
            (Tok::Suffix(p, _), _) if *p < 0 => return Ordering::Less,
            (_, Tok::Suffix(q, _)) if *q < 0 => return Ordering::Greater,
            _ => return y.kind().cmp(&x.kind()),
        };
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

    #[track_caller]
    fn check(a: &str, b: &str, want: Ordering) {
        super::super::assert_order(compare, a, b, want);
    }

    #[test]
    fn published_ordering() {
        // apk-tools test/version.data and the Alpine package policy.
        let cases = [
            ("1.0-r1", "1.0-r10", Less),
            ("1.0-r9", "1.0-r10", Less),
            ("1.0", "1.0-r0", Less),
            ("1.0-r0", "1.0-r1", Less),
            ("1.0_alpha", "1.0", Less),
            ("1.0_alpha", "1.0_beta", Less),
            ("1.0_beta", "1.0_pre", Less),
            ("1.0_pre", "1.0_rc", Less),
            ("1.0_rc", "1.0", Less),
            ("1.0_rc1", "1.0_rc2", Less),
            ("1.0_rc10", "1.0_rc2", Greater),
            ("1.0", "1.0_cvs", Less),
            ("1.0_cvs", "1.0_svn", Less),
            ("1.0_svn", "1.0_git", Less),
            ("1.0_git", "1.0_hg", Less),
            ("1.0_hg", "1.0_p", Less),
            ("1.0_p1", "1.0_p2", Less),
            ("1.0_p1", "1.0.1", Less),
            ("1.0_rc1", "1.0.1_alpha", Less),
            ("1.0", "1.0.1", Less),
            ("1.0", "1.0a", Less),
            ("1.0a", "1.0b", Less),
            ("1.0z", "1.0.1", Less),
            ("1.0a", "1.0_p1", Greater),
            ("1.2.3", "1.2.3", Equal),
            ("1.2.3-r0", "1.2.3-r0", Equal),
            ("1.10", "1.9", Greater),
            ("1.01", "1.1", Less),
            ("1.001", "1.01", Less),
            ("2.0", "10.0", Less),
            ("3.1.4-r5", "3.1.4-r4", Greater),
            ("3.1.4_p1-r0", "3.1.4-r5", Greater),
            ("3.1.4_rc1-r9", "3.1.4-r0", Less),
            ("1.36.1-r15", "1.36.1-r2", Greater),
            ("3.0.12-r1", "3.0.13-r0", Less),
            ("0.9.8k-r0", "0.9.8j-r9", Greater),
            ("1.0_alpha1", "1.0_alpha", Greater),
            ("1.0_p", "1.0_p0", Equal),
            ("1.0-r1~abc", "1.0-r1", Equal),
            ("20230101", "20221231", Greater),
        ];
        for (a, b, want) in cases {
            check(a, b, want);
        }
    }
}
