//! `run` and `explain`: statements in order against a catalog; an `INSERT` or a `SELECT` is
//! planned (names, types, lookup keys, connectors validated) and then run.
//!
//! Layout: `catalog.rs` (tables, their connectors, masked options), `plan.rs` (a statement to
//! a plan and its explain text), `runtime/` (the threads that run a plan, its summary and the
//! progress line).
//!
//! Runtime: source subtasks (one for a built-in source; a plugin scan's splits shared out
//! among up to `parallelism`) read batches and route rows by the source table's key (its
//! primary key, or the first column) to `parallelism` workers. A worker is two threads: a
//! prober (the filter on the source's columns and the first join's batched lookups: a batch's
//! answers are collected after the next two batches were submitted) and a finisher (joined rows,
//! the other joins, the filter after the joins, the projection), so a worker's lookups and
//! the rest of its work run side by side. The finisher routes rows by the sink's key to
//! `parallelism` sink subtasks, each owning a sink. So the changes to one key keep their
//! order at any parallelism. Every `execution.checkpointing.interval` a checkpoint barrier
//! flows from the sources to the sinks; each sink flushes when it has the barrier from every
//! worker, and the sources hear of the checkpoint once every sink has flushed
//! (`runtime/checkpoints.rs`). Ctrl-C stops the sources and the rest drains, flushes and
//! closes.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use abi_stable::std_types::RVec;
use connector_interface::packed::unpack_into;
use connector_interface::{Column, DataType, PackedAnswers, Roles, Row, RowKind, Split, Value};
use hashbrown::HashTable;

use crate::connectors::{
    builtin, builtin_bounded, builtin_sink, builtin_source, plugin_result, validate_builtin,
    Answers, Collect, Lookup, PluginLookup, PluginScan, PluginSink, Sink, Source, TableDef,
    BUILTINS,
};
use crate::discovery::Discovery;
use crate::error::{ErrorKind, Failure, HostError};
use crate::expr::{proctime, Bound, Scope, ScopeColumn};
use crate::sql::ast::{BinaryOp, Expr, Query, SelectItem, Statement};
use crate::values::{assignable, cast, cast_is_identity, hash_iter, hash_values, to_text};

mod catalog;
mod plan;
mod runtime;

use catalog::*;
use plan::*;
use runtime::*;

/// Set by a stopping signal (`signals.rs`): sources stop, everything drains and flushes.
pub static STOP: AtomicBool = AtomicBool::new(false);

/// Rows handed to sinks that their last flush did not cover yet (for the message of a forced
/// exit).
pub static UNACKNOWLEDGED: AtomicU64 = AtomicU64::new(0);

/// Options of one `run` / `explain`.
pub struct JobOptions {
    pub resources: PathBuf,
    pub parallelism: Option<usize>,
    pub explain_only: bool,
}

/// How a job ended.
pub enum Outcome {
    Finished,
    /// Stopped by Ctrl-C after flushing.
    Interrupted,
}

/// Runs (or explains) every statement of a job file. What the file's text decides (SQL,
/// names, types, options) is rejected with the file's name in front of the message's
/// `line:column`.
pub fn run_file(path: &Path, options: &JobOptions) -> Result<Outcome, HostError> {
    run_statements(path, options).map_err(|e| match e {
        HostError::Rejected(message) => {
            HostError::Rejected(format!("{}: {message}", path.display()))
        }
        other => other,
    })
}

fn run_statements(path: &Path, options: &JobOptions) -> Result<Outcome, HostError> {
    // `-`: the job comes on standard input.
    let sql = if path == Path::new("-") {
        let mut sql = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut sql)
            .map_err(|e| HostError::io(path, e))?;
        sql
    } else {
        std::fs::read_to_string(path).map_err(|e| HostError::io(path, e))?
    };
    let statements = crate::sql::parse(&sql).map_err(|e| HostError::Rejected(e.to_string()))?;
    let mut catalog = Catalog {
        tables: BTreeMap::new(),
        settings: BTreeMap::new(),
        discovery: None,
        resources: options.resources.clone(),
    };
    for statement in statements {
        match statement {
            Statement::Set { key, value } => {
                plan::warn_unused(&key, &value);
                catalog.settings.insert(key, value);
            }
            Statement::CreateTable(create) => {
                if catalog.tables.contains_key(&create.name) {
                    if create.if_not_exists {
                        continue;
                    }
                    return Err(HostError::Rejected(format!(
                        "{}: table '{}' already exists",
                        create.pos, create.name
                    )));
                }
                let table = table_def(&create)?;
                catalog.tables.insert(table.name.clone(), table);
            }
            Statement::DropTable {
                name,
                if_exists,
                pos,
            } => {
                if catalog.tables.remove(&name).is_none() && !if_exists {
                    return Err(HostError::Rejected(format!(
                        "{pos}: unknown table '{name}'"
                    )));
                }
            }
            Statement::Insert {
                table,
                columns,
                query,
                pos,
            } => {
                let sink = catalog.table(&table, pos)?.clone();
                let plan = plan(
                    &mut catalog,
                    &query,
                    Some((&sink, columns.as_deref())),
                    options,
                )?;
                if options.explain_only {
                    if !crate::output::stdout(&plan.explain)? {
                        return Ok(Outcome::Finished);
                    }
                    continue;
                }
                if let Outcome::Interrupted = execute(plan)? {
                    return Ok(Outcome::Interrupted);
                }
            }
            Statement::Select(query) => {
                let plan = plan(&mut catalog, &query, None, options)?;
                if options.explain_only {
                    if !crate::output::stdout(&plan.explain)? {
                        return Ok(Outcome::Finished);
                    }
                    continue;
                }
                let names = plan.output_names.clone();
                let collected = plan.collected.clone();
                let outcome = execute(plan)?;
                if let Some(rows) = collected {
                    let rows = rows.lock().map(|r| r.clone()).unwrap_or_default();
                    if !crate::output::stdout(&render_table(&names, &rows))? {
                        return Ok(Outcome::Finished);
                    }
                }
                if let Outcome::Interrupted = outcome {
                    return Ok(Outcome::Interrupted);
                }
            }
        }
    }
    Ok(Outcome::Finished)
}
