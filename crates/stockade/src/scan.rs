use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use stockade_engine::{Config, Engine, Input, find_config, load_config};
use stockade_model::Severity;
use stockade_report::{Format, Report};

use crate::cli::{ChecksArgs, ColorChoice, ScanArgs};
use crate::print_out;

/// What a scan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inputs {
    /// Manifests and, by file name, Dockerfiles (`stockade scan`).
    Manifests,
    /// Dockerfiles only, whatever the name of a file given explicitly (`stockade dockerfile lint`).
    Dockerfiles,
    /// Built images: OCI layouts, `docker save` archives, root filesystems (`stockade image lint`).
    Images,
}

pub fn run(args: ScanArgs) -> anyhow::Result<ExitCode> {
    run_with(args, Inputs::Manifests)
}

/// The scan, for either kind of input: same configuration, checks, reports and exit codes.
pub fn run_with(args: ScanArgs, what: Inputs) -> anyhow::Result<ExitCode> {
    let formats = args
        .format
        .iter()
        .map(|f| f.parse::<Format>().map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if formats.len() > 1 && args.output_dir.is_none() {
        bail!("several formats need --output-dir (each is written to its own file)");
    }
    if what == Inputs::Images && args.paths.is_empty() {
        bail!(
            "give at least one image: an OCI layout directory, a docker save archive, a root filesystem or an image in a registry"
        );
    }
    if what != Inputs::Manifests && args.pull.images {
        bail!("--images is for `stockade scan` (the images the manifests use)");
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let config_path = match (&args.config, args.no_config) {
        (Some(p), _) => Some(p.clone()),
        (None, true) => None,
        (None, false) => {
            let start = paths
                .iter()
                .find(|p| p.as_os_str() != "-")
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            find_config(&start)
        }
    };
    let mut config = match &config_path {
        Some(p) => load_config(p)?,
        None => Config::default(),
    };
    if !args.select.is_empty() {
        config.select = Some(args.select.clone());
    }
    config.enable.extend(args.enable.iter().cloned());
    config.ignore.extend(args.ignore.iter().cloned());
    if let Some(v) = &args.kube_version {
        config.options.kube_version = Some(v.clone());
    }
    // Policies load first: `ignore:` and `exclude:` may name them.
    let mut policy_paths = config.policy_paths(config_path.as_ref().and_then(|c| c.parent()));
    policy_paths.extend(args.policies.iter().cloned());
    let mut policy_errors = Vec::new();
    let mut policies: Option<std::sync::Arc<dyn stockade_engine::ExtraChecks>> = None;
    if !policy_paths.is_empty() {
        let (set, errors) = stockade_policy::PolicySet::load(&policy_paths);
        policy_errors = errors.iter().map(|e| e.to_load_error()).collect();
        if !set.is_empty() {
            policies = Some(std::sync::Arc::new(set));
        }
    }
    let mut engine =
        Engine::with_policies(&config, args.strict, policies).with_context(
            || match &config_path {
                Some(p) => format!("in {}", p.display()),
                None => "in the command-line options".to_string(),
            },
        )?;
    engine.max_file_size = args.max_file_size.saturating_mul(1_000_000);
    engine.dockerfiles_only = what == Inputs::Dockerfiles;
    if let Some(f) = &args.fail_on {
        engine.fail_on = f.parse::<Severity>().map_err(anyhow::Error::msg)?;
    }

    let (inputs, mut input_errors) = match what {
        Inputs::Manifests => crate::gather_inputs_with(
            &paths,
            stockade_engine::collect_inputs,
            engine.max_file_size,
        )?,
        Inputs::Dockerfiles => crate::gather_inputs_with(
            &paths,
            stockade_engine::collect_dockerfiles,
            engine.max_file_size,
        )?,
        Inputs::Images => (Vec::new(), Vec::new()),
    };
    input_errors.splice(0..0, policy_errors);

    let images = if args.images.verify_images {
        let Some(images) = config.image_policy(config_path.as_ref().and_then(|c| c.parent()))
        else {
            bail!(
                "--verify-images needs an `images:` section in the configuration ({}; see docs/image-signing.md)",
                match &config_path {
                    Some(p) => p.display().to_string(),
                    None => "none found".to_string(),
                }
            );
        };
        let origin = config_path
            .as_ref()
            .map_or_else(|| "configuration".to_string(), |p| p.display().to_string());
        let client = args.images.registry.client_config()?;
        Some(stockade_image::policy::ImagePolicy::new(
            images,
            &origin,
            std::path::Path::new(""),
            client,
        )?)
    } else {
        None
    };

    let show_progress = !args.no_progress && std::io::stderr().is_terminal() && inputs.len() > 1;
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    // Reports of formats written as the findings come, from manifests alone: the findings are
    // written as they are settled instead of all being held for the reports. Several reports
    // at once only into their own files (on standard output they follow each other).
    let stream = what != Inputs::Images
        && images.is_none()
        && !args.pull.images
        && formats.iter().all(|f| f.streams())
        && (formats.len() == 1 || args.output_dir.is_some());
    let result = if stream {
        let mut outs = formats
            .iter()
            .map(|f| Output::open(args.output_dir.as_deref(), *f))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let (result, written) = {
            // Each report's writer, and the error that stopped it, if any.
            let mut writers: Vec<(_, Option<std::io::Error>)> = Vec::with_capacity(formats.len());
            for (out, format) in outs.iter_mut().zip(&formats) {
                writers.push((
                    match format.stream(out.writer(), color, env!("CARGO_PKG_VERSION")) {
                        Ok(Some(w)) => w,
                        Ok(None) => bail!(
                            "the {} format is not written as findings come",
                            format.name()
                        ),
                        Err(e) => {
                            return Err(anyhow::Error::new(e).context("writing the report"));
                        }
                    },
                    None,
                ));
            }
            let mut scan = |stop_progress: &dyn Fn()| {
                engine.scan_streaming(&inputs, &mut |run| {
                    // The report may share the terminal with the progress line.
                    stop_progress();
                    // Each report but the last gets a copy of the run.
                    let mut run = run;
                    let last = writers.len() - 1;
                    for (k, (writer, failed)) in writers.iter_mut().enumerate() {
                        if failed.is_some() {
                            continue;
                        }
                        let r = if k == last {
                            std::mem::take(&mut run)
                        } else {
                            run.clone()
                        };
                        if let Err(e) = writer.push(r) {
                            *failed = Some(e);
                        }
                    }
                })
            };
            let mut result = if show_progress {
                with_progress(inputs.len(), scan)
            } else {
                scan(&|| {})
            };
            result.errors.splice(0..0, input_errors);
            result.count_errors();
            let written: Vec<std::io::Result<()>> = writers
                .into_iter()
                .map(|(writer, failed)| match failed {
                    Some(e) => Err(e),
                    None => writer.finish(&result.errors, &result.summary),
                })
                .collect();
            (result, written)
        };
        for (out, written) in outs.iter_mut().zip(written) {
            out.done(written)?;
        }
        result
    } else {
        let mut result = if what == Inputs::Images {
            crate::image::lint_targets(&engine, &paths, &args.images.registry, &args.pull.platform)
        } else if show_progress {
            with_progress(inputs.len(), |_| engine.scan(&inputs))
        } else {
            engine.scan(&inputs)
        };
        result.errors.splice(0..0, input_errors);
        result.count_errors();
        if let Some(policy) = &images {
            verify_images(&engine, policy, &inputs, &mut result);
        }
        if args.pull.images {
            crate::scan_images::scan_images(
                &engine,
                &inputs,
                &args.pull,
                &args.images.registry,
                (&config, config_path.as_deref()),
                &mut result,
            )?;
        }
        let report = Report {
            findings: &result.findings,
            errors: &result.errors,
            summary: &result.summary,
            version: env!("CARGO_PKG_VERSION"),
        };
        for f in &formats {
            let mut out = Output::open(args.output_dir.as_deref(), *f)?;
            let written = f.write(&report, out.writer(), color);
            out.done(written)?;
        }
        result
    };
    if args.output_dir.is_some() && !formats.contains(&Format::Text) {
        // Still tell the person at the terminal what happened.
        let mut err = std::io::stderr().lock();
        let _ = Format::Text.write(
            &Report {
                findings: &stockade_model::Findings::new(),
                errors: &result.errors,
                summary: &result.summary,
                version: env!("CARGO_PKG_VERSION"),
            },
            &mut err,
            false,
        );
    }

    // The summary counts the findings by severity whether they were written as they came
    // (and are gone) or held (every path that adds findings counts them again).
    let code = if result.has_errors() {
        ExitCode::from(2)
    } else if result
        .summary
        .by_severity
        .iter()
        .any(|(s, n)| *s >= engine.fail_on && *n > 0)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends next and its memory goes back whole: freeing every finding's strings
    // one by one first cost about 1% of a scan's instructions.
    std::mem::forget(result);
    Ok(code)
}

/// Where one report goes: its file in `--output-dir`, or standard output.
enum Output {
    File(std::io::BufWriter<std::fs::File>, PathBuf),
    Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>),
}

impl Output {
    fn open(dir: Option<&std::path::Path>, format: Format) -> anyhow::Result<Self> {
        Ok(match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                let path = dir.join(format.file_name());
                let file = std::fs::File::create(&path)
                    .with_context(|| format!("creating {}", path.display()))?;
                Output::File(std::io::BufWriter::new(file), path)
            }
            None => Output::Stdout(std::io::BufWriter::new(std::io::stdout().lock())),
        })
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Output::File(w, _) => w,
            Output::Stdout(w) => w,
        }
    }

    fn context(&self, e: std::io::Error) -> anyhow::Error {
        match self {
            Output::File(_, path) => {
                anyhow::Error::new(e).context(format!("writing {}", path.display()))
            }
            Output::Stdout(_) => anyhow::Error::new(e).context("writing the report"),
        }
    }

    /// Flushes what was written; a reader of standard output that went away is not an error.
    fn done(&mut self, written: std::io::Result<()>) -> anyhow::Result<()> {
        let written = written.and_then(|()| match self {
            Output::File(w, _) => w.flush(),
            Output::Stdout(w) => w.flush(),
        });
        match (written, &*self) {
            (Err(e), Output::Stdout(_)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            (Err(e), _) => Err(self.context(e)),
            (Ok(()), _) => Ok(()),
        }
    }
}

