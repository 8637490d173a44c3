//! Scans directories with the real engine (every check enabled) and reports throughput and
//! peak memory. A program, not a test: numbers depend on the machine, so compare ratios taken
//! in the same run.
//!
//! `--load-only` runs only what every scan must do first (read, parse, find pod specs) over the
//! same files, so the cost of the checks themselves is the difference between the two modes.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser;
use rayon::prelude::*;
use stockade_engine::{Config, Engine, Input, collect_inputs};

#[path = "../../stockade/src/alloc.rs"]
mod alloc;

// The same allocator as the `stockade` binary, so the numbers are the CLI's.
#[global_allocator]
static GLOBAL: alloc::Mimalloc = alloc::Mimalloc;

/// Scan DIRs with all checks (or only load them) and print files, objects, MB, wall time,
/// objects/s, MB/s, MB/s per core and peak RSS.
#[derive(Debug, Parser)]
#[command(name = "bench")]
struct Args {
    /// Worker threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Only load (parse + pod-spec discovery), do not run checks.
    #[arg(long)]
    load_only: bool,
    /// Times to repeat the whole run; the best and median are reported.
    #[arg(long, default_value_t = 5)]
    repeat: usize,
    /// Print the summary as one JSON object (for scripts).
    #[arg(long)]
    json: bool,
    /// Directories or files to scan.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// What one pass over the inputs produced.
struct Pass {
    objects: usize,
    findings: usize,
    wall: Duration,
    cpu: Duration,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .context("starting the thread pool")?;

    let (inputs, errors) = collect_inputs(&args.paths);
    if let Some(e) = errors.first() {
        anyhow::bail!("{e}");
    }
    let bytes: u64 = inputs
        .iter()
        .map(|i| match i {
            Input::File(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
            Input::Bytes(_, b) => b.len() as u64,
        })
        .sum();
    let config = Config {
        select: Some(vec!["all".into()]),
        ..Config::default()
    };
    let engine = Engine::new(&config, false)?;

    let mut passes = Vec::with_capacity(args.repeat);
    for _ in 0..args.repeat.max(1) {
        let cpu0 = cpu_time();
        let start = Instant::now();
        let (objects, findings, result) = if args.load_only {
            (load_only(&inputs), 0, None)
        } else {
            // As `stockade scan` with one report that streams (JSON, text, GitHub): each run
            // of findings is handed over in output order and dropped once written.
            let r = engine.scan_streaming(&inputs, &mut drop);
            (r.summary.objects, r.summary.findings, Some(r))
        };
        passes.push(Pass {
            objects,
            findings,
            wall: start.elapsed(),
            cpu: cpu_time().saturating_sub(cpu0),
        });
        // What is left of the result (errors, counts) is the report's; freeing it is not part
        // of the scan (the CLI leaves it to the process's end).
        drop(result);
    }
    report(
        &args,
        threads,
        inputs.len(),
        bytes,
        engine.checks().len(),
        &passes,
    );
    Ok(())
}

/// Reads, parses and finds pod specs, in parallel, the way a scan does before its checks run.
fn load_only(inputs: &[Input]) -> usize {
    inputs
        .par_iter()
        .map(|input| {
            let (name, bytes) = match input {
                Input::File(p) => match std::fs::read(p) {
                    Ok(b) => (p.display().to_string(), b),
                    Err(_) => return 0,
                },
                Input::Bytes(n, b) => (n.to_string(), b.to_vec()),
            };
            let loaded = stockade_model::load(&name, &bytes);
            let pods: usize = loaded
                .objects
                .iter()
                .map(|o| stockade_model::pod_specs(o).len())
                .sum();
            std::hint::black_box(pods);
            loaded.objects.len()
        })
        .sum()
}

fn report(args: &Args, threads: usize, files: usize, bytes: u64, checks: usize, passes: &[Pass]) {
    let mut walls: Vec<Duration> = passes.iter().map(|p| p.wall).collect();
    walls.sort();
    let best = walls[0];
    let median = walls[walls.len() / 2];
    // CPU time of the fastest pass: robust when the machine is shared, since time spent
    // waiting for a core is not counted.
    let best_cpu = passes.iter().map(|p| p.cpu).min().unwrap_or_default();
    let objects = passes[0].objects;
    let findings = passes[0].findings;
    let mb = bytes as f64 / 1e6;
    let secs = best.as_secs_f64();
    let peak_kb = peak_rss_kb();
    let mode = if args.load_only { "load-only" } else { "scan" };
    if args.json {
        println!(
            "{{\"mode\":\"{mode}\",\"threads\":{threads},\"checks\":{checks},\"files\":{files},\"objects\":{objects},\"findings\":{findings},\"bytes\":{bytes},\"repeat\":{},\"best_wall_s\":{secs:.4},\"median_wall_s\":{:.4},\"best_cpu_s\":{:.4},\"objects_per_s\":{:.0},\"mb_per_s\":{:.1},\"mb_per_s_per_core\":{:.1},\"mb_per_cpu_s\":{:.1},\"peak_rss_kb\":{peak_kb}}}",
            passes.len(),
            median.as_secs_f64(),
            best_cpu.as_secs_f64(),
            objects as f64 / secs,
            mb / secs,
            mb / secs / threads as f64,
            mb / best_cpu.as_secs_f64(),
        );
        return;
    }
    println!("mode          {mode} ({checks} checks)");
    println!("threads       {threads}");
    println!("files         {files}");
    println!("objects       {objects}");
    if !args.load_only {
        println!("findings      {findings}");
    }
    println!("MB            {mb:.2}");
    println!(
        "wall          best {:.1} ms, median {:.1} ms ({} passes)",
        secs * 1e3,
        median.as_secs_f64() * 1e3,
        passes.len()
    );
    println!("objects/s     {:.0}", objects as f64 / secs);
    println!("MB/s          {:.1}", mb / secs);
    println!("MB/s per core {:.1}", mb / secs / threads as f64);
    println!(
        "MB/CPU-s      {:.1} (bytes over the CPU time the pass used)",
        mb / best_cpu.as_secs_f64()
    );
    println!("peak RSS      {:.1} MB", peak_kb as f64 / 1024.0);
}

/// User + system CPU time of the whole process so far.
fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes into the struct it is given.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Peak resident set size (`VmHWM`) in kB, 0 where /proc is unavailable.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
