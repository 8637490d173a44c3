//! Falco's condition language: parser to an unresolved syntax tree ([`Ast`]), resolution of
//! macros, lists and fields into a compiled [`Expr`], and evaluation against an [`Event`].

use std::collections::{HashMap, HashSet};

use globset::{GlobBuilder, GlobMatcher};

use crate::event::Event;
use crate::fields::{Field, Vals};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=` / `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `contains`
    Contains,
    /// `icontains` (ASCII case-insensitive)
    IContains,
    /// `bcontains` (hex bytes)
    BContains,
    /// `startswith`
    StartsWith,
    /// `bstartswith` (hex bytes)
    BStartsWith,
    /// `endswith`
    EndsWith,
    /// `glob`
    Glob,
    /// `iglob`
    IGlob,
    /// `pmatch` (path prefix, list operand)
    PMatch,
    /// `in` (list operand)
    In,
    /// `intersects` (list operand)
    Intersects,
    /// `exists` (no operand)
    Exists,
}

impl Op {
    fn from_word(w: &str) -> Option<Op> {
        Some(match w {
            "contains" => Op::Contains,
            "icontains" => Op::IContains,
            "bcontains" => Op::BContains,
            "startswith" => Op::StartsWith,
            "bstartswith" => Op::BStartsWith,
            "endswith" => Op::EndsWith,
            "glob" => Op::Glob,
            "iglob" => Op::IGlob,
            "pmatch" => Op::PMatch,
            "in" => Op::In,
            "intersects" => Op::Intersects,
            "exists" => Op::Exists,
            _ => return None,
        })
    }

    fn takes_list(self) -> bool {
        matches!(self, Op::In | Op::Intersects | Op::PMatch)
    }
}

/// One item of a parenthesised value list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The text.
    pub text: String,
    /// Written in quotes: never taken as a list name.
    pub quoted: bool,
}

/// The operand of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// `exists`.
    None,
    /// A single value.
    Value(String),
    /// `(a, b, list_name)`.
    List(Vec<Item>),
}

/// A parsed condition, before macros, lists and fields are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ast {
    /// All of.
    And(Vec<Ast>),
    /// Any of.
    Or(Vec<Ast>),
    /// Negation.
    Not(Box<Ast>),
    /// A macro reference.
    Macro(String),
    /// `field[arg] op operand`.
    Check {
        /// Field name.
        field: String,
        /// `[argument]`.
        arg: Option<String>,
        /// Operator.
        op: Op,
        /// Operand.
        value: Operand,
    },
}

/// A syntax error: byte offset in the condition and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset in the condition text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at offset {})", self.message, self.offset)
    }
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-'
}

/// Parses a condition.
pub fn parse(s: &str) -> Result<Ast, SyntaxError> {
    let mut p = Parser { s, i: 0 };
    let ast = p.or()?;
    p.ws();
    if p.i < s.len() {
        return Err(p.err(format!("unexpected '{}'", p.rest_word())));
    }
    Ok(ast)
}

impl<'a> Parser<'a> {
    fn err(&self, message: String) -> SyntaxError {
        SyntaxError {
            offset: self.i,
            message,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn rest_word(&self) -> &'a str {
        let rest = &self.s[self.i..];
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        &rest[..end.min(40)]
    }

    /// The identifier at the cursor without consuming it.
    fn peek_ident(&self) -> &'a str {
        let b = self.s.as_bytes();
        if self.i >= b.len() || !is_ident_start(b[self.i]) {
            return "";
        }
        let mut j = self.i + 1;
        while j < b.len() && is_ident(b[j]) {
            j += 1;
        }
        &self.s[self.i..j]
    }

    fn keyword(&mut self, kw: &str) -> bool {
        self.ws();
        if self.peek_ident() == kw {
            self.i += kw.len();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Ast, SyntaxError> {
        let mut items = vec![self.and()?];
        while self.keyword("or") {
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one item")
        } else {
            Ast::Or(items)
        })
    }

    fn and(&mut self) -> Result<Ast, SyntaxError> {
        let mut items = vec![self.not()?];
        while self.keyword("and") {
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one item")
        } else {
            Ast::And(items)
        })
    }

