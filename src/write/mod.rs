//! Stage 4: the one place that writes the site to disk. Files go into a staging folder beside
//! the output; only when every file is written is the staging folder swapped in. A failed
//! build therefore leaves the previous output exactly as it was, and a good build leaves no
//! stale file from removed content.
//!
//! The swap is one atomic exchange of the two folders on Linux (`renameat2` with
//! `RENAME_EXCHANGE`), so there is no moment without a complete output; elsewhere, or on a
//! file system without it, it is two renames with a brief moment between them. A build killed
//! part-way leaves `.NAME.staging-PID` (or, in the two-rename way, `.NAME.old-PID`) beside the
//! output; the next build into the same output removes them, whatever their PID, while holding
//! a lock on the folder around the output so that it never removes a running build's folder.
//!
//! A file whose bytes equal the previous output's file at the same path is hard-linked into
//! the staging folder instead of written (`reuse`): a rebuild of a site that barely changed
//! makes few new files, and deleting the previous output then mostly drops names.
//!
//! - `check`: which output folders and paths are accepted;
//! - `reuse`: linking the previous output's unchanged files;
//! - `swap`: the swap and the lock beside the output;
//! - `remove`: deleting the previous output and what killed builds left.

mod check;
mod remove;
mod reuse;
mod swap;

pub use check::{check_output, resolve};
pub use reuse::{register_mirror, unregister_mirror};

use crate::output::OutputFile;
use check::safe_relative;
use remove::{clean_leftovers, remove_tree};
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use swap::{lock, swap};

/// Written into every output folder, so policydash never replaces a folder it did not make.
/// It is the first file written into a staging folder and the last one removed from a folder
/// being deleted, so a leftover is recognisable as policydash's at any moment.
pub const MARKER: &str = ".policydash-output";

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("refusing to write the site to {path}: {why}")]
    UnsafeOutput { path: PathBuf, why: String },
    #[error("refusing to write {path:?}: the path would leave the output folder")]
    UnsafePath { path: String },
    #[error("two files would be written to {0}")]
    Duplicate(String),
    #[error("another policydash build has been writing beside {0} for ten minutes; try again when it has finished")]
    Busy(PathBuf),
    #[error("the build stopped before the site was complete")]
    Stopped,
    #[error("could not write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `files` as the new content of `output`, atomically as far as the file system allows.
pub fn write_site(root: &Path, output: &Path, files: &[OutputFile]) -> Result<(), WriteError> {
    write_site_with(root, output, |stage| {
        files.iter().try_for_each(|f| stage.put(f))
    })
    .map(drop)
}

/// Makes the new content of `output` with `fill`, which puts each file into the staging folder
/// as soon as it is rendered, from any thread, so the site is never held in memory whole. The
/// staging folder is swapped in only if `fill` succeeds. Returns the number of files put.
pub fn write_site_with(
    root: &Path,
    output: &Path,
    fill: impl FnOnce(&Stage) -> Result<(), WriteError>,
) -> Result<usize, WriteError> {
    let staging = Staging::begin(root, output)?;
    let stage = Stage {
        dir: staging.dir.clone(),
        previous: reuse::Previous::of(&staging.output, &staging.dir.join(MARKER)),
        seen: Mutex::new(HashSet::from([MARKER.to_string()])),
        made: Mutex::new(HashSet::new()),
        files: AtomicUsize::new(0),
        linked: AtomicUsize::new(0),
    };
    fill(&stage)?;
    let files = stage.files();
    staging.finish()?;
    Ok(files)
}

/// The staging folder as many threads write into it (see `write_site_with`).
pub struct Stage {
    dir: PathBuf,
    /// The output being replaced, whose unchanged files are linked instead of written.
    previous: Option<reuse::Previous>,
    seen: Mutex<HashSet<String>>,
    /// The folders made so far (relative): each is made once, not looked at for every file.
    made: Mutex<HashSet<PathBuf>>,
    files: AtomicUsize,
    linked: AtomicUsize,
}

impl Stage {
    /// Writes one file into the staging folder (or links the previous output's, if the same).
    pub fn put(&self, f: &OutputFile) -> Result<(), WriteError> {
        let len = Some(f.bytes.len() as u64);
        self.place(&f.path, len, &|w| w.write_all(&f.bytes))
    }

