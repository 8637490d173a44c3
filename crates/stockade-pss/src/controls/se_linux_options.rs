//! `seLinuxOptions` (baseline, v1.0+): only the container SELinux types, and no custom user or
//! role. v1.31 adds `container_engine_t`.

use super::{
    Ctx, at, container_field, containers_phrase, join_quote, pluralize, sorted_set, string,
};
use crate::{Control, Level, Violation};
use stockade_model::{Node, Pos};

pub(super) const CONTROL: Control =
    super::control("seLinuxOptions", Level::Baseline, "SELinux", 0, &[], eval);

const TYPES_1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const TYPES_1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

struct Findings<'a> {
    allowed: &'static [&'static str],
    bad_types: Vec<&'a str>,
    set_user: bool,
    set_role: bool,
}

impl<'a> Findings<'a> {
    /// Checks one seLinuxOptions; on failure returns the offending subfield.
    fn check(&mut self, opts: &'a Node) -> Option<&'static str> {
        let mut bad = None;
        let t = string(opts, &["type"]);
        if !self.allowed.contains(&t) {
            self.bad_types.push(t);
            bad = Some("type");
        }
        if !string(opts, &["user"]).is_empty() {
            self.set_user = true;
            bad = bad.or(Some("user"));
        }
        if !string(opts, &["role"]).is_empty() {
            self.set_role = true;
            bad = bad.or(Some("role"));
        }
        bad
    }
}

fn eval(ctx: &Ctx<'_, '_>, minor: u32) -> Option<Violation> {
    let mut f = Findings {
        allowed: if minor >= 31 { TYPES_1_31 } else { TYPES_1_0 },
        bad_types: Vec::new(),
        set_user: false,
        set_role: false,
    };
    let mut setters: Vec<String> = Vec::new();
    let mut first: Option<(String, Pos)> = None;

    if let Some(opts) = ctx.spec_at(&["securityContext", "seLinuxOptions"])
        && let Some(field) = f.check(opts)
    {
        setters.push("pod".into());
        first = Some(ctx.spec_field(&["securityContext", "seLinuxOptions", field]));
    }
    let mut bad_containers = Vec::new();
    for c in &ctx.containers {
        if let Some(opts) = at(c.node, &["securityContext", "seLinuxOptions"])
            && let Some(field) = f.check(opts)
        {
            bad_containers.push(c.name);
            if first.is_none() {
                first = Some(container_field(
                    c,
                    &["securityContext", "seLinuxOptions", field],
                ));
            }
        }
    }
    if !bad_containers.is_empty() {
        setters.push(containers_phrase(&bad_containers));
    }
    let first = first?;

    let mut data = Vec::new();
    let types = sorted_set(f.bad_types);
    if !types.is_empty() {
        data.push(stockade_model::format_exact!(
            "{} {}",
            pluralize("type", "types", types.len()),
            join_quote(&types)
        ));
    }
    if f.set_user {
        data.push("user may not be set".to_string());
    }
    if f.set_role {
        data.push("role may not be set".to_string());
    }
    super::violation(
        CONTROL.id,
        "seLinuxOptions",
        stockade_model::format_exact!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            setters.join(" and "),
            data.join("; ")
        ),
        first,
    )
}
