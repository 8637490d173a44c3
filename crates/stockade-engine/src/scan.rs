//! Running the selected checks over inputs in parallel.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use globset::{Glob, GlobMatcher};
use rayon::prelude::*;
use stockade_checks::{Category, Check, ObjectId, Options, Run};
use stockade_model::{
    Finding, Findings, Level, LoadError, Object, ObjectRef, Severity, Summary, check_id_cmp,
    pod_specs,
};

use crate::config::{Config, Exclusion};
use crate::extra::{ExtraChecks, ExtraHit, ExtraResult};
use crate::inputs::Input;
use crate::suppress;

/// Files larger than this are refused by default: `--max-file-size`'s default of 64 MB, in
/// the decimal megabytes the messages print (64 MiB would print as a "67 MB limit").
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1_000_000;

/// A configuration that names something that does not exist.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A check, name or category that is not in the catalog.
    #[error("unknown check or category `{0}` (see `stockade checks`)")]
    UnknownCheck(String),
    /// An option whose value is not valid.
    #[error(transparent)]
    InvalidOption(#[from] stockade_checks::OptionError),
    /// A glob that does not parse.
    #[error("invalid glob `{glob}` in exclude: {message}")]
    BadGlob {
        /// The glob.
        glob: String,
        /// Why.
        message: String,
    },
}

struct CompiledExclusion {
    namespace: Option<GlobMatcher>,
    kind: Option<String>,
    name: Option<GlobMatcher>,
    path: Option<GlobMatcher>,
    checks: HashSet<&'static str>,
    /// Extra checks (custom policies) it names, by ID.
    extra_checks: HashSet<String>,
}

impl CompiledExclusion {
    /// Whether it names no check at all (so it covers every check, policies included).
    fn names_none(&self) -> bool {
        self.checks.is_empty() && self.extra_checks.is_empty()
    }
}

/// The configured engine: which checks run, at which severity, with which options.
pub struct Engine {
    checks: Vec<(&'static Check, Severity)>,
    options: Options,
    exclusions: Vec<CompiledExclusion>,
    strict: bool,
    /// Checks whose severity the configuration sets (it wins over a hit's own severity).
    overridden: HashSet<&'static str>,
    /// Files larger than this many bytes are refused with an error.
    pub max_file_size: u64,
    /// Read every input as a Dockerfile, whatever its name (`stockade dockerfile lint`).
    /// Otherwise files named like Dockerfiles are, and everything else is YAML or JSON.
    pub dockerfiles_only: bool,
    /// Lowest severity that fails the scan.
    pub fail_on: Severity,
    /// Checks from outside the catalog (custom policies).
    extra: Option<Arc<dyn ExtraChecks>>,
    /// Extra checks the configuration's `ignore:` names, by ID.
    ignored_extra: HashSet<String>,
}

/// The result of a scan.
#[derive(Debug, Default)]
pub struct ScanResult {
    /// Findings, ordered by input, line, column and check.
    pub findings: Findings,
    /// Input problems, in the same order.
    pub errors: Vec<LoadError>,
    /// Counts.
    pub summary: Summary,
}

impl ScanResult {
    /// True when any input could not be read or parsed.
    pub fn has_errors(&self) -> bool {
        self.errors.iter().any(|e| e.level == Level::Error)
    }

    /// Counts one file's result in the summary and takes its errors; returns its findings.
    fn add_file(&mut self, f: FileResult) -> Vec<Finding> {
        self.summary.files += usize::from(f.read);
        self.summary.objects += f.objects;
        self.summary.suppressed += f.suppressed;
        self.errors.extend(f.errors);
        f.findings
    }

    /// Counts the input errors and warnings in the summary.
    pub fn count_errors(&mut self) {
        self.summary.errors = self
            .errors
            .iter()
            .filter(|e| e.level == Level::Error)
            .count();
        self.summary.warnings = self.errors.len() - self.summary.errors;
    }
}

fn resolve(key: &str) -> Result<Vec<&'static Check>, EngineError> {
    if key == "all" {
        return Ok(stockade_checks::all().to_vec());
    }
    if let Some(cat) = Category::ALL.iter().find(|c| c.as_str() == key) {
        return Ok(stockade_checks::all()
            .iter()
            .copied()
            .filter(|c| c.category == *cat)
            .collect());
    }
    if let Some(c) = stockade_checks::find(key) {
        return Ok(vec![c]);
    }
    // A peer tool's ID, so a team migrating keeps its configuration's meaning:
    // `checkov:CKV_K8S_16`, or the bare `CKV_K8S_16` (every check that lists it).
    let by_alias: Vec<&'static Check> = stockade_checks::all()
        .iter()
        .copied()
        .filter(|c| {
            c.aliases.iter().any(|a| {
                a.eq_ignore_ascii_case(key)
                    || a.split_once(':')
                        .is_some_and(|(_, id)| id.eq_ignore_ascii_case(key))
            })
        })
        .collect();
    if by_alias.is_empty() {
        Err(EngineError::UnknownCheck(key.to_string()))
    } else {
        Ok(by_alias)
    }
}

fn glob(pattern: &Option<String>) -> Result<Option<GlobMatcher>, EngineError> {
    pattern
        .as_ref()
        .map(|g| {
            Glob::new(g)
                .map(|g| g.compile_matcher())
                .map_err(|e| EngineError::BadGlob {
                    glob: g.clone(),
                    message: e.kind().to_string(),
                })
        })
        .transpose()
}

impl Engine {
    /// Builds an engine from a configuration. `strict` ignores suppression annotations.
    pub fn new(config: &Config, strict: bool) -> Result<Self, EngineError> {
        Self::with_policies(config, strict, None)
    }

