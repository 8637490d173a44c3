//! A fast path for the plain block YAML that nearly every manifest is written in.
//!
//! The general YAML parser (saphyr) reads one character at a time through a look-ahead
//! buffer and is most of a scan's CPU time. Manifests use a small part of YAML: block
//! mappings and sequences, single-line plain and quoted scalars, `|` block scalars and short
//! one-line flow lists. [`parse`] reads exactly that subset, byte by byte, and gives up
//! (`None`) on anything else: tabs, carriage returns, non-ASCII text, anchors, aliases, tags,
//! folded or multi-line scalars, multi-line flow collections, explicit keys, directives,
//! or anything that would be a syntax error. The caller then parses the document with
//! saphyr, so the fast path never decides a hard case. When it does accept a document, the
//! tree, scalar texts, styles and positions are the ones saphyr's events would have built
//! (the `fast_path_agrees_with_saphyr` tests compare both on every document of the real-world
//! corpus and on thousands of mutated documents).

use crate::loader::{MAX_DEPTH, finish_map, plain_keys};
use crate::node::{Entry, Node, Pos, Text, Value};

/// Deepest nesting the fast path handles; deeper documents go to the general parser, which
/// enforces `MAX_DEPTH` with its error message.
const DEPTH: usize = if MAX_DEPTH < 64 { MAX_DEPTH } else { 64 };
/// Longest implicit key YAML allows (the general parser reports longer ones).
const MAX_KEY: usize = 1000;

/// Parses one document chunk (as split by the loader; `first_line` is its first line) whose
/// root is a block mapping or sequence, or returns `None` when the chunk needs the general
/// parser. Errors are the ones the loader adds after parsing (duplicate and merge keys).
pub(crate) fn parse(chunk: &str, first_line: u32) -> Option<(Node, Vec<(Pos, String)>)> {
    let s = chunk.as_bytes();
    // Control characters (tabs and carriage returns included). No early exit, so that the
    // loop vectorises.
    // The same pass notes whether any byte is outside ASCII.
    let (bad, high) = s.iter().fold((false, false), |(bad, high), &b| {
        (
            bad | ((b < b' ') & (b != b'\n')) | (b == 0x7f),
            high | (b >= 0x80),
        )
    });
    if bad {
        return None;
    }
    let ascii = !high;
    // Outside ASCII: C1 controls, the byte order mark and the Unicode line and paragraph
    // separators (which YAML 1.1 treats as line breaks) go to the general parser.
    if !ascii && unicode_break_or_control(s) {
        return None;
    }
    // Document markers inside the chunk are left to the general parser. The loader split the
    // text at every `---` line, so only `...` (which ends a document too) can be here.
    let marker_at = |marker: &[u8]| {
        memchr::memmem::find_iter(s, marker)
            .any(|at| matches!(s.get(at + 4), None | Some(b' ' | b'\n')))
    };
    debug_assert!(!marker_at(b"\n---"), "a chunk not split at `---` lines");
    if marker_at(b"\n...") {
        return None;
    }
    if s.starts_with(b"...") {
        return None;
    }
    let mut p = P {
        text: chunk,
        s,
        // A column is then a byte count (most manifests are ASCII).
        ascii,
        i: 0,
        line: first_line,
        line_start: 0,
        depth: 0,
        errors: Vec::new(),
        entries: Vec::new(),
        items: Vec::new(),
        block: String::new(),
    };
    // An optional `---` line (alone or with a comment).
    if s.starts_with(b"---") {
        p.i = 3;
        if !p.end_of_line() {
            return None;
        }
    }
    let indent = p.next_content()?;
    if indent != 0 || s[p.i..].starts_with(b"...") {
        return None;
    }
    let root = if p.dash_item() {
        p.block_seq(0)?
    } else if p.key_line() {
        p.block_map(0)?
    } else {
        return None;
    };
    // Only blank and comment lines may follow.
    if p.next_content().is_some() {
        return None;
    }
    Some((root, p.errors))
}

struct P<'a> {
    text: &'a str,
    s: &'a [u8],
    /// Whether the chunk is all ASCII.
    ascii: bool,
    i: usize,
    /// The current line (absolute, 1-based).
    line: u32,
    /// Offset of the current line's first byte.
    line_start: usize,
    depth: usize,
    errors: Vec<(Pos, String)>,
    /// Entries and items of the open collections: each finished collection takes its own off
    /// the end, so it is allocated once at its exact size (the tree may be kept for set checks).
    entries: Vec<Entry>,
    items: Vec<Node>,
    /// A block scalar's text as it is put together, reused: the scalar is then copied out
    /// once at its length instead of grown line by line.
    block: String,
}

