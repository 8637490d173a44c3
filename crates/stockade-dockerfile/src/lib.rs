//! A Dockerfile parser that keeps source positions, for linting.
//!
//! It reads what BuildKit reads: parser directives (`# escape=`, `# syntax=`, `# check=`),
//! line continuations with the escape character (comment and blank lines inside a
//! continuation are dropped), heredocs (`<<EOF`, `<<-EOF`, quoted delimiters, several per
//! line), exec (JSON) and shell forms, `--flags`, stages with `AS name`, and `ARG`s declared
//! before the first `FROM` substituted into `FROM`. Every instruction, flag and word carries
//! its line and column. Bad lines become [`ParseError`]s and the rest of the file is still
//! parsed. `RUN` scripts split into simple commands with [`shell::split`].
//!
//! Hand-written: the crates on crates.io that parse Dockerfiles either drop positions, do not
//! know heredocs and the escape directive, or are unmaintained.

pub mod shell;
pub mod vars;

use std::collections::HashMap;

pub use stockade_model::Pos;

/// A line the parser could not read; the rest of the file is still parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

/// The instructions BuildKit knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Kind {
    From,
    Run,
    Cmd,
    Label,
    Maintainer,
    Expose,
    Env,
    Add,
    Copy,
    Entrypoint,
    Volume,
    User,
    Workdir,
    Arg,
    Onbuild,
    Stopsignal,
    Healthcheck,
    Shell,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        Some(match s.to_ascii_uppercase().as_str() {
            "FROM" => Kind::From,
            "RUN" => Kind::Run,
            "CMD" => Kind::Cmd,
            "LABEL" => Kind::Label,
            "MAINTAINER" => Kind::Maintainer,
            "EXPOSE" => Kind::Expose,
            "ENV" => Kind::Env,
            "ADD" => Kind::Add,
            "COPY" => Kind::Copy,
            "ENTRYPOINT" => Kind::Entrypoint,
            "VOLUME" => Kind::Volume,
            "USER" => Kind::User,
            "WORKDIR" => Kind::Workdir,
            "ARG" => Kind::Arg,
            "ONBUILD" => Kind::Onbuild,
            "STOPSIGNAL" => Kind::Stopsignal,
            "HEALTHCHECK" => Kind::Healthcheck,
            "SHELL" => Kind::Shell,
            _ => return None,
        })
    }

    /// The instruction's name in upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::From => "FROM",
            Kind::Run => "RUN",
            Kind::Cmd => "CMD",
            Kind::Label => "LABEL",
            Kind::Maintainer => "MAINTAINER",
            Kind::Expose => "EXPOSE",
            Kind::Env => "ENV",
            Kind::Add => "ADD",
            Kind::Copy => "COPY",
            Kind::Entrypoint => "ENTRYPOINT",
            Kind::Volume => "VOLUME",
            Kind::User => "USER",
            Kind::Workdir => "WORKDIR",
            Kind::Arg => "ARG",
            Kind::Onbuild => "ONBUILD",
            Kind::Stopsignal => "STOPSIGNAL",
            Kind::Healthcheck => "HEALTHCHECK",
            Kind::Shell => "SHELL",
        }
    }
}

/// A parser directive at the top of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lower-cased name (`escape`, `syntax`, `check`).
    pub name: String,
    /// Value as written.
    pub value: String,
    /// Where the directive is.
    pub pos: Pos,
}

/// A comment line between instructions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Text after `#`, trimmed.
    pub text: String,
    /// Where the `#` is.
    pub pos: Pos,
}

/// A word of an instruction's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The text (for exec form, the decoded JSON string).
    pub text: String,
    /// Where it starts.
    pub pos: Pos,
}

/// A `--name=value` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Name without dashes, lower-cased.
    pub name: String,
    /// Value, when given.
    pub value: Option<String>,
    /// Where the flag starts.
    pub pos: Pos,
}

/// A heredoc attached to an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word.
    pub delimiter: String,
    /// `<<-`: leading tabs are stripped from the body.
    pub strip_tabs: bool,
    /// The delimiter was quoted (no variable expansion in the body).
    pub quoted: bool,
    /// Body lines, joined with `\n` (ending with one), as written.
    pub body: String,
    /// Line of the body's first line.
    pub body_line: u32,
}