    /// Builds an engine that also runs `extra` (custom policies, see [`Self::with_extra`]).
    /// The configuration's `ignore:` and `exclude[].checks` may then name their check IDs
    /// (a policy's name) besides the catalog's.
    pub fn with_policies(
        config: &Config,
        strict: bool,
        extra: Option<Arc<dyn ExtraChecks>>,
    ) -> Result<Self, EngineError> {
        // A key that is no catalog check, category or alias may be a policy's ID.
        let extra_id = |key: &str, e: EngineError| -> Result<String, EngineError> {
            match &extra {
                Some(x) if matches!(e, EngineError::UnknownCheck(_)) && x.knows(key) => {
                    Ok(key.to_string())
                }
                _ => Err(e),
            }
        };
        config.options.validate()?;
        let mut selected: Vec<&'static Check> = match &config.select {
            Some(keys) => {
                let mut v = Vec::new();
                for k in keys {
                    v.extend(resolve(k)?);
                }
                v
            }
            None => stockade_checks::all()
                .iter()
                .copied()
                .filter(|c| c.default_on)
                .collect(),
        };
        for k in &config.enable {
            selected.extend(resolve(k)?);
        }
        let mut ignored = HashSet::new();
        let mut ignored_extra = HashSet::new();
        for k in &config.ignore {
            match resolve(k) {
                Ok(cs) => ignored.extend(cs.into_iter().map(|c| c.id)),
                Err(e) => {
                    ignored_extra.insert(extra_id(k, e)?);
                }
            }
        }
        selected.retain(|c| !ignored.contains(c.id));
        selected.sort_by(|a, b| check_id_cmp(a.id, b.id));
        selected.dedup_by_key(|c| c.id);
        let mut checks = Vec::with_capacity(selected.len());
        for c in selected {
            checks.push((c, c.severity));
        }
        let mut overridden = HashSet::new();
        for (key, sev) in &config.severity {
            let target =
                stockade_checks::find(key).ok_or_else(|| EngineError::UnknownCheck(key.clone()))?;
            overridden.insert(target.id);
            for (c, s) in &mut checks {
                if c.id == target.id {
                    *s = *sev;
                }
            }
        }
        let mut exclusions = Vec::new();
        for Exclusion {
            namespace,
            kind,
            name,
            path,
            checks: ex_checks,
            reason: _,
        } in &config.exclude
        {
            let mut ids = HashSet::new();
            let mut extra_checks = HashSet::new();
            for k in ex_checks {
                match resolve(k) {
                    Ok(cs) => ids.extend(cs.into_iter().map(|c| c.id)),
                    Err(e) => {
                        extra_checks.insert(extra_id(k, e)?);
                    }
                }
            }
            exclusions.push(CompiledExclusion {
                namespace: glob(namespace)?,
                kind: kind.clone(),
                name: glob(name)?,
                path: glob(path)?,
                checks: ids,
                extra_checks,
            });
        }
        Ok(Engine {
            checks,
            options: config.options.clone(),
            exclusions,
            strict,
            overridden,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            dockerfiles_only: false,
            fail_on: config.fail_on.unwrap_or(Severity::High),
            extra,
            ignored_extra,
        })
    }

    /// The severity of a custom policy's hits, where its ID alone says it (see
    /// [`ExtraChecks::severity_of`]).
    pub fn extra_severity(&self, id: &str) -> Option<Severity> {
        self.extra.as_ref().and_then(|x| x.severity_of(id))
    }

    /// Adds checks from outside the catalog (custom policies). Their hits become findings
    /// like the catalog's, subject to the exclusions that name no checks and, when the engine
    /// was built by [`Self::with_policies`], to `ignore:` and exclusions naming their IDs.
    /// Suppression annotations apply to them by check ID as to catalog checks.
    pub fn with_extra(mut self, extra: Arc<dyn ExtraChecks>) -> Self {
        self.extra = Some(extra);
        self
    }

    /// The checks that run, with their effective severities.
    pub fn checks(&self) -> &[(&'static Check, Severity)] {
        &self.checks
    }

    /// Scans every input in parallel; the result's order follows the inputs. Object checks
    /// run while each file streams through; set checks then run once over the objects they
    /// asked to keep, so memory grows with the largest file plus those objects only.
    pub fn scan(&self, inputs: &[Input]) -> ScanResult {
        let mut findings = Findings::new();
        let mut result = self.scan_streaming(inputs, &mut |run| findings.push_run(run));
        result.findings = findings;
        result
    }

    /// Scans like [`Self::scan`], but hands the findings to `sink` in output order, in runs, as
    /// they are settled, instead of holding them all for the result (whose `findings` is then
    /// empty; its summary counts them). Memory then holds the kept objects and the findings of
    /// the objects no set check wants, not every finding of the scan; without set checks,
    /// only the findings of two windows of inputs (`scan_windows`).
    pub fn scan_streaming(
        &self,
        inputs: &[Input],
        sink: &mut dyn FnMut(Vec<Finding>),
    ) -> ScanResult {
        let patches = crate::kustomize::Patches::of(inputs, self.max_file_size);
        if self.set_checks().next().is_none() && self.extra.is_none() {
            return self.scan_windows(inputs, &patches, sink);
        }
        let per_file: Vec<(FileResult, Kept)> = inputs
            .par_iter()
            .map(|i| self.scan_input(i, &patches))
            .collect();
        let mut result = ScanResult::default();
        // Exact sizes up front: growing by doubling would briefly hold the old and the new
        // buffer, which on a large scan is most of the peak memory.
        result
            .errors
            .reserve_exact(per_file.iter().map(|(f, _)| f.errors.len()).sum());
        let mut kept = Kept::default();
        let mut files = Vec::with_capacity(per_file.len());
        for (i, (f, r)) in per_file.into_iter().enumerate() {
            files.push(result.add_file(f));
            kept.objects.extend(r.objects.into_iter().map(|o| Retained {
                rank: i as u32,
                ..o
            }));
            kept.inventory.extend(r.inventory);
        }
        let mut set = FileResult::default();
        let retained = self.run_set_checks(kept, &mut set);
        result.errors.extend(std::mem::take(&mut set.errors));
        let summary = &mut result.summary;
        let mut emit = |run: Vec<Finding>| {
            if !run.is_empty() {
                count_findings(summary, &run);
                sink(run);
            }
        };
        // Each file's findings are already in line order, and so are those of the objects kept
        // for the set checks, ranked by input: the two are merged, not re-sorted, and stay in
        // the vectors they were made in where they do not interleave (`merge_input`). The kept
        // objects are settled a batch at a time, in input order; while the pool settles one
        // batch, this thread hands over the findings of the inputs before it (the sink's own
        // work, such as writing a report, then overlaps the settling instead of alternating
        // with it).
        let batches = SettleBatches {
            rest: retained.into_iter().peekable(),
            size: SettleBatches::FIRST,
        };
        let mut settled: std::collections::VecDeque<(u32, Vec<Finding>)> = Default::default();
        let mut files = files.into_iter().zip(0u32..).peekable();
        // Hands over the findings of the inputs ranked below `limit`: every kept object of
        // theirs is among those settled.
        let mut emit_below = |limit: u32, settled: &mut std::collections::VecDeque<_>| {
            while let Some((own, i)) = files.next_if(|(_, i)| *i < limit) {
                let mut runs = Vec::new();
                while settled.front().is_some_and(|(r, _): &(u32, _)| *r <= i) {
                    runs.extend(settled.pop_front().map(|(_, run)| run));
                }
                if runs.is_empty() {
                    emit(own);
                } else {
                    merge_input(own, runs, &mut emit);
                }
            }
        };
        for batch in batches {
            let first = batch[0].rank;
            let mut done = None;
            rayon::in_place_scope(|s| {
                s.spawn(|_| {
                    let mut out = FileResult::default();
                    let runs = self.settle_kept(batch, &mut out);
                    done = Some((runs, out.suppressed, out.errors));
                });
                emit_below(first, &mut settled);
            });
            let (runs, suppressed, errors) = done.expect("the scope waits for the batch");
            settled.extend(runs);
            set.suppressed += suppressed;
            result.errors.extend(errors);
        }
        // Every kept object belongs to an input, so what is left of `settled` belongs to the
        // inputs still to come.
        emit_below(u32::MAX, &mut settled);
        for (_, run) in settled {
            emit(run);
        }
        result.summary.suppressed += set.suppressed;
        result.count_errors();
        result
    }

    /// [`Self::scan_streaming`] without set checks or custom policies: no object waits for
    /// another, so the inputs are scanned a window at a time and each window's findings are
    /// handed over while the pool scans the next. Memory then holds two windows' findings,
    /// not every finding of the scan.
    fn scan_windows(
        &self,
        inputs: &[Input],
        patches: &crate::kustomize::Patches,
        sink: &mut dyn FnMut(Vec<Finding>),
    ) -> ScanResult {
        /// Inputs scanned at a time: enough that a large file rarely leaves a core idle at
        /// the end of a window, few enough that a window's findings are a small part of a
        /// large scan's.
        const INPUTS: usize = 256;
        let scan = |window: &[Input]| -> Vec<FileResult> {
            window
                .par_iter()
                .map(|i| self.scan_input(i, patches).0)
                .collect()
        };
        let mut result = ScanResult::default();
        let mut windows = inputs.chunks(INPUTS);
        let mut ready = windows.next().map(scan);
        while let Some(files) = ready.take() {
            let next = windows.next();
            rayon::in_place_scope(|s| {
                if let Some(window) = next {
                    s.spawn(|_| ready = Some(scan(window)));
                }
                for f in files {
                    let findings = result.add_file(f);
                    if !findings.is_empty() {
                        count_findings(&mut result.summary, &findings);
                        sink(findings);
                    }
                }
            });
        }
        result.count_errors();
        result
    }

    fn scan_input(&self, input: &Input, patches: &crate::kustomize::Patches) -> (FileResult, Kept) {
        match input {
            Input::Bytes(name, bytes) if self.dockerfiles_only => {
                (self.lint_dockerfile(name, bytes), Kept::default())
            }
            Input::Bytes(name, bytes) => self.load_and_check(name, bytes, None),
            Input::File(path) => {
                let name = crate::inputs::path_name(path);
                let error = |message: String| {
                    let e = LoadError::whole_file(name.as_str(), message);
                    (
                        FileResult {
                            errors: vec![e],
                            ..FileResult::default()
                        },
                        Kept::default(),
                    )
                };
                let dockerfile = self.dockerfiles_only || crate::inputs::is_dockerfile(path);
                match crate::inputs::read_input(path, self.max_file_size) {
                    Err(e @ crate::inputs::ReadError::TooLarge { .. }) => {
                        error(format!("{e} (raise it with --max-file-size)"))
                    }
                    Err(e) => error(e.to_string()),
                    Ok(bytes) if dockerfile => {
                        (self.lint_dockerfile(&name, &bytes), Kept::default())
                    }
                    Ok(bytes) => self.load_and_check(&name, &bytes, patches.of_file(path)),
                }
            }
        }
    }

    /// Scans one file's bytes as a set of its own (set checks see only this file).
    pub fn scan_bytes(&self, name: &str, bytes: &[u8]) -> FileResult {
        let (mut out, kept) = self.load_and_check(name, bytes, None);
        let set = self.finish_set(kept, &mut out);
        out.findings.extend(set.into_iter().flat_map(|(_, f)| f));
        sort_findings(&mut out.findings);
        out
    }

    /// Parses a Dockerfile and runs the Dockerfile checks. The file is one object (kind
    /// `Dockerfile`, named after the file) so exclusions, suppressions and every report
    /// treat it like a manifest object.
    fn lint_dockerfile(&self, name: &str, bytes: &[u8]) -> FileResult {
        let text = String::from_utf8_lossy(bytes);
        let df = stockade_dockerfile::parse(&text);
        let file: Arc<str> = name.into();
        let mut out = FileResult {
            read: true,
            objects: 1,
            errors: df
                .errors
                .iter()
                .map(|e| LoadError {
                    file: file.clone(),
                    line: e.line,
                    column: e.column,
                    level: Level::Error,
                    message: e.message.clone(),
                    check: None,
                })
                .collect(),
            ..FileResult::default()
        };
        let obj = Object {
            file,
            source: None,
            root: stockade_model::Node::null().clone(),
            api_version: String::new(),
            kind: DOCKERFILE_KIND.into(),
            name: Path::new(name)
                .file_name()
                .map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned()),
            namespace: None,
        };
        let mut hits = Vec::new();
        for (i, &(check, _)) in self.checks.iter().enumerate() {
            if matches!(check.run, Run::Dockerfile(_)) && !self.excluded(check, &obj) {
                let found = guarded(Some(check.id), Some(&obj), &mut out.errors, || {
                    stockade_checks::run_dockerfile_check(check, &df, &self.options)
                });
                hits.extend(found.unwrap_or_default().into_iter().map(|h| (i, h)));
            }
        }
        let suppressions = if self.strict {
            Vec::new()
        } else {
            suppress::collect_dockerfile(&df)
        };
        self.settle(&obj, suppressions, hits, Vec::new(), false, &mut out);
        sort_findings(&mut out.findings);
        out
    }

    /// Runs the image checks on built images, given as (name, facts): `name` (the target
    /// or image reference) is both the file and the name of the image's object (kind
    /// `Image`), so selection, exclusions, severity overrides and every report treat it like
    /// a manifest object; a finding's `path` says where inside the image. `now` is the
    /// current time in seconds since the Unix epoch (for `image-too-old`). Images carry no
    /// suppression comments: use the configuration's `exclude` to silence findings.
    pub fn lint_images(
        &self,
        images: &[(String, stockade_model::ImageFacts)],
        now: i64,
    ) -> ScanResult {
        let mut result = ScanResult::default();
        for (name, facts) in images {
            let obj = Object {
                file: name.as_str().into(),
                source: None,
                root: stockade_model::Node::null().clone(),
                api_version: String::new(),
                kind: IMAGE_KIND.into(),
                name: name.clone(),
                namespace: None,
            };
            let mut hits = Vec::new();
            for (i, &(check, _)) in self.checks.iter().enumerate() {
                if matches!(check.run, Run::Image(_)) && !self.excluded(check, &obj) {
                    hits.extend(
                        stockade_checks::run_image_check(check, facts, &self.options, now)
                            .into_iter()
                            .map(|h| (i, h)),
                    );
                }
            }
            let mut out = FileResult {
                read: true,
                objects: 1,
                ..FileResult::default()
            };
            self.settle(&obj, Vec::new(), hits, Vec::new(), false, &mut out);
            // Checks run in ID order and each reports in image order: keep that order.
            result.summary.files += 1;
            result.summary.objects += 1;
            result.findings.push_run(out.findings);
        }
        result.summary.findings = result.findings.len();
        for f in &result.findings {
            *result.summary.by_severity.entry(f.severity).or_default() += 1;
        }
        result
    }

    /// Loads a file and runs the object checks on the objects no set check wants. The others
    /// are kept for [`Self::finish_set`], which runs their object checks after the set checks
    /// and applies their suppressions.
    /// A Kustomize patch (`patch`: the file is one; or a patch written inside a kustomization)
    /// is checked only for the values it sets and is not an object of the set (`kustomize`).
    fn load_and_check(
        &self,
        name: &str,
        bytes: &[u8],
        patch: Option<&crate::kustomize::Patch>,
    ) -> (FileResult, Kept) {
        let mut loaded = stockade_model::load(name, bytes);
        if let Some(p) = patch {
            crate::kustomize::json_patch_objects(name, bytes, p, &mut loaded);
        }
        // A kustomization's own patches, written inside it, are patches too.
        let (inline, inline_errors, implicit) =
            if crate::kustomize::is_kustomization(std::path::Path::new(name)) {
                let (inline, errors) = crate::kustomize::inline_patch_objects(name, bytes);
                let implicit = crate::kustomize::implicit_kustomizations(name, bytes);
                (inline, errors, implicit)
            } else {
                Default::default()
            };
        let mut out = FileResult {
            read: true,
            objects: loaded.objects.len() + inline.len() + implicit.len(),
            errors: loaded.errors,
            ..FileResult::default()
        };
        if !inline_errors.is_empty() {
            out.errors.extend(inline_errors);
            out.errors.sort_by_key(|e| (e.line, e.column));
        }
        let mut kept = Kept::default();
        let any_set = self.set_checks().next().is_some();
        let mut scratch = stockade_checks::Emit::default();
        if let Some(p) = patch {
            crate::kustomize::name_json_patches(&mut out.errors, &p.kustomization);
        }
        let objects = loaded
            .objects
            .into_iter()
            .map(|o| (o, patch.is_some()))
            .chain(implicit.into_iter().map(|o| (o, false)))
            .chain(inline.into_iter().map(|o| (o, true)));
        for (mut obj, is_patch) in objects {
            // A patch is not an object of the set.
            let any_set = any_set && !is_patch;
            if any_set {
                kept.inventory.push(ObjectId::of(&obj));
            }
            let pods = if is_patch {
                crate::kustomize::patch_pod_specs(&obj)
            } else {
                pod_specs(&obj)
            };
            let mut extra = self.extra_object_hits(&obj, &mut out.errors);
            if is_patch {
                extra.retain(|h| crate::kustomize::value_is_set(&obj.root, &pods, &h.path));
            }
            // Which set checks want the object, asked once here with the pod specs at hand;
            // `finish_set` hands each check exactly these.
            let wanted_by: Vec<u16> = if any_set {
                self.checks
                    .iter()
                    .enumerate()
                    .filter(|(_, (c, _))| match c.run {
                        Run::Set { wants, .. } => wants(&obj, &pods),
                        _ => false,
                    })
                    .map(|(i, _)| i as u16)
                    .collect()
            } else {
                Vec::new()
            };
            let extra_wants = !is_patch && self.extra.as_ref().is_some_and(|x| x.wants(&obj));
            // Read now, with the pod specs at hand, whether the object is settled here or kept.
            let sup = self.suppressions(&obj, &pods);
            // A kept object's own checks run when it is settled, after the set checks: its
            // hits are then not held beside every kept tree while the set checks run (they
            // were a third of the peak memory of a large scan). But when every set check that
            // wants it reads only its metadata, they run now and only that is kept.
            if !wanted_by.is_empty() || extra_wants {
                let metadata_only = !extra_wants
                    && wanted_by.iter().all(|&i| {
                        matches!(self.checks[i as usize].0.run,
                            Run::Set { metadata_only: Some(m), .. } if m(&obj, &pods))
                    });
                let hits = if metadata_only {
                    self.object_hits(&obj, &pods, &mut scratch, &mut out.errors)
                } else {
                    Vec::new()
                };
                drop(pods);
                if metadata_only {
                    obj.keep_metadata_only();
                }
                kept.objects.push(Retained {
                    rank: 0,
                    obj: Arc::new(obj),
                    hits,
                    checked: metadata_only,
                    extra,
                    wanted_by,
                    sup,
                });
            } else {
                let mut hits = self.object_hits(&obj, &pods, &mut scratch, &mut out.errors);
                if is_patch {
                    hits.retain(|(_, h)| crate::kustomize::value_is_set(&obj.root, &pods, &h.path));
                }
                self.settle(&obj, sup, hits, extra, false, &mut out);
            }
        }
        sort_findings(&mut out.findings);
        // Held until the end of the scan: without the slack a growing vector leaves.
        out.findings.shrink_to_fit();
        (out, kept)
    }

    /// Runs the set checks over the kept objects, then settles each kept object's hits.
    /// Returns the kept objects' findings in runs with the rank of their input, in input order
    /// and then in line order; load errors and suppression counts go to `out`.
    fn finish_set(&self, kept: Kept, out: &mut FileResult) -> Vec<(u32, Vec<Finding>)> {
        let retained = self.run_set_checks(kept, out);
        self.settle_kept(retained, out)
    }

    /// Runs the set checks over the kept objects and gives each its hits; load errors go to
    /// `out`. The objects are returned in input order, their trees held by them alone.
    fn run_set_checks(&self, kept: Kept, out: &mut FileResult) -> Vec<Retained> {
        let Kept {
            objects: mut retained,
            inventory,
        } = kept;
        if retained.is_empty() {
            return retained;
        }
        let objects: Vec<Arc<Object>> = retained.iter().map(|r| r.obj.clone()).collect();
        let index: std::collections::HashMap<*const Object, usize> = objects
            .iter()
            .enumerate()
            .map(|(i, o)| (Arc::as_ptr(o), i))
            .collect();
        // Each set check's objects, in input order.
        let mut wanted: Vec<Vec<Arc<Object>>> = vec![Vec::new(); self.checks.len()];
        for r in &retained {
            for &i in &r.wanted_by {
                wanted[i as usize].push(r.obj.clone());
            }
        }
        // The set checks are independent of each other: they run in parallel, and their hits
        // are applied in catalog order, so the result does not depend on the scheduling.
        let sets: Vec<(usize, Vec<Arc<Object>>)> = self
            .checks
            .iter()
            .enumerate()
            .filter(|(_, (check, _))| matches!(check.run, Run::Set { .. }))
            .map(|(i, _)| (i, std::mem::take(&mut wanted[i])))
            .collect();
        // Several set checks read the pod specs of every workload: they are found once here
        // (not at all when only custom policies kept the objects).
        let pods = if sets.is_empty() {
            stockade_checks::SetPods::default()
        } else {
            stockade_checks::SetPods::from_found(
                objects
                    .par_iter()
                    .with_min_len(16)
                    .map(|o| (&**o, stockade_model::pod_specs(o)))
                    .collect::<Vec<_>>(),
            )
        };
        let set_hits: Vec<(usize, Vec<SetHit>, Vec<LoadError>)> = sets
            .into_par_iter()
            .map(|(i, objs)| {
                let check = self.checks[i].0;
                let mut errors = Vec::new();
                let hits = guarded(Some(check.id), None, &mut errors, || {
                    stockade_checks::run_set_check_with(
                        check,
                        &objs,
                        &pods,
                        &inventory,
                        &self.options,
                    )
                })
                .unwrap_or_default()
                .into_iter()
                .filter(|(obj, _)| !self.excluded(check, obj))
                .collect();
                (i, hits, errors)
            })
            .collect();
        for (i, hits, errors) in set_hits {
            out.errors.extend(errors);
            for (obj, mut hit) in hits {
                if let Some(&at) = index.get(&Arc::as_ptr(&obj)) {
                    hit.pos = placed(hit.pos, &obj);
                    retained[at].hits.push((i, hit));
                }
            }
        }
        if let Some(x) = &self.extra {
            let ExtraResult { hits, errors } =
                guarded(None, None, &mut out.errors, || x.check_set(&objects)).unwrap_or_default();
            out.errors.extend(errors);
            for (at, mut hit) in hits {
                if let Some(r) = retained.get_mut(at)
                    && !self.extra_dropped(&hit.check, &r.obj)
                {
                    hit.pos = placed(hit.pos, &r.obj);
                    r.extra.push(hit);
                }
            }
        }
        drop(pods);
        drop(objects);
        drop(wanted);
        retained
    }

    /// Settles kept objects (in input order, all of an input's or none): runs their object
    /// checks, turns their hits into findings and applies their suppressions. Returns their
    /// findings in runs with the rank of their input, in input order and then in line order;
    /// suppression counts go to `out`.
    fn settle_kept(
        &self,
        retained: Vec<Retained>,
        out: &mut FileResult,
    ) -> Vec<(u32, Vec<Finding>)> {
        // Settling builds the findings of most objects (most are kept for some set check);
        // each object is settled, and its tree dropped, on its own, in parallel, and the
        // results are joined in input order.
        let settled: Vec<(u32, FileResult)> = retained
            .into_par_iter()
            .with_min_len(16)
            .map_init(stockade_checks::Emit::default, |scratch, r| {
                // The object checks run now (see `load_and_check`); the set checks' hits
                // follow theirs (in location order already) and are put in place here, among
                // hits, rather than among the findings made of them.
                let mut one = FileResult::default();
                let mut hits = if r.checked {
                    Vec::new()
                } else {
                    let pods = stockade_model::pod_specs(&r.obj);
                    self.object_hits(&r.obj, &pods, scratch, &mut one.errors)
                };
                hits.extend(r.hits);
                let key = |(i, h): &(usize, stockade_checks::Hit)| (h.pos.line, h.pos.col, *i);
                if !hits.is_sorted_by_key(key) {
                    hits.sort_by_key(key);
                }
                self.settle(&r.obj, r.sup, hits, r.extra, true, &mut one);
                one.findings.sort_by(finding_cmp);
                one.findings.shrink_to_fit();
                (r.rank, one)
            })
            .collect();
        // Each object's findings stay in their own vector, so the merge in `scan` frees them
        // object by object instead of holding a second copy of them all.
        let mut findings = Vec::with_capacity(settled.len());
        for (rank, one) in settled {
            out.suppressed += one.suppressed;
            out.errors.extend(one.errors);
            if !one.findings.is_empty() {
                findings.push((rank, one.findings));
            }
        }
        // Objects follow each other in their file, so this holds unless objects of one input
        // share lines; then the findings are sorted here, as everywhere else, one run per input.
        let key = |r: u32, f: &Finding| (r, f.line, f.column);
        let sorted = findings
            .iter()
            .flat_map(|(r, v)| v.iter().map(move |f| key(*r, f)))
            .is_sorted();
        if !sorted {
            let mut all: Vec<(u32, Finding)> = findings
                .into_iter()
                .flat_map(|(r, v)| v.into_iter().map(move |f| (r, f)))
                .collect();
            all.sort_by(|a, b| {
                key(a.0, &a.1)
                    .cmp(&key(b.0, &b.1))
                    .then_with(|| check_id_cmp(&a.1.check, &b.1.check))
            });
            findings = Vec::new();
            for (r, f) in all {
                match findings.last_mut() {
                    Some((last, v)) if *last == r => v.push(f),
                    _ => findings.push((r, vec![f])),
                }
            }
        }
        findings
    }

    /// The selected checks that look across objects; [`Self::scan_objects`] does not run them.
    pub fn set_checks(&self) -> impl Iterator<Item = &'static Check> + '_ {
        self.checks
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| matches!(c.run, Run::Set { .. }))
    }

    /// Runs the extra checks' object part on one object.
    fn extra_object_hits(&self, obj: &Object, errors: &mut Vec<LoadError>) -> Vec<ExtraHit> {
        let Some(x) = &self.extra else {
            return Vec::new();
        };
        if self.excluded_extra(obj) {
            return Vec::new();
        }
        let Some(r) = guarded(None, Some(obj), errors, || x.check_object(obj)) else {
            return Vec::new();
        };
        errors.extend(r.errors);
        r.hits
            .into_iter()
            .map(|(_, h)| ExtraHit {
                pos: placed(h.pos, obj),
                ..h
            })
            .filter(|h| !self.extra_dropped(&h.check, obj))
            .collect()
    }

    /// Whether an exclusion that names no checks covers this object.
    fn excluded_extra(&self, obj: &Object) -> bool {
        self.exclusions
            .iter()
            .any(|x| x.names_none() && self.exclusion_covers(x, obj))
    }

    /// Whether the extra check `id`'s hit on `obj` is dropped: `ignore:` names it, or an
    /// exclusion covering the object names it or no check at all.
    fn extra_dropped(&self, id: &str, obj: &Object) -> bool {
        self.ignored_extra.contains(id)
            || self.exclusions.iter().any(|x| {
                (x.names_none() || x.extra_checks.contains(id)) && self.exclusion_covers(x, obj)
            })
    }

    /// Runs the object checks on `obj` into `emit`, and notes in `runs` which check made each
    /// run of hits. With `GUARDED`, each check runs under its own guard: one that panics is
    /// an error in `errors` and leaves no hits.
    fn run_object_checks<const GUARDED: bool>(
        &self,
        obj: &Object,
        pods: &[stockade_model::PodSpec],
        emit: &mut stockade_checks::Emit,
        runs: &mut Vec<(usize, usize)>,
        errors: &mut Vec<LoadError>,
    ) {
        emit.hits.clear();
        runs.clear();
        for (i, &(check, _)) in self.checks.iter().enumerate() {
            if matches!(check.run, Run::Object(_)) && !self.excluded(check, obj) {
                let before = emit.hits.len();
                let mut one =
                    || stockade_checks::run_check_into(check, obj, pods, &self.options, emit);
                if GUARDED {
                    if guarded(Some(check.id), Some(obj), errors, one).is_none() {
                        emit.hits.truncate(before);
                        continue;
                    }
                } else {
                    one();
                }
                if emit.hits.len() > before {
                    runs.push((i, emit.hits.len() - before));
                }
            }
        }
    }

    /// Runs the object checks on one object.
    fn object_hits(
        &self,
        obj: &Object,
        pods: &[stockade_model::PodSpec],
        scratch: &mut stockade_checks::Emit,
        errors: &mut Vec<LoadError>,
    ) -> Vec<(usize, stockade_checks::Hit)> {
        // One buffer for every check's hits, and which check made each run of them; the
        // buffer is the caller's, reused from object to object. The object's own list grows
        // as a vector grows: made at its exact size, the lists of many sizes left the
        // allocator's pages fragmented (+7% peak memory on 30 copies).
        let emit = scratch;
        let mut runs: Vec<(usize, usize)> = Vec::new();
        // The checks run under one guard; only if one panics do they run again one by one,
        // each under its own, so that the one that failed is named and the others report.
        let all = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.run_object_checks::<false>(obj, pods, emit, &mut runs, errors)
        }));
        if all.is_err() {
            self.run_object_checks::<true>(obj, pods, emit, &mut runs, errors);
        }
        // Handed out in location order: line, column, then check (`self.checks` is in ID
        // order), then as emitted. The findings made from them then need no sort of their own:
        // a finding is a few hundred bytes to move, a key sixteen.
        let mut keys: Vec<(u32, u32, u32, u32)> = Vec::with_capacity(emit.hits.len());
        let mut j = 0;
        for (i, n) in runs {
            for h in &mut emit.hits[j..j + n] {
                h.pos = placed(h.pos, obj);
                keys.push((h.pos.line, h.pos.col, i as u32, j as u32));
                j += 1;
            }
        }
        if !keys.is_sorted() {
            keys.sort_unstable();
        }
        let mut hits = Vec::new();
        for (_, _, i, j) in keys {
            hits.push((i as usize, std::mem::take(&mut emit.hits[j as usize])));
        }
        emit.hits.clear();
        hits
    }

    /// Scans objects already loaded (the admission webhook builds them from the request's JSON
    /// without a second parse). Object checks only: one request is not a set.
    pub fn scan_objects(&self, objects: &[Object]) -> FileResult {
        let mut out = FileResult {
            read: true,
            objects: objects.len(),
            ..FileResult::default()
        };
        // Set checks need the whole input set, which a single request is not: only object
        // checks run here (see `set_checks` for what the caller must report as not evaluated).
        let mut scratch = stockade_checks::Emit::default();
        for obj in objects {
            let pods = pod_specs(obj);
            let hits = self.object_hits(obj, &pods, &mut scratch, &mut out.errors);
            let extra = self.extra_object_hits(obj, &mut out.errors);
            let sup = self.suppressions(obj, &pods);
            self.settle(obj, sup, hits, extra, false, &mut out);
        }
        out.findings.sort_by(finding_cmp);
        out
    }

    /// Asked for every check of every object: inlined, so that without exclusions (most
    /// scans) it costs a length test rather than a call.
    #[inline]
    fn excluded(&self, check: &Check, obj: &Object) -> bool {
        !self.exclusions.is_empty() && self.excluded_by_some(check, obj)
    }

    fn excluded_by_some(&self, check: &Check, obj: &Object) -> bool {
        self.exclusions.iter().any(|x| {
            (x.names_none() || x.checks.contains(check.id)) && self.exclusion_covers(x, obj)
        })
    }

    fn exclusion_covers(&self, x: &CompiledExclusion, obj: &Object) -> bool {
        covers(x, &obj.kind, &obj.name, obj.namespace.as_deref(), &obj.file)
    }

    /// Turns an object's hits into findings: applies its suppression annotations and reports
    /// the ones that are invalid or matched nothing. `with_sets` says whether set checks ran
    /// on this object (only then can their suppressions be judged unused).
    fn suppressions(
        &self,
        obj: &Object,
        pods: &[stockade_model::PodSpec],
    ) -> Vec<suppress::Suppression> {
        if self.strict {
            Vec::new()
        } else {
            suppress::collect(obj, pods)
        }
    }

    fn settle(
        &self,
        obj: &Object,
        mut suppressions: Vec<suppress::Suppression>,
        hits: Vec<(usize, stockade_checks::Hit)>,
        extra: Vec<ExtraHit>,
        with_sets: bool,
        out: &mut FileResult,
    ) {
        let dockerfile = obj.kind == DOCKERFILE_KIND && obj.api_version.is_empty();
        let object = Arc::new(ObjectRef {
            api_version: obj.api_version.clone(),
            kind: obj.kind.clone(),
            namespace: obj.namespace.clone(),
            name: obj.name.clone(),
        });
        let finding =
            |check: &'static Check, severity: Severity, hit: stockade_checks::Hit| Finding {
                check: check.id.into(),
                name: check.name.into(),
                severity,
                message: hit.message,
                file: obj.file.clone(),
                template: obj.source.clone(),
                line: hit.pos.line,
                column: hit.pos.col,
                object: object.clone(),
                container: hit.container,
                path: hit.path,
                remediation: check.remediation.into(),
                aliases: check.aliases,
            };
        // Made room for once: a finding is a few hundred bytes, and each doubling copies them.
        out.findings.reserve(hits.len() + extra.len());
        for (i, hit) in hits {
            let (check, configured) = self.checks[i];
            let severity = match hit.severity {
                Some(own) if !self.overridden.contains(check.id) => own,
                _ => configured,
            };
            let silenced = suppressions.iter_mut().find(|s| {
                !s.reason.is_empty()
                    && (s.check.eq_ignore_ascii_case(check.id) || s.check == check.name)
                    && s.container
                        .as_ref()
                        .is_none_or(|c| Some(c) == hit.container.as_ref())
                    && s.covers(hit.pos.line)
            });
            if let Some(s) = silenced {
                s.used = true;
                out.suppressed += 1;
                continue;
            }
            out.findings.push(finding(check, severity, hit));
        }
        for x in extra {
            let silenced = suppressions
                .iter_mut()
                .find(|s| !s.reason.is_empty() && names_extra(s, &x.check) && s.covers(x.pos.line));
            if let Some(s) = silenced {
                s.used = true;
                out.suppressed += 1;
                continue;
            }
            out.findings.push(Finding {
                check: x.check,
                name: x.name,
                severity: x.severity,
                message: x.message,
                file: obj.file.clone(),
                template: obj.source.clone(),
                line: x.pos.line,
                column: x.pos.col,
                object: object.clone(),
                container: None,
                path: x.path,
                remediation: x.remediation,
                aliases: &[],
            });
        }
        let ran = |c: &Check| {
            self.checks.iter().any(|(r, _)| r.id == c.id)
                && !self.excluded(c, obj)
                && match c.run {
                    Run::Object(_) => !dockerfile,
                    Run::Set { .. } => with_sets && !dockerfile,
                    Run::Dockerfile(_) => dockerfile,
                    // Images have no suppression comments to judge.
                    Run::Image(_) => false,
                    Run::Engine => false,
                }
        };
        for s in suppressions.into_iter().filter(|s| s.judged) {
            // A policy's suppression is judged for its reason only: whether the policy ran
            // on this object (per object or over the set) is the policy set's business.
            let policy = self
                .extra
                .as_ref()
                .and_then(|x| extra_ids(&s).into_iter().find(|id| x.knows(id)));
            if let Some(id) = policy {
                if s.reason.is_empty()
                    && let Some(&(check, severity)) = self
                        .checks
                        .iter()
                        .find(|(c, _)| c.name == "invalid-suppression")
                    && !self.excluded(check, obj)
                {
                    let hit = stockade_checks::Hit {
                        message: format!(
                            "suppression of `{id}` gives no reason; it is not applied"
                        ),
                        pos: s.pos,
                        path: s.path,
                        container: None,
                        severity: None,
                    };
                    out.findings.push(finding(check, severity, hit));
                }
                continue;
            }
            let known = stockade_checks::find(&s.check);
            let meta = if known.is_none() || s.reason.is_empty() {
                "invalid-suppression"
            } else if !s.used && known.is_some_and(ran) {
                "unused-suppression"
            } else {
                continue;
            };
            let Some(&(check, severity)) = self.checks.iter().find(|(c, _)| c.name == meta) else {
                continue;
            };
            if self.excluded(check, obj) {
                continue;
            }
            let message = match (known, s.reason.is_empty()) {
                (None, _) => format!(
                    "suppression names no known check `{}`; it is not applied",
                    s.check
                ),
                (Some(_), true) => format!(
                    "suppression of `{}` gives no reason; it is not applied",
                    s.check
                ),
                _ => match &s.container {
                    Some(c) => format!(
                        "suppression of `{}` for container \"{c}\" matches no finding",
                        s.check
                    ),
                    None => format!("suppression of `{}` matches no finding", s.check),
                },
            };
            let hit = stockade_checks::Hit {
                message,
                pos: s.pos,
                path: s.path,
                container: s.container,
                severity: None,
            };
            out.findings.push(finding(check, severity, hit));
        }
    }
}

