//! A statement to a plan: sources, lookup joins, filters, the projection, the INSERT mapping
//! and the explain text.

use super::*;

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
                "  sink {} (rows routed by {}; flushed on every checkpoint, every {} ms)\n",
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
