//! Stage 4: the one place that writes the site to disk. Files go into a staging folder beside
//! the output; only when every file is written is the staging folder swapped in. A failed
//! build therefore leaves the previous output exactly as it was, and a good build leaves no
//! stale file from removed content.

use crate::output::OutputFile;
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Written into every output folder, so policydash never replaces a folder it did not make.
pub const MARKER: &str = ".policydash-output";

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("refusing to write the site to {path}: {why}")]
    UnsafeOutput { path: PathBuf, why: String },
    #[error("refusing to write {path:?}: the path would leave the output folder")]
    UnsafePath { path: String },
    #[error("two files would be written to {0}")]
    Duplicate(String),
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

/// Refuses output folders whose replacement would destroy something that is not a built site:
/// `/`, the site root, a folder holding `content/` or inside it, an ancestor of the root, or a non-empty
/// folder policydash did not create.
pub fn check_output(root: &Path, output: &Path) -> Result<(), WriteError> {
    let unsafe_out = |why: &str| WriteError::UnsafeOutput {
        path: output.to_path_buf(),
        why: why.into(),
    };
    let abs_out = absolute(output);
    let abs_root = absolute(root);
    if abs_out.parent().is_none() {
        return Err(unsafe_out("it is the file-system root"));
    }
    if abs_out == abs_root || abs_root.starts_with(&abs_out) {
        return Err(unsafe_out(
            "it is the site folder or contains it; use a folder of its own, such as output/",
        ));
    }
    if abs_out.starts_with(abs_root.join("content")) {
        return Err(unsafe_out(
            "it is inside content/, where the next build would read it as content",
        ));
    }
    if abs_out.join("content").exists() {
        return Err(unsafe_out("it contains a content/ folder"));
    }
    if abs_out.is_dir() {
        let has_marker = abs_out.join(MARKER).is_file();
        let empty = fs::read_dir(&abs_out)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !has_marker && !empty {
            return Err(unsafe_out(&format!(
                "it is not empty and was not made by policydash (no {MARKER} file); choose an empty or new folder"
            )));
        }
    } else if abs_out.exists() {
        return Err(unsafe_out("it is a file, not a folder"));
    }
    Ok(())
}

/// Makes a path absolute and removes `.` and `..` without touching the disk.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
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

/// The staging folder as files reach it: each file is written as soon as it is rendered, from
/// any thread, so the site is never held in memory whole.
pub struct Stage {
    dir: PathBuf,
    seen: Mutex<HashSet<String>>,
    files: AtomicUsize,
}

impl Stage {
    fn new(dir: &Path) -> Stage {
        Stage {
            dir: dir.to_path_buf(),
            seen: Mutex::new(HashSet::new()),
            files: AtomicUsize::new(0),
        }
    }

    /// Writes one file into the staging folder.
    pub fn put(&self, f: &OutputFile) -> Result<(), WriteError> {
        let rel = safe_relative(&f.path)?;
        let fresh = self
            .seen
            .lock()
            .map(|mut s| s.insert(f.path.clone()))
            .unwrap_or(false);
        if !fresh {
            return Err(WriteError::Duplicate(f.path.clone()));
        }
        let dest = self.dir.join(&rel);
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        fs::write(&dest, &f.bytes).map_err(io_err(&dest))?;
        self.files.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// How many files were written.
    pub fn files(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }
}

/// Writes `files` as the new content of `output`, atomically as far as the file system allows.
pub fn write_site(root: &Path, output: &Path, files: &[OutputFile]) -> Result<(), WriteError> {
    write_site_with(root, output, |stage| {
        files.iter().try_for_each(|f| stage.put(f))
    })
    .map(|_| ())
}

/// Makes the new content of `output` with `fill`, which puts files into the staging folder as
/// it makes them; swaps it in only if `fill` succeeds. Returns the number of files.
pub fn write_site_with(
    root: &Path,
    output: &Path,
    fill: impl FnOnce(&Stage) -> Result<(), WriteError>,
) -> Result<usize, WriteError> {
    check_output(root, output)?;
    let output = absolute(output);
    let parent = output.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));

    let result = (|| {
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
        }
        fs::create_dir_all(&staging).map_err(io_err(&staging))?;
        let stage = Stage::new(&staging);
        fill(&stage)?;
        fs::write(
            staging.join(MARKER),
            b"This folder is generated by policydash; it is replaced on every build.\n",
        )
        .map_err(io_err(&staging))?;
        Ok(stage.files())
    })();
    let files = match result {
        Ok(n) => n,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };

    // Swap: move the previous output aside, move the new one in, then delete the old one.
    if output.exists() {
        fs::rename(&output, &old).map_err(|e| {
            let _ = fs::remove_dir_all(&staging);
            WriteError::Io {
                path: output.clone(),
                source: e,
            }
        })?;
    }
    if let Err(e) = fs::rename(&staging, &output) {
        // Put the previous site back so a failure never leaves nothing published.
        let _ = fs::rename(&old, &output);
        let _ = fs::remove_dir_all(&staging);
        return Err(WriteError::Io {
            path: output,
            source: e,
        });
    }
    if old.exists() {
        fs::remove_dir_all(&old).map_err(io_err(&old))?;
    }
    Ok(files)
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
