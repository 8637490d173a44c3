//! Shared by the image checks.

use stockade_model::ImageFacts;
use stockade_model::image::{EntryKind, Tool, tool};

/// The files of the final image that are tools of `family`, as (path, layer message).
pub fn tools(image: &ImageFacts, family: Tool) -> impl Iterator<Item = &stockade_model::ImageFile> {
    image.files.iter().filter(move |f| {
        f.present && f.kind != EntryKind::Dir && f.secret.is_none() && tool(&f.path) == Some(family)
    })
}

/// ` (layer N)` for a file written by layer `layer` (0-based), or nothing for a directory.
pub fn layer(layer: Option<usize>) -> String {
    layer
        .map(|l| stockade_model::format_exact!(" (layer {})", l + 1))
        .unwrap_or_default()
}

/// The name of an executable path (`/usr/bin/curl` -> `curl`).
pub fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Emits one hit per tool of `family` in the final image.
pub fn flag_tools(ctx: &crate::ImageContext, out: &mut crate::Emit, family: Tool, what: &str) {
    for f in tools(ctx.image, family) {
        let link = if f.kind == EntryKind::Symlink {
            " (symlink)"
        } else {
            ""
        };
        out.image(
            f.path.clone(),
            stockade_model::format_exact!(
                "{what} `{}` is in the image{link}{}",
                base(&f.path),
                layer(f.layer)
            ),
        );
    }
}

/// The records of an account database (`/etc/passwd`, `/etc/shadow`, `/etc/group`) of the
/// image, as (1-based line, fields); blank lines, comments and NIS `+`/`-` entries skipped.
pub fn account_records<'a>(
    image: &'a ImageFacts,
    path: &str,
) -> impl Iterator<Item = (usize, Vec<&'a str>)> {
    image
        .account_files
        .get(path)
        .into_iter()
        .flat_map(|text| text.lines().enumerate())
        .filter(|(_, l)| {
            let l = l.trim();
            !l.is_empty() && !l.starts_with('#') && !l.starts_with('+') && !l.starts_with('-')
        })
        .map(|(i, l)| (i + 1, l.split(':').collect()))
}

/// One step of the image's build history, read from `created_by`.
pub enum Step<'a> {
    /// A `RUN`: the shell script.
    Run(&'a str),
    /// Another instruction (`ADD`, `COPY`...): its keyword and the rest.
    Instruction(&'a str, &'a str),
}

/// Reads a history entry as the classic builder (`/bin/sh -c apt-get ...`, `/bin/sh -c
/// #(nop)  ADD file:... in /`) and BuildKit (`RUN /bin/sh -c apt-get ... # buildkit`, `ADD
/// x / # buildkit`, `RUN |2 A=1 B=2 /bin/sh -c ...`) write it.
pub fn step(created_by: &str) -> Option<Step<'_>> {
    let s = created_by.trim();
    let s = s.strip_suffix("# buildkit").unwrap_or(s).trim_end();
    let s = s.strip_prefix("RUN ").map_or(s, str::trim_start);
    // Build arguments: `|N NAME=value ...` before the shell.
    let s = match s.strip_prefix('|') {
        Some(rest) => {
            let (n, mut rest) = rest.split_once(' ')?;
            for _ in 0..n.parse::<usize>().ok()? {
                rest = rest.trim_start().split_once(' ')?.1;
            }
            rest.trim_start()
        }
        None => s,
    };
    for shell in [
        "/bin/sh -c ",
        "/bin/bash -c ",
        "/bin/ash -c ",
        "sh -c ",
        "bash -c ",
    ] {
        if let Some(script) = s.strip_prefix(shell) {
            let script = script.trim_start();
            if let Some(inst) = script.strip_prefix("#(nop)") {
                let inst = inst.trim_start();
                let (kw, rest) = inst.split_once(' ').unwrap_or((inst, ""));
                return Some(Step::Instruction(kw, rest.trim_start()));
            }
            return Some(Step::Run(script));
        }
    }
    let (kw, rest) = s.split_once(' ').unwrap_or((s, ""));
    (!kw.is_empty() && kw.bytes().all(|b| b.is_ascii_uppercase()))
        .then(|| Step::Instruction(kw, rest.trim_start()))
}

/// The `RUN` steps of the history, as (index, `created_by`, simple commands).
pub fn history_runs(
    image: &ImageFacts,
) -> Vec<(usize, &str, Vec<stockade_dockerfile::shell::Command>)> {
    image
        .history
        .iter()
        .enumerate()
        .filter_map(|(i, h)| match step(h)? {
            Step::Run(script) => Some((
                i,
                h.as_str(),
                stockade_dockerfile::shell::split(script, &|_| stockade_model::Pos::default()),
            )),
            Step::Instruction(..) => None,
        })
        .collect()
}

/// `history[N]`, where a history finding points.
pub fn history_path(index: usize) -> String {
    stockade_model::format_exact!("history[{index}]")
}

/// A history line shortened for a message.
pub fn short(created_by: &str) -> String {
    let s = created_by.trim();
    match s.char_indices().nth(80) {
        Some((i, _)) => stockade_model::format_exact!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Days since the Unix epoch of an RFC 3339 time (`2024-05-01T10:00:00Z`): only the date is read.
pub fn epoch_days(time: &str) -> Option<i64> {
    let date = time.get(..10)?;
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_steps() {
        let run = |s: &str| match step(s) {
            Some(Step::Run(r)) => Some(r.to_string()),
            _ => None,
        };
        let inst = |s: &str| match step(s) {
            Some(Step::Instruction(k, r)) => Some((k.to_string(), r.to_string())),
            _ => None,
        };
        assert_eq!(
            run("/bin/sh -c apt-get update").as_deref(),
            Some("apt-get update")
        );
        assert_eq!(
            run("RUN /bin/sh -c apk add curl # buildkit").as_deref(),
            Some("apk add curl")
        );
        assert_eq!(
            run("RUN |2 A=1 B=two /bin/sh -c make # buildkit").as_deref(),
            Some("make")
        );
        assert_eq!(
            inst("/bin/sh -c #(nop)  ADD file:abc in / "),
            Some(("ADD".into(), "file:abc in /".into()))
        );
        assert_eq!(
            inst("ADD app.tar / # buildkit"),
            Some(("ADD".into(), "app.tar /".into()))
        );
        assert_eq!(
            inst("COPY /app /app # buildkit"),
            Some(("COPY".into(), "/app /app".into()))
        );
        assert!(step("").is_none());
        assert!(step("|x broken").is_none());
    }

    #[test]
    fn dates() {
        assert_eq!(epoch_days("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(epoch_days("2024-05-01T10:00:00Z"), Some(19_844));
        assert_eq!(epoch_days("2000-03-01"), Some(11_017));
        assert_eq!(epoch_days("garbage"), None);
        assert_eq!(epoch_days("2024-13-01T00:00:00Z"), None);
    }
}