/// One instruction.
#[derive(Debug, Clone)]
pub struct Instruction {
    /// Which instruction.
    pub kind: Kind,
    /// Where its keyword starts.
    pub pos: Pos,
    /// Last source line of the instruction (continuations and heredocs included).
    pub end_line: u32,
    /// Flags before the arguments.
    pub flags: Vec<Flag>,
    /// Heredocs, in order.
    pub heredocs: Vec<Heredoc>,
    /// Index of the stage it belongs to; `None` for `ARG`s before the first `FROM`.
    pub stage: Option<usize>,
    /// The instruction an `ONBUILD` triggers.
    pub onbuild: Option<Box<Instruction>>,
    text: String,
    segs: Vec<(usize, Pos)>,
    args_at: usize,
}

/// One build stage.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Position in the file, from 0.
    pub index: usize,
    /// `AS name`, lower-cased as BuildKit compares them.
    pub name: Option<String>,
    /// Where the name is written.
    pub name_pos: Option<Pos>,
    /// The base as written (`golang:${GO_VERSION}`).
    pub base: String,
    /// Where the base is written.
    pub base_pos: Pos,
    /// The base with build arguments substituted from their defaults; `None` when a variable
    /// has no default (its value is only known at build time).
    pub image: Option<String>,
    /// The earlier stage the base names, if it is one.
    pub base_stage: Option<usize>,
    /// Index of its `FROM` in [`Dockerfile::instructions`].
    pub from: usize,
    /// Indices of its instructions (its `FROM` first).
    pub instructions: std::ops::Range<usize>,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    /// The escape character (`\` unless `# escape=` says otherwise).
    pub escape: char,
    /// Parser directives.
    pub directives: Vec<Directive>,
    /// Instructions in order.
    pub instructions: Vec<Instruction>,
    /// Comment lines between instructions (not directives, not inside continuations).
    pub comments: Vec<Comment>,
    /// Stages in order.
    pub stages: Vec<Stage>,
    /// `ARG`s before the first `FROM`: name to default.
    pub global_args: Vec<(String, Option<String>)>,
    /// Lines that could not be parsed.
    pub errors: Vec<ParseError>,
}

impl Instruction {
    /// The arguments after the keyword and flags, continuations joined.
    pub fn args(&self) -> &str {
        &self.text[self.args_at..]
    }

    /// Where the arguments start.
    pub fn args_pos(&self) -> Pos {
        self.pos_at(self.args_at)
    }

    /// The whole logical line, keyword included.
    pub fn text(&self) -> &str {
        &self.text
    }

    fn pos_at(&self, offset: usize) -> Pos {
        let i = self
            .segs
            .partition_point(|(o, _)| *o <= offset)
            .saturating_sub(1);
        let (start, p) = self.segs.get(i).copied().unwrap_or((0, self.pos));
        let end = offset.min(self.text.len());
        let extra = self
            .text
            .get(start..end)
            .map_or(0, |s| s.chars().count() as u32);
        Pos {
            line: p.line,
            col: p.col + extra,
        }
    }

    /// A flag by name (`from`, `chown`, `platform`, `mount`).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// The arguments as an exec-form JSON array of strings, when they are one.
    pub fn exec_form(&self) -> Option<Vec<Word>> {
        let args = self.args();
        let trimmed = args.trim_start();
        if !trimmed.starts_with('[') {
            return None;
        }
        let values: Vec<String> = serde_json::from_str(args.trim()).ok()?;
        // Positions: find each string's opening quote in order.
        let mut at = self.args_at + (args.len() - trimmed.len());
        let mut out = Vec::with_capacity(values.len());
        for v in values {
            let rel = self.text[at..].find('"').map_or(0, |i| i + 1);
            let start = at + rel;
            out.push(Word {
                text: v,
                pos: self.pos_at(start.saturating_sub(1)),
            });
            // Skip to the closing quote.
            let mut j = start;
            let b = self.text.as_bytes();
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            at = (j + 1).min(self.text.len());
        }
        Some(out)
    }

    /// True when the arguments are in shell form (not a JSON array).
    pub fn is_shell_form(&self) -> bool {
        self.exec_form().is_none()
    }

    /// The arguments split on whitespace (quotes kept as written).
    pub fn words(&self) -> Vec<Word> {
        split_ws(self.args(), self.args_at, |o| self.pos_at(o))
    }

