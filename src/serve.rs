//! Live preview: serves the output folder under the site's base path on 127.0.0.1 and
//! rebuilds when content, templates or themes change. A failed rebuild prints its errors and
//! keeps serving the last good site.

use std::io;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// A running static file server; stops when dropped.
pub struct Server {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Server {
    /// Serves `dir` at `prefix` (e.g. `/repo/`) on `addr` (port 0 picks a free port).
    pub fn start(dir: PathBuf, prefix: String, addr: &str) -> io::Result<Server> {
        let server = tiny_http::Server::http(addr).map_err(|e| io::Error::other(e.to_string()))?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("not an IP address"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                match server.recv_timeout(Duration::from_millis(100)) {
                    Ok(Some(req)) => respond(req, &dir, &prefix),
                    Ok(None) => {}
                    Err(_) => break,
                }
            }
        });
        Ok(Server {
            addr,
            stop,
            thread: Some(thread),
        })
    }
}

fn respond(req: tiny_http::Request, dir: &Path, prefix: &str) {
    let url = req
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_string();
    let decoded = percent_decode(&url);
    let response = match resolve(dir, prefix, &decoded) {
        Resolved::File(path) => match std::fs::read(&path) {
            Ok(bytes) => tiny_http::Response::from_data(bytes)
                .with_header(header("Content-Type", content_type(&path)))
                .with_status_code(200),
            Err(_) => not_found(dir),
        },
        Resolved::Redirect(to) => tiny_http::Response::from_data(Vec::new())
            .with_header(header("Location", &to))
            .with_status_code(301),
        Resolved::NotFound => not_found(dir),
    };
    let _ = req.respond(response);
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("static header is valid")
}

fn not_found(dir: &Path) -> tiny_http::Response<io::Cursor<Vec<u8>>> {
    let body = std::fs::read(dir.join("404.html")).unwrap_or_else(|_| b"not found".to_vec());
    tiny_http::Response::from_data(body)
        .with_header(header("Content-Type", "text/html; charset=utf-8"))
        .with_status_code(404)
}

enum Resolved {
    File(PathBuf),
    Redirect(String),
    NotFound,
}

/// Maps a request path to a file in `dir`, refusing anything that would leave it.
fn resolve(dir: &Path, prefix: &str, path: &str) -> Resolved {
    if path == "/" && prefix != "/" {
        return Resolved::Redirect(prefix.to_string());
    }
    if path.len() + 1 == prefix.len() && prefix.starts_with(path) {
        return Resolved::Redirect(prefix.to_string());
    }
    let Some(rest) = path.strip_prefix(prefix) else {
        return Resolved::NotFound;
    };
    let rel = Path::new(rest);
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Resolved::NotFound;
    }
    let full = dir.join(rel);
    if full.is_dir() {
        if !rest.is_empty() && !rest.ends_with('/') {
            return Resolved::Redirect(format!("{path}/"));
        }
        let index = full.join("index.html");
        return if index.is_file() {
            Resolved::File(index)
        } else {
            Resolved::NotFound
        };
    }
    if full.is_file() {
        Resolved::File(full)
    } else {
        Resolved::NotFound
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            // Bytes, not a str slice: "%é" must not cut a character in two (a panic).
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "js" => "text/javascript",
        _ => "application/octet-stream",
    }
}

/// An edit, as opposed to a read: the build itself opens every content file, and on Linux
/// those opens arrive as access events, which would otherwise trigger rebuilds forever.
fn is_edit(ev: &notify::Result<notify::Event>) -> bool {
    matches!(ev, Ok(e) if !matches!(e.kind, notify::EventKind::Access(_)))
}

/// Calls `on_change` (debounced) whenever a file under one of `paths` changes, until the
/// process ends.
pub fn watch(paths: &[PathBuf], mut on_change: impl FnMut()) -> notify::Result<()> {
    use notify::{RecursiveMode, Watcher};
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx)?;
    for p in paths.iter().filter(|p| p.exists()) {
        watcher.watch(p, RecursiveMode::Recursive)?;
    }
    while let Ok(first) = rx.recv() {
        let mut relevant = is_edit(&first);
        // Editors save in bursts; wait for the burst to end, then rebuild once.
        while let Ok(ev) = rx.recv_timeout(Duration::from_millis(300)) {
            relevant |= is_edit(&ev);
        }
        if relevant {
            on_change();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_do_not_trigger_a_rebuild_but_edits_do() {
        use notify::event::{AccessKind, EventKind, ModifyKind};
        let read = notify::Event::new(EventKind::Access(AccessKind::Any));
        let edit = notify::Event::new(EventKind::Modify(ModifyKind::Any));
        assert!(!is_edit(&Ok(read)));
        assert!(is_edit(&Ok(edit)));
    }

    #[test]
    fn resolves_under_prefix_and_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/index.html"), "x").unwrap();
        assert!(matches!(
            resolve(dir.path(), "/r/", "/r/a/"),
            Resolved::File(_)
        ));
        assert!(matches!(
            resolve(dir.path(), "/r/", "/r/a"),
            Resolved::Redirect(_)
        ));
        assert!(matches!(
            resolve(dir.path(), "/r/", "/a/"),
            Resolved::NotFound
        ));
        assert!(matches!(
            resolve(dir.path(), "/r/", "/r/../etc/passwd"),
            Resolved::NotFound
        ));
        assert_eq!(percent_decode("/r/%E7%8F%A0"), "/r/珠");
        // A "%" before a multi-byte character used to slice inside it and panic.
        assert_eq!(percent_decode("/%é1"), "/%é1");
    }
}
