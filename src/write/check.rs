//! Which output folders and which paths in them the writer accepts: nothing from data can
//! climb out of the output, and the output never replaces something that is not a built site.

use super::{WriteError, MARKER};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// The folders of a site that a build reads; the output may be none of them nor inside one.
const READ_FOLDERS: [&str; 4] = ["content", "templates", "themes", "static"];

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
pub(super) fn safe_relative(path: &str) -> Result<PathBuf, WriteError> {
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
}
