//! Command-line parsing and dispatch. `main` only maps the result to an exit code.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::error::HostError;
use crate::plugins;

#[derive(Debug, Parser)]
#[command(
    name = "connector-host",
    version,
    about = "Loads connector plugins from a resource directory and runs jobs with them"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, describe and install connector plugins.
    #[command(subcommand)]
    Plugins(PluginsCommand),
    /// Runs every statement of a Flink SQL job file in order.
    Run(JobArgs),
    /// Parses, plans and validates a job file (nothing is connected) and prints the plan.
    Explain(JobArgs),
}

#[derive(Debug, clap::Args)]
pub struct JobArgs {
    /// The job file (`.sql`), or `-` for standard input.
    pub file: PathBuf,
    #[command(flatten)]
    pub resources: Resources,
    /// Parallel subtasks (overrides `SET 'parallelism.default'`).
    #[arg(long)]
    pub parallelism: Option<usize>,
    /// After SIGINT, SIGTERM or SIGHUP, how long the job may take to flush and stop before
    /// the host exits anyway (`30s`, `500ms`, `2 min`).
    #[arg(long, default_value = "30s", value_parser = grace_period)]
    pub grace_period: std::time::Duration,
}

fn grace_period(text: &str) -> Result<std::time::Duration, String> {
    connector_interface::text::parse_duration(text)
        .ok_or_else(|| format!("'{text}' is not a duration such as '30s', '500ms' or '2 min'"))
}

#[derive(Debug, clap::Args)]
pub struct Resources {
    /// The resource directory that holds plugin files.
    #[arg(long, env = "CONNECTOR_RESOURCES", default_value = "./resources")]
    pub resources: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum PluginsCommand {
    /// Every plugin in the resource directory with its factories, and every file that is not
    /// a usable plugin with the reason. Reads manifests only: no plugin code runs.
    List {
        #[command(flatten)]
        resources: Resources,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The options of the factory registered under an identifier (e.g. `redis`).
    Describe {
        /// The factory identifier, as in `'connector' = '...'`.
        identifier: String,
        #[command(flatten)]
        resources: Resources,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Validates a plugin file (without running it) and copies it into the resource
    /// directory atomically.
    Install {
        /// The plugin file (`.so`).
        file: PathBuf,
        #[command(flatten)]
        resources: Resources,
        /// Replace the files that already register the same identifiers.
        #[arg(long)]
        replace: bool,
    },
}

/// Parses the arguments and runs the command. Usage errors print clap's message and exit 2.
pub fn run(args: impl IntoIterator<Item = OsString>) -> Result<(), HostError> {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Plugins(PluginsCommand::List { resources, json }) => {
            plugins::list(&resources.resources, json)
        }
        Command::Plugins(PluginsCommand::Describe {
            identifier,
            resources,
            json,
        }) => plugins::describe(&resources.resources, &identifier, json),
        Command::Plugins(PluginsCommand::Install {
            file,
            resources,
            replace,
        }) => plugins::install(&file, &resources.resources, replace),
        Command::Run(args) => job(args, false),
        Command::Explain(args) => job(args, true),
    }
}

fn job(args: JobArgs, explain_only: bool) -> Result<(), HostError> {
    if args.parallelism == Some(0) {
        return Err(HostError::Rejected(
            "--parallelism must be at least 1".to_string(),
        ));
    }
    if !explain_only {
        if let Err(e) = crate::signals::install(args.grace_period) {
            log::warn!("cannot handle SIGINT, SIGTERM and SIGHUP: {e}");
        }
    }
    let options = crate::job::JobOptions {
        resources: args.resources.resources,
        parallelism: args.parallelism,
        explain_only,
    };
    match crate::job::run_file(&args.file, &options)? {
        crate::job::Outcome::Finished => Ok(()),
        crate::job::Outcome::Interrupted if crate::signals::stopped_by().is_none() => {
            // Stopped because stdout was closed (`| head`): quietly.
            Ok(())
        }
        crate::job::Outcome::Interrupted => {
            let signal = crate::signals::stopped_by().unwrap_or(2);
            let _ = writeln!(
                std::io::stderr(),
                "stopped by {}: every sink was flushed and closed",
                crate::signals::name(signal)
            );
            std::process::exit(128 + signal);
        }
    }
}
