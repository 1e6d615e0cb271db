//! Live preview. `policydash serve` builds the site, serves it on 127.0.0.1 and rebuilds
//! when content, templates or themes change. Open pages reload after a good build (keeping
//! their scroll position) and show the errors over the last good page after a bad one.
//!
//! - `site`: the last good build, mirrored (hard links) into a folder the preview alone
//!   changes, file by file and atomically, so no request ever sees a half-written or missing
//!   page whatever `write` does to the output folder;
//! - `http`: answers requests (axum on a single-threaded tokio runtime: no thread per
//!   connection, a timeout for request headers, GET and HEAD only);
//! - `incremental`: rebuilds what an edit affects (`scope` says what that is), and leaves the
//!   search index to `reindex`, in the background, after the reload signal;
//! - `overlay`: the error overlay; `live.js`: the reload script the server adds to pages;
//! - `watch`: file-system events, debounced.

pub mod http;
pub mod incremental;
pub mod kept;
pub mod overlay;
pub mod reindex;
pub mod rerender;
pub mod run;
pub mod scope;
pub mod site;
pub mod watch;

use overlay::Problem;
use site::Snapshot;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread;
use std::time::Duration;
use tokio::sync::{oneshot, watch as channel};

pub use run::run;
pub use watch::Watcher;

/// A client that has not sent its request headers by then is disconnected.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// What the server answers from: the last good site, how many builds it has seen succeed,
/// and the problem of the last build when it failed.
#[derive(Debug, Default)]
pub struct Live {
    pub site: Arc<Snapshot>,
    pub generation: u64,
    pub problem: Option<Arc<Problem>>,
    /// Whether pages get the reload script (`serve`), or are served exactly as built.
    pub reload: bool,
}

/// A running preview server; stops when dropped.
pub struct Server {
    pub addr: SocketAddr,
    state: http::App,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Server {
    /// Serves the built site in `dir` at `prefix` (e.g. `/repo/`) exactly as built, without
    /// the reload script, on `addr` (port 0 picks a free port).
    pub fn start(dir: std::path::PathBuf, prefix: String, addr: &str) -> io::Result<Server> {
        let site = Snapshot::of_folder(&dir, &prefix)?;
        Server::listen(
            addr,
            Live {
                site: Arc::new(site),
                ..Live::default()
            },
        )
    }

    /// The preview: answers from `site`, adds the reload script to pages, and shows
    /// `problem` over them when the content is broken.
    pub fn live(
        addr: impl std::net::ToSocketAddrs,
        site: Arc<Snapshot>,
        problem: Option<Problem>,
    ) -> io::Result<Server> {
        Server::listen(
            addr,
            Live {
                site,
                generation: 0,
                problem: problem.map(Arc::new),
                reload: true,
            },
        )
    }

    fn listen(addr: impl std::net::ToSocketAddrs, live: Live) -> io::Result<Server> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let (state, _) = channel::channel(Arc::new(live));
        let state = Arc::new(state);
        let app = state.clone();
        let (stop, stopped) = oneshot::channel();
        let thread = thread::spawn(move || runtime.block_on(accept(listener, app, stopped)));
        Ok(Server {
            addr,
            state,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// A build succeeded: serve `site`, clear any overlay, and tell open pages to reload.
    pub fn site_built(&self, site: Arc<Snapshot>) {
        self.state.send_modify(|live| {
            *live = Arc::new(Live {
                site,
                generation: live.generation + 1,
                problem: None,
                reload: live.reload,
            })
        });
    }

    /// A build failed: keep serving the last good site, with the overlay over every page.
    pub fn build_failed(&self, problem: Problem) {
        self.state.send_modify(|live| {
            *live = Arc::new(Live {
                site: live.site.clone(),
                generation: live.generation,
                problem: Some(Arc::new(problem)),
                reload: live.reload,
            })
        });
    }

    /// Swaps in `site` without telling open pages to reload (a new search index): what
    /// `reindex` calls from its own thread.
    pub fn updater(&self) -> impl Fn(Arc<Snapshot>) + Send + Sync + 'static {
        let state = self.state.clone();
        move |site| {
            state.send_if_modified(|live| {
                *live = Arc::new(Live {
                    site,
                    generation: live.generation,
                    problem: live.problem.clone(),
                    reload: live.reload,
                });
                false
            });
        }
    }

    pub fn site(&self) -> Arc<Snapshot> {
        self.state.borrow().site.clone()
    }
}

async fn accept(listener: std::net::TcpListener, app: http::App, stopped: oneshot::Receiver<()>) {
    use futures_util::future::{select, Either};
    use hyper_util::rt::{TokioIo, TokioTimer};
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let router = axum::Router::new().fallback(http::handle).with_state(app);
    let mut stopped = std::pin::pin!(stopped);
    loop {
        let accepted = std::pin::pin!(listener.accept());
        let stream = match select(accepted, stopped.as_mut()).await {
            Either::Left((Ok((stream, _)), _)) => stream,
            Either::Left((Err(_), _)) => {
                // Out of file descriptors, most likely: give connections time to close.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            Either::Right(_) => return,
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Whether `host` only lets this machine connect.
pub fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The path prefix to serve under when the content is too broken to build: the one
/// `site.yaml`'s `base_url` gives, if it can be read, else `/`.
pub fn guess_prefix(root: &std::path::Path) -> String {
    std::fs::read_to_string(root.join("content/site.yaml"))
        .ok()
        .and_then(|t| serde_yaml::from_str::<serde_yaml::Value>(&t).ok())
        .and_then(|v| v.get("base_url")?.as_str().map(str::to_string))
        .and_then(|b| crate::urls::Urls::new(&b).ok())
        .map(|u| u.prefix().to_string())
        .unwrap_or_else(|| "/".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in ["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["0.0.0.0", "192.168.1.2", "::", "example.org"] {
            assert!(!is_loopback(h), "{h}");
        }
    }
}
