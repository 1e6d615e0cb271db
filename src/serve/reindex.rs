//! The search index, rebuilt in the background after a partial rebuild: one thread, one index
//! at a time. A job that arrives while one runs waits; a newer one replaces it. An index made
//! for a site that has changed since is dropped (`Shared::put_index` checks the build serial).

use super::incremental::Shared;
use super::site::Snapshot;
use crate::model::Model;
use crate::output::OutputFile;
use crate::urls::Urls;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// An index to make: of `model`, for the build numbered `serial`.
pub struct Job {
    pub serial: u64,
    pub model: Arc<Model>,
    pub urls: Urls,
}

/// What to do with the site once a new index is in place (the server swaps it in).
pub type Publish = Box<dyn Fn(Arc<Snapshot>) + Send + Sync>;

/// The background indexer; its thread ends after its current job once this is dropped.
pub struct Reindex {
    jobs: mpsc::Sender<Job>,
}

/// The search index's files for `job`.
pub fn index(job: &Job) -> Result<Vec<OutputFile>, String> {
    crate::search::index(&job.model, &job.urls)
}

impl Reindex {
    pub(super) fn start(shared: Arc<Mutex<Shared>>, publish: Publish) -> Reindex {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::spawn(move || {
            while let Ok(mut job) = queue.recv() {
                // Only the newest job matters.
                while let Ok(newer) = queue.try_recv() {
                    job = newer;
                }
                if stale(&shared, &job) {
                    continue;
                }
                let files = match index(&job) {
                    Ok(files) => files,
                    Err(e) => {
                        eprintln!("warning: the search index could not be rebuilt: {e}\n  help: search shows the previous index until the next save");
                        continue;
                    }
                };
                let mut shared = shared.lock().unwrap_or_else(|e| e.into_inner());
                match shared.put_index(job.serial, files) {
                    // Under the lock, so no newer site can reach the server before this one.
                    Ok(Some((site, _))) => publish(site),
                    Ok(None) => {}
                    Err(f) => eprintln!("warning: {}", f.render()),
                }
            }
        });
        Reindex { jobs }
    }

    pub fn submit(&self, job: Job) {
        let _ = self.jobs.send(job);
    }
}

/// Whether the site changed since `job` was made (a newer job is on its way).
fn stale(shared: &Mutex<Shared>, job: &Job) -> bool {
    let shared = shared.lock().unwrap_or_else(|e| e.into_inner());
    shared.closed || shared.serial != job.serial
}
