//! A thread of its own for indexing shards, standing in for the pool thread that asked: the
//! shard is indexed on the lane while that thread waits without taking other work.
//!
//! Pagefind builds an index partly with rayon. Run on a thread of the build's pool, a shard's
//! Pagefind would share that pool with the pages: while one of its parallel loops waits for a
//! part another thread took, its thread takes a page job meanwhile, and the shard, whose steps
//! follow one another, is held up until that job (possibly all the pages) is done; the index
//! then finishes alone at the end of the build, on one core. On a lane, Pagefind's parallel
//! loops run on the lane's one thread, and the pool thread that handed it the shard waits in
//! a plain join, which takes no work: a shard takes one thread from start to end, so the
//! pages and the index together use as many threads as the pool has, no more.

/// One thread for shards, one shard at a time.
pub(super) struct Lane {
    pool: rayon::ThreadPool,
}

impl Lane {
    pub(super) fn new() -> Result<Self, String> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "search-lane".to_string())
            .build()
            .map_err(|e| format!("could not start the search indexer: {e}"))?;
        Ok(Lane { pool })
    }

    /// `work`'s result, made on the lane while the calling thread waits; an error if it
    /// panicked.
    pub(super) fn run<R: Send>(&self, work: impl FnOnce() -> R + Send) -> Result<R, String> {
        // Not `self.pool.install(work)` from here: a thread of another pool that waits for an
        // `install` takes that other pool's work meanwhile. A plain thread waits in `join`.
        std::thread::scope(|s| {
            s.spawn(|| self.pool.install(work))
                .join()
                .map_err(|_| "the search indexer stopped".to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Work on a lane runs on the lane's thread, its parallel loops too, and the pool thread
    /// that waits for it takes none of its own pool's work meanwhile.
    #[test]
    fn the_waiting_thread_takes_no_other_work() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let lane = Lane::new().unwrap();
        let returned = AtomicBool::new(false);
        let ran_while_waiting = AtomicBool::new(false);
        pool.install(|| {
            rayon::scope(|s| {
                // Queued on this (only) pool thread before it hands work to the lane.
                s.spawn(|_| {
                    if !returned.load(Ordering::SeqCst) {
                        ran_while_waiting.store(true, Ordering::SeqCst);
                    }
                });
                let names = lane
                    .run(|| {
                        use rayon::prelude::*;
                        (0..64)
                            .into_par_iter()
                            .map(|_| std::thread::current().name().map(str::to_string))
                            .collect::<Vec<_>>()
                    })
                    .unwrap();
                returned.store(true, Ordering::SeqCst);
                assert!(
                    names.iter().all(|n| n.as_deref() == Some("search-lane")),
                    "{names:?}"
                );
            });
        });
        assert!(!ran_while_waiting.load(Ordering::SeqCst));
        assert!(lane.run(|| panic!("in the indexer")).is_err());
    }
}
