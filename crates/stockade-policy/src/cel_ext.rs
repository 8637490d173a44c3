//! CEL as Kubernetes evaluates it, on the `cel` crate: the standard library with the strings
//! and lists extensions of cel-go (from the crate), plus the Kubernetes libraries written here
//! (k8s.io/apiserver/pkg/cel/library): lists (`isSorted`, `sum`, `min`, `max`, `indexOf`,
//! `lastIndexOf`), sets, regex (`find`, `findAll`), URLs (`url`), quantities (`quantity`) and
//! IP addresses and CIDRs (`ip`, `cidr`).
//!
//! Cost: the `cel` crate has no cost hook, so [`compile`] rewrites each comprehension (the
//! expansion of `all`, `exists`, `exists_one`, `map`, `filter`, `sortBy`) to call a metering
//! function on every iteration, and the functions defined here charge the size of the lists
//! and strings they walk. [`Compiled::eval`] stops with [`EvalError::Cost`] once the units
//! charged exceed the limit given. What is bounded: comprehension iterations (the only loops
//! CEL has) and the work of this module's functions. Not counted: single operators and the
//! crate's own functions outside loops (each bounded by the size of its arguments, which the
//! input bounds), and the parser's depth (the crate caps nesting at 96 levels).

use std::cell::Cell;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use cel::common::ast::{CallExpr, EntryExpr, Expr, IdedExpr};
use cel::common::types::{DYN_TYPE, INT_TYPE, LIST_TYPE, STRING_TYPE, Type};
use cel::common::value::{CowVal, Val};
use cel::objects::{Key, Map, Opaque};
use cel::{Context, Env, ExecutionError, Value};
use serde_json::Value as Json;

/// The environment every policy expression is compiled and run with (built once).
pub fn env() -> Arc<Env> {
    lib().env.clone()
}

/// The environment and the argument counts of the functions this module declares.
struct Lib {
    env: Arc<Env>,
    /// (name, is a method) → argument counts (a method's target not counted).
    arities: HashMap<(String, bool), Vec<usize>>,
}

fn lib() -> &'static Lib {
    static LIB: OnceLock<Lib> = OnceLock::new();
    LIB.get_or_init(|| build_env().expect("the CEL library declarations are valid"))
}

/// The `cel` crate's own library: the standard one with the strings and lists extensions.
fn crate_env() -> Result<Env, cel::DeclarationError> {
    let mut env = Env::stdlib();
    env.add_extension(cel::extensions::strings)?;
    env.add_extension(cel::extensions::lists)?;
    Ok(env)
}

/// Declares overloads on an environment and records their argument counts, for the
/// load-time check of calls ([`Compiled::bad_calls`]).
struct Decl {
    env: Env,
    arities: HashMap<(String, bool), Vec<usize>>,
}

impl Decl {
    fn global(
        &mut self,
        name: &str,
        id: &str,
        args: Vec<Type>,
        f: cel::common::functions::Function,
    ) -> Result<(), cel::DeclarationError> {
        self.record(name, false, args.len());
        self.env.add_overload(name, id, args, f)
    }

    fn member(
        &mut self,
        name: &str,
        id: &str,
        target: Type,
        args: Vec<Type>,
        f: cel::common::functions::Function,
    ) -> Result<(), cel::DeclarationError> {
        self.record(name, true, args.len());
        self.env.add_member_overload(name, id, target, args, f)
    }

    fn record(&mut self, name: &str, method: bool, n: usize) {
        let a = self.arities.entry((name.to_string(), method)).or_default();
        if !a.contains(&n) {
            a.push(n);
            a.sort_unstable();
        }
    }
}

mod format;
mod semver;

pub use format::Format;
pub use semver::Semver;

type R<'b, 'v> = Result<CowVal<'b, 'v>, ExecutionError>;

const TICK: &str = "@tick";

fn build_env() -> Result<Lib, cel::DeclarationError> {
    let mut d = Decl {
        env: crate_env()?,
        arities: HashMap::new(),
    };
    d.global(TICK, "@tick_dyn", vec![DYN_TYPE], tick)?;
    // Kubernetes lists library.
    d.member("isSorted", "list_is_sorted", LIST_TYPE, vec![], is_sorted)?;
    d.member("sum", "list_sum", LIST_TYPE, vec![], sum)?;
    d.member("min", "list_min", LIST_TYPE, vec![], min)?;
    d.member("max", "list_max", LIST_TYPE, vec![], max)?;
    d.member(
        "indexOf",
        "list_index_of",
        LIST_TYPE,
        vec![DYN_TYPE],
        index_of,
    )?;
    d.member(
        "lastIndexOf",
        "list_last_index_of",
        LIST_TYPE,
        vec![DYN_TYPE],
        last_index_of,
    )?;
    // Sets (cel-go ext.Sets).
    d.global(
        "sets.contains",
        "sets_contains",
        vec![LIST_TYPE, LIST_TYPE],
        sets_contains,
    )?;
    d.global(
        "sets.equivalent",
        "sets_equivalent",
        vec![LIST_TYPE, LIST_TYPE],
        sets_equivalent,
    )?;
    d.global(
        "sets.intersects",
        "sets_intersects",
        vec![LIST_TYPE, LIST_TYPE],
        sets_intersects,
    )?;
    // Regex.
    d.member("find", "string_find", STRING_TYPE, vec![STRING_TYPE], find)?;
    d.member(
        "findAll",
        "string_find_all",
        STRING_TYPE,
        vec![STRING_TYPE],
        find_all,
    )?;
    d.member(
        "findAll",
        "string_find_all_n",
        STRING_TYPE,
        vec![STRING_TYPE, INT_TYPE],
        find_all,
    )?;
    // URLs.

    d.global("url", "string_to_url", vec![STRING_TYPE], url)?;
    d.global("isURL", "is_url_string", vec![STRING_TYPE], is_url)?;
    for (name, f) in [
        ("getScheme", url_scheme as cel::common::functions::Function),
        ("getHost", url_host),
        ("getHostname", url_hostname),
        ("getPort", url_port),
        ("getEscapedPath", url_path),
        ("getQuery", url_query),
    ] {
        d.member(name, &format!("url_{name}"), opaque_type(URL), vec![], f)?;
    }
    // Quantities.

    d.global(
        "quantity",
        "string_to_quantity",
        vec![STRING_TYPE],
        quantity,
    )?;
    d.global(
        "isQuantity",
        "is_quantity_string",
        vec![STRING_TYPE],
        is_quantity,
    )?;
    for (name, f) in [
        (
            "isInteger",
            q_is_integer as cel::common::functions::Function,
        ),
        ("asInteger", q_as_integer),
        ("asApproximateFloat", q_as_float),
        ("sign", q_sign),
    ] {
        d.member(
            name,
            &format!("quantity_{name}"),
            opaque_type(QUANTITY),
            vec![],
            f,
        )?;
    }
    for (name, f) in [
        ("compareTo", q_compare as cel::common::functions::Function),
        ("isGreaterThan", q_greater),
        ("isLessThan", q_less),
        ("add", q_add),
        ("sub", q_sub),
    ] {
        d.member(
            name,
            &format!("quantity_{name}_quantity"),
            opaque_type(QUANTITY),
            vec![opaque_type(QUANTITY)],
            f,
        )?;
    }
    d.member(
        "add",
        "quantity_add_int",
        opaque_type(QUANTITY),
        vec![INT_TYPE],
        q_add,
    )?;
    d.member(
        "sub",
        "quantity_sub_int",
        opaque_type(QUANTITY),
        vec![INT_TYPE],
        q_sub,
    )?;
    // IP addresses and CIDRs.

    d.global("ip", "string_to_ip", vec![STRING_TYPE], ip)?;
    d.global("isIP", "is_ip_string", vec![STRING_TYPE], is_ip)?;
    d.global(
        "ip.isCanonical",
        "ip_is_canonical",
        vec![STRING_TYPE],
        ip_is_canonical,
    )?;
    d.global(
        "string",
        "ip_to_string",
        vec![opaque_type(IP)],
        net_to_string,
    )?;
    d.global(
        "string",
        "cidr_to_string",
        vec![opaque_type(CIDR)],
        net_to_string,
    )?;
    for (name, f) in [
        ("family", ip_family as cel::common::functions::Function),
        ("isUnspecified", ip_is_unspecified),
        ("isLoopback", ip_is_loopback),
        ("isLinkLocalMulticast", ip_is_link_local_multicast),
        ("isLinkLocalUnicast", ip_is_link_local_unicast),
        ("isGlobalUnicast", ip_is_global_unicast),
    ] {
        d.member(name, &format!("ip_{name}"), opaque_type(IP), vec![], f)?;
    }
    d.global("cidr", "string_to_cidr", vec![STRING_TYPE], cidr)?;
    d.global("isCIDR", "is_cidr_string", vec![STRING_TYPE], is_cidr)?;
    d.member(
        "containsIP",
        "cidr_contains_ip",
        opaque_type(CIDR),
        vec![opaque_type(IP)],
        contains_ip,
    )?;
    d.member(
        "containsIP",
        "cidr_contains_ip_string",
        opaque_type(CIDR),
        vec![STRING_TYPE],
        contains_ip,
    )?;
    d.member(
        "containsCIDR",
        "cidr_contains_cidr",
        opaque_type(CIDR),
        vec![opaque_type(CIDR)],
        contains_cidr,
    )?;
    d.member(
        "containsCIDR",
        "cidr_contains_cidr_string",
        opaque_type(CIDR),
        vec![STRING_TYPE],
        contains_cidr,
    )?;
    d.member("ip", "cidr_ip", opaque_type(CIDR), vec![], cidr_ip)?;
    d.member(
        "prefixLength",
        "cidr_prefix_length",
        opaque_type(CIDR),
        vec![],
        cidr_prefix_length,
    )?;
    d.member(
        "masked",
        "cidr_masked",
        opaque_type(CIDR),
        vec![],
        cidr_masked,
    )?;
    format::declare(&mut d)?;
    semver::declare(&mut d)?;
    Ok(Lib {
        env: Arc::new(d.env),
        arities: d.arities,
    })
}

