//! `run` and `explain`: statements in order against a catalog; an `INSERT` or a `SELECT` is
//! planned (names, types, lookup keys, connectors validated) and then run.
//!
//! Runtime: one source thread reads batches and routes rows by the source table's key (its
//! primary key, or the first column) to `parallelism` subtasks. A subtask is two threads: a
//! prober (the filter on the source's columns and the first join's batched lookups: a batch's
//! answers are collected after the next two batches were submitted) and a finisher (joined rows,
//! the other joins, the filter after the joins, the projection), so a subtask's lookups and
//! the rest of its work run side by side. The finisher routes rows by the sink's key to
//! `parallelism` sink subtasks, each owning a sink. So the changes to one
//! key keep their order at any parallelism. Every sink flushes every
//! `execution.checkpointing.interval` and at the end; Ctrl-C stops the source and the rest
//! drains, flushes and closes.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use abi_stable::std_types::RVec;
use connector_interface::packed::unpack_into;
use connector_interface::{Column, DataType, PackedAnswers, Roles, Row, RowKind, Value};
use hashbrown::HashTable;

use crate::connectors::{
    builtin_bounded, builtin_sink, builtin_source, plugin_result, validate_builtin, Answers,
    Collect, Lookup, PluginLookup, PluginSink, Sink, Source, TableDef, BUILTIN,
};
use crate::discovery::Discovery;
use crate::error::HostError;
use crate::expr::{proctime, Bound, Scope, ScopeColumn};
use crate::sql::ast::{BinaryOp, Expr, Query, SelectItem, Statement};
use crate::values::{assignable, cast, cast_is_identity, hash_iter, hash_values, to_text};

/// Set by Ctrl-C: sources stop, everything drains and flushes.
pub static STOP: AtomicBool = AtomicBool::new(false);

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

/// A table's connector: built in, or a plugin's factory.
enum Provider {
    Builtin,
    Plugin(Arc<crate::loader::LoadedPlugin>),
}

struct Catalog {
    tables: BTreeMap<String, TableDef>,
    settings: BTreeMap<String, String>,
    discovery: Option<Discovery>,
    resources: PathBuf,
}

impl Catalog {
    fn discovery(&mut self) -> Result<&Discovery, HostError> {
        if self.discovery.is_none() {
            self.discovery = Some(Discovery::scan(&self.resources)?);
        }
        self.discovery
            .as_ref()
            .ok_or_else(|| HostError::Rejected("no resource directory".into()))
    }

    fn table(&self, name: &str, pos: crate::sql::ast::Pos) -> Result<&TableDef, HostError> {
        self.tables.get(name).ok_or_else(|| {
            HostError::Rejected(format!(
                "{pos}: unknown table '{name}'; known tables: {}",
                if self.tables.is_empty() {
                    "none".to_string()
                } else {
                    self.tables.keys().cloned().collect::<Vec<_>>().join(", ")
                }
            ))
        })
    }

    /// The provider of a table's connector, checked for `role`.
    fn provider(
        &mut self,
        table: &TableDef,
        role: Roles,
        lookup_keys: &[usize],
    ) -> Result<Provider, HostError> {
        let connector = table.connector().to_string();
        if connector.is_empty() {
            return Err(HostError::Rejected(format!(
                "table '{}': the option 'connector' is missing",
                table.name
            )));
        }
        if BUILTIN.contains(&connector.as_str()) {
            validate_builtin(table).map_err(HostError::Rejected)?;
            let ok = match connector.as_str() {
                "datagen" => role == Roles::SCAN,
                "filesystem" => role != Roles::LOOKUP,
                _ => role == Roles::SINK,
            };
            if !ok {
                let role = role.names().join("");
                return Err(HostError::Rejected(format!(
                    "table '{}': connector '{connector}' does not support the {role} role",
                    table.name
                )));
            }
            return Ok(Provider::Builtin);
        }
        let file = {
            let discovery = self.discovery()?;
            let mut known = discovery
                .identifiers()
                .keys()
                .map(|k| k.to_string())
                .collect::<Vec<_>>();
            known.extend(BUILTIN.iter().map(|b| b.to_string()));
            known.sort();
            match discovery.resolve(&connector) {
                Ok(p) => p.path.clone(),
                Err(HostError::UnknownIdentifier {
                    identifier, dir, ..
                }) => {
                    return Err(HostError::UnknownIdentifier {
                        identifier,
                        dir,
                        available: known,
                    })
                }
                Err(e) => return Err(e),
            }
        };
        let plugin = crate::loader::load(&file)?;
        let factory = plugin
            .factory(&connector)
            .ok_or_else(|| HostError::Plugin {
                path: file.clone(),
                reason: format!("the manifest lists '{connector}' but the loaded library does not"),
            })?;
        if !factory.roles().contains(role) {
            return Err(HostError::Rejected(format!(
                "table '{}': connector '{connector}' does not support the {} role",
                table.name,
                role.names().join("")
            )));
        }
        factory
            .validate(&table.context(lookup_keys, 0, 1), role)
            .into_result()
            .map_err(|e| HostError::Rejected(e.message.to_string()))?;
        Ok(Provider::Plugin(plugin))
    }