/// Whether an exclusion's object part covers an object of this kind, name and namespace in
/// this file.
fn covers(
    x: &CompiledExclusion,
    kind: &str,
    name: &str,
    namespace: Option<&str>,
    file: &str,
) -> bool {
    x.kind.as_ref().is_none_or(|k| k == kind)
        && x.name.as_ref().is_none_or(|g| g.is_match(name))
        && x.namespace
            .as_ref()
            .is_none_or(|g| g.is_match(namespace.unwrap_or("")))
        && x.path.as_ref().is_none_or(|g| g.is_match(Path::new(file)))
}

/// The extra check IDs a suppression may name: the annotation's whole key after the prefix
/// (a policy name may hold dots, which otherwise start a container name), and for a
/// Gatekeeper constraint's `Kind/name` also `Kind.name` (a `/` cannot appear in an annotation
/// key's name part, so manifests applied to a cluster spell it with a dot).
fn extra_ids(s: &suppress::Suppression) -> Vec<String> {
    let whole = match &s.container {
        Some(c) => format!("{}.{c}", s.check),
        None => s.check.clone(),
    };
    let mut ids = vec![whole.clone()];
    if let Some((kind, name)) = whole.split_once('.')
        && !kind.contains('/')
    {
        ids.push(format!("{kind}/{name}"));
    }
    ids
}