fn opaque_type(name: &'static str) -> Type {
    Type::new_opaque_type(name)
}

// ---------------------------------------------------------------------------------------------
// Cost metering

thread_local! {
    /// Units charged so far and the limit, for the evaluation running on this thread.
    static METER: Cell<(u64, u64)> = const { Cell::new((0, u64::MAX)) };
}

/// Adds `units` to the running evaluation's cost; an error once over the limit.
fn charge(units: u64) -> Result<(), ExecutionError> {
    METER.with(|m| {
        let (used, limit) = m.get();
        let used = used.saturating_add(units);
        m.set((used, limit));
        if used > limit {
            Err(ExecutionError::function_error(
                "cost",
                format!("cost limit of {limit} exceeded"),
            ))
        } else {
            Ok(())
        }
    })
}

fn tick<'b, 'v>(mut args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    charge(1)?;
    args.pop()
        .ok_or_else(ExecutionError::missing_argument_or_target)
}

/// Wraps every comprehension's step in a call to the metering function.
fn meter(e: &mut IdedExpr, next_id: &mut u64) {
    match &mut e.expr {
        Expr::Call(c) => {
            if let Some(t) = c.target.as_mut() {
                meter(t, next_id);
            }
            c.args.iter_mut().for_each(|a| meter(a, next_id));
        }
        Expr::Comprehension(c) => {
            meter(&mut c.iter_range, next_id);
            meter(&mut c.accu_init, next_id);
            meter(&mut c.loop_cond, next_id);
            meter(&mut c.loop_step, next_id);
            meter(&mut c.result, next_id);
            let step = std::mem::take(&mut c.loop_step);
            *next_id += 1;
            c.loop_step = IdedExpr {
                id: *next_id,
                expr: Expr::Call(CallExpr {
                    func_name: TICK.to_string(),
                    target: None,
                    args: vec![step],
                }),
            };
        }
        Expr::List(l) => l.elements.iter_mut().for_each(|x| meter(x, next_id)),
        Expr::Map(m) => {
            for entry in &mut m.entries {
                match &mut entry.expr {
                    EntryExpr::MapEntry(me) => {
                        meter(&mut me.key, next_id);
                        meter(&mut me.value, next_id);
                    }
                    EntryExpr::StructField(f) => meter(&mut f.value, next_id),
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &mut s.entries {
                if let EntryExpr::StructField(f) = &mut entry.expr {
                    meter(&mut f.value, next_id);
                }
            }
        }
        Expr::Select(s) => meter(&mut s.operand, next_id),
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

fn max_id(e: &IdedExpr) -> u64 {
    let mut m = e.id;
    let mut see = |x: &IdedExpr| m = m.max(max_id(x));
    match &e.expr {
        Expr::Call(c) => {
            if let Some(t) = &c.target {
                see(t);
            }
            c.args.iter().for_each(see);
        }
        Expr::Comprehension(c) => {
            for x in [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ] {
                see(x);
            }
        }
        Expr::List(l) => l.elements.iter().for_each(see),
        Expr::Map(me) => {
            for entry in &me.entries {
                match &entry.expr {
                    EntryExpr::MapEntry(x) => {
                        see(&x.key);
                        see(&x.value);
                    }
                    EntryExpr::StructField(f) => see(&f.value),
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                if let EntryExpr::StructField(f) = &entry.expr {
                    see(&f.value);
                }
            }
        }
        Expr::Select(s) => see(&s.operand),
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
    m
}

/// An expression parsed once, with its loops metered.
#[derive(Debug)]
pub struct Compiled {
    /// The source.
    pub source: String,
    expr: IdedExpr,
}

/// Why an evaluation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// The cost limit was exceeded (the limit).
    Cost(u64),
    /// A runtime error.
    Exec(String),
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvalError::Cost(limit) => write!(
                f,
                "cost limit exceeded: the expression used more than {limit} units"
            ),
            EvalError::Exec(m) => f.write_str(m),
        }
    }
}

/// Parses `source` with the Kubernetes environment's macros.
pub fn compile(source: &str) -> Result<Compiled, String> {
    let mut expr = env()
        .parser()
        .parse(source)
        .map_err(|e| e.to_string().trim().to_string())?;
    let mut next = max_id(&expr) + 1_000_000;
    meter(&mut expr, &mut next);
    Ok(Compiled {
        source: source.to_string(),
        expr,
    })
}

/// Identifiers that name types, not variables (`type(x) == int`).
const TYPE_NAMES: &[&str] = &[
    "int",
    "uint",
    "double",
    "bool",
    "string",
    "bytes",
    "list",
    "map",
    "null_type",
    "type",
    "dyn",
];

/// The free identifiers of `e` (not bound by a comprehension, not a type name) and the fields
/// it selects on the free identifier `variables`.
fn free_names(
    e: &IdedExpr,
    bound: &mut Vec<String>,
    free: &mut Vec<String>,
    vars: &mut Vec<String>,
) {
    match &e.expr {
        Expr::Ident(name) => {
            if !name.starts_with('@')
                && !bound.iter().any(|b| b == name)
                && !TYPE_NAMES.contains(&name.as_str())
                && !free.contains(name)
            {
                free.push(name.clone());
            }
        }
        Expr::Select(sel) => {
            if let Expr::Ident(name) = &sel.operand.expr
                && name == "variables"
                && !bound.iter().any(|b| b == name)
                && !vars.contains(&sel.field)
            {
                vars.push(sel.field.clone());
            }
            free_names(&sel.operand, bound, free, vars);
        }
        Expr::Call(c) => {
            match c.target.as_deref() {
                // `lists.range(3)`, `sets.contains(a, b)`: a function namespace, not a
                // variable (function names themselves are not resolved here).
                Some(IdedExpr {
                    expr: Expr::Ident(name),
                    ..
                }) if !bound.iter().any(|b| b == name) => {}
                Some(t) => free_names(t, bound, free, vars),
                None => {}
            }
            for a in &c.args {
                free_names(a, bound, free, vars);
            }
        }
        Expr::Comprehension(c) => {
            free_names(&c.iter_range, bound, free, vars);
            free_names(&c.accu_init, bound, free, vars);
            let before = bound.len();
            bound.push(c.iter_var.clone());
            if let Some(v) = &c.iter_var2 {
                bound.push(v.clone());
            }
            bound.push(c.accu_var.clone());
            free_names(&c.loop_cond, bound, free, vars);
            free_names(&c.loop_step, bound, free, vars);
            free_names(&c.result, bound, free, vars);
            bound.truncate(before);
        }
        Expr::List(l) => {
            for x in &l.elements {
                free_names(x, bound, free, vars);
            }
        }
        Expr::Map(m) => {
            for entry in &m.entries {
                match &entry.expr {
                    EntryExpr::MapEntry(me) => {
                        free_names(&me.key, bound, free, vars);
                        free_names(&me.value, bound, free, vars);
                    }
                    EntryExpr::StructField(f) => free_names(&f.value, bound, free, vars),
                }
            }
        }
        Expr::Struct(st) => {
            for entry in &st.entries {
                if let EntryExpr::StructField(f) = &entry.expr {
                    free_names(&f.value, bound, free, vars);
                }
            }
        }
        Expr::Literal(_) | Expr::Unspecified => {}
    }
}

/// Whether `env` declares a function (`method` false) or a method named `name`, asked of the
/// crate itself: a call with no arguments is resolved, and only a name it does not know
/// fails as an undeclared reference (a known name without a matching overload fails
/// otherwise). Nothing runs but that lookup, and a zero-argument overload if one exists.
fn declared(env: &Arc<Env>, name: &str, method: bool) -> bool {
    let call = IdedExpr {
        id: 1,
        expr: Expr::Call(CallExpr {
            func_name: name.to_string(),
            target: method.then(|| {
                Box::new(IdedExpr {
                    id: 2,
                    expr: Expr::Literal(cel::common::ast::LiteralValue::Null),
                })
            }),
            args: Vec::new(),
        }),
    };
    let ctx = Context::with_env(env.clone());
    !matches!(
        Value::resolve(&call, &ctx),
        Err(ExecutionError::UndeclaredReference(n)) if n.as_str() == name
    )
}

/// [`declared`], remembered, in the policy environment (`ours` false: the crate's alone).
fn knows(name: &str, method: bool, ours: bool) -> bool {
    type Seen = std::sync::Mutex<HashMap<(String, bool, bool), bool>>;
    static SEEN: OnceLock<Seen> = OnceLock::new();
    static CRATE: OnceLock<Arc<Env>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    let key = (name.to_string(), method, ours);
    if let Some(&k) = seen.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return k;
    }
    let env = if ours {
        env()
    } else {
        CRATE
            .get_or_init(|| Arc::new(crate_env().expect("the crate's library is valid")))
            .clone()
    };
    let k = declared(&env, name, method);
    seen.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, k);
    k
}

/// The macros, expanded by the parser only when called with their argument counts: any other
/// call to them is left as a call to a function that does not exist.
const MACROS: &[(&str, bool, &str)] = &[
    ("has", false, "1"),
    ("all", true, "2"),
    ("exists", true, "2"),
    ("exists_one", true, "2"),
    ("map", true, "2 or 3"),
    ("filter", true, "2"),
    ("sortBy", true, "2"),
];

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// What is wrong with a call of `name` (a method when `method`) with `n` arguments.
fn call_problem(name: &str, method: bool, n: usize) -> Option<String> {
    let shown = |m: bool| {
        if m {
            format!("`.{name}()`")
        } else {
            format!("`{name}()`")
        }
    };
    if !knows(name, method, true) {
        if let Some((_, m, counts)) = MACROS.iter().find(|(m, _, _)| *m == name) {
            return Some(if *m == method {
                format!(
                    "calls the macro {} with {n} argument{}; it takes {counts}",
                    shown(method),
                    plural(n)
                )
            } else {
                format!(
                    "calls the macro {} as a {}; it is a {}",
                    shown(method),
                    if method { "method" } else { "function" },
                    if *m { "method" } else { "function" }
                )
            });
        }
        return Some(if knows(name, !method, true) {
            if method {
                format!("calls `{name}` as a method; it is a function: write `{name}(x, ...)`")
            } else {
                format!("calls `{name}` as a function; it is a method: write `x.{name}(...)`")
            }
        } else {
            format!(
                "calls the unknown {} `{name}`",
                if method { "method" } else { "function" }
            )
        });
    }
    // Argument counts are known for the functions declared here; a name the crate also
    // declares may have other overloads, whose counts the crate does not expose.
    let counts = lib().arities.get(&(name.to_string(), method))?;
    if counts.contains(&n) || knows(name, method, false) {
        return None;
    }
    let takes: Vec<String> = counts.iter().map(usize::to_string).collect();
    Some(format!(
        "calls {} with {n} argument{}; it takes {}",
        shown(method),
        plural(n),
        takes.join(" or ")
    ))
}

/// The dotted name an identifier or field selection spells (`a.b.c`), if it is one.
fn dotted(e: &IdedExpr) -> Option<Vec<&str>> {
    match &e.expr {
        Expr::Ident(n) => Some(vec![n.as_str()]),
        Expr::Select(s) if !s.test => {
            let mut v = dotted(&s.operand)?;
            v.push(s.field.as_str());
            Some(v)
        }
        _ => None,
    }
}

/// The problems of every call in `e`. `variables` are the names the caller binds;
/// comprehension variables are tracked in `bound`.
fn bad_calls(e: &IdedExpr, variables: &[&str], bound: &mut Vec<String>, out: &mut Vec<String>) {
    macro_rules! walk {
        ($x:expr, $bound:expr) => {
            bad_calls($x, variables, $bound, out)
        };
    }
    match &e.expr {
        Expr::Call(c) => {
            let name = c.func_name.as_str();
            // Operators (`_+_`, `!_`, `@in`) and this module's own rewrites.
            let is_function = name.starts_with(|ch: char| ch.is_ascii_alphabetic());
            let mut namespace = false;
            if is_function {
                let n = c.args.len();
                let problem = match c.target.as_deref() {
                    None => call_problem(name, false, n),
                    Some(t) => match dotted(t) {
                        // `sets.contains(a, b)`, `format.dns1123Label()`: a qualified
                        // function when one of that name exists (as the crate resolves it).
                        Some(path)
                            if !bound.iter().any(|b| b == path[0])
                                && knows(&format!("{}.{name}", path.join(".")), false, true) =>
                        {
                            namespace = true;
                            call_problem(&format!("{}.{name}", path.join(".")), false, n)
                        }
                        Some(path)
                            if !bound.iter().any(|b| b == path[0])
                                && !variables.contains(&path[0]) =>
                        {
                            namespace = true;
                            Some(format!(
                                "calls the unknown function `{}.{name}`",
                                path.join(".")
                            ))
                        }
                        _ => call_problem(name, true, n),
                    },
                };
                if let Some(p) = problem
                    && !out.contains(&p)
                {
                    out.push(p);
                }
            }
            if let Some(t) = &c.target
                && !namespace
            {
                walk!(t, bound);
            }
            for a in &c.args {
                walk!(a, bound);
            }
        }
        Expr::Comprehension(c) => {
            walk!(&c.iter_range, bound);
            walk!(&c.accu_init, bound);
            let before = bound.len();
            bound.push(c.iter_var.clone());
            if let Some(v) = &c.iter_var2 {
                bound.push(v.clone());
            }
            bound.push(c.accu_var.clone());
            walk!(&c.loop_cond, bound);
            walk!(&c.loop_step, bound);
            walk!(&c.result, bound);
            bound.truncate(before);
        }
        Expr::List(l) => {
            for x in &l.elements {
                walk!(x, bound);
            }
        }
        Expr::Map(m) => {
            for entry in &m.entries {
                match &entry.expr {
                    EntryExpr::MapEntry(me) => {
                        walk!(&me.key, bound);
                        walk!(&me.value, bound);
                    }
                    EntryExpr::StructField(f) => walk!(&f.value, bound),
                }
            }
        }
        Expr::Struct(st) => {
            for entry in &st.entries {
                if let EntryExpr::StructField(f) = &entry.expr {
                    walk!(&f.value, bound);
                }
            }
        }
        Expr::Select(sel) => walk!(&sel.operand, bound),
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

impl Compiled {
    /// The identifiers the expression reads that nothing in it binds (comprehension variables
    /// and type names excluded), in order of appearance: these must be declared by the caller.
    pub fn free_variables(&self) -> Vec<String> {
        let (mut free, mut vars) = (Vec::new(), Vec::new());
        free_names(&self.expr, &mut Vec::new(), &mut free, &mut vars);
        free
    }

    /// The names the expression reads as `variables.NAME`, in order of appearance.
    pub fn variables_read(&self) -> Vec<String> {
        let (mut free, mut vars) = (Vec::new(), Vec::new());
        free_names(&self.expr, &mut Vec::new(), &mut free, &mut vars);
        vars
    }

    /// Calls the environment cannot make, as messages in order of appearance: an unknown
    /// function or method (`startWith`), a function called as a method or the reverse, a
    /// macro with the wrong argument count, and for the Kubernetes libraries declared here,
    /// a wrong argument count. `variables` are the names the caller binds (so `x.f()` on an
    /// unbound `x` is read as the qualified function `x.f`).
    pub fn bad_calls(&self, variables: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        bad_calls(&self.expr, variables, &mut Vec::new(), &mut out);
        out
    }

    /// Whether the expression names the top-level variable `name`.
    pub fn references(&self, name: &str) -> bool {
        self.expr.references().has_variable(name)
    }

    /// Evaluates in `ctx`, allowed at most `limit` cost units; returns the value and the
    /// units used.
    pub fn eval(&self, ctx: &Context, limit: u64) -> (Result<Value, EvalError>, u64) {
        let saved = METER.with(|m| m.replace((0, limit)));
        let result = Value::resolve(&self.expr, ctx);
        let (used, _) = METER.with(|m| m.replace(saved));
        // An error inside `exists` or `||` can be absorbed: a spent budget fails regardless.
        if used > limit {
            return (Err(EvalError::Cost(limit)), used);
        }
        (result.map_err(|e| EvalError::Exec(e.to_string())), used)
    }
}

// ---------------------------------------------------------------------------------------------
// Values

/// A JSON document as a CEL value (integers stay integers).
pub fn json_to_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else if let Some(u) = n.as_u64() {
                Value::UInt(u)
            } else {
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Json::String(s) => Value::String(Arc::new(s.clone())),
        Json::Array(a) => Value::List(Arc::new(a.iter().map(json_to_value).collect())),
        Json::Object(m) => Value::Map(Map {
            map: Arc::new(
                m.iter()
                    .map(|(k, v)| (Key::String(Arc::new(k.clone())), json_to_value(v)))
                    .collect::<HashMap<_, _>>(),
            ),
        }),
    }
}

/// A CEL value as text for a message: strings as they are, others in CEL syntax.
pub fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => format!("{u}u"),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        other => format!("{other:?}"),
    }
}

