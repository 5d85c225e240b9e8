//! The one retry policy: which failures are retried (their classification, `failure.rs`), how
//! long to wait before each attempt, and how many attempts an operation gets.

use std::time::Duration;

use super::failure::RedisFailure;

/// How an operation is retried: at most `max_retries` times after its first attempt, waiting
/// `backoff` (below) before each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_retries: u32,
}

/// The retries of one operation so far.
pub struct Attempts {
    policy: RetryPolicy,
    retries: u32,
}

/// The next attempt after a failed one: after `wait`, as retry number `retry`.
#[derive(Debug, PartialEq, Eq)]
pub struct Retry {
    pub wait: Duration,
    pub retry: u32,
}

impl RetryPolicy {
    pub fn start(self) -> Attempts {
        Attempts {
            policy: self,
            retries: 0,
        }
    }
}

impl Attempts {
    /// The retry after `failure`: `None` when it is final (not retriable, or no retries left).
    pub fn after(&mut self, failure: &RedisFailure) -> Option<Retry> {
        if !failure.retriable || self.retries >= self.policy.max_retries {
            return None;
        }
        self.retries += 1;
        Some(Retry {
            wait: backoff(self.retries),
            retry: self.retries,
        })
    }

    pub fn max(&self) -> u32 {
        self.policy.max_retries
    }
}

/// Backoff before retry `attempt` (1-based): 100 ms, 200 ms, 400 ms, ... up to 5 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(100u64.saturating_mul(1 << attempt.saturating_sub(1).min(6)))
        .min(Duration::from_secs(5))
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

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(2), Duration::from_millis(200));
        assert_eq!(backoff(20), Duration::from_secs(5));
    }

    #[test]
    fn retriable_failures_are_retried_up_to_the_budget_and_others_never() {
        let mut attempts = RetryPolicy { max_retries: 2 }.start();
        assert!(attempts.after(&failure(false)).is_none());
        assert!(matches!(
            attempts.after(&failure(true)),
            Some(Retry { retry: 1, .. })
        ));
        assert!(matches!(
            attempts.after(&failure(true)),
            Some(Retry { retry: 2, .. })
        ));
        assert!(attempts.after(&failure(true)).is_none());
    }
}
