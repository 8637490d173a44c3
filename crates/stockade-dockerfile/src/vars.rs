//! Variable substitution as BuildKit does it in `FROM` and other instructions: `$VAR`,
//! `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`,
//! `${VAR:?message}`, with the escape character protecting a `$`.

/// The result of expanding a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    /// The text with every variable replaced (an unknown variable becomes empty).
    pub text: String,
    /// Variables that were referenced but had no value and no default.
    pub unresolved: Vec<String>,
}

/// Expands variables in `s`; `lookup` gives a variable's value (`None` when it is not set,
/// `Some("")` when it is set to the empty string).
pub fn expand<'a>(s: &str, escape: char, lookup: impl Fn(&str) -> Option<&'a str>) -> Expanded {
    expand_dyn(s, escape, &lookup)
}

fn expand_dyn<'a>(s: &str, escape: char, lookup: &dyn Fn(&str) -> Option<&'a str>) -> Expanded {
    let mut out = String::with_capacity(s.len());
    let mut unresolved = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == escape && chars.get(i + 1) == Some(&'$') {
            out.push('$');
            i += 2;
            continue;
        }
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        match chars.get(i + 1) {
            Some('{') => {
                // Find the matching brace (defaults may hold nested `${...}`).
                let mut depth = 0;
                let mut j = i + 1;
                while j < chars.len() {
                    match chars[j] {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if j >= chars.len() {
                    // Unterminated: keep it literally.
                    out.extend(&chars[i..]);
                    break;
                }
                let inner: String = chars[i + 2..j].iter().collect();
                let name_end = inner
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(inner.len());
                let (name, op) = inner.split_at(name_end);
                let value = lookup(name);
                let (modifier, word) = if let Some(w) = op.strip_prefix(":-") {
                    (":-", w)
                } else if let Some(w) = op.strip_prefix(":+") {
                    (":+", w)
                } else if let Some(w) = op.strip_prefix(":?") {
                    (":?", w)
                } else if let Some(w) = op.strip_prefix('-') {
                    ("-", w)
                } else if let Some(w) = op.strip_prefix('+') {
                    ("+", w)
                } else if let Some(w) = op.strip_prefix('?') {
                    ("?", w)
                } else {
                    ("", op)
                };
                let nested = |w: &str, unresolved: &mut Vec<String>| {
                    let e = expand_dyn(w, escape, lookup);
                    unresolved.extend(e.unresolved);
                    e.text
                };
                match modifier {
                    ":-" => match value {
                        Some(v) if !v.is_empty() => out.push_str(v),
                        _ => out.push_str(&nested(word, &mut unresolved)),
                    },
                    "-" => match value {
                        Some(v) => out.push_str(v),
                        None => out.push_str(&nested(word, &mut unresolved)),
                    },
                    ":+" => {
                        if value.is_some_and(|v| !v.is_empty()) {
                            out.push_str(&nested(word, &mut unresolved));
                        }
                    }
                    "+" => {
                        if value.is_some() {
                            out.push_str(&nested(word, &mut unresolved));
                        }
                    }
                    _ => match value {
                        Some(v) => out.push_str(v),
                        None => unresolved.push(name.to_string()),
                    },
                }
                i = j + 1;
            }
            Some(&n) if n.is_ascii_alphabetic() || n == '_' => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                let name: String = chars[i + 1..j].iter().collect();
                match lookup(&name) {
                    Some(v) => out.push_str(v),
                    None => unresolved.push(name),
                }
                i = j;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    Expanded {
        text: out,
        unresolved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<&'static str> {
        match name {
            "TAG" => Some("1.22"),
            "EMPTY" => Some(""),
            _ => None,
        }
    }

    #[test]
    fn forms() {
        let e = |s: &str| expand(s, '\\', env);
        assert_eq!(e("golang:${TAG}").text, "golang:1.22");
        assert_eq!(e("golang:$TAG-alpine").text, "golang:1.22-alpine");
        assert_eq!(e("${NOPE:-debian}:12").text, "debian:12");
        assert_eq!(e("${EMPTY:-x}").text, "x");
        assert_eq!(e("${EMPTY-x}").text, "");
        assert_eq!(e("a${TAG:+-b}").text, "a-b");
        assert_eq!(e("a${NOPE:+-b}").text, "a");
        assert_eq!(e("${NOPE:-${TAG}}").text, "1.22");
        assert_eq!(e("\\$TAG").text, "$TAG");
        let u = e("img:${NOPE}");
        assert_eq!(
            (u.text.as_str(), u.unresolved),
            ("img:", vec!["NOPE".to_string()])
        );
        assert_eq!(e("cost $5").text, "cost $5");
    }
}
