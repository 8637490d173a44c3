use std::io::{self, Write};

use crate::Report;

/// Version of the JSON document's shape; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

pub fn write(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let doc = serde_json::json!({
        "version": SCHEMA_VERSION,
        "tool": {"name": "stockade", "version": r.version},
        "findings": r.findings,
        "errors": r.errors,
        "summary": r.summary,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