fn names_extra(s: &suppress::Suppression, id: &str) -> bool {
    extra_ids(s).iter().any(|x| x == id)
}

/// What a file (then the whole input) keeps for the set checks.
#[derive(Default)]
struct Kept {
    /// The objects some set check wants.
    objects: Vec<Retained>,
    /// Every object's identity.
    inventory: Vec<ObjectId>,
}
/// The `kind` of the object a built image becomes in findings.
pub const IMAGE_KIND: &str = "Image";

/// The `kind` of the object a Dockerfile becomes in findings.
pub const DOCKERFILE_KIND: &str = "Dockerfile";

/// A set check's hit on one of the objects it was given.
type SetHit = (Arc<Object>, stockade_checks::Hit);

/// Kept objects in batches for [`Engine::settle_kept`]: a few hundred at a time, never
/// splitting an input's objects between two batches.
struct SettleBatches {
    rest: std::iter::Peekable<std::vec::IntoIter<Retained>>,
    /// Objects in the next batch.
    size: usize,
}

impl SettleBatches {
    /// Objects settled at a time: enough for every core, few enough that their findings are
    /// a small part of a large scan's.
    const SIZE: usize = 512;
    /// Objects in the first batch. Nothing is written while it settles (no input before it
    /// has findings ready), so it is small, and the batches double from it to [`Self::SIZE`]:
    /// writing then starts early and overlaps the settling of the rest.
    const FIRST: usize = 64;
}

