//! The fuzz target for the YAML and front-matter loaders, on stable Rust (proptest, with
//! random seeds): mutations of every real content file and of a commentary page, and arbitrary
//! bytes, loaded with `load::load` and, every few cases, checked with `policydash::check`
//! (validation, chart catalogue, theme). It runs until a time is up, so it is `#[ignore]`d
//! and stays out of `./run-tests`:
//!
//! ```sh
//! FUZZ_SECONDS=600 cargo test --test fuzz_loaders -- --ignored --nocapture
//! ```
//!
//! A panic fails the run with proptest's shrunk input. A case that runs longer than
//! `HANG_SECONDS` is written to `target/fuzz-hang.txt` and the process aborts: a hang is a
//! crash too. docs/errors.md says how to run it.

mod common;

use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::{Config, TestRunner};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const HANG_SECONDS: u64 = 60;

/// Besides `common::YAML_PIECES`: numbers at the edges, Markdown and field names.
const MORE_PIECES: &[&str] = &[
    "!foo ",
    "!percent ",
    "\u{85}",
    "\u{2028}",
    "\\0",
    "\\e",
    "\\x01",
    ".inf",
    "-.inf",
    ".nan",
    "1e308",
    "1.7e308",
    "0.5",
    "1e-300",
    "-4",
    "=HYPERLINK(\"x\")",
    "{#main}",
    "{.c}",
    "![x](https://e.org/x.png)",
    "{{ chart(id=\"timeline\") }}",
    "```\n",
    "    ",
    "> > > ",
    "<b>",
    "[a](javascript:x)",
    "value: ",
    "value_max: ",
    "unit: ",
    "untis: ",
    "id: ",
];

fn mutations() -> impl Strategy<Value = Vec<(Index, u8, &'static str)>> {
    prop::collection::vec(
        (
            any::<Index>(),
            0u8..5,
            select([common::YAML_PIECES, MORE_PIECES].concat()),
        ),
        1..10,
    )
}

/// Insertions, deletions, line duplications and piece repetitions at character boundaries.
fn mutate(text: &str, ops: &[(Index, u8, &str)]) -> String {
    common::mutate(text, ops, 7)
}

/// What a case does to the site.
#[derive(Debug, Clone)]
enum Input {
    /// Mutations of the real file (index into the site's files).
    Mutated(Index, Vec<(Index, u8, &'static str)>),
    /// Arbitrary bytes as one of the files.
    Bytes(Index, Vec<u8>),
    /// Arbitrary text as front matter and body of a commentary page.
    FrontMatter(String, String),
}

fn inputs() -> impl Strategy<Value = Input> {
    prop_oneof![
        6 => (any::<Index>(), mutations()).prop_map(|(f, m)| Input::Mutated(f, m)),
        1 => (any::<Index>(), prop::collection::vec(any::<u8>(), 0..600))
            .prop_map(|(f, b)| Input::Bytes(f, b)),
        1 => ("\\PC{0,300}", "\\PC{0,200}").prop_map(|(f, b)| Input::FrontMatter(f, b)),
    ]
}

/// The site's content files (relative paths) and their original bytes.
fn files(site: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(site.join("content")).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(site).unwrap().to_path_buf();
            out.push((rel, std::fs::read(entry.path()).unwrap()));
        }
    }
    out
}

fn run_case(site: &Path, originals: &[(PathBuf, Vec<u8>)], input: &Input, full: bool) {
    let (file, bytes) = match input {
        Input::Mutated(f, ops) => {
            let (rel, orig) = &originals[f.index(originals.len())];
            let text = String::from_utf8_lossy(orig);
            (rel.clone(), mutate(&text, ops).into_bytes())
        }
        Input::Bytes(f, b) => (originals[f.index(originals.len())].0.clone(), b.clone()),
        Input::FrontMatter(front, body) => (
            PathBuf::from("content/commentary/note.en.md"),
            format!("---\n{front}\n---\n{body}").into_bytes(),
        ),
    };
    // Every file as it was (a failed case, being shrunk, may have left one changed).
    for (rel, orig) in originals {
        std::fs::write(site.join(rel), orig).unwrap();
    }
    std::fs::write(site.join(&file), &bytes).unwrap();
    let loaded = policydash::load::load(site);
    for d in loaded.diagnostics.sorted() {
        assert!(
            !d.is_error() || d.file.is_some(),
            "an error without a file: {d:?}"
        );
    }
    let _ = loaded.diagnostics.render(&loaded.sources.texts());
    if full {
        if let Err(f) = policydash::check(&policydash::BuildOptions::new(site)) {
            assert!(f.diagnostics.has_errors());
            let _ = f.render();
        }
    }
}

#[test]
#[ignore = "a fuzz run: FUZZ_SECONDS=600 cargo test --test fuzz_loaders -- --ignored"]
fn fuzz_yaml_and_front_matter_loaders() {
    let seconds: u64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let dir = tempfile::tempdir().unwrap();
    let site = common::make_site(dir.path());
    // Two programmes are enough to mutate, and every case loads the whole site: the others
    // are left out so that more cases run (check then reports the context figures of the
    // missing ones, which is fine here).
    for gone in ["jiangmen", "lingang", "suqian"] {
        let _ = std::fs::remove_file(site.join(format!("content/programmes/{gone}.yaml")));
    }
    let originals = files(&site);
    let deadline = Instant::now() + Duration::from_secs(seconds);

    // The watchdog: a case running longer than HANG_SECONDS is a hang.
    let started = Arc::new(AtomicU64::new(0));
    let current: Arc<Mutex<String>> = Arc::default();
    let epoch = Instant::now();
    {
        let (started, current) = (started.clone(), current.clone());
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_secs(1));
            let at = started.load(Ordering::SeqCst);
            if at > 0 && epoch.elapsed().as_secs() > at + HANG_SECONDS {
                let text = current.lock().map(|c| c.clone()).unwrap_or_default();
                let out = Path::new(common::CRATE).join("target/fuzz-hang.txt");
                let _ = std::fs::write(&out, &text);
                eprintln!(
                    "a case ran for more than {HANG_SECONDS} s; written to {}",
                    out.display()
                );
                std::process::abort();
            }
        });
    }

    let cases = AtomicU64::new(0);
    let mut batches = 0u64;
    while Instant::now() < deadline {
        let config = Config {
            cases: 64,
            failure_persistence: None,
            max_shrink_time: 60_000,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        let result = runner.run(&inputs(), |input| {
            if let Ok(mut c) = current.lock() {
                *c = format!("{input:?}");
            }
            started.store(epoch.elapsed().as_secs().max(1), Ordering::SeqCst);
            let n = cases.fetch_add(1, Ordering::SeqCst);
            run_case(&site, &originals, &input, n.is_multiple_of(16));
            started.store(0, Ordering::SeqCst);
            Ok(())
        });
        if let Err(e) = result {
            panic!("after {} cases: {e}", cases.load(Ordering::SeqCst));
        }
        batches += 1;
    }
    println!(
        "fuzz_loaders: {} cases in {batches} batches over {seconds} s, no crash",
        cases.load(Ordering::SeqCst)
    );
}
