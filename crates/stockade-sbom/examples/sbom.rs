//! The library without the CLI: `cargo run --release -p stockade-sbom --example sbom -- TARGET
//! [cyclonedx|spdx|json] > out.json`. Prints the package count, time and problems to stderr.
//! Used by scripts/compare-sbom.sh when no release build of `stockade` is at hand.

use std::time::{Instant, SystemTime};

use stockade_sbom::format::{Format, render};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(target) = args.next() else {
        eprintln!("usage: sbom TARGET [cyclonedx|spdx|json]");
        std::process::exit(2);
    };
    let format = match args.next().as_deref() {
        Some("spdx") => Format::Spdx,
        Some("json") => Format::Json,
        _ => Format::CycloneDx,
    };
    let start = Instant::now();
    let inv = match stockade_sbom::inventory(std::path::Path::new(&target)) {
        Ok(inv) => inv,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    print!("{}", render(&inv, format, SystemTime::now()));
    eprintln!(
        "{} packages, {} problems, {:.1} ms",
        inv.packages.len(),
        inv.errors.len(),
        start.elapsed().as_secs_f64() * 1e3
    );
    for e in &inv.errors {
        eprintln!("{e}");
    }
}
