//! Command-line parsing and dispatch. `main` only maps the result to an exit code.

use std::ffi::OsString;
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
    }
}
