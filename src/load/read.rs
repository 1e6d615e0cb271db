//! The one way policydash reads a file it did not write: content files, theme files and the
//! previous build's data all come through `read_file`. It reads only regular files (a FIFO,
//! a device or a socket could block forever or never end), at most `limit + 1` bytes whatever
//! the file's size claims to be, and, when asked, only files that lie inside given folders
//! once every link is resolved, so a link to `/etc/passwd` is refused without being opened.
//! Its errors describe the file, never its text.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Content files, templates and interface strings larger than this are refused: no
/// hand-edited file is this big, and a cap keeps a mistaken paste (or a hostile file) from
/// exhausting memory.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// A theme's static files (fonts, images) may be larger than text files.
pub const MAX_STATIC_BYTES: u64 = 64 * 1024 * 1024;

/// A previous `data/targets.json` grows with the site; this allows several thousand places.
pub const MAX_PREVIOUS_BYTES: u64 = 256 * 1024 * 1024;

/// Why a file was not read. None of these carries any of the file's bytes.
#[derive(Debug)]
pub enum ReadError {
    Missing,
    /// A folder, FIFO, device or socket: what it is, in words.
    NotRegular(&'static str),
    /// Once links are resolved, the file lies outside every folder it may be read from.
    Outside,
    TooLarge {
        limit: u64,
        size: Option<u64>,
    },
    Io(io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Missing => write!(f, "the file does not exist"),
            ReadError::NotRegular(kind) => write!(
                f,
                "this is {kind}, not a regular file; policydash reads only regular files"
            ),
            ReadError::Outside => write!(
                f,
                "this is a link to a file outside the site folder, which policydash does not read"
            ),
            ReadError::TooLarge { limit, size } => {
                match size {
                    Some(size) => write!(f, "the file is {}", megabytes(*size))?,
                    None => write!(f, "the file is larger than {}", megabytes(*limit))?,
                }
                let kind = match *limit {
                    MAX_FILE_BYTES => "content files",
                    MAX_STATIC_BYTES => "static files",
                    _ => "files here",
                };
                write!(f, "; {kind} may be at most {}", megabytes(*limit))
            }
            ReadError::Io(e) => write!(f, "cannot read the file: {e}"),
        }
    }
}

impl ReadError {
    /// How to fix it, for a diagnostic's help line.
    pub fn help(&self) -> &'static str {
        match self {
            ReadError::Missing => "check that it exists",
            ReadError::NotRegular(_) => "replace it with an ordinary file",
            ReadError::Outside => {
                "copy the file into the site folder, or make the link point to a file inside it"
            }
            ReadError::TooLarge { .. } => {
                "split it into several files, or check that it is the file you meant to put here"
            }
            ReadError::Io(_) => "check that you may read it",
        }
    }
}

fn megabytes(n: u64) -> String {
    format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
}

/// The folders a file may be read from, resolved once: `within(&[root, root/content])`.
/// Folders that do not exist are left out.
pub fn within(folders: &[&Path]) -> Vec<PathBuf> {
    folders
        .iter()
        .filter_map(|f| fs::canonicalize(f).ok())
        .collect()
}

/// Reads `path`: a regular file of at most `limit` bytes, lying (after links are resolved)
/// inside one of `inside` (resolved folders from [`within`]; empty means anywhere).
pub fn read_file(path: &Path, limit: u64, inside: &[PathBuf]) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    open_file(path, limit, inside)?
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit, size: None });
    }
    Ok(bytes)
}

/// Opens `path` as [`read_file`] reads it, for reading as a stream: at most `limit` + 1
/// bytes can be read from it (more than `limit` means the file grew past it).
pub fn open_file(
    path: &Path,
    limit: u64,
    inside: &[PathBuf],
) -> Result<io::Take<fs::File>, ReadError> {
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => ReadError::Missing,
        _ => ReadError::Io(e),
    })?;
    check_regular(&meta)?;
    let mut target = path.to_path_buf();
    if !inside.is_empty() {
        target = fs::canonicalize(path).map_err(ReadError::Io)?;
        if !inside.iter().any(|folder| target.starts_with(folder)) {
            return Err(ReadError::Outside);
        }
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            limit,
            size: Some(meta.len()),
        });
    }
    let file = open(&target).map_err(ReadError::Io)?;
    // The file may have been replaced since it was looked at: check what was opened.
    check_regular(&file.metadata().map_err(ReadError::Io)?)?;
    Ok(file.take(limit + 1))
}

/// Reads a file as UTF-8 text through [`read_file`]; a byte-order mark is removed.
/// A file that is not UTF-8 gives its bytes back, for the caller to locate the bad byte.
pub fn read_text(path: &Path, limit: u64, inside: &[PathBuf]) -> Result<String, TextError> {
    let bytes = read_file(path, limit, inside).map_err(TextError::Read)?;
    match String::from_utf8(bytes) {
        Ok(t) => Ok(match t.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => t,
        }),
        Err(e) => Err(TextError::NotUtf8(e)),
    }
}

#[derive(Debug)]
pub enum TextError {
    Read(ReadError),
    NotUtf8(std::string::FromUtf8Error),
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextError::Read(e) => e.fmt(f),
            TextError::NotUtf8(_) => write!(f, "the file is not UTF-8 text"),
        }
    }
}

fn check_regular(meta: &fs::Metadata) -> Result<(), ReadError> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(());
    }
    if kind.is_dir() {
        return Err(ReadError::NotRegular("a folder"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Err(ReadError::NotRegular("a named pipe (FIFO)"));
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Err(ReadError::NotRegular("a device"));
        }
        if kind.is_socket() {
            return Err(ReadError::NotRegular("a socket"));
        }
    }
    Err(ReadError::NotRegular("a special file"))
}

/// Opens for reading without blocking: should a FIFO be swapped in after the check, opening
/// it does not wait for a writer, and the check on the opened file refuses it.
fn open(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(
            (rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY).bits() as i32,
        );
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.yaml");
        fs::write(&f, "\u{feff}hello").unwrap();
        let inside = within(&[dir.path()]);
        assert_eq!(read_text(&f, 100, &inside).unwrap(), "hello");
        assert!(matches!(
            read_file(&f, 3, &inside),
            Err(ReadError::TooLarge { .. })
        ));
        assert!(matches!(
            read_file(&dir.path().join("none"), 3, &[]),
            Err(ReadError::Missing)
        ));
        assert!(matches!(
            read_file(dir.path(), 3, &[]),
            Err(ReadError::NotRegular("a folder"))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn refuses_devices_and_links_out() {
        assert!(matches!(
            read_file(Path::new("/dev/zero"), 10, &[]),
            Err(ReadError::NotRegular("a device"))
        ));
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir(&site).unwrap();
        fs::write(dir.path().join("secret"), "s3cret").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), site.join("link")).unwrap();
        let inside = within(&[&site]);
        let err = read_file(&site.join("link"), 100, &inside).unwrap_err();
        assert!(matches!(err, ReadError::Outside));
        assert!(!err.to_string().contains("s3cret"));
        // Without a folder to stay in, the same link is followed.
        assert_eq!(read_file(&site.join("link"), 100, &[]).unwrap(), b"s3cret");
    }
}
