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

use crate::output::OutputFile;
use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Written into every output folder, so policydash never replaces a folder it did not make.
/// It is the first file written into a staging folder and the last one removed from a folder
/// being deleted, so a leftover is recognisable as policydash's at any moment.
pub const MARKER: &str = ".policydash-output";

/// The folders of a site that a build reads; the output may be none of them nor inside one.
const READ_FOLDERS: [&str; 4] = ["content", "templates", "themes", "static"];

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

/// Refuses output folders whose replacement would destroy something that is not a built site,
/// or that the next build would read: `/`, the site folder or a folder above it, `content/`,
/// `templates/`, `themes/` or `static/` (or a folder inside one, or one holding one), a folder
/// holding a `content/` folder, or a non-empty folder policydash did not create. Links are
/// resolved first, so `c2/out` with `c2` a link to `content` is refused too. Returns the
/// output folder with every link resolved: where the site is written.
pub fn check_output(root: &Path, output: &Path) -> Result<PathBuf, WriteError> {
    let unsafe_out = |why: &str| WriteError::UnsafeOutput {
        path: output.to_path_buf(),
        why: why.into(),
    };
    if fs::symlink_metadata(output).is_ok() && !output.exists() {
        return Err(unsafe_out("it is a link to nothing"));
    }
    let out = resolve(output);
    let site = resolve(root);
    if out.parent().is_none() {
        return Err(unsafe_out("it is the file-system root"));
    }
    if out == site || site.starts_with(&out) {
        return Err(unsafe_out(
            "it is the site folder or contains it; use a folder of its own, such as output/",
        ));
    }
    let mut reads: Vec<(String, PathBuf)> = READ_FOLDERS
        .iter()
        .map(|name| (format!("{name}/"), resolve(&site.join(name))))
        .collect();
    reads.push((
        "policydash's own themes/".into(),
        resolve(&crate::render::theme::shipped_themes()),
    ));
    for (name, folder) in &reads {
        if out.starts_with(folder) {
            return Err(unsafe_out(&format!(
                "it is {name} or inside {name}, which the site is built from: the next build would read the output as part of the site"
            )));
        }
        if folder.starts_with(&out) && folder.exists() {
            return Err(unsafe_out(&format!(
                "it contains {name}, which the site is built from"
            )));
        }
    }
    if out.join("content").exists() {
        return Err(unsafe_out("it contains a content/ folder"));
    }
    if out.is_dir() {
        let has_marker = out.join(MARKER).is_file();
        let empty = fs::read_dir(&out)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !has_marker && !empty {
            return Err(unsafe_out(&format!(
                "it is not empty and was not made by policydash (no {MARKER} file); choose an empty or new folder"
            )));
        }
    } else if out.exists() {
        return Err(unsafe_out("it is a file, not a folder"));
    }
    Ok(out)
}

/// Makes a path absolute with every link resolved: the longest part that exists is resolved
/// by the file system, the rest (which cannot hold links) is appended with `.` and `..` done.
pub fn resolve(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let parts: Vec<Component> = joined.components().collect();
    for i in (1..=parts.len()).rev() {
        let existing: PathBuf = parts[..i].iter().collect();
        if let Ok(mut out) = fs::canonicalize(&existing) {
            for c in &parts[i..] {
                match c {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(n) => out.push(n),
                    _ => {}
                }
            }
            return out;
        }
    }
    lexical(&joined)
}

/// Removes `.` and `..` without touching the disk.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A relative path made only of normal parts: nothing from data can climb out of the output.
fn safe_relative(path: &str) -> Result<PathBuf, WriteError> {
    let p = Path::new(path);
    let ok = !path.is_empty()
        && !path.contains('\\')
        && p.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(p.to_path_buf())
    } else {
        Err(WriteError::UnsafePath {
            path: path.to_string(),
        })
    }
}

/// Writes `files` as the new content of `output`, atomically as far as the file system allows.
pub fn write_site(root: &Path, output: &Path, files: &[OutputFile]) -> Result<(), WriteError> {
    let mut staging = Staging::begin(root, output)?;
    for (i, f) in files.iter().enumerate() {
        if i == files.len() / 2 {
            pause("writing");
        }
        staging.write(f)?;
    }
    staging.finish()
}

