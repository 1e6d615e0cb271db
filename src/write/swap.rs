//! The swap of the staging folder for the output, and the lock beside the output that lets
//! one build at a time clean up and swap there.

use super::remove::remove_tree;
use super::{io_err, pause, WriteError};
use std::fs;
use std::path::Path;

/// Puts `staging` in the place of `output`. The previous output, moved aside, is deleted; if
/// deleting it fails, the next build removes what is left.
pub(super) fn swap(staging: &Path, output: &Path, old: &Path) -> Result<(), WriteError> {
    if fs::symlink_metadata(output).is_err() {
        return fs::rename(staging, output).map_err(io_err(output));
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        use rustix::io::Errno;
        match renameat_with(CWD, staging, CWD, output, RenameFlags::EXCHANGE) {
            Ok(()) => {
                // The staging folder's name now holds the previous output.
                pause("swapped");
                let _ = remove_tree(staging, || pause("removing"));
                return Ok(());
            }
            // Not supported by this kernel or file system: the two renames below.
            Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => {}
            Err(e) => return Err(io_err(output)(e.into())),
        }
    }
    swap_by_renames(staging, output, old)
}

/// The swap where folders cannot be exchanged: the output aside, the staging folder in (with
/// a moment between the two when there is no output), then the old output deleted.
fn swap_by_renames(staging: &Path, output: &Path, old: &Path) -> Result<(), WriteError> {
    fs::rename(output, old).map_err(io_err(output))?;
    if let Err(e) = fs::rename(staging, output) {
        // Put the previous site back so a failure never leaves nothing published.
        let _ = fs::rename(old, output);
        return Err(io_err(output)(e));
    }
    pause("swapped");
    let _ = remove_tree(old, || pause("removing"));
    Ok(())
}

/// The lock beside the output: an advisory `flock` on the folder that holds it, so that one
/// build at a time cleans up and swaps there. Where locks are unavailable, builds go on
/// without one (do not then run two builds into the same output at once).
pub(super) mod lock {
    use super::WriteError;
    use std::path::Path;

    pub struct DirLock {
        #[cfg(unix)]
        _file: std::fs::File,
    }

    impl DirLock {
        #[cfg(unix)]
        pub fn acquire(dir: &Path) -> Result<Option<DirLock>, WriteError> {
            use rustix::fs::{flock, FlockOperation};
            use rustix::io::Errno;
            let Ok(file) = std::fs::File::open(dir) else {
                return Ok(None);
            };
            let started = std::time::Instant::now();
            loop {
                match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                    Ok(()) => return Ok(Some(DirLock { _file: file })),
                    Err(Errno::WOULDBLOCK) | Err(Errno::INTR) => {
                        if started.elapsed() > std::time::Duration::from_secs(600) {
                            return Err(WriteError::Busy(dir.to_path_buf()));
                        }
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    }
                    Err(_) => return Ok(None),
                }
            }
        }

        #[cfg(not(unix))]
        pub fn acquire(_dir: &Path) -> Result<Option<DirLock>, WriteError> {
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::marked;

    #[test]
    fn the_two_rename_swap_replaces_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let (staging, output, old) = (
            dir.path().join(".out.staging-1"),
            dir.path().join("out"),
            dir.path().join(".out.old-1"),
        );
        marked(&staging, &["new.html"]);
        marked(&output, &["old.html"]);
        swap_by_renames(&staging, &output, &old).unwrap();
        assert!(output.join("new.html").is_file() && !output.join("old.html").exists());
        assert!(!staging.exists() && !old.exists());
    }
}