    /// Writes the file at `path` with `body`, straight into the staging folder: a file too
    /// large to hold in memory (the site-wide downloads at 10,000 places). What `body` writes
    /// is compared with the previous output's file as it comes, and linked if the same.
    pub fn put_with(
        &self,
        path: &str,
        body: &dyn Fn(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), WriteError> {
        self.place(path, None, body)
    }

    /// Puts the file at `path`, of `len` bytes when known, whose bytes `body` writes.
    fn place(
        &self,
        path: &str,
        len: Option<u64>,
        body: &dyn Fn(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), WriteError> {
        let rel = safe_relative(path)?;
        let fresh = self
            .seen
            .lock()
            .map(|mut s| s.insert(path.to_string()))
            .unwrap_or(false);
        if !fresh {
            return Err(WriteError::Duplicate(path.to_string()));
        }
        let dest = self.dir.join(&rel);
        if let Some(folder) = rel.parent().filter(|p| !p.as_os_str().is_empty()) {
            let known = self.made.lock().is_ok_and(|m| m.contains(folder));
            if !known {
                let dir = self.dir.join(folder);
                fs::create_dir_all(&dir).map_err(io_err(&dir))?;
                if let Ok(mut m) = self.made.lock() {
                    m.insert(folder.to_path_buf());
                }
            }
        }
        let old = self.previous.as_ref().and_then(|p| p.candidate(&rel, len));
        let mut file = reuse::NewFile::create(&dest, old).map_err(io_err(&dest))?;
        let mut w = io::BufWriter::with_capacity(64 * 1024, &mut file);
        body(&mut w)
            .and_then(|()| io::Write::flush(&mut w))
            .map_err(io_err(&dest))?;
        drop(w);
        if file.finish().map_err(io_err(&dest))? {
            self.linked.fetch_add(1, Ordering::Relaxed);
        }
        // A point where tests kill the build: part of the site written.
        if self.files.fetch_add(1, Ordering::Relaxed) == 20 {
            pause("writing");
        }
        Ok(())
    }

    /// How many files were put (written or linked).
    pub fn files(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }

    /// How many of them were the previous output's files, linked instead of written.
    pub fn linked(&self) -> usize {
        self.linked.load(Ordering::Relaxed)
    }
}

/// A build's staging folder, beside the output, that `finish` swaps in. Dropped unfinished
/// (an error, a panic), it is removed.
struct Staging {
    output: PathBuf,
    dir: PathBuf,
    old: PathBuf,
    done: bool,
    /// Held until the swap is done: no other build cleans up or swaps beside this output.
    _lock: Option<lock::DirLock>,
}

impl Staging {
    /// Checks the output folder, takes the lock beside it, removes what interrupted builds
    /// left there and creates an empty staging folder (holding only the marker).
    fn begin(root: &Path, output: &Path) -> Result<Staging, WriteError> {
        let output = check_output(root, output)?;
        let (Some(parent), Some(name)) = (output.parent(), output.file_name()) else {
            return Err(WriteError::UnsafeOutput {
                path: output.clone(),
                why: "it has no folder name".into(),
            });
        };
        let name = name.to_string_lossy().into_owned();
        fs::create_dir_all(parent).map_err(io_err(parent))?;
        let lock = lock::DirLock::acquire(parent)?;
        clean_leftovers(parent, &name);
        let pid = std::process::id();
        let dir = parent.join(format!(".{name}.staging-{pid}"));
        let old = parent.join(format!(".{name}.old-{pid}"));
        fs::create_dir(&dir).map_err(io_err(&dir))?;
        crate::output::filling(&dir);
        let staging = Staging {
            output: output.clone(),
            dir,
            old,
            done: false,
            _lock: lock,
        };
        fs::write(
            staging.dir.join(MARKER),
            b"This folder is generated by policydash; it is replaced on every build.\n",
        )
        .map_err(io_err(&staging.dir))?;
        Ok(staging)
    }

    /// Swaps the staging folder in for the output and deletes the previous output.
    fn finish(mut self) -> Result<(), WriteError> {
        pause("staged");
        let result = swap(&self.dir, &self.output, &self.old);
        self.done = result.is_ok();
        result
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = remove_tree(&self.dir, || {});
        }
        crate::output::filled(&self.dir);
    }
}

/// For the interruption tests (`tests/interrupt.rs`): with `POLICYDASH_TEST_PAUSE=POINT` in
/// the environment, a build says so on stderr and sleeps at that point (`writing`, `staged`,
/// `swapped` or `removing`), so that a test can kill it exactly there. The sleep ends by
/// itself.
fn pause(point: &str) {
    if std::env::var_os("POLICYDASH_TEST_PAUSE").is_some_and(|p| p == point) {
        eprintln!("policydash: paused at {point}");
        std::thread::sleep(std::time::Duration::from_secs(20));
    }
}

/// A folder holding the marker and a file `x` for each of `files` (tests).
#[cfg(test)]
fn marked(dir: &Path, files: &[&str]) {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join(MARKER), "").unwrap();
    for f in files {
        fs::write(dir.join(f), "x").unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_in_new_output_and_drops_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        fs::create_dir_all(root.join("content")).unwrap();
        let out = root.join("output");
        write_site(
            &root,
            &out,
            &[
                OutputFile::new("a/index.html", "one"),
                OutputFile::new("old.html", "x"),
            ],
        )
        .unwrap();
        write_site(&root, &out, &[OutputFile::new("a/index.html", "two")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "two");
        assert!(!out.join("old.html").exists());
        let leftovers: Vec<_> = fs::read_dir(&root)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }

    #[test]
    fn a_failed_write_leaves_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        fs::create_dir_all(root.join("content")).unwrap();
        let out = root.join("output");
        write_site(&root, &out, &[OutputFile::new("index.html", "good")]).unwrap();
        let err = write_site(
            &root,
            &out,
            &[
                OutputFile::new("index.html", "new"),
                OutputFile::new("../escape", "x"),
            ],
        );
        assert!(err.is_err());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "good");
        assert!(!root.join("escape").exists());
    }
}
