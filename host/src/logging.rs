//! The host's log output (`tracing`, filtered by `RUST_LOG`, on stderr) and the callbacks
//! through which plugin log lines reach it with the plugin's name as target.

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{ROption, RStr};
use connector_interface::{ExtensionBox, HostBox, HostCallbacks, HostCallbacks_TO, LogLevel};
use tracing::level_filters::LevelFilter;

/// Installs the log subscriber once (`RUST_LOG`, default `warn`); `log` records, plugin ones
/// included, go through it too.
pub fn init() {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_string());
    init_with(&filter, std::io::stderr);
}

/// Installs the log subscriber with an explicit filter (`RUST_LOG` syntax) and writer; an
/// invalid filter falls back to `warn`. Later calls have no effect.
pub fn init_with<W>(filter: &str, writer: W)
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
}

struct Callbacks;

impl HostCallbacks for Callbacks {
    fn log(&self, level: LogLevel, target: RStr<'_>, message: RStr<'_>) {
        let Some(level) = level.to_log() else { return };
        log::logger().log(
            &log::Record::builder()
                .level(level)
                .target(target.as_str())
                .args(format_args!("{}", message.as_str()))
                .build(),
        );
    }

    fn max_level(&self) -> LogLevel {
        match LevelFilter::current().into_level() {
            None => LogLevel::OFF,
            Some(tracing::Level::ERROR) => LogLevel::ERROR,
            Some(tracing::Level::WARN) => LogLevel::WARN,
            Some(tracing::Level::INFO) => LogLevel::INFO,
            Some(tracing::Level::DEBUG) => LogLevel::DEBUG,
            Some(tracing::Level::TRACE) => LogLevel::TRACE,
        }
    }

    fn extension(&self, _name: RStr<'_>) -> ROption<ExtensionBox> {
        ROption::RNone
    }
}

/// The callbacks handed to every plugin at load.
pub fn host_callbacks() -> HostBox {
    HostCallbacks_TO::from_value(Callbacks, TD_Opaque)
}
