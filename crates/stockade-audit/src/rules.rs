//! Falco rules files: rules, macros and lists with `append`/`override`, `enabled`,
//! `exceptions`; loaded in order, so a later file can extend or replace what an earlier one
//! defined. Compilation happens once all files are loaded (see [`crate::Engine::compile`]).

use std::collections::HashMap;
use std::sync::Arc;

use crate::cond::{self, Ast, Item, Op, Operand};
use crate::yaml::{self, Y, YNode};

/// Falco priorities, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Priority {
    /// EMERGENCY
    Emergency,
    /// ALERT
    Alert,
    /// CRITICAL
    Critical,
    /// ERROR
    Error,
    /// WARNING
    Warning,
    /// NOTICE
    Notice,
    /// INFORMATIONAL
    Informational,
    /// DEBUG
    Debug,
}

impl Priority {
    /// Parses a priority name as Falco accepts it (case-insensitive, `INFO` for
    /// `INFORMATIONAL`).
    pub fn parse(s: &str) -> Option<Priority> {
        Some(match s.to_ascii_lowercase().as_str() {
            "emergency" => Priority::Emergency,
            "alert" => Priority::Alert,
            "critical" => Priority::Critical,
            "error" => Priority::Error,
            "warning" | "warn" => Priority::Warning,
            "notice" => Priority::Notice,
            "informational" | "info" => Priority::Informational,
            "debug" => Priority::Debug,
            _ => return None,
        })
    }

