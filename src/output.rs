//! What every renderer makes and the writer writes: one file of the site. A leaf module, so
//! renderers (pages, charts, downloads, site files) and the writer depend on it and not on each
//! other.

/// One file of the site, relative to the output folder (forward slashes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

/// Folders a build is filling. Should the process have to end before the build does (a
/// template that never stops), `remove_unfinished` takes them away first.
static UNFINISHED: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());

/// `dir` is being filled; see `remove_unfinished`.
pub fn filling(dir: &std::path::Path) {
    if let Ok(mut dirs) = UNFINISHED.lock() {
        dirs.push(dir.to_path_buf());
    }
}

/// `dir` was swapped in or removed.
pub fn filled(dir: &std::path::Path) {
    if let Ok(mut dirs) = UNFINISHED.lock() {
        dirs.retain(|d| d != dir);
    }
}

/// Removes the folders still being filled, before the process ends early.
pub fn remove_unfinished() {
    if let Ok(mut dirs) = UNFINISHED.lock() {
        for dir in dirs.drain(..) {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
