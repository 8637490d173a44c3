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
        .map(|l| format!(" (layer {})", l + 1))
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
            format!(
                "{what} `{}` is in the image{link}{}",
                base(&f.path),
                layer(f.layer)
            ),
        );
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
    fn dates() {
        assert_eq!(epoch_days("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(epoch_days("2024-05-01T10:00:00Z"), Some(19_844));
        assert_eq!(epoch_days("2000-03-01"), Some(11_017));
        assert_eq!(epoch_days("garbage"), None);
        assert_eq!(epoch_days("2024-13-01T00:00:00Z"), None);
    }
}
