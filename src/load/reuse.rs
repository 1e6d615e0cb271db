//! What the preview's rebuilds keep of the files an earlier load parsed (`load_reusing`), and
//! how a file is known to be unchanged without reading it.
//!
//! A file is parsed again when its text differs from the text kept. Reading every file to
//! compare is most of a rebuild at 1,000 places, so a file is not even read when its metadata
//! is what it was when it was read (`Stamp`: size, modification and status-change times,
//! device and inode) and the preview was not told it changed. No program can set a file's
//! status-change time (ctime): every write, rename or link changes it to the clock's time.
//! What a stamp cannot tell apart are two writes of the same size within one tick of the
//! file system's clock, the first of them seen by a load: so a stamp is kept only for a file
//! whose times are older than `SETTLED` when it is read (as git does with "racily clean"
//! files; 50 ms where the file's times have a fraction of a second: the file system keeps
//! them). A file written less than that ago is read on every load until it settles. A file
//! read through a link that is pointed elsewhere has another device or inode, and is read
//! again (with the checks on where it lies).

use std::any::Any;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

/// How old a file's times must be for its stamp to be trusted: more than the coarsest clock
/// of a file system policydash may run on (FAT counts modification times in 2 s steps).
pub const SETTLED: Duration = Duration::from_secs(3);

/// The same, for a file whose times have a fraction of a second (a file system that keeps
/// them, stamped from the kernel's clock, which ticks at least every 10 ms).
pub const SETTLED_FINE: Duration = Duration::from_millis(50);

/// What an earlier load parsed, by file (relative to the site root).
pub struct Reuse {
    pub(super) files: HashMap<PathBuf, Seen>,
    /// `SETTLED`, or less in tests.
    pub(super) settled: Duration,
    /// How many files the last load read (the others it knew unchanged by their stamps).
    pub(super) reads: AtomicUsize,
}

impl Default for Reuse {
    fn default() -> Reuse {
        Reuse::settling(SETTLED)
    }
}

/// A file as a load saw it.
pub(super) struct Seen {
    pub text: String,
    pub digest: u64,
    /// The file's metadata when it was read, if it had settled then.
    pub stamp: Option<Stamp>,
    /// What parsing `text` gave (a `yaml::Parsed<T>`).
    pub parsed: Box<dyn Any + Send + Sync>,
    /// Whether parsing found a problem: such a file is always read again, to show it.
    pub clean: bool,
}

impl Reuse {
    /// Trusts the stamps of files whose times are `settled` old (tests: `SETTLED` is too
    /// long to wait for).
    pub fn settling(settled: Duration) -> Reuse {
        Reuse {
            files: HashMap::new(),
            settled,
            reads: AtomicUsize::new(0),
        }
    }

    /// How many files the last load read.
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::Relaxed)
    }

    /// Forgets the stamps of `paths` (as the watcher reports them: absolute, or relative to
    /// the site root): the next load reads them and compares their text, whatever their
    /// metadata says.
    pub fn edited<'a>(&mut self, paths: impl IntoIterator<Item = &'a PathBuf>) {
        for path in paths {
            for (rel, seen) in self.files.iter_mut() {
                if path.ends_with(rel) {
                    seen.stamp = None;
                }
            }
        }
    }

    /// How many files are kept (for tests).
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// A file's metadata, enough to know it has not been written since.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    changed: (i64, i64),
    #[cfg(unix)]
    file: (u64, u64),
}

impl Stamp {
    /// The stamp of `path` (links followed), when it can be had.
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            changed: (meta.ctime(), meta.ctime_nsec()),
            #[cfg(unix)]
            file: (meta.dev(), meta.ino()),
        })
    }

    /// The stamp of `path` taken just before reading it, kept only when the file has
    /// settled: its times are more than `settled` (`SETTLED`, or `SETTLED_FINE` for times
    /// with a fraction of a second) before now.
    pub fn settled(path: &Path, settled: Duration) -> Option<Stamp> {
        let stamp = Stamp::of(path)?;
        let fine = stamp.modified.is_some_and(|t| {
            t.duration_since(SystemTime::UNIX_EPOCH)
                .is_ok_and(|d| d.subsec_nanos() != 0)
        });
        #[cfg(unix)]
        let fine = fine && stamp.changed.1 != 0;
        let settled = match fine {
            true => settled.min(SETTLED_FINE),
            false => settled,
        };
        let now = SystemTime::now();
        let old = |t: SystemTime| now.duration_since(t).is_ok_and(|age| age > settled);
        #[cfg(unix)]
        let changed = {
            let (secs, nanos) = stamp.changed;
            let t = match secs >= 0 {
                true => SystemTime::UNIX_EPOCH + Duration::new(secs as u64, nanos as u32),
                false => return None,
            };
            old(t)
        };
        #[cfg(not(unix))]
        let changed = true;
        (stamp.modified.is_some_and(old) && changed).then_some(stamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_just_written_is_not_stamped_and_a_rewrite_changes_the_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.yaml");
        std::fs::write(&f, "a: 1\n").unwrap();
        assert_eq!(Stamp::settled(&f, SETTLED), None, "written just now");
        // Times with a fraction of a second (most file systems): settled after 50 ms.
        #[cfg(unix)]
        {
            std::thread::sleep(SETTLED_FINE + Duration::from_millis(20));
            let fine = Stamp::of(&f).unwrap().changed.1 != 0;
            assert_eq!(Stamp::settled(&f, SETTLED).is_some(), fine);
        }
        assert!(Stamp::settled(&f, Duration::ZERO).is_some());
        let before = Stamp::of(&f).unwrap();
        // Same size, same content: the status-change time or the inode moves on.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(dir.path().join("b"), "a: 2\n").unwrap();
        std::fs::rename(dir.path().join("b"), &f).unwrap();
        let renamed = Stamp::of(&f).unwrap();
        assert_ne!(renamed, before);
        // Written in place, same size: the status-change time moves on.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&f, "a: 3\n").unwrap();
        assert_ne!(Stamp::of(&f).unwrap(), renamed);
        assert_eq!(Stamp::of(&dir.path().join("none")), None);
    }
}