fn vals<const N: usize>(args: &[CowVal<'_, '_>]) -> Result<[Value; N], ExecutionError> {
    if args.len() != N {
        return Err(ExecutionError::invalid_argument_count(N, args.len()));
    }
    let v: Vec<Value> = args
        .iter()
        .map(|a| Value::try_from(a.as_ref()))
        .collect::<Result<_, _>>()?;
    v.try_into()
        .map_err(|_| ExecutionError::invalid_argument_count(N, args.len()))
}

fn ret<'b, 'v>(v: impl Into<Value>) -> R<'b, 'v> {
    let b: Box<dyn Val> = v.into().try_into()?;
    Ok(CowVal::Owned(b))
}

fn list(v: &Value, f: &str) -> Result<Arc<Vec<Value>>, ExecutionError> {
    match v {
        Value::List(l) => {
            charge(l.len() as u64)?;
            Ok(l.clone())
        }
        other => Err(ExecutionError::function_error(
            f,
            format!("expected a list, got {}", other.type_of()),
        )),
    }
}

fn string<'a>(v: &'a Value, f: &str) -> Result<&'a str, ExecutionError> {
    match v {
        Value::String(s) => Ok(s.as_str()),
        other => Err(ExecutionError::function_error(
            f,
            format!("expected a string, got {}", other.type_of()),
        )),
    }
}

