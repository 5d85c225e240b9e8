//! Adapters around a plugin's sinks, lookups (1.0, and `"packed-lookup/1"`) and scans.

use super::*;

/// A plugin call's result, with the plugin's error kind and message.
pub fn plugin_result<T>(result: RResult<T, ConnectorError>) -> Result<T, Failure> {
    result.into_result().map_err(Failure::from)
}

pub(crate) fn counters_of(
    counters: abi_stable::std_types::RVec<connector_interface::Counter>,
) -> Vec<(String, u64)> {
    counters
        .into_iter()
        .map(|c| (c.name.to_string(), c.value))
        .collect()
}

pub struct PluginSink(pub SinkBox);

impl Sink for PluginSink {
    fn open(&mut self) -> Result<(), Failure> {
        plugin_result(self.0.open())
    }
    fn write(&mut self, rows: &[Row]) -> Result<(), Failure> {
        plugin_result(self.0.write(RSlice::from_slice(rows)))
    }
    fn flush(&mut self) -> Result<(), Failure> {
        plugin_result(self.0.flush())
    }
    fn close(&mut self) -> Result<(), Failure> {
        plugin_result(self.0.close())
    }
    fn counters(&self) -> Vec<(String, u64)> {
        counters_of(self.0.counters())
    }
}

/// A plugin's lookup: through the 1.0 calls, or handed over to its `"packed-lookup/1"`
/// extension (interface 1.1), whose answers come packed.
pub enum PluginLookup {
    Rows(LookupBox),
    Packed(Extension<PackedLookupBox>),
}

impl PluginLookup {
    /// The lookup, packed when the plugin offers `"packed-lookup/1"`. An error means the plugin
    /// offered it with another layout than this host's: the lookup was handed over and is gone
    /// (see [`PluginLookup::create`]).
    pub fn new(mut lookup: LookupBox) -> Result<PluginLookup, String> {
        match lookup
            .extension(RStr::from_str(PACKED_LOOKUP_1))
            .into_option()
        {
            None => Ok(PluginLookup::Rows(lookup)),
            Some(extension) => extension
                .downcast::<PackedLookupBox>()
                .map(PluginLookup::Packed),
        }
    }

    /// A lookup of `table` from `create`, packed when the plugin offers `"packed-lookup/1"`.
    /// When the plugin offers it with another layout than this host's (a broken plugin: a
    /// released extension never changes), that lookup is gone, so a second one is created and
    /// used through the 1.0 calls, with a warning.
    pub fn create(
        table: &str,
        create: impl Fn() -> Result<LookupBox, Failure>,
    ) -> Result<PluginLookup, Failure> {
        match PluginLookup::new(create()?) {
            Ok(lookup) => Ok(lookup),
            Err(why) => {
                log::warn!(
                    "table '{table}': the plugin's \"{PACKED_LOOKUP_1}\" does not match this \
                     host's; looking up through the 1.0 calls"
                );
                log::debug!("table '{table}': {why}");
                Ok(PluginLookup::Rows(create()?))
            }
        }
    }
}

impl Lookup for PluginLookup {
    fn open(&mut self) -> Result<(), Failure> {
        match self {
            PluginLookup::Rows(l) => plugin_result(l.open()),
            PluginLookup::Packed(l) => plugin_result(l.open()),
        }
    }
    fn submit(&mut self, keys: &[Row]) -> Result<(), Failure> {
        match self {
            PluginLookup::Rows(l) => plugin_result(l.submit(RSlice::from_slice(keys))),
            PluginLookup::Packed(l) => plugin_result(l.submit(RSlice::from_slice(keys))),
        }
    }
    fn collect(&mut self) -> Result<Answers, Failure> {
        match self {
            PluginLookup::Rows(l) => plugin_result(l.collect())
                .map(|answers| Answers::Rows(answers.into_iter().collect())),
            PluginLookup::Packed(l) => plugin_result(l.collect()).map(Answers::Packed),
        }
    }
    fn close(&mut self) -> Result<(), Failure> {
        match self {
            PluginLookup::Rows(l) => plugin_result(l.close()),
            PluginLookup::Packed(l) => plugin_result(l.close()),
        }
    }
    fn counters(&self) -> Vec<(String, u64)> {
        match self {
            PluginLookup::Rows(l) => counters_of(l.counters()),
            PluginLookup::Packed(l) => counters_of(l.counters()),
        }
    }
}

