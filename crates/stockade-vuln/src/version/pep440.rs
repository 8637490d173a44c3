//! Python package versions, ordered as PEP 440 (and `packaging.version`) does:
//! `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, with the normalisations the PEP lists
//! (`alpha`/`beta`/`c`/`pre`/`preview`, `-N` as a post-release, `rev`/`r`, separators `.`, `-`,
//! `_`, implicit numbers, case, a leading `v`). Order: epoch, release (trailing zeros ignored),
//! then dev-release < pre-release < release < post-release, and local versions after the
//! public one they extend.

use std::cmp::Ordering;

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
enum LocalPart {
    // Strings sort before numbers in local versions.
    Str(String),
    Num(u64),
}

/// A parsed version's sort key.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    epoch: u64,
    release: Vec<u64>,
    /// (phase, number): dev-only releases are (-1, 0), pre-releases 0..=2, finals 3.
    pre: (i8, u64),
    /// None sorts before Some.
    post: Option<u64>,
    /// `dev` sorts before everything at its place; no dev is the maximum.
    dev: (bool, u64),
    local: Vec<LocalPart>,
}

fn num(s: &str) -> (u64, &str) {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    (s[..n].parse().unwrap_or(0), &s[n..])
}

fn strip_sep(s: &str) -> &str {
    s.strip_prefix(['.', '-', '_']).unwrap_or(s)
}

fn key(v: &str) -> Key {
    let lower = v.trim().to_ascii_lowercase();
    let (public, local) = match lower.split_once('+') {
        Some((p, l)) => (p, Some(l)),
        None => (lower.as_str(), None),
    };
    let mut s = public.strip_prefix('v').unwrap_or(public);
    let mut epoch = 0;
    if let Some((e, r)) = s.split_once('!')
        && !e.is_empty()
        && e.bytes().all(|b| b.is_ascii_digit())
    {
        epoch = e.parse().unwrap_or(0);
        s = r;
    }
    let mut release = Vec::new();
    loop {
        let (n, rest) = num(s);
        if rest.len() == s.len() {
            break;
        }
        release.push(n);
        s = rest;
        match s.strip_prefix('.') {
            Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => s = r,
            _ => break,
        }
    }
    while release.len() > 1 && release.last() == Some(&0) {
        release.pop();
    }
    let mut pre = None;
    let mut post = None;
    let mut dev = None;
    // Pre-release.
    let t = strip_sep(s);
    for (word, phase) in [
        ("alpha", 0),
        ("beta", 1),
        ("preview", 2),
        ("pre", 2),
        ("rc", 2),
        ("a", 0),
        ("b", 1),
        ("c", 2),
    ] {
        if let Some(r) = t.strip_prefix(word) {
            let (n, r) = num(strip_sep(r));
            pre = Some((phase, n));
            s = r;
            break;
        }
    }
    // Post-release: `.post1`, `-1`, `.rev1`, `.r1`.
    let t = strip_sep(s);
    let mut matched = false;
    for word in ["post", "rev", "r"] {
        if let Some(r) = t.strip_prefix(word) {
            let (n, r) = num(strip_sep(r));
            post = Some(n);
            s = r;
            matched = true;
            break;
        }
    }
    if !matched
        && let Some(r) = s.strip_prefix('-')
        && r.starts_with(|c: char| c.is_ascii_digit())
    {
        let (n, r) = num(r);
        post = Some(n);
        s = r;
    }
    // Development release.
    let t = strip_sep(s);
    if let Some(r) = t.strip_prefix("dev") {
        let (n, _) = num(strip_sep(r));
        dev = Some(n);
    }
    let pre = match (pre, post, dev) {
        (Some(p), _, _) => p,
        // 1.0.dev0 sorts before 1.0a0.
        (None, None, Some(_)) => (-1, 0),
        _ => (3, 0),
    };
    let local = local
        .map(|l| {
            l.split(['.', '-', '_'])
                .map(|p| match p.parse() {
                    Ok(n) if p.bytes().all(|b| b.is_ascii_digit()) => LocalPart::Num(n),
                    _ => LocalPart::Str(p.to_string()),
                })
                .collect()
        })
        .unwrap_or_default();
    Key {
        epoch,
        release,
        pre,
        post,
        dev: match dev {
            Some(n) => (false, n),
            None => (true, 0),
        },
        local,
    }
}

/// Compares two PEP 440 versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    key(a).cmp(&key(b))
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
    fn pep440_summary_ordering() {
        // The ordered list from PEP 440 "Summary of permitted suffixes and relative ordering".
        let chain = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        for (i, a) in chain.iter().enumerate() {
            for b in &chain[i + 1..] {
                check(a, b, Less);
            }
        }
    }

    #[test]
    fn normalisation_and_epochs() {
        let cases = [
            ("1!1.0", "2.0", Greater),
            ("1!0.1", "0!9.9", Greater),
            ("0!1.0", "1.0", Equal),
            ("1.0", "1.0.0", Equal),
            ("1.0.0.0", "1", Equal),
            ("1.0alpha1", "1.0a1", Equal),
            ("1.0-alpha.1", "1.0a1", Equal),
            ("1.0beta2", "1.0b2", Equal),
            ("1.0c1", "1.0rc1", Equal),
            ("1.0pre1", "1.0rc1", Equal),
            ("1.0preview1", "1.0rc1", Equal),
            ("1.0a", "1.0a0", Equal),
            ("1.0-1", "1.0.post1", Equal),
            ("1.0.rev1", "1.0.post1", Equal),
            ("1.0r1", "1.0.post1", Equal),
            ("1.0.post", "1.0.post0", Equal),
            ("1.0-dev2", "1.0.dev2", Equal),
            ("V1.0", "1.0", Equal),
            ("1.0RC1", "1.0rc1", Equal),
            ("2.10", "2.9", Greater),
            ("1.0+local", "1.0", Greater),
            ("1.0+1", "1.0+a", Greater),
            ("1.0+abc", "1.0+abc.1", Less),
            ("2.31.0", "2.32.0", Less),
            ("42.0.2", "42.0.8", Less),
            ("1.0rc1", "1.0.post1", Less),
        ];
        for (a, b, want) in cases {
            check(a, b, want);
        }
    }
}
