//! The compiled rule set: conditions resolved to [`Expr`], rules indexed by verb, output
//! templates parsed, and evaluation of one event at a time.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::cond::{self, Ast, Expr, Scope};
use crate::event::{Event, Location};
use crate::fields::Field;
use crate::rules::{Priority, RuleError, RuleSet, exceptions_ast};

/// Which rules fire when several match one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Matching {
    /// Every matching rule (Falco's `rule_matching: all`).
    #[default]
    All,
    /// Only the first matching rule in load order (Falco's default, `rule_matching: first`).
    First,
}

#[derive(Debug, Clone)]
enum Segment {
    Text(Box<str>),
    Field(Box<str>, Field),
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule's name.
    pub name: Arc<str>,
    /// Its description.
    pub desc: Arc<str>,
    /// Priority.
    pub priority: Priority,
    /// Tags.
    pub tags: Arc<[String]>,
    /// Where it was defined (file:line).
    pub origin: Arc<str>,
    expr: Expr,
    output: Vec<Segment>,
    resources: Option<Vec<Box<str>>>,
}

impl Rule {
    /// True when the rule's condition holds for `ev`.
    pub fn matches(&self, ev: &Event<'_>) -> bool {
        if let Some(res) = &self.resources {
            match ev.resource() {
                Some(r) if res.iter().any(|x| &**x == r) => {}
                _ => return false,
            }
        }
        self.expr.eval(ev)
    }

    /// Renders the output template for `ev`.
    pub fn render(&self, ev: &Event<'_>) -> String {
        let mut out = String::with_capacity(128);
        for seg in &self.output {
            match seg {
                Segment::Text(t) => out.push_str(t),
                Segment::Field(_, f) => f.extract(ev).render(&mut out),
            }
        }
        out
    }

    /// The fields the output names, with their values in `ev`.
    pub fn fields(&self, ev: &Event<'_>) -> serde_json::Map<String, serde_json::Value> {
        let mut map = serde_json::Map::new();
        for seg in &self.output {
            if let Segment::Field(name, f) = seg {
                map.entry(name.to_string())
                    .or_insert_with(|| f.extract(ev).to_json());
            }
        }
        map
    }
}

/// An alert: one rule matched one event.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    /// The event's time (stageTimestamp).
    pub time: Option<String>,
    /// The rule's name.
    pub rule: Arc<str>,
    /// Its priority.
    pub priority: Priority,
    /// The rendered output.
    pub output: String,
    /// The rule's tags.
    pub tags: Arc<[String]>,
    /// The fields the output names, with their values.
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// Where the event was read (file:line).
    pub source: String,
    /// The event's auditID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_id: Option<String>,
    /// The event's `objectRef` (what was acted on), for response actions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
}

/// The object an audited request acted on (`objectRef`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Target {
    /// Resource (plural, lowercase: `pods`).
    pub resource: String,
    /// Subresource (`exec`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subresource: Option<String>,
    /// Namespace, for namespaced objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name (absent for creations with generateName and for lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A compiled rule set, ready to evaluate events.
#[derive(Debug, Clone)]
pub struct Engine {
    rules: Vec<Rule>,
    by_verb: HashMap<Box<str>, Vec<u32>>,
    any_verb: Vec<u32>,
    matching: Matching,
    min_priority: Priority,
}

fn parse_output(rule: &str, template: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    let b = template.as_bytes();
    let mut text = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 1 < b.len() && (b[i + 1].is_ascii_alphabetic() || b[i + 1] == b'(') {
            let paren = b[i + 1] == b'(';
            let start = if paren { i + 2 } else { i + 1 };
            let mut j = start;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'.') {
                j += 1;
            }
            let name = template[start..j].trim_end_matches('.');
            j = start + name.len();
            let mut arg = None;
            if j < b.len() && b[j] == b'[' {
                let close = template[j..]
                    .find(']')
                    .ok_or_else(|| format!("rule '{rule}': output: unclosed '[' after %{name}"))?;
                arg = Some(&template[j + 1..j + close]);
                j += close + 1;
            }
            if paren {
                if j < b.len() && b[j] == b')' {
                    j += 1;
                } else {
                    return Err(format!(
                        "rule '{rule}': output: unclosed '%(' before {name}"
                    ));
                }
            }
            let field =
                Field::parse(name, arg).map_err(|e| format!("rule '{rule}': output: {e}"))?;
            if !text.is_empty() {
                out.push(Segment::Text(std::mem::take(&mut text).into()));
            }
            let label = match arg {
                Some(a) => format!("{name}[{a}]"),
                None => name.to_string(),
            };
            out.push(Segment::Field(label.into(), field));
            i = j;
            continue;
        }
        let c = template[i..].chars().next().unwrap_or(' ');
        text.push(if c == '\n' { ' ' } else { c });
        i += c.len_utf8();
    }
    if !text.is_empty() {
        out.push(Segment::Text(text.into()));
    }
    Ok(out)
}

