//! The `serve` command: first build, server, then a rebuild per burst of edits, each ending
//! in a reload signal (good build) or the overlay (bad build).

use super::overlay::Problem;
use super::site::Snapshot;
use super::{guess_prefix, is_loopback, Server};
use crate::{BuildOptions, Built, Failure};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Builds with `build` (given the paths edited; none for the first build), serves on
/// `host:port`, and unless `watch` is false rebuilds on every edit until the process ends.
/// Starts even when the first build fails: the errors are shown in the browser.
pub fn run(
    opts: &BuildOptions,
    host: &str,
    port: u16,
    watch: bool,
    mut build: impl FnMut(&BTreeSet<PathBuf>) -> Result<Built, Failure>,
) -> Result<(), String> {
    if !is_loopback(host) {
        eprintln!(
            "warning: serving on {host}, not 127.0.0.1: other machines that can reach this one can \
             read the preview and its error messages.\n  help: leave --host out to serve to this machine only"
        );
    }
    let (site, problem) = match build(&BTreeSet::new()) {
        Ok(built) => (load(&built)?, None),
        Err(failure) => {
            let prefix = guess_prefix(&opts.root);
            let out = opts.output_dir();
            let site = if out.join(crate::write::MARKER).is_file() {
                Snapshot::load(&out, prefix.clone()).unwrap_or_else(|_| Snapshot::empty(prefix))
            } else {
                Snapshot::empty(prefix)
            };
            eprintln!(
                "Serving {} with the errors shown over every page until they are fixed.",
                if site.is_empty() {
                    "a placeholder"
                } else {
                    "the last good site"
                }
            );
            (site, Some(Problem::new(&failure, &opts.root)))
        }
    };
    let prefix = super::http::encode_path(&site.prefix);
    let server = Server::live((host, port), site, problem)
        .map_err(|e| format!("cannot listen on {host}:{port}: {e}\n  help: pass another --port"))?;
    println!("Serving http://{}{prefix} (Ctrl-C to stop)", server.addr);
    if !watch {
        loop {
            std::thread::park();
        }
    }
    let paths = ["content", "templates", "themes"].map(|p| opts.root.join(p));
    super::watch(&paths, |changed| {
        println!("Change detected; rebuilding…");
        match build(&changed) {
            Ok(built) => match load(&built) {
                Ok(site) => {
                    server.site_built(site);
                    println!("Open pages reload.");
                }
                Err(e) => eprintln!("error: {e}"),
            },
            Err(failure) => {
                server.build_failed(Problem::new(&failure, &opts.root));
                println!("Open pages show the errors.");
            }
        }
    })
    .map_err(|e| format!("cannot watch for changes: {e}"))
}

fn load(built: &Built) -> Result<Snapshot, String> {
    Snapshot::load(&built.output, built.prefix.clone()).map_err(|e| {
        format!(
            "cannot read the built site in {}: {e}",
            built.output.display()
        )
    })
}
