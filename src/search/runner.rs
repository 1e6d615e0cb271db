//! Runs Pagefind's async API on the thread that calls it (a shard's lane, see `lane`), so that
//! shards are indexed on as many threads at a time as `RAYON_NUM_THREADS` allows.
//!
//! Pagefind does its work in `tokio::task::spawn_blocking`, so it needs a tokio runtime to hand
//! that work to, but nothing else of one: no timers, no IO. One current-thread runtime serves
//! as that pool for a whole index, and each shard's future is polled here, parking the thread
//! until Pagefind's blocking task wakes it. Not tokio's `block_on`, which refuses to run within
//! another runtime's context (a caller already inside one).

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// The blocking pool Pagefind's futures run their work on.
pub(super) struct Runner {
    runtime: tokio::runtime::Runtime,
}

impl Runner {
    pub(super) fn new() -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| format!("could not start the search indexer: {e}"))?;
        Ok(Runner { runtime })
    }

    /// `future`'s output, on this thread.
    pub(super) fn run<F: Future>(&self, future: F) -> F::Output {
        let _context = self.runtime.enter();
        let woken = Arc::new(Woken {
            flag: AtomicBool::new(false),
            thread: std::thread::current(),
        });
        let waker = Waker::from(Arc::clone(&woken));
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
            // A wake-up meant for this future is kept in its own flag, so that one taken by a
            // shard run further down this thread's stack is not lost.
            while !woken.flag.swap(false, Ordering::AcqRel) {
                std::thread::park();
            }
        }
    }
}

struct Woken {
    flag: AtomicBool,
    thread: std::thread::Thread,
}

impl Wake for Woken {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.flag.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_blocking_work_and_nests() {
        let runner = Runner::new().unwrap();
        let outer = runner.run(async {
            let inner = runner.run(async { tokio::task::spawn_blocking(|| 2).await.unwrap() });
            tokio::task::spawn_blocking(move || inner * 3)
                .await
                .unwrap()
        });
        assert_eq!(outer, 6);
    }
}