    /// `key=value` pairs of `ENV`, `LABEL` and `ARG` (quotes removed). The legacy
    /// `ENV key value` form gives one pair. `ARG name` without a value gives `None`.
    pub fn pairs(&self) -> Vec<(Word, Option<Word>)> {
        let args = self.args();
        let base = self.args_at;
        let mut out = Vec::new();
        let first = split_ws(args, base, |o| self.pos_at(o));
        if self.kind == Kind::Env && first.first().is_some_and(|w| !w.text.contains('=')) {
            // `ENV key value with spaces`
            let key = first[0].clone();
            let rest_at = args
                .find(key.text.as_str())
                .map_or(args.len(), |i| i + key.text.len());
            let rest = &args[rest_at..];
            let value_at = rest_at + (rest.len() - rest.trim_start().len());
            let value = Word {
                text: unquote(rest.trim()),
                pos: self.pos_at(base + value_at),
            };
            out.push((key, Some(value)));
            return out;
        }
        for w in quoted_words(args) {
            let (start, raw) = w;
            let pos = self.pos_at(base + start);
            match raw.find('=') {
                Some(eq) => {
                    let key = Word {
                        text: unquote(&raw[..eq]),
                        pos,
                    };
                    let value = Word {
                        text: unquote(&raw[eq + 1..]),
                        pos: self.pos_at(base + start + eq + 1),
                    };
                    out.push((key, Some(value)));
                }
                None => out.push((
                    Word {
                        text: unquote(raw),
                        pos,
                    },
                    None,
                )),
            }
        }
        out
    }

    /// The shell script of a `RUN` (or shell-form `CMD`/`ENTRYPOINT`/`HEALTHCHECK CMD`) split
    /// into simple commands. A heredoc whose command is a shell (`RUN <<EOF`, `RUN bash <<EOF`)
    /// is read as the script.
    pub fn commands(&self) -> Vec<shell::Command> {
        if let Some(words) = self.exec_form() {
            // `["sh", "-c", "script"]` runs a script; other exec forms are one command.
            if words.len() >= 3
                && matches!(
                    shell::basename(&words[0].text),
                    "sh" | "bash" | "ash" | "dash"
                )
                && words[1].text == "-c"
            {
                let p = words[2].pos;
                return shell::split(&words[2].text, &|o| Pos {
                    line: p.line,
                    col: p.col + 1 + o as u32,
                });
            }
            return vec![shell::Command {
                words: words
                    .into_iter()
                    .map(|w| shell::Word {
                        text: w.text,
                        pos: w.pos,
                    })
                    .collect(),
                pipeline: 0,
                stage: 0,
            }];
        }
        let mut out = shell::split(self.args(), &|o| self.pos_at(self.args_at + o));
        // A heredoc is the script when the command reading it is a shell or nothing
        // (`RUN <<EOF`, `RUN bash -e <<EOF`); otherwise it is data (`RUN python3 <<EOF`).
        let is_script = out
            .first()
            .is_none_or(|c| matches!(c.program(), "sh" | "bash" | "ash" | "dash" | "zsh"));
        if is_script {
            for h in &self.heredocs {
                let mut more = shell::split(&h.body, &|o| body_pos(&h.body, h.body_line, o));
                let base = out.last().map_or(0, |c| c.pipeline + 1);
                for c in &mut more {
                    c.pipeline += base;
                }
                out.extend(more);
            }
        }
        out
    }
}

fn body_pos(body: &str, first_line: u32, offset: usize) -> Pos {
    let before = &body[..offset.min(body.len())];
    let line = first_line + before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos {
        line,
        col: before[line_start..].chars().count() as u32 + 1,
    }
}