impl Iterator for SettleBatches {
    type Item = Vec<Retained>;

    fn next(&mut self) -> Option<Vec<Retained>> {
        let first = self.rest.next()?;
        let size = self.size;
        self.size = (size * 2).min(Self::SIZE);
        let mut batch = Vec::with_capacity(size);
        let mut rank = first.rank;
        batch.push(first);
        while let Some(r) = self.rest.next_if(|r| batch.len() < size || r.rank == rank) {
            rank = r.rank;
            batch.push(r);
        }
        Some(batch)
    }
}

/// An object kept for set checks.
struct Retained {
    /// The place of the object's input among the scan's inputs.
    rank: u32,
    obj: Arc<Object>,
    /// Its object checks' hits when `checked`, then the set checks' hits on it.
    hits: Vec<(usize, stockade_checks::Hit)>,
    /// Whether its object checks ran when it was read (its tree is then only its metadata);
    /// otherwise they run when it is settled.
    checked: bool,
    extra: Vec<ExtraHit>,
    /// Indexes (into the engine's checks) of the set checks that want the object.
    wanted_by: Vec<u16>,
    /// Its suppression annotations, read while its pod specs were at hand.
    sup: Vec<suppress::Suppression>,
}

/// Where a hit on `obj` is reported: a check given no position (the null node of a missing
/// field, such as `metadata` absent from the document) reports at the object's own line, the
/// nearest enclosing object. Objects with no line of their own (built images) keep none.
fn placed(pos: stockade_model::Pos, obj: &Object) -> stockade_model::Pos {
    if pos.line == 0 { obj.root.pos } else { pos }
}