/// Makes the new content of `output` with `fill`, which puts each file into the staging folder
/// as soon as it is rendered, from any thread, so the site is never held in memory whole. The
/// staging folder is swapped in only if `fill` succeeds. Returns the number of files written.
pub fn write_site_with(
    root: &Path,
    output: &Path,
    fill: impl FnOnce(&Stage) -> Result<(), WriteError>,
) -> Result<usize, WriteError> {
    let staging = Staging::begin(root, output)?;
    let stage = Stage {
        dir: staging.dir.clone(),
        seen: Mutex::new(HashSet::from([MARKER.to_string()])),
        made: Mutex::new(HashSet::new()),
        files: AtomicUsize::new(0),
    };
    fill(&stage)?;
    let files = stage.files();
    staging.finish()?;
    Ok(files)
}

/// The staging folder as many threads write into it (see `write_site_with`).
pub struct Stage {
    dir: PathBuf,
    seen: Mutex<HashSet<String>>,
    /// The folders made so far (relative): each is made once, not looked at for every file.
    made: Mutex<HashSet<PathBuf>>,
    files: AtomicUsize,
}

impl Stage {
    /// Writes one file into the staging folder.
    pub fn put(&self, f: &OutputFile) -> Result<(), WriteError> {
        self.put_with(&f.path, &|w| w.write_all(&f.bytes))
    }

    /// Writes the file at `path` with `body`, straight into the staging folder: a file too
    /// large to hold in memory (the site-wide downloads at 10,000 places).
    pub fn put_with(
        &self,
        path: &str,
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
        let file = fs::File::create(&dest).map_err(io_err(&dest))?;
        let mut w = io::BufWriter::new(file);
        body(&mut w)
            .and_then(|()| io::Write::flush(&mut w))
            .map_err(io_err(&dest))?;
        // A point where tests kill the build: part of the site written.
        if self.files.fetch_add(1, Ordering::Relaxed) == 20 {
            pause("writing");
        }
        Ok(())
    }

    /// How many files were written.
    pub fn files(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }
}

/// A build's staging folder, beside the output: files are written into it one by one, and
/// `finish` swaps it in. Dropped unfinished (an error, a panic), it is removed.
pub struct Staging {
    output: PathBuf,
    dir: PathBuf,
    old: PathBuf,
    seen: BTreeSet<String>,
    done: bool,
    /// Held until the swap is done: no other build cleans up or swaps beside this output.
    _lock: Option<lock::DirLock>,
}

impl Staging {
    /// Checks the output folder, takes the lock beside it, removes what interrupted builds
    /// left there and creates an empty staging folder (holding only the marker).
    pub fn begin(root: &Path, output: &Path) -> Result<Staging, WriteError> {
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
            seen: BTreeSet::from([MARKER.to_string()]),
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

    /// Writes one file into the staging folder.
    pub fn write(&mut self, f: &OutputFile) -> Result<(), WriteError> {
        let rel = safe_relative(&f.path)?;
        if !self.seen.insert(f.path.clone()) {
            return Err(WriteError::Duplicate(f.path.clone()));
        }
        let dest = self.dir.join(&rel);
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        fs::write(&dest, &f.bytes).map_err(io_err(&dest))
    }

    /// Swaps the staging folder in for the output and deletes the previous output.
    pub fn finish(mut self) -> Result<(), WriteError> {
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

/// Puts `staging` in the place of `output`. The previous output, moved aside, is deleted; if
/// deleting it fails, the next build removes what is left.
fn swap(staging: &Path, output: &Path, old: &Path) -> Result<(), WriteError> {
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

/// Removes the staging and old folders that killed builds left beside `NAME` (any PID). Only
/// real folders named `.NAME.staging-DIGITS` or `.NAME.old-DIGITS` that hold the marker, or
/// nothing at all, are removed: nothing else can be mistaken for them.
fn clean_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest
            .strip_prefix("staging-")
            .or_else(|| rest.strip_prefix("old-"))
        else {
            continue;
        };
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let path = entry.path();
        let is_dir = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_dir());
        if is_dir && is_ours(&path) {
            let _ = remove_tree(&path, || {});
        }
    }
}

/// A folder that holds the marker (as a regular file), or nothing.
fn is_ours(dir: &Path) -> bool {
    fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.file_type().is_file())
        || fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

/// Deletes a folder policydash made, the marker last, so that a deletion cut short leaves a
/// folder still recognisable as policydash's. `after_first` runs once something is deleted.
fn remove_tree(dir: &Path, mut after_first: impl FnMut()) -> io::Result<()> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() != MARKER {
            entries.push((entry.path(), entry.file_type()?.is_dir()));
        }
    }
    // The first entry alone (a test stops the build right after it), then the others on
    // every core: a site is tens of thousands of files.
    if let Some((path, is_dir)) = entries.pop() {
        remove_entry(&path, is_dir)?;
        after_first();
    }
    {
        use rayon::prelude::*;
        entries
            .par_iter()
            .try_for_each(|(path, is_dir)| remove_entry(path, *is_dir))?;
    }
    match fs::remove_file(dir.join(MARKER)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::remove_dir(dir)
}

