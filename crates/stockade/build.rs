//! Link options for the `stockade` binary.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    // The binary is position-independent (ASLR), so the loader relocates every pointer in its
    // static data at each start: 82,108 relative relocations, 1.9 MB of `.rela.dyn` read at
    // every start. Packed (DT_RELR, glibc 2.36+, GNU ld 2.38+) they are 28 kB: `stockade
    // --version` 2.9 -> 2.4 ms, a one-file scan 4.3-4.8 -> 3.8-4.0 ms (BENCHMARKS.md, fifteenth
    // session). Older GNU ld ignores the option with a warning.
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
