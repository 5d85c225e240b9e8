//! A `GROUP BY` query, planned as Flink plans a streaming group aggregation: the rows before
//! grouping carry the group keys then the aggregates' arguments (the finisher projects them);
//! they are routed by the group keys, so every change of a group reaches one aggregation
//! subtask in order; the select list and `HAVING` are then bound over the group row (the keys,
//! then the aggregates' results) and evaluated on every change the aggregation emits.

use super::*;
use crate::sql::ast::{AggregateFunction, Pos};
use connector_interface::TypeKind;

/// One aggregate call of a query.
#[derive(Debug, Clone)]
pub(crate) struct AggregateCall {
    pub(crate) function: AggregateFunction,
    pub(crate) distinct: bool,
    /// The column of the row before grouping it reads; `None` for `COUNT(*)`.
    pub(crate) input: Option<usize>,
    /// The type of what it reads (BIGINT for `COUNT(*)`).
    pub(crate) input_type: DataType,
    pub(crate) result: DataType,
}

/// A query's grouping, planned.
#[derive(Debug, Clone)]
pub(crate) struct AggregatePlan {
    /// The group keys are the first `keys` columns of the row before grouping.
    pub(crate) keys: usize,
    pub(crate) calls: Vec<AggregateCall>,
    /// Over the group row: `HAVING`.
    pub(crate) having: Option<Bound>,
    /// Over the group row: the rows it emits (the sink's columns, in its order).
    pub(crate) outputs: Vec<Bound>,
    pub(crate) casts: Vec<Option<DataType>>,
    /// Whether `-U` rows are emitted (Flink's `generateUpdateBefore`): for sinks that show the
    /// changelog (print, a printed SELECT). Sinks that upsert by key ignore them, so they get
    /// none, except that a `-U` whose `+U` the `HAVING` dropped is sent as `-D` (as the
    /// upsert sinks of Flink treat `-U`: the group left the result).
    pub(crate) update_before: bool,
    /// `GroupAggregate(groupBy=[...])`, for messages and explain.
    pub(crate) node: String,
}

/// The grouping of a query over `scope` (its source and joins): the row before grouping
/// (`pre`), the plan, the select list over the group row and its names.
pub(crate) struct Grouping {
    pub(crate) pre: Vec<Bound>,
    pub(crate) plan: AggregatePlan,
    pub(crate) items: Vec<Bound>,
    pub(crate) names: Vec<String>,
}

/// The qualifier of the group row's columns: a name SQL cannot write.
const GROUPED: &str = "$grouped";

/// Flink's message for an expression in the select list or HAVING that is neither a group key
/// nor inside an aggregate.
fn not_grouped(expr: &Expr) -> HostError {
    let shown = match expr {
        Expr::Column {
            qualifier: Some(q),
            name,
            ..
        } => format!("{q}.{name}"),
        Expr::Column { name, .. } => name.clone(),
        _ => "*".to_string(),
    };
    HostError::Rejected(format!(
        "{}: Expression '{shown}' is not being grouped",
        expr.pos()
    ))
}

/// The planning state of one grouping: the scope before grouping, its keys and the aggregate
/// calls found so far (each once).
struct Grouper<'a> {
    scope: &'a Scope,
    keys: Vec<Bound>,
    /// Per call: its argument's bound form (deduplication) and the call.
    calls: Vec<(Option<Bound>, AggregateCall)>,
}