impl Engine {
    /// Compiles every enabled `k8s_audit` rule of `set`. Rules for other sources are skipped
    /// (noted in the returned warnings). Problems are returned with their file and line; the
    /// engine holds every rule that compiled.
    pub fn compile(set: &RuleSet) -> (Engine, Vec<RuleError>) {
        let mut errors = Vec::new();
        let mut macros: HashMap<String, Ast> = HashMap::new();
        for (name, m) in &set.macros {
            match cond::parse(&m.condition) {
                Ok(a) => {
                    macros.insert(name.clone(), a);
                }
                Err(e) => errors.push(RuleError {
                    file: m.origin.file.clone(),
                    line: m.origin.line,
                    message: format!("macro '{name}': condition: {e}"),
                }),
            }
        }
        let lists: HashMap<String, Vec<String>> = set
            .lists
            .iter()
            .map(|(k, v)| (k.clone(), v.items.clone()))
            .collect();
        let scope = Scope {
            macros: &macros,
            lists: &lists,
        };
        let mut rules = Vec::new();
        for def in &set.rules {
            let err = |message: String| RuleError {
                file: def.origin.file.clone(),
                line: def.origin.line,
                message,
            };
            if def.source != "k8s_audit" {
                continue;
            }
            let mut ast = match cond::parse(&def.condition) {
                Ok(a) => a,
                Err(e) => {
                    errors.push(err(format!("rule '{}': condition: {e}", def.name)));
                    continue;
                }
            };
            match exceptions_ast(&def.name, &def.exceptions) {
                Ok(Some(not_ex)) => ast = Ast::And(vec![ast, not_ex]),
                Ok(None) => {}
                Err(e) => {
                    errors.push(err(e));
                    continue;
                }
            }
            let expr = match scope.resolve(&ast, &mut Vec::new()) {
                Ok(e) => e,
                Err(e) => {
                    errors.push(err(format!("rule '{}': {}", def.name, e.0)));
                    continue;
                }
            };
            let output = match parse_output(&def.name, &def.output) {
                Ok(o) => o,
                Err(e) => {
                    errors.push(err(e));
                    continue;
                }
            };
            if !def.enabled {
                continue;
            }
            let resources = expr
                .required(&Field::TargetResource)
                .map(|v| v.into_iter().map(Box::from).collect());
            rules.push(Rule {
                name: def.name.as_str().into(),
                desc: def.desc.as_str().into(),
                priority: def.priority,
                tags: def.tags.clone().into(),
                origin: format!("{}:{}", def.origin.file, def.origin.line).into(),
                expr,
                output,
                resources,
            });
        }
        let mut by_verb: HashMap<Box<str>, Vec<u32>> = HashMap::new();
        let mut any_verb = Vec::new();
        let mut verb_rules: Vec<(u32, Vec<Box<str>>)> = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            match r.expr.required(&Field::Verb) {
                Some(verbs) => {
                    verb_rules.push((i as u32, verbs.into_iter().map(Box::from).collect()))
                }
                None => any_verb.push(i as u32),
            }
        }
        for (i, verbs) in verb_rules {
            for v in verbs {
                by_verb.entry(v).or_default().push(i);
            }
        }
        let engine = Engine {
            rules,
            by_verb,
            any_verb,
            matching: Matching::All,
            min_priority: Priority::Debug,
        };
        (engine, errors)
    }

    /// Sets how many rules may fire per event.
    pub fn with_matching(mut self, m: Matching) -> Self {
        self.matching = m;
        self
    }

    /// Ignores rules less severe than `p`.
    pub fn with_min_priority(mut self, p: Priority) -> Self {
        self.min_priority = p;
        self
    }

    /// The compiled, enabled rules, in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Calls `on_match` for each rule matching `ev`, in load order (only the first with
    /// [`Matching::First`]).
    pub fn evaluate<'r>(&'r self, ev: &Event<'_>, mut on_match: impl FnMut(&'r Rule)) {
        let specific: &[u32] = ev
            .verb()
            .and_then(|v| self.by_verb.get(v))
            .map_or(&[], Vec::as_slice);
        // Merge the two sorted index lists so rules are tried in load order.
        let (mut a, mut b) = (0, 0);
        let any = &self.any_verb;
        while a < specific.len() || b < any.len() {
            let idx = if b >= any.len() || (a < specific.len() && specific[a] < any[b]) {
                a += 1;
                specific[a - 1]
            } else {
                b += 1;
                any[b - 1]
            };
            let rule = &self.rules[idx as usize];
            if rule.priority > self.min_priority {
                continue;
            }
            if rule.matches(ev) {
                on_match(rule);
                if self.matching == Matching::First {
                    return;
                }
            }
        }
    }

    /// Evaluates `ev` and builds the alerts.
    pub fn alerts(&self, ev: &Event<'_>, loc: Location<'_>) -> Vec<Alert> {
        let mut out = Vec::new();
        self.evaluate(ev, |rule| {
            out.push(Alert {
                time: ev.time().map(str::to_string),
                rule: rule.name.clone(),
                priority: rule.priority,
                output: rule.render(ev),
                tags: rule.tags.clone(),
                fields: rule.fields(ev),
                source: loc.to_string(),
                audit_id: ev.raw.audit_id.as_deref().map(str::to_string),
                target: ev.raw.object_ref.as_ref().map(|r| Target {
                    resource: r.resource.as_deref().unwrap_or_default().to_string(),
                    subresource: r.subresource.as_deref().map(str::to_string),
                    namespace: r.namespace.as_deref().map(str::to_string),
                    name: r.name.as_deref().map(str::to_string),
                }),
            })
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_templates() {
        let segs = parse_output("r", "user=%ka.user.name target=%ka.target.name/%ka.target.resource v=%jevt.value[/a/b] 100% %(ka.verb)").unwrap();
        let names: Vec<String> = segs
            .iter()
            .map(|s| match s {
                Segment::Text(t) => format!("T:{t}"),
                Segment::Field(n, _) => format!("F:{n}"),
            })
            .collect();
        assert_eq!(
            names,
            vec![
                "T:user=",
                "F:ka.user.name",
                "T: target=",
                "F:ka.target.name",
                "T:/",
                "F:ka.target.resource",
                "T: v=",
                "F:jevt.value[/a/b]",
                "T: 100% ",
                "F:ka.verb"
            ]
        );
        assert_eq!(
            parse_output("r", "x=%ka.nope").unwrap_err(),
            "rule 'r': output: unknown field 'ka.nope'"
        );
    }

    #[test]
    fn first_and_all_matching_and_index() {
        let mut set = RuleSet::default();
        let errs = set.load_str(
            "t.yaml",
            r#"
- rule: A
  condition: ka.verb=create and ka.target.resource=pods
  output: "a %ka.user.name %ka.req.pod.containers.image"
  priority: WARNING
  source: k8s_audit
- rule: B
  condition: ka.user.name=alice
  output: b
  priority: INFO
  source: k8s_audit
- rule: C
  condition: ka.verb in (delete, create)
  output: c
  priority: DEBUG
  source: k8s_audit
- rule: S
  condition: proc.name=bash
  output: s
  priority: INFO
"#,
        );
        assert!(errs.is_empty(), "{errs:?}");
        let (engine, errs) = Engine::compile(&set);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(engine.rules().len(), 3, "the syscall rule is skipped");
        let ev = Event::parse(r#"{"kind":"Event","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"pods"},"requestObject":{"spec":{"containers":[{"image":"a"},{"image":"b"}]}}}"#).unwrap();
        let mut hits = Vec::new();
        engine.evaluate(&ev, |r| hits.push(r.name.to_string()));
        assert_eq!(hits, vec!["A", "B", "C"]);
        let alerts = engine.alerts(&ev, Location { file: "f", line: 3 });
        assert_eq!(alerts[0].output, "a alice (a,b)");
        assert_eq!(alerts[0].source, "f:3");
        assert_eq!(
            serde_json::Value::Object(alerts[0].fields.clone()),
            serde_json::json!({"ka.user.name": "alice", "ka.req.pod.containers.image": ["a", "b"]})
        );
        let first = engine.clone().with_matching(Matching::First);
        let mut hits = Vec::new();
        first.evaluate(&ev, |r| hits.push(r.name.to_string()));
        assert_eq!(hits, vec!["A"]);
        let warn = engine.with_min_priority(Priority::Warning);
        let mut hits = Vec::new();
        warn.evaluate(&ev, |r| hits.push(r.name.to_string()));
        assert_eq!(hits, vec!["A"]);
    }

    #[test]
    fn exceptions_exclude_matches() {
        let mut set = RuleSet::default();
        let errs = set.load_str(
            "t.yaml",
            r#"
- rule: Exec
  condition: ka.target.subresource=exec
  output: x
  priority: NOTICE
  source: k8s_audit
  exceptions:
    - name: trusted
      fields: [ka.user.name, ka.target.namespace]
      comps: [=, in]
      values:
        - [alice, [dev, test]]
    - name: bots
      fields: ka.user.name
      comps: in
      values: [ci-bot]
"#,
        );
        assert!(errs.is_empty(), "{errs:?}");
        let (engine, errs) = Engine::compile(&set);
        assert!(errs.is_empty(), "{errs:?}");
        let hit = |user: &str, ns: &str| {
            let text = format!(
                r#"{{"kind":"Event","verb":"create","user":{{"username":"{user}"}},"objectRef":{{"resource":"pods","subresource":"exec","namespace":"{ns}"}}}}"#
            );
            let ev = Event::parse(&text).unwrap();
            let mut n = 0;
            engine.evaluate(&ev, |_| n += 1);
            n
        };
        assert_eq!(hit("alice", "dev"), 0);
        assert_eq!(hit("alice", "prod"), 1);
        assert_eq!(hit("ci-bot", "prod"), 0);
        assert_eq!(hit("mallory", "dev"), 1);
    }
}
