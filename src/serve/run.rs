//! The `serve` command: first build, server, then a rebuild per burst of edits, each ending
//! in a reload signal (good build) or the overlay (bad build).

use super::incremental::{Rebuilder, Rebuilt};
use super::overlay::Problem;
use super::{guess_prefix, is_loopback, Server};
use crate::{say, sayln, BuildOptions, Failure};
use std::time::Instant;

/// Builds, serves on `host:port`, and unless `watch` is false rebuilds what each burst of
/// edits affects until the process ends. Starts even when the first build fails: the errors
/// are shown in the browser until they are fixed.
pub fn run(opts: &BuildOptions, host: &str, port: u16, watch: bool) -> Result<(), String> {
    if !is_loopback(host) {
        eprintln!(
            "warning: serving on {host}, not 127.0.0.1: other machines that can reach this one can \
             read the preview and its error messages.\n  help: leave --host out to serve to this machine only"
        );
    }
    // Watching starts before the first build: an edit saved while it runs is rebuilt after.
    // Paths are absolute, so the paths edits arrive with can be matched to the content files.
    let root = std::fs::canonicalize(&opts.root).unwrap_or_else(|_| opts.root.clone());
    let paths = ["content", "templates", "themes"].map(|p| root.join(p));
    let watcher = match watch {
        true => Some(
            super::Watcher::start(&paths).map_err(|e| format!("cannot watch for changes: {e}"))?,
        ),
        false => None,
    };
    let mut rebuilder = Rebuilder::new(opts.clone());
    let started = Instant::now();
    let (site, problem) = match report(rebuilder.full(), started) {
        Ok(rebuilt) => (rebuilt.site, None),
        Err(failure) => {
            let site = rebuilder.previous_output(&guess_prefix(&opts.root));
            eprintln!(
                "Serving {} with the errors shown over every page until they are fixed.",
                if site.is_empty() {
                    "a placeholder"
                } else {
                    "the last site built"
                }
            );
            (site, Some(Problem::new(&failure, &opts.root)))
        }
    };
    let prefix = super::http::encode_path(&site.prefix);
    let server = Server::live((host, port), site, problem)
        .map_err(|e| format!("cannot listen on {host}:{port}: {e}\n  help: pass another --port"))?;
    sayln!("Serving http://{}{prefix} (Ctrl-C to stop)", server.addr);
    let Some(watcher) = watcher else {
        loop {
            std::thread::park();
        }
    };
    let timings = std::env::var_os(TIMINGS).is_some_and(|v| !v.is_empty() && v != "0");
    watcher.run(|changed, arrived| {
        sayln!("Change detected; rebuilding…");
        let started = Instant::now();
        match report(rebuilder.rebuild(&changed), started) {
            Ok(rebuilt) => {
                let stages = rebuilt.timings.clone();
                server.site_built(rebuilt.site);
                if timings {
                    sayln!("{}", timing_line(&stages, arrived, started));
                }
                sayln!("Open pages reload.");
                // The search index follows, off the path to the reload.
                let swap = server.updater();
                rebuilder.reindex_in_background(move |site| {
                    swap(site);
                    sayln!("Search index updated.");
                });
            }
            Err(failure) => {
                server.build_failed(Problem::new(&failure, &opts.root));
                sayln!("Open pages show the errors.");
            }
        }
    });
    Ok(())
}

/// With this variable set (to anything but `0`), `serve` prints after each good rebuild where
/// its time went: `Timings: first edit → rebuild 104 ms, load 12 ms, …, reload signal 230 ms`.
pub const TIMINGS: &str = "POLICYDASH_TIMINGS";

/// The timings line: from the first edit seen to the start of the rebuild (the debounce), each
/// stage of the rebuild, and from the first edit seen to the reload signal.
fn timing_line(stages: &crate::Timings, arrived: Instant, started: Instant) -> String {
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let mut parts = vec![format!(
        "first edit → rebuild {:.0} ms",
        ms(started.duration_since(arrived))
    )];
    parts.extend(
        stages
            .0
            .iter()
            .map(|(s, d)| format!("{s} {:.0} ms", ms(*d))),
    );
    parts.push(format!("reload signal {:.0} ms", ms(arrived.elapsed())));
    format!("Timings: {}", parts.join(", "))
}

/// Prints what a build did, or its errors, as `policydash build` does.
fn report(result: Result<Rebuilt, Failure>, started: Instant) -> Result<Rebuilt, Failure> {
    let took = started.elapsed().as_secs_f64();
    match &result {
        Ok(r) => {
            eprint!("{}", r.warnings);
            match &r.built {
                Some(built) => {
                    say!("{}", built.changes.text());
                    sayln!(
                        "Built {} files into {} in {took:.2}s",
                        built.files,
                        built.output.display()
                    );
                }
                None => sayln!(
                    "Rendered {} pages, wrote {} changed files in {took:.3}s",
                    r.rendered,
                    r.written.len()
                ),
            }
        }
        Err(f) => {
            eprint!("{}", f.render());
            eprintln!("The build failed; the previous output was left as it was.");
        }
    }
    result
}
