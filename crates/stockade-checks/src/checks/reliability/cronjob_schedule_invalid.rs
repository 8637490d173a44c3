//! ## What it does
//! Flags CronJobs whose `spec.schedule` is missing or is not a schedule the CronJob
//! controller accepts: five fields (minute, hour, day of month, month, day of week) of `*`,
//! `?`, numbers, names (`JAN`–`DEC`, `SUN`–`SAT`), ranges `a-b`, steps `/n` and lists
//! `a,b`, each within its field's bounds; or one of the macros `@yearly`, `@annually`,
//! `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly` and `@every <duration>`. A
//! `TZ=` or `CRON_TZ=` prefix is flagged too: the API server rejects it, and `spec.timeZone`
//! sets the time zone instead.
//!
//! ## Why it matters
//! A schedule the controller cannot parse means the job never runs, and nothing fails
//! loudly: older clusters accept the object and only log an error, and a typo such as a
//! six-field schedule copied from another cron dialect (with seconds) or a day of week of 7
//! passes review easily. The backup that was supposed to run every night simply does not.
//!
//! ## Example
//! ```yaml
//! apiVersion: batch/v1
//! kind: CronJob
//! metadata:
//!   name: backup
//! spec:
//!   schedule: "0 0 2 * * *" # finding
//!   jobTemplate:
//!     spec:
//!       template:
//!         spec:
//!           restartPolicy: OnFailure
//!           containers:
//!             - name: backup
//!               image: backup:2.0.1
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: batch/v1
//! kind: CronJob
//! metadata:
//!   name: backup
//! spec:
//!   schedule: "0 2 * * *"
//!   jobTemplate:
//!     spec:
//!       template:
//!         spec:
//!           restartPolicy: OnFailure
//!           containers:
//!             - name: backup
//!               image: backup:2.0.1
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK420",
    name: "cronjob-schedule-invalid",
    category: Category::Reliability,
    severity: Severity::Medium,
    default_on: true,
    summary: "CronJob schedule is not valid cron syntax",
    remediation: "Write `spec.schedule` as five cron fields (minute hour day-of-month month day-of-week) or a macro such as `@daily`; set the time zone in `spec.timeZone`.",
    references: &[],
    aliases: &["datree:CRONJOB_INVALID_SCHEDULE_VALUE"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "CronJob" || o.group() != "batch" {
        return;
    }
    let Some(spec) = o.root.get("spec").filter(|s| s.is_map()) else {
        return;
    };
    let Some(schedule) = spec.get("schedule").filter(|s| !s.is_null()) else {
        out.at(
            spec,
            "spec",
            stockade_model::format_exact!("CronJob \"{}\" has no schedule", o.name),
        );
        return;
    };
    let text = schedule.as_str().unwrap_or("");
    if let Err(why) = parse(text) {
        out.at(
            schedule,
            "spec.schedule",
            stockade_model::format_exact!(
                "CronJob \"{}\" schedule \"{text}\" is invalid: {why}",
                o.name
            ),
        );
    }
}

/// A field's name, bounds and value names (index + `min` is the value).
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Field {
        name: "day of month",
        min: 1,
        max: 31,
        names: &[],
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    },
    Field {
        name: "day of week",
        min: 0,
        max: 6,
        names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    },
];

