//! Watching the site's sources: every edit (not every read) under the watched folders,
//! gathered over a short quiet period so an editor's burst of writes gives one rebuild.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long the files must stay quiet before a rebuild starts.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// An edit, as opposed to a read: the build itself opens every content file, and on Linux
/// those opens arrive as access events, which would otherwise trigger rebuilds forever.
fn is_edit(ev: &notify::Event) -> bool {
    !matches!(ev.kind, notify::EventKind::Access(_))
}

/// Edits under the watched folders, from the moment it is made: made before the first build,
/// so that a save during that build (minutes, on a large site) is not lost.
pub struct Watcher {
    /// Kept alive for as long as events are wanted.
    _watcher: notify::RecommendedWatcher,
    events: std::sync::mpsc::Receiver<notify::Result<notify::Event>>,
}

impl Watcher {
    /// Watches `paths` (those that exist), recursively.
    pub fn start(paths: &[PathBuf]) -> notify::Result<Watcher> {
        use notify::{RecursiveMode, Watcher as _};
        let (tx, events) = std::sync::mpsc::channel();
        let mut watcher = notify::recommended_watcher(tx)?;
        for p in paths.iter().filter(|p| p.exists()) {
            watcher.watch(p, RecursiveMode::Recursive)?;
        }
        Ok(Watcher {
            _watcher: watcher,
            events,
        })
    }

    /// Calls `on_change` with the paths edited and when the burst's first edit arrived, once
    /// per burst of edits (edits made before this is called included), until the process ends.
    pub fn run(self, mut on_change: impl FnMut(BTreeSet<PathBuf>, Instant)) {
        while let Ok(first) = self.events.recv() {
            let arrived = Instant::now();
            let mut changed = BTreeSet::new();
            let mut add = |ev: notify::Result<notify::Event>| {
                if let Ok(ev) = ev {
                    if is_edit(&ev) {
                        changed.extend(ev.paths);
                    }
                }
            };
            add(first);
            while let Ok(ev) = self.events.recv_timeout(DEBOUNCE) {
                add(ev);
            }
            if !changed.is_empty() {
                on_change(changed, arrived);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_do_not_trigger_a_rebuild_but_edits_do() {
        use notify::event::{AccessKind, EventKind, ModifyKind};
        let read = notify::Event::new(EventKind::Access(AccessKind::Any));
        let edit = notify::Event::new(EventKind::Modify(ModifyKind::Any));
        assert!(!is_edit(&read));
        assert!(is_edit(&edit));
    }
}
