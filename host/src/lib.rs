//! `connector-host`: the platform side. It discovers connector plugins in a resource
//! directory, loads them at run time and (later) runs SQL jobs with them.
//!
//! Layout:
//! - `discovery.rs`: reads each file's embedded manifest without loading it;
//! - `loader.rs`: loads one plugin library (abi_stable checks, init, factories);
//! - `logging.rs`: the log output and the callbacks plugins log through;
//! - `plugins.rs`: the `plugins list | describe | install` commands;
//! - `cli.rs`: argument parsing and dispatch; `error.rs`: errors and exit codes;
//! - `decimal.rs`: DECIMAL literals and arithmetic, as Flink types and rounds them;
//! - `functions.rs`: the scalar functions; `like.rs`: SQL LIKE patterns;
//! - `output.rs`: stdout, where a closed pipe stops a job quietly;
//! - `signals.rs`: SIGINT, SIGTERM and SIGHUP stop a job; a second one, or the grace period,
//!   exits at once.

pub mod cli;
pub mod connectors;
pub mod decimal;
pub mod discovery;
pub mod error;
pub mod expr;
pub mod functions;
pub mod job;
pub mod like;
pub mod loader;
pub mod logging;
pub mod output;
pub mod plugins;
pub mod signals;
pub mod sql;
pub mod values;

pub use error::HostError;