/// Runs `f`, the catalog check `check` (the custom policies when `None`) on one object or
/// set. A panic there is a bug in Stockade on input nobody foresaw; it becomes an error naming
/// the check (also in [`LoadError::check`], whose mode the webhook applies) and the object
/// (`at`; the whole input set when `None`), so that the scan goes on: the object's other checks
/// and every other object are still reported, and the exit code says the scan is incomplete.
/// The panic's own message and location are printed on standard error as they happen.
fn guarded<T>(
    check: Option<&'static str>,
    at: Option<&Object>,
    errors: &mut Vec<LoadError>,
    f: impl FnOnce() -> T,
) -> Option<T> {
    let payload = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(t) => return Some(t),
        Err(payload) => payload,
    };
    let cause = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into());
    let (what, place) = match (check, at) {
        (Some(id), Some(_)) => (format!("check {id}"), "this object"),
        (Some(id), None) => (format!("check {id}"), "the input set"),
        (None, Some(_)) => ("a custom policy".to_string(), "this object"),
        (None, None) => ("the custom policies".to_string(), "the input set"),
    };
    let message = format!(
        "{what} failed on {place} ({cause}): a bug in Stockade, please report it with the \
         manifest; the other checks ran"
    );
    let error = match at {
        Some(obj) => LoadError {
            file: obj.file.clone(),
            line: obj.root.pos.line,
            column: obj.root.pos.col,
            level: Level::Error,
            message,
            check: None,
        },
        None => LoadError::whole_file("", message),
    };
    errors.push(LoadError {
        check: check.map(Into::into),
        ..error
    });
    None
}

/// Counts `run` in the summary, in all and by severity.
fn count_findings(summary: &mut Summary, run: &[Finding]) {
    summary.findings += run.len();
    for f in run {
        *summary.by_severity.entry(f.severity).or_default() += 1;
    }
}

/// Appends one input's findings to `out`: `own`, those of its objects settled as they were
/// loaded, and `runs`, those of its kept objects (one run per object), each in line order.
/// A kept object's findings usually sit between two of `own` (objects do not share lines), and
/// then its run is moved whole between the pieces of `own` around it, so only `own` is copied.
/// Otherwise the two are merged one finding at a time: a set finding goes before an own one
/// when its line, column and check ID (by [`check_id_cmp`], as every sort of findings) are
/// smaller.
fn merge_input(own: Vec<Finding>, runs: Vec<Vec<Finding>>, out: &mut impl FnMut(Vec<Finding>)) {
    let at = |f: &Finding| (f.line, f.column);
    // For each run, how many of `own` go before it; valid when no finding of `own` sits on a
    // line and column within the run's first and last.
    let mut cuts = Vec::with_capacity(runs.len());
    let mut from = 0;
    let apart = runs.iter().all(|run| {
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            cuts.push(from);
            return true;
        };
        from += own[from..].partition_point(|f| at(f) < at(first));
        cuts.push(from);
        own.get(from).is_none_or(|f| at(f) > at(last))
    });
    if apart {
        let len = own.len();
        let mut own = own.into_iter();
        let mut taken = 0;
        for (run, cut) in runs.into_iter().zip(cuts) {
            if cut == len && taken < len {
                // All the rest goes before this run: moved whole, keeping its allocation
                // when nothing was taken from the front.
                out(std::mem::take(&mut own).collect());
                taken = len;
            } else if cut > taken {
                out(own.by_ref().take(cut - taken).collect());
                taken = cut;
            }
            out(run);
        }
        out(own.collect());
        return;
    }
    let mut set = runs.into_iter().flatten().peekable();
    let mut merged = Vec::with_capacity(own.len() + set.size_hint().0);
    for f in own {
        while let Some(e) = set.next_if(|e| finding_cmp(e, &f).is_lt()) {
            merged.push(e);
        }
        merged.push(f);
    }
    merged.extend(set);
    out(merged);
}

