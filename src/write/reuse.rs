//! Reusing the previous output's unchanged files. A file whose bytes equal the previous
//! output's file at the same path is hard-linked into the staging folder instead of written:
//! no new file for the file system to allocate, no data to write, and deleting the previous
//! output after the swap then only drops names.
//!
//! A file is linked only when nothing but the previous output can reach or change it: a
//! regular file (not a link) reached through real folders of the previous output, with no
//! other name (not shared with a copy made by `cp -al` or a backup) but the one in the
//! preview's mirror of the output (`register_mirror`), with the owner, group and permissions
//! a new file gets, on the same file system. Its length is compared first, then every byte.
//! Policydash never writes into an existing file (new files are made with `create_new`, and
//! the preview replaces a file by renaming a new one over it), so a linked file keeps the
//! bytes it was compared with; it also keeps its modification time, that of the build that
//! last changed it (which lets `rsync` and caches skip it). A link that fails (another file
//! system, links not supported) falls back to writing. On systems other than Unix, or with
//! `POLICYDASH_NO_REUSE` set (for `benches/write.rs` to compare, or should linking ever get in
//! the way), every file is written.

use std::collections::HashMap;
use std::fs::{self, File, Metadata};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Folders that policydash keeps with a second name for each file of the output (the
/// preview's mirror, which serves the site while a build replaces the output). Their files
/// are only ever linked, renamed or removed, never written into.
static MIRRORS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// `dir` holds a second name for files of the output, at the same paths, until
/// `unregister_mirror`: such a file is linked too, when its two names are these.
pub fn register_mirror(dir: &Path) {
    if let Ok(mut mirrors) = MIRRORS.lock() {
        mirrors.push(dir.to_path_buf());
    }
}

/// `dir` no longer mirrors the output.
pub fn unregister_mirror(dir: &Path) {
    if let Ok(mut mirrors) = MIRRORS.lock() {
        mirrors.retain(|d| d != dir);
    }
}

/// Whether the other name of the file `meta` at `rel`, with two names, is in a mirror.
fn mirrored(rel: &Path, meta: &Metadata) -> bool {
    let mirrors = MIRRORS.lock().map(|m| m.clone()).unwrap_or_default();
    mirrors.iter().any(|dir| {
        fs::symlink_metadata(dir.join(rel)).is_ok_and(|m| m.is_file() && same_inode(&m, meta))
    })
}

/// The output a build replaces, whose files may be linked into the staging folder.
pub(super) struct Previous {
    root: PathBuf,
    /// A file just made in the staging folder: what owner, group and mode a new file gets.
    fresh: Metadata,
    /// Whether each folder (relative) of the previous output is a real folder, not a link.
    folders: Mutex<HashMap<PathBuf, bool>>,
}

impl Previous {
    /// The previous output at `output` (a folder with every link resolved), if there is one
    /// and its files can be linked here; `fresh` is a file just made in the staging folder.
    pub(super) fn of(output: &Path, fresh: &Path) -> Option<Previous> {
        let off = !cfg!(unix) || std::env::var_os("POLICYDASH_NO_REUSE").is_some();
        if off || !fs::symlink_metadata(output).ok()?.is_dir() {
            return None;
        }
        Some(Previous {
            root: output.to_path_buf(),
            fresh: fs::metadata(fresh).ok()?,
            folders: Mutex::new(HashMap::new()),
        })
    }

    /// The previous output's file at `rel`, opened, if it may be linked and, when `len` is
    /// known, has that length.
    pub(super) fn candidate(&self, rel: &Path, len: Option<u64>) -> Option<Old> {
        let path = self.root.join(rel);
        let meta = fs::symlink_metadata(&path).ok()?;
        let fits = meta.is_file()
            && len.is_none_or(|len| len == meta.len())
            && like_new(&meta, &self.fresh)
            && match names(&meta) {
                1 => true,
                2 => mirrored(rel, &meta),
                _ => false,
            }
            && self.real_folders(rel);
        if !fits {
            return None;
        }
        let file = open_no_follow(&path).ok()?;
        if !file.metadata().is_ok_and(|m| same_inode(&m, &meta)) {
            return None;
        }
        Some(Old {
            path,
            file,
            len: meta.len(),
            meta,
            at: 0,
            buf: Vec::new(),
        })
    }

    /// Whether every folder on the way to `rel` is a real folder of the previous output, so
    /// that no link leads the file elsewhere.
    fn real_folders(&self, rel: &Path) -> bool {
        rel.ancestors()
            .skip(1)
            .filter(|f| !f.as_os_str().is_empty())
            .all(|folder| {
                let known = self
                    .folders
                    .lock()
                    .ok()
                    .and_then(|m| m.get(folder).copied());
                known.unwrap_or_else(|| {
                    let real =
                        fs::symlink_metadata(self.root.join(folder)).is_ok_and(|m| m.is_dir());
                    if let Ok(mut m) = self.folders.lock() {
                        m.insert(folder.to_path_buf(), real);
                    }
                    real
                })
            })
    }
}

/// A file of the previous output, read as the new file's bytes come to compare them.
pub(super) struct Old {
    path: PathBuf,
    file: File,
    meta: Metadata,
    len: u64,
    /// How many bytes have been compared, all the same.
    at: u64,
    buf: Vec<u8>,
}

impl Old {
    /// Whether `data`, the next bytes of the new file, are the previous file's next bytes.
    fn continues_with(&mut self, data: &[u8]) -> io::Result<bool> {
        if self.at + data.len() as u64 > self.len {
            return Ok(false);
        }
        if self.buf.is_empty() {
            self.buf = vec![0; self.len.min(256 * 1024) as usize];
        }
        for chunk in data.chunks(self.buf.len().max(1)) {
            let read = &mut self.buf[..chunk.len()];
            self.file.read_exact(read)?;
            if read != chunk {
                return Ok(false);
            }
        }
        self.at += data.len() as u64;
        Ok(true)
    }

    /// Links the previous file at `dest`, if it is still as compared; false if it could not,
    /// with nothing then left at `dest`.
    fn link(&self, dest: &Path) -> bool {
        let whole = self.at == self.len && self.file.metadata().is_ok_and(|m| m.len() == self.at);
        if !whole || fs::hard_link(&self.path, dest).is_err() {
            return false;
        }
        if fs::symlink_metadata(dest).is_ok_and(|m| same_inode(&m, &self.meta)) {
            return true;
        }
        // The name led to another file by the time it was linked: not ours to keep.
        let _ = fs::remove_file(dest);
        false
    }

    /// A new file at `dest` holding the bytes compared so far, for the rest to follow.
    fn into_copy(mut self, dest: &Path) -> io::Result<File> {
        self.file.seek(SeekFrom::Start(0))?;
        let mut out = create_new(dest)?;
        let copied = io::copy(&mut (&mut self.file).take(self.at), &mut out)?;
        if copied != self.at {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the previous output's file changed while the build read it",
            ));
        }
        Ok(out)
    }
}

