//! Time of one offline keyless verification of a genuine Sigstore bundle (Fulcio chain,
//! identity, SET, inclusion proof and checkpoint, DSSE signature), for BENCHMARKS.md:
//!
//!     cargo run -p stockade-image --example keyless_verify [ITERATIONS]

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use stockade_image::keyless::{Bundle, Identity, Trust};
use stockade_image::sigstore::TrustedRoot;

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sigstore");
    let bytes = std::fs::read(dir.join("production-dsse.sigstore.json")).expect("bundle");
    let root =
        Arc::new(TrustedRoot::from_file(&dir.join("trusted_root.production.json")).expect("root"));
    let trust = Trust {
        identities: vec![Identity::exact(
            "https://github.com/trailofbits/pypi-attestation-models/.github/workflows/release.yml@refs/tags/v0.0.4a2",
            "https://token.actions.githubusercontent.com",
        )],
        root: Some(root),
        ..Trust::default()
    };
    let start = Instant::now();
    for _ in 0..n {
        let b = Bundle::parse(&bytes).expect("parse");
        b.identify(&trust, None).expect("verifies");
    }
    let per = start.elapsed().as_secs_f64() / f64::from(n);
    println!(
        "{n} verifications (parse + chain + SET + inclusion proof + checkpoint + signature): {:.1} us each, {:.0}/s",
        per * 1e6,
        1.0 / per
    );
}
