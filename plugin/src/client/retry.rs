//! The one retry policy: which failures are retried (their classification, `failure.rs`), how
//! long to wait before each attempt, and the budget of an operation: a total time
//! (`retry.timeout`), and optionally a count (`sink.max-retries`, `lookup.max-retries`).

use std::time::{Duration, Instant};

use super::failure::RedisFailure;
use crate::options::RedisOptions;

/// How an operation (connecting, a flush, a batch of lookups) is retried: after a retriable
/// failure, again after `backoff` (below), as long as the next attempt can end within `budget` of the
/// operation's start (an attempt takes at most `attempt`: connecting plus a reply) and, when
/// a count is set, at most that many times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The most retries after the first attempt, and the option that set it.
    pub max_retries: Option<(u32, &'static str)>,
    /// How long an operation may take, its first attempt, waits and retries included.
    pub budget: Duration,
    /// The longest one attempt can take.
    pub attempt: Duration,
}

/// The retries of one operation so far.
pub struct Attempts {
    policy: RetryPolicy,
    retries: u32,
    started: Instant,
    /// Why the last `after` gave up, when it was the budget.
    gave_up: Option<String>,
}

/// The next attempt after a failed one: after `wait`, as retry number `retry`.
#[derive(Debug, PartialEq, Eq)]
pub struct Retry {
    pub wait: Duration,
    pub retry: u32,
}

impl RetryPolicy {
    /// The policy of a table's sink or lookup: `retry.timeout` and the role's count option
    /// (`count`, named `option`) when given.
    pub fn of(options: &RedisOptions, count: Option<u32>, option: &'static str) -> RetryPolicy {
        RetryPolicy {
            max_retries: count.map(|n| (n, option)),
            budget: options.retry_timeout,
            attempt: options.connect_timeout + options.command_timeout,
        }
    }

    pub fn start(self) -> Attempts {
        Attempts {
            policy: self,
            retries: 0,
            started: Instant::now(),
            gave_up: None,
        }
    }
}

impl Attempts {
    /// The retry after `failure`: `None` when it is final (not retriable, or the budget spent).
    pub fn after(&mut self, failure: &RedisFailure) -> Option<Retry> {
        if !failure.retriable {
            return None;
        }
        let attempts = self.retries + 1;
        let spent = self.started.elapsed();
        let over = format!(
            "{attempts} attempt{} over {:.1} s",
            if attempts == 1 { "" } else { "s" },
            spent.as_secs_f64()
        );
        if let Some((max, option)) = self.policy.max_retries {
            if self.retries >= max {
                self.gave_up = Some(format!("{over}; '{option}' = {max}"));
                return None;
            }
        }
        let wait = backoff(self.retries + 1);
        if spent + wait + self.policy.attempt > self.policy.budget {
            self.gave_up = Some(format!(
                "{over}; 'retry.timeout' = {}",
                seconds(self.policy.budget)
            ));
            return None;
        }
        self.retries += 1;
        Some(Retry {
            wait,
            retry: self.retries,
        })
    }

    /// How the operation ended when its budget was spent ("12 attempts over 52.3 s;
    /// 'retry.timeout' = 60s"), for the error.
    pub fn gave_up(&self) -> Option<&str> {
        self.gave_up.as_deref()
    }

    /// The most retries, when a count is set.
    pub fn max(&self) -> Option<u32> {
        self.policy.max_retries.map(|(n, _)| n)
    }
}

/// Backoff before retry `attempt` (1-based): 100 ms, 200 ms, 400 ms, 800 ms, then 1 s, so a
/// restarted server is found within a second of coming back.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(100u64.saturating_mul(1 << attempt.saturating_sub(1).min(6)))
        .min(Duration::from_secs(1))
}

/// A duration as options are written: `60s`, `1500ms`.
pub fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connector_interface::ErrorKind;

    fn failure(retriable: bool) -> RedisFailure {
        RedisFailure {
            retriable,
            kind: ErrorKind::CONNECTION,
            cause: "x".into(),
        }
    }

    fn policy(max_retries: Option<u32>, budget_ms: u64) -> RetryPolicy {
        RetryPolicy {
            max_retries: max_retries.map(|n| (n, "sink.max-retries")),
            budget: Duration::from_millis(budget_ms),
            attempt: Duration::from_millis(50),
        }
    }

    #[test]
    fn backoff_grows_and_is_capped_at_a_second() {
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(2), Duration::from_millis(200));
        assert_eq!(backoff(4), Duration::from_millis(800));
        assert_eq!(backoff(5), Duration::from_secs(1));
        assert_eq!(backoff(20), Duration::from_secs(1));
    }

    #[test]
    fn a_count_limits_the_retries_and_is_named() {
        let mut attempts = policy(Some(2), 60_000).start();
        assert!(attempts.after(&failure(false)).is_none());
        assert_eq!(attempts.gave_up(), None, "not retriable: no budget spent");
        assert!(matches!(
            attempts.after(&failure(true)),
            Some(Retry { retry: 1, .. })
        ));
        assert!(matches!(
            attempts.after(&failure(true)),
            Some(Retry { retry: 2, .. })
        ));
        assert!(attempts.after(&failure(true)).is_none());
        let why = attempts.gave_up().unwrap();
        assert!(
            why.starts_with("3 attempts over ") && why.ends_with("; 'sink.max-retries' = 2"),
            "{why}"
        );
    }

    #[test]
    fn the_time_budget_stops_retries_that_could_not_end_within_it() {
        // 100 ms wait + 50 ms attempt fit in 200 ms once; the second wait (200 ms) does not.
        let mut attempts = policy(None, 200).start();
        assert!(attempts.after(&failure(true)).is_some());
        assert!(attempts.after(&failure(true)).is_none());
        assert!(
            attempts
                .gave_up()
                .unwrap()
                .ends_with("; 'retry.timeout' = 200ms"),
            "{:?}",
            attempts.gave_up()
        );
        assert_eq!(seconds(Duration::from_secs(60)), "60s");
    }
}
