//! Splits a POSIX shell script (a `RUN` line or heredoc) into simple commands, so checks can
//! ask "is there an `apt-get install` without `--no-install-recommends`" without regexes.
//!
//! Understands quoting (`'...'`, `"..."`, backslash), the operators `&&`, `||`, `;`, `|`,
//! `&`, newlines, grouping with `( )` and `{ }`, comments, redirections, and leading variable
//! assignments. Command substitutions (`$(...)`, backticks) stay inside their word; their
//! commands are not analysed.

use stockade_model::Pos;

/// One word of a command, with quotes removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word's value (quotes and escapes removed).
    pub text: String,
    /// Where the word starts in the Dockerfile.
    pub pos: Pos,
}

/// A simple command: a program and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// Words, without leading `VAR=value` assignments and redirections.
    pub words: Vec<Word>,
    /// Commands joined by `|` share a pipeline number.
    pub pipeline: usize,
    /// Index of this command inside its pipeline (0 for the first).
    pub stage: usize,
}

/// Programs that run the command given as their arguments.
const WRAPPERS: &[&str] = &[
    "sudo", "env", "exec", "command", "time", "nohup", "nice", "stdbuf", "gosu", "su-exec",
];

impl Command {
    /// The program name (`/usr/bin/apt-get` gives `apt-get`), looking through `sudo`, `env`,
    /// `exec` and similar wrappers.
    pub fn program(&self) -> &str {
        self.args_from(0).first().map_or("", |w| basename(&w.text))
    }

    /// The words from the program on (wrappers and their options skipped).
    pub fn effective(&self) -> &[Word] {
        self.args_from(0)
    }

    fn args_from(&self, mut i: usize) -> &[Word] {
        while i < self.words.len() {
            let name = basename(&self.words[i].text);
            if !WRAPPERS.contains(&name) {
                return &self.words[i..];
            }
            i += 1;
            // Options of the wrapper (and `sudo -u user`, `gosu user`, `env A=b`).
            while i < self.words.len() {
                let w = &self.words[i].text;
                if w.starts_with('-') {
                    let takes_value = matches!(name, "sudo") && matches!(w.as_str(), "-u" | "-g")
                        || name == "nice" && w == "-n";
                    i += 1 + usize::from(takes_value);
                } else if name == "env" && w.contains('=') {
                    i += 1;
                } else if matches!(name, "gosu" | "su-exec") {
                    i += 1;
                    break;
                } else {
                    break;
                }
            }
        }
        &[]
    }

    /// The words after the program (its arguments).
    pub fn args(&self) -> &[Word] {
        self.effective().get(1..).unwrap_or(&[])
    }

    /// True when an argument equals one of `flags` (`-y`, `--yes`), also inside combined short
    /// flags (`-qy`) when the flag is a single letter.
    pub fn has_flag(&self, flags: &[&str]) -> bool {
        self.args().iter().any(|w| {
            let t = w.text.as_str();
            flags.iter().any(|f| {
                t == *f
                    || (f.len() == 2
                        && f.starts_with('-')
                        && t.starts_with('-')
                        && !t.starts_with("--")
                        && t[1..].contains(&f[1..]))
                    || (f.starts_with("--") && t.starts_with(f) && t[f.len()..].starts_with('='))
            })
        })
    }

    /// The first argument that is not an option: `install` in `apt-get -q install x`.
    pub fn subcommand(&self) -> Option<&Word> {
        self.args().iter().find(|w| !w.text.starts_with('-'))
    }
}

/// The last path component.
pub fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// Splits `script` into simple commands. `pos` maps a byte offset of `script` to its place in
/// the Dockerfile.
pub fn split(script: &str, pos: &dyn Fn(usize) -> Pos) -> Vec<Command> {
    let b = script.as_bytes();
    let mut out = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut pipeline = 0;
    let mut stage = 0;
    let mut i = 0;
    let mut skip_next_word = false; // the target of a redirection
    let flush = |words: &mut Vec<Word>, out: &mut Vec<Command>, pipeline, stage| {
        // Leading assignments (`DEBIAN_FRONTEND=noninteractive apt-get ...`) are not the program.
        let first = words
            .iter()
            .position(|w| !is_assignment(&w.text))
            .unwrap_or(words.len());
        if first < words.len() {
            out.push(Command {
                words: words.split_off(first),
                pipeline,
                stage,
            });
        }
        words.clear();
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\n' | b';' | b'&' | b'|' | b'(' | b')' => {
                let two = b.get(i + 1).copied();
                let is_pipe = c == b'|' && two != Some(b'|');
                if c == b'&' && two == Some(b'>') {
                    // `&>file`: a redirection.
                    i += 2;
                    skip_next_word = true;
                    continue;
                }
                flush(&mut words, &mut out, pipeline, stage);
                if is_pipe {
                    stage += 1;
                } else {
                    pipeline += 1;
                    stage = 0;
                }
                i += if matches!(
                    (c, two),
                    (b'&', Some(b'&')) | (b'|', Some(b'|')) | (b';', Some(b';'))
                ) {
                    2
                } else {
                    1
                };
            }
            b'<' | b'>' => {
                // Redirection: `>file`, `2>&1`, `>>file`, `<<EOF` (its body is not a command).
                let mut j = i;
                while j < b.len() && matches!(b[j], b'<' | b'>' | b'&' | b'-') {
                    j += 1;
                }
                // `2>&1` and `>&2`: the target is a digit glued to the operator.
                if b[j - 1] == b'&' && j < b.len() && b[j].is_ascii_digit() {
                    while j < b.len() && b[j].is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                    continue;
                }
                i = j;
                skip_next_word = true;
            }
            _ => {
                let start = i;
                let (text, end) = read_word(script, i);
                i = end;
                // A file-descriptor number before a redirection (`2>`) is not a word.
                if i < b.len()
                    && matches!(b[i], b'<' | b'>')
                    && text.bytes().all(|x| x.is_ascii_digit())
                {
                    continue;
                }
                if skip_next_word {
                    skip_next_word = false;
                    continue;
                }
                if words.is_empty()
                    && matches!(
                        text.as_str(),
                        "{" | "}"
                            | "!"
                            | "then"
                            | "do"
                            | "else"
                            | "elif"
                            | "if"
                            | "while"
                            | "until"
                    )
                {
                    // Keywords before a command: the command follows.
                    continue;
                }
                if words.is_empty() && matches!(text.as_str(), "fi" | "done" | "esac") {
                    continue;
                }
                if text == "}" {
                    flush(&mut words, &mut out, pipeline, stage);
                    continue;
                }
                words.push(Word {
                    text,
                    pos: pos(start),
                });
            }
        }
    }
    flush(&mut words, &mut out, pipeline, stage);
    out
}

fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !name.as_bytes()[0].is_ascii_digit()
        }
        None => false,
    }
}

/// Reads one shell word starting at `i`; returns its unquoted text and the end offset.
fn read_word(s: &str, mut i: usize) -> (String, usize) {
    let b = s.as_bytes();
    let mut out = String::new();
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => break,
            b'\\' => {
                if b.get(i + 1) == Some(&b'\n') {
                    i += 2;
                    continue;
                }
                if let Some(c) = s[i + 1..].chars().next() {
                    out.push(c);
                    i += 1 + c.len_utf8();
                } else {
                    i += 1;
                }
            }
            b'\'' => {
                let end = s[i + 1..].find('\'').map_or(b.len(), |e| i + 1 + e);
                out.push_str(&s[i + 1..end]);
                i = (end + 1).min(b.len());
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\'
                        && i + 1 < b.len()
                        && matches!(b[i + 1], b'"' | b'\\' | b'$' | b'`')
                    {
                        out.push(b[i + 1] as char);
                        i += 2;
                        continue;
                    }
                    if b[i] == b'\\' && b.get(i + 1) == Some(&b'\n') {
                        i += 2;
                        continue;
                    }
                    let c = s[i..].chars().next().unwrap_or(' ');
                    out.push(c);
                    i += c.len_utf8();
                }
                i = (i + 1).min(b.len());
            }
            b'$' if b.get(i + 1) == Some(&b'(') => {
                // Command or arithmetic substitution: keep it whole, balanced.
                let start = i;
                let mut depth = 0;
                while i < b.len() {
                    match b[i] {
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                out.push_str(&s[start..i]);
            }
            b'`' => {
                let end = s[i + 1..].find('`').map_or(b.len(), |e| i + 2 + e);
                out.push_str(&s[i..end.min(b.len())]);
                i = end.min(b.len());
            }
            _ => {
                let c = s[i..].chars().next().unwrap_or(' ');
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    (out, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmds(s: &str) -> Vec<(Vec<String>, usize, usize)> {
        split(s, &|o| Pos {
            line: 1,
            col: o as u32 + 1,
        })
        .into_iter()
        .map(|c| {
            (
                c.words.iter().map(|w| w.text.clone()).collect(),
                c.pipeline,
                c.stage,
            )
        })
        .collect()
    }

    fn w(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn operators_quotes_and_pipelines() {
        assert_eq!(
            cmds(
                "set -eux; apt-get update && apt-get install -y \"curl\" 'ca-certificates' || true"
            ),
            vec![
                (w(&["set", "-eux"]), 0, 0),
                (w(&["apt-get", "update"]), 1, 0),
                (
                    w(&["apt-get", "install", "-y", "curl", "ca-certificates"]),
                    2,
                    0
                ),
                (w(&["true"]), 3, 0),
            ]
        );
        assert_eq!(
            cmds("curl -fsSL https://x.sh | sudo bash -s -- 2>&1 >/dev/null"),
            vec![
                (w(&["curl", "-fsSL", "https://x.sh"]), 0, 0),
                (w(&["sudo", "bash", "-s", "--"]), 0, 1),
            ]
        );
    }

    #[test]
    fn assignments_groups_comments_and_substitutions() {
        assert_eq!(
            cmds(
                "DEBIAN_FRONTEND=noninteractive apt-get install x # a comment ; rm -rf /\n( cd /tmp && make ) ; { echo $(date | cut -c1); }"
            ),
            vec![
                (w(&["apt-get", "install", "x"]), 0, 0),
                (w(&["cd", "/tmp"]), 2, 0),
                (w(&["make"]), 3, 0),
                (w(&["echo", "$(date | cut -c1)"]), 5, 0),
            ]
        );
        assert_eq!(
            cmds("if [ -f a ]; then rm a; fi"),
            vec![(w(&["[", "-f", "a", "]"]), 0, 0), (w(&["rm", "a"]), 1, 0)]
        );
    }

    #[test]
    fn wrappers_and_flags() {
        let c = &split(
            "sudo -u root env A=1 /usr/bin/apt-get -qy install x",
            &|_| Pos { line: 1, col: 1 },
        )[0];
        assert_eq!(c.program(), "apt-get");
        assert!(c.has_flag(&["-y"]));
        assert!(!c.has_flag(&["--no-install-recommends"]));
        assert_eq!(c.subcommand().unwrap().text, "install");
        let pos = split("a  b", &|o| Pos {
            line: 3,
            col: o as u32 + 5,
        });
        assert_eq!(pos[0].words[1].pos, Pos { line: 3, col: 8 });
    }
}
