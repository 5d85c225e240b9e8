//! The job's settings (`SET`) a plan reads.

use super::*;

/// `parallelism.default` (or `--parallelism`) and `execution.checkpointing.interval`.
pub(crate) fn settings(
    catalog: &Catalog,
    options: &JobOptions,
) -> Result<(usize, Duration), HostError> {
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
    Ok((parallelism, interval))
}

/// A `SET` the host does not read is accepted, as Flink's SQL client accepts any key, with a
/// warning naming it (it changes nothing here); `table.local-time-zone` other than UTC too, as
/// the host shows TIMESTAMP_LTZ values in UTC only.
pub(crate) fn warn_unused(key: &str, value: &str) {
    match key {
        "parallelism.default" | "execution.checkpointing.interval" => {}
        "table.local-time-zone"
            if ["UTC", "GMT", "Z", "Etc/UTC", "+00:00"].contains(&value.trim()) => {}
        "table.local-time-zone" => log::warn!(
            "'table.local-time-zone' = '{value}' is not supported: TIMESTAMP_LTZ values are \
             shown and cast in UTC"
        ),
        _ => log::warn!(
            "setting '{key}' is not used by the host (it reads 'parallelism.default' and \
             'execution.checkpointing.interval')"
        ),
    }
}
