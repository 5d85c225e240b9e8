//! The INSERT mapping: the query's columns to the sink's, in the sink's order, with casts,
//! and NULL for the columns the INSERT does not name.

use super::*;

/// An INSERT's projection in the sink's column order, and what else it decides.
pub(crate) struct Insert {
    pub(crate) projection: Vec<Bound>,
    pub(crate) casts: Vec<Option<DataType>>,
    pub(crate) output_names: Vec<String>,
    pub(crate) provider: Provider,
    /// The columns rows are routed to the sink subtasks by.
    pub(crate) keys: Vec<usize>,
}

pub(crate) fn map_insert(
    catalog: &mut Catalog,
    query: &Query,
    table: &TableDef,
    columns: Option<&[String]>,
    projection: Vec<Bound>,
    output_names: &[String],
) -> Result<Insert, HostError> {
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
                        HostError::Rejected(format!("table '{}' has no column '{n}'", table.name))
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
    let mut casts = vec![None; table.columns.len()];
    // Reorder the projection into the sink's column order.
    let mut ordered = vec![None; table.columns.len()];
    let mut names = vec![String::new(); table.columns.len()];
    for (i, (bound, target)) in projection.into_iter().zip(&targets).enumerate() {
        let column = &table.columns[*target];
        let from = bound.data_type();
        if !assignable(from, &column.data_type) && from.kind != connector_interface::TypeKind::OTHER
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
        if from.kind != column.data_type.kind || from.precision != column.data_type.precision {
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
    let projection = ordered.into_iter().flatten().collect();
    let output_names = names;
    Ok(Insert {
        projection,
        casts,
        output_names,
        provider,
        keys: table.key_columns(),
    })
}