/// Removes a file, or a folder and everything in it, its subfolders on every core.
fn remove_entry(path: &Path, is_dir: bool) -> io::Result<()> {
    use rayon::prelude::*;
    if !is_dir {
        return fs::remove_file(path);
    }
    let entries: Vec<(PathBuf, bool)> = fs::read_dir(path)?
        .map(|e| {
            let e = e?;
            Ok((e.path(), e.file_type()?.is_dir()))
        })
        .collect::<io::Result<_>>()?;
    entries
        .par_iter()
        .try_for_each(|(p, d)| remove_entry(p, *d))?;
    fs::remove_dir(path)
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

/// The lock beside the output: an advisory `flock` on the folder that holds it, so that one
/// build at a time cleans up and swaps there. Where locks are unavailable, builds go on
/// without one (do not then run two builds into the same output at once).
mod lock {
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

    #[test]
    fn rejects_paths_that_leave_the_output() {
        for bad in ["../x", "/etc/passwd", "a/../../b", "", "a\\b", "./a"] {
            assert!(safe_relative(bad).is_err(), "{bad:?}");
        }
        assert!(safe_relative("zh/programmes/x/index.html").is_ok());
    }

    #[test]
    fn refuses_dangerous_output_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        fs::create_dir_all(root.join("content")).unwrap();
        assert!(check_output(&root, Path::new("/")).is_err());
        assert!(check_output(&root, &root).is_err());
        assert!(check_output(&root, dir.path()).is_err());
        let foreign = dir.path().join("docs");
        fs::create_dir_all(&foreign).unwrap();
        fs::write(foreign.join("thesis.txt"), "mine").unwrap();
        assert!(check_output(&root, &foreign).is_err());
        assert!(check_output(&root, &root.join("content/site")).is_err());
        let other_site = dir.path().join("other");
        fs::create_dir_all(other_site.join("content")).unwrap();
        assert!(check_output(&root, &other_site).is_err());
        assert!(check_output(&root, &root.join("output")).is_ok());
    }

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

    fn marked(dir: &Path, files: &[&str]) {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join(MARKER), "").unwrap();
        for f in files {
            fs::write(dir.join(f), "x").unwrap();
        }
    }

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

    #[test]
    fn cleans_only_its_own_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        marked(&p.join(".out.staging-12"), &["a.html"]);
        marked(&p.join(".out.old-345"), &[]);
        fs::create_dir(p.join(".out.staging-6")).unwrap(); // killed before the marker
                                                           // Not ours: no marker, another name, not a number, a link, another output's.
        fs::create_dir(p.join(".out.old-7")).unwrap();
        fs::write(p.join(".out.old-7/thesis.txt"), "mine").unwrap();
        marked(&p.join(".out.staging-12x"), &[]);
        marked(&p.join(".out.old-"), &[]);
        marked(&p.join(".other.old-8"), &[]);
        marked(&p.join("elsewhere"), &["keep.txt"]);
        #[cfg(unix)]
        std::os::unix::fs::symlink(p.join("elsewhere"), p.join(".out.old-9")).unwrap();
        clean_leftovers(p, "out");
        let mut left: Vec<String> = fs::read_dir(p)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut want = vec![
            ".other.old-8",
            ".out.old-",
            ".out.old-7",
            ".out.staging-12x",
            "elsewhere",
        ];
        if cfg!(unix) {
            want.push(".out.old-9");
            want.sort();
        }
        assert_eq!(left, want);
        assert!(p.join("elsewhere/keep.txt").is_file());
    }

    #[test]
    fn a_deletion_cut_short_leaves_the_marker() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join(".out.old-1");
        marked(&d, &["a", "b", "c"]);
        fs::create_dir(d.join("sub")).unwrap();
        let mut seen_marker = false;
        let _ = remove_tree(&d, || seen_marker = d.join(MARKER).is_file());
        assert!(seen_marker);
        assert!(!d.exists());
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