    /// The upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Emergency => "EMERGENCY",
            Priority::Alert => "ALERT",
            Priority::Critical => "CRITICAL",
            Priority::Error => "ERROR",
            Priority::Warning => "WARNING",
            Priority::Notice => "NOTICE",
            Priority::Informational => "INFORMATIONAL",
            Priority::Debug => "DEBUG",
        }
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A problem in a rules file, with its location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct RuleError {
    /// The file.
    pub file: Arc<str>,
    /// 1-based line (0 when the whole file is concerned).
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// Where a definition was written.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The file.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct ListDef {
    pub items: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct MacroDef {
    pub condition: String,
    pub origin: Origin,
}

/// One exception block of a rule.
#[derive(Debug, Clone)]
pub(crate) struct Exception {
    pub name: String,
    /// Field names (a single field is a one-element list with `single` set).
    pub fields: Vec<String>,
    pub single: bool,
    pub comps: Vec<String>,
    pub values: Vec<YNode>,
}

#[derive(Debug, Clone)]
pub(crate) struct RuleDef {
    pub name: String,
    pub desc: String,
    pub condition: String,
    pub output: String,
    pub priority: Priority,
    pub tags: Vec<String>,
    pub source: String,
    pub enabled: bool,
    pub exceptions: Vec<Exception>,
    pub origin: Origin,
}

/// Rules, macros and lists loaded from one or more files, before compilation.
#[derive(Debug, Default, Clone)]
pub struct RuleSet {
    pub(crate) lists: HashMap<String, ListDef>,
    pub(crate) macros: HashMap<String, MacroDef>,
    pub(crate) rules: Vec<RuleDef>,
    /// Notes that are not errors (rules for other event sources skipped).
    pub warnings: Vec<RuleError>,
}

/// The built-in rules (our own), embedded in the binary.
pub const BUILTIN: &str = include_str!("builtin_rules.yaml");

/// The name the built-in rules are reported under.
pub const BUILTIN_NAME: &str = "<builtin>";

fn scalar_list(n: &YNode) -> Option<Vec<String>> {
    match &n.v {
        Y::Seq(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect(),
        Y::Scalar(..) if n.is_null() => Some(Vec::new()),
        _ => None,
    }
}

/// How an `override:` key (or `append: true`) changes a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Append,
    Replace,
}

impl RuleSet {
    /// A rule set holding the built-in rules.
    pub fn builtin() -> RuleSet {
        let mut rs = RuleSet::default();
        let errs = rs.load_str(BUILTIN_NAME, BUILTIN);
        debug_assert!(errs.is_empty(), "built-in rules: {errs:?}");
        rs
    }

    /// Number of rules defined.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Loads one rules file on top of what is already loaded. Returns the problems found;
    /// every item that has none is still loaded.
    pub fn load_str(&mut self, file: &str, text: &str) -> Vec<RuleError> {
        let file: Arc<str> = file.into();
        let mut errors = Vec::new();
        let root = match yaml::parse(text) {
            Ok(Some(r)) => r,
            Ok(None) => return errors,
            Err((line, msg)) => {
                errors.push(RuleError {
                    file,
                    line,
                    message: format!("YAML: {msg}"),
                });
                return errors;
            }
        };
        let Y::Seq(items) = &root.v else {
            if !root.is_null() {
                errors.push(RuleError {
                    file,
                    line: root.line,
                    message: "a rules file is a YAML sequence of rule, macro and list items".into(),
                });
            }
            return errors;
        };
        for item in items {
            if item.is_null() {
                continue;
            }
            if let Err(message) = self.load_item(&file, item) {
                errors.push(RuleError {
                    file: file.clone(),
                    line: item.line,
                    message,
                });
            }
        }
        errors
    }

    fn load_item(&mut self, file: &Arc<str>, item: &YNode) -> Result<(), String> {
        let Y::Map(entries) = &item.v else {
            return Err("expected a mapping (rule, macro, list or required_engine_version)".into());
        };
        let origin = Origin {
            file: file.clone(),
            line: item.line,
        };
        let first = entries.first().map(|(k, _)| k.as_str()).unwrap_or("");
        if item.get("required_engine_version").is_some()
            || item.get("required_plugin_versions").is_some()
        {
            return Ok(());
        }
        if let Some(name) = item.get("list") {
            return self.load_list(name, item);
        }
        if let Some(name) = item.get("macro") {
            return self.load_macro(name, item, origin);
        }
        if let Some(name) = item.get("rule") {
            return self.load_rule(name, item, origin);
        }
        Err(format!(
            "unknown item '{first}' (expected rule, macro, list, required_engine_version or required_plugin_versions)"
        ))
    }

    fn modes(item: &YNode, allowed: &[&str]) -> Result<HashMap<String, Mode>, String> {
        let mut out = HashMap::new();
        let append = match item.get("append") {
            None => false,
            Some(a) => a
                .as_bool()
                .ok_or_else(|| "'append' must be true or false".to_string())?,
        };
        if let Some(ov) = item.get("override") {
            if append {
                return Err("'append' and 'override' cannot be used together".into());
            }
            let Y::Map(entries) = &ov.v else {
                return Err("'override' must map properties to append or replace".into());
            };
            for (k, v) in entries {
                if !allowed.contains(&k.as_str()) {
                    return Err(format!(
                        "'override' of '{k}' is not supported here (supported: {})",
                        allowed.join(", ")
                    ));
                }
                let mode = match v.as_str() {
                    Some("append") => Mode::Append,
                    Some("replace") => Mode::Replace,
                    _ => return Err(format!("override of '{k}' must be append or replace")),
                };
                if item.get(k).is_none() {
                    return Err(format!(
                        "'override' names '{k}' but the item does not set it"
                    ));
                }
                out.insert(k.clone(), mode);
            }
        } else if append {
            for k in allowed {
                if item.get(k).is_some() {
                    out.insert(k.to_string(), Mode::Append);
                }
            }
            if out.is_empty() {
                out.insert(String::new(), Mode::Append);
            }
        }
        Ok(out)
    }

    fn load_list(&mut self, name: &YNode, item: &YNode) -> Result<(), String> {
        let name = name
            .as_str()
            .ok_or("list name must be a string")?
            .to_string();
        let items = match item.get("items") {
            Some(n) => scalar_list(n).ok_or("list 'items' must be a sequence of strings")?,
            None => return Err(format!("list '{name}' has no 'items'")),
        };
        let modes = Self::modes(item, &["items"])?;
        match (modes.get("items"), self.lists.get_mut(&name)) {
            (Some(Mode::Append), Some(existing)) => existing.items.extend(items),
            (Some(Mode::Append), None) => {
                return Err(format!(
                    "list '{name}' has 'append' but no list by that name is defined earlier"
                ));
            }
            (Some(Mode::Replace), None) => {
                return Err(format!(
                    "list '{name}' has 'override' but no list by that name is defined earlier"
                ));
            }
            _ => {
                self.lists.insert(name, ListDef { items });
            }
        }
        Ok(())
    }

    fn load_macro(&mut self, name: &YNode, item: &YNode, origin: Origin) -> Result<(), String> {
        let name = name
            .as_str()
            .ok_or("macro name must be a string")?
            .to_string();
        let condition = item
            .get("condition")
            .and_then(YNode::as_str)
            .ok_or_else(|| format!("macro '{name}' has no 'condition'"))?
            .to_string();
        let modes = Self::modes(item, &["condition"])?;
        if modes.get("condition") != Some(&Mode::Append) {
            cond::parse(&condition).map_err(|e| format!("macro '{name}': condition: {e}"))?;
        }
        match (modes.get("condition"), self.macros.get_mut(&name)) {
            (Some(Mode::Append), Some(existing)) => {
                existing.condition = format!("{} {}", existing.condition, condition);
                cond::parse(&existing.condition)
                    .map_err(|e| format!("macro '{name}': appended condition: {e}"))?;
            }
            (Some(_), None) => {
                return Err(format!(
                    "macro '{name}' extends a macro that is not defined earlier"
                ));
            }
            _ => {
                self.macros.insert(name, MacroDef { condition, origin });
            }
        }
        Ok(())
    }

    fn load_rule(&mut self, name: &YNode, item: &YNode, origin: Origin) -> Result<(), String> {
        let name = name
            .as_str()
            .ok_or("rule name must be a string")?
            .to_string();
        let text = |k: &str| -> Result<Option<String>, String> {
            match item.get(k) {
                None => Ok(None),
                Some(n) if n.is_null() => Ok(None),
                Some(n) => n
                    .as_str()
                    .map(|s| Some(s.trim_end().to_string()))
                    .ok_or_else(|| format!("rule '{name}': '{k}' must be a string")),
            }
        };
        let condition = text("condition")?;
        let output = text("output")?;
        let desc = text("desc")?;
        let priority = match text("priority")? {
            None => None,
            Some(p) => Some(Priority::parse(&p).ok_or_else(|| {
                format!("rule '{name}': unknown priority '{p}' (EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL, DEBUG)")
            })?),
        };
        let tags =
            match item.get("tags") {
                None => None,
                Some(t) => Some(scalar_list(t).ok_or_else(|| {
                    format!("rule '{name}': 'tags' must be a sequence of strings")
                })?),
            };
        let enabled = match item.get("enabled") {
            None => None,
            Some(e) => Some(
                e.as_bool()
                    .ok_or_else(|| format!("rule '{name}': 'enabled' must be true or false"))?,
            ),
        };
        let exceptions = match item.get("exceptions") {
            None => None,
            Some(e) => Some(parse_exceptions(&name, e)?),
        };
        let source = text("source")?.unwrap_or_else(|| "syscall".into());
        let modes = Self::modes(
            item,
            &[
                "condition",
                "output",
                "desc",
                "priority",
                "tags",
                "exceptions",
                "enabled",
            ],
        )?;
        if let Some(c) = &condition
            && modes.get("condition") != Some(&Mode::Append)
        {
            cond::parse(c).map_err(|e| format!("rule '{name}': condition: {e}"))?;
        }
        let existing = self.rules.iter_mut().find(|r| r.name == name);
        if !modes.is_empty() {
            let Some(r) = existing else {
                return Err(format!(
                    "rule '{name}' extends a rule that is not defined earlier"
                ));
            };
            let append = |m: Option<&Mode>| m == Some(&Mode::Append);
            if let Some(c) = condition {
                if append(modes.get("condition")) {
                    r.condition = format!("{} {}", r.condition, c);
                    cond::parse(&r.condition)
                        .map_err(|e| format!("rule '{name}': appended condition: {e}"))?;
                } else {
                    r.condition = c;
                }
            }
            if let Some(o) = output {
                if append(modes.get("output")) {
                    r.output = format!("{} {}", r.output, o);
                } else {
                    r.output = o;
                }
            }
            if let Some(d) = desc {
                if append(modes.get("desc")) {
                    r.desc = format!("{} {}", r.desc, d);
                } else {
                    r.desc = d;
                }
            }
            if let Some(p) = priority {
                r.priority = p;
            }
            if let Some(t) = tags {
                if append(modes.get("tags")) {
                    r.tags.extend(t);
                } else {
                    r.tags = t;
                }
            }
            if let Some(e) = exceptions {
                if append(modes.get("exceptions")) {
                    r.exceptions.extend(e);
                } else {
                    r.exceptions = e;
                }
            }
            if let Some(e) = enabled {
                r.enabled = e;
            }
            return Ok(());
        }
        // `- rule: X` with only `enabled` toggles an existing rule.
        if condition.is_none() && output.is_none() && enabled.is_some() {
            let Some(r) = existing else {
                return Err(format!(
                    "rule '{name}' sets 'enabled' but no rule by that name is defined earlier"
                ));
            };
            r.enabled = enabled.unwrap_or(true);
            return Ok(());
        }
        let missing: Vec<&str> = [
            ("condition", condition.is_none()),
            ("output", output.is_none()),
            ("priority", priority.is_none()),
        ]
        .into_iter()
        .filter(|(_, m)| *m)
        .map(|(k, _)| k)
        .collect();
        if !missing.is_empty() {
            return Err(format!("rule '{name}' lacks {}", missing.join(", ")));
        }
        let def = RuleDef {
            name: name.clone(),
            desc: desc.unwrap_or_default(),
            condition: condition.unwrap_or_default(),
            output: output.unwrap_or_default(),
            priority: priority.unwrap_or(Priority::Debug),
            tags: tags.unwrap_or_default(),
            source,
            enabled: enabled.unwrap_or(true),
            exceptions: exceptions.unwrap_or_default(),
            origin,
        };
        // A rule defined again replaces the earlier definition in place, as Falco does.
        match existing {
            Some(r) => *r = def,
            None => self.rules.push(def),
        }
        Ok(())
    }
}

fn parse_exceptions(rule: &str, n: &YNode) -> Result<Vec<Exception>, String> {
    let Y::Seq(items) = &n.v else {
        return Err(format!("rule '{rule}': 'exceptions' must be a sequence"));
    };
    let mut out = Vec::new();
    for e in items {
        let name = e
            .get("name")
            .and_then(YNode::as_str)
            .ok_or_else(|| format!("rule '{rule}': an exception has no 'name'"))?
            .to_string();
        let ctx = |m: &str| format!("rule '{rule}': exception '{name}': {m}");
        let (fields, single) = match e.get("fields") {
            Some(f) => match &f.v {
                Y::Scalar(s, _) => (vec![s.clone()], true),
                _ => (
                    scalar_list(f)
                        .ok_or_else(|| ctx("'fields' must be a field or a list of fields"))?,
                    false,
                ),
            },
            None => (Vec::new(), false),
        };
        let comps = match e.get("comps") {
            None => vec!["=".to_string(); fields.len()],
            Some(c) => match &c.v {
                Y::Scalar(s, _) => vec![s.clone()],
                _ => scalar_list(c).ok_or_else(|| ctx("'comps' must be an operator or a list"))?,
            },
        };
        if comps.len() != fields.len() {
            return Err(ctx("'fields' and 'comps' have different lengths"));
        }
        let values = match e.get("values") {
            None => Vec::new(),
            Some(v) => match &v.v {
                Y::Seq(items) => items.clone(),
                _ => return Err(ctx("'values' must be a sequence")),
            },
        };
        out.push(Exception {
            name,
            fields,
            single,
            comps,
            values,
        });
    }
    Ok(out)
}

fn yaml_items(n: &YNode) -> Option<Vec<Item>> {
    match &n.v {
        Y::Seq(items) => items
            .iter()
            .map(|i| {
                i.as_str().map(|s| Item {
                    text: s.to_string(),
                    quoted: false,
                })
            })
            .collect(),
        Y::Scalar(s, _) => Some(vec![Item {
            text: s.clone(),
            quoted: false,
        }]),
        _ => None,
    }
}

/// Builds the `not (...)` clause of a rule's exceptions.
pub(crate) fn exceptions_ast(rule: &str, exceptions: &[Exception]) -> Result<Option<Ast>, String> {
    let mut alts = Vec::new();
    for ex in exceptions {
        let ctx = |m: String| format!("rule '{rule}': exception '{}': {m}", ex.name);
        let check = |field: &str, comp: &str, value: &YNode| -> Result<Ast, String> {
            let (fname, arg) = match field.split_once('[') {
                Some((f, a)) => (f.to_string(), Some(a.trim_end_matches(']').to_string())),
                None => (field.to_string(), None),
            };
            let op = match comp {
                "=" | "==" => Op::Eq,
                "!=" => Op::Ne,
                "<" => Op::Lt,
                "<=" => Op::Le,
                ">" => Op::Gt,
                ">=" => Op::Ge,
                "contains" => Op::Contains,
                "icontains" => Op::IContains,
                "startswith" => Op::StartsWith,
                "endswith" => Op::EndsWith,
                "glob" => Op::Glob,
                "pmatch" => Op::PMatch,
                "in" => Op::In,
                "intersects" => Op::Intersects,
                other => return Err(ctx(format!("unsupported comparison '{other}'"))),
            };
            let operand = if matches!(op, Op::In | Op::Intersects | Op::PMatch) {
                Operand::List(
                    yaml_items(value).ok_or_else(|| ctx("a list value must be strings".into()))?,
                )
            } else {
                Operand::Value(
                    value
                        .as_str()
                        .ok_or_else(|| ctx("a value must be a string".into()))?
                        .to_string(),
                )
            };
            Ok(Ast::Check {
                field: fname,
                arg,
                op,
                value: operand,
            })
        };
        if ex.single {
            // `fields: f, comps: in, values: [a, b]` → f in (a, b)
            let list = YNode {
                v: Y::Seq(ex.values.clone()),
                line: 0,
            };
            if !ex.values.is_empty() {
                alts.push(check(&ex.fields[0], &ex.comps[0], &list)?);
            }
            continue;
        }
        for tuple in &ex.values {
            let Y::Seq(vals) = &tuple.v else {
                return Err(ctx(
                    "each value must be a list with one entry per field".into()
                ));
            };
            if vals.len() != ex.fields.len() {
                return Err(ctx(format!(
                    "a value has {} entries but there are {} fields",
                    vals.len(),
                    ex.fields.len()
                )));
            }
            let mut parts = Vec::new();
            for ((f, c), v) in ex.fields.iter().zip(&ex.comps).zip(vals) {
                parts.push(check(f, c, v)?);
            }
            alts.push(Ast::And(parts));
        }
    }
    Ok(match alts.len() {
        0 => None,
        _ => Some(Ast::Not(Box::new(Ast::Or(alts)))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_override_and_redefinition() {
        let mut rs = RuleSet::default();
        let errs = rs.load_str(
            "a.yaml",
            r#"
- required_engine_version: 15
- list: users
  items: [alice]
- macro: m
  condition: ka.verb=get
- rule: R
  desc: d
  condition: m
  output: "x %ka.user.name"
  priority: warning
  source: k8s_audit
  tags: [a]
-
- list: users
  items: [bob]
  append: true
- list: users
  items: [carol]
  override:
    items: append
- macro: m
  condition: or ka.verb=list
  append: true
- rule: R
  condition: and ka.user.name in (users)
  override:
    condition: append
- rule: R
  tags: [b]
  override:
    tags: append
"#,
        );
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(rs.lists["users"].items, vec!["alice", "bob", "carol"]);
        assert_eq!(rs.macros["m"].condition, "ka.verb=get or ka.verb=list");
        assert_eq!(rs.rules[0].condition, "m and ka.user.name in (users)");
        assert_eq!(rs.rules[0].tags, vec!["a", "b"]);
        assert_eq!(rs.rules[0].priority, Priority::Warning);
        let errs = rs.load_str(
            "b.yaml",
            "- rule: R\n  enabled: false\n- rule: R\n  desc: new\n  condition: ka.verb=x\n  output: o\n  priority: INFO\n",
        );
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(rs.rules.len(), 1);
        assert_eq!(rs.rules[0].condition, "ka.verb=x");
        assert!(rs.rules[0].enabled, "a redefinition is enabled again");
    }

    #[test]
    fn errors_carry_file_and_line() {
        let mut rs = RuleSet::default();
        let errs = rs.load_str(
            "bad.yaml",
            "- list: l\n  items: [a]\n- rule: X\n  condition: ka.verb in (\n  output: o\n  priority: INFO\n- rule: Y\n  condition: ka.verb=get\n  priority: LOUD\n  output: o\n- macro: z\n- list: nope\n  items: [a]\n  append: true\n- rule: Q\n  condition: a\n- frobnicate: 1\n",
        );
        let got: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            vec![
                "bad.yaml:3: rule 'X': condition: unclosed '(' in value list (at offset 12)",
                "bad.yaml:7: rule 'Y': unknown priority 'LOUD' (EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL, DEBUG)",
                "bad.yaml:11: macro 'z' has no 'condition'",
                "bad.yaml:12: list 'nope' has 'append' but no list by that name is defined earlier",
                "bad.yaml:15: rule 'Q' lacks output, priority",
                "bad.yaml:17: unknown item 'frobnicate' (expected rule, macro, list, required_engine_version or required_plugin_versions)",
            ]
        );
        assert_eq!(rs.lists["l"].items, vec!["a"], "good items still load");
        let errs = rs.load_str("y.yaml", "- rule: [\n");
        assert_eq!(errs.len(), 1);
        assert!(errs[0].to_string().starts_with("y.yaml:"), "{}", errs[0]);
    }
}