const MACROS: &[&str] = &[
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

/// Parses a schedule the way the CronJob controller does (robfig/cron's standard parser),
/// returning why it is rejected.
fn parse(schedule: &str) -> Result<(), String> {
    let s = schedule.trim();
    if s.is_empty() {
        return Err("it is empty".into());
    }
    if s.starts_with("TZ=") || s.starts_with("CRON_TZ=") {
        return Err("a time zone in the schedule is not allowed; use spec.timeZone".into());
    }
    if let Some(rest) = s.strip_prefix('@') {
        if MACROS.contains(&s) {
            return Ok(());
        }
        if let Some(d) = rest.strip_prefix("every ") {
            return if is_duration(d.trim()) {
                Ok(())
            } else {
                Err(stockade_model::format_exact!(
                    "\"{}\" is not a duration such as 1h30m",
                    d.trim()
                ))
            };
        }
        return Err(stockade_model::format_exact!("unknown macro \"{s}\""));
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(stockade_model::format_exact!(
            "expected 5 fields (minute hour day-of-month month day-of-week), found {}",
            fields.len()
        ));
    }
    for (text, field) in fields.iter().zip(FIELDS.iter()) {
        for part in text.split(',') {
            parse_part(part, field).map_err(|e| {
                stockade_model::format_exact!("{} field \"{text}\": {e}", field.name)
            })?;
        }
    }
    Ok(())
}

fn parse_part(part: &str, f: &Field) -> Result<(), String> {
    let (range, step) = match part.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (part, None),
    };
    let (start, end) = if range == "*" || range == "?" {
        (f.min, f.max)
    } else if let Some((a, b)) = range.split_once('-') {
        (value(a, f)?, value(b, f)?)
    } else {
        let v = value(range, f)?;
        // `a/n` means from a to the field's maximum.
        (v, if step.is_some() { f.max } else { v })
    };
    if start > end {
        return Err(stockade_model::format_exact!(
            "range {start}-{end} runs backwards"
        ));
    }
    if let Some(step) = step {
        match step.parse::<u32>() {
            Ok(n) if n > 0 => {}
            _ => {
                return Err(stockade_model::format_exact!(
                    "step \"{step}\" is not a positive number"
                ));
            }
        }
    }
    Ok(())
}

fn value(text: &str, f: &Field) -> Result<u32, String> {
    if text.is_empty() {
        return Err("empty value".into());
    }
    let lower = text.to_ascii_lowercase();
    if let Some(i) = f.names.iter().position(|n| *n == lower) {
        return Ok(f.min + i as u32);
    }
    let v: u32 = text
        .parse()
        .ok()
        .filter(|_| text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| stockade_model::format_exact!("\"{text}\" is not a number"))?;
    if v < f.min || v > f.max {
        return Err(stockade_model::format_exact!(
            "{v} is outside {}-{}",
            f.min,
            f.max
        ));
    }
    Ok(v)
}

/// A Go duration (`90s`, `1h30m`, `1.5h`): one or more number-unit pairs.
fn is_duration(d: &str) -> bool {
    let mut rest = d;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 || rest[..num_len].parse::<f64>().is_err() {
            return false;
        }
        rest = &rest[num_len..];
        let Some(unit) = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .filter(|u| rest.starts_with(**u))
            .max_by_key(|u| u.len())
        else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn accepts_what_the_controller_accepts() {
        for ok in [
            "* * * * *",
            "*/5 * * * *",
            "0 2 * * *",
            "0 0 1,15 * *",
            "30 9-17/2 * * mon-fri",
            "0 0 * JAN,jul SUN",
            "5/10 * ? * *",
            "0 0 31 12 6",
            "@hourly",
            "@every 1h30m",
            "  0 3 * * 0  ",
        ] {
            assert_eq!(parse(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_with_a_reason() {
        let err = |s: &str| parse(s).unwrap_err();
        assert_eq!(
            err("0 0 2 * * *"),
            "expected 5 fields (minute hour day-of-month month day-of-week), found 6"
        );
        assert_eq!(err("60 * * * *"), "minute field \"60\": 60 is outside 0-59");
        assert_eq!(
            err("0 0 * * 7"),
            "day of week field \"7\": 7 is outside 0-6"
        );
        assert_eq!(
            err("0 0 0 * *"),
            "day of month field \"0\": 0 is outside 1-31"
        );
        assert_eq!(
            err("0 5-2 * * *"),
            "hour field \"5-2\": range 5-2 runs backwards"
        );
        assert_eq!(
            err("*/0 * * * *"),
            "minute field \"*/0\": step \"0\" is not a positive number"
        );
        assert_eq!(
            err("0 0 * * L"),
            "day of week field \"L\": \"L\" is not a number"
        );
        assert_eq!(err("1,,2 * * * *"), "minute field \"1,,2\": empty value");
        assert_eq!(err("@fortnightly"), "unknown macro \"@fortnightly\"");
        assert_eq!(
            err("@every soon"),
            "\"soon\" is not a duration such as 1h30m"
        );
        assert_eq!(
            err("CRON_TZ=UTC 0 0 * * *"),
            "a time zone in the schedule is not allowed; use spec.timeZone"
        );
        assert_eq!(err(""), "it is empty");
        assert_eq!(err("-1 * * * *"), "minute field \"-1\": empty value");
    }
}