fn err(f: &str, m: impl ToString) -> ExecutionError {
    ExecutionError::function_error(f, m)
}

// ---------------------------------------------------------------------------------------------
// Lists and sets

fn cmp(a: &Value, b: &Value, f: &str) -> Result<std::cmp::Ordering, ExecutionError> {
    a.partial_cmp(b)
        .ok_or_else(|| err(f, format!("{a:?} and {b:?} cannot be compared")))
}

fn is_sorted<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [l] = vals::<1>(&args)?;
    let l = list(&l, "isSorted")?;
    for w in l.windows(2) {
        if cmp(&w[0], &w[1], "isSorted")? == std::cmp::Ordering::Greater {
            return ret(false);
        }
    }
    ret(true)
}

fn sum<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [l] = vals::<1>(&args)?;
    let l = list(&l, "sum")?;
    let mut it = l.iter();
    let Some(first) = it.next() else {
        return ret(0i64);
    };
    let mut acc = first.clone();
    for v in it {
        acc = match (&acc, v) {
            (Value::Int(a), Value::Int(b)) => Value::Int(
                a.checked_add(*b)
                    .ok_or_else(|| err("sum", "integer overflow"))?,
            ),
            (Value::UInt(a), Value::UInt(b)) => Value::UInt(
                a.checked_add(*b)
                    .ok_or_else(|| err("sum", "integer overflow"))?,
            ),
            (Value::Float(a), Value::Float(b)) => Value::Float(a + b),
            (Value::Duration(a), Value::Duration(b)) => Value::Duration(*a + *b),
            (a, b) => return Err(err("sum", format!("cannot add {a:?} and {b:?}"))),
        };
    }
    ret(acc)
}

fn extreme<'b, 'v>(args: Vec<CowVal<'b, 'v>>, f: &str, want: std::cmp::Ordering) -> R<'b, 'v> {
    let [l] = vals::<1>(&args)?;
    let l = list(&l, f)?;
    let mut it = l.iter();
    let mut best = it
        .next()
        .ok_or_else(|| err(f, "the list is empty"))?
        .clone();
    for v in it {
        if cmp(v, &best, f)? == want {
            best = v.clone();
        }
    }
    ret(best)
}

fn min<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    extreme(args, "min", std::cmp::Ordering::Less)
}

fn max<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    extreme(args, "max", std::cmp::Ordering::Greater)
}

fn index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [l, x] = vals::<2>(&args)?;
    let l = list(&l, "indexOf")?;
    ret(l.iter().position(|v| *v == x).map_or(-1, |i| i as i64))
}

fn last_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [l, x] = vals::<2>(&args)?;
    let l = list(&l, "lastIndexOf")?;
    ret(l.iter().rposition(|v| *v == x).map_or(-1, |i| i as i64))
}

type Items = Arc<Vec<Value>>;

fn two_lists(args: &[CowVal<'_, '_>], f: &str) -> Result<(Items, Items), ExecutionError> {
    let [a, b] = vals::<2>(args)?;
    let (a, b) = (list(&a, f)?, list(&b, f)?);
    charge((a.len() as u64).saturating_mul(b.len() as u64))?;
    Ok((a, b))
}

fn sets_contains<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let (a, b) = two_lists(&args, "sets.contains")?;
    ret(b.iter().all(|x| a.contains(x)))
}

fn sets_equivalent<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let (a, b) = two_lists(&args, "sets.equivalent")?;
    ret(b.iter().all(|x| a.contains(x)) && a.iter().all(|x| b.contains(x)))
}

fn sets_intersects<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let (a, b) = two_lists(&args, "sets.intersects")?;
    ret(b.iter().any(|x| a.contains(x)))
}

// ---------------------------------------------------------------------------------------------
// Regex

fn regex(pattern: &str, f: &str) -> Result<regex::Regex, ExecutionError> {
    regex::Regex::new(pattern).map_err(|e| err(f, e))
}

fn find<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [s, re] = vals::<2>(&args)?;
    let s = string(&s, "find")?;
    charge(1 + s.len() as u64 / 16)?;
    let re = regex(string(&re, "find")?, "find")?;
    ret(re
        .find(s)
        .map(|m| m.as_str().to_string())
        .unwrap_or_default())
}

fn find_all<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let n = match args.len() {
        3 => match Value::try_from(args[2].as_ref())? {
            Value::Int(n) => n,
            other => return Err(err("findAll", format!("expected an int, got {other:?}"))),
        },
        _ => -1,
    };
    let [s, re] = vals::<2>(&args[..2])?;
    let s = string(&s, "findAll")?;
    charge(1 + s.len() as u64 / 16)?;
    let re = regex(string(&re, "findAll")?, "findAll")?;
    let limit = if n < 0 { usize::MAX } else { n as usize };
    let found: Vec<Value> = re
        .find_iter(s)
        .take(limit)
        .map(|m| Value::String(Arc::new(m.as_str().to_string())))
        .collect();
    ret(Value::List(Arc::new(found)))
}

// ---------------------------------------------------------------------------------------------
// URLs

const URL: &str = "kubernetes.URL";

/// A URL as Go's `url.ParseRequestURI` reads it: an absolute URL or an absolute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    scheme: String,
    host: String,
    path: String,
    query: String,
}

impl Opaque for Url {
    fn runtime_type_name(&self) -> &str {
        URL
    }
}

