//! `cargo bench`: how fast a build is, and how much memory it takes, for the real site and for
//! a synthetic site many times larger. Prints figures; asserts nothing (machines are noisy).

use policydash::BuildOptions;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// The real content with every programme repeated `copies` times under new ids.
fn synthetic(root: &Path, copies: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root.join("content"), &dir.path().join("content"));
    let programmes = dir.path().join("content/programmes");
    for entry in std::fs::read_dir(&programmes).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let id = doc["id"].as_str().unwrap().to_string();
        for n in 1..copies {
            let mut copy = doc.clone();
            let new_id = format!("{id}-copy{n}");
            copy["id"] = new_id.clone().into();
            for list in ["targets", "commitments"] {
                if let Some(items) = copy[list].as_sequence_mut() {
                    for item in items {
                        let old = item["id"].as_str().unwrap().to_string();
                        item["id"] = format!("{old}-copy{n}").into();
                    }
                }
            }
            std::fs::write(
                programmes.join(format!("{new_id}.yaml")),
                serde_yaml::to_string(&copy).unwrap(),
            )
            .unwrap();
        }
    }
    dir
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn bench(name: &str, root: PathBuf, runs: usize) {
    let out = tempfile::tempdir().unwrap();
    let opts = BuildOptions {
        root,
        output: Some(out.path().join("output")),
        base_url: None,
    };
    let mut times = Vec::new();
    let mut files = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let built = policydash::build(&opts).unwrap_or_else(|f| panic!("{}", f.render()));
        times.push(start.elapsed().as_secs_f64());
        files = built.files;
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{name:<28} {files:>6} files   median {median:>7.3} s   min {:>7.3} s   {:>8.0} files/s",
        times[0],
        files as f64 / median
    );
    search_share(&opts);
}

/// What search adds to a build: the time to make its index, and its share of the output.
fn search_share(opts: &BuildOptions) {
    let checked = policydash::check(opts).unwrap_or_else(|f| panic!("{}", f.render()));
    let start = Instant::now();
    let index = policydash::search::index(&checked.model, &checked.urls).unwrap();
    let seconds = start.elapsed().as_secs_f64();
    let index_bytes: usize = index.iter().map(|f| f.bytes.len()).sum();
    let output = opts.output_dir();
    let all_bytes: u64 = walkdir::WalkDir::new(&output)
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok().filter(|m| m.is_file()))
        .map(|m| m.len())
        .sum();
    println!(
        "{:<28} search index {seconds:>7.3} s, {} files, {:.0} KiB of {:.0} KiB output",
        "",
        index.len(),
        index_bytes as f64 / 1024.0,
        all_bytes as f64 / 1024.0
    );
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    println!(
        "policydash build benchmark ({} threads)",
        rayon::current_num_threads()
    );
    bench("real site (5 programmes)", root.clone(), 7);
    let big = synthetic(&root, 20);
    bench("synthetic (100 programmes)", big.path().to_path_buf(), 3);
    if let Some(kib) = peak_rss_kib() {
        println!("peak resident memory: {:.1} MiB", kib as f64 / 1024.0);
    }
}
