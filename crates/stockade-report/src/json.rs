use std::io::{self, Write};

use serde::Serialize;
use stockade_model::{Finding, LoadError, Summary};

use crate::Report;

/// Version of the JSON document's shape; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

/// The document, borrowing the report: written straight to the output, never built in memory.
#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    tool: Tool<'a>,
    findings: &'a [Finding],
    errors: &'a [LoadError],
    summary: &'a Summary,
}

pub fn write(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let doc = Doc {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: "stockade",
            version: r.version,
        },
        findings: r.findings,
        errors: r.errors,
        summary: r.summary,
    };
    // serde_json writes many small pieces: a concrete buffer lets them inline instead of
    // going through `dyn Write` one by one (a third of a large scan's instructions).
    let mut w = io::BufWriter::with_capacity(1 << 16, &mut *out);
    serde_json::to_writer_pretty(&mut w, &doc)?;
    writeln!(w)?;
    w.flush()
}