impl Url {
    /// Parses like `url.ParseRequestURI` (no fragment allowed; absolute URL or path).
    pub fn parse(s: &str) -> Result<Url, String> {
        if s.contains('#') || s.chars().any(|c| c.is_control() || c == ' ') {
            return Err(format!("URL {s:?} is not a valid request URI"));
        }
        let (before, query) = match s.split_once('?') {
            Some((b, q)) => (b, q.to_string()),
            None => (s, String::new()),
        };
        if before.starts_with('/') {
            return Ok(Url {
                scheme: String::new(),
                host: String::new(),
                path: before.to_string(),
                query,
            });
        }
        let (scheme, rest) = before
            .split_once(':')
            .filter(|(sch, _)| {
                sch.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && sch
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            })
            .ok_or_else(|| format!("URL {s:?} has no scheme and is not an absolute path"))?;
        let (host, path) = match rest.strip_prefix("//") {
            Some(r) => match r.find('/') {
                Some(i) => (r[..i].to_string(), r[i..].to_string()),
                None => (r.to_string(), String::new()),
            },
            None if rest.starts_with('/') => (String::new(), rest.to_string()),
            None => return Err(format!("URL {s:?} is not a valid request URI")),
        };
        let host = host
            .rsplit_once('@')
            .map_or(host.clone(), |(_, h)| h.to_string());
        Ok(Url {
            scheme: scheme.to_string(),
            host,
            path,
            query,
        })
    }

    fn hostname(&self) -> &str {
        let h = self.host.as_str();
        if let Some(rest) = h.strip_prefix('[') {
            return rest.split(']').next().unwrap_or_default();
        }
        h.rsplit_once(':').map_or(h, |(name, _)| name)
    }

    fn port(&self) -> &str {
        let h = self.host.as_str();
        let after = match h.rfind(']') {
            Some(i) => &h[i + 1..],
            None => h,
        };
        after.rsplit_once(':').map_or("", |(_, p)| p)
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                Ok(v) => {
                    out.push(v);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn url<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [s] = vals::<1>(&args)?;
    let u = Url::parse(string(&s, "url")?).map_err(|e| err("url", e))?;
    ret(Value::Opaque(Arc::new(u)))
}

fn is_url<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [s] = vals::<1>(&args)?;
    ret(Url::parse(string(&s, "isURL")?).is_ok())
}

fn opaque<T: Opaque + Clone>(v: &Value, f: &str) -> Result<T, ExecutionError> {
    match v {
        Value::Opaque(o) => o
            .downcast_ref::<T>()
            .cloned()
            .ok_or_else(|| err(f, format!("unexpected {}", o.runtime_type_name()))),
        other => Err(err(f, format!("unexpected {}", other.type_of()))),
    }
}

fn url_of(args: &[CowVal<'_, '_>], f: &str) -> Result<Url, ExecutionError> {
    let [u] = vals::<1>(args)?;
    opaque::<Url>(&u, f)
}

fn url_scheme<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(url_of(&args, "getScheme")?.scheme)
}

fn url_host<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(url_of(&args, "getHost")?.host)
}

fn url_hostname<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(url_of(&args, "getHostname")?.hostname().to_string())
}

fn url_port<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(url_of(&args, "getPort")?.port().to_string())
}

fn url_path<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(url_of(&args, "getEscapedPath")?.path)
}

fn url_query<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let u = url_of(&args, "getQuery")?;
    let mut m: HashMap<Key, Vec<Value>> = HashMap::new();
    for pair in u.query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        m.entry(Key::String(Arc::new(percent_decode(k))))
            .or_default()
            .push(Value::String(Arc::new(percent_decode(v))));
    }
    ret(Value::Map(Map {
        map: Arc::new(
            m.into_iter()
                .map(|(k, v)| (k, Value::List(Arc::new(v))))
                .collect(),
        ),
    }))
}

// ---------------------------------------------------------------------------------------------
// Quantities

const QUANTITY: &str = "kubernetes.Quantity";

/// A resource quantity as an exact decimal: `digits × 10^exp`, normalised (no trailing zeros
/// in `digits`), so equal amounts are equal values (`1Gi == 1024Mi`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    digits: i128,
    exp: i32,
}

impl Opaque for Quantity {
    fn runtime_type_name(&self) -> &str {
        QUANTITY
    }
}

impl Quantity {
    fn new(mut digits: i128, mut exp: i32) -> Self {
        if digits == 0 {
            return Quantity { digits: 0, exp: 0 };
        }
        while digits % 10 == 0 {
            digits /= 10;
            exp += 1;
        }
        Quantity { digits, exp }
    }

    /// Parses Kubernetes' quantity syntax: `<signedNumber><suffix>` with the binary
    /// (`Ki`..`Ei`), decimal (`n u m "" k M G T P E`) or exponent (`e3`, `E-2`) suffixes.
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {s:?}"
            )
        };
        let num_end = s
            .char_indices()
            .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || (*i == 0 && "+-".contains(*c))))
            .map_or(s.len(), |(i, _)| i);
        let (num, suffix) = s.split_at(num_end);
        let (neg, num) = match num.as_bytes().first() {
            Some(b'-') => (true, &num[1..]),
            Some(b'+') => (false, &num[1..]),
            _ => (false, num),
        };
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return Err(bad());
        }
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        let all = format!("{int}{frac}");
        let trimmed = all.trim_start_matches('0');
        let significant = trimmed.trim_end_matches('0');
        let mut exp = -(frac.len() as i32) + (trimmed.len() - significant.len()) as i32;
        if significant.len() > 38 {
            return Err(format!("quantity {s:?} has too many digits"));
        }
        let mut digits: i128 = if significant.is_empty() {
            0
        } else {
            significant.parse().map_err(|_| bad())?
        };
        let (mult, e10): (i128, i32) = match suffix {
            "" => (1, 0),
            "Ki" => (1 << 10, 0),
            "Mi" => (1 << 20, 0),
            "Gi" => (1 << 30, 0),
            "Ti" => (1 << 40, 0),
            "Pi" => (1 << 50, 0),
            "Ei" => (1 << 60, 0),
            "n" => (1, -9),
            "u" => (1, -6),
            "m" => (1, -3),
            "k" => (1, 3),
            "M" => (1, 6),
            "G" => (1, 9),
            "T" => (1, 12),
            "P" => (1, 15),
            "E" => (1, 18),
            other => {
                let rest = other
                    .strip_prefix('e')
                    .or_else(|| other.strip_prefix('E'))
                    .ok_or_else(bad)?;
                let e: i32 = rest.parse().map_err(|_| bad())?;
                if !(-100..=100).contains(&e) {
                    return Err(bad());
                }
                (1, e)
            }
        };
        digits = digits
            .checked_mul(mult)
            .ok_or_else(|| format!("quantity {s:?} is too large"))?;
        exp += e10;
        if neg {
            digits = -digits;
        }
        Ok(Quantity::new(digits, exp))
    }

    /// Both at the same exponent (the smaller), or None on overflow.
    fn aligned(self, o: Quantity) -> Option<(i128, i128, i32)> {
        let e = self.exp.min(o.exp);
        let scale = |q: Quantity| -> Option<i128> {
            let d = u32::try_from(q.exp - e).ok()?;
            q.digits.checked_mul(10i128.checked_pow(d)?)
        };
        Some((scale(self)?, scale(o)?, e))
    }

    fn cmp(self, o: Quantity) -> std::cmp::Ordering {
        match self.aligned(o) {
            Some((a, b, _)) => a.cmp(&b),
            None => self
                .as_f64()
                .partial_cmp(&o.as_f64())
                .unwrap_or(std::cmp::Ordering::Equal),
        }
    }

    fn as_f64(self) -> f64 {
        self.digits as f64 * 10f64.powi(self.exp)
    }

    fn as_i64(self) -> Option<i64> {
        if self.exp < 0 {
            return None;
        }
        let v = self
            .digits
            .checked_mul(10i128.checked_pow(self.exp as u32)?)?;
        i64::try_from(v).ok()
    }
}

fn quantity<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [s] = vals::<1>(&args)?;
    let q = Quantity::parse(string(&s, "quantity")?).map_err(|e| err("quantity", e))?;
    ret(Value::Opaque(Arc::new(q)))
}

fn is_quantity<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [s] = vals::<1>(&args)?;
    ret(Quantity::parse(string(&s, "isQuantity")?).is_ok())
}

fn q1(args: &[CowVal<'_, '_>], f: &str) -> Result<Quantity, ExecutionError> {
    let [q] = vals::<1>(args)?;
    opaque::<Quantity>(&q, f)
}

fn q2(args: &[CowVal<'_, '_>], f: &str) -> Result<(Quantity, Quantity), ExecutionError> {
    let [a, b] = vals::<2>(args)?;
    let b = match b {
        Value::Int(i) => Quantity::new(i as i128, 0),
        other => opaque::<Quantity>(&other, f)?,
    };
    Ok((opaque::<Quantity>(&a, f)?, b))
}

fn q_is_integer<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(q1(&args, "isInteger")?.as_i64().is_some())
}

