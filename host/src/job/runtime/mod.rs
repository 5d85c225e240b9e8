//! The runtime: source subtasks (`sources.rs`) read and route rows by the source table's key
//! to `parallelism` workers; a worker is a prober (`prober.rs`) and a finisher (`finisher.rs`)
//! on two threads; the finisher routes rows by the sink's key to the sink subtasks
//! (`sinks.rs`). `tasks.rs` creates them all from a plan before any row flows;
//! `checkpoints.rs` holds the barriers and the coordinator; `metrics.rs` the shared counters;
//! `summary.rs` prints what a job did, `progress.rs` the live line on a terminal.

mod aggregate;
mod checkpoints;
mod finisher;
mod metrics;
mod prober;
mod progress;
mod sinks;
mod sources;
mod summary;
mod tasks;

use super::*;
use aggregate::*;
use checkpoints::*;
pub(crate) use finisher::*;
pub(crate) use metrics::*;
pub(crate) use prober::*;
use progress::*;
use sinks::*;
use sources::*;
pub(crate) use summary::*;
use tasks::*;

use std::sync::mpsc::{channel, Receiver, Sender, SyncSender};

pub(crate) fn route(values: &[Value], keys: &[usize], n: usize) -> usize {
    if n == 1 {
        return 0;
    }
    let key = keys.iter().map(|k| values.get(*k).unwrap_or(&Value::Null));
    (hash_iter(key) % n as u64) as usize
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

/// Runs a plan: creates its subtasks, runs them, prints the summary.
pub(crate) fn execute(plan: Plan) -> Result<Outcome, HostError> {
    let started = Instant::now();
    let metrics = Arc::new(Metrics::default());
    let source_name = plan.source.name.clone();
    let sink_name = plan_name(&plan.sink);
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
    let tasks = Tasks::create(plan).map_err(HostError::Failed)?;
    let progress = Progress::start(metrics.clone(), started, shows);
    let ran = run(tasks, &metrics);
    progress.finish();
    summary(
        &source_name,
        &sink_name,
        &metrics,
        &ran.sinks,
        &ran.lookups,
        started.elapsed(),
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

/// The counters of a job's sinks and lookups (by table), once it ran.
pub(crate) struct Ran {
    pub(crate) sinks: Vec<Counters>,
    pub(crate) lookups: Vec<(String, Counters)>,
}

/// Runs the subtasks, each on its own thread, and the checkpoint coordinator on this one,
/// until every sink subtask ended.
pub(crate) fn run(tasks: Tasks, metrics: &Metrics) -> Ran {
    let Tasks {
        sources,
        routing,
        probers,
        finishers,
        sinks,
        aggregators,
        sink_keys,
        joins,
        interval,
    } = tasks;
    let workers = probers.len();
    let (worker_txs, worker_rxs): (Vec<_>, Vec<_>) = (0..workers)
        .map(|_| sync_channel::<Message<Vec<Row>>>(4))
        .unzip();
    let (sink_txs, sink_rxs): (Vec<_>, Vec<_>) = (0..sinks.len())
        .map(|_| sync_channel::<Message<Vec<Row>>>(4))
        .unzip();
    let (flushed_tx, flushed_rx) = channel::<Flushed>();
    let (completed_txs, completed_rxs): (Vec<_>, Vec<_>) =
        (0..sources.len()).map(|_| channel::<u64>()).unzip();
    let triggered = AtomicU64::new(0);
    let coordinator = Coordinator {
        interval,
        triggered: &triggered,
        flushed: flushed_rx,
        sinks: sinks.len(),
        completed: completed_txs,
    };
    let source_count = sources.len();
    let lookup_counters = Mutex::new(Vec::<(usize, Counters)>::new());
    let sink_counters = std::thread::scope(|scope| {
        let sink_handles: Vec<_> = sinks
            .into_iter()
            .zip(aggregators)
            .zip(sink_rxs)
            .map(|((sink, aggregator), rx)| {
                let task = SinkTask {
                    sink,
                    inputs: workers,
                    aggregator,
                };
                let flushed = flushed_tx.clone();
                scope.spawn(move || task.run(rx, flushed, metrics))
            })
            .collect();
        drop(flushed_tx);
        for (index, ((prober, finisher), rx)) in probers
            .into_iter()
            .zip(finishers)
            .zip(worker_rxs)
            .enumerate()
        {
            // Batches with their first join's answers, from the prober to the finisher.
            let (finish_tx, finish_rx) = sync_channel::<Message<Started>>(2);
            let (joins, lookup_counters) = (&joins, &lookup_counters);
            scope.spawn(move || {
                prober.run(rx, source_count, finish_tx, joins, metrics, lookup_counters)
            });
            let (sink_txs, sink_keys) = (sink_txs.clone(), &sink_keys);
            scope.spawn(move || {
                let input = finish_rx;
                finisher.run(
                    index,
                    input,
                    &sink_txs,
                    sink_keys,
                    joins,
                    metrics,
                    lookup_counters,
                )
            });
        }
        drop(sink_txs);
        for (index, (source, completed)) in sources.into_iter().zip(completed_rxs).enumerate() {
            let task = SourceTask {
                index,
                source,
                completed,
            };
            let (routing, workers, triggered) = (&routing, &worker_txs, &triggered);
            scope.spawn(move || task.run(routing, workers, triggered, metrics));
        }
        coordinator.run(metrics);
        sink_handles
            .into_iter()
            .filter_map(|h| h.join().ok())
            .collect::<Vec<_>>()
    });
    let lookups = lookup_counters
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|(i, counters)| (joins[i].table.name.clone(), counters))
        .collect();
    Ran {
        sinks: sink_counters,
        lookups,
    }
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