/// The catalog check `stockade scan --verify-images` reports.
const IMAGE_CHECK: &str = "STK212";

/// Evaluates each distinct image the inputs reference once, and reports a finding on every
/// container whose image the policy refuses. Images admitted with a warning (`on-error:
/// allow` and the registry failing) are named on standard error.
fn verify_images(
    engine: &Engine,
    policy: &stockade_image::policy::ImagePolicy,
    inputs: &[Input],
    result: &mut stockade_engine::ScanResult,
) {
    use stockade_image::policy::Decision;
    let uses: Vec<_> = engine
        .image_uses(inputs)
        .into_iter()
        .filter(|u| engine.reports_on(u, IMAGE_CHECK))
        .collect();
    let distinct: std::collections::BTreeSet<&str> =
        uses.iter().map(|u| u.image.as_str()).collect();
    let decisions: std::collections::BTreeMap<&str, Decision> = distinct
        .into_iter()
        .map(|image| (image, policy.evaluate(image)))
        .collect();
    for d in decisions.values() {
        if let Decision::Warn { warning } = d {
            eprintln!("warning: {warning}");
        }
    }
    for u in &uses {
        if let Some(Decision::Deny { reason }) = decisions.get(u.image.as_str()) {
            let hit = stockade_engine::ImageHit {
                check: IMAGE_CHECK,
                message: format!("image {} is refused: {reason}", u.image),
                severity: None,
            };
            engine.report_at_image(u, "", &[hit], result);
        }
    }
    result.sort_by_inputs(inputs);
}