fn q_as_integer<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let q = q1(&args, "asInteger")?;
    ret(q.as_i64().ok_or_else(|| {
        err(
            "asInteger",
            "cannot convert value to integer: it has a fraction or does not fit in an int64",
        )
    })?)
}

fn q_as_float<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(q1(&args, "asApproximateFloat")?.as_f64())
}

fn q_sign<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(q1(&args, "sign")?.digits.signum() as i64)
}

fn q_compare<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let (a, b) = q2(&args, "compareTo")?;
    ret(a.cmp(b) as i64)
}

fn q_greater<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let (a, b) = q2(&args, "isGreaterThan")?;
    ret(a.cmp(b) == std::cmp::Ordering::Greater)
}

fn q_less<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let (a, b) = q2(&args, "isLessThan")?;
    ret(a.cmp(b) == std::cmp::Ordering::Less)
}

fn q_arith<'b, 'v>(args: Vec<CowVal<'b, 'v>>, f: &str, neg: bool) -> R<'b, 'v> {
    let (a, b) = q2(&args, f)?;
    let (x, y, e) = a.aligned(b).ok_or_else(|| err(f, "overflow"))?;
    let y = if neg { -y } else { y };
    let d = x.checked_add(y).ok_or_else(|| err(f, "overflow"))?;
    ret(Value::Opaque(Arc::new(Quantity::new(d, e))))
}

fn q_add<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    q_arith(args, "add", false)
}

fn q_sub<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    q_arith(args, "sub", true)
}

// ---------------------------------------------------------------------------------------------
// IP addresses and CIDRs

const IP: &str = "net.IP";
const CIDR: &str = "net.CIDR";

/// An IP address (`ip()`): no zones, no IPv4-mapped IPv6, as Kubernetes accepts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ip(IpAddr);

impl Opaque for Ip {
    fn runtime_type_name(&self) -> &str {
        IP
    }
}

/// A CIDR (`cidr()`): the address as written and the prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    len: u8,
}

impl Opaque for Cidr {
    fn runtime_type_name(&self) -> &str {
        CIDR
    }
}

fn parse_ip(s: &str) -> Result<IpAddr, String> {
    let a: IpAddr = s
        .parse()
        .map_err(|_| format!("IP address {s:?} is not valid"))?;
    if let IpAddr::V6(v6) = a
        && v6.to_ipv4_mapped().is_some()
    {
        return Err(format!("IPv4-mapped IPv6 address {s:?} is not allowed"));
    }
    Ok(a)
}

fn parse_cidr(s: &str) -> Result<Cidr, String> {
    let (a, l) = s
        .split_once('/')
        .ok_or_else(|| format!("network address {s:?} has no prefix length"))?;
    let addr = parse_ip(a)?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len: u8 = l
        .parse()
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| format!("network address {s:?} has an invalid prefix length"))?;
    Ok(Cidr { addr, len })
}

fn bits(a: IpAddr) -> (u128, u8) {
    match a {
        IpAddr::V4(v) => (u32::from(v) as u128, 32),
        IpAddr::V6(v) => (u128::from(v), 128),
    }
}

fn mask(a: IpAddr, len: u8) -> u128 {
    let (b, width) = bits(a);
    if len == 0 {
        return 0;
    }
    let keep = u128::MAX << (width - len) as u32;
    let keep = if width == 32 {
        keep & 0xffff_ffff
    } else {
        keep
    };
    b & keep
}

impl Cidr {
    fn contains(&self, a: IpAddr) -> bool {
        a.is_ipv4() == self.addr.is_ipv4() && mask(a, self.len) == mask(self.addr, self.len)
    }

    fn masked(&self) -> Cidr {
        let m = mask(self.addr, self.len);
        let addr = match self.addr {
            IpAddr::V4(_) => IpAddr::V4((m as u32).into()),
            IpAddr::V6(_) => IpAddr::V6(m.into()),
        };
        Cidr {
            addr,
            len: self.len,
        }
    }
}

fn ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [s] = vals::<1>(&args)?;
    let a = parse_ip(string(&s, "ip")?).map_err(|e| err("ip", e))?;
    ret(Value::Opaque(Arc::new(Ip(a))))
}

fn is_ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [s] = vals::<1>(&args)?;
    ret(parse_ip(string(&s, "isIP")?).is_ok())
}

fn ip_is_canonical<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [s] = vals::<1>(&args)?;
    let s = string(&s, "ip.isCanonical")?;
    let a = parse_ip(s).map_err(|e| err("ip.isCanonical", e))?;
    ret(a.to_string() == s)
}

fn net_to_string<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [v] = vals::<1>(&args)?;
    if let Ok(i) = opaque::<Ip>(&v, "string") {
        return ret(i.0.to_string());
    }
    let c = opaque::<Cidr>(&v, "string")?;
    ret(format!("{}/{}", c.addr, c.len))
}

fn ip_of(args: &[CowVal<'_, '_>], f: &str) -> Result<IpAddr, ExecutionError> {
    let [v] = vals::<1>(args)?;
    Ok(opaque::<Ip>(&v, f)?.0)
}

fn ip_family<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(if ip_of(&args, "family")?.is_ipv4() {
        4i64
    } else {
        6
    })
}

fn ip_is_unspecified<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(ip_of(&args, "isUnspecified")?.is_unspecified())
}

fn ip_is_loopback<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(ip_of(&args, "isLoopback")?.is_loopback())
}

fn ip_is_link_local_multicast<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(match ip_of(&args, "isLinkLocalMulticast")? {
        IpAddr::V4(v) => v.octets()[..3] == [224, 0, 0],
        IpAddr::V6(v) => v.segments()[0] & 0xff0f == 0xff02,
    })
}

fn ip_is_link_local_unicast<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(match ip_of(&args, "isLinkLocalUnicast")? {
        IpAddr::V4(v) => v.is_link_local(),
        IpAddr::V6(v) => v.segments()[0] & 0xffc0 == 0xfe80,
    })
}

fn ip_is_global_unicast<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    // Go's net.IP.IsGlobalUnicast: not unspecified, loopback, multicast, link-local or
    // broadcast (private ranges are global unicast).
    ret(match ip_of(&args, "isGlobalUnicast")? {
        IpAddr::V4(v) => {
            !(v.is_unspecified()
                || v.is_loopback()
                || v.is_multicast()
                || v.is_link_local()
                || v.is_broadcast())
        }
        IpAddr::V6(v) => {
            !(v.is_unspecified()
                || v.is_loopback()
                || v.is_multicast()
                || v.segments()[0] & 0xffc0 == 0xfe80)
        }
    })
}

fn cidr<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [s] = vals::<1>(&args)?;
    let c = parse_cidr(string(&s, "cidr")?).map_err(|e| err("cidr", e))?;
    ret(Value::Opaque(Arc::new(c)))
}

fn is_cidr<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [s] = vals::<1>(&args)?;
    ret(parse_cidr(string(&s, "isCIDR")?).is_ok())
}

fn contains_ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [c, a] = vals::<2>(&args)?;
    let c = opaque::<Cidr>(&c, "containsIP")?;
    let a = match &a {
        Value::String(s) => parse_ip(s).map_err(|e| err("containsIP", e))?,
        other => opaque::<Ip>(other, "containsIP")?.0,
    };
    ret(c.contains(a))
}

fn contains_cidr<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    let [c, o] = vals::<2>(&args)?;
    let c = opaque::<Cidr>(&c, "containsCIDR")?;
    let o = match &o {
        Value::String(s) => parse_cidr(s).map_err(|e| err("containsCIDR", e))?,
        other => opaque::<Cidr>(other, "containsCIDR")?,
    };
    ret(o.len >= c.len && c.contains(o.addr))
}

fn cidr_of(args: &[CowVal<'_, '_>], f: &str) -> Result<Cidr, ExecutionError> {
    let [v] = vals::<1>(args)?;
    opaque::<Cidr>(&v, f)
}

fn cidr_ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(Value::Opaque(Arc::new(Ip(cidr_of(&args, "ip")?.addr))))
}

fn cidr_prefix_length<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(cidr_of(&args, "prefixLength")?.len as i64)
}