/// A plugin's scan as a source subtask: it reads its splits one after the other.
pub struct PluginScan {
    table: String,
    scan: ScanBox,
    /// Splits not read to their end yet, the one being read first.
    splits: VecDeque<Split>,
    /// Whether the first split is open.
    reading: bool,
}

impl PluginScan {
    pub fn new(table: &str, scan: ScanBox, splits: Vec<Split>) -> PluginScan {
        PluginScan {
            table: table.to_string(),
            scan,
            splits: splits.into(),
            reading: false,
        }
    }
}

impl Source for PluginScan {
    fn next_batch(&mut self, _max: usize) -> Result<Option<Vec<Row>>, Failure> {
        loop {
            let Some(split) = self.splits.front() else {
                return Ok(None);
            };
            if !self.reading {
                plugin_result(self.scan.open(split))?;
                self.reading = true;
                log::debug!("table '{}': reading split '{}'", self.table, split.id);
            }
            match plugin_result(self.scan.next_batch())?.into_option() {
                Some(rows) => return Ok(Some(rows.into_vec())),
                None => {
                    self.reading = false;
                    self.splits.pop_front();
                }
            }
        }
    }
    fn close(&mut self) -> Result<(), Failure> {
        plugin_result(self.scan.close())
    }
}

/// A plugin's sink or lookup whose panics are reported naming the table and the plugin (a
/// plugin's own errors name their table already; a panic's message is the plugin's text).
pub struct Named<T> {
    pub inner: T,
    /// `table 'p' (plugin fixture-panic 0.1.0, libfixture_panic.so)`.
    pub who: String,
}

impl<T> Named<T> {
    pub fn new(inner: T, table: &str, plugin: &crate::loader::LoadedPlugin) -> Named<T> {
        let file = plugin
            .path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        Named {
            inner,
            who: format!(
                "table '{table}' (plugin {} {}, {file})",
                plugin.manifest.name, plugin.manifest.version
            ),
        }
    }

    fn named<R>(&self, result: Result<R, Failure>) -> Result<R, Failure> {
        result.map_err(|f| match f.kind {
            connector_interface::ErrorKind::PANIC => Failure {
                message: format!("{}: {}", self.who, f.message),
                ..f
            },
            _ => f,
        })
    }
}

impl<T: Sink> Sink for Named<T> {
    fn open(&mut self) -> Result<(), Failure> {
        let r = self.inner.open();
        self.named(r)
    }
    fn write(&mut self, rows: &[Row]) -> Result<(), Failure> {
        let r = self.inner.write(rows);
        self.named(r)
    }
    fn flush(&mut self) -> Result<(), Failure> {
        let r = self.inner.flush();
        self.named(r)
    }
    fn close(&mut self) -> Result<(), Failure> {
        let r = self.inner.close();
        self.named(r)
    }
    fn counters(&self) -> Vec<(String, u64)> {
        self.inner.counters()
    }
}

impl<T: Lookup> Lookup for Named<T> {
    fn open(&mut self) -> Result<(), Failure> {
        let r = self.inner.open();
        self.named(r)
    }
    fn submit(&mut self, keys: &[Row]) -> Result<(), Failure> {
        let r = self.inner.submit(keys);
        self.named(r)
    }
    fn collect(&mut self) -> Result<Answers, Failure> {
        let r = self.inner.collect();
        self.named(r)
    }
    fn close(&mut self) -> Result<(), Failure> {
        let r = self.inner.close();
        self.named(r)
    }
    fn counters(&self) -> Vec<(String, u64)> {
        self.inner.counters()
    }
}
