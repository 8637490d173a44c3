//! A minimal YAML tree with line numbers, enough for Falco rules files (sequences of mappings
//! of scalars, sequences and mappings). Built on saphyr-parser's event stream because the
//! model crate's loader is shaped for Kubernetes objects, not arbitrary documents.

use saphyr_parser::{Event, Parser, ScalarStyle};

/// A YAML node and the 1-based line it starts on.
#[derive(Debug, Clone)]
pub(crate) struct YNode {
    pub v: Y,
    pub line: u32,
}

#[derive(Debug, Clone)]
pub(crate) enum Y {
    /// Text and whether it was written plain (unquoted).
    Scalar(String, bool),
    Seq(Vec<YNode>),
    Map(Vec<(String, YNode)>),
}

impl YNode {
    pub fn get(&self, key: &str) -> Option<&YNode> {
        match &self.v {
            Y::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.v, Y::Scalar(s, true) if matches!(s.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            Y::Scalar(s, _) if !self.is_null() => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.v {
            Y::Scalar(s, true) => match s.as_str() {
                "true" | "True" | "TRUE" | "yes" | "Yes" | "on" | "On" => Some(true),
                "false" | "False" | "FALSE" | "no" | "No" | "off" | "Off" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Parses the first document of `text`. Errors carry a 1-based line.
pub(crate) fn parse(text: &str) -> Result<Option<YNode>, (u32, String)> {
    let mut parser = Parser::new_from_str(text);
    // Stack of open collections: (node under construction, pending key for maps).
    let mut stack: Vec<(YNode, Option<String>)> = Vec::new();
    let mut root: Option<YNode> = None;
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => return Err((e.marker().line() as u32, e.info().to_string())),
        };
        let line = span.start.line() as u32;
        let node = match event {
            Event::StreamStart | Event::Nothing | Event::DocumentStart(_) => continue,
            Event::StreamEnd | Event::DocumentEnd => break,
            Event::Alias(_) => {
                return Err((line, "YAML aliases are not supported in rules files".into()));
            }
            Event::Scalar(text, style, _, _) => YNode {
                v: Y::Scalar(text.into_owned(), style == ScalarStyle::Plain),
                line,
            },
            Event::SequenceStart(..) => {
                stack.push((
                    YNode {
                        v: Y::Seq(Vec::new()),
                        line,
                    },
                    None,
                ));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push((
                    YNode {
                        v: Y::Map(Vec::new()),
                        line,
                    },
                    None,
                ));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some((n, _)) => n,
                None => return Err((line, "unbalanced YAML collection".into())),
            },
        };
        // Attach `node` to its parent.
        match stack.last_mut() {
            None => {
                root = Some(node);
                break;
            }
            Some((parent, pending)) => match &mut parent.v {
                Y::Seq(items) => items.push(node),
                Y::Map(entries) => match pending.take() {
                    None => match node.v {
                        Y::Scalar(k, _) => *pending = Some(k),
                        _ => return Err((node.line, "mapping keys must be scalars".into())),
                    },
                    Some(k) => entries.push((k, node)),
                },
                Y::Scalar(..) => unreachable!("scalars are never pushed on the stack"),
            },
        }
    }
    Ok(root)
}