/// A progress line on standard error ("scanning N files... 1.2s") shown while `work` runs,
/// once it has taken longer than a moment; `work` is handed a function that takes the line
/// away for good (before the report is written to the same terminal).
fn with_progress<R>(files: usize, work: impl FnOnce(&dyn Fn()) -> R) -> R {
    use std::sync::atomic::{AtomicBool, Ordering};
    let done = AtomicBool::new(false);
    // Whether the line is on the screen; printed and cleared only with this held, so once
    // `stop` has returned the line is gone and never comes back.
    let shown = std::sync::Mutex::new(false);
    let stop = || {
        if !done.swap(true, Ordering::Relaxed) {
            let mut shown = shown.lock().unwrap_or_else(|e| e.into_inner());
            if *shown {
                eprint!("\r\x1b[2K");
                *shown = false;
            }
        }
    };
    std::thread::scope(|s| {
        s.spawn(|| {
            let start = std::time::Instant::now();
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(100));
                let mut shown = shown.lock().unwrap_or_else(|e| e.into_inner());
                if start.elapsed().as_millis() > 400 && !done.load(Ordering::Relaxed) {
                    eprint!(
                        "\rscanning {files} files... {:.1}s",
                        start.elapsed().as_secs_f32()
                    );
                    *shown = true;
                }
            }
        });
        let r = work(&stop);
        stop();
        r
    })
}

pub fn list_checks(args: &ChecksArgs) -> anyhow::Result<ExitCode> {
    let checks = stockade_checks::all();
    let out = match args.format.as_str() {
        "json" => {
            let v: Vec<_> = checks
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.id, "name": c.name, "category": c.category, "severity": c.severity,
                        "default": c.default_on, "summary": c.summary, "aliases": c.aliases,
                        "references": c.references,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&v)? + "\n"
        }
        "markdown" => stockade_checks::docs::index(checks),
        "text" => {
            let mut s = String::new();
            for c in checks {
                s.push_str(&format!(
                    "{:<7} {:<36} {:<17} {:<8} {:<3}  {}\n",
                    c.id,
                    c.name,
                    c.category.as_str(),
                    c.severity.as_str(),
                    if c.default_on { "on" } else { "off" },
                    c.aliases.join(" ")
                ));
            }
            s
        }
        other => bail!("unknown format `{other}` (expected text, json or markdown)"),
    };
    print_out(&out);
    Ok(ExitCode::SUCCESS)
}

pub fn explain(key: &str) -> anyhow::Result<ExitCode> {
    let Some(c) = stockade_checks::find(key) else {
        bail!("unknown check `{key}` (see `stockade checks`)");
    };
    print_out(&stockade_checks::docs::page(c));
    Ok(ExitCode::SUCCESS)
}
