//! The site the server answers from: every file of the last good build, held in memory.
//! A rebuild replaces the whole snapshot at once, so a request never sees a half-written
//! folder or a 404 while files are being swapped on disk, and a request path can only ever
//! name a file of the site (there is no file-system lookup to escape from).

use axum::body::Bytes;
use std::collections::HashMap;
use std::io;
use std::path::Path;

/// The files of one build, by path relative to the output folder (forward slashes).
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The path the site's links start with (`/repo/`), decoded (`/政策/`).
    pub prefix: String,
    files: HashMap<String, Bytes>,
}

/// What a request path names.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A file of the site, by its key.
    File(String),
    /// A folder asked for without its slash, or the server root: the decoded path to go to.
    Redirect(String),
    NotFound,
}

impl Snapshot {
    pub fn empty(prefix: impl Into<String>) -> Snapshot {
        Snapshot {
            prefix: prefix.into(),
            files: HashMap::new(),
        }
    }

    /// Reads every file under `dir` (a built site).
    pub fn load(dir: &Path, prefix: impl Into<String>) -> io::Result<Snapshot> {
        let mut files = HashMap::new();
        for entry in walkdir::WalkDir::new(dir).min_depth(1) {
            let entry = entry.map_err(io::Error::other)?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(dir).map_err(io::Error::other)?;
            let key = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            files.insert(key, Bytes::from(std::fs::read(entry.path())?));
        }
        Ok(Snapshot {
            prefix: prefix.into(),
            files,
        })
    }

    pub fn from_files(
        prefix: impl Into<String>,
        files: impl IntoIterator<Item = (String, Vec<u8>)>,
    ) -> Snapshot {
        Snapshot {
            prefix: prefix.into(),
            files: files
                .into_iter()
                .map(|(k, v)| (k, Bytes::from(v)))
                .collect(),
        }
    }

    /// This snapshot with `changed` files added or replaced.
    pub fn with(&self, changed: impl IntoIterator<Item = (String, Vec<u8>)>) -> Snapshot {
        let mut files = self.files.clone();
        files.extend(changed.into_iter().map(|(k, v)| (k, Bytes::from(v))));
        Snapshot {
            prefix: self.prefix.clone(),
            files,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn get(&self, key: &str) -> Option<&Bytes> {
        self.files.get(key)
    }

    /// Maps a decoded request path to a file of the site. Anything with `.`, `..`, a
    /// backslash or a NUL in it is refused, though no such key exists anyway.
    pub fn resolve(&self, path: &str) -> Resolved {
        let prefix = self.prefix.as_str();
        if path == "/" && prefix != "/" {
            return Resolved::Redirect(prefix.to_string());
        }
        if path.len() + 1 == prefix.len() && prefix.starts_with(path) {
            return Resolved::Redirect(prefix.to_string());
        }
        let Some(rest) = path.strip_prefix(prefix) else {
            return Resolved::NotFound;
        };
        if rest
            .split('/')
            .any(|s| s == "." || s == ".." || s.contains(['\\', '\0']))
        {
            return Resolved::NotFound;
        }
        if rest.is_empty() || rest.ends_with('/') {
            let index = format!("{rest}index.html");
            return match self.files.contains_key(&index) {
                true => Resolved::File(index),
                false => Resolved::NotFound,
            };
        }
        if self.files.contains_key(rest) {
            return Resolved::File(rest.to_string());
        }
        if self.files.contains_key(&format!("{rest}/index.html")) {
            return Resolved::Redirect(format!("{path}/"));
        }
        Resolved::NotFound
    }
}

/// The media type of a file of the site, by its extension.
pub fn content_type(key: &str) -> &'static str {
    let ext = key.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml",
        "atom" => "application/atom+xml",
        "txt" => "text/plain; charset=utf-8",
        "zip" => "application/zip",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(prefix: &str) -> Snapshot {
        Snapshot::from_files(
            prefix,
            [
                ("index.html".to_string(), b"home".to_vec()),
                ("a/index.html".to_string(), b"a".to_vec()),
                ("data/x.csv".to_string(), b"1,2".to_vec()),
            ],
        )
    }

    #[test]
    fn resolves_under_the_prefix_and_refuses_escapes() {
        let s = site("/r/");
        assert_eq!(s.resolve("/r/"), Resolved::File("index.html".into()));
        assert_eq!(s.resolve("/r/a/"), Resolved::File("a/index.html".into()));
        assert_eq!(s.resolve("/r/a"), Resolved::Redirect("/r/a/".into()));
        assert_eq!(s.resolve("/r"), Resolved::Redirect("/r/".into()));
        assert_eq!(s.resolve("/"), Resolved::Redirect("/r/".into()));
        assert_eq!(
            s.resolve("/r/data/x.csv"),
            Resolved::File("data/x.csv".into())
        );
        for bad in [
            "/a/",
            "/r/../r/a/",
            "/r/a/../index.html",
            "/r/./a/",
            "/r/a\\..\\",
        ] {
            assert_eq!(s.resolve(bad), Resolved::NotFound, "{bad}");
        }
    }

    #[test]
    fn a_non_ascii_prefix_resolves() {
        let s = site("/政策/");
        assert_eq!(s.resolve("/政策/a/"), Resolved::File("a/index.html".into()));
        assert_eq!(s.resolve("/"), Resolved::Redirect("/政策/".into()));
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("data/x.csv"), "text/csv; charset=utf-8");
        assert_eq!(content_type("c.svg"), "image/svg+xml");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
