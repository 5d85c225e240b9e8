//! A plan's subtasks, created (and connected) before any row flows: the source subtasks (a
//! built-in source is one; a plugin scan's splits are shared out among up to `parallelism`),
//! a prober and a finisher per worker, and a sink per sink subtask.

use super::*;
use crate::connectors::Named;

/// Everything a job runs, ready to start.
pub(crate) struct Tasks {
    pub(crate) sources: Vec<Box<dyn Source>>,
    pub(crate) routing: Routing,
    pub(crate) probers: Vec<Prober>,
    pub(crate) finishers: Vec<Finisher>,
    pub(crate) sinks: Vec<Box<dyn Sink>>,
    /// Per sink subtask: its aggregation, for a `GROUP BY`.
    pub(crate) aggregators: Vec<Option<Aggregator>>,
    pub(crate) sink_keys: Vec<usize>,
    pub(crate) joins: Arc<Vec<JoinPlan>>,
    /// How often a checkpoint is taken.
    pub(crate) interval: Duration,
}

impl Tasks {
    pub(crate) fn create(plan: Plan) -> Result<Tasks, Failure> {
        let n = plan.parallelism;
        let mut sinks: Vec<Box<dyn Sink>> = Vec::with_capacity(n);
        for task in 0..n {
            sinks.push(match (&plan.sink, &plan.collected) {
                (Some((table, provider)), _) => create_sink(table, provider, task, n)?,
                (None, Some(rows)) => Box::new(Collect {
                    rows: rows.clone(),
                    materialize: plan.aggregate.is_some(),
                }),
                (None, None) => return Err("no sink".into()),
            });
        }
        let retracts = plan.source.produces_changes();
        let aggregate = plan.aggregate.clone().map(Arc::new);
        let aggregators = (0..n)
            .map(|_| aggregate.clone().map(|a| Aggregator::new(a, retracts)))
            .collect();
        let direct = direct(&plan.joins, &plan.post_filter, &plan.projection);
        let mut probers = Vec::with_capacity(n);
        let mut finishers = Vec::with_capacity(n);
        for task in 0..n {
            let mut lookups = Vec::new();
            for j in &plan.joins {
                lookups.push(create_lookup(j, task, n)?);
            }
            let mut lookups = lookups.into_iter();
            probers.push(Prober::new(plan.pre_filter.clone(), lookups.next()));
            finishers.push(Finisher::new(
                lookups.collect(),
                plan.post_filter.clone(),
                plan.projection.clone(),
                plan.casts.clone(),
                direct,
            ));
        }
        let sources = create_sources(&plan.source, &plan.source_provider, n)?;
        let routing = Routing {
            keys: plan.source.key_columns(),
            proctime: plan.source.proctime.len(),
            computed: plan
                .source
                .computed
                .iter()
                .map(|(c, b)| {
                    let name = format!("table '{}', computed column '{c}'", plan.source.name);
                    (name, b.clone())
                })
                .collect(),
            // Joined rows are made in the source rows' memory, unless the join is direct.
            joined_width: match direct {
                true => 0,
                false => plan.joins.iter().map(|j| j.width).sum(),
            },
        };
        Ok(Tasks {
            sources,
            routing,
            probers,
            finishers,
            sinks,
            aggregators,
            sink_keys: plan.sink_keys,
            joins: Arc::new(plan.joins),
            interval: plan.interval,
        })
    }
}

/// The source subtasks of a table: a built-in source is one; a plugin's scan divides the table
/// into splits for `parallelism` subtasks, and split `i` goes to subtask `i % parallelism`
/// (so there are no more subtasks than splits, and at least one).
pub(crate) fn create_sources(
    table: &TableDef,
    provider: &Provider,
    parallelism: usize,
) -> Result<Vec<Box<dyn Source>>, Failure> {
    let plugin = match provider {
        Provider::Builtin => return Ok(vec![builtin_source(table)?]),
        Provider::Plugin(plugin) => plugin,
    };
    let factory = factory_of(plugin, table)?;
    let scan =
        |task: usize| plugin_result(factory.create_scan(&table.context(&[], task, parallelism)));
    let mut first = scan(0)?;
    let splits = plugin_result(first.splits(parallelism as u32))?.into_vec();
    let mut first = Some(first);
    let subtasks = parallelism.min(splits.len()).max(1);
    let mut shares: Vec<Vec<Split>> = vec![Vec::new(); subtasks];
    for (i, split) in splits.into_iter().enumerate() {
        shares[i % subtasks].push(split);
    }
    let mut sources: Vec<Box<dyn Source>> = Vec::with_capacity(subtasks);
    for (task, share) in shares.into_iter().enumerate() {
        // Subtask 0 reads with the scan that made the splits.
        let scan = match first.take() {
            Some(first) => first,
            None => scan(task)?,
        };
        sources.push(Box::new(PluginScan::new(&table.name, scan, share)));
    }
    Ok(sources)
}

/// The factory of a table's connector in its loaded plugin (the catalog found it there).
fn factory_of<'a>(
    plugin: &'a crate::loader::LoadedPlugin,
    table: &TableDef,
) -> Result<&'a connector_interface::FactoryBox, Failure> {
    plugin.factory(table.connector()).ok_or_else(|| {
        Failure::new(
            ErrorKind::INTERNAL,
            format!("connector '{}' vanished", table.connector()),
        )
    })
}

pub(crate) fn create_lookup(
    j: &JoinPlan,
    task: usize,
    parallelism: usize,
) -> Result<Box<dyn Lookup>, Failure> {
    let Provider::Plugin(plugin) = &j.provider else {
        let message = format!("table '{}' cannot be looked up", j.table.name);
        return Err(Failure::new(ErrorKind::UNSUPPORTED, message));
    };
    let factory = factory_of(plugin, &j.table)?;
    let context = j.table.context(&j.lookup_columns, task, parallelism);
    let lookup = PluginLookup::create(&j.table.name, || {
        plugin_result(factory.create_lookup(&context))
    })?;
    let mut lookup: Box<dyn Lookup> = Box::new(Named::new(lookup, &j.table.name, plugin));
    lookup.open()?;
    Ok(lookup)
}

pub(crate) fn create_sink(
    table: &TableDef,
    provider: &Provider,
    task: usize,
    parallelism: usize,
) -> Result<Box<dyn Sink>, Failure> {
    let mut sink: Box<dyn Sink> = match provider {
        Provider::Builtin => builtin_sink(table, task, parallelism)?,
        Provider::Plugin(plugin) => {
            let factory = factory_of(plugin, table)?;
            let sink = PluginSink(plugin_result(factory.create_sink(&table.context(
                &[],
                task,
                parallelism,
            )))?);
            Box::new(Named::new(sink, &table.name, plugin))
        }
    };
    sink.open()?;
    Ok(sink)
}
