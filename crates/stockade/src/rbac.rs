//! `stockade rbac ...`: argument parsing and input loading; the analysis lives in
//! stockade-rbac.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use stockade_model::{Level, LoadError, Object};
use stockade_rbac::render::{self, Format};
use stockade_rbac::{Goal, Policy, Principal, Request};

use crate::print_out;

#[derive(Debug, Args)]
pub struct RbacArgs {
    #[command(subcommand)]
    pub command: RbacCommand,
}

#[derive(Debug, Args)]
pub struct Common {
    /// Manifests or `kubectl get ... -o json` dumps (directories recursively); `-` reads
    /// standard input. Default: the current directory.
    #[arg(global = true)]
    pub paths: Vec<PathBuf>,
    /// text or json (paths also dot).
    #[arg(long, global = true, default_value = "text")]
    pub format: String,
}

#[derive(Debug, Subcommand)]
pub enum RbacCommand {
    /// Every subject allowed a request, with the binding, role and rule that allow it.
    WhoCan {
        /// The verb (get, list, create, impersonate ...).
        verb: String,
        /// RESOURCE[.GROUP][/SUBRESOURCE] (`secrets`, `deployments.apps/scale`,
        /// `pods/exec`), or a non-resource URL (`/metrics`).
        resource: String,
        /// The namespace; without it only cluster-wide grants count.
        #[arg(short, long)]
        namespace: Option<String>,
        /// The object name (rules with resourceNames only match named requests).
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// The effective permissions of a subject, merged per namespace.
    Can {
        /// `system:serviceaccount:NS:NAME`, `user:NAME` or `group:NAME`.
        subject: String,
        #[command(flatten)]
        common: Common,
    },
    /// Risky permissions per subject, with severity and explanation.
    Risks {
        #[command(flatten)]
        common: Common,
    },
    /// Privilege-escalation paths, shortest first.
    Paths {
        /// `cluster-admin`, or a subject as for `can`.
        #[arg(long, default_value = "cluster-admin")]
        to: String,
        #[command(flatten)]
        common: Common,
    },
}

fn load(paths: &[PathBuf]) -> anyhow::Result<(Vec<Object>, Vec<LoadError>)> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    crate::load_objects(&paths)
}

pub fn run(args: RbacArgs) -> anyhow::Result<ExitCode> {
    let common = match &args.command {
        RbacCommand::WhoCan { common, .. }
        | RbacCommand::Can { common, .. }
        | RbacCommand::Risks { common }
        | RbacCommand::Paths { common, .. } => common,
    };
    let format: Format = common.format.parse()?;
    if format == Format::Dot && !matches!(args.command, RbacCommand::Paths { .. }) {
        anyhow::bail!("--format dot is only for `rbac paths`");
    }
    let (objects, errors) = load(&common.paths)?;
    let policy = Policy::from_objects(&objects);
    let out = match &args.command {
        RbacCommand::WhoCan {
            verb,
            resource,
            namespace,
            name,
            ..
        } => {
            let req = Request::parse(verb, resource, namespace.as_deref(), name.as_deref())?;
            render::who_can(&policy, &req, &policy.who_can(&req), format)
        }
        RbacCommand::Can { subject, .. } => {
            let p = Principal::parse(subject)?;
            render::permissions(&policy.permissions(&p), format)
        }
        RbacCommand::Risks { .. } => render::risks(&policy, &policy.risks(), format),
        RbacCommand::Paths { to, .. } => {
            let goal = if to == "cluster-admin" {
                Goal::ClusterAdmin
            } else {
                Goal::Identity(subject_of(to)?)
            };
            render::paths(&policy.escalation_paths(&goal), format)
        }
    };
    print_out(&out);
    if format == Format::Text {
        for d in &policy.diagnostics {
            eprintln!("warning: {d}");
        }
    }
    for e in &errors {
        eprintln!("{}: {e}", e.level_name());
    }
    Ok(if errors.iter().any(|e| e.level == Level::Error) {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

trait LevelName {
    fn level_name(&self) -> &'static str;
}

impl LevelName for LoadError {
    fn level_name(&self) -> &'static str {
        match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

fn subject_of(spec: &str) -> anyhow::Result<stockade_rbac::Subject> {
    use stockade_rbac::Subject;
    let p = Principal::parse(spec)?;
    Ok(match (&p.name, p.groups.first()) {
        (Some(n), _) => match n
            .strip_prefix("system:serviceaccount:")
            .and_then(|r| r.split_once(':'))
        {
            Some((ns, name)) => Subject::service_account(ns, name),
            None => Subject::user(n),
        },
        (None, Some(g)) => Subject::group(g),
        (None, None) => anyhow::bail!("invalid subject `{spec}`"),
    })
}
