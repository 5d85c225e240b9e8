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