impl P<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn at(&self, off: usize) -> Option<u8> {
        self.s.get(self.i + off).copied()
    }

    /// The position of byte `i` on the current line; columns count characters.
    fn pos(&self, i: usize) -> Pos {
        let before = &self.s[self.line_start..i];
        let col = if self.ascii || before.is_ascii() {
            before.len()
        } else {
            before.iter().filter(|&&b| b & 0xc0 != 0x80).count()
        };
        Pos {
            line: self.line,
            col: col as u32 + 1,
        }
    }

    /// The text between two byte offsets (both at ASCII delimiters).
    fn str(&self, from: usize, to: usize) -> &str {
        &self.text[from..to]
    }

    fn skip_spaces(&mut self) {
        self.i = spaces_end(self.s, self.i);
    }

    /// Moves past the newline at `self.i`.
    fn newline(&mut self) {
        self.i += 1;
        self.line += 1;
        self.line_start = self.i;
    }

    /// After a value: spaces, then an optional comment (after a space), then the line's end.
    fn end_of_line(&mut self) -> bool {
        let before = self.i;
        self.skip_spaces();
        match self.peek() {
            None => true,
            Some(b'\n') => {
                self.newline();
                true
            }
            Some(b'#') if self.i > before || self.i == self.line_start => {
                self.skip_to_eol();
                true
            }
            _ => false,
        }
    }

    fn skip_to_eol(&mut self) {
        match memchr::memchr(b'\n', &self.s[self.i..]) {
            Some(n) => {
                self.i += n;
                self.newline();
            }
            None => self.i = self.s.len(),
        }
    }

    /// Skips blank and comment lines; stops at the first content byte and returns its
    /// indentation, or `None` at the end. Idempotent when already at content.
    fn next_content(&mut self) -> Option<usize> {
        loop {
            self.skip_spaces();
            match self.peek()? {
                b'\n' => self.newline(),
                b'#' => self.skip_to_eol(),
                _ => return Some(self.i - self.line_start),
            }
        }
    }

    /// At content: is it a block sequence entry (`-` then a space or the line's end)?
    fn dash_item(&self) -> bool {
        self.peek() == Some(b'-') && matches!(self.at(1), None | Some(b' ' | b'\n'))
    }

    /// At content: does the line hold `key:` (a simple key and a colon followed by a space
    /// or the line's end)?
    fn key_line(&self) -> bool {
        let start = self.i;
        match self.peek() {
            Some(b'"' | b'\'') => {}
            // A plain key, as `key` reads one, without building its text.
            Some(c) if plain_start(c, self.at(1)) => {
                let (_, stop, why) = plain_run(self.s, start);
                return why == Stop::Colon
                    && stop - start <= MAX_KEY
                    && self.s.get(stop) == Some(&b':')
                    && matches!(self.s.get(stop + 1), None | Some(b' ' | b'\n'));
            }
            _ => return false,
        }
        let mut q = P {
            text: self.text,
            s: self.s,
            ascii: self.ascii,
            i: self.i,
            line: self.line,
            line_start: self.line_start,
            depth: 0,
            errors: Vec::new(),
            entries: Vec::new(),
            items: Vec::new(),
            block: String::new(),
        };
        q.key().is_some()
    }

    /// Reads a simple key and its colon; leaves `self.i` after the colon.
    fn key(&mut self) -> Option<Text> {
        let start = self.i;
        let text: Text = match self.peek()? {
            b'"' => self.double_quoted(None)?,
            b'\'' => self.single_quoted(None)?,
            c if !plain_start(c, self.at(1)) => return None,
            _ => {
                let (end, stop, why) = plain_run(self.s, start);
                if why != Stop::Colon {
                    return None;
                }
                self.i = stop;
                self.str(start, end).into()
            }
        };
        if self.i - start > MAX_KEY
            || self.peek() != Some(b':')
            || !matches!(self.at(1), None | Some(b' ' | b'\n'))
        {
            return None;
        }
        self.i += 1;
        Some(text)
    }

    /// A block mapping whose first key is at `self.i`, in column `n` (0-based).
    fn block_map(&mut self, n: usize) -> Option<Node> {
        self.enter()?;
        let pos = self.pos(self.i);
        let start = self.entries.len();
        loop {
            let kpos = self.pos(self.i);
            let key = self.key()?;
            self.skip_spaces();
            let value = match self.peek() {
                None | Some(b'\n' | b'#') => {
                    // `key:` then a space before any comment (`key()` saw to that).
                    self.skip_to_eol();
                    match self.next_content() {
                        Some(m) if m > n => self.block_node(m)?,
                        Some(m) if m == n && self.dash_item() => self.block_seq(n)?,
                        _ => empty(kpos),
                    }
                }
                Some(_) => self.inline_value(n)?,
            };
            self.entries.push(entry(key, value, kpos));
            match self.next_content() {
                Some(m) if m == n => {
                    if self.dash_item() || self.s[self.i..].starts_with(b"...") {
                        return None;
                    }
                }
                Some(m) if m < n => break,
                None => break,
                Some(_) => return None,
            }
        }
        self.depth -= 1;
        let entries: Vec<Entry> = self.entries.drain(start..).collect();
        let entries = if plain_keys(&entries) {
            entries
        } else {
            finish_map(entries, &mut self.errors)
        };
        Some(Node {
            value: Value::Map(entries),
            pos,
        })
    }

    /// A block sequence whose first `-` is at `self.i`, in column `n`.
    fn block_seq(&mut self, n: usize) -> Option<Node> {
        self.enter()?;
        let pos = self.pos(self.i);
        let start = self.items.len();
        loop {
            self.i += 1; // the dash
            self.skip_spaces();
            let item = match self.peek() {
                None | Some(b'\n' | b'#') => {
                    self.skip_to_eol();
                    match self.next_content() {
                        Some(m) if m > n => self.block_node(m)?,
                        _ => return None,
                    }
                }
                Some(_) => {
                    let c = self.i - self.line_start;
                    if self.dash_item() {
                        self.block_seq(c)?
                    } else if self.key_line() {
                        self.block_map(c)?
                    } else {
                        self.inline_value(n)?
                    }
                }
            };
            self.items.push(item);
            match self.next_content() {
                Some(m) if m == n && self.dash_item() => {}
                Some(m) if m <= n => break,
                None => break,
                Some(_) => return None,
            }
        }
        self.depth -= 1;
        Some(Node {
            value: Value::Seq(self.items.drain(start..).collect()),
            pos,
        })
    }

    /// A node starting at content in column `m` on its own line.
    fn block_node(&mut self, m: usize) -> Option<Node> {
        if self.dash_item() {
            self.block_seq(m)
        } else if self.key_line() {
            self.block_map(m)
        } else {
            None
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= DEPTH).then_some(())
    }

    /// A value on the current line after `key: ` or `- `; consumes the rest of the line.
    /// `n` is the indentation of the collection holding it.
    fn inline_value(&mut self, n: usize) -> Option<Node> {
        let start = self.i;
        let pos = self.pos(start);
        let node = match self.peek()? {
            b'|' => return self.literal(n),
            b'[' | b'{' => self.flow()?,
            b'"' => scalar(self.double_quoted(Some(n))?, false, pos),
            b'\'' => scalar(self.single_quoted(Some(n))?, false, pos),
            c if !plain_start(c, self.at(1)) => return None,
            _ => {
                let (end, _, why) = plain_run(self.s, start);
                if why == Stop::Colon {
                    return None;
                }
                self.i = end;
                match self.plain_continuation(n)? {
                    None => scalar(self.str(start, end).into(), true, pos),
                    Some(rest) => {
                        let first = self.str(start, end);
                        let mut text = Text::with_capacity(first.len() + rest.len());
                        text.push_str(first);
                        text.push_str(&rest);
                        scalar(text, true, pos)
                    }
                }
            }
        };
        self.end_of_line().then_some(node)
    }

    /// A literal block scalar (`|`, `|-`, `|+`) whose header is at `self.i`, inside a
    /// collection indented `n`. Like saphyr, it is placed at its first content line.
    fn literal(&mut self, n: usize) -> Option<Node> {
        let mut pos = None;
        self.i += 1;
        let chomp = match self.peek() {
            Some(b'-') => {
                self.i += 1;
                Chomp::Strip
            }
            Some(b'+') => {
                self.i += 1;
                Chomp::Keep
            }
            _ => Chomp::Clip,
        };
        if !matches!(self.peek(), None | Some(b' ' | b'\n')) || !self.end_of_line() {
            return None;
        }
        // Lines until the first non-blank line indented less than the content.
        let s = self.s;
        let mut indent = None;
        let mut max_blank = 0;
        let mut text = std::mem::take(&mut self.block);
        text.clear();
        let mut pending_breaks = 0usize;
        let mut seen_content = false;
        loop {
            let ls = self.i;
            if ls >= s.len() {
                break;
            }
            let mut j = ls;
            j = spaces_end(s, j);
            let spaces = j - ls;
            // A line of spaces only is empty up to the content's indentation; beyond it, the
            // extra spaces are content.
            let blank =
                matches!(s.get(j), None | Some(b'\n')) && indent.is_none_or(|m| spaces <= m);
            if blank {
                max_blank = max_blank.max(spaces);
                pending_breaks += 1;
            } else {
                let m = *indent.get_or_insert(spaces);
                pos.get_or_insert(Pos {
                    line: self.line,
                    col: m as u32 + 1,
                });
                if spaces < m {
                    break;
                }
                if m <= n || max_blank > m {
                    return None;
                }
                let end = memchr::memchr(b'\n', &s[j..]).map_or(s.len(), |k| j + k);
                if seen_content {
                    text.push('\n');
                }
                for _ in 0..pending_breaks {
                    text.push('\n');
                }
                pending_breaks = 0;
                text.push_str(self.str(ls + m, end));
                seen_content = true;
            }
            match memchr::memchr(b'\n', &s[ls..]) {
                Some(k) => {
                    self.i = ls + k;
                    self.newline();
                }
                // A last line without a line break: left to the general parser.
                None => return None,
            }
        }
        let pos = pos?;
        match chomp {
            Chomp::Strip => {}
            Chomp::Clip => text.push('\n'),
            Chomp::Keep => {
                text.push('\n');
                for _ in 0..pending_breaks {
                    text.push('\n');
                }
            }
        }
        let node = scalar(text.as_str().into(), false, pos);
        self.block = text;
        Some(node)
    }

    /// A one-line flow sequence or mapping at `self.i`.
    fn flow(&mut self) -> Option<Node> {
        self.enter()?;
        let pos = self.pos(self.i);
        let open = self.peek()?;
        self.i += 1;
        self.skip_spaces();
        let node = if open == b'[' {
            let start = self.items.len();
            if self.peek() != Some(b']') {
                loop {
                    let item = self.flow_item()?;
                    self.items.push(item);
                    if !self.flow_next(b']')? {
                        break;
                    }
                }
            }
            self.i += 1;
            Value::Seq(self.items.drain(start..).collect())
        } else {
            let start = self.entries.len();
            if self.peek() != Some(b'}') {
                loop {
                    let kpos = self.pos(self.i);
                    let key = match self.peek()? {
                        b'"' => self.double_quoted(None)?,
                        b'\'' => self.single_quoted(None)?,
                        _ => self.flow_plain(true)?,
                    };
                    if self.peek() != Some(b':') || self.at(1) != Some(b' ') {
                        return None;
                    }
                    self.i += 1;
                    self.skip_spaces();
                    let value = self.flow_item()?;
                    self.entries.push(entry(key, value, kpos));
                    if !self.flow_next(b'}')? {
                        break;
                    }
                }
            }
            self.i += 1;
            if !plain_keys(&self.entries[start..]) {
                return None;
            }
            Value::Map(self.entries.drain(start..).collect())
        };
        self.depth -= 1;
        Some(Node { value: node, pos })
    }

    /// After an element of a flow collection closed by `close`: `true` after a comma (another
    /// element follows), `false` at the closing bracket (left for the caller); `None` for
    /// anything else, a trailing comma included.
    fn flow_next(&mut self, close: u8) -> Option<bool> {
        self.skip_spaces();
        match self.peek()? {
            b',' => {
                self.i += 1;
                self.skip_spaces();
                (self.peek() != Some(close)).then_some(true)
            }
            c if c == close => Some(false),
            _ => None,
        }
    }

    fn flow_item(&mut self) -> Option<Node> {
        let pos = self.pos(self.i);
        match self.peek()? {
            b'[' | b'{' => self.flow(),
            b'"' => Some(scalar(self.double_quoted(None)?, false, pos)),
            b'\'' => Some(scalar(self.single_quoted(None)?, false, pos)),
            _ => Some(scalar(self.flow_plain(false)?, true, pos)),
        }
    }

    /// A plain scalar inside a flow collection: no `:` (but a key's, followed by a space),
    /// `#` or flow indicators in it.
    fn flow_plain(&mut self, key: bool) -> Option<Text> {
        let start = self.i;
        if !plain_start(self.peek()?, self.at(1)) {
            return None;
        }
        let s = self.s;
        let mut j = self.i;
        while let Some(&c) = s.get(j) {
            match c {
                b',' | b']' | b'}' => break,
                b':' if key && s.get(j + 1) == Some(&b' ') => break,
                b'\n' | b':' | b'#' | b'[' | b'{' => return None,
                _ => j += 1,
            }
        }
        let mut end = j;
        while end > start && s[end - 1] == b' ' {
            end -= 1;
        }
        if end == start {
            return None;
        }
        self.i = end;
        Some(self.str(start, end).into())
    }

    /// A double-quoted scalar with the common escapes. With `multi` (the indentation of the
    /// collection holding it), it may go on over lines indented more than that, folded.
    fn double_quoted(&mut self, multi: Option<usize>) -> Option<Text> {
        let s = self.s;
        let mut j = self.i + 1;
        let mut out = String::new();
        let mut run = j;
        loop {
            match *s.get(j)? {
                b'"' => break,
                b'\n' => {
                    out.push_str(self.str(run, j).trim_end_matches(' '));
                    j = self.fold(j, multi?, &mut out, true)?;
                    run = j;
                }
                b'\\' => {
                    out.push_str(self.str(run, j));
                    if s.get(j + 1) == Some(&b'\n') {
                        j = self.fold(j + 1, multi?, &mut out, false)?;
                        run = j;
                        continue;
                    }
                    let (c, len) = match *s.get(j + 1)? {
                        b'\\' => ('\\', 2),
                        b'"' => ('"', 2),
                        b'/' => ('/', 2),
                        b'n' => ('\n', 2),
                        b't' => ('\t', 2),
                        b'r' => ('\r', 2),
                        b'0' => ('\0', 2),
                        b'b' => ('\u{8}', 2),
                        b'f' => ('\u{c}', 2),
                        b' ' => (' ', 2),
                        b'x' => (hex(s.get(j + 2..j + 4)?)?, 4),
                        b'u' => (hex(s.get(j + 2..j + 6)?)?, 6),
                        _ => return None,
                    };
                    out.push(c);
                    j += len;
                    run = j;
                }
                _ => j += 1,
            }
        }
        self.i = j + 1;
        if out.is_empty() {
            // No escape or line break: the text as written (inline when short).
            return Some(self.str(run, j).into());
        }
        out.push_str(self.str(run, j));
        Some(out.into())
    }

    /// A single-quoted scalar (`''` is a quote); multi-line as for `double_quoted`.
    fn single_quoted(&mut self, multi: Option<usize>) -> Option<Text> {
        let s = self.s;
        let mut j = self.i + 1;
        let mut out = String::new();
        let mut run = j;
        loop {
            match *s.get(j)? {
                b'\'' if s.get(j + 1) == Some(&b'\'') => {
                    out.push_str(self.str(run, j + 1));
                    j += 2;
                    run = j;
                }
                b'\'' => break,
                b'\n' => {
                    out.push_str(self.str(run, j).trim_end_matches(' '));
                    j = self.fold(j, multi?, &mut out, true)?;
                    run = j;
                }
                _ => j += 1,
            }
        }
        self.i = j + 1;
        if out.is_empty() {
            // No escape or line break: the text as written (inline when short).
            return Some(self.str(run, j).into());
        }
        out.push_str(self.str(run, j));
        Some(out.into())
    }

    /// A line break at `j` inside a quoted scalar: skips blank lines and the next line's
    /// indentation (which must exceed `n`), adds a space (`space`, unless the break was
    /// escaped) or a newline per blank line, and returns where the text goes on. Keeps the
    /// current line up to date.
    fn fold(&mut self, mut j: usize, n: usize, out: &mut String, space: bool) -> Option<usize> {
        let s = self.s;
        let mut blanks = 0;
        loop {
            // `j` is at a line break.
            j += 1;
            self.line += 1;
            self.line_start = j;
            j = spaces_end(s, j);
            match s.get(j)? {
                b'\n' => blanks += 1,
                _ => break,
            }
        }
        if j - self.line_start <= n {
            return None;
        }
        if blanks == 0 {
            if space {
                out.push(' ');
            }
        } else {
            for _ in 0..blanks {
                out.push('\n');
            }
        }
        Some(j)
    }

    /// After the first line of a plain scalar (at `self.i`, the end of its text): the
    /// continuation lines, indented more than `n`, folded as YAML folds them (a line break is
    /// a space, each blank line a newline). `Some(None)` when there are none; `None` when a
    /// line needs the general parser. Leaves `self.i` at the end of the scalar's last line.
    fn plain_continuation(&mut self, n: usize) -> Option<Option<String>> {
        let s = self.s;
        // The rest of the first line: spaces, then a comment ends the scalar.
        let mut j = self.i;
        j = spaces_end(s, j);
        if s.get(j) != Some(&b'\n') {
            return Some(None);
        }
        let mut out: Option<String> = None;
        let mut blanks = 0usize;
        let mut at = j + 1; // the start of the line after
        let mut line = self.line + 1;
        loop {
            let mut k = at;
            k = spaces_end(s, k);
            match s.get(k) {
                None => break,
                Some(b'\n') => {
                    blanks += 1;
                    at = k + 1;
                    line += 1;
                    continue;
                }
                _ => {}
            }
            if k - at <= n {
                break;
            }
            // Inside a plain scalar only a comment or what looks like an entry is special.
            if s[k] == b'#'
                || (matches!(s[k], b'-' | b'?' | b':')
                    && matches!(s.get(k + 1), None | Some(b' ' | b'\n')))
            {
                return None;
            }
            let (end, e, why) = plain_run(s, k);
            if why != Stop::Eol {
                return None;
            }
            let o = out.get_or_insert_with(String::new);
            if blanks == 0 {
                o.push(' ');
            }
            for _ in 0..blanks {
                o.push('\n');
            }
            blanks = 0;
            o.push_str(self.str(k, end));
            // The scalar now ends on this line.
            self.line = line;
            self.line_start = at;
            self.i = end;
            match s.get(e) {
                None => break,
                _ => {
                    at = e + 1;
                    line += 1;
                }
            }
        }
        Some(out)
    }
}

