//! Builds only the search index of a site and prints what it costs, for profiling search by
//! hand: `cargo run --release --example search_index -- /tmp/site-1000` (a site written by the
//! `synth` example). Prints records, files, bytes and the time of each step.

fn main() {
    let Some(root) = std::env::args().nth(1) else {
        eprintln!("usage: search_index SITE_FOLDER");
        std::process::exit(2);
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
    let sections: usize = records.iter().map(|r| r.sections.len()).sum();
    let text: usize = records
        .iter()
        .map(|r| policydash::search::document(r).len())
        .sum();
    drop(records);
    let started = std::time::Instant::now();
    match policydash::search::index(&checked.model, &checked.urls) {
        Ok(files) => {
            let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
            println!(
                "load {:.2} s, records {:.2} s ({sections} sections, {:.1} MB of HTML), index {:.2} s: {} files, {:.1} MB",
                loaded.as_secs_f64(),
                made.as_secs_f64(),
                text as f64 / 1e6,
                started.elapsed().as_secs_f64(),
                files.len(),
                bytes as f64 / 1e6
            );
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