/// A file of the staging folder as it is written: while its bytes are the previous output's
/// file's, nothing is written; at the first difference, a file of its own is made.
pub(super) struct NewFile<'a> {
    dest: &'a Path,
    /// The previous output's file, while every byte so far is the same.
    old: Option<Old>,
    own: Option<File>,
}

impl<'a> NewFile<'a> {
    /// The file at `dest`, compared with `old` when there is one, else made at once.
    pub(super) fn create(dest: &'a Path, old: Option<Old>) -> io::Result<NewFile<'a>> {
        let own = match old {
            Some(_) => None,
            None => Some(create_new(dest)?),
        };
        Ok(NewFile { dest, old, own })
    }

    /// Ends the file: the previous output's file is linked if every byte was the same (true),
    /// else the file is written.
    pub(super) fn finish(mut self) -> io::Result<bool> {
        if let Some(old) = self.old.take() {
            if old.link(self.dest) {
                return Ok(true);
            }
            old.into_copy(self.dest)?;
        }
        Ok(false)
    }
}

impl Write for NewFile<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if let Some(own) = &mut self.own {
            return own.write(data);
        }
        if let Some(old) = &mut self.old {
            if old.continues_with(data).unwrap_or(false) {
                return Ok(data.len());
            }
        }
        let mut own = match self.old.take() {
            Some(old) => old.into_copy(self.dest)?,
            None => create_new(self.dest)?,
        };
        own.write_all(data)?;
        self.own = Some(own);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.own {
            Some(own) => own.flush(),
            None => Ok(()),
        }
    }
}

