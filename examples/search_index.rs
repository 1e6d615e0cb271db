//! Builds only the search index of a site and prints what it costs, for profiling search by
//! hand: `cargo run --release --example search_index -- /tmp/site-1000 [RECORDS_PER_SHARD]` (a
//! site written by the `synth` example). Prints records, shards, files, bytes and the time of
//! each step. The files are counted and dropped as they come, as a build writes them.

use std::sync::atomic::{AtomicUsize, Ordering};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(root) = args.next() else {
        eprintln!("usage: search_index SITE_FOLDER [RECORDS_PER_SHARD]");
        std::process::exit(2);
    };
    let per_shard = match args.next().map(|n| n.parse::<usize>()) {
        None => policydash::search::SHARD_RECORDS,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("RECORDS_PER_SHARD is a number above 0");
            std::process::exit(2);
        }
    };
    let clock = std::time::Instant::now();
    let opts = policydash::BuildOptions::new(std::path::Path::new(&root));
    let checked = match policydash::check(&opts) {
        Ok(c) => c,
        Err(f) => {
            eprintln!("{}", f.render());
            std::process::exit(1);
        }
    };
    let loaded = clock.elapsed();
    let records = policydash::search::records(&checked.model, &checked.urls);
    let made = clock.elapsed() - loaded;
    let count = records.len();
    let sections: usize = records.iter().map(|r| r.sections.len()).sum();
    let text: usize = records
        .iter()
        .map(|r| policydash::search::document(r).len())
        .sum();
    drop(records);
    let started = std::time::Instant::now();
    let (files, bytes) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let written = policydash::search::write_index(&checked.model, &checked.urls, per_shard, &|f| {
        files.fetch_add(1, Ordering::Relaxed);
        bytes.fetch_add(f.bytes.len(), Ordering::Relaxed);
        Ok(())
    });
    match written {
        Ok(shards) => {
            println!(
                "load {:.2} s, records {:.2} s ({count} records, {sections} sections, {:.1} MB of HTML), index {:.2} s: {shards:?} shards of at most {per_shard}, {} files, {:.1} MB",
                loaded.as_secs_f64(),
                made.as_secs_f64(),
                text as f64 / 1e6,
                started.elapsed().as_secs_f64(),
                files.into_inner(),
                bytes.into_inner() as f64 / 1e6
            );
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
