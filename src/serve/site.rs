//! The site the server answers from. After each good build the preview mirrors the output
//! folder into a folder of its own beside it (hard links, so no file is copied), replacing
//! each changed file atomically; `write` may then swap or rewrite the output folder as it
//! likes without a request ever seeing it half-written or missing. A request path can only
//! name a file in the snapshot's index: nothing else on disk is reachable.

use axum::body::Bytes;
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// One build of the site: which files it has, and the folder they are read from.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The path the site's links start with (`/repo/`), decoded (`/政策/`, where the links
    /// have `/%E6%94%BF%E7%AD%96/`).
    pub prefix: String,
    dir: PathBuf,
    /// Paths relative to `dir`, with forward slashes.
    keys: HashSet<String>,
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

/// The files under `dir`, as keys.
fn keys_of(dir: &Path) -> io::Result<HashSet<String>> {
    let mut keys = HashSet::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).map_err(io::Error::other)?;
            keys.insert(key_of(rel));
        }
    }
    Ok(keys)
}

/// A path prefix as requests are matched against it: decoded (`urls` gives it encoded).
pub fn decoded(prefix: &str) -> String {
    percent_encoding::percent_decode_str(prefix)
        .decode_utf8_lossy()
        .into_owned()
}

fn key_of(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

impl Snapshot {
    /// A site with no files (nothing has been built yet).
    pub fn empty(prefix: &str) -> Snapshot {
        Snapshot {
            prefix: decoded(prefix),
            ..Snapshot::default()
        }
    }

    /// The built site in `dir`, read from there as it is.
    pub fn of_folder(dir: &Path, prefix: &str) -> io::Result<Snapshot> {
        Ok(Snapshot {
            prefix: decoded(prefix),
            dir: dir.to_path_buf(),
            keys: keys_of(dir)?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn contains(&self, key: &str) -> bool {
        self.keys.contains(key)
    }

    /// The site's files, relative to its folder.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(String::as_str)
    }

    /// The bytes of a file of the site; `None` for anything not in the index.
    pub fn read(&self, key: &str) -> Option<Bytes> {
        if !self.keys.contains(key) {
            return None;
        }
        fs::read(self.dir.join(key)).ok().map(Bytes::from)
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
            return match self.keys.contains(&index) {
                true => Resolved::File(index),
                false => Resolved::NotFound,
            };
        }
        if self.keys.contains(rest) {
            return Resolved::File(rest.to_string());
        }
        if self.keys.contains(&format!("{rest}/index.html")) {
            return Resolved::Redirect(format!("{path}/"));
        }
        Resolved::NotFound
    }
}

/// The preview's own copy of the output folder: `.NAME.preview-PID` beside it, on the same
/// file system, so files are hard-linked rather than copied. Removed when dropped.
#[derive(Debug)]
pub struct Mirror {
    dir: PathBuf,
}

impl Drop for Mirror {
    fn drop(&mut self) {
        crate::write::unregister_mirror(&self.dir);
        let _ = fs::remove_dir_all(&self.dir);
    }
}

impl Mirror {
    /// Makes the mirror folder for `output`, removing those a killed preview left behind.
    pub fn new(output: &Path) -> io::Result<Mirror> {
        let output = crate::write::resolve(output);
        let parent = output.parent().unwrap_or(Path::new("/")).to_path_buf();
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = format!(".{name}.preview-");
        fs::create_dir_all(&parent)?;
        for entry in fs::read_dir(&parent)?.flatten() {
            let n = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = n.strip_prefix(&stem) {
                if !Path::new("/proc").join(pid).exists() {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = parent.join(format!("{stem}{}", std::process::id()));
        fs::create_dir_all(&dir)?;
        // A rebuild may then link the output's unchanged files though they have two names.
        crate::write::register_mirror(&dir);
        Ok(Mirror { dir })
    }

    /// Makes the mirror hold exactly the files of `output` and returns the snapshot.
    pub fn sync_all(&self, output: &Path, prefix: &str) -> io::Result<Snapshot> {
        let keys = keys_of(output)?;
        for key in &keys {
            self.place(output, key)?;
        }
        for old in keys_of(&self.dir)? {
            if !keys.contains(&old) {
                let _ = fs::remove_file(self.dir.join(&old));
            }
        }
        Ok(Snapshot {
            prefix: decoded(prefix),
            dir: self.dir.clone(),
            keys,
        })
    }

    /// `previous` with the `changed` files of `output` put in place.
    pub fn update(
        &self,
        output: &Path,
        previous: &Snapshot,
        changed: &[String],
        removed: &[String],
    ) -> io::Result<Snapshot> {
        let mut keys = previous.keys.clone();
        for key in changed {
            self.place(output, key)?;
            keys.insert(key.clone());
        }
        for key in removed {
            keys.remove(key);
            // A reader that opened the file keeps it; new requests no longer see it.
            let _ = fs::remove_file(self.dir.join(key));
        }
        Ok(Snapshot {
            prefix: previous.prefix.clone(),
            dir: self.dir.clone(),
            keys,
        })
    }

    /// Puts `output/key` into the mirror atomically (a reader sees the old or the new file).
    fn place(&self, output: &Path, key: &str) -> io::Result<()> {
        let from = output.join(key);
        let to = self.dir.join(key);
        if same_file(&from, &to) {
            return Ok(());
        }
        let dir = to.parent().unwrap_or(&self.dir);
        fs::create_dir_all(dir)?;
        let tmp = dir.join(".policydash-link.tmp");
        let _ = fs::remove_file(&tmp);
        if fs::hard_link(&from, &tmp).is_err() {
            fs::copy(&from, &tmp)?;
        }
        fs::rename(&tmp, &to)
    }
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> bool {
    false
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

    fn site(prefix: &str) -> (tempfile::TempDir, Snapshot) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in [
            ("index.html", "home"),
            ("a/index.html", "a"),
            ("data/x.csv", "1,2"),
        ] {
            let p = dir.path().join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        let s = Snapshot::of_folder(dir.path(), prefix).unwrap();
        assert_eq!(Snapshot::empty("/%E6%94%BF/").prefix, "/政/");
        (dir, s)
    }

    #[test]
    fn resolves_under_the_prefix_and_refuses_escapes() {
        let (_d, s) = site("/r/");
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
        assert_eq!(s.read("../index.html"), None);
    }

    #[test]
    fn a_non_ascii_prefix_resolves() {
        let (_d, s) = site("/政策/");
        assert_eq!(s.resolve("/政策/a/"), Resolved::File("a/index.html".into()));
        assert_eq!(s.resolve("/"), Resolved::Redirect("/政策/".into()));
    }

    #[test]
    fn the_mirror_keeps_serving_while_the_output_is_replaced() {
        let (out, _) = site("/");
        let mirror = Mirror::new(out.path()).unwrap();
        let first = mirror.sync_all(out.path(), "/").unwrap();
        assert_eq!(first.read("a/index.html").as_deref(), Some(&b"a"[..]));
        // The output goes away (as in a swap): the mirror still answers.
        fs::remove_file(out.path().join("a/index.html")).unwrap();
        assert_eq!(first.read("a/index.html").as_deref(), Some(&b"a"[..]));
        fs::write(out.path().join("a/index.html"), "A").unwrap();
        let second = mirror
            .update(out.path(), &first, &["a/index.html".into()], &[])
            .unwrap();
        assert_eq!(second.read("a/index.html").as_deref(), Some(&b"A"[..]));
        fs::remove_file(out.path().join("data/x.csv")).unwrap();
        let third = mirror.sync_all(out.path(), "/").unwrap();
        assert!(!third.contains("data/x.csv") && third.len() == 2);
        let dir = mirror.dir.clone();
        drop(mirror);
        assert!(!dir.exists());
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("data/x.csv"), "text/csv; charset=utf-8");
        assert_eq!(content_type("c.svg"), "image/svg+xml");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