/// A new file at `path`; never an existing one opened for writing.
fn create_new(path: &Path) -> io::Result<File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Opens `path` for reading without following a link, and without waiting should it have
/// become a pipe.
fn open_no_follow(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags((OFlags::NOFOLLOW | OFlags::NONBLOCK).bits() as i32);
    }
    options.open(path)
}

/// The owner, group, permissions and file system of a new file.
#[cfg(unix)]
fn like_new(old: &Metadata, fresh: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    old.dev() == fresh.dev()
        && old.uid() == fresh.uid()
        && old.gid() == fresh.gid()
        && old.mode() & 0o7777 == fresh.mode() & 0o7777
}

#[cfg(not(unix))]
fn like_new(_old: &Metadata, _fresh: &Metadata) -> bool {
    false
}

/// How many names the file has.
#[cfg(unix)]
fn names(meta: &Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn names(_meta: &Metadata) -> u64 {
    0
}

#[cfg(unix)]
fn same_inode(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_inode(_a: &Metadata, _b: &Metadata) -> bool {
    false
}

#[cfg(all(test, unix))]
mod tests {
    use crate::output::OutputFile;
    use crate::write::{write_site, write_site_with, WriteError};
    use std::fs;
    use std::os::unix::fs::MetadataExt;
    use std::path::{Path, PathBuf};

    /// A site folder with `content/`, and where its output goes.
    fn site() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        fs::create_dir_all(root.join("content")).unwrap();
        let out = root.join("output");
        (dir, root, out)
    }

    fn ino(path: &Path) -> u64 {
        fs::symlink_metadata(path).unwrap().ino()
    }

    fn links(path: &Path) -> u64 {
        fs::symlink_metadata(path).unwrap().nlink()
    }

    /// Builds `files` into `out` through `write_site_with`; returns how many were linked.
    fn build(root: &Path, out: &Path, files: &[OutputFile]) -> usize {
        let mut linked = 0;
        write_site_with(root, out, |stage| {
            files.iter().try_for_each(|f| stage.put(f))?;
            linked = stage.linked();
            Ok(())
        })
        .unwrap();
        linked
    }

    fn big(n: usize, seed: u8) -> Vec<u8> {
        (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
    }

    #[test]
    fn an_unchanged_rebuild_links_every_file() {
        let (_dir, root, out) = site();
        let files = [
            OutputFile::new("index.html", "home"),
            OutputFile::new("zh/a/index.html", "甲"),
            OutputFile::new("data/big.json", big(300_000, 7)),
            OutputFile::new("empty.txt", ""),
        ];
        assert_eq!(
            build(&root, &out, &files),
            0,
            "nothing to link on a first build"
        );
        let before: Vec<u64> = files.iter().map(|f| ino(&out.join(&f.path))).collect();
        assert_eq!(build(&root, &out, &files), files.len());
        for (f, ino_before) in files.iter().zip(before) {
            let path = out.join(&f.path);
            assert_eq!(fs::read(&path).unwrap(), f.bytes, "{}", f.path);
            assert_eq!(ino(&path), ino_before, "{} was written, not linked", f.path);
            assert_eq!(
                links(&path),
                1,
                "{}: the previous output's name is gone",
                f.path
            );
        }
    }

    #[test]
    fn a_changed_file_is_written_not_linked() {
        let (_dir, root, out) = site();
        write_site(
            &root,
            &out,
            &[
                OutputFile::new("same.html", "same"),
                OutputFile::new("changed.html", "old text"),
                OutputFile::new("longer.html", "old"),
                OutputFile::new("big.csv", big(200_000, 1)),
            ],
        )
        .unwrap();
        let (same, changed, big_ino) = (
            ino(&out.join("same.html")),
            ino(&out.join("changed.html")),
            ino(&out.join("big.csv")),
        );
        let mut edited = big(200_000, 1);
        edited[150_000] ^= 0xff;
        let linked = build(
            &root,
            &out,
            &[
                OutputFile::new("same.html", "same"),
                OutputFile::new("changed.html", "new text"),
                OutputFile::new("longer.html", "older"),
                OutputFile::new("big.csv", edited.clone()),
            ],
        );
        assert_eq!(linked, 1);
        assert_eq!(ino(&out.join("same.html")), same);
        assert_ne!(ino(&out.join("changed.html")), changed);
        assert_ne!(ino(&out.join("big.csv")), big_ino);
        assert_eq!(fs::read(out.join("changed.html")).unwrap(), b"new text");
        assert_eq!(fs::read(out.join("longer.html")).unwrap(), b"older");
        assert_eq!(fs::read(out.join("big.csv")).unwrap(), edited);
    }

    /// A streamed file is compared as it comes: a difference after many equal chunks, a file
    /// that ends early or goes on, each gives exactly the new bytes; the same bytes are linked.
    #[test]
    fn streamed_files_are_compared_as_they_come() {
        let (_dir, root, out) = site();
        let old = big(1_000_000, 3);
        let names = ["same", "late-change", "shorter", "longer", "first-byte"];
        let first: Vec<OutputFile> = names
            .iter()
            .map(|n| OutputFile::new(*n, old.clone()))
            .collect();
        write_site(&root, &out, &first).unwrap();
        let same_ino = ino(&out.join("same"));
        let mut late = old.clone();
        late[900_000] ^= 1;
        let mut longer = old.clone();
        longer.extend_from_slice(b"more");
        let mut first_byte = old.clone();
        first_byte[0] ^= 1;
        let wanted: Vec<(&str, Vec<u8>)> = vec![
            ("same", old.clone()),
            ("late-change", late),
            ("shorter", old[..999_999].to_vec()),
            ("longer", longer),
            ("first-byte", first_byte),
        ];
        let mut linked = 0;
        write_site_with(&root, &out, |stage| {
            for (name, bytes) in &wanted {
                // In pieces of an odd size, as a table is written row by row.
                stage.put_with(name, &|w| {
                    bytes.chunks(7_777).try_for_each(|c| w.write_all(c))
                })?;
            }
            linked = stage.linked();
            Ok(())
        })
        .unwrap();
        assert_eq!(linked, 1);
        assert_eq!(ino(&out.join("same")), same_ino);
        for (name, bytes) in &wanted {
            assert_eq!(&fs::read(out.join(name)).unwrap(), bytes, "{name}");
        }
    }

    #[test]
    fn a_failed_build_after_linking_leaves_the_previous_output() {
        let (dir, root, out) = site();
        let files = [
            OutputFile::new("index.html", "home"),
            OutputFile::new("a/b.html", "bee"),
        ];
        write_site(&root, &out, &files).unwrap();
        let before: Vec<u64> = files.iter().map(|f| ino(&out.join(&f.path))).collect();
        let err = write_site_with(&root, &out, |stage| {
            files.iter().try_for_each(|f| stage.put(f))?;
            assert_eq!(stage.linked(), 2);
            assert_eq!(links(&out.join("index.html")), 2, "linked into staging");
            Err(WriteError::Stopped)
        });
        assert!(matches!(err, Err(WriteError::Stopped)));
        for (f, ino_before) in files.iter().zip(before) {
            let path = out.join(&f.path);
            assert_eq!(fs::read(&path).unwrap(), f.bytes);
            assert_eq!(ino(&path), ino_before);
            assert_eq!(links(&path), 1, "the staging folder's name is gone");
        }
        let beside: Vec<_> = fs::read_dir(dir.path().join("site")).unwrap().collect();
        assert_eq!(beside.len(), 2, "content/ and output/ only");
    }

    /// Files something else can reach or that differ from a new file are written, never
    /// linked: a second name elsewhere, a folder that is a link, a link, other permissions.
    #[test]
    fn files_reachable_from_elsewhere_are_written() {
        let (dir, root, out) = site();
        let files = [
            OutputFile::new("shared.html", "s"),
            OutputFile::new("via/link.html", "v"),
            OutputFile::new("symlink.html", "l"),
            OutputFile::new("private.html", "p"),
            OutputFile::new("plain.html", "x"),
        ];
        write_site(&root, &out, &files).unwrap();
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        fs::hard_link(out.join("shared.html"), elsewhere.join("backup.html")).unwrap();
        fs::create_dir(elsewhere.join("via")).unwrap();
        fs::write(elsewhere.join("via/link.html"), "v").unwrap();
        fs::remove_dir_all(out.join("via")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("via"), out.join("via")).unwrap();
        fs::write(elsewhere.join("target.html"), "l").unwrap();
        fs::remove_file(out.join("symlink.html")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("target.html"), out.join("symlink.html"))
            .unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(out.join("private.html"), fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(build(&root, &out, &files), 1, "only plain.html is linked");
        for f in &files {
            let meta = fs::symlink_metadata(out.join(&f.path)).unwrap();
            assert!(meta.is_file() && meta.nlink() == 1, "{}", f.path);
            assert_eq!(fs::read(out.join(&f.path)).unwrap(), f.bytes);
        }
        assert!(fs::symlink_metadata(out.join("via")).unwrap().is_dir());
        assert_eq!(links(&elsewhere.join("backup.html")), 1);
        assert_eq!(links(&elsewhere.join("via/link.html")), 1);
        assert_eq!(links(&elsewhere.join("target.html")), 1);
        assert_ne!(
            fs::metadata(out.join("private.html")).unwrap().mode() & 0o777,
            0o600
        );
    }

    /// A second name in the preview's mirror does not stop a file being linked; a second
    /// name in a folder that is not registered does.
    #[test]
    fn files_also_in_the_preview_s_mirror_are_linked() {
        let (dir, root, out) = site();
        let files = [
            OutputFile::new("index.html", "home"),
            OutputFile::new("a/b.html", "bee"),
        ];
        write_site(&root, &out, &files).unwrap();
        let mirror = dir.path().join(".output.preview-1");
        for f in &files {
            let to = mirror.join(&f.path);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::hard_link(out.join(&f.path), to).unwrap();
        }
        let before: Vec<u64> = files.iter().map(|f| ino(&out.join(&f.path))).collect();
        assert_eq!(build(&root, &out, &files), 0, "a mirror not registered");
        for f in &files {
            fs::remove_file(mirror.join(&f.path)).unwrap();
            fs::hard_link(out.join(&f.path), mirror.join(&f.path)).unwrap();
        }
        let before_registered: Vec<u64> = files.iter().map(|f| ino(&out.join(&f.path))).collect();
        assert_ne!(before, before_registered);
        super::register_mirror(&mirror);
        let linked = build(&root, &out, &files);
        super::unregister_mirror(&mirror);
        assert_eq!(linked, files.len());
        for (f, ino_before) in files.iter().zip(before_registered) {
            assert_eq!(ino(&out.join(&f.path)), ino_before);
            assert_eq!(links(&out.join(&f.path)), 2, "output and mirror");
        }
    }
}
