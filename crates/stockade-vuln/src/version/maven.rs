//! Maven versions, ordered as Maven's `ComparableVersion` (3.9) does: the version splits at
//! `.`, `-` and digit/letter transitions into numbers and qualifiers; `-` and transitions open
//! a sub-list; trailing "null" items (0, empty, `ga`, `final`, `release`) are dropped from each
//! list. Known qualifiers order `alpha < beta < milestone < rc = cr < snapshot < "" = ga =
//! final = release < sp`; unknown qualifiers sort after them, alphabetically. A number beats a
//! qualifier or a sub-list; a sub-list beats a qualifier.

use std::cmp::Ordering;

#[derive(Debug, Clone)]
enum Item {
    Int(String),
    Str(String),
    List(Vec<Item>),
}

const QUALIFIERS: &[&str] = &["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

fn comparable(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn string_item(s: &str, followed_by_digit: bool) -> Item {
    let s = if followed_by_digit && s.len() == 1 {
        match s {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            o => o,
        }
    } else {
        s
    };
    let s = match s {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        o => o,
    };
    Item::Str(s.to_string())
}

fn parse_item(digit: bool, s: &str) -> Item {
    if digit {
        Item::Int(s.trim_start_matches('0').to_string())
    } else {
        string_item(s, false)
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(n) => n.is_empty(),
            Item::Str(s) => s.is_empty(),
            Item::List(l) => l.is_empty(),
        }
    }

    fn cmp_null(&self) -> Ordering {
        match self {
            Item::Int(n) => {
                if n.is_empty() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            Item::Str(s) => comparable(s).cmp(&comparable("")),
            // Every item counts (MNG-6964: 1-0.alpha < 1).
            Item::List(l) => l
                .iter()
                .map(Item::cmp_null)
                .find(|c| *c != Ordering::Equal)
                .unwrap_or(Ordering::Equal),
        }
    }

    fn compare(&self, other: &Item) -> Ordering {
        match (self, other) {
            (Item::Int(a), Item::Int(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            (Item::Int(_), _) => Ordering::Greater,
            (Item::Str(_), Item::Int(_)) => Ordering::Less,
            (Item::Str(a), Item::Str(b)) => comparable(a).cmp(&comparable(b)),
            (Item::Str(_), Item::List(_)) => Ordering::Less,
            (Item::List(_), Item::Int(_)) => Ordering::Less,
            (Item::List(_), Item::Str(_)) => Ordering::Greater,
            (Item::List(a), Item::List(b)) => cmp_lists(a, b),
        }
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let c = match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => x.compare(y),
            (Some(x), None) => x.cmp_null(),
            (None, Some(y)) => y.cmp_null().reverse(),
            (None, None) => Ordering::Equal,
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

fn normalize(list: &mut Vec<Item>) {
    // From the end: drop null items, step over non-null sub-lists, stop at anything else.
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

/// Parses into nested lists: a stack of open lists, each new list appended to its parent.
fn parse(v: &str) -> Vec<Item> {
    let v = v.trim().to_ascii_lowercase();
    // Paths from the root to the list items are added to.
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let mut digit = false;
    let mut start = 0;
    let b = v.as_bytes();
    let close_into_new = |stack: &mut Vec<Vec<Item>>| stack.push(Vec::new());
    for i in 0..b.len() {
        let c = b[i];
        if c == b'.' {
            let top = stack.last_mut().expect("stack never empty");
            if i == start {
                top.push(Item::Int(String::new()));
            } else {
                top.push(parse_item(digit, &v[start..i]));
            }
            start = i + 1;
        } else if c == b'-' {
            let top = stack.last_mut().expect("stack never empty");
            if i == start {
                top.push(Item::Int(String::new()));
            } else {
                top.push(parse_item(digit, &v[start..i]));
            }
            start = i + 1;
            close_into_new(&mut stack);
        } else if c.is_ascii_digit() {
            if !digit && i > start {
                let top = stack.last_mut().expect("stack never empty");
                top.push(string_item(&v[start..i], true));
                start = i;
                close_into_new(&mut stack);
            }
            digit = true;
        } else {
            if digit && i > start {
                let top = stack.last_mut().expect("stack never empty");
                top.push(parse_item(true, &v[start..i]));
                start = i;
                close_into_new(&mut stack);
            }
            digit = false;
        }
    }
    if b.len() > start {
        let top = stack.last_mut().expect("stack never empty");
        top.push(parse_item(digit, &v[start..]));
    }
    // Fold the stack: each list is the last item of the one below it.
    while stack.len() > 1 {
        let mut l = stack.pop().expect("len > 1");
        normalize(&mut l);
        stack.last_mut().expect("len >= 1").push(Item::List(l));
    }
    let mut root = stack.pop().unwrap_or_default();
    normalize(&mut root);
    root
}

/// Compares two Maven versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    cmp_lists(&parse(a), &parse(b))
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
    fn comparable_version_test_suite() {
        // maven-artifact's ComparableVersionTest VERSIONS_QUALIFIER, in increasing order.
        let qualifier = [
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ];
        for (i, a) in qualifier.iter().enumerate() {
            for b in &qualifier[i + 1..] {
                check(a, b, Less);
            }
        }
        // VERSIONS_NUMBER, in increasing order.
        let number = [
            "2.0", "2-1", "2.0.a", "2.0.0.a", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b",
            "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11",
            "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m",
        ];
        for (i, a) in number.iter().enumerate() {
            for b in &number[i + 1..] {
                check(a, b, Less);
            }
        }
        let pairs = [
            ("1.0-alpha-1", "1.0"),
            ("1.0-alpha-1", "1.0-alpha-2"),
            ("1.0-alpha-1", "1.0-beta-1"),
            ("1.0-beta-1", "1.0-SNAPSHOT"),
            ("1.0-SNAPSHOT", "1.0"),
            ("1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"),
            ("1.0", "1.0-1"),
            ("1.0-1", "1.0-2"),
            ("1.0.0", "1.0-1"),
            ("2.0-1", "2.0.1"),
            ("2.0.1-klm", "2.0.1-lmn"),
            ("2.0.1", "2.0.1-xyz"),
            ("2.0.1", "2.0.1-123"),
            ("2.0.1-xyz", "2.0.1-123"),
            ("1.0.1", "1.1"),
            ("2.13.4", "2.13.4.2"),
            ("2.9.10.8", "2.10.0"),
            // MNG-5568, MNG-6572, MNG-6964.
            ("6.1.0rc3", "6.1.0"),
            ("6.1.0rc3", "6.1H.5-beta"),
            ("6.1.0", "6.1H.5-beta"),
            ("20190126.230843", "1234567890.12345"),
            ("1234567890.12345", "123456789012345.1H.5-beta"),
            (
                "123456789012345.1H.5-beta",
                "12345678901234567890.1H.5-beta",
            ),
            ("1-0.alpha", "1"),
            ("1-0.beta", "1"),
            ("1-0.alpha", "1-0.beta"),
        ];
        for (a, b) in pairs {
            check(a, b, Less);
        }
        let equal = [
            ("1", "1.0"),
            ("1", "1.0.0"),
            ("1.0", "1.0.0"),
            ("1", "1-0"),
            ("1", "1.0-0"),
            ("1.0", "1.0-0"),
            ("1a", "1-a"),
            ("1a", "1.0-a"),
            ("1a", "1.0.0-a"),
            ("1.0a", "1-a"),
            ("1.0.0a", "1-a"),
            ("1x", "1-x"),
            ("1x", "1.0.0-x"),
            ("1.0x", "1-x"),
            ("1ga", "1"),
            ("1release", "1"),
            ("1final", "1"),
            ("1cr", "1rc"),
            ("1a1", "1-alpha-1"),
            ("1b2", "1-beta-2"),
            ("1m3", "1-milestone-3"),
            ("1X", "1x"),
            ("1RELeaSE", "1"),
            ("1FINAL", "1"),
            ("1cR", "1rC"),
            ("1m3", "1MILESTONE3"),
            ("0000000000000000001", "1"),
            ("000", "0"),
            ("2.17.1.Final", "2.17.1"),
        ];
        for (a, b) in equal {
            check(a, b, Equal);
        }
    }
}