/// What ends a plain scalar's text on its line.
#[derive(PartialEq)]
enum Stop {
    /// The line's end.
    Eol,
    /// A colon followed by a space or the line's end: the scalar was a key.
    Colon,
    /// ` #`: a comment.
    Comment,
}

/// Reads a plain scalar's text on one line from `start` (not a space or `#`): returns the end
/// of the text with trailing spaces trimmed, where it stopped, and why.
fn plain_run(s: &[u8], start: usize) -> (usize, usize, Stop) {
    let mut j = start;
    let why = loop {
        // To the next byte that may end the run, eight bytes at a time.
        while let Some(word) = s.get(j..j + 8) {
            let m = plain_end_mask(u64::from_le_bytes(word.try_into().unwrap_or_default()));
            if m != 0 {
                j += (m.trailing_zeros() / 8) as usize;
                break;
            }
            j += 8;
        }
        match s.get(j) {
            None | Some(b'\n') => break Stop::Eol,
            Some(b':') if matches!(s.get(j + 1), None | Some(b' ' | b'\n')) => break Stop::Colon,
            Some(b'#') if s[j - 1] == b' ' => break Stop::Comment,
            _ => j += 1,
        }
    };
    let mut end = j;
    while s[end - 1] == b' ' {
        end -= 1;
    }
    (end, j, why)
}

