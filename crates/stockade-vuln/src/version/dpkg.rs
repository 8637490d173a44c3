//! Debian package versions, ordered as `dpkg --compare-versions` does (deb-version(7)):
//! `[epoch:]upstream[-revision]`; epochs compare numerically, then upstream and revision with
//! the same algorithm: non-digit runs character by character (`~` before everything, even the
//! end; letters before non-letters), digit runs numerically.

use std::cmp::Ordering;

/// Splits `[epoch:]upstream[-revision]`. A missing epoch is 0, a missing revision is empty.
fn split(v: &str) -> (u64, &str, &str) {
    let v = v.trim();
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => {
            (e.parse().unwrap_or(u64::MAX), r)
        }
        _ => (0, v),
    };
    match rest.rfind('-') {
        Some(i) => (epoch, &rest[..i], &rest[i + 1..]),
        None => (epoch, rest, ""),
    }
}

fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`.
fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = order(a.get(i).copied().filter(|c| !c.is_ascii_digit()));
            let bc = order(b.get(j).copied().filter(|c| !c.is_ascii_digit()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            if i < a.len() && !a[i].is_ascii_digit() {
                i += 1;
            }
            if j < b.len() && !b[j].is_ascii_digit() {
                j += 1;
            }
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        let si = i;
        let sj = j;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let (da, db) = (&a[si..i], &b[sj..j]);
        let c = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

/// Compares two Debian versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (ea, ua, ra) = split(a);
    let (eb, ub, rb) = split(b);
    ea.cmp(&eb)
        .then_with(|| verrevcmp(ua, ub))
        .then_with(|| verrevcmp(ra, rb))
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
        // From deb-version(7), Debian Policy 5.6.12 and dpkg's t/dpkg_version.t.
        let cases = [
            ("1.0~rc1", "1.0", Less),
            ("1:0.1", "2.0", Greater),
            ("1.0~", "1.0", Less),
            ("1.0~~", "1.0~", Less),
            ("1.0~~a", "1.0~~", Greater),
            ("1.0~", "1.0~a", Less),
            ("1.0", "1.0a", Less),
            ("1.0a", "1.0+", Less),
            ("1.0+", "1.0.", Less),
            ("1.0", "1.0-0", Equal),
            ("1.0", "1.0-1", Less),
            ("1.0-1", "1.0-1~bpo1", Greater),
            ("1.0-1", "1.0-1+b1", Less),
            ("1.0-1+deb12u1", "1.0-1+deb12u2", Less),
            ("1.0-1+deb12u2", "1.0-1+deb12u10", Less),
            ("0:1.0", "1.0", Equal),
            ("1:1.0", "1.0", Greater),
            ("2:0.1", "1:9.9", Greater),
            ("1.2.3", "1.2.3", Equal),
            ("1.2.3", "1.2.10", Less),
            ("1.02", "1.2", Equal),
            ("1.002.0", "1.2", Greater),
            ("a", "b", Less),
            ("1.0-a", "1.0-b", Less),
            ("1.0-1ubuntu1", "1.0-1", Greater),
            ("3.0.11-1~deb12u2", "3.0.11-1", Less),
            ("3.0.11-1~deb12u2", "3.0.11-1~deb12u1", Greater),
            ("2.36-9+deb12u4", "2.36-9+deb12u3", Greater),
            ("1.0-2-1", "1.0-2", Greater), // upstream may contain hyphens
            ("1.0-2-1", "1.0-3", Greater), // upstream 1.0-2 > 1.0
            ("1:1.0-1", "1:1.0-1", Equal),
            ("9", "10", Less),
            ("1.0.0", "1.0", Greater),
            ("1.0", "1.0.", Less),
            ("7.88.1-10+deb12u5", "7.88.1-10+deb12u12", Less),
            ("1.0+dfsg-1", "1.0-1", Greater),
            ("1.0+dfsg1-1", "1.0+dfsg-1", Greater),
            ("0.9.8", "0.9.10", Less),
            ("1.18.0-6.1", "1.18.0-6", Greater),
            ("", "0", Equal),
        ];
        for (a, b, want) in cases {
            check(a, b, want);
        }
    }
}
