//! Each ecosystem's own version order. One module per scheme, each tested against the
//! published rules; [`Scheme::compare`] picks the right one.

pub mod apk;
pub mod dpkg;
pub mod golang;
pub mod maven;
pub mod pep440;
pub mod rpm;
pub mod rubygems;
pub mod semver;

use std::cmp::Ordering;

/// A version ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Debian and Ubuntu (`dpkg --compare-versions`).
    Dpkg,
    /// Alpine (apk-tools).
    Apk,
    /// RPM distributions (`rpmvercmp`).
    Rpm,
    /// Semantic Versioning 2.0.0 (npm, crates.io, OSV `SEMVER` ranges).
    Semver,
    /// PEP 440 (PyPI).
    Pep440,
    /// Maven's ComparableVersion.
    Maven,
    /// Go modules (semver with `v`, pseudo-versions, `+incompatible`).
    Go,
    /// RubyGems.
    RubyGems,
}

impl Scheme {
    /// Compares `a` with `b` in this ordering. Total on any input: odd strings never panic.
    pub fn compare(self, a: &str, b: &str) -> Ordering {
        match self {
            Scheme::Dpkg => dpkg::compare(a, b),
            Scheme::Apk => apk::compare(a, b),
            Scheme::Rpm => rpm::compare(a, b),
            Scheme::Semver => semver::compare(a, b),
            Scheme::Pep440 => pep440::compare(a, b),
            Scheme::Maven => maven::compare(a, b),
            Scheme::Go => golang::compare(a, b),
            Scheme::RubyGems => rubygems::compare(a, b),
        }
    }
}

/// Asserts `compare(a, b) == want` and the reverse, for every scheme's tests.
#[cfg(test)]
#[track_caller]
pub(crate) fn assert_order(compare: fn(&str, &str) -> Ordering, a: &str, b: &str, want: Ordering) {
    assert_eq!(compare(a, b), want, "{a} vs {b}");
    assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
}

#[cfg(test)]
mod tests {
    use super::Scheme;
    use std::cmp::Ordering::*;

    #[test]
    fn tricky_cases_from_the_issue() {
        assert_eq!(Scheme::Dpkg.compare("1.0~rc1", "1.0"), Less);
        assert_eq!(Scheme::Dpkg.compare("1:0.1", "2.0"), Greater);
        assert_eq!(Scheme::Apk.compare("1.0-r1", "1.0-r10"), Less);
        assert_eq!(Scheme::Rpm.compare("1.0^", "1.0"), Greater);
        assert_eq!(Scheme::Rpm.compare("1.0~", "1.0"), Less);
        assert_eq!(Scheme::Dpkg.compare("1.0~", "1.0"), Less);
    }

    #[test]
    fn odd_input_never_panics() {
        let odd = [
            "", ":", "-", "~", "^", "+", "1:", ":1", "-r", "_", "!", "..", "v", "a-b-c", "\u{e9}1",
        ];
        for s in [
            Scheme::Dpkg,
            Scheme::Apk,
            Scheme::Rpm,
            Scheme::Semver,
            Scheme::Pep440,
            Scheme::Maven,
            Scheme::Go,
            Scheme::RubyGems,
        ] {
            for a in odd {
                for b in odd {
                    assert_eq!(
                        s.compare(a, b),
                        s.compare(b, a).reverse(),
                        "{s:?} {a:?} {b:?}"
                    );
                }
            }
        }
    }
}
