//! Counters shared by the threads of a job, for the progress line and the summary, and the
//! job's first failure.

use super::*;

/// A sink's or a lookup's counters, by name.
pub(crate) type Counters = Vec<(String, u64)>;

/// Counters shared by the threads of a job, for the progress line and the summary.
#[derive(Default)]
pub(crate) struct Metrics {
    pub(crate) read: AtomicU64,
    pub(crate) written: AtomicU64,
    pub(crate) lookups: AtomicU64,
    /// Completed checkpoints, the final one included.
    pub(crate) checkpoints: AtomicU64,
    pub(crate) failure: Mutex<Option<Failure>>,
    pub(crate) failed: AtomicBool,
}

impl Metrics {
    /// The job fails: the first failure is the one reported.
    pub(crate) fn fail(&self, failure: impl Into<Failure>) {
        if let Ok(mut f) = self.failure.lock() {
            if f.is_none() {
                *f = Some(failure.into());
            }
        }
        self.failed.store(true, Ordering::SeqCst);
    }

    /// Whether some thread failed the job.
    pub(crate) fn failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }

    pub(crate) fn stopping(&self) -> bool {
        self.failed() || STOP.load(Ordering::SeqCst)
    }
}
