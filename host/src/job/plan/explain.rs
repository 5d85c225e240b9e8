//! The explain text of a plan: its tables (options masked) and its operators.

use super::*;

#[allow(clippy::too_many_arguments)]
pub(crate) fn explain(
    catalog: &mut Catalog,
    source: &TableDef,
    joins: &[JoinPlan],
    sink_plan: &Option<(TableDef, Provider)>,
    sink_keys: &[usize],
    pre_filter: bool,
    post_filter: bool,
    output_names: &[String],
    grouping: Option<&AggregatePlan>,
    parallelism: usize,
    interval: Duration,
) -> String {
    let mut explain = String::new();
    let mut tables = vec![(source, "source")];
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
            .chain(
                t.computed
                    .iter()
                    .map(|(c, b)| format!("{c} {} (computed)", b.data_type())),
            )
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
    if pre_filter {
        explain.push_str("  filter (on the source's columns, before the lookups)\n");
    }
    for j in joins {
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
    if post_filter {
        explain.push_str("  filter\n");
    }
    let routed = match grouping {
        Some(g) => {
            explain.push_str(&format!(
                "  {}: rows routed by the group keys; keyed state per group in the sink subtasks; an update changelog{}\n",
                g.node,
                if g.having.is_some() { ", then HAVING" } else { "" }
            ));
            "the group keys".to_string()
        }
        None => sink_plan.as_ref().map_or_else(String::new, |(t, _)| {
            sink_keys
                .iter()
                .map(|i| t.columns[*i].name.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }),
    };
    explain.push_str(&format!("  project ({})\n", output_names.join(", ")));
    match sink_plan {
        Some((t, _)) => explain.push_str(&format!(
            "  sink {} (rows routed by {routed}; flushed on every checkpoint, every {} ms)\n",
            t.name,
            interval.as_millis()
        )),
        None => explain.push_str("  print as a table\n"),
    }
    explain
}