    /// Option values never printed: those a plugin declares sensitive, and any key that
    /// names a password or secret.
    fn masked_options(&mut self, table: &TableDef) -> Vec<(String, String)> {
        let sensitive: Vec<String> = self
            .discovery()
            .ok()
            .and_then(|d| d.resolve(table.connector()).ok())
            .and_then(|p| {
                p.manifest
                    .factories
                    .iter()
                    .find(|f| f.identifier == table.connector())
                    .cloned()
            })
            .map(|f| {
                f.options
                    .iter()
                    .filter(|o| o.sensitive)
                    .flat_map(|o| std::iter::once(o.key.clone()).chain(o.fallback_keys.clone()))
                    .collect()
            })
            .unwrap_or_default();
        table
            .options
            .iter()
            .map(|(k, v)| {
                let lower = k.to_ascii_lowercase();
                if sensitive.contains(k) || lower.contains("password") || lower.contains("secret") {
                    (k.clone(), "******".to_string())
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect()
    }
}

/// Runs (or explains) every statement of a job file.
pub fn run_file(path: &Path, options: &JobOptions) -> Result<Outcome, HostError> {
    run_statements(path, options).map_err(|e| match e {
        HostError::Rejected(message) if !message.starts_with(&path.display().to_string()) => {
            HostError::Rejected(format!("{}: {message}", path.display()))
        }
        other => other,
    })
}

fn run_statements(path: &Path, options: &JobOptions) -> Result<Outcome, HostError> {
    let sql = std::fs::read_to_string(path).map_err(|e| HostError::io(path, e))?;
    let statements = crate::sql::parse(&sql)
        .map_err(|e| HostError::Rejected(format!("{}: {e}", path.display())))?;
    let mut catalog = Catalog {
        tables: BTreeMap::new(),
        settings: BTreeMap::new(),
        discovery: None,
        resources: options.resources.clone(),
    };
    for statement in statements {
        match statement {
            Statement::Set { key, value } => {
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
                    print!("{}", plan.explain);
                    continue;
                }
                if let Outcome::Interrupted = execute(plan)? {
                    return Ok(Outcome::Interrupted);
                }
            }
            Statement::Select(query) => {
                let plan = plan(&mut catalog, &query, None, options)?;
                if options.explain_only {
                    print!("{}", plan.explain);
                    continue;
                }
                let names = plan.output_names.clone();
                let collected = plan.collected.clone();
                let outcome = execute(plan)?;
                if let Some(rows) = collected {
                    let rows = rows.lock().map(|r| r.clone()).unwrap_or_default();
                    print!("{}", render_table(&names, &rows));
                }
                if let Outcome::Interrupted = outcome {
                    return Ok(Outcome::Interrupted);
                }
            }
        }
    }
    Ok(Outcome::Finished)
}

fn table_def(create: &crate::sql::ast::CreateTable) -> Result<TableDef, HostError> {
    let mut columns = Vec::new();
    let mut proctime = Vec::new();
    for c in &create.columns {
        if create.columns.iter().filter(|o| o.name == c.name).count() > 1 {
            return Err(HostError::Rejected(format!(
                "{}: table '{}' declares column '{}' twice",
                c.pos, create.name, c.name
            )));
        }
        if c.proctime {
            proctime.push(c.name.clone());
        } else {
            columns.push(Column::new(&c.name, c.data_type.clone()));
        }
    }
    let primary_key = create
        .primary_key
        .iter()
        .map(|k| {
            columns
                .iter()
                .position(|c| c.name.as_str() == k)
                .ok_or_else(|| {
                    HostError::Rejected(format!(
                        "{}: table '{}': primary key column '{k}' is not a column of the table",
                        create.pos, create.name
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    for k in &primary_key {
        columns[*k].data_type.nullable = false;
    }
    Ok(TableDef {
        name: create.name.clone(),
        columns,
        proctime,
        primary_key,
        options: create.options.clone(),
    })
}

/// One lookup join, planned.
struct JoinPlan {
    table: TableDef,
    provider: Provider,
    left: bool,
    /// Expressions over the layout before this join, giving the key row.
    keys: Vec<Bound>,
    key_types: Vec<DataType>,
    lookup_columns: Vec<usize>,
    /// Columns this join appends: the dimension's stored columns, then its PROCTIME ones.
    width: usize,
}

struct Plan {
    source: TableDef,
    source_provider: Provider,
    pre_filter: Option<Bound>,
    joins: Vec<JoinPlan>,
    post_filter: Option<Bound>,
    projection: Vec<Bound>,
    /// Casts to the sink's column types, where they differ.
    casts: Vec<Option<DataType>>,
    sink: Option<(TableDef, Provider)>,
    sink_keys: Vec<usize>,
    collected: Option<Arc<Mutex<Vec<Row>>>>,
    output_names: Vec<String>,
    parallelism: usize,
    interval: Duration,
    explain: String,
}

fn block(scope: &mut Scope, table: &TableDef, qualifier: &str) {
    for c in &table.columns {
        scope.columns.push(ScopeColumn {
            qualifier: qualifier.to_string(),
            name: c.name.to_string(),
            data_type: c.data_type.clone(),
        });
    }
    for p in &table.proctime {
        let mut t = DataType::new(connector_interface::TypeKind::TIMESTAMP_LTZ).not_null();
        t.precision = 3;
        scope.columns.push(ScopeColumn {
            qualifier: qualifier.to_string(),
            name: p.clone(),
            data_type: t,
        });
    }
}

fn reject(e: crate::expr::BindError) -> HostError {
    HostError::Rejected(e.to_string())
}

/// The conjuncts of an `AND` chain.
fn conjuncts(expr: &Expr, out: &mut Vec<Expr>) {
    match expr {
        Expr::Binary {
            op: BinaryOp::And,
            left,
            right,
            ..
        } => {
            conjuncts(left, out);
            conjuncts(right, out);
        }
        other => out.push(other.clone()),
    }
}

fn uses_only(bound: &Bound, width: usize) -> bool {
    match bound {
        Bound::Input(i, _) => *i < width,
        Bound::Literal(..) => true,
        Bound::Cast(e, _) | Bound::Not(e) | Bound::Negate(e, _) | Bound::IsNull(e, _) => {
            uses_only(e, width)
        }
        Bound::Binary(_, l, r, _) => uses_only(l, width) && uses_only(r, width),
        Bound::Call(_, args, _) => args.iter().all(|a| uses_only(a, width)),
        Bound::Case(whens, otherwise, _) => {
            whens
                .iter()
                .all(|(c, v)| uses_only(c, width) && uses_only(v, width))
                && otherwise.as_ref().is_none_or(|e| uses_only(e, width))
        }
    }
}

fn plan(
    catalog: &mut Catalog,
    query: &Query,
    sink: Option<(&TableDef, Option<&[String]>)>,
    options: &JobOptions,
) -> Result<Plan, HostError> {
    let parallelism = match options.parallelism {
        Some(p) => p,
        None => match catalog.settings.get("parallelism.default") {
            Some(v) => v.parse().ok().filter(|p| *p >= 1).ok_or_else(|| {
                HostError::Rejected(format!(
                    "invalid value '{v}' for 'parallelism.default': expected a positive integer"
                ))
            })?,
            None => 1,
        },
    };
    let interval = match catalog.settings.get("execution.checkpointing.interval") {
        Some(v) => connector_interface::text::parse_duration(v).ok_or_else(|| {
            HostError::Rejected(format!(
                "invalid value '{v}' for 'execution.checkpointing.interval': expected a duration such as '1s' or '500ms'"
            ))
        })?,
        None => Duration::from_secs(1),
    };
    let source = catalog.table(&query.from.name, query.from.pos)?.clone();
    let source_provider = catalog.provider(&source, Roles::SCAN, &[])?;
    if matches!(source_provider, Provider::Plugin(_)) {
        return Err(HostError::Rejected(format!(
            "table '{}': reading a plugin table as a source is not supported by this host yet; use it in a lookup join",
            source.name
        )));
    }
    let mut scope = Scope::default();
    block(&mut scope, &source, query.from.qualifier());
    let source_width = scope.columns.len();
    let mut joins = Vec::new();
    for join in &query.joins {
        let dim = catalog.table(&join.table.name, join.table.pos)?.clone();
        // The period column must be a PROCTIME column of the tables before.
        let time = scope.bind(&join.time).map_err(reject)?;
        if time.data_type().kind != connector_interface::TypeKind::TIMESTAMP_LTZ {
            return Err(HostError::Rejected(format!(
                "{}: FOR SYSTEM_TIME AS OF needs a processing-time column (x AS PROCTIME())",
                join.time.pos()
            )));
        }
        let before = scope.columns.len();
        let mut joined = scope.clone();
        block(&mut joined, &dim, join.table.qualifier());
        let mut parts = Vec::new();
        conjuncts(&join.on, &mut parts);
        let mut keys = Vec::new();
        let mut lookup_columns = Vec::new();
        let mut key_types = Vec::new();
        for part in &parts {
            let Expr::Binary {
                op: BinaryOp::Eq,
                left,
                right,
                pos,
            } = part
            else {
                return Err(HostError::Rejected(format!(
                    "{}: a lookup join's ON takes equalities between a column of '{}' and the other tables, joined by AND",
                    part.pos(),
                    dim.name
                )));
            };
            let l = joined.bind(left).map_err(reject)?;
            let r = joined.bind(right).map_err(reject)?;
            let (dim_side, other) = match (l.input(), r.input()) {
                (Some(i), _) if i >= before && uses_only(&r, before) => (i, r),
                (_, Some(i)) if i >= before && uses_only(&l, before) => (i, l),
                _ => {
                    return Err(HostError::Rejected(format!(
                        "{pos}: each equality in a lookup join's ON must compare a column of '{}' with an expression over the other tables",
                        dim.name
                    )))
                }
            };
            let column = dim_side - before;
            if column >= dim.columns.len() {
                return Err(HostError::Rejected(format!(
                    "{pos}: '{}' is a computed column of '{}' and cannot be a lookup key",
                    joined.columns[dim_side].name, dim.name
                )));
            }
            key_types.push(dim.columns[column].data_type.clone());
            lookup_columns.push(column);
            keys.push(other);
        }
        let provider = catalog.provider(&dim, Roles::LOOKUP, &lookup_columns)?;
        if matches!(provider, Provider::Builtin) {
            return Err(HostError::Rejected(format!(
                "table '{}': connector '{}' cannot be looked up",
                dim.name,
                dim.connector()
            )));
        }
        let width = dim.columns.len() + dim.proctime.len();
        scope = joined;
        joins.push(JoinPlan {
            table: dim,
            provider,
            left: join.left,
            keys,
            key_types,
            lookup_columns,
            width,
        });
    }
    let (pre_filter, post_filter) = match &query.filter {
        None => (None, None),
        Some(f) => {
            let bound = scope.bind(f).map_err(reject)?;
            if bound.data_type().kind != connector_interface::TypeKind::BOOLEAN {
                return Err(HostError::Rejected(format!(
                    "{}: WHERE needs a BOOLEAN condition, found {}",
                    f.pos(),
                    bound.data_type()
                )));
            }
            if uses_only(&bound, source_width) {
                (Some(bound), None)
            } else {
                (None, Some(bound))
            }
        }
    };
    let mut projection = Vec::new();
    let mut output_names = Vec::new();
    for item in &query.items {
        match item {
            SelectItem::Wildcard(_) => {
                for (i, c) in scope.columns.iter().enumerate() {
                    projection.push(Bound::Input(i, c.data_type.clone()));
                    output_names.push(c.name.clone());
                }
            }
            SelectItem::Expr { expr, alias } => {
                let bound = scope.bind(expr).map_err(reject)?;
                output_names.push(
                    alias
                        .clone()
                        .unwrap_or_else(|| expr.default_name(projection.len())),
                );
                projection.push(bound);
            }
        }
    }
    let mut casts = vec![None; projection.len()];
    let mut collected = None;
    let (sink_plan, sink_keys) = match sink {
        Some((table, columns)) => {
            let provider = catalog.provider(table, Roles::SINK, &[])?;
            let targets: Vec<usize> = match columns {
                None => (0..table.columns.len()).collect(),
                Some(names) => names
                    .iter()
                    .map(|n| {
                        table
                            .columns
                            .iter()
                            .position(|c| c.name.as_str() == n)
                            .ok_or_else(|| {
                                HostError::Rejected(format!(
                                    "table '{}' has no column '{n}'",
                                    table.name
                                ))
                            })
                    })
                    .collect::<Result<_, _>>()?,
            };
            if targets.len() != projection.len() {
                return Err(HostError::Rejected(format!(
                    "{}: the query produces {} column(s) but table '{}' takes {}",
                    query.pos,
                    projection.len(),
                    table.name,
                    targets.len()
                )));
            }
            if let Some(twice) = targets
                .iter()
                .enumerate()
                .find(|(i, t)| targets[..*i].contains(t))
                .map(|(_, t)| &table.columns[*t].name)
            {
                return Err(HostError::Rejected(format!(
                    "{}: column '{twice}' of table '{}' is written twice",
                    query.pos, table.name
                )));
            }
            casts = vec![None; table.columns.len()];
            // Reorder the projection into the sink's column order.
            let mut ordered = vec![None; table.columns.len()];
            let mut names = vec![String::new(); table.columns.len()];
            for (i, (bound, target)) in projection.into_iter().zip(&targets).enumerate() {
                let column = &table.columns[*target];
                let from = bound.data_type();
                if !assignable(from, &column.data_type)
                    && from.kind != connector_interface::TypeKind::OTHER
                {
                    return Err(HostError::Rejected(format!(
                        "{}: column {} of the query, '{}' {}, cannot be written to column '{}' {} of table '{}'",
                        query.pos,
                        i + 1,
                        output_names[i],
                        from,
                        column.name,
                        column.data_type,
                        table.name
                    )));
                }
                if from.kind != column.data_type.kind
                    || from.precision != column.data_type.precision
                {
                    casts[*target] = Some(column.data_type.clone());
                }
                names[*target] = column.name.to_string();
                ordered[*target] = Some(bound);
            }
            // Columns the INSERT does not name are NULL, as in Flink (NOT NULL ones cannot be).
            for (t, column) in table.columns.iter().enumerate() {
                if ordered[t].is_none() {
                    if !column.data_type.nullable {
                        return Err(HostError::Rejected(format!(
                            "{}: column '{}' of table '{}' is NOT NULL and the INSERT does not write it",
                            query.pos, column.name, table.name
                        )));
                    }
                    ordered[t] = Some(Bound::Literal(Value::Null, column.data_type.clone()));
                    names[t] = column.name.to_string();
                }
            }
            projection = ordered.into_iter().flatten().collect();
            output_names = names;
            (Some((table.clone(), provider)), table.key_columns())
        }
        None => {
            if !builtin_bounded(&source) {
                return Err(HostError::Rejected(format!(
                    "{}: SELECT prints its rows only from a bounded source; table '{}' is unbounded (give datagen 'number-of-rows')",
                    query.pos, source.name
                )));
            }
            collected = Some(Arc::new(Mutex::new(Vec::new())));
            (None, vec![0])
        }
    };
    let mut explain = String::new();
    {
        let mut tables = vec![(&source, "source")];
        tables.extend(joins.iter().map(|j| (&j.table, "lookup")));
        if let Some((t, _)) = &sink_plan {
            tables.push((t, "sink"));
        }
        explain.push_str("tables:\n");
        for (t, role) in tables {
            let options: Vec<String> = catalog
                .masked_options(t)
                .into_iter()
                .map(|(k, v)| format!("'{k}' = '{v}'"))
                .collect();
            let columns: Vec<String> = t
                .columns
                .iter()
                .map(|c| format!("{} {}", c.name, c.data_type))
                .chain(t.proctime.iter().map(|p| format!("{p} AS PROCTIME()")))
                .collect();
            let pk = if t.primary_key.is_empty() {
                String::new()
            } else {
                format!(
                    ", PRIMARY KEY ({})",
                    t.primary_key
                        .iter()
                        .map(|i| t.columns[*i].name.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            explain.push_str(&format!(
                "  {} ({role}, connector '{}'): ({}{pk})\n    WITH ({})\n",
                t.name,
                t.connector(),
                columns.join(", "),
                options.join(", ")
            ));
        }
        explain.push_str(&format!("operators (parallelism {parallelism}):\n"));
        explain.push_str(&format!("  scan {}\n", source.name));
        if pre_filter.is_some() {
            explain.push_str("  filter (on the source's columns, before the lookups)\n");
        }
        for j in &joins {
            let keys: Vec<String> = j
                .lookup_columns
                .iter()
                .map(|c| j.table.columns[*c].name.to_string())
                .collect();
            explain.push_str(&format!(
                "  {} lookup join {} on ({}), batched\n",
                if j.left { "left" } else { "inner" },
                j.table.name,
                keys.join(", ")
            ));
        }
        if post_filter.is_some() {
            explain.push_str("  filter\n");
        }
        explain.push_str(&format!("  project ({})\n", output_names.join(", ")));
        match &sink_plan {
            Some((t, _)) => explain.push_str(&format!(
                "  sink {} (rows routed by {}; flush every {} ms)\n",
                t.name,
                sink_keys
                    .iter()
                    .map(|i| t.columns[*i].name.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                interval.as_millis()
            )),
            None => explain.push_str("  print as a table\n"),
        }
    }
    Ok(Plan {
        source,
        source_provider,
        pre_filter,
        joins,
        post_filter,
        projection,
        casts,
        sink: sink_plan,
        sink_keys,
        collected,
        output_names,
        parallelism,
        interval,
        explain,
    })
}

fn route(values: &[Value], keys: &[usize], n: usize) -> usize {
    if n == 1 {
        return 0;
    }
    let key = keys.iter().map(|k| values.get(*k).unwrap_or(&Value::Null));
    (hash_iter(key) % n as u64) as usize
}

/// A sink's counters, by name.
type Counters = Vec<(String, u64)>;

/// Counters shared by the threads of a job, for the progress line and the summary.
#[derive(Default)]
struct Metrics {
    read: AtomicU64,
    written: AtomicU64,
    lookups: AtomicU64,
    failure: Mutex<Option<String>>,
    failed: AtomicBool,
}

impl Metrics {
    fn fail(&self, message: String) {
        if let Ok(mut f) = self.failure.lock() {
            if f.is_none() {
                *f = Some(message);
            }
        }
        self.failed.store(true, Ordering::SeqCst);
    }

    fn stopping(&self) -> bool {
        self.failed.load(Ordering::SeqCst) || STOP.load(Ordering::SeqCst)
    }
}

/// How many batches the prober submits to the first join's lookup before it collects the
/// oldest: the external system answers them while the prober prepares the next.
const IN_FLIGHT: usize = 2;

/// The first stage of a subtask (one thread): the filter on the source's columns and the
/// first join's lookups: each batch's keys are submitted, and its answers collected when
/// `IN_FLIGHT` newer batches were submitted (or at the end). Only this thread calls the
/// lookup, so it needs no lock: a lock held by a thread that the system pauses stalls the
/// other (measured: 0.5 s of a 2.9 s job when the finisher collected).
struct Prober {
    pre_filter: Option<Bound>,
    /// The first join's lookup, if the job joins.
    first: Option<Box<dyn Lookup>>,
    /// The first join's keys, reused from batch to batch.
    keys: JoinKeys,
    /// Submitted batches whose answers are not collected yet, oldest first.
    in_flight: VecDeque<Started>,
}

/// The second stage of a subtask (another thread, so a subtask's lookups and the rest of its
/// work run side by side): the first join's rows, the other joins, the filter after the joins
/// and the projection.
struct Finisher {
    /// The lookups of the joins after the first.
    rest: Vec<Box<dyn Lookup>>,
    /// The keys of the joins after the first, reused from batch to batch.
    keys: JoinKeys,
    post_filter: Option<Bound>,
    projection: Vec<Bound>,
    casts: Vec<Option<DataType>>,
    /// For each projected item that is a column used by no other item: that column, so its
    /// value can be moved out of the row.
    takes: Vec<Option<usize>>,
    /// Whether the first join's answers go straight into the projected rows, without joined
    /// rows in between (see `direct`).
    direct: bool,
    /// A row's projected values, before they move into the row's memory.
    projected: Vec<Value>,
    /// Scratch for a dimension row unpacked from packed answers (`SlotAnswers::each`), reused
    /// from row to row and batch to batch.
    dim: Vec<Value>,
}

/// Whether a job's joined rows can be skipped: one join, no filter after it, and a projection
/// of columns only (with casts), so each output row is picked from a probe row and its answer.
fn direct(joins: &[JoinPlan], post_filter: &Option<Bound>, projection: &[Bound]) -> bool {
    joins.len() == 1 && post_filter.is_none() && projection.iter().all(|p| p.input().is_some())
}

/// The projected items that can move their column out of the row (see `Finisher::takes`):
/// plain columns that no other item reads. Items are evaluated in order, so an item that
/// reads a column must not come after one that moved it; moving only columns used exactly
/// once across all items guarantees that.
fn takes(projection: &[Bound]) -> Vec<Option<usize>> {
    fn inputs(b: &Bound, out: &mut Vec<usize>) {
        match b {
            Bound::Input(i, _) => out.push(*i),
            Bound::Literal(..) => {}
            Bound::Cast(e, _) | Bound::Not(e) | Bound::Negate(e, _) | Bound::IsNull(e, _) => {
                inputs(e, out)
            }
            Bound::Binary(_, l, r, _) => {
                inputs(l, out);
                inputs(r, out);
            }
            Bound::Call(_, args, _) => args.iter().for_each(|a| inputs(a, out)),
            Bound::Case(whens, otherwise, _) => {
                for (c, v) in whens {
                    inputs(c, out);
                    inputs(v, out);
                }
                if let Some(e) = otherwise {
                    inputs(e, out);
                }
            }
        }
    }
    let mut all = Vec::new();
    for p in projection {
        inputs(p, &mut all);
    }
    projection
        .iter()
        .map(|p| {
            p.input()
                .filter(|i| all.iter().filter(|j| *j == i).count() == 1)
        })
        .collect()
}

fn create_lookup(j: &JoinPlan, task: usize, parallelism: usize) -> Result<Box<dyn Lookup>, String> {
    let Provider::Plugin(plugin) = &j.provider else {
        return Err(format!("table '{}' cannot be looked up", j.table.name));
    };
    let factory = plugin
        .factory(j.table.connector())
        .ok_or_else(|| format!("connector '{}' vanished", j.table.connector()))?;
    let context = j.table.context(&j.lookup_columns, task, parallelism);
    let lookup = PluginLookup::create(&j.table.name, || {
        plugin_result(factory.create_lookup(&context))
    })?;
    let mut lookup: Box<dyn Lookup> = Box::new(lookup);
    lookup.open()?;
    Ok(lookup)
}

fn create_sink(
    table: &TableDef,
    provider: &Provider,
    task: usize,
    parallelism: usize,
) -> Result<Box<dyn Sink>, String> {
    let mut sink: Box<dyn Sink> = match provider {
        Provider::Builtin => builtin_sink(table, task, parallelism)?,
        Provider::Plugin(plugin) => {
            let factory = plugin
                .factory(table.connector())
                .ok_or_else(|| format!("connector '{}' vanished", table.connector()))?;
            Box::new(PluginSink(plugin_result(
                factory.create_sink(&table.context(&[], task, parallelism)),
            )?))
        }
    };
    sink.open()?;
    Ok(sink)
}

/// Rows between the stages of a worker: kind and values in the job's layout.
type Rows = Vec<(RowKind, Vec<Value>)>;

/// A batch after the first join's lookup: its rows, each row's key slot, and (once
/// collected) the answers per slot.
struct Started {
    rows: Rows,
    key_of: Vec<Option<usize>>,
    /// How many distinct keys were submitted (0: none).
    keys: usize,
    answers: Answers,
}

/// A join's key rows for a batch, and the index that finds equal keys; both keep their memory
/// from batch to batch.
#[derive(Default)]
struct JoinKeys {
    rows: Vec<Row>,
    /// Slots by key hash (equal keys share a slot).
    index: HashTable<usize>,
    /// Each slot's key hash.
    hashes: Vec<u64>,
}

impl JoinKeys {
    /// The distinct key rows of a join for these rows (the first of `self.rows`): returns how
    /// many there are and each row's key slot (`None` for a NULL key, which never matches).
    fn build(
        &mut self,
        plan: &JoinPlan,
        rows: &Rows,
    ) -> Result<(usize, Vec<Option<usize>>), String> {
        let keys = &mut self.rows;
        self.index.clear();
        self.hashes.clear();
        let mut used = 0;
        let mut key_of: Vec<Option<usize>> = Vec::with_capacity(rows.len());
        for (_, values) in rows {
            // The next slot's row takes the key; it is kept only if the key is new.
            if keys.len() == used {
                keys.push(Row::insert(Vec::with_capacity(plan.keys.len())));
            }
            let key = &mut keys[used].values;
            key.clear();
            for (k, t) in plan.keys.iter().zip(&plan.key_types) {
                // A column already of the key's type is copied as it is (most join keys).
                match k.input().and_then(|i| values.get(i)) {
                    Some(v) if cast_is_identity(v, t) => key.push(v.clone()),
                    _ => key.push(cast(k.eval(values)?, t)?),
                }
            }
            if key.iter().any(Value::is_null) {
                key_of.push(None);
                continue;
            }
            let key = keys[used].values.as_slice();
            let hash = hash_values(key);
            let found = self
                .index
                .find(hash, |slot| keys[*slot].values.as_slice() == key);
            let slot = match found {
                Some(slot) => *slot,
                None => {
                    let hashes = &self.hashes;
                    self.index.insert_unique(hash, used, |slot| hashes[*slot]);
                    self.hashes.push(hash);
                    used += 1;
                    used - 1
                }
            };
            key_of.push(Some(slot));
        }
        Ok((used, key_of))
    }
}

/// A batch's answers by key slot, handed to the batch's rows in order: rows (the last row of a
/// slot takes its answer, the rows before it copy it), or packed rows, unpacked for each row
/// that uses them into one reused buffer (no row per answer).
enum SlotAnswers<'a> {
    Rows {
        answers: Vec<RVec<Row>>,
        /// How many rows still need each answer.
        uses: Vec<usize>,
    },
    Packed {
        answers: PackedAnswers,
        /// The looked-up table, for errors in the answers.
        table: &'a str,
    },
}

impl<'a> SlotAnswers<'a> {
    /// The answers of a join's `keys` distinct keys, for rows with these slots; an error when
    /// the lookup answered another number of keys (a missing answer would be a silent miss).
    fn new(
        plan: &'a JoinPlan,
        answers: Answers,
        keys: usize,
        key_of: &[Option<usize>],
    ) -> Result<SlotAnswers<'a>, String> {
        let answered = match &answers {
            Answers::Rows(rows) => rows.len(),
            Answers::Packed(packed) => packed.keys(),
        };
        self::answered(&plan.table.name, answered, keys)?;
        Ok(match answers {
            Answers::Rows(answers) => {
                let mut uses = vec![0usize; answers.len()];
                for slot in key_of.iter().flatten() {
                    if let Some(n) = uses.get_mut(*slot) {
                        *n += 1;
                    }
                }
                SlotAnswers::Rows { answers, uses }
            }
            Answers::Packed(answers) => SlotAnswers::Packed {
                answers,
                table: &plan.table.name,
            },
        })
    }

    /// Hands each dimension row of the next row with this slot (none for a NULL key) to
    /// `each`, with whether it is the last; returns how many there were. `each` may move the
    /// values out; `scratch` holds an unpacked row.
    fn each(
        &mut self,
        slot: Option<usize>,
        scratch: &mut Vec<Value>,
        mut each: impl FnMut(&mut [Value], bool) -> Result<(), String>,
    ) -> Result<usize, String> {
        let Some(slot) = slot else {
            return Ok(0);
        };
        match self {
            SlotAnswers::Rows { answers, uses } => {
                uses[slot] -= 1;
                let found = if uses[slot] == 0 {
                    std::mem::take(&mut answers[slot])
                } else {
                    answers[slot].clone()
                };
                let count = found.len();
                for (n, mut dim) in found.into_iter().enumerate() {
                    each(&mut dim.values, n + 1 == count)?;
                }
                Ok(count)
            }
            SlotAnswers::Packed { answers, table } => {
                let bad = |e: String| format!("table '{table}': malformed packed answers: {e}");
                let found = answers.rows_of(slot).map_err(bad)?;
                let count = found.len();
                for (n, bytes) in found.enumerate() {
                    scratch.clear();
                    unpack_into(bytes.map_err(bad)?, scratch).map_err(bad)?;
                    each(scratch, n + 1 == count)?;
                }
                Ok(count)
            }
        }
    }
}

/// Joins rows with their answers: a row per matching dimension row; a left join pads a miss
/// with NULLs, an inner join drops it.
fn assemble(
    plan: &JoinPlan,
    rows: Rows,
    key_of: Vec<Option<usize>>,
    mut answers: SlotAnswers,
    now: &Value,
    scratch: &mut Vec<Value>,
) -> Result<Rows, String> {
    let width = plan.width;
    let mut next = Vec::with_capacity(rows.len());
    for ((kind, values), slot) in rows.into_iter().zip(key_of) {
        // The row's values move into the last joined row; earlier ones copy.
        let mut values = Some(values);
        let count = answers.each(slot, scratch, |dim, last| {
            let mut joined = if last {
                values.take().unwrap_or_default()
            } else {
                values.clone().unwrap_or_default()
            };
            joined.reserve_exact(width);
            joined.extend(dim.iter_mut().map(|v| std::mem::replace(v, Value::Null)));
            joined.extend(std::iter::repeat_n(now.clone(), width - dim.len()));
            next.push((kind, joined));
            Ok(())
        })?;
        if let (0, true, Some(mut joined)) = (count, plan.left, values) {
            joined.reserve_exact(width);
            joined.extend(std::iter::repeat_n(Value::Null, width));
            next.push((kind, joined));
        }
    }
    Ok(next)
}

impl Prober {
    /// Filters on the source's columns and submits the first lookup of a batch.
    fn start(
        &mut self,
        rows: Vec<Row>,
        joins: &[JoinPlan],
        metrics: &Metrics,
    ) -> Result<Started, String> {
        let mut current: Rows = Vec::with_capacity(rows.len());
        for row in rows {
            let values = row.values.into_vec();
            if let Some(f) = &self.pre_filter {
                if !f.test(&values)? {
                    continue;
                }
            }
            current.push((row.kind, values));
        }
        let (Some(plan), Some(lookup)) = (joins.first(), self.first.as_mut()) else {
            return Ok(Started {
                rows: current,
                key_of: Vec::new(),
                keys: 0,
                answers: Answers::default(),
            });
        };
        let (count, key_of) = self.keys.build(plan, &current)?;
        if count > 0 {
            metrics.lookups.fetch_add(count as u64, Ordering::Relaxed);
            lookup.submit(&self.keys.rows[..count])?;
        }
        Ok(Started {
            rows: current,
            key_of,
            keys: count,
            answers: Answers::default(),
        })
    }

    /// Starts a batch; returns the oldest started batch, its answers collected, once more than
    /// `IN_FLIGHT` are out (or every one left when `batch` is `None`, at the end).
    fn next(
        &mut self,
        batch: Option<Vec<Row>>,
        joins: &[JoinPlan],
        metrics: &Metrics,
    ) -> Result<Vec<Started>, String> {
        let last = batch.is_none();
        if let Some(rows) = batch {
            let started = self.start(rows, joins, metrics)?;
            self.in_flight.push_back(started);
        }
        let keep = if last { 0 } else { IN_FLIGHT };
        let mut ready = Vec::new();
        while self.in_flight.len() > keep {
            let Some(mut started) = self.in_flight.pop_front() else {
                break;
            };
            if let (true, Some(lookup)) = (started.keys > 0, self.first.as_mut()) {
                started.answers = lookup.collect()?;
            }
            ready.push(started);
        }
        Ok(ready)
    }
}

impl Finisher {
    /// Joins a batch with its first lookup's answers, runs the other joins, filters and
    /// projects.
    fn finish(
        &mut self,
        started: Started,
        joins: &[JoinPlan],
        metrics: &Metrics,
    ) -> Result<Vec<Row>, String> {
        let now = proctime();
        let mut scratch = std::mem::take(&mut self.dim);
        let mut current = started.rows;
        if let Some(first) = joins.first() {
            let answers = SlotAnswers::new(first, started.answers, started.keys, &started.key_of)?;
            if self.direct {
                let (rows, key_of) = (current, started.key_of);
                let out = self.join_projected(first, rows, key_of, answers, &now, &mut scratch);
                self.dim = scratch;
                return out;
            }
            current = assemble(first, current, started.key_of, answers, &now, &mut scratch)?;
        }
        for (plan, lookup) in joins.iter().skip(1).zip(self.rest.iter_mut()) {
            let (count, key_of) = self.keys.build(plan, &current)?;
            let answers = if count == 0 {
                Answers::default()
            } else {
                metrics.lookups.fetch_add(count as u64, Ordering::Relaxed);
                lookup.submit(&self.keys.rows[..count])?;
                lookup.collect()?
            };
            let answers = SlotAnswers::new(plan, answers, count, &key_of)?;
            current = assemble(plan, current, key_of, answers, &now, &mut scratch)?;
        }
        self.dim = scratch;
        let mut out = Vec::with_capacity(current.len());
        for (kind, mut values) in current {
            if let Some(f) = &self.post_filter {
                if !f.test(&values)? {
                    continue;
                }
            }
            out.push(self.project(kind, &mut values, &mut [], &Value::Null, true)?);
        }
        Ok(out)
    }

    /// The projected rows of a batch joined with its answers, picked from each probe row and
    /// answer row (see `direct`): as `assemble` then the projection, without the joined rows.
    fn join_projected(
        &mut self,
        plan: &JoinPlan,
        rows: Rows,
        key_of: Vec<Option<usize>>,
        mut answers: SlotAnswers,
        now: &Value,
        scratch: &mut Vec<Value>,
    ) -> Result<Vec<Row>, String> {
        let mut out = Vec::with_capacity(rows.len());
        for ((kind, mut values), slot) in rows.into_iter().zip(key_of) {
            let count = answers.each(slot, scratch, |dim, last| {
                out.push(self.project(kind, &mut values, dim, now, last)?);
                Ok(())
            })?;
            // A left join's miss: the dimension's columns are NULL.
            if count == 0 && plan.left {
                out.push(self.project(kind, &mut values, &mut [], &Value::Null, true)?);
            }
        }
        Ok(out)
    }

    /// One projected row from a row and, in a direct join, the dimension row joined to it
    /// (`dim`; the columns after it, its PROCTIME ones, are `pad`); otherwise `dim` is empty and
    /// `values` is the whole row. A column read once by the projection moves, the row's only
    /// at its `last` use, and the projected row then takes the row's memory: one allocation
    /// (and one free on another thread) fewer per row.
    fn project(
        &mut self,
        kind: RowKind,
        values: &mut Vec<Value>,
        dim: &mut [Value],
        pad: &Value,
        last: bool,
    ) -> Result<Row, String> {
        let left = values.len();
        let projected = &mut self.projected;
        projected.clear();
        for ((p, c), take) in self.projection.iter().zip(&self.casts).zip(&self.takes) {
            let v = match p.input() {
                // Expressions read the whole row: a direct join projects columns only.
                None => p.eval(values)?,
                Some(i) => match (values.get_mut(i), dim.get_mut(i.wrapping_sub(left))) {
                    (Some(v), _) if last && take.is_some() => std::mem::replace(v, Value::Null),
                    (Some(v), _) => v.clone(),
                    (None, Some(d)) if take.is_some() => std::mem::replace(d, Value::Null),
                    (None, Some(d)) => d.clone(),
                    (None, None) => pad.clone(),
                },
            };
            projected.push(match c {
                Some(t) => cast(v, t)?,
                None => v,
            });
        }
        if !last {
            return Ok(Row::new(kind, std::mem::take(projected)));
        }
        let mut row = std::mem::take(values);
        row.clear();
        row.append(projected);
        Ok(Row::new(kind, row))
    }
}

/// Checks that a lookup answered each of the keys it was given: a missing answer would be a
/// silent miss.
fn answered(table: &str, answers: usize, keys: usize) -> Result<(), String> {
    if answers == keys {
        return Ok(());
    }
    Err(format!(
        "table '{table}': the lookup answered {answers} keys of {keys}"
    ))
}

/// A lookup's counters (join `i`'s lookup is `i`-th) and its close, when no batch is left.
fn end_lookup(
    counters: &Mutex<Vec<(usize, Counters)>>,
    metrics: &Metrics,
    i: usize,
    lookup: &mut dyn Lookup,
) {
    if let Ok(mut c) = counters.lock() {
        c.push((i, lookup.counters()));
    }
    if let Err(e) = lookup.close() {
        metrics.fail(e);
    }
}

fn execute(plan: Plan) -> Result<Outcome, HostError> {
    let started = Instant::now();
    let metrics = Arc::new(Metrics::default());
    let n = plan.parallelism;
    let failed = |m: String| HostError::Failed(m);
    // Sinks and lookups are created (and connect) before any row flows.
    let mut sinks: Vec<Box<dyn Sink>> = Vec::with_capacity(n);
    for task in 0..n {
        sinks.push(match (&plan.sink, &plan.collected) {
            (Some((table, provider)), _) => {
                create_sink(table, provider, task, n).map_err(failed)?
            }
            (None, Some(rows)) => Box::new(Collect { rows: rows.clone() }),
            (None, None) => return Err(HostError::Failed("no sink".into())),
        });
    }
    let direct = direct(&plan.joins, &plan.post_filter, &plan.projection);
    let mut probers = Vec::with_capacity(n);
    let mut finishers = Vec::with_capacity(n);
    for task in 0..n {
        let mut lookups = Vec::new();
        for j in &plan.joins {
            lookups.push(create_lookup(j, task, n).map_err(failed)?);
        }
        let mut lookups = lookups.into_iter();
        probers.push(Prober {
            pre_filter: plan.pre_filter.clone(),
            first: lookups.next(),
            keys: JoinKeys::default(),
            in_flight: Default::default(),
        });
        finishers.push(Finisher {
            rest: lookups.collect(),
            keys: JoinKeys::default(),
            post_filter: plan.post_filter.clone(),
            projection: plan.projection.clone(),
            casts: plan.casts.clone(),
            takes: takes(&plan.projection),
            direct,
            projected: Vec::new(),
            dim: Vec::new(),
        });
    }
    let mut source: Box<dyn Source> = match plan.source_provider {
        Provider::Builtin => builtin_source(&plan.source).map_err(failed)?,
        Provider::Plugin(_) => {
            return Err(HostError::Failed("plugin sources are not supported".into()))
        }
    };
    let source_keys = plan.source.key_columns();
    let source_proctime = plan.source.proctime.len();
    // Joined rows are made in the source rows' memory, unless the join is direct.
    let joined_width: usize = match direct {
        true => 0,
        false => plan.joins.iter().map(|j| j.width).sum(),
    };
    let joins = Arc::new(plan.joins);
    let sink_keys = plan.sink_keys.clone();
    let interval = plan.interval;
    let progress = Progress::start(metrics.clone(), started);

    let (worker_txs, worker_rxs): (Vec<_>, Vec<_>) =
        (0..n).map(|_| sync_channel::<Vec<Row>>(4)).unzip();
    let (sink_txs, sink_rxs): (Vec<_>, Vec<_>) =
        (0..n).map(|_| sync_channel::<Vec<Row>>(4)).unzip();
    let sink_counters = Arc::new(Mutex::new(Vec::<Counters>::new()));
    let lookup_counters = Arc::new(Mutex::new(Vec::<(usize, Counters)>::new()));

    std::thread::scope(|scope| {
        // Sink subtasks.
        for (sink, rx) in sinks.into_iter().zip(sink_rxs) {
            let metrics = metrics.clone();
            let counters = sink_counters.clone();
            scope.spawn(move || {
                let mut sink = sink;
                let mut last_flush = Instant::now();
                let mut result = Ok(());
                loop {
                    let wait = interval.saturating_sub(last_flush.elapsed());
                    match rx.recv_timeout(wait) {
                        Ok(rows) => {
                            if metrics.failed.load(Ordering::SeqCst) {
                                continue;
                            }
                            result = sink.write(&rows);
                            if result.is_ok() {
                                metrics
                                    .written
                                    .fetch_add(rows.len() as u64, Ordering::Relaxed);
                            }
                        }
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                    if result.is_ok() && last_flush.elapsed() >= interval {
                        result = sink.flush();
                        last_flush = Instant::now();
                    }
                    if let Err(e) = &result {
                        metrics.fail(e.clone());
                        break;
                    }
                }
                if result.is_ok() && !metrics.failed.load(Ordering::SeqCst) {
                    if let Err(e) = sink.flush() {
                        metrics.fail(e);
                    }
                }
                if let Err(e) = sink.close() {
                    metrics.fail(e);
                }
                if let Ok(mut c) = counters.lock() {
                    c.push(sink.counters());
                }
            });
        }
        // Subtasks: a prober and a finisher each.
        for ((mut prober, mut finisher), rx) in probers.into_iter().zip(finishers).zip(worker_rxs) {
            // Batches with their first join's answers, from the prober to the finisher.
            let (finish_tx, finish_rx) = sync_channel::<Started>(2);
            let metrics_p = metrics.clone();
            let joins_p = joins.clone();
            let lookup_counters_p = lookup_counters.clone();
            scope.spawn(move || {
                let metrics = metrics_p;
                // `None` after the last batch: the batches still out are collected.
                for batch in rx.into_iter().map(Some).chain([None]) {
                    if metrics.failed.load(Ordering::SeqCst) {
                        continue;
                    }
                    match prober.next(batch, &joins_p, &metrics) {
                        // The finisher is gone only when the sinks are: stop reading.
                        Ok(ready) => {
                            if ready.into_iter().any(|s| finish_tx.send(s).is_err()) {
                                break;
                            }
                        }
                        Err(e) => metrics.fail(e),
                    }
                }
                if let Some(lookup) = prober.first.as_mut() {
                    end_lookup(&lookup_counters_p, &metrics, 0, &mut **lookup);
                }
            });
            // The finisher.
            let metrics = metrics.clone();
            let sink_txs = sink_txs.clone();
            let joins = joins.clone();
            let sink_keys = sink_keys.clone();
            let lookup_counters = lookup_counters.clone();
            scope.spawn(move || {
                let send = |rows: Vec<Row>| -> bool {
                    let mut parts: Vec<Vec<Row>> = vec![Vec::new(); sink_txs.len()];
                    for row in rows {
                        parts[route(&row.values, &sink_keys, sink_txs.len())].push(row);
                    }
                    sink_txs
                        .iter()
                        .zip(parts)
                        .all(|(tx, part)| part.is_empty() || tx.send(part).is_ok())
                };
                for started in finish_rx {
                    if metrics.failed.load(Ordering::SeqCst) {
                        continue;
                    }
                    match finisher.finish(started, &joins, &metrics) {
                        Ok(rows) => {
                            if !send(rows) {
                                break;
                            }
                        }
                        Err(e) => metrics.fail(e),
                    }
                }
                for (i, lookup) in finisher.rest.iter_mut().enumerate() {
                    end_lookup(&lookup_counters, &metrics, i + 1, &mut **lookup);
                }
            });
        }
        drop(sink_txs);
        // The source, on this thread.
        let result = (|| -> Result<(), String> {
            while !metrics.stopping() {
                let Some(batch) = source.next_batch(1024)? else {
                    break;
                };
                metrics
                    .read
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
                let mut parts: Vec<Vec<Row>> = vec![Vec::new(); worker_txs.len()];
                for row in batch {
                    let mut row = row;
                    if source_proctime > 0 {
                        let now = proctime();
                        let mut values = row.values.into_vec();
                        // Room for the joined columns too, so joining moves nothing.
                        values.reserve_exact(source_proctime + joined_width);
                        values.extend(std::iter::repeat_n(now, source_proctime));
                        row.values = values.into();
                    }
                    parts[route(&row.values, &source_keys, worker_txs.len())].push(row);
                }
                for (tx, part) in worker_txs.iter().zip(parts) {
                    if !part.is_empty() && tx.send(part).is_err() {
                        return Ok(());
                    }
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            metrics.fail(e);
        }
        drop(worker_txs);
    });
    progress.finish();
    let elapsed = started.elapsed();
    let counters = sink_counters.lock().map(|c| c.clone()).unwrap_or_default();
    let lookups: Vec<(String, Counters)> = lookup_counters
        .lock()
        .map(|c| {
            c.iter()
                .map(|(i, counters)| (joins[*i].table.name.clone(), counters.clone()))
                .collect()
        })
        .unwrap_or_default();
    summary(
        &plan.source.name,
        &plan_name(&plan.sink),
        &metrics,
        &counters,
        &lookups,
        elapsed,
    );
    if let Some(failure) = metrics.failure.lock().ok().and_then(|f| f.clone()) {
        return Err(HostError::Failed(failure));
    }
    Ok(if STOP.load(Ordering::SeqCst) {
        Outcome::Interrupted
    } else {
        Outcome::Finished
    })
}

fn plan_name(sink: &Option<(TableDef, Provider)>) -> String {
    sink.as_ref()
        .map(|(t, _)| t.name.clone())
        .unwrap_or_else(|| "(select)".into())
}

fn totals<'a>(counters: impl Iterator<Item = &'a Counters>) -> BTreeMap<String, u64> {
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    for c in counters {
        for (k, v) in c {
            *totals.entry(k.clone()).or_default() += v;
        }
    }
    totals
}

/// The summary on stderr: the job's line, then one line per sink and lookup table with its
/// counters summed over the subtasks.
fn summary(
    source: &str,
    sink: &str,
    metrics: &Metrics,
    sinks: &[Counters],
    lookups: &[(String, Counters)],
    elapsed: Duration,
) {
    let read = metrics.read.load(Ordering::Relaxed);
    let mut text = format!(
        "summary: {read} rows read from '{source}', {} rows handed to '{sink}', {:.2} s, {:.0} rows/s\n",
        metrics.written.load(Ordering::Relaxed),
        elapsed.as_secs_f64(),
        read as f64 / elapsed.as_secs_f64().max(1e-9)
    );
    let sink_totals = totals(sinks.iter());
    if !sink_totals.is_empty() {
        let parts: Vec<String> = sink_totals
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        text.push_str(&format!("  sink '{sink}': {}\n", parts.join(", ")));
    }
    let mut names: Vec<&String> = lookups.iter().map(|(n, _)| n).collect();
    names.sort();
    names.dedup();
    for name in names {
        let t = totals(lookups.iter().filter(|(n, _)| n == name).map(|(_, c)| c));
        let mut parts: Vec<String> = t.iter().map(|(k, v)| format!("{k} {v}")).collect();
        if let (Some(hits), Some(lookups)) = (t.get("cache_hits"), t.get("lookups")) {
            if *lookups > 0 {
                parts.push(format!(
                    "cache hit rate {:.0}%",
                    100.0 * *hits as f64 / *lookups as f64
                ));
            }
        }
        text.push_str(&format!("  lookup '{name}': {}\n", parts.join(", ")));
    }
    let keys = metrics.lookups.load(Ordering::Relaxed);
    if keys > 0 {
        text.push_str(&format!("  {keys} keys looked up\n"));
    }
    eprint!("{text}");
}

/// Rows as a table with a header, for `SELECT` on its own.
fn render_table(names: &[String], rows: &[Row]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            std::iter::once(r.kind.short_string().to_string())
                .chain(r.values.iter().map(|v| {
                    if v.is_null() {
                        "<NULL>".into()
                    } else {
                        to_text(v)
                    }
                }))
                .collect()
        })
        .collect();
    let header: Vec<String> = std::iter::once("op".to_string())
        .chain(names.iter().cloned())
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .chain(std::iter::once(header[i].chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |row: &[String]| -> String {
        let parts: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!(" {c:<w$} "))
            .collect();
        format!("|{}|\n", parts.join("|"))
    };
    let rule = format!(
        "+{}+\n",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("+")
    );
    let mut out = rule.clone();
    out.push_str(&line(&header));
    out.push_str(&rule);
    for r in &cells {
        out.push_str(&line(r));
    }
    out.push_str(&rule);
    out.push_str(&format!("{} row(s) in set\n", rows.len()));
    out
}

/// A live progress line on a terminal (nothing otherwise).
struct Progress {
    done: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(metrics: Arc<Metrics>, started: Instant) -> Progress {
        use std::io::IsTerminal;
        let done = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Progress { done, handle: None };
        }
        let flag = done.clone();
        let handle = std::thread::spawn(move || {
            let bar = indicatif::ProgressBar::new_spinner();
            while !flag.load(Ordering::SeqCst) {
                let read = metrics.read.load(Ordering::Relaxed);
                let seconds = started.elapsed().as_secs_f64().max(1e-9);
                bar.set_message(format!(
                    "{read} rows read, {} written, {:.0} rows/s, {} keys looked up",
                    metrics.written.load(Ordering::Relaxed),
                    read as f64 / seconds,
                    metrics.lookups.load(Ordering::Relaxed)
                ));
                bar.tick();
                std::thread::sleep(Duration::from_millis(200));
            }
            bar.finish_and_clear();
        });
        Progress {
            done,
            handle: Some(handle),
        }
    }

    fn finish(mut self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connector_interface::TypeKind;

    #[test]
    fn a_lookup_that_answers_too_few_or_too_many_keys_is_an_error_not_a_miss() {
        assert_eq!(answered("dim", 3, 3), Ok(()));
        assert_eq!(
            answered("dim", 2, 3),
            Err("table 'dim': the lookup answered 2 keys of 3".to_string())
        );
        assert!(answered("dim", 4, 3).is_err());
    }

    #[test]
    fn only_columns_read_once_are_moved_out_of_the_row() {
        let int = || DataType::new(TypeKind::INT);
        let projection = vec![
            Bound::Input(0, int()),
            Bound::Input(1, int()),
            Bound::Binary(
                BinaryOp::Add,
                Box::new(Bound::Input(0, int())),
                Box::new(Bound::Literal(Value::Int(1), int())),
                int(),
            ),
            Bound::Input(2, int()),
            Bound::Input(2, int()),
        ];
        assert_eq!(takes(&projection), vec![None, Some(1), None, None, None]);
    }
}