fn split_ws(s: &str, base: usize, pos: impl Fn(usize) -> Pos) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        if c.is_whitespace() {
            if let Some(st) = start.take() {
                out.push(Word {
                    text: s[st..i].to_string(),
                    pos: pos(base + st),
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    out
}

/// Whitespace-separated words where quotes group (`a="b c"` is one word).
fn quoted_words(s: &str) -> Vec<(usize, &str)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut quote = None;
        while i < b.len() {
            match (quote, b[i]) {
                (None, c) if c.is_ascii_whitespace() => break,
                (None, b'"' | b'\'') => quote = Some(b[i]),
                (Some(q), c) if c == q => quote = None,
                (_, b'\\') => i += 1,
                _ => {}
            }
            i += 1;
        }
        let end = i.min(b.len());
        out.push((start, &s[start..end]));
    }
    out
}

fn unquote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut quote = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (q, '\\') if q != Some('\'') => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

impl Dockerfile {
    /// The stage an instruction belongs to.
    pub fn stage_of(&self, inst: &Instruction) -> Option<&Stage> {
        inst.stage.and_then(|s| self.stages.get(s))
    }

    /// The instructions of a stage (its `FROM` first).
    pub fn stage_instructions(&self, stage: &Stage) -> &[Instruction] {
        &self.instructions[stage.instructions.clone()]
    }

    /// The last stage: the image `docker build` produces without `--target`.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// A readable label for a stage: its name or `#<index>`.
    pub fn stage_label(&self, index: usize) -> String {
        match self.stages.get(index).and_then(|s| s.name.as_deref()) {
            Some(n) => n.to_string(),
            None => format!("#{index}"),
        }
    }
}

/// True for file names Docker and Podman read as Dockerfiles: `Dockerfile`, `Containerfile`,
/// `*.Dockerfile`, `*.dockerfile`, `Dockerfile.*`, `Dockerfile-*`, `Dockerfile_*`.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
        || [
            "dockerfile.",
            "dockerfile-",
            "dockerfile_",
            "containerfile.",
        ]
        .iter()
        .any(|p| lower.starts_with(p) && lower.len() > p.len())
}

/// One physical line.
struct Line<'a> {
    text: &'a str,
    number: u32,
}

/// Parses a Dockerfile. Never fails: problems are in [`Dockerfile::errors`].
pub fn parse(source: &str) -> Dockerfile {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let lines: Vec<Line> = source
        .split('\n')
        .enumerate()
        .map(|(i, l)| Line {
            text: l.strip_suffix('\r').unwrap_or(l),
            number: i as u32 + 1,
        })
        .collect();
    let mut df = Dockerfile {
        escape: '\\',
        ..Dockerfile::default()
    };
    let mut i = 0;
    // Parser directives: `# name=value` lines at the very top; anything else ends them.
    while i < lines.len() {
        let t = lines[i].text.trim();
        let Some(body) = t.strip_prefix('#') else {
            break;
        };
        let Some((name, value)) = body.split_once('=') else {
            break;
        };
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() || name.contains(char::is_whitespace) {
            break;
        }
        if !matches!(name.as_str(), "escape" | "syntax" | "check") {
            break;
        }
        if df.directives.iter().any(|d| d.name == name) {
            df.errors.push(ParseError {
                line: lines[i].number,
                column: 1,
                message: format!("parser directive `{name}` given twice"),
            });
        }
        let value = value.trim().to_string();
        if name == "escape" {
            match value.as_str() {
                "\\" => df.escape = '\\',
                "`" => df.escape = '`',
                _ => df.errors.push(ParseError {
                    line: lines[i].number,
                    column: 1,
                    message: format!("invalid escape character `{value}` (expected \\ or `)"),
                }),
            }
        }
        df.directives.push(Directive {
            name,
            value,
            pos: Pos {
                line: lines[i].number,
                col: col_of(lines[i].text, t),
            },
        });
        i += 1;
    }
    let escape = df.escape;
    while i < lines.len() {
        let line = &lines[i];
        let t = line.text.trim_start();
        if t.is_empty() {
            i += 1;
            continue;
        }
        if let Some(c) = t.strip_prefix('#') {
            df.comments.push(Comment {
                text: c.trim().to_string(),
                pos: Pos {
                    line: line.number,
                    col: col_of(line.text, t),
                },
            });
            i += 1;
            continue;
        }
        // Gather the logical line.
        let mut text = String::new();
        let mut segs: Vec<(usize, Pos)> = Vec::new();
        let mut end_line;
        let mut j = i;
        let mut first = true;
        loop {
            let l = &lines[j];
            let piece = if first { t } else { l.text };
            let piece_col = if first { col_of(l.text, t) } else { 1 };
            first = false;
            let (content, continued) = strip_continuation(piece, escape);
            segs.push((
                text.len(),
                Pos {
                    line: l.number,
                    col: piece_col,
                },
            ));
            text.push_str(content);
            end_line = l.number;
            j += 1;
            if !continued {
                break;
            }
            // Skip comment and blank lines inside the continuation.
            while j < lines.len() {
                let n = lines[j].text.trim_start();
                if n.starts_with('#') || n.is_empty() {
                    j += 1;
                } else {
                    break;
                }
            }
            if j >= lines.len() {
                break;
            }
        }
        i = j;
        let inst = match build_instruction(text, segs, end_line) {
            Ok(inst) => inst,
            Err(e) => {
                df.errors.push(e);
                continue;
            }
        };
        let mut inst = inst;
        // Heredoc bodies follow the instruction's last line.
        if matches!(inst.kind, Kind::Run | Kind::Copy | Kind::Add) {
            for (delimiter, strip_tabs, quoted) in heredoc_markers(inst.args()) {
                let body_line = lines.get(i).map_or(end_line + 1, |l| l.number);
                let mut body = String::new();
                let mut closed = false;
                while i < lines.len() {
                    let l = lines[i].text;
                    i += 1;
                    let cmp = if strip_tabs {
                        l.trim_start_matches('\t')
                    } else {
                        l
                    };
                    if cmp == delimiter {
                        closed = true;
                        break;
                    }
                    body.push_str(l);
                    body.push('\n');
                }
                if !closed {
                    df.errors.push(ParseError {
                        line: inst.pos.line,
                        column: inst.pos.col,
                        message: format!(
                            "heredoc `<<{delimiter}` is not closed by a `{delimiter}` line"
                        ),
                    });
                }
                inst.end_line = lines
                    .get(i.saturating_sub(1))
                    .map_or(end_line, |l| l.number);
                inst.heredocs.push(Heredoc {
                    delimiter,
                    strip_tabs,
                    quoted,
                    body,
                    body_line,
                });
            }
        }
        df.instructions.push(inst);
    }
    build_stages(&mut df);
    df
}

