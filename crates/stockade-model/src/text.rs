//! `format!` with the result allocated once, at its exact length.
//!
//! `format!` starts a `String` whose first piece is an argument (`"{} has no ..."`) at capacity
//! zero and doubles it as it writes: three or four reallocations for a typical finding message
//! or field path, on every finding. [`exact`] writes into a buffer kept per thread and copies
//! the result out once. The text is the same as `format!`'s.

use std::cell::Cell;
use std::fmt::{self, Write as _};

/// A buffer larger than this after a call is dropped rather than kept for the next one.
const KEEP: usize = 16 * 1024;

thread_local! {
    static BUF: Cell<String> = const { Cell::new(String::new()) };
}

/// The text of `args`, in a `String` whose capacity is its length. Use through
/// [`format_exact!`](crate::format_exact).
pub fn exact(args: fmt::Arguments<'_>) -> String {
    if let Some(s) = args.as_str() {
        return s.to_owned();
    }
    // Taken out, not borrowed: an argument's `Display` may call this again (it then finds an
    // empty buffer and grows its own).
    let mut buf = BUF.take();
    buf.clear();
    buf.write_fmt(args)
        .expect("a formatting trait implementation returned an error");
    let out = String::from(buf.as_str());
    if buf.capacity() <= KEEP {
        BUF.set(buf);
    }
    out
}

/// As `format!`, with the `String` allocated once at its exact length ([`text::exact`](crate::text::exact)).
#[macro_export]
macro_rules! format_exact {
    ($($arg:tt)*) => {
        $crate::text::exact(::std::format_args!($($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::exact;

    struct Nested;
    impl std::fmt::Display for Nested {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&crate::format_exact!("in{}", "ner"))
        }
    }

    #[test]
    fn same_text_as_format_at_exact_capacity() {
        let name = "app";
        let cases = [
            (
                crate::format_exact!("{name} has no limits"),
                format!("{name} has no limits"),
            ),
            (crate::format_exact!("plain"), "plain".to_string()),
            (crate::format_exact!("{}", ""), String::new()),
            (
                crate::format_exact!("{:>6}|{:?}", 42, "q\""),
                format!("{:>6}|{:?}", 42, "q\""),
            ),
            (crate::format_exact!("[{}]", Nested), "[inner]".to_string()),
            (
                crate::format_exact!("{}", "x".repeat(40_000)),
                "x".repeat(40_000),
            ),
            (
                crate::format_exact!("after {}", "big"),
                "after big".to_string(),
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
            assert_eq!(got.capacity(), got.len(), "{got:.40}");
        }
        assert_eq!(exact(format_args!("{}-{}", 1, 2)), "1-2");
    }
}