fn cidr_masked<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> R<'b, 'v> {
    ret(Value::Opaque(Arc::new(cidr_of(&args, "masked")?.masked())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str) -> Result<Value, EvalError> {
        let p = compile(src).map_err(EvalError::Exec)?;
        let ctx = Context::with_env(env());
        p.eval(&ctx, 1_000_000).0
    }

    fn yes(src: &str) {
        assert_eq!(eval(src), Ok(Value::Bool(true)), "{src}");
    }

    fn fails(src: &str, want: &str) {
        match eval(src) {
            Err(e) => assert!(e.to_string().contains(want), "{src}: {e}"),
            Ok(v) => panic!("{src}: expected an error, got {v:?}"),
        }
    }

    /// The examples of the Kubernetes documentation's "CEL in Kubernetes" page and of the
    /// library's Go docs (k8s.io/apiserver/pkg/cel/library), each as `expr == expected`.
    #[test]
    fn lists_library() {
        yes("[1, 2, 3].isSorted()");
        yes("['a', 'b', 'b', 'c'].isSorted()");
        yes("![2.0, 1.0].isSorted()");
        yes("[1].isSorted() && [].isSorted()");
        yes("[1, 3].sum() == 4");
        yes("[1.0, 3.0].sum() == 4.0");
        yes("[].sum() == 0");
        yes("[1, 3].min() == 1 && [1, 3].max() == 3 && [1].min() == 1");
        fails("[].min()", "empty");
        yes("[1, 2, 2, 3].indexOf(2) == 1");
        yes("['a', 'b', 'b', 'c'].lastIndexOf('b') == 2");
        yes("[1.0].indexOf(1.1) == -1");
        yes("[].indexOf('string') == -1");
        // The strings' indexOf still works next to the lists' one.
        yes("'hello mellow'.indexOf('ello') == 1");
        // From the docs page: names.isSorted(), sum of resources.
        yes("[1, 2, 3].isSorted() && ['x'].max() == 'x'");
    }

    #[test]
    fn strings_library() {
        yes("'hello'.charAt(1) == 'e'");
        yes("'hello mellow'.lastIndexOf('ello') == 7");
        yes("'TacoCat'.lowerAscii() == 'tacocat' && 'TacoCat'.upperAscii() == 'TACOCAT'");
        yes("'hello hello'.replace('he', 'we') == 'wello wello'");
        yes("'hello hello hello'.split(' ') == ['hello', 'hello', 'hello']");
        yes("'tacocat'.substring(4) == 'cat' && 'tacocat'.substring(0, 4) == 'taco'");
        yes("'  \\ttrim\\n    '.trim() == 'trim'");
        yes("['hello', 'mellow'].join(' ') == 'hello mellow'");
        yes("'%s is %d years old'.format(['Ana', 30]) == 'Ana is 30 years old'");
        yes("'abc'.matches('^[a-c]+$')");
        yes("'cel'.startsWith('c') && 'cel'.endsWith('l') && 'cel'.contains('e')");
    }

    #[test]
    fn sets_library() {
        yes("sets.contains([], []) && sets.contains([1, 2, 3, 4], [2, 3])");
        yes("!sets.contains([1, 2, 3], [3, 4])");
        yes("sets.equivalent([1, 2, 3], [3, 2, 1, 1]) && !sets.equivalent([1], [1, 2])");
        yes("sets.intersects([1, 2, 3], [3, 4]) && !sets.intersects([1], [])");
    }

    #[test]
    fn regex_library() {
        yes("'abc 123'.find('[0-9]+') == '123'");
        yes("'abc'.find('[0-9]+') == ''");
        yes("'123 abc 456'.findAll('[0-9]+') == ['123', '456']");
        yes("'123 abc 456'.findAll('[0-9]+', 1) == ['123']");
        yes("'123 abc 456'.findAll('xyz') == []");
        fails("'abc'.find('[')", "find");
    }

    #[test]
    fn url_library() {
        yes("isURL('https://example.com/path') && !isURL('example.com')");
        yes("!isURL('https://example.com/#frag')");
        yes("url('https://example.com:80/').getScheme() == 'https'");
        yes("url('https://example.com:80/').getHost() == 'example.com:80'");
        yes("url('https://example.com:80/').getHostname() == 'example.com'");
        yes("url('https://example.com:80/').getPort() == '80'");
        yes("url('https://[::1]:80/').getHost() == '[::1]:80'");
        yes("url('https://[::1]:80/').getHostname() == '::1'");
        yes("url('https://example.com/').getPort() == ''");
        yes("!isURL('https://example.com/path with spaces/')");
        yes("url('https://example.com/path').getEscapedPath() == '/path'");
        yes("url('https://example.com').getEscapedPath() == ''");
        yes("url('/absolute-path').getEscapedPath() == '/absolute-path'");
        yes("url('/absolute-path').getScheme() == ''");
        yes(
            "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == {'k1': ['a'], 'k2': ['b', 'c']}",
        );
        yes("url('https://example.com/path?key%20x=a+b').getQuery() == {'key x': ['a b']}");
        fails("url('example.com')", "url");
    }

    #[test]
    fn quantity_library() {
        yes(
            "isQuantity('1.3G') && isQuantity('1.3Gi') && !isQuantity('1,3G') && !isQuantity('10000k0')",
        );
        yes("quantity('1Gi') == quantity('1024Mi')");
        yes("quantity('500000000') == quantity('500M')");
        yes(
            "quantity('50k').isInteger() && !quantity('9999999999999999999999999999999999999G').isInteger()",
        );
        yes("quantity('50k').asInteger() == 50000");
        yes(
            "quantity('50k').sign() == 1 && quantity('-50k').sign() == -1 && quantity('0').sign() == 0",
        );
        yes("quantity('50.5').asApproximateFloat() == 50.5");
        fails("quantity('50.5').asInteger()", "asInteger");
        yes("quantity('50M').compareTo(quantity('50M')) == 0");
        yes("quantity('50k').compareTo(quantity('50M')) == -1");
        yes("quantity('50M').compareTo(quantity('50k')) == 1");
        yes("quantity('50M').isGreaterThan(quantity('50k'))");
        yes("quantity('50k').isLessThan(quantity('50M'))");
        yes("quantity('100m').isLessThan(quantity('1'))");
        yes("quantity('50k').add(quantity('20k')) == quantity('70k')");
        yes("quantity('50k').add(20) == quantity('50020')");
        yes("quantity('50k').sub(quantity('20k')) == quantity('30k')");
        yes("quantity('50k').sub(20) == quantity('49980')");
        yes("quantity('1.5Gi').asInteger() == 1610612736");
        yes("quantity('2e3') == quantity('2k') && quantity('1500m').asApproximateFloat() == 1.5");
        fails("quantity('1,3G')", "quantities must match");
    }

    #[test]
    fn ip_and_cidr_libraries() {
        yes("isIP('127.0.0.1') && isIP('::1') && !isIP('127.0.0.256') && !isIP('::ffff:1.2.3.4')");
        yes("ip('127.0.0.1').family() == 4 && ip('::1').family() == 6");
        yes("ip('127.0.0.1') == ip('127.0.0.1') && string(ip('::1')) == '::1'");
        yes("ip.isCanonical('127.0.0.1') && !ip.isCanonical('2001:db8:0:0:0:0:0:1')");
        yes("ip('0.0.0.0').isUnspecified() && !ip('127.0.0.1').isUnspecified()");
        yes("ip('127.0.0.1').isLoopback() && ip('::1').isLoopback()");
        yes("ip('224.0.0.1').isLinkLocalMulticast() && !ip('224.0.1.1').isLinkLocalMulticast()");
        yes("ip('ff02::1').isLinkLocalMulticast()");
        yes("ip('169.254.169.254').isLinkLocalUnicast() && ip('fe80::1').isLinkLocalUnicast()");
        yes("ip('192.168.0.1').isGlobalUnicast() && !ip('255.255.255.255').isGlobalUnicast()");
        yes("isCIDR('192.168.0.0/16') && !isCIDR('192.168.0.0') && !isCIDR('192.168.0.0/33')");
        yes("cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))");
        yes("!cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))");
        yes("cidr('192.168.0.0/24').containsIP('192.168.0.1')");
        yes("!cidr('192.168.0.0/24').containsIP(ip('::1'))");
        yes("cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/25'))");
        yes("cidr('192.168.0.0/24').containsCIDR('192.168.0.0/24')");
        yes("!cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/23'))");
        yes("cidr('2001:db8::/32').containsIP(ip('2001:db8::1'))");
        yes("cidr('192.168.0.1/24').ip() == ip('192.168.0.1')");
        yes("cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')");
        yes("cidr('192.168.0.0/24').prefixLength() == 24");
        yes("string(cidr('::1/128')) == '::1/128'");
        fails("ip('10.0.0.1/8')", "not valid");
    }

    #[test]
    fn has_optionals_and_macros() {
        let p =
            compile("has(o.a) && !has(o.b) && o.?b.orValue(7) == 7 && o.a.all(x, x > 0)").unwrap();
        let mut ctx = Context::with_env(env());
        ctx.add_variable_from_value("o", json_to_value(&serde_json::json!({"a": [1, 2]})));
        assert_eq!(p.eval(&ctx, 100).0, Ok(Value::Bool(true)));
        assert!(p.references("o"));
        assert!(!p.references("a"));
    }

    /// The format library, with the examples of the Kubernetes documentation ("CEL in
    /// Kubernetes": `format.dns1123Label().validate(...)`, `format.named(...)`) and
    /// apimachinery's messages.
    #[test]
    fn format_library() {
        yes("!format.dns1123Label().validate('my-name').hasValue()");
        yes("format.dns1123Label().validate('MY-NAME').hasValue()");
        yes("!format.named('dns1123Label').value().validate('my-name').hasValue()");
        yes("!format.named('unknown').hasValue() && format.named('uuid').hasValue()");
        yes("format.dns1123Label().validate('a.b').value() == ['must not contain dots']");
        yes(
            "format.dns1123Label().validate('My_Name').value() == [\"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')\"]",
        );
        yes(
            "format.dns1123Label().validate('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa').value() == ['must be no more than 63 characters']",
        );
        yes("!format.dns1123Subdomain().validate('apiextensions.k8s.io').hasValue()");
        yes("format.dns1123Subdomain().validate('-a.b').hasValue()");
        yes("!format.dns1035Label().validate('abc-123').hasValue()");
        yes("format.dns1035Label().validate('123-abc').hasValue()");
        yes("!format.qualifiedName().validate('example.com/MyName').hasValue()");
        yes("format.qualifiedName().validate('/a').value()[0] == 'prefix part must be non-empty'");
        yes("format.qualifiedName().validate('a/b/c').hasValue()");
        yes("!format.dns1123LabelPrefix().validate('my-name-').hasValue()");
        yes("format.dns1123Label().validate('my-name-').hasValue()");
        yes("!format.dns1123SubdomainPrefix().validate('a.b-').hasValue()");
        yes("!format.dns1035LabelPrefix().validate('web-').hasValue()");
        yes(
            "!format.labelValue().validate('').hasValue() && !format.labelValue().validate('my_value').hasValue()",
        );
        yes("format.labelValue().validate('-x').hasValue()");
        yes("!format.uri().validate('https://example.com/a?b=c').hasValue()");
        yes(
            "format.uri().validate('example.com').value() == ['parse \"example.com\": invalid URI for request']",
        );
        yes("!format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()");
        yes("format.uuid().validate('123e4567').value() == ['does not match the UUID format']");
        yes(
            "!format.byte().validate('aGVsbG8=').hasValue() && format.byte().validate('aGVsbG8').value() == ['invalid base64']",
        );
        yes(
            "!format.date().validate('2024-02-29').hasValue() && format.date().validate('2023-02-29').value() == ['invalid date']",
        );
        yes("!format.datetime().validate('2024-02-29T12:30:00Z').hasValue()");
        yes("!format.datetime().validate('2024-02-29T12:30:00.123+02:00').hasValue()");
        yes("format.datetime().validate('2024-02-29T24:30:00Z').value() == ['invalid datetime']");
        yes("format.datetime().validate('2024-02-29').hasValue()");
    }

    /// The semver library, with the examples of the Kubernetes documentation.
    #[test]
    fn semver_library() {
        yes("isSemver('1.0.0') && !isSemver('hello') && !isSemver('v1.0')");
        yes("isSemver('v1.0', true) && isSemver('1.0.0-rc.1+build.5')");
        yes("!isSemver('01.0.0') && isSemver('01.0.0', true)");
        yes(
            "semver('1.2.3').major() == 1 && semver('1.2.3').minor() == 2 && semver('1.2.3').patch() == 3",
        );
        yes("semver('1.0.0').isLessThan(semver('1.1.0'))");
        yes("semver('2.0.0').isGreaterThan(semver('1.9.9'))");
        yes("semver('1.2.3').compareTo(semver('2.3.4')) == -1");
        yes("semver('1.2.3').compareTo(semver('1.2.3')) == 0");
        yes("semver('1.2.3').compareTo(semver('1.2.3-alpha')) == 1");
        yes("semver('1.0.0-alpha').isLessThan(semver('1.0.0-alpha.1'))");
        yes("semver('1.0.0-alpha.1').isLessThan(semver('1.0.0-alpha.beta'))");
        yes("semver('1.0.0-beta.2').isLessThan(semver('1.0.0-beta.11'))");
        yes("semver('1.0.0+a') == semver('1.0.0+b')");
        yes("semver('v01.01', true) == semver('1.1.0')");
        fails("semver('1.0')", "semver");
        // Quantities keep their comparison methods next to these.
        yes("quantity('1').isLessThan(quantity('2'))");
    }

    /// Calls checked when loaded: unknown names, functions called as methods and the
    /// reverse, macros and this module's functions with the wrong argument count.
    #[test]
    fn bad_calls_are_named() {
        let bad = |src: &str| compile(src).unwrap().bad_calls(&["object", "variables"]);
        assert_eq!(
            bad("object.metadata.name.startWith('x')"),
            ["calls the unknown method `startWith`"]
        );
        assert_eq!(
            bad("has_key(object.metadata.labels, 'a')"),
            ["calls the unknown function `has_key`"]
        );
        assert_eq!(
            bad("startsWith(object.metadata.name, 'a')"),
            ["calls `startsWith` as a function; it is a method: write `x.startsWith(...)`"]
        );
        assert_eq!(
            bad("object.metadata.name.quantity()"),
            ["calls `quantity` as a method; it is a function: write `quantity(x, ...)`"]
        );
        assert_eq!(
            bad("quantity('1', 2) == 1"),
            ["calls `quantity()` with 2 arguments; it takes 1"]
        );
        assert_eq!(
            bad("[1].isSorted(1)"),
            ["calls `.isSorted()` with 1 argument; it takes 0"]
        );
        assert_eq!(
            bad("isSemver('1', true, 3)"),
            ["calls `isSemver()` with 3 arguments; it takes 1 or 2"]
        );
        assert_eq!(
            bad("object.a.all(x)"),
            ["calls the macro `.all()` with 1 argument; it takes 2"]
        );
        assert_eq!(
            bad("format.dns1123label().validate('a')"),
            ["calls the unknown function `format.dns1123label`"]
        );
        assert_eq!(
            bad("objct.metadata.name.startsWith('a')"),
            ["calls the unknown function `objct.metadata.name.startsWith`"]
        );
        // Inside comprehensions, and each problem once.
        assert_eq!(
            bad("object.a.all(x, x.nme.lowerAsci() == 'a' && x.b.lowerAsci() == 'b')"),
            ["calls the unknown method `lowerAsci`"]
        );
        for fine in [
            "object.metadata.name.startsWith('a') && size(object.spec) > 0",
            "'abc'.indexOf('b', 1) == 1 && [1, 2].indexOf(2) == 1",
            "sets.contains([1], [1]) && ip.isCanonical('1.2.3.4') && optional.of(1).hasValue()",
            "object.a.map(x, x.name).exists(n, n.matches('^a')) && object.b.map(k, v, v).size() > 0",
            "!format.named('uuid').value().validate('x').hasValue() && semver('1.0.0').major() == 1",
            "string(1) == '1' && int('1') == 1 && type(1) == int && dyn(1) == 1 && duration('1s') > duration('0s')",
            "object.a.all(ip, ip.startsWith('1'))",
            "[3, 1].sortBy(x, x) == [1, 3] && variables.v.lowerAscii() == 'a'",
        ] {
            assert_eq!(bad(fine), Vec::<String>::new(), "{fine}");
        }
    }

    #[test]
    fn runaway_loops_stop_at_the_cost_limit() {
        let src = "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, \
                   [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, a + b + c + d > 0))))";
        let p = compile(src).unwrap();
        let ctx = Context::with_env(env());
        // 10 + 100 + 1,000 + 10,000 iterations.
        let (r, used) = p.eval(&ctx, 1_000_000);
        assert_eq!(r, Ok(Value::Bool(true)));
        assert_eq!(used, 11_110);
        let (r, used) = p.eval(&ctx, 5_000);
        assert_eq!(r, Err(EvalError::Cost(5_000)));
        assert_eq!(used, 5_001);
        // An exhausted budget is an error even where `exists` would absorb errors.
        let p = compile("[1, 2, 3].exists(x, x == 3 || [1, 2, 3, 4].all(y, y > 0))").unwrap();
        assert_eq!(p.eval(&ctx, 3).0, Err(EvalError::Cost(3)));
        assert_eq!(p.eval(&ctx, 100).0, Ok(Value::Bool(true)));
    }
}
