//! Watching the site's sources: every edit (not every read) under the watched folders,
//! gathered over a short quiet period so an editor's burst of writes gives one rebuild.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

/// How long the files must stay quiet before a rebuild starts.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// An edit, as opposed to a read: the build itself opens every content file, and on Linux
/// those opens arrive as access events, which would otherwise trigger rebuilds forever.
fn is_edit(ev: &notify::Event) -> bool {
    !matches!(ev.kind, notify::EventKind::Access(_))
}

/// Calls `on_change` with the paths edited, once per burst of edits under `paths`, until the
/// process ends.
pub fn watch(
    paths: &[PathBuf],
    mut on_change: impl FnMut(BTreeSet<PathBuf>),
) -> notify::Result<()> {
    use notify::{RecursiveMode, Watcher};
    let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx)?;
    for p in paths.iter().filter(|p| p.exists()) {
        watcher.watch(p, RecursiveMode::Recursive)?;
    }
    while let Ok(first) = rx.recv() {
        let mut changed = BTreeSet::new();
        let mut add = |ev: notify::Result<notify::Event>| {
            if let Ok(ev) = ev {
                if is_edit(&ev) {
                    changed.extend(ev.paths);
                }
            }
        };
        add(first);
        while let Ok(ev) = rx.recv_timeout(DEBOUNCE) {
            add(ev);
        }
        if !changed.is_empty() {
            on_change(changed);
        }
    }
    Ok(())
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
