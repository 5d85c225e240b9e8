//! A statement to a plan: the source, lookup joins (`joins.rs`), filters, the projection, the
//! INSERT mapping (`insert.rs`), the settings it reads (`settings.rs`) and the explain text
//! (`explain.rs`).

mod aggregate;
mod explain;
mod insert;
mod joins;
mod settings;

use super::*;
use crate::sql::ast::LookupJoin;
pub(crate) use aggregate::*;
use explain::*;
use insert::*;
use joins::*;
pub(crate) use settings::warn_unused;
use settings::*;

/// One lookup join, planned.
pub(crate) struct JoinPlan {
    pub(crate) table: TableDef,
    pub(crate) provider: Provider,
    pub(crate) left: bool,
    /// Expressions over the layout before this join, giving the key row.
    pub(crate) keys: Vec<Bound>,
    pub(crate) key_types: Vec<DataType>,
    pub(crate) lookup_columns: Vec<usize>,
    /// Columns this join appends: the dimension's stored columns, then its PROCTIME ones.
    pub(crate) width: usize,
}

pub(crate) struct Plan {
    pub(crate) source: TableDef,
    pub(crate) source_provider: Provider,
    pub(crate) pre_filter: Option<Bound>,
    pub(crate) joins: Vec<JoinPlan>,
    pub(crate) post_filter: Option<Bound>,
    pub(crate) projection: Vec<Bound>,
    /// Casts to the sink's column types, where they differ.
    pub(crate) casts: Vec<Option<DataType>>,
    pub(crate) sink: Option<(TableDef, Provider)>,
    pub(crate) sink_keys: Vec<usize>,
    /// A `GROUP BY`: done by the sink subtasks before their sink (rows are routed there by
    /// the group keys); the projection above gives the rows before grouping.
    pub(crate) aggregate: Option<AggregatePlan>,
    pub(crate) collected: Option<Arc<Mutex<Vec<Row>>>>,
    pub(crate) output_names: Vec<String>,
    pub(crate) parallelism: usize,
    pub(crate) interval: Duration,
    pub(crate) explain: String,
}

pub(crate) fn block(scope: &mut Scope, table: &TableDef, qualifier: &str) {
    for c in &table.columns {
        scope.columns.push(ScopeColumn {
            qualifier: qualifier.to_string(),
            name: c.name.to_string(),
            data_type: c.data_type.clone(),
        });
    }
    for p in &table.proctime {
        scope.columns.push(ScopeColumn {
            qualifier: qualifier.to_string(),
            name: p.clone(),
            data_type: crate::expr::proctime_type(),
        });
    }
    for (name, bound) in &table.computed {
        scope.columns.push(ScopeColumn {
            qualifier: qualifier.to_string(),
            name: name.clone(),
            data_type: bound.data_type().clone(),
        });
    }
}

pub(crate) fn reject(e: crate::expr::BindError) -> HostError {
    HostError::Rejected(e.to_string())
}

