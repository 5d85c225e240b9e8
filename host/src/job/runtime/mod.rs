//! The runtime: one source thread reads batches and routes rows by the source table's key to
//! `parallelism` subtasks; a subtask is a prober (`prober.rs`) and a finisher (`finisher.rs`);
//! the finisher routes rows by the sink's key to the sink subtasks. `summary.rs` prints what a
//! job did, `progress.rs` the live line on a terminal.

mod finisher;
mod prober;
mod progress;
mod summary;

use super::*;
pub(crate) use finisher::*;
pub(crate) use prober::*;
use progress::*;
pub(crate) use summary::*;

pub(crate) fn route(values: &[Value], keys: &[usize], n: usize) -> usize {
    if n == 1 {
        return 0;
    }
    let key = keys.iter().map(|k| values.get(*k).unwrap_or(&Value::Null));
    (hash_iter(key) % n as u64) as usize
}

/// A sink's counters, by name.
pub(crate) type Counters = Vec<(String, u64)>;

/// Counters shared by the threads of a job, for the progress line and the summary.
#[derive(Default)]
pub(crate) struct Metrics {
    pub(crate) read: AtomicU64,
    pub(crate) written: AtomicU64,
    pub(crate) lookups: AtomicU64,
    pub(crate) failure: Mutex<Option<String>>,
    pub(crate) failed: AtomicBool,
}

impl Metrics {
    pub(crate) fn fail(&self, message: String) {
        if let Ok(mut f) = self.failure.lock() {
            if f.is_none() {
                *f = Some(message);
            }
        }
        self.failed.store(true, Ordering::SeqCst);
    }

    pub(crate) fn stopping(&self) -> bool {
        self.failed.load(Ordering::SeqCst) || STOP.load(Ordering::SeqCst)
    }
}

pub(crate) fn create_lookup(
    j: &JoinPlan,
    task: usize,
    parallelism: usize,
) -> Result<Box<dyn Lookup>, String> {
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

pub(crate) fn create_sink(
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

/// Checks that a lookup answered each of the keys it was given: a missing answer would be a
/// silent miss.
pub(crate) fn answered(table: &str, answers: usize, keys: usize) -> Result<(), String> {
    if answers == keys {
        return Ok(());
    }
    Err(format!(
        "table '{table}': the lookup answered {answers} keys of {keys}"
    ))
}

/// A lookup's counters (join `i`'s lookup is `i`-th) and its close, when no batch is left.
pub(crate) fn end_lookup(
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

pub(crate) fn execute(plan: Plan) -> Result<Outcome, HostError> {
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
    let shows = Shows {
        lookups: !plan.joins.is_empty(),
        // Rows a `print` sink writes to the terminal would be mixed with the line: no line then.
        rows_on_terminal: {
            use std::io::IsTerminal;
            let prints = plan
                .sink
                .as_ref()
                .is_some_and(|(t, _)| t.connector() == "print");
            prints && std::io::stdout().is_terminal()
        },
    };
    let joins = Arc::new(plan.joins);
    let sink_keys = plan.sink_keys.clone();
    let interval = plan.interval;
    let progress = Progress::start(metrics.clone(), started, shows);

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

#[cfg(test)]
mod tests {
    use super::*;
    use connector_interface::TypeKind;

    #[test]
    pub(crate) fn a_lookup_that_answers_too_few_or_too_many_keys_is_an_error_not_a_miss() {
        assert_eq!(answered("dim", 3, 3), Ok(()));
        assert_eq!(
            answered("dim", 2, 3),
            Err("table 'dim': the lookup answered 2 keys of 3".to_string())
        );
        assert!(answered("dim", 4, 3).is_err());
    }

    #[test]
    pub(crate) fn only_columns_read_once_are_moved_out_of_the_row() {
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