impl Grouper<'_> {
    /// `expr` with its group keys and aggregate calls replaced by the group row's columns.
    fn rewrite(&mut self, expr: &Expr) -> Result<Expr, HostError> {
        let column = |name: String, pos| Expr::Column {
            qualifier: Some(GROUPED.to_string()),
            name,
            pos,
        };
        if !expr.has_aggregate() {
            if let Ok(bound) = self.scope.bind(expr) {
                if let Some(j) = self.keys.iter().position(|k| *k == bound) {
                    return Ok(column(format!("key{j}"), expr.pos()));
                }
            }
        }
        let mut copy = expr.clone();
        match &mut copy {
            Expr::Column { .. } => return Err(not_grouped(expr)),
            Expr::Literal(..) => {}
            Expr::Aggregate {
                function,
                distinct,
                arg,
                pos,
            } => {
                let i = self.call(*function, *distinct, arg.as_deref(), *pos)?;
                return Ok(column(format!("agg{i}"), *pos));
            }
            Expr::Cast { expr: e, .. }
            | Expr::Not(e, _)
            | Expr::Negate(e, _)
            | Expr::IsNull { expr: e, .. } => **e = self.rewrite(e)?,
            Expr::Binary { left, right, .. } => {
                **left = self.rewrite(left)?;
                **right = self.rewrite(right)?;
            }
            Expr::Function { args, .. } => {
                for a in args {
                    *a = self.rewrite(a)?;
                }
            }
            Expr::Case {
                whens, otherwise, ..
            } => {
                for (c, v) in whens {
                    *c = self.rewrite(c)?;
                    *v = self.rewrite(v)?;
                }
                if let Some(o) = otherwise {
                    **o = self.rewrite(o)?;
                }
            }
        }
        Ok(copy)
    }

    /// The index of an aggregate call (found again when the same call appears twice).
    fn call(
        &mut self,
        function: AggregateFunction,
        distinct: bool,
        arg: Option<&Expr>,
        pos: Pos,
    ) -> Result<usize, HostError> {
        let name = function.name();
        let bound = match arg {
            Some(a) if a.has_aggregate() => {
                return Err(HostError::Rejected(format!(
                    "{pos}: not supported: an aggregate function inside {name}"
                )))
            }
            Some(a) => Some(self.scope.bind(a).map_err(reject)?),
            None => None,
        };
        if let Some(i) = self.calls.iter().position(|(b, c)| {
            c.function == function
                && c.distinct == distinct
                && match (b, &bound) {
                    (Some(x), Some(y)) => x == y,
                    (None, None) => true,
                    _ => false,
                }
        }) {
            return Ok(i);
        }
        let input_type = bound.as_ref().map_or_else(
            || DataType::new(TypeKind::BIGINT),
            |b| b.data_type().clone(),
        );
        let result = result_type(function, &input_type).ok_or_else(|| {
            HostError::Rejected(format!(
                "{pos}: Cannot apply '{name}' to arguments of type '{name}(<{input_type}>)'. Supported form(s): '{name}(<{}>)'",
                match function {
                    AggregateFunction::Sum | AggregateFunction::Avg => "NUMERIC",
                    _ => "COMPARABLE_TYPE",
                }
            ))
        })?;
        self.calls.push((
            bound,
            AggregateCall {
                function,
                distinct,
                input: None,
                input_type,
                result,
            },
        ));
        Ok(self.calls.len() - 1)
    }
}

/// The result type of an aggregate as Flink derives it; `None` when it does not apply.
fn result_type(function: AggregateFunction, input: &DataType) -> Option<DataType> {
    use TypeKind as K;
    let numeric = matches!(
        input.kind,
        K::TINYINT | K::SMALLINT | K::INT | K::BIGINT | K::FLOAT | K::DOUBLE | K::DECIMAL
    );
    let decimal = |scale: u32| {
        let mut t = DataType::new(K::DECIMAL);
        t.precision = 38;
        t.scale = scale;
        t
    };
    match function {
        AggregateFunction::Count => Some(DataType::new(K::BIGINT).not_null()),
        AggregateFunction::Sum | AggregateFunction::Avg if !numeric => None,
        AggregateFunction::Sum if input.kind == K::DECIMAL => Some(decimal(input.scale)),
        AggregateFunction::Avg if input.kind == K::DECIMAL => Some(decimal(input.scale.max(6))),
        AggregateFunction::Sum | AggregateFunction::Avg => Some(DataType::new(input.kind)),
        AggregateFunction::Min | AggregateFunction::Max => {
            let comparable = numeric
                || matches!(
                    input.kind,
                    K::CHAR
                        | K::VARCHAR
                        | K::BOOLEAN
                        | K::DATE
                        | K::TIME
                        | K::TIMESTAMP
                        | K::TIMESTAMP_LTZ
                        | K::BINARY
                        | K::VARBINARY
                );
            comparable.then(|| {
                let mut t = input.clone();
                t.nullable = true;
                t
            })
        }
    }
}