/// Where the spaces from `i` end (indentation is most of a manifest's spaces): eight bytes at
/// a time, the first byte that is not a space being the lowest nonzero byte of the word xor
/// eight spaces.
fn spaces_end(s: &[u8], mut i: usize) -> usize {
    while let Some(word) = s.get(i..i + 8) {
        let other = u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ 0x2020_2020_2020_2020;
        if other != 0 {
            return i + (other.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while s.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// The high bit of each byte of `word` (little-endian) that is a line feed, `:` or `#` (the
/// bytes where a plain scalar may end). Bits above the first such byte may be set where
/// there is none, but the lowest set bit is always exact.
fn plain_end_mask(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zeros = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    zeros(word ^ (ONES * u64::from(b'\n')))
        | zeros(word ^ (ONES * u64::from(b':')))
        | zeros(word ^ (ONES * u64::from(b'#')))
}

enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// Can a plain scalar start with `c` (followed by `next`)? Indicators that start other
/// tokens are left to the general parser; `-` may start a scalar such as `-1` or `--flag`.
fn plain_start(c: u8, next: Option<u8>) -> bool {
    match c {
        b'-' | b':' => !matches!(next, None | Some(b' ' | b'\n')),
        b'?' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>'
        | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' => false,
        _ => true,
    }
}

fn hex(digits: &[u8]) -> Option<char> {
    let v = u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
    char::from_u32(v)
}

fn scalar(text: Text, plain: bool, pos: Pos) -> Node {
    Node {
        value: Value::Scalar { text, plain },
        pos,
    }
}

/// A mapping entry: the value sits at its key's position, as the loader places it.
fn entry(key: Text, value: Node, kpos: Pos) -> Entry {
    Entry {
        key,
        value: Node {
            value: value.value,
            pos: kpos,
        },
    }
}

fn empty(pos: Pos) -> Node {
    scalar("".into(), true, pos)
}

/// Whether valid UTF-8 `s` holds a C1 control (U+0080 to U+009F), the byte order mark or a
/// Unicode line or paragraph separator. Each is found by its lead byte (`C2`, `EF`, `E2`), a
/// block of text at a time: a lead byte is never a continuation byte, and most non-ASCII
/// manifests have a few accented letters or symbols, not these.
fn unicode_break_or_control(s: &[u8]) -> bool {
    memchr::memchr3_iter(0xc2, 0xe2, 0xef, s).any(|i| match s[i] {
        0xc2 => matches!(s.get(i + 1), Some(0x80..=0x9f)),
        0xe2 => s.get(i + 1) == Some(&0x80) && matches!(s.get(i + 2), Some(0xa8 | 0xa9)),
        _ => s.get(i + 1) == Some(&0xbb) && s.get(i + 2) == Some(&0xbf),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::parse;
    use crate::loader::{Builder, parse_chunk, split_documents};

    /// Whenever the fast path accepts a chunk, saphyr must build the same tree with the same
    /// errors. Returns whether it accepted.
    fn agrees(chunk: &str, first_line: u32, b: &mut Builder, what: &str) -> bool {
        let Some((root, errors)) = parse(chunk, first_line) else {
            return false;
        };
        let slow = parse_chunk(chunk, first_line, b);
        assert_eq!(slow.errors, errors, "errors differ for {what}:\n{chunk}");
        assert_eq!(
            slow.docs.len(),
            1,
            "saphyr found {} documents in {what}:\n{chunk}",
            slow.docs.len()
        );
        assert_eq!(slow.docs[0], root, "trees differ for {what}:\n{chunk}");
        true
    }

    fn check(text: &str) -> bool {
        let mut b = Builder::default();
        let mut all = true;
        for (line, chunk) in split_documents(text) {
            all &= agrees(chunk, line, &mut b, "snippet");
        }
        all
    }

    #[test]
    fn the_subset_it_reads() {
        let cases = [
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x # c\n  labels: {a: b, 'c': \"d\"}\n",
            "a:\n- b\n- c: d\n  e: f\n-   - g\n    - h\nz: ''\n",
            "a:\n  - name: x\n    args: [\"--a=b\", -c, '1']\n    env:\n    - name: A\n      value: \"x\\ty\\u00e9\"\n",
            "k: |\n  line1\n\n   more\n  last\n\nn: 1\n",
            "k: |\n  a\n     \n  b\n    \n\nn: |+\n  a\n    \n\no: 1\n",
            "k: |-\n  a\n  b\n\n\nm: |+\n  a\n\n\n# c\no: x\n",
            "- |\n  x\n- y\n",
            "a:\nb: \nc: # c\n  d: 1\n",
            "---\n# comment\nkey : v\n\"q k\": 'it''s'\nempty: []\nemap: {}\n",
            "a: b#c\nd: -1\ne: http://x:80/y\nf: a [b] {c}, d\n",
            "a:\n  b:\n    c:\n      - - 1\n        - 2\n      - 3\n",
            "é: [ü, {ö: 'ä'}, x]\nb: ünï\n",
            "a:\n  d: multi\n    line   \n\n    plain\n  e: x\n",
            "- one\n  two\n- three\n",
            "a:\n  b: 'x  \n\n     y ''z''\n    w'\n  c: \"p\\\n    q \\  \n    r\\n\"\nd: :x\n",
        ];
        for c in cases {
            assert!(check(c), "the fast path declined:\n{c}");
        }
    }

    #[test]
    fn it_declines_what_it_does_not_read() {
        let cases = [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: >\n  folded\n",
            "a: |2\n   x\n",
            "a: \"b\nc\"\n",
            "a: [b,\n  c]\n",
            "? a\n: b\n",
            "a:\tb\n",
            "a: b\r\n",
            "a: b\u{2028}c\n",
            // A directive, as the loader hands it over: split from its document at `---`.
            "%YAML 1.2\n",
            "a: b\n...\n",
            "a: b: c\n",
            "a: b\n - c\n",
            "  a: b\n",
            "--- a: b\n",
            "a: |\n  x",
            "scalar\n",
            "",
            "# only a comment\n",
        ];
        for c in cases {
            assert!(parse(c, 1).is_none(), "the fast path accepted:\n{c}");
        }
    }

    fn chunks(dir: &Path) -> Vec<(u32, String)> {
        let paths = stockade_testdata::files(dir, &[]);
        let mut out = Vec::new();
        for p in paths {
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            for (line, chunk) in split_documents(text) {
                out.push((line, chunk.to_string()));
            }
        }
        out
    }

    #[test]
    fn fast_path_agrees_with_saphyr_on_the_corpus() {
        let Some(dir) = stockade_testdata::shared("corpus/realworld") else {
            return;
        };
        let mut b = Builder::default();
        let all = chunks(&dir);
        let mut accepted = 0;
        let mut bytes = (0, 0);
        for (line, chunk) in &all {
            bytes.1 += chunk.len();
            if agrees(chunk, *line, &mut b, "a corpus document") {
                accepted += 1;
                bytes.0 += chunk.len();
            }
        }
        eprintln!(
            "fast path: {accepted} of {} documents, {} of {} bytes",
            all.len(),
            bytes.0,
            bytes.1
        );
        // Most of the corpus must take the fast path, or it is not worth having.
        assert!(bytes.0 * 10 >= bytes.1 * 7, "{bytes:?}");
    }

    /// Edits that make near-miss YAML: every accepted mutant must parse as saphyr parses it.
    #[test]
    fn fast_path_agrees_with_saphyr_on_mutants() {
        let Some(dir) = stockade_testdata::shared("corpus/realworld") else {
            return;
        };
        let all = chunks(&dir);
        let mut b = Builder::default();
        let mut seed = std::env::var("STOCKADE_MUTANTS_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0x2545_f491_4f6c_dd1du64);
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let pieces = [
            " ",
            "  ",
            "\n",
            ":",
            ": ",
            "- ",
            "-",
            "#",
            " #",
            "'",
            "\"",
            "|",
            "|-",
            "[",
            "]",
            "{",
            "}",
            ",",
            "\\",
            "x",
            "\n  ",
            "\n- ",
            "\n\n",
            "...",
            "---",
            "&a ",
            "*a",
            "!t ",
            "\n    ",
            "\n      ",
            "\n        x",
            "é",
            "\\n",
            "\\u00e9",
            "''",
            "\n#",
            " \n",
            "|+",
            "1",
            "\n  - ",
            "\n    - a",
            "\n  k: v",
            ": x",
            "\"\n",
            "'\n",
            "\n'",
            "\n\"",
        ];
        let (mut tried, mut accepted) = (0, 0);
        // STOCKADE_MUTANTS=N raises the count per document (a longer local run).
        let per_doc: usize = std::env::var("STOCKADE_MUTANTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(12);
        let step = if per_doc > 12 { 1 } else { 3 };
        for (line, chunk) in all.iter().filter(|(_, c)| c.len() < 4000).step_by(step) {
            for _ in 0..per_doc {
                let mut m = chunk.clone();
                for _ in 0..1 + next() % 3 {
                    if m.is_empty() {
                        break;
                    }
                    let mut at = (next() as usize) % m.len();
                    while !m.is_char_boundary(at) {
                        at -= 1;
                    }
                    match next() % 3 {
                        0 => {
                            let mut end = (at + 1 + (next() as usize) % 3).min(m.len());
                            while !m.is_char_boundary(end) {
                                end += 1;
                            }
                            m.replace_range(at..end, "");
                        }
                        _ => m.insert_str(at, pieces[(next() as usize) % pieces.len()]),
                    }
                }
                tried += 1;
                // Split as the loader splits (a mutant may have gained a `---` line).
                let mut took = false;
                for (l, piece) in split_documents(&m) {
                    took |= agrees(piece, line + l - 1, &mut b, "a mutant");
                }
                if took {
                    accepted += 1;
                }
            }
        }
        eprintln!("mutants: {accepted} of {tried} took the fast path and agreed");
        assert!(accepted > 1000, "too few mutants accepted to mean anything");
    }

    /// The lead-byte search finds exactly the characters the general parser must see.
    #[test]
    fn unicode_breaks_and_controls_are_found_by_their_bytes() {
        let special = |c: char| {
            matches!(
                c,
                '\u{80}'..='\u{9f}' | '\u{feff}' | '\u{2028}' | '\u{2029}'
            )
        };
        let chars = [
            'a',
            '\u{7f}',
            '\u{80}',
            '\u{85}',
            '\u{9f}',
            '\u{a0}',
            'é',
            '\u{ff}',
            '\u{100}',
            '\u{2027}',
            '\u{2028}',
            '\u{2029}',
            '\u{202a}',
            '\u{2013}',
            '→',
            '\u{fefe}',
            '\u{feff}',
            '\u{ff00}',
            '\u{fffd}',
            '😀',
            '\u{10ffff}',
        ];
        for a in chars {
            for b in chars {
                let text = format!("k: {a}x{b}");
                assert_eq!(
                    super::unicode_break_or_control(text.as_bytes()),
                    special(a) || special(b),
                    "{text:?}"
                );
            }
        }
    }

    /// `plain_run`'s word-at-a-time search stops where a byte-at-a-time one does.
    #[test]
    fn plain_runs_stop_where_a_byte_by_byte_reading_does() {
        fn reference(s: &[u8], start: usize) -> (usize, usize, u8) {
            let mut j = start;
            let why = loop {
                match s.get(j) {
                    None | Some(b'\n') => break 0,
                    Some(b':') if matches!(s.get(j + 1), None | Some(b' ' | b'\n')) => break 1,
                    Some(b'#') if s[j - 1] == b' ' => break 2,
                    _ => j += 1,
                }
            };
            let mut end = j;
            while s[end - 1] == b' ' {
                end -= 1;
            }
            (end, j, why)
        }
        // Every placement of the stopping bytes (and near misses) in runs of up to 19 bytes.
        let alphabet: &[u8] = b"aaaaaaa: #\n:#";
        let mut seed = 7u64;
        for len in 1..40 {
            for _ in 0..400 {
                let mut text = vec![b'k', b'x'];
                for _ in 0..len {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    text.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
                }
                let (end, stop, why) = super::plain_run(&text, 1);
                let why = match why {
                    super::Stop::Eol => 0,
                    super::Stop::Colon => 1,
                    super::Stop::Comment => 2,
                };
                assert_eq!(
                    (end, stop, why),
                    reference(&text, 1),
                    "{:?}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }

    /// `spaces_end` stops where a byte-at-a-time reading does: at every length of run, from
    /// every start, at the end of the text too.
    #[test]
    fn spaces_end_at_the_first_other_byte() {
        for run in 0..20 {
            for after in ["", "x", "\n", "\t", "  x", "é"] {
                let text = format!("k{}{after}", " ".repeat(run));
                let s = text.as_bytes();
                for start in 0..s.len() {
                    let mut want = start;
                    while s.get(want) == Some(&b' ') {
                        want += 1;
                    }
                    assert_eq!(super::spaces_end(s, start), want, "{text:?} from {start}");
                }
            }
        }
    }
}
