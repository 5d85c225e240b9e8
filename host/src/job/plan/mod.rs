//! A statement to a plan: the source, lookup joins (`joins.rs`), filters, the projection, the
//! INSERT mapping (`insert.rs`), the settings it reads (`settings.rs`) and the explain text
//! (`explain.rs`).

mod explain;
mod insert;
mod joins;
mod settings;

use super::*;
use crate::sql::ast::LookupJoin;
use explain::*;
use insert::*;
use joins::*;
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
        let mut t = DataType::new(connector_interface::TypeKind::TIMESTAMP_LTZ).not_null();
        t.precision = 3;
        scope.columns.push(ScopeColumn {
            qualifier: qualifier.to_string(),
            name: p.clone(),
            data_type: t,
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
            // A plugin's scan is bounded (interface 1.x).
            if matches!(source_provider, Provider::Builtin) && !builtin_bounded(&source) {
                return Err(HostError::Rejected(format!(
                    "{}: SELECT prints its rows only from a bounded source; table '{}' is unbounded (give datagen 'number-of-rows')",
                    query.pos, source.name
                )));
            }
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
        collected,
        output_names,
        parallelism,
        interval,
        explain,
    })
}