/// Orders findings by `rank` (the file's place in the input), then line, column and check.
/// A finding is a few hundred bytes: small keys are sorted and each finding moved once.
fn order_findings(findings: &mut Vec<Finding>, rank: impl Fn(&Finding) -> usize) {
    if findings.is_sorted_by(|a, b| {
        let (ka, kb) = (finding_key(a, &rank), finding_key(b, &rank));
        (ka.0, ka.1, ka.2)
            .cmp(&(kb.0, kb.1, kb.2))
            .then_with(|| check_id_cmp(ka.3, kb.3))
            .is_le()
    }) {
        return;
    }
    // Checks are ranked once (IDs compare by number, which is slow to do per comparison), so
    // the keys sort as plain integers.
    let distinct: HashSet<&str> = findings.iter().map(|f| &*f.check).collect();
    let mut ids: Vec<&str> = distinct.into_iter().collect();
    ids.sort_unstable_by(|a, b| check_id_cmp(a, b));
    let check_rank: HashMap<&str, u32> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i as u32))
        .collect();
    let mut keys: Vec<(usize, u32, u32, u32, u32)> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| (rank(f), f.line, f.column, check_rank[&*f.check], i as u32))
        .collect();
    keys.sort_unstable();
    let mut slots: Vec<Option<Finding>> = findings.drain(..).map(Some).collect();
    findings.extend(keys.iter().filter_map(|k| slots[k.4 as usize].take()));
}

/// The order of findings in one input: line, column, then check ID by [`check_id_cmp`].
fn finding_cmp(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    (a.line, a.column)
        .cmp(&(b.line, b.column))
        .then_with(|| check_id_cmp(&a.check, &b.check))
}

fn finding_key(f: &Finding, rank: impl Fn(&Finding) -> usize) -> (usize, u32, u32, &str) {
    (rank(f), f.line, f.column, &f.check)
}

/// Orders one file's findings by line, column and check.
fn sort_findings(findings: &mut Vec<Finding>) {
    order_findings(findings, |_| 0);
}

/// What one file produced.
#[derive(Debug, Default)]
pub struct FileResult {
    /// Whether the file was read.
    pub read: bool,
    /// Objects loaded.
    pub objects: usize,
    /// Findings.
    pub findings: Vec<Finding>,
    /// Load problems.
    pub errors: Vec<LoadError>,
    /// Findings silenced by annotations.
    pub suppressed: usize,
}

/// One container's image reference, located: the findings about the image itself (the image
/// checks and vulnerabilities of `stockade scan --images`, the signature policy of
/// `--verify-images`) are reported here, at the container's `image:` line.
#[derive(Debug, Clone)]
pub struct ImageUse {
    /// The reference as written.
    pub image: String,
    /// The location every finding here starts from (check fields empty).
    at: Finding,
    /// The suppression annotations of the object (empty with `--strict`).
    suppressions: Arc<Vec<suppress::Suppression>>,
}

/// A finding about an image, before it is placed at the containers that use the image.
#[derive(Debug, Clone)]
pub struct ImageHit {
    /// The catalog check's ID.
    pub check: &'static str,
    /// What is wrong.
    pub message: String,
    /// A severity for this hit only (a vulnerability's); configured overrides still win.
    pub severity: Option<Severity>,
}

impl ImageUse {
    /// An error about the image (it cannot be pulled), at the container's `image:` line.
    pub fn error(&self, message: String) -> LoadError {
        LoadError {
            file: self.at.file.clone(),
            line: self.at.line,
            column: self.at.column,
            level: Level::Error,
            message,
            check: None,
        }
    }
}

impl ScanResult {
    /// Sorts the findings by the input they are in (as `inputs` lists them), then line,
    /// column and check, and counts them again: for findings added after [`Engine::scan`].
    pub fn sort_by_inputs(&mut self, inputs: &[Input]) {
        let order: std::collections::HashMap<String, usize> = inputs
            .iter()
            .enumerate()
            .map(|(i, input)| (input.name(), i))
            .collect();
        let mut all = std::mem::take(&mut self.findings).into_vec();
        order_findings(&mut all, |f| {
            order.get(&*f.file).copied().unwrap_or(usize::MAX)
        });
        self.findings = all.into();
        self.summary.findings = self.findings.len();
        self.summary.by_severity.clear();
        for f in &self.findings {
            *self.summary.by_severity.entry(f.severity).or_default() += 1;
        }
    }
}

impl Engine {
    /// Every container image reference in `inputs` (regular, init and ephemeral containers of
    /// every pod spec), with its location and the object's suppression annotations.
    /// Dockerfiles and inputs that do not load are skipped ([`Engine::scan`] reports them).
    /// In input order.
    pub fn image_uses(&self, inputs: &[Input]) -> Vec<ImageUse> {
        if self.dockerfiles_only {
            return Vec::new();
        }
        inputs
            .par_iter()
            .flat_map_iter(|input| {
                let (name, bytes): (String, Option<Arc<[u8]>>) = match input {
                    Input::Bytes(n, b) => (n.to_string(), Some(b.clone())),
                    Input::File(p) if crate::inputs::is_dockerfile(p) => (String::new(), None),
                    Input::File(p) => (
                        p.display().to_string(),
                        std::fs::metadata(p)
                            .ok()
                            .filter(|m| m.len() <= self.max_file_size)
                            .and_then(|_| std::fs::read(p).ok())
                            .map(Arc::from),
                    ),
                };
                let mut uses = Vec::new();
                let Some(bytes) = bytes else {
                    return uses;
                };
                for obj in stockade_model::load(&name, &bytes).objects {
                    let object = Arc::new(ObjectRef {
                        api_version: obj.api_version.clone(),
                        kind: obj.kind.clone(),
                        namespace: obj.namespace.clone(),
                        name: obj.name.clone(),
                    });
                    let pods = pod_specs(&obj);
                    let suppressions = Arc::new(self.suppressions(&obj, &pods));
                    for spec in &pods {
                        for c in &spec.containers {
                            let Some(node) = c.node.get("image") else {
                                continue;
                            };
                            let Some(image) = node.as_str().filter(|s| !s.trim().is_empty()) else {
                                continue;
                            };
                            uses.push(ImageUse {
                                image: image.trim().to_string(),
                                at: Finding {
                                    check: "".into(),
                                    name: "".into(),
                                    severity: Severity::Info,
                                    message: String::new(),
                                    file: obj.file.clone(),
                                    template: obj.source.clone(),
                                    line: node.pos.line,
                                    column: node.pos.col,
                                    object: object.clone(),
                                    container: Some(c.name.to_string()),
                                    path: format!("{}.image", c.path),
                                    remediation: "".into(),
                                    aliases: &[],
                                },
                                suppressions: suppressions.clone(),
                            });
                        }
                    }
                }
                uses
            })
            .collect()
    }

    /// Whether check `id` is selected and no exclusion covers the object of `at` for it:
    /// whether a finding of it there would be reported.
    pub fn reports_on(&self, at: &ImageUse, id: &str) -> bool {
        self.checks
            .iter()
            .any(|(c, _)| c.id == id && !self.excluded_at(c, at))
    }

    fn excluded_at(&self, check: &Check, at: &ImageUse) -> bool {
        let object = &at.at.object;
        self.exclusions.iter().any(|x| {
            (x.checks.is_empty() || x.checks.contains(check.id))
                && covers(
                    x,
                    &object.kind,
                    &object.name,
                    object.namespace.as_deref(),
                    &at.at.file,
                )
        })
    }

    /// Runs the selected image checks on one image's facts. Each hit's message ends with
    /// where in the image it is (`[/usr/bin/curl]`, `[config.User]`).
    pub fn image_check_hits(&self, facts: &stockade_model::ImageFacts, now: i64) -> Vec<ImageHit> {
        let mut out = Vec::new();
        for &(check, _) in &self.checks {
            if matches!(check.run, Run::Image(_)) {
                for h in stockade_checks::run_image_check(check, facts, &self.options, now) {
                    out.push(ImageHit {
                        check: check.id,
                        message: format!("{} [{}]", h.message, h.path),
                        severity: h.severity,
                    });
                }
            }
        }
        out
    }

    /// Reports `hits` about the image of `at` at its container's `image:` line, each message
    /// prefixed with `prefix`, as any manifest finding: only selected checks, exclusions
    /// matched against the manifest object, severity overrides, and the object's suppression
    /// annotations (`ignore.stockade.dev/<check>[.<container>]`) unless `--strict`. Call
    /// [`ScanResult::sort_by_inputs`] once all are added.
    pub fn report_at_image(
        &self,
        at: &ImageUse,
        prefix: &str,
        hits: &[ImageHit],
        result: &mut ScanResult,
    ) {
        for h in hits {
            let Some(&(check, configured)) = self.checks.iter().find(|(c, _)| c.id == h.check)
            else {
                continue;
            };
            if self.excluded_at(check, at) {
                continue;
            }
            let silenced = at.suppressions.iter().any(|s| {
                !s.reason.is_empty()
                    && (s.check.eq_ignore_ascii_case(check.id) || s.check == check.name)
                    && s.container
                        .as_ref()
                        .is_none_or(|c| Some(c) == at.at.container.as_ref())
            });
            if silenced {
                result.summary.suppressed += 1;
                continue;
            }
            let severity = match h.severity {
                Some(own) if !self.overridden.contains(check.id) => own,
                _ => configured,
            };
            result.findings.push(Finding {
                check: check.id.into(),
                name: check.name.into(),
                severity,
                message: format!("{prefix}{}", h.message),
                remediation: check.remediation.into(),
                aliases: check.aliases,
                ..at.at.clone()
            });
        }
    }
}

