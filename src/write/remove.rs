//! Deleting what policydash made: the previous output after a swap, and the staging and old
//! folders that killed builds left beside the output.

use super::MARKER;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// real folders named `.NAME.staging-DIGITS` or `.NAME.old-DIGITS` that hold the marker, or
/// nothing at all, are removed: nothing else can be mistaken for them.
pub(super) fn clean_leftovers(parent: &Path, name: &str) {
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
pub(super) fn remove_tree(dir: &Path, mut after_first: impl FnMut()) -> io::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::marked;

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
}