/// The conjuncts of an `AND` chain.
pub(crate) fn conjuncts(expr: &Expr, out: &mut Vec<Expr>) {
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

pub(crate) fn uses_only(bound: &Bound, width: usize) -> bool {
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

pub(crate) fn plan(
    catalog: &mut Catalog,
    query: &Query,
    sink: Option<(&TableDef, Option<&[String]>)>,
    options: &JobOptions,
) -> Result<Plan, HostError> {
    let (parallelism, interval) = settings(catalog, options)?;
    let source = catalog.table(&query.from.name, query.from.pos)?.clone();
    let source_provider = catalog.provider(&source, Roles::SCAN, &[])?;
    let mut scope = Scope::default();
    block(&mut scope, &source, query.from.qualifier());
    let source_width = scope.columns.len();
    let mut joins = Vec::new();
    for join in &query.joins {
        joins.push(plan_join(catalog, &mut scope, join)?);
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
    if query.aggregates() {
        return plan_grouped(
            catalog,
            query,
            sink,
            scope,
            Parts {
                source,
                source_provider,
                pre_filter,
                joins,
                post_filter,
                parallelism,
                interval,
            },
        );
    }
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
            let insert = map_insert(catalog, query, table, columns, projection, &output_names)?;
            projection = insert.projection;
            casts = insert.casts;
            output_names = insert.output_names;
            (Some((table.clone(), insert.provider)), insert.keys)
        }
        None => {
            check_bounded(query, &source, &source_provider)?;
            collected = Some(Arc::new(Mutex::new(Vec::new())));
            (None, vec![0])
        }
    };
    let explain = explain(
        catalog,
        &source,
        &joins,
        &sink_plan,
        &sink_keys,
        pre_filter.is_some(),
        post_filter.is_some(),
        &output_names,
        None,
        parallelism,
        interval,
    );
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
        aggregate: None,
        collected,
        output_names,
        parallelism,
        interval,
        explain,
    })
}

/// A SELECT prints its rows only from a bounded source (a plugin's scan is bounded in 1.x).
fn check_bounded(query: &Query, source: &TableDef, provider: &Provider) -> Result<(), HostError> {
    if matches!(provider, Provider::Builtin) && !builtin_bounded(source) {
        return Err(HostError::Rejected(format!(
            "{}: SELECT prints its rows only from a bounded source; table '{}' is unbounded (give datagen 'number-of-rows')",
            query.pos, source.name
        )));
    }
    Ok(())
}

/// What a plan has before its projection: the source, its filters and joins, its settings.
struct Parts {
    source: TableDef,
    source_provider: Provider,
    pre_filter: Option<Bound>,
    joins: Vec<JoinPlan>,
    post_filter: Option<Bound>,
    parallelism: usize,
    interval: Duration,
}

/// The plan of a `GROUP BY` query (see `aggregate.rs`): the finisher projects the rows before
/// grouping, routed by the group keys to the sink subtasks, which aggregate and emit the
/// select list (mapped to the sink's columns) as an update changelog.
fn plan_grouped(
    catalog: &mut Catalog,
    query: &Query,
    sink: Option<(&TableDef, Option<&[String]>)>,
    scope: Scope,
    parts: Parts,
) -> Result<Plan, HostError> {
    let (parallelism, interval) = (parts.parallelism, parts.interval);
    let Grouping {
        pre,
        mut plan,
        items,
        names,
    } = grouping(&scope, query)?;
    let mut collected = None;
    let (sink_plan, output_names) = match sink {
        Some((table, columns)) => {
            let insert = map_insert(catalog, query, table, columns, items, &names)?;
            check_sink(table, &plan, &insert.projection)?;
            plan.outputs = insert.projection;
            plan.casts = insert.casts;
            plan.update_before = table.connector() == "print";
            (Some((table.clone(), insert.provider)), insert.output_names)
        }
        None => {
            check_bounded(query, &parts.source, &parts.source_provider)?;
            collected = Some(Arc::new(Mutex::new(Vec::new())));
            plan.casts = vec![None; items.len()];
            plan.outputs = items;
            (None, names)
        }
    };
    let sink_keys: Vec<usize> = (0..plan.keys).collect();
    let explain = explain(
        catalog,
        &parts.source,
        &parts.joins,
        &sink_plan,
        &[],
        parts.pre_filter.is_some(),
        parts.post_filter.is_some(),
        &output_names,
        Some(&plan),
        parallelism,
        interval,
    );
    Ok(Plan {
        source: parts.source,
        source_provider: parts.source_provider,
        pre_filter: parts.pre_filter,
        joins: parts.joins,
        post_filter: parts.post_filter,
        casts: vec![None; pre.len()],
        projection: pre,
        sink: sink_plan,
        sink_keys,
        aggregate: Some(plan),
        collected,
        output_names,
        parallelism,
        interval,
        explain,
    })
}