/// Plans the grouping of `query` over `scope`.
pub(crate) fn grouping(scope: &Scope, query: &Query) -> Result<Grouping, HostError> {
    let mut keys = Vec::new();
    let mut key_names = Vec::new();
    for e in &query.group_by {
        if e.has_aggregate() {
            return Err(HostError::Rejected(format!(
                "{}: Aggregate functions are not allowed in GROUP BY",
                e.pos()
            )));
        }
        let bound = scope.bind(e).map_err(reject)?;
        if !keys.contains(&bound) {
            key_names.push(e.default_name(keys.len()));
            keys.push(bound);
        }
    }
    let mut grouper = Grouper {
        scope,
        keys,
        calls: Vec::new(),
    };
    let mut rewritten = Vec::new();
    let mut names = Vec::new();
    for item in &query.items {
        match item {
            SelectItem::Wildcard(pos) => {
                return Err(HostError::Rejected(format!(
                "{pos}: not supported: SELECT * with GROUP BY (name the group keys and aggregates)"
            )))
            }
            SelectItem::Expr { expr, alias } => {
                names.push(
                    alias
                        .clone()
                        .unwrap_or_else(|| expr.default_name(rewritten.len())),
                );
                rewritten.push(grouper.rewrite(expr)?);
            }
        }
    }
    let having = query
        .having
        .as_ref()
        .map(|h| grouper.rewrite(h).map(|r| (r, h.pos())))
        .transpose()?;
    let Grouper { keys, calls, .. } = grouper;
    // The group row: the keys, then the aggregates' results.
    let mut group_scope = Scope::default();
    for (j, k) in keys.iter().enumerate() {
        group_scope.columns.push(ScopeColumn {
            qualifier: GROUPED.to_string(),
            name: format!("key{j}"),
            data_type: k.data_type().clone(),
        });
    }
    for (i, (_, c)) in calls.iter().enumerate() {
        group_scope.columns.push(ScopeColumn {
            qualifier: GROUPED.to_string(),
            name: format!("agg{i}"),
            data_type: c.result.clone(),
        });
    }
    let items = rewritten
        .iter()
        .map(|e| group_scope.bind(e).map_err(reject))
        .collect::<Result<Vec<_>, _>>()?;
    let having = match having {
        None => None,
        Some((h, pos)) => {
            let bound = group_scope.bind(&h).map_err(reject)?;
            if bound.data_type().kind != TypeKind::BOOLEAN {
                return Err(HostError::Rejected(format!(
                    "{pos}: HAVING needs a BOOLEAN condition, found {}",
                    bound.data_type()
                )));
            }
            Some(bound)
        }
    };
    // The row before grouping: the keys, then each call's argument.
    let mut pre = keys.clone();
    let mut plan_calls = Vec::new();
    for (bound, mut call) in calls {
        if let Some(b) = bound {
            call.input = Some(pre.len());
            pre.push(b);
        }
        plan_calls.push(call);
    }
    let node = format!("GroupAggregate(groupBy=[{}])", key_names.join(", "));
    Ok(Grouping {
        pre,
        plan: AggregatePlan {
            keys: keys.len(),
            calls: plan_calls,
            having,
            outputs: Vec::new(),
            casts: Vec::new(),
            update_before: true,
            node,
        },
        items,
        names,
    })
}

/// Checks that `sink` can take the update changelog of `plan` and that its rows can be routed
/// by the group keys: an upsert sink (any but print and blackhole) needs a PRIMARY KEY, and it
/// must be the group keys, so each of its keys is written by one subtask in the order of the
/// group's changes. `outputs` are the sink's columns over the group row.
pub(crate) fn check_sink(
    sink: &TableDef,
    plan: &AggregatePlan,
    outputs: &[Bound],
) -> Result<(), HostError> {
    let connector = sink.connector();
    if matches!(connector, "print" | "blackhole") {
        return Ok(());
    }
    let full = format!("default_catalog.default_database.{}", sink.name);
    if connector == "filesystem" || sink.primary_key.is_empty() {
        let hint = match connector {
            "filesystem" => "the filesystem connector writes inserts only".to_string(),
            _ => format!(
                "declare the GROUP BY columns as its PRIMARY KEY (...) NOT ENFORCED to upsert them into '{}'",
                sink.name
            ),
        };
        return Err(HostError::Rejected(format!(
            "Table sink '{full}' doesn't support consuming update and delete changes which is produced by node {} ({hint})",
            plan.node
        )));
    }
    let key_of = |b: &Bound| match b {
        Bound::Input(j, _) if *j < plan.keys => Some(*j),
        Bound::Cast(e, _) => match **e {
            Bound::Input(j, _) if j < plan.keys => Some(j),
            _ => None,
        },
        _ => None,
    };
    let mut covered: Vec<usize> = sink
        .primary_key
        .iter()
        .filter_map(|c| key_of(&outputs[*c]))
        .collect();
    covered.sort_unstable();
    covered.dedup();
    if covered.len() != plan.keys || sink.primary_key.len() != plan.keys {
        let pk: Vec<String> = sink
            .primary_key
            .iter()
            .map(|c| sink.columns[*c].name.to_string())
            .collect();
        return Err(HostError::Rejected(format!(
            "not supported: the PRIMARY KEY ({}) of table '{}' is not the GROUP BY columns of {}: write each group key to a PRIMARY KEY column",
            pk.join(", "),
            sink.name,
            plan.node
        )));
    }
    Ok(())
}