    fn not(&mut self) -> Result<Ast, SyntaxError> {
        if self.keyword("not") {
            return Ok(Ast::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Ast, SyntaxError> {
        self.ws();
        match self.peek() {
            None => return Err(self.err("unexpected end of condition".into())),
            Some(b'(') => {
                self.i += 1;
                let inner = self.or()?;
                self.ws();
                if self.peek() != Some(b')') {
                    return Err(self.err("expected ')'".into()));
                }
                self.i += 1;
                return Ok(inner);
            }
            _ => {}
        }
        let name = self.peek_ident();
        if name.is_empty() || matches!(name, "and" | "or") {
            return Err(self.err(format!(
                "expected a field, a macro or '(' but found '{}'",
                self.rest_word()
            )));
        }
        self.i += name.len();
        let mut arg = None;
        if self.peek() == Some(b'[') {
            let close = self.s[self.i..]
                .find(']')
                .ok_or_else(|| self.err("unclosed '[' in field argument".into()))?;
            arg = Some(self.s[self.i + 1..self.i + close].to_string());
            self.i += close + 1;
        }
        self.ws();
        let Some(op) = self.op() else {
            if arg.is_none() && !name.contains('.') {
                return Ok(Ast::Macro(name.to_string()));
            }
            return Err(self.err(format!(
                "expected an operator after field '{name}' but found '{}'",
                self.rest_word()
            )));
        };
        let value = if op == Op::Exists {
            Operand::None
        } else if op.takes_list() {
            self.ws();
            if self.peek() != Some(b'(') {
                return Err(self.err(format!(
                    "operator needs a list in parentheses, e.g. {name} in (a, b)"
                )));
            }
            Operand::List(self.list()?)
        } else {
            self.ws();
            if self.peek() == Some(b'(') {
                // Falco accepts `=` with a one-element list only in some versions; be strict.
                return Err(self.err("this operator takes a single value, not a list".into()));
            }
            Operand::Value(self.value()?.0)
        };
        Ok(Ast::Check {
            field: name.to_string(),
            arg,
            op,
            value,
        })
    }

    fn op(&mut self) -> Option<Op> {
        let rest = &self.s[self.i..];
        for (sym, op) in [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("=", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ] {
            if rest.starts_with(sym) {
                self.i += sym.len();
                return Some(op);
            }
        }
        let word = self.peek_ident();
        let op = Op::from_word(word)?;
        self.i += word.len();
        Some(op)
    }

    /// A quoted or bare value; returns the text and whether it was quoted.
    fn value(&mut self) -> Result<(String, bool), SyntaxError> {
        match self.peek() {
            Some(q @ (b'"' | b'\'')) => {
                let start = self.i;
                self.i += 1;
                let mut out = String::new();
                loop {
                    let Some(c) = self.s[self.i..].chars().next() else {
                        self.i = start;
                        return Err(self.err("unterminated string".into()));
                    };
                    self.i += c.len_utf8();
                    if c as u32 == q as u32 {
                        break;
                    }
                    if c == '\\' {
                        let Some(n) = self.s[self.i..].chars().next() else {
                            continue;
                        };
                        self.i += n.len_utf8();
                        out.push(match n {
                            'n' => '\n',
                            't' => '\t',
                            'r' => '\r',
                            other => other,
                        });
                    } else {
                        out.push(c);
                    }
                }
                Ok((out, true))
            }
            _ => {
                let start = self.i;
                while let Some(c) = self.peek() {
                    if c.is_ascii_whitespace() || matches!(c, b'(' | b')' | b',') {
                        break;
                    }
                    self.i += 1;
                }
                if self.i == start {
                    return Err(self.err("expected a value".into()));
                }
                Ok((self.s[start..self.i].to_string(), false))
            }
        }
    }

    fn list(&mut self) -> Result<Vec<Item>, SyntaxError> {
        self.i += 1; // '('
        let mut items = Vec::new();
        loop {
            self.ws();
            match self.peek() {
                Some(b')') => {
                    self.i += 1;
                    return Ok(items);
                }
                None => return Err(self.err("unclosed '(' in value list".into())),
                Some(b',') if !items.is_empty() => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            let (text, quoted) = self.value()?;
            items.push(Item { text, quoted });
        }
    }
}

/// A set of strings to match against.
#[derive(Debug, Clone)]
pub enum Set {
    /// Few items: linear scan beats hashing.
    Small(Box<[Box<str>]>),
    /// Many items.
    Hash(HashSet<Box<str>>),
}

impl Set {
    fn new(items: Vec<String>) -> Set {
        if items.len() <= 12 {
            Set::Small(items.into_iter().map(String::into_boxed_str).collect())
        } else {
            Set::Hash(items.into_iter().map(String::into_boxed_str).collect())
        }
    }

    /// Membership.
    pub fn contains(&self, v: &str) -> bool {
        match self {
            Set::Small(items) => items.iter().any(|i| &**i == v),
            Set::Hash(h) => h.contains(v),
        }
    }

    /// The items (any order).
    pub fn items(&self) -> Vec<&str> {
        match self {
            Set::Small(items) => items.iter().map(|s| &**s).collect(),
            Set::Hash(h) => h.iter().map(|s| &**s).collect(),
        }
    }
}

/// A compiled comparison.
#[derive(Debug, Clone)]
pub enum Cmp {
    /// `exists`
    Exists,
    /// `=`
    Eq(Box<str>),
    /// `!=`
    Ne(Box<str>),
    /// `<`, `<=`, `>`, `>=`: the operator, the text and its numeric value when it has one.
    Order(Op, Box<str>, Option<f64>),
    /// `contains`
    Contains(Box<str>),
    /// `icontains` (operand lowercased)
    IContains(Box<str>),
    /// `bcontains`
    BContains(Box<[u8]>),
    /// `startswith`
    StartsWith(Box<str>),
    /// `bstartswith`
    BStartsWith(Box<[u8]>),
    /// `endswith`
    EndsWith(Box<str>),
    /// `glob` / `iglob`
    Glob(Box<GlobMatcher>),
    /// `pmatch`
    PMatch(Box<[Box<str>]>),
    /// `in`
    In(Set),
    /// `intersects`
    Intersects(Set),
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Expr {
    /// Known at load time.
    Const(bool),
    /// All of.
    And(Box<[Expr]>),
    /// Any of.
    Or(Box<[Expr]>),
    /// Negation.
    Not(Box<Expr>),
    /// A field test.
    Check(Field, Cmp),
}

/// What resolution needs: macros (parsed) and lists (expanded on demand).
pub struct Scope<'s> {
    /// Macro name → parsed condition.
    pub macros: &'s HashMap<String, Ast>,
    /// List name → raw items (may name other lists).
    pub lists: &'s HashMap<String, Vec<String>>,
}

/// A resolution error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveError(pub String);

impl<'s> Scope<'s> {
    /// Expands a list's items, following references to other lists.
    pub fn expand_list(
        &self,
        name: &str,
        out: &mut Vec<String>,
        seen: &mut Vec<String>,
    ) -> Result<(), ResolveError> {
        if seen.iter().any(|s| s == name) {
            return Err(ResolveError(format!("list '{name}' refers to itself")));
        }
        seen.push(name.to_string());
        for item in &self.lists[name] {
            if self.lists.contains_key(item) {
                self.expand_list(item, out, seen)?;
            } else {
                out.push(item.clone());
            }
        }
        seen.pop();
        Ok(())
    }

    fn items(&self, items: &[Item]) -> Result<Vec<String>, ResolveError> {
        let mut out = Vec::new();
        for item in items {
            if !item.quoted && self.lists.contains_key(&item.text) {
                self.expand_list(&item.text, &mut out, &mut Vec::new())?;
            } else {
                out.push(item.text.clone());
            }
        }
        Ok(out)
    }

    /// Resolves `ast`: expands macros (recursively, rejecting cycles) and lists, looks up
    /// fields, compiles operands, and folds constants.
    pub fn resolve(&self, ast: &Ast, stack: &mut Vec<String>) -> Result<Expr, ResolveError> {
        Ok(match ast {
            Ast::And(items) => {
                let items = items
                    .iter()
                    .map(|a| self.resolve(a, stack))
                    .collect::<Result<Vec<_>, _>>()?;
                fold(items, true)
            }
            Ast::Or(items) => {
                let items = items
                    .iter()
                    .map(|a| self.resolve(a, stack))
                    .collect::<Result<Vec<_>, _>>()?;
                fold(items, false)
            }
            Ast::Not(inner) => match self.resolve(inner, stack)? {
                Expr::Const(b) => Expr::Const(!b),
                Expr::Not(e) => *e,
                e => Expr::Not(Box::new(e)),
            },
            Ast::Macro(name) => {
                let Some(body) = self.macros.get(name) else {
                    return Err(ResolveError(format!("undefined macro '{name}'")));
                };
                if stack.iter().any(|s| s == name) {
                    return Err(ResolveError(format!(
                        "macro '{name}' refers to itself ({} -> {name})",
                        stack.join(" -> ")
                    )));
                }
                stack.push(name.clone());
                let e = self
                    .resolve(body, stack)
                    .map_err(|e| ResolveError(format!("{} (in macro '{name}')", e.0)))?;
                stack.pop();
                e
            }
            Ast::Check {
                field,
                arg,
                op,
                value,
            } => {
                let f = Field::parse(field, arg.as_deref()).map_err(ResolveError)?;
                // The json plugin's event time is always there.
                if *op == Op::Exists && f == Field::RawTime {
                    return Ok(Expr::Const(true));
                }
                let single = |v: &Operand| match v {
                    Operand::Value(s) => Ok(s.clone()),
                    _ => Err(ResolveError(format!("operator on '{field}' needs a value"))),
                };
                let cmp = match op {
                    Op::Exists => Cmp::Exists,
                    Op::Eq => Cmp::Eq(single(value)?.into()),
                    Op::Ne => Cmp::Ne(single(value)?.into()),
                    Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                        let s = single(value)?;
                        let n = s.parse::<f64>().ok();
                        Cmp::Order(*op, s.into(), n)
                    }
                    Op::Contains => Cmp::Contains(single(value)?.into()),
                    Op::IContains => Cmp::IContains(single(value)?.to_ascii_lowercase().into()),
                    Op::StartsWith => Cmp::StartsWith(single(value)?.into()),
                    Op::EndsWith => Cmp::EndsWith(single(value)?.into()),
                    Op::BContains | Op::BStartsWith => {
                        let s = single(value)?;
                        let bytes = hex(&s).ok_or_else(|| {
                            ResolveError(format!("'{s}' is not a hex byte string"))
                        })?;
                        if *op == Op::BContains {
                            Cmp::BContains(bytes.into())
                        } else {
                            Cmp::BStartsWith(bytes.into())
                        }
                    }
                    Op::Glob | Op::IGlob => {
                        let s = single(value)?;
                        let g = GlobBuilder::new(&s)
                            .case_insensitive(*op == Op::IGlob)
                            .literal_separator(false)
                            .backslash_escape(true)
                            .build()
                            .map_err(|e| ResolveError(format!("bad glob '{s}': {e}")))?;
                        Cmp::Glob(Box::new(g.compile_matcher()))
                    }
                    Op::In | Op::Intersects | Op::PMatch => {
                        let items = match value {
                            Operand::List(items) => self.items(items)?,
                            _ => {
                                return Err(ResolveError(format!(
                                    "operator on '{field}' needs a list"
                                )));
                            }
                        };
                        match op {
                            Op::In => Cmp::In(Set::new(items)),
                            Op::Intersects => Cmp::Intersects(Set::new(items)),
                            _ => {
                                Cmp::PMatch(items.into_iter().map(String::into_boxed_str).collect())
                            }
                        }
                    }
                };
                Expr::Check(f, cmp)
            }
        })
    }
}

fn hex(s: &str) -> Option<Vec<u8>> {
    let s: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// Builds an And (`and == true`) or Or, dropping neutral constants and short-circuiting on
/// absorbing ones.
fn fold(items: Vec<Expr>, and: bool) -> Expr {
    let mut out = fold_items(items, and);
    // Evaluation has no side effects, so operands can run cheapest first.
    out.sort_by_key(Expr::cost);
    match out.len() {
        0 => Expr::Const(and),
        1 => out.pop().expect("one item"),
        _ if and => Expr::And(out.into()),
        _ => Expr::Or(out.into()),
    }
}

fn fold_items(items: Vec<Expr>, and: bool) -> Vec<Expr> {
    let mut out = Vec::with_capacity(items.len());
    for e in items {
        match e {
            Expr::Const(b) if b == and => {}
            Expr::Const(b) => return vec![Expr::Const(b)],
            Expr::And(inner) if and => out.extend(inner.into_vec()),
            Expr::Or(inner) if !and => out.extend(inner.into_vec()),
            e => out.push(e),
        }
    }
    out
}

fn order(op: Op, v: &str, rhs: &str, n: Option<f64>) -> bool {
    let ord = match (n, v.parse::<f64>().ok()) {
        (Some(r), Some(l)) => l.partial_cmp(&r),
        _ => Some(v.cmp(rhs)),
    };
    let Some(ord) = ord else { return false };
    match op {
        Op::Lt => ord.is_lt(),
        Op::Le => ord.is_le(),
        Op::Gt => ord.is_gt(),
        _ => ord.is_ge(),
    }
}

fn pmatch(v: &str, prefixes: &[Box<str>]) -> bool {
    prefixes.iter().any(|p| {
        let p = p.trim_end_matches('/');
        v == p || (v.starts_with(p) && v.as_bytes().get(p.len()) == Some(&b'/')) || p.is_empty()
    })
}

fn contains_ci(hay: &str, needle_lower: &str) -> bool {
    if needle_lower.is_empty() {
        return true;
    }
    let h = hay.as_bytes();
    let n = needle_lower.as_bytes();
    h.windows(n.len())
        .any(|w| w.iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b))
}

impl Cmp {
    /// Tests one value.
    fn one(&self, v: &str) -> bool {
        match self {
            Cmp::Exists => true,
            Cmp::Eq(s) => v == &**s,
            Cmp::Ne(s) => v != &**s,
            Cmp::Order(op, s, n) => order(*op, v, s, *n),
            Cmp::Contains(s) => memchr::memmem::find(v.as_bytes(), s.as_bytes()).is_some(),
            Cmp::IContains(s) => contains_ci(v, s),
            Cmp::BContains(b) => memchr::memmem::find(v.as_bytes(), b).is_some(),
            Cmp::StartsWith(s) => v.starts_with(&**s),
            Cmp::BStartsWith(b) => v.as_bytes().starts_with(b),
            Cmp::EndsWith(s) => v.ends_with(&**s),
            Cmp::Glob(g) => g.is_match(v),
            Cmp::PMatch(p) => pmatch(v, p),
            Cmp::In(set) | Cmp::Intersects(set) => set.contains(v),
        }
    }

    /// Tests a field's values. Absent fields fail every test but `exists` (and `not exists`
    /// passes). For list fields, `in` needs every value in the set, `intersects` and the
    /// other operators need one value to pass, `!=` needs every value to differ.
    pub fn test(&self, vals: &Vals<'_>) -> bool {
        match vals {
            Vals::None => false,
            Vals::One(v) => self.one(v),
            Vals::Many(vs) => self.test_many(vs.iter().map(|v| &**v)),
        }
    }

    /// Tests the values of a list field (an empty list is an absent field).
    fn test_many<'x>(&self, mut vs: impl Iterator<Item = &'x str>) -> bool {
        let Some(first) = vs.next() else { return false };
        match self {
            Cmp::In(_) | Cmp::Ne(_) => self.one(first) && vs.all(|v| self.one(v)),
            _ => self.one(first) || vs.any(|v| self.one(v)),
        }
    }
}

impl Expr {
    /// Estimated evaluation cost (see [`Field::cost`]).
    pub fn cost(&self) -> u32 {
        match self {
            Expr::Const(_) => 0,
            Expr::And(items) | Expr::Or(items) => items.iter().map(Expr::cost).sum(),
            Expr::Not(e) => e.cost(),
            Expr::Check(f, Cmp::Glob(_)) => f.cost() + 1,
            Expr::Check(f, _) => f.cost(),
        }
    }

    /// Evaluates against one event.
    pub fn eval(&self, ev: &Event<'_>) -> bool {
        match self {
            Expr::Const(b) => *b,
            Expr::And(items) => items.iter().all(|e| e.eval(ev)),
            Expr::Or(items) => items.iter().any(|e| e.eval(ev)),
            Expr::Not(e) => !e.eval(ev),
            // Groups and source IPs are tested in place, without building a value list.
            Expr::Check(Field::UserGroups, cmp) => ev
                .groups()
                .is_some_and(|g| cmp.test_many(g.iter().map(|s| &*s.0))),
            Expr::Check(Field::SourceIps, cmp) => ev
                .source_ips()
                .is_some_and(|g| cmp.test_many(g.iter().map(|s| &*s.0))),
            Expr::Check(f, cmp) => cmp.test(&f.extract(ev)),
        }
    }

    /// Values `field` must take for this expression to be true, when the expression says
    /// (an `and` with `field = x` or `field in (...)` somewhere on every path); `None` when any
    /// value may match. Used to index rules by verb and resource.
    pub fn required(&self, field: &Field) -> Option<Vec<&str>> {
        match self {
            Expr::Check(f, Cmp::Eq(v)) if f == field => Some(vec![&**v]),
            Expr::Check(f, Cmp::In(set)) if f == field && !f.is_list() => Some(set.items()),
            Expr::And(items) => {
                let mut best: Option<Vec<&str>> = None;
                for e in items.iter() {
                    if let Some(r) = e.required(field) {
                        best = Some(match best {
                            None => r,
                            Some(b) => b.into_iter().filter(|x| r.contains(x)).collect(),
                        });
                    }
                }
                best
            }
            Expr::Or(items) => {
                let mut all = Vec::new();
                for e in items.iter() {
                    all.extend(e.required(field)?);
                }
                all.sort_unstable();
                all.dedup();
                Some(all)
            }
            Expr::Const(false) => Some(Vec::new()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(field: &str, arg: Option<&str>, op: Op, value: Operand) -> Ast {
        Ast::Check {
            field: field.into(),
            arg: arg.map(Into::into),
            op,
            value,
        }
    }

    fn item(s: &str, quoted: bool) -> Item {
        Item {
            text: s.into(),
            quoted,
        }
    }

    #[test]
    fn precedence_and_grouping() {
        let ast = parse("a and not b or c and (d or e)").unwrap();
        let m = |s: &str| Ast::Macro(s.into());
        assert_eq!(
            ast,
            Ast::Or(vec![
                Ast::And(vec![m("a"), Ast::Not(Box::new(m("b")))]),
                Ast::And(vec![m("c"), Ast::Or(vec![m("d"), m("e")])]),
            ])
        );
    }

    #[test]
    fn operators_and_values() {
        assert_eq!(
            parse("ka.target.name!=\"system:coredns\"").unwrap(),
            check(
                "ka.target.name",
                None,
                Op::Ne,
                Operand::Value("system:coredns".into())
            )
        );
        assert_eq!(
            parse("ka.user.name=system:anonymous").unwrap(),
            check(
                "ka.user.name",
                None,
                Op::Eq,
                Operand::Value("system:anonymous".into())
            )
        );
        assert_eq!(
            parse("jevt.value[/annotations/authorization.k8s.io~1decision] exists").unwrap(),
            check(
                "jevt.value",
                Some("/annotations/authorization.k8s.io~1decision"),
                Op::Exists,
                Operand::None
            )
        );
        assert_eq!(
            parse("ka.verb in (create,update, \"patch\")").unwrap(),
            check(
                "ka.verb",
                None,
                Op::In,
                Operand::List(vec![
                    item("create", false),
                    item("update", false),
                    item("patch", true)
                ])
            )
        );
        assert_eq!(
            parse("ka.req.role.rules.verbs contains '\"*\"'").unwrap(),
            check(
                "ka.req.role.rules.verbs",
                None,
                Op::Contains,
                Operand::Value("\"*\"".into())
            )
        );
        assert_eq!(
            parse("ka.uri startswith /healthz?").unwrap(),
            check(
                "ka.uri",
                None,
                Op::StartsWith,
                Operand::Value("/healthz?".into())
            )
        );
        assert_eq!(
            parse("ka.response.code >= 400").unwrap(),
            check(
                "ka.response.code",
                None,
                Op::Ge,
                Operand::Value("400".into())
            )
        );
        assert_eq!(
            parse("x in ()").unwrap(),
            check("x", None, Op::In, Operand::List(vec![]))
        );
    }

    #[test]
    fn syntax_errors_name_the_problem() {
        let e = parse("ka.verb = create and").unwrap_err();
        assert_eq!(e.message, "unexpected end of condition");
        let e = parse("ka.verb in create").unwrap_err();
        assert!(e.message.starts_with("operator needs a list"), "{e}");
        let e = parse("(a and b").unwrap_err();
        assert_eq!(e.message, "expected ')'");
        let e = parse("ka.verb create").unwrap_err();
        assert_eq!(
            e.message,
            "expected an operator after field 'ka.verb' but found 'create'"
        );
        let e = parse("ka.uri = \"abc").unwrap_err();
        assert_eq!(e.message, "unterminated string");
        let e = parse("a b").unwrap_err();
        assert_eq!(e.message, "unexpected 'b'");
    }

    fn eval(cond: &str, event: &str) -> bool {
        let macros = HashMap::from([("is_create".to_string(), parse("ka.verb=create").unwrap())]);
        let lists = HashMap::from([
            (
                "verbs".to_string(),
                vec!["create".to_string(), "more_verbs".to_string()],
            ),
            ("more_verbs".to_string(), vec!["patch".to_string()]),
        ]);
        let scope = Scope {
            macros: &macros,
            lists: &lists,
        };
        let expr = scope
            .resolve(&parse(cond).unwrap(), &mut Vec::new())
            .unwrap();
        let ev = Event::parse(event).unwrap();
        expr.eval(&ev)
    }

    const EV: &str = r#"{"kind":"Event","verb":"create","stage":"ResponseComplete",
        "user":{"username":"Alice","groups":["dev","system:authenticated"]},
        "objectRef":{"resource":"pods","namespace":"default","name":"web"},
        "responseStatus":{"code":201},"requestURI":"/api/v1/namespaces/default/pods",
        "requestObject":{"spec":{"containers":[{"image":"nginx:1.25","securityContext":{"privileged":true}},{"image":"busybox"}],
          "volumes":[{"name":"h","hostPath":{"path":"/var/run/docker.sock"}}]}}}"#;

    #[test]
    fn operators_evaluate() {
        let cases: &[(&str, bool)] = &[
            ("ka.verb = create", true),
            ("ka.verb == create", true),
            ("ka.verb != create", false),
            ("ka.verb in (verbs)", true),
            ("ka.verb in (\"verbs\")", false),
            ("is_create and ka.target.resource=pods", true),
            ("not is_create", false),
            ("ka.response.code startswith 2", true),
            ("ka.response.code >= 200 and ka.response.code < 300", true),
            ("ka.response.code > 201", false),
            ("ka.response.code <= 201", true),
            ("ka.user.name contains lic", true),
            ("ka.user.name icontains ALI", true),
            ("ka.user.name contains ALI", false),
            ("ka.user.name endswith ice", true),
            ("ka.user.name glob 'A*e'", true),
            ("ka.user.name iglob 'a*E'", true),
            ("ka.user.name glob 'B*'", false),
            ("ka.user.name bcontains 6c6963", true),
            ("ka.user.name bstartswith 416c", true),
            ("ka.target.subresource exists", false),
            ("not ka.target.subresource exists", true),
            ("ka.target.subresource = x", false),
            ("ka.target.subresource != x", false),
            ("ka.user.groups intersects (dev, ops)", true),
            ("ka.user.groups in (dev, ops)", false),
            ("ka.user.groups in (dev, system:authenticated)", true),
            ("ka.user.groups = dev", true),
            ("ka.req.pod.containers.privileged intersects (true)", true),
            (
                "ka.req.pod.containers.image.repository in (nginx, busybox)",
                true,
            ),
            ("ka.req.pod.containers.image.repository in (nginx)", false),
            ("ka.req.pod.containers.image[1] = busybox", true),
            ("ka.req.container.image = \"nginx:1.25\"", true),
            ("ka.req.container.privileged = true", true),
            ("ka.req.pod.volumes.hostpath pmatch (/var/run)", true),
            ("ka.req.pod.volumes.hostpath pmatch (/var/ru)", false),
            ("ka.req.volume.hostpath[/var/run*] = true", true),
            ("ka.req.volume.hostpath[/var] = true", false),
            (
                "jevt.value[/requestObject/spec/containers/1/image] = busybox",
                true,
            ),
            ("jevt.value[/stage] = ResponseComplete", true),
            ("jevt.value[/a~1~0b] exists", false),
            ("jevt.rawtime exists", true),
            (
                "(ka.verb=get or ka.verb=create) and ka.target.namespace in (default)",
                true,
            ),
        ];
        for (cond, want) in cases {
            assert_eq!(eval(cond, EV), *want, "{cond}");
        }
    }

    #[test]
    fn resolution_errors() {
        let macros = HashMap::from([
            ("loop_a".to_string(), parse("loop_b").unwrap()),
            ("loop_b".to_string(), parse("loop_a").unwrap()),
        ]);
        let lists = HashMap::new();
        let scope = Scope {
            macros: &macros,
            lists: &lists,
        };
        let r = |c: &str| {
            scope
                .resolve(&parse(c).unwrap(), &mut Vec::new())
                .unwrap_err()
                .0
        };
        assert_eq!(r("nope"), "undefined macro 'nope'");
        assert!(
            r("loop_a").starts_with("macro 'loop_a' refers to itself"),
            "{}",
            r("loop_a")
        );
        assert_eq!(r("proc.name = bash"), "unknown field 'proc.name'");
        assert_eq!(
            r("ka.uri.param = x"),
            "field 'ka.uri.param' requires an argument, e.g. ka.uri.param[x]"
        );
    }

    #[test]
    fn required_values_for_indexing() {
        let macros = HashMap::new();
        let lists = HashMap::new();
        let scope = Scope {
            macros: &macros,
            lists: &lists,
        };
        let c = |s: &str| scope.resolve(&parse(s).unwrap(), &mut Vec::new()).unwrap();
        let verb = Field::Verb;
        assert_eq!(
            c("ka.verb=create and ka.user.name=x").required(&verb),
            Some(vec!["create"])
        );
        assert_eq!(
            c("(ka.verb=create or ka.verb in (patch, update)) and ka.uri=/").required(&verb),
            Some(vec!["create", "patch", "update"])
        );
        assert_eq!(c("ka.verb=create or ka.uri=/").required(&verb), None);
        assert_eq!(c("not ka.verb=create").required(&verb), None);
    }
}
