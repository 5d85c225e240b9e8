//! The host's callbacks and the plugin-side log bridge.
//!
//! Each `cdylib` has its own copy of the `log` crate's globals, so a plugin's `log::info!`
//! goes nowhere by itself. At load the host passes a [`HostBox`]; the plugin calls
//! [`install_host_logger`] (the [`export_plugin!`](crate::export_plugin) macro does it), and
//! from then on its log lines reach the host's log output with the plugin's name as target.

use std::sync::OnceLock;

use abi_stable::sabi_trait;
use abi_stable::std_types::{RBox, ROption, RStr};
use abi_stable::StableAbi;

use crate::extension::ExtensionBox;

/// A log level, as an integer "enum": 0 off, 1 error .. 5 trace (the `log` crate's order).
#[repr(transparent)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LogLevel(pub u8);

impl LogLevel {
    pub const OFF: LogLevel = LogLevel(0);
    pub const ERROR: LogLevel = LogLevel(1);
    pub const WARN: LogLevel = LogLevel(2);
    pub const INFO: LogLevel = LogLevel(3);
    pub const DEBUG: LogLevel = LogLevel(4);
    pub const TRACE: LogLevel = LogLevel(5);

    pub fn from_log(level: log::Level) -> LogLevel {
        LogLevel(level as usize as u8)
    }

    pub fn to_log(self) -> Option<log::Level> {
        match self.0 {
            1 => Some(log::Level::Error),
            2 => Some(log::Level::Warn),
            3 => Some(log::Level::Info),
            4 => Some(log::Level::Debug),
            5 => Some(log::Level::Trace),
            _ => None,
        }
    }

    fn to_filter(self) -> log::LevelFilter {
        self.to_log()
            .map(|l| l.to_level_filter())
            .unwrap_or(log::LevelFilter::Off)
    }
}

/// What the host offers a plugin.
#[sabi_trait]
pub trait HostCallbacks: Send + Sync {
    /// Emits one log line. `target` is the plugin's name.
    fn log(&self, level: LogLevel, target: RStr<'_>, message: RStr<'_>);

    /// The most verbose level the host will print, so a plugin skips formatting the rest.
    fn max_level(&self) -> LogLevel;

    /// A host capability added after 1.0, by versioned name; `RNone` if the host lacks it.
    #[sabi(last_prefix_field)]
    fn extension(&self, name: RStr<'_>) -> ROption<ExtensionBox>;
}

pub type HostBox = HostCallbacks_TO<'static, RBox<()>>;

struct Bridge {
    host: HostBox,
    target: &'static str,
}

static BRIDGE: OnceLock<Bridge> = OnceLock::new();

struct Forwarder;

impl log::Log for Forwarder {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if let Some(bridge) = BRIDGE.get() {
            if self.enabled(record.metadata()) {
                let message = record.args().to_string();
                bridge.host.log(
                    LogLevel::from_log(record.level()),
                    RStr::from_str(bridge.target),
                    RStr::from_str(&message),
                );
            }
        }
    }

    fn flush(&self) {}
}

static FORWARDER: Forwarder = Forwarder;

/// Routes this plugin's `log` records to the host, with `target` (the plugin's name) as their
/// target, and reports the plugin's panics (which [`guard`](crate::guard) turns into errors)
/// through the same log at error level instead of printing them. Only the first call has an
/// effect.
pub fn install_host_logger(host: HostBox, target: &'static str) {
    let level = host.max_level();
    if BRIDGE.set(Bridge { host, target }).is_ok() && log::set_logger(&FORWARDER).is_ok() {
        log::set_max_level(level.to_filter());
        std::panic::set_hook(Box::new(|info| log::error!("{info}")));
    }
}
