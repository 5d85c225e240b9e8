//! The background flush: writes rows that waited longer than `sink.buffer-flush.interval`.

use std::time::Instant;

use super::writer::Shared;

impl Shared {
    pub fn run_flusher(&self) {
        let interval = self.options.sink_interval;
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        loop {
            if state.closed {
                return;
            }
            let wait = match state.oldest {
                Some(oldest) if state.failure.is_none() => {
                    let due = oldest + interval;
                    let now = Instant::now();
                    if now >= due {
                        if let Err(err) = self.flush_locked(&mut state) {
                            state.failure = Some(err);
                        }
                        continue;
                    }
                    Some(due - now)
                }
                _ => None,
            };
            state = match wait {
                Some(wait) => match self.wake.wait_timeout(state, wait) {
                    Ok((state, _)) => state,
                    Err(_) => return,
                },
                None => match self.wake.wait(state) {
                    Ok(state) => state,
                    Err(_) => return,
                },
            };
        }
    }
}
