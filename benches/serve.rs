//! `cargo bench --bench serve`: how long an editor waits, from saving a file to the reload
//! signal reaching an open page, with `policydash serve` (the release binary) running on the
//! real site and on a synthetic one (`synth`: 1,000 programmes; `POLICYDASH_BENCH_PROGRAMMES`
//! sets another number, 0 skips it). One programme file is edited per save; the next save
//! waits until the search index, rebuilt in the background after the reload signal, is in
//! place. Then the same edits in process, stage by stage, to show where the time goes.
//! Prints wall-clock figures (a busy machine inflates them) and the load average. Asserts
//! nothing.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/serve.rs"]
mod serving;

use common::{content_copy, BIN, CRATE};
use policydash::serve::incremental::Rebuilder;
use policydash::BuildOptions;
use serving::Serve;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// The quiet period `serve` waits for before rebuilding.
const DEBOUNCE: Duration = policydash::serve::watch::DEBOUNCE;
/// The file edited, and the text in it that each save changes.
const EDITED: &str = "content/programmes/tianjin.yaml";
const TITLE: &str = "in the new era\"";

/// The synthetic site of `n` programmes that `examples/synth` writes.
fn synthetic(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    policydash::synth::generate(Path::new(CRATE), dir.path(), n).unwrap();
    dir
}

/// The `n`th edit of the edited file (each differs from the one before).
fn save(root: &Path, original: &str, n: usize) {
    let text = original.replacen(TITLE, &format!("in the new era {n}\""), 1);
    std::fs::write(root.join(EDITED), text).unwrap();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Save → reload signal with the real server; returns the median after the debounce.
fn latency(name: &str, root: &Path, edits: usize) -> f64 {
    let started = Instant::now();
    // The server prints where each rebuild's time went (`serve::run::TIMINGS`).
    std::env::set_var(policydash::serve::run::TIMINGS, "1");
    let serve = Serve::start(BIN, root, &[], Duration::from_secs(3600));
    let first_build = started.elapsed().as_secs_f64();
    let mut events = serve.events("");
    let mut generation = events.next().generation;
    let original = std::fs::read_to_string(root.join(EDITED)).unwrap();
    let (mut waits, mut indexes, mut lines) = (Vec::new(), Vec::new(), Vec::new());
    for n in 0..edits {
        let saved = Instant::now();
        save(root, &original, n);
        let state = events.until(|s| s.generation > generation);
        assert!(state.error.is_none(), "the build failed: {:?}", state.error);
        generation = state.generation;
        waits.push(ms(saved.elapsed()));
        let signalled = Instant::now();
        if let Some(line) = serve.wait_line(&["Timings:"]) {
            lines.push((waits[waits.len() - 1], line));
        }
        serve
            .wait_line(&["Search index updated"])
            .expect("the search index follows");
        indexes.push(ms(signalled.elapsed()));
        // Let the watcher settle before the next save.
        std::thread::sleep(Duration::from_millis(300));
    }
    let (min, max) = (
        waits.iter().copied().fold(f64::INFINITY, f64::min),
        waits.iter().copied().fold(0.0, f64::max),
    );
    let m = median(waits);
    // The server's own account of the median save.
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, line)) = lines.get(lines.len() / 2) {
        println!("{name:<28} in the server, median save: {line}");
    }
    println!(
        "{name:<28} first build {first_build:>6.1} s; save → reload signal: median {m:>6.0} ms, \
         {:>5.0} ms after the {} ms debounce (min {min:.0}, max {max:.0}); search index in \
         place {:.0} ms after the signal",
        m - ms(DEBOUNCE),
        ms(DEBOUNCE),
        median(indexes),
    );
    m - ms(DEBOUNCE)
}

/// The same edits in process: each stage of a partial rebuild, median over the edits.
fn stages(name: &str, root: &Path, edits: usize) {
    let mut rebuilder = Rebuilder::new(BuildOptions::new(root));
    rebuilder
        .full()
        .unwrap_or_else(|f| panic!("{}", f.render()));
    let original = std::fs::read_to_string(root.join(EDITED)).unwrap();
    let mut stages: BTreeMap<&'static str, (usize, Vec<f64>)> = BTreeMap::new();
    let mut pages = 0;
    for n in 0..edits {
        save(root, &original, n + 1000);
        let rebuilt = rebuilder
            .rebuild(&[root.join(EDITED)].into())
            .unwrap_or_else(|f| panic!("{}", f.render()));
        assert!(rebuilt.built.is_none(), "a partial rebuild");
        pages = rebuilt.rendered;
        let started = Instant::now();
        rebuilder.reindex_now().unwrap();
        let mut timings = rebuilt.timings.0;
        timings.push(("search (after)", started.elapsed()));
        for (i, (stage, d)) in timings.into_iter().enumerate() {
            stages.entry(stage).or_insert((i, Vec::new())).1.push(ms(d));
        }
    }
    let mut order: Vec<_> = stages.into_iter().collect();
    order.sort_by_key(|(_, (i, _))| *i);
    let line: Vec<String> = order
        .into_iter()
        .map(|(stage, (_, v))| format!("{stage} {:.0}", median(v)))
        .collect();
    println!(
        "{name:<28} in process, ms ({pages} pages rendered): {}",
        line.join(", ")
    );
}

fn main() {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "policydash serve latency: one programme file edited per save (load average {})",
        load.split_whitespace().next().unwrap_or("?")
    );
    let real = content_copy();
    latency("real site (5 programmes)", real.path(), 15);
    stages("real site (5 programmes)", real.path(), 15);
    drop(real);
    let programmes: usize = std::env::var("POLICYDASH_BENCH_PROGRAMMES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    if programmes > 0 {
        let name = format!("synthetic ({programmes} programmes)");
        let big = synthetic(programmes);
        latency(&name, big.path(), 3);
        stages(&name, big.path(), 3);
    }
}