#[cfg(test)]
mod merge_tests {
    use std::sync::Arc;

    use stockade_model::{Finding, Findings, ObjectRef, Severity, check_id_cmp};

    use super::{finding_cmp, merge_input};

    fn f(line: u32, column: u32, check: &'static str) -> Finding {
        Finding {
            check: check.into(),
            name: "n".into(),
            severity: Severity::Low,
            message: String::new(),
            file: Arc::from("f.yaml"),
            template: None,
            line,
            column,
            object: Arc::new(ObjectRef {
                api_version: "v1".into(),
                kind: "Pod".into(),
                namespace: None,
                name: "p".into(),
            }),
            container: None,
            path: String::new(),
            remediation: "".into(),
            aliases: &[],
        }
    }

    /// The one-finding-at-a-time merge that every case must equal.
    fn one_by_one(own: &[Finding], runs: &[Vec<Finding>]) -> Vec<(u32, u32, String)> {
        let mut set = runs.iter().flatten().peekable();
        let mut out = Vec::new();
        for o in own {
            while let Some(e) = set.next_if(|e| {
                (e.line, e.column)
                    .cmp(&(o.line, o.column))
                    .then_with(|| check_id_cmp(&e.check, &o.check))
                    .is_lt()
            }) {
                out.push(e);
            }
            out.push(o);
        }
        out.extend(set);
        out.iter()
            .map(|x| (x.line, x.column, x.check.to_string()))
            .collect()
    }

    #[test]
    fn moved_runs_and_merged_findings_give_the_same_order() {
        let cases: Vec<(Vec<Finding>, Vec<Vec<Finding>>)> = vec![
            // Kept objects between settled ones, and after them.
            (
                vec![
                    f(1, 1, "STK1"),
                    f(2, 3, "STK2"),
                    f(10, 1, "STK1"),
                    f(11, 1, "STK1"),
                ],
                vec![
                    vec![f(5, 1, "STK3"), f(6, 2, "STK1")],
                    vec![f(12, 1, "STK1")],
                ],
            ),
            // Only kept objects.
            (
                Vec::new(),
                vec![vec![f(1, 1, "STK1")], vec![f(2, 1, "STK1")]],
            ),
            // All kept objects before, or after, the settled ones.
            (
                vec![f(5, 1, "STK1")],
                vec![vec![f(1, 1, "STK1"), f(2, 1, "STK9")]],
            ),
            (vec![f(1, 1, "STK1")], vec![vec![f(5, 1, "STK1")]]),
            // A settled finding inside a kept object's lines: merged one by one.
            (
                vec![f(1, 1, "STK1"), f(5, 1, "STK1"), f(9, 1, "STK1")],
                vec![vec![f(3, 1, "STK1"), f(7, 1, "STK1")]],
            ),
            // The same line and column: the check IDs decide, by number as in every sort of
            // findings ("STK2" before "STK10"; as text it would be the other way round).
            (vec![f(5, 1, "STK2")], vec![vec![f(5, 1, "STK10")]]),
            (vec![f(5, 1, "STK10")], vec![vec![f(5, 1, "STK2")]]),
            (
                vec![f(5, 1, "K8sRequiredLabels"), f(5, 1, "STK100")],
                vec![vec![f(5, 1, "K8sAllowedRepos"), f(5, 1, "STK20")]],
            ),
            (
                vec![f(4, 1, "STK1"), f(8, 1, "STK1")],
                vec![vec![f(4, 1, "STK1")]],
            ),
        ];
        for (own, runs) in cases {
            let want = one_by_one(&own, &runs);
            let mut out = Findings::new();
            out.push(f(0, 0, "before"));
            merge_input(own, runs, &mut |run| out.push_run(run));
            let got: Vec<(u32, u32, String)> = out
                .iter()
                .skip(1)
                .map(|x| (x.line, x.column, x.check.to_string()))
                .collect();
            assert_eq!(got, want);
            assert_eq!(out.len(), want.len() + 1);
            // In the order every per-file and per-object sort gives.
            assert!(
                out.iter()
                    .skip(1)
                    .is_sorted_by(|a, b| finding_cmp(a, b).is_le()),
                "{got:?}"
            );
        }
    }
}

#[cfg(test)]
mod guard_tests {
    use stockade_checks::{Category, Check, Context, Emit, Run, SetContext, SetEmit};
    use stockade_model::{Level, Object, Severity};

    use crate::{Config, Engine, Input};

    fn boom(ctx: &Context, _: &mut Emit) {
        assert!(ctx.object.name != "boom", "the check went boom");
    }

    fn boom_set(_: &SetContext, _: &mut SetEmit) {
        panic!("the set check went boom");
    }

    fn every(_: &Object, _: &[stockade_model::PodSpec<'_>]) -> bool {
        true
    }

    const fn check(id: &'static str, run: Run) -> Check {
        Check {
            id,
            name: "boom",
            category: Category::Correctness,
            severity: Severity::High,
            default_on: true,
            summary: "",
            remediation: "",
            references: &[],
            aliases: &[],
            run,
        }
    }

    static BOOM: Check = check("STK998", Run::Object(boom));
    static BOOM_SET: Check = check(
        "STK999",
        Run::Set {
            wants: every,
            run: boom_set,
            metadata_only: None,
        },
    );

    /// A built-in check that panics on one object, and a set check that panics, are errors
    /// naming them: the object's other checks, the other objects and the other set checks
    /// still report exactly what they report without them.
    #[test]
    fn a_check_that_panics_is_an_error_naming_it_and_the_rest_reports() {
        let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: boom
spec:
  hostNetwork: true
  containers:
    - name: a
      image: nginx:latest
---
apiVersion: v1
kind: Pod
metadata:
  name: fine
spec:
  hostPID: true
  containers:
    - name: b
      image: nginx:latest
";
        let inputs = [Input::Bytes("p.yaml".into(), text.as_bytes().into())];
        // No set check of the catalog: only the one that panics (if any) keeps objects.
        let config = Config {
            select: Some(vec!["host-access".into()]),
            ..Config::default()
        };
        let quiet = Engine::new(&config, false).unwrap().scan(&inputs);
        // One on each pod: `boom`'s own checks report beside the one that panics on it.
        let names: Vec<&str> = quiet.findings.iter().map(|f| &*f.object.name).collect();
        assert_eq!(names, ["boom", "fine"]);
        // Without the set check the objects are checked as they are read; with it they are
        // kept and checked after the set phase.
        for with_set in [false, true] {
            let mut panicky = Engine::new(&config, false).unwrap();
            panicky.checks.push((&BOOM, Severity::High));
            if with_set {
                panicky.checks.push((&BOOM_SET, Severity::High));
            }
            let result = panicky.scan(&inputs);
            assert_eq!(result.findings, quiet.findings);
            let errors: Vec<(&str, u32, &str)> = result
                .errors
                .iter()
                .filter(|e| e.level == Level::Error)
                .map(|e| (&*e.file, e.line, e.message.as_str()))
                .collect();
            let by = |start: &str| errors.iter().filter(|e| e.2.starts_with(start)).count();
            assert_eq!(
                by("check STK998 failed on this object (the check went boom): a bug in Stockade"),
                1,
                "{errors:?}"
            );
            assert!(errors.iter().any(|e| e.0 == "p.yaml" && e.1 == 1));
            let set = by("check STK999 failed on the input set (the set check went boom)");
            assert_eq!(set, usize::from(with_set), "{errors:?}");
            assert_eq!(errors.len(), 1 + set, "{errors:?}");
            assert_eq!(result.summary.errors, 1 + set);
            // Each error names the check that failed (the webhook applies its mode).
            let checks: Vec<Option<&str>> =
                result.errors.iter().map(|e| e.check.as_deref()).collect();
            let want = if with_set {
                vec![Some("STK998"), Some("STK999")]
            } else {
                vec![Some("STK998")]
            };
            let mut got = checks.clone();
            got.sort();
            assert_eq!(got, want, "{checks:?}");
        }
    }
}
