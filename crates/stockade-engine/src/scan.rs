//! Running the selected checks over inputs in parallel.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use globset::{Glob, GlobMatcher};
use rayon::prelude::*;
use stockade_checks::{Category, Check, Options, Run};
use stockade_model::{Finding, Level, LoadError, Object, ObjectRef, Severity, Summary, pod_specs};

use crate::config::{Config, Exclusion};
use crate::extra::{ExtraChecks, ExtraHit, ExtraResult};
use crate::inputs::Input;
use crate::suppress;

/// Files larger than this are refused by default (`--max-file-size`).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

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
    /// Lowest severity that fails the scan.
    pub fail_on: Severity,
    /// Checks from outside the catalog (custom policies).
    extra: Option<Arc<dyn ExtraChecks>>,
}

/// The result of a scan.
#[derive(Debug, Default)]
pub struct ScanResult {
    /// Findings, ordered by input, line, column and check.
    pub findings: Vec<Finding>,
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
        for k in &config.ignore {
            ignored.extend(resolve(k)?.into_iter().map(|c| c.id));
        }
        selected.retain(|c| !ignored.contains(c.id));
        selected.sort_by_key(|c| c.id);
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
            for k in ex_checks {
                ids.extend(resolve(k)?.into_iter().map(|c| c.id));
            }
            exclusions.push(CompiledExclusion {
                namespace: glob(namespace)?,
                kind: kind.clone(),
                name: glob(name)?,
                path: glob(path)?,
                checks: ids,
            });
        }
        Ok(Engine {
            checks,
            options: config.options.clone(),
            exclusions,
            strict,
            overridden,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            fail_on: config.fail_on.unwrap_or(Severity::High),
            extra: None,
        })
    }

    /// Adds checks from outside the catalog (custom policies). Their hits become findings
    /// like the catalog's, subject to the exclusions that name no checks; suppression
    /// annotations name catalog checks only and do not apply to them.
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
        let per_file: Vec<(FileResult, Vec<Retained>)> =
            inputs.par_iter().map(|i| self.scan_input(i)).collect();
        let mut result = ScanResult::default();
        // Exact sizes up front: growing by doubling would briefly hold the old and the new
        // buffer, which on a large scan is most of the peak memory.
        result
            .findings
            .reserve_exact(per_file.iter().map(|(f, _)| f.findings.len()).sum());
        result
            .errors
            .reserve_exact(per_file.iter().map(|(f, _)| f.errors.len()).sum());
        let mut retained = Vec::new();
        let mut order = std::collections::HashMap::new();
        for (i, (f, r)) in per_file.into_iter().enumerate() {
            if let Some(first) = inputs.get(i) {
                order.entry(first.name()).or_insert(i);
            }
            result.summary.files += usize::from(f.read);
            result.summary.objects += f.objects;
            result.summary.suppressed += f.suppressed;
            result.findings.extend(f.findings);
            result.errors.extend(f.errors);
            retained.extend(r);
        }
        let mut set = FileResult::default();
        self.finish_set(retained, &mut set);
        result.summary.suppressed += set.suppressed;
        if !set.findings.is_empty() {
            result.findings.extend(set.findings);
            let rank = |f: &Finding| order.get(&*f.file).copied().unwrap_or(usize::MAX);
            result.findings.sort_by(|a, b| {
                (rank(a), a.line, a.column, &a.check).cmp(&(rank(b), b.line, b.column, &b.check))
            });
        }
        result.summary.findings = result.findings.len();
        for f in &result.findings {
            *result.summary.by_severity.entry(f.severity).or_default() += 1;
        }
        result.summary.errors = result
            .errors
            .iter()
            .filter(|e| e.level == Level::Error)
            .count();
        result.summary.warnings = result.errors.len() - result.summary.errors;
        result
    }

    fn scan_input(&self, input: &Input) -> (FileResult, Vec<Retained>) {
        match input {
            Input::Bytes(name, bytes) => self.load_and_check(name, bytes),
            Input::File(path) => {
                let name = path.display().to_string();
                let error = |message: String| {
                    let e = LoadError {
                        file: name.as_str().into(),
                        line: 0,
                        column: 0,
                        level: Level::Error,
                        message,
                    };
                    (
                        FileResult {
                            errors: vec![e],
                            ..FileResult::default()
                        },
                        Vec::new(),
                    )
                };
                match std::fs::metadata(path) {
                    Ok(m) if m.len() > self.max_file_size => {
                        return error(format!(
                            "file is {} MB, over the {} MB limit (raise it with --max-file-size)",
                            m.len() / 1_000_000,
                            self.max_file_size / 1_000_000
                        ));
                    }
                    Err(e) => return error(format!("cannot read: {e}")),
                    Ok(_) => {}
                }
                match std::fs::read(path) {
                    Ok(bytes) => self.load_and_check(&name, &bytes),
                    Err(e) => error(format!("cannot read: {e}")),
                }
            }
        }
    }

    /// Scans one file's bytes as a set of its own (set checks see only this file).
    pub fn scan_bytes(&self, name: &str, bytes: &[u8]) -> FileResult {
        let (mut out, retained) = self.load_and_check(name, bytes);
        self.finish_set(retained, &mut out);
        sort_findings(&mut out.findings);
        out
    }

    /// Loads a file and runs the object checks. Objects a set check wants are kept, with
    /// their object-check hits, for [`Self::finish_set`], which then applies their suppressions.
    fn load_and_check(&self, name: &str, bytes: &[u8]) -> (FileResult, Vec<Retained>) {
        let loaded = stockade_model::load(name, bytes);
        let mut out = FileResult {
            read: true,
            objects: loaded.objects.len(),
            errors: loaded.errors,
            ..FileResult::default()
        };
        let mut retained = Vec::new();
        for obj in loaded.objects {
            let pods = pod_specs(&obj);
            let hits = self.object_hits(&obj, &pods);
            let extra = self.extra_object_hits(&obj, &mut out.errors);
            let wanted = self.checks.iter().any(|(c, _)| match c.run {
                Run::Set { wants, .. } => wants(&obj),
                _ => false,
            }) || self.extra.as_ref().is_some_and(|x| x.wants(&obj));
            if wanted {
                drop(pods);
                retained.push(Retained {
                    obj: Arc::new(obj),
                    hits,
                    extra,
                });
            } else {
                self.settle(&obj, &pods, hits, extra, false, &mut out);
            }
        }
        sort_findings(&mut out.findings);
        (out, retained)
    }

    /// Runs the set checks over the kept objects, then settles each kept object's hits.
    fn finish_set(&self, mut retained: Vec<Retained>, out: &mut FileResult) {
        if retained.is_empty() {
            return;
        }
        let objects: Vec<Arc<Object>> = retained.iter().map(|r| r.obj.clone()).collect();
        let index: std::collections::HashMap<*const Object, usize> = objects
            .iter()
            .enumerate()
            .map(|(i, o)| (Arc::as_ptr(o), i))
            .collect();
        for (i, &(check, _)) in self.checks.iter().enumerate() {
            if !matches!(check.run, Run::Set { .. }) {
                continue;
            }
            for (obj, hit) in stockade_checks::run_set_check(check, &objects, &self.options) {
                if let Some(&at) = index.get(&Arc::as_ptr(&obj))
                    && !self.excluded(check, &obj)
                {
                    retained[at].hits.push((i, hit));
                }
            }
        }
        if let Some(x) = &self.extra {
            let ExtraResult { hits, errors } = x.check_set(&objects);
            out.errors.extend(errors);
            for (at, hit) in hits {
                if let Some(r) = retained.get_mut(at)
                    && !self.excluded_extra(&r.obj)
                {
                    r.extra.push(hit);
                }
            }
        }
        drop(objects);
        for r in retained {
            let pods = pod_specs(&r.obj);
            self.settle(&r.obj, &pods, r.hits, r.extra, true, out);
        }
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
        let r = x.check_object(obj);
        errors.extend(r.errors);
        r.hits.into_iter().map(|(_, h)| h).collect()
    }

    /// Whether an exclusion that names no checks covers this object.
    fn excluded_extra(&self, obj: &Object) -> bool {
        self.exclusions
            .iter()
            .any(|x| x.checks.is_empty() && self.exclusion_covers(x, obj))
    }

    /// Runs the object checks on one object.
    fn object_hits(
        &self,
        obj: &Object,
        pods: &[stockade_model::PodSpec],
    ) -> Vec<(usize, stockade_checks::Hit)> {
        let mut hits = Vec::new();
        for (i, &(check, _)) in self.checks.iter().enumerate() {
            if matches!(check.run, Run::Object(_)) && !self.excluded(check, obj) {
                hits.extend(
                    stockade_checks::run_check(check, obj, pods, &self.options)
                        .into_iter()
                        .map(|h| (i, h)),
                );
            }
        }
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
        for obj in objects {
            let pods = pod_specs(obj);
            let hits = self.object_hits(obj, &pods);
            let extra = self.extra_object_hits(obj, &mut out.errors);
            self.settle(obj, &pods, hits, extra, false, &mut out);
        }
        out.findings
            .sort_by(|a, b| (a.line, a.column, &a.check).cmp(&(b.line, b.column, &b.check)));
        out
    }

    fn excluded(&self, check: &Check, obj: &Object) -> bool {
        self.exclusions.iter().any(|x| {
            (x.checks.is_empty() || x.checks.contains(check.id)) && self.exclusion_covers(x, obj)
        })
    }

    fn exclusion_covers(&self, x: &CompiledExclusion, obj: &Object) -> bool {
        x.kind.as_ref().is_none_or(|k| *k == obj.kind)
            && x.name.as_ref().is_none_or(|g| g.is_match(&obj.name))
            && x.namespace
                .as_ref()
                .is_none_or(|g| g.is_match(obj.namespace.as_deref().unwrap_or("")))
            && x.path
                .as_ref()
                .is_none_or(|g| g.is_match(Path::new(&*obj.file)))
    }

    /// Turns an object's hits into findings: applies its suppression annotations and reports
    /// the ones that are invalid or matched nothing. `with_sets` says whether set checks ran
    /// on this object (only then can their suppressions be judged unused).
    fn settle(
        &self,
        obj: &Object,
        pods: &[stockade_model::PodSpec],
        hits: Vec<(usize, stockade_checks::Hit)>,
        extra: Vec<ExtraHit>,
        with_sets: bool,
        out: &mut FileResult,
    ) {
        let mut suppressions = if self.strict {
            Vec::new()
        } else {
            suppress::collect(obj, pods)
        };
        let object = ObjectRef {
            api_version: obj.api_version.clone(),
            kind: obj.kind.clone(),
            namespace: obj.namespace.clone(),
            name: obj.name.clone(),
        };
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
            });
            if let Some(s) = silenced {
                s.used = true;
                out.suppressed += 1;
                continue;
            }
            out.findings.push(finding(check, severity, hit));
        }
        for x in extra {
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
                    Run::Object(_) => true,
                    Run::Set { .. } => with_sets,
                    Run::Engine => false,
                }
        };
        for s in suppressions {
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

/// An object kept for set checks, with the hits object checks already found on it.
struct Retained {
    obj: Arc<Object>,
    hits: Vec<(usize, stockade_checks::Hit)>,
    extra: Vec<ExtraHit>,
}

fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.check).cmp(&(&b.file, b.line, b.column, &b.check))
    });
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
