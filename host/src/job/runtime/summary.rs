//! What a job did: the summary on stderr and `SELECT`'s table.

use super::*;

pub(crate) fn plan_name(sink: &Option<(TableDef, Provider)>) -> String {
    sink.as_ref()
        .map(|(t, _)| t.name.clone())
        .unwrap_or_else(|| "(select)".into())
}

pub(crate) fn totals<'a>(counters: impl Iterator<Item = &'a Counters>) -> BTreeMap<String, u64> {
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
pub(crate) fn summary(
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
    let checkpoints = metrics.checkpoints.load(Ordering::Relaxed);
    text.push_str(&format!(
        "  {checkpoints} checkpoints completed (the final one included)\n"
    ));
    eprint!("{text}");
}

/// Rows as a table with a header, for `SELECT` on its own.
pub(crate) fn render_table(names: &[String], rows: &[Row]) -> String {
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
