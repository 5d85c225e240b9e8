//! The live progress line on a terminal.

use super::*;

/// A live progress line on a terminal (nothing otherwise).
pub(crate) struct Progress {
    pub(crate) done: Arc<AtomicBool>,
    pub(crate) handle: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    pub(crate) fn start(metrics: Arc<Metrics>, started: Instant) -> Progress {
        use std::io::IsTerminal;
        let done = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Progress { done, handle: None };
        }
        let flag = done.clone();
        let handle = std::thread::spawn(move || {
            let bar = indicatif::ProgressBar::new_spinner();
            while !flag.load(Ordering::SeqCst) {
                let read = metrics.read.load(Ordering::Relaxed);
                let seconds = started.elapsed().as_secs_f64().max(1e-9);
                bar.set_message(format!(
                    "{read} rows read, {} written, {:.0} rows/s, {} keys looked up",
                    metrics.written.load(Ordering::Relaxed),
                    read as f64 / seconds,
                    metrics.lookups.load(Ordering::Relaxed)
                ));
                bar.tick();
                std::thread::sleep(Duration::from_millis(200));
            }
            bar.finish_and_clear();
        });
        Progress {
            done,
            handle: Some(handle),
        }
    }

    pub(crate) fn finish(mut self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