fn col_of(line: &str, sub: &str) -> u32 {
    let skipped = line.len() - sub.len();
    line[..skipped].chars().count() as u32 + 1
}

/// Removes a trailing escape character (and whitespace after it); true when it was there.
fn strip_continuation(s: &str, escape: char) -> (&str, bool) {
    let trimmed = s.trim_end_matches([' ', '\t']);
    match trimmed.strip_suffix(escape) {
        Some(rest) => (rest, true),
        None => (s, false),
    }
}

/// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` markers outside quotes, in order.
fn heredoc_markers(args: &str) -> Vec<(String, bool, bool)> {
    let b = args.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                i += 1;
                continue;
            }
            None if c == b'"' || c == b'\'' => {
                quote = Some(c);
                i += 1;
                continue;
            }
            None => {}
        }
        if c == b'<' && b.get(i + 1) == Some(&b'<') && b.get(i + 2) != Some(&b'<') {
            let mut j = i + 2;
            let strip = b.get(j) == Some(&b'-');
            if strip {
                j += 1;
            }
            let q = b.get(j).copied().filter(|c| *c == b'"' || *c == b'\'');
            if q.is_some() {
                j += 1;
            }
            let start = j;
            while j < b.len()
                && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-' || b[j] == b'.')
            {
                j += 1;
            }
            if j > start {
                let word = args[start..j].to_string();
                if q.is_some() && b.get(j).copied() == q {
                    j += 1;
                }
                out.push((word, strip, q.is_some()));
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

fn build_instruction(
    text: String,
    segs: Vec<(usize, Pos)>,
    end_line: u32,
) -> Result<Instruction, ParseError> {
    let pos = segs[0].1;
    let kw_end = text.find(char::is_whitespace).unwrap_or(text.len());
    let keyword = &text[..kw_end];
    let Some(kind) = Kind::parse(keyword) else {
        return Err(ParseError {
            line: pos.line,
            column: pos.col,
            message: format!("unknown instruction `{keyword}`"),
        });
    };
    let mut inst = Instruction {
        kind,
        pos,
        end_line,
        flags: Vec::new(),
        heredocs: Vec::new(),
        stage: None,
        onbuild: None,
        args_at: text.len(),
        text,
        segs,
    };
    // Flags: leading `--name[=value]` words (not for instructions that take none).
    let mut at = kw_end;
    let takes_flags = matches!(
        kind,
        Kind::From | Kind::Run | Kind::Copy | Kind::Add | Kind::Healthcheck
    );
    loop {
        let rest = &inst.text[at..];
        let skip = rest.len() - rest.trim_start().len();
        at += skip;
        let rest = &inst.text[at..];
        if !takes_flags || !rest.starts_with("--") {
            break;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[2..end];
        let (name, value) = match word.split_once('=') {
            Some((n, v)) => (n.to_ascii_lowercase(), Some(v.to_string())),
            None => (word.to_ascii_lowercase(), None),
        };
        let flag = Flag {
            name,
            value,
            pos: inst.pos_at(at),
        };
        inst.flags.push(flag);
        at += end;
    }
    inst.args_at = at;
    let args = inst.args().trim();
    let needs_args = !matches!(kind, Kind::Healthcheck);
    if needs_args && args.is_empty() {
        return Err(ParseError {
            line: pos.line,
            column: pos.col,
            message: format!("{} requires at least one argument", kind.as_str()),
        });
    }
    if kind == Kind::Onbuild {
        let inner_at = inst.args_at;
        let shift: Vec<(usize, Pos)> = {
            // Segments relative to the inner text.
            let mut v = Vec::new();
            for (o, p) in &inst.segs {
                if *o <= inner_at {
                    v.clear();
                    let extra = inst.text[*o..inner_at].chars().count() as u32;
                    v.push((
                        0,
                        Pos {
                            line: p.line,
                            col: p.col + extra,
                        },
                    ));
                } else {
                    v.push((o - inner_at, *p));
                }
            }
            v
        };
        let inner_text = inst.text[inner_at..].to_string();
        let inner = build_instruction(inner_text, shift, end_line)?;
        if matches!(inner.kind, Kind::Onbuild | Kind::From | Kind::Maintainer) {
            return Err(ParseError {
                line: inner.pos.line,
                column: inner.pos.col,
                message: format!("{} is not allowed inside ONBUILD", inner.kind.as_str()),
            });
        }
        inst.onbuild = Some(Box::new(inner));
    }
    Ok(inst)
}

fn build_stages(df: &mut Dockerfile) {
    let mut global: HashMap<String, Option<String>> = HashMap::new();
    let escape = df.escape;
    let mut errors = Vec::new();
    let n = df.instructions.len();
    for idx in 0..n {
        let kind = df.instructions[idx].kind;
        if kind == Kind::From {
            if let Some(last) = df.stages.last_mut() {
                last.instructions.end = idx;
            }
            let inst = &df.instructions[idx];
            let words = inst.words();
            let (base, base_pos) = match words.first() {
                Some(w) => (w.text.clone(), w.pos),
                None => (String::new(), inst.args_pos()),
            };
            let mut name = None;
            let mut name_pos = None;
            match words.len() {
                1 => {}
                3 if words[1].text.eq_ignore_ascii_case("as") => {
                    name = Some(words[2].text.to_ascii_lowercase());
                    name_pos = Some(words[2].pos);
                }
                _ => errors.push(ParseError {
                    line: inst.pos.line,
                    column: inst.pos.col,
                    message: "FROM takes an image and optionally `AS name`".into(),
                }),
            }
            // An empty default (`ARG TAG=`) is a value the build must pass: unknown here.
            let expanded = vars::expand(&base, escape, |v| {
                global
                    .get(v)
                    .and_then(|d| d.as_deref())
                    .filter(|d| !d.is_empty())
            });
            let image = expanded.unresolved.is_empty().then_some(expanded.text);
            let base_stage = image.as_deref().and_then(|img| {
                let l = img.to_ascii_lowercase();
                df.stages
                    .iter()
                    .position(|s| s.name.as_deref() == Some(l.as_str()))
            });
            let index = df.stages.len();
            df.stages.push(Stage {
                index,
                name,
                name_pos,
                base,
                base_pos,
                image,
                base_stage,
                from: idx,
                instructions: idx..n,
            });
            df.instructions[idx].stage = Some(index);
            continue;
        }
        if df.stages.is_empty() {
            let inst = &df.instructions[idx];
            if kind == Kind::Arg {
                for (k, v) in inst.pairs() {
                    global.insert(k.text.clone(), v.as_ref().map(|w| w.text.clone()));
                    df.global_args.push((k.text, v.map(|w| w.text)));
                }
            } else {
                errors.push(ParseError {
                    line: inst.pos.line,
                    column: inst.pos.col,
                    message: format!(
                        "{} before the first FROM (only ARG may come before FROM)",
                        kind.as_str()
                    ),
                });
            }
            continue;
        }
        df.instructions[idx].stage = Some(df.stages.len() - 1);
    }
    if n > 0 && df.stages.is_empty() && errors.is_empty() {
        errors.push(ParseError {
            line: df.instructions[0].pos.line,
            column: 1,
            message: "no FROM instruction".into(),
        });
    }
    df.errors.extend(errors);
    df.errors.sort_by_key(|e| (e.line, e.column));
}

#[cfg(test)]
mod tests;
