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
