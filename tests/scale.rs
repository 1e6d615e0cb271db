//! National scale: a generated site of 300 programmes stays small. The output grows linearly
//! with the number of places: a programme page is no larger than on the five-place site, a
//! programme's own files take about 300 KB in both languages, no file is a copy of another,
//! and the whole site stays far under GitHub Pages' 1 GB. Sizes and counts only, never times.

use policydash::{build, BuildOptions};
use std::fs;
use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<(PathBuf, u64)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), e.metadata().unwrap().len()))
        .collect()
}

/// Builds a generated site of `n` programmes; returns the folder (kept alive) and the output.
fn built(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    policydash::synth::generate(root, dir.path(), n).unwrap();
    let out = dir.path().join("output");
    let mut opts = BuildOptions::new(dir.path());
    opts.output = Some(out.clone());
    if let Err(f) = build(&opts) {
        panic!("build of {n} programmes failed:\n{}", f.render());
    }
    (dir, out)
}

/// The largest page of a kind (programme, commentary or embed pages), in either language.
fn largest(out: &Path, folder: &str) -> (u64, String) {
    files(out)
        .into_iter()
        .filter(|(p, _)| {
            let rel = p.strip_prefix(out).unwrap().to_string_lossy().to_string();
            let rel = rel.strip_prefix("zh/").unwrap_or(&rel).to_string();
            // A page of its own (folder/key/index.html), not the folder's index.
            rel.starts_with(folder) && rel.ends_with("/index.html") && rel.matches('/').count() == 2
        })
        .map(|(p, n)| (n, p.display().to_string()))
        .max()
        .unwrap_or_default()
}

#[test]
fn output_grows_linearly_with_the_number_of_places() {
    // Ten: each real programme and one copy, so every figure already has a peer and a
    // programme's "among all places" chart has all its rows; beyond that nothing may grow.
    let (_five_dir, five) = built(5);
    let (_small_dir, small) = built(10);
    let (_big_dir, big) = built(300);
    let programmes = fs::read_dir(big.join("programmes")).unwrap().count();
    assert_eq!(programmes, 300, "one page per programme");

    let all = files(&big);
    let total: u64 = all.iter().map(|(_, n)| n).sum();
    // Where the bytes go, to read when this fails.
    let mut by_kind: std::collections::BTreeMap<String, (usize, u64)> = Default::default();
    for (p, n) in &all {
        let rel = p.strip_prefix(&big).unwrap().to_string_lossy().to_string();
        let rel = rel.strip_prefix("zh/").unwrap_or(&rel).to_string();
        let kind = rel.split('/').next().unwrap_or("").to_string();
        let e = by_kind.entry(kind).or_default();
        e.0 += 1;
        e.1 += n;
    }
    for (k, (count, n)) in &by_kind {
        println!("  {k:<24} {count:>6} files {:>10.1} KB", *n as f64 / 1e3);
    }
    println!(
        "300 programmes: {} files, {:.1} MB",
        all.len(),
        total as f64 / 1e6
    );

    // The issue compares with five places. On the real five a figure whose measure no other
    // place has gets no row in "among all places", so their largest page (Suqian's) is smaller
    // than it becomes once every figure has a peer, as at ten: printed, and bounded at ten.
    let (at5, f5) = largest(&five, "programmes/");
    let (at300, _) = largest(&big, "programmes/");
    println!("largest programme page: {at5} bytes at 5 ({f5}), {at300} at 300");
    for folder in ["programmes/", "commentary/", "embed/"] {
        let (at5, f5) = largest(&small, folder);
        let (at300, f300) = largest(&big, folder);
        println!("largest {folder}: {at5} bytes at 10 ({f5}), {at300} at 300 ({f300})");
        assert!(at5 > 0, "no {folder} page at 10");
        // A small margin for longer place names ("Zhuhai 59") and links.
        let margin = at5 / 20 + 2_000;
        assert!(
            at300 <= at5 + margin,
            "{folder}: the largest page grew from {at5} bytes at 10 places to {at300} at 300 ({f300})"
        );
    }
    // The bound. 93.8 MB measured (121 MB before a figure's name became its permalink,
    // "cite a figure" and the source line were said once per page instead of per row, the
    // programme chart was drawn once, charts' SVG was written compactly, programmes' and
    // metrics' rows stopped being written as CSV a second and third time, and a table none of
    // whose figures can be assessed said so once instead of in a column; 168 MB before that).
    // What remains is mostly content written once per copy: figure rows on programme and
    // comparison pages, the JSON per programme, per metric and site-wide, the search index.
    assert!(
        total < 100_000_000,
        "output of 300 programmes is {total} bytes"
    );
    // A programme's own files, both languages: its pages, its charts' files and embed pages,
    // its downloads and its commentary. About 300 KB each, so that 1,000 fit in 350 MB.
    let ids: Vec<String> = fs::read_dir(big.join("programmes"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    let mut sizes: std::collections::BTreeMap<&str, u64> = Default::default();
    for (p, n) in &all {
        let rel = p.strip_prefix(&big).unwrap().to_string_lossy().to_string();
        let rel = rel.strip_prefix("zh/").unwrap_or(&rel);
        let parts: Vec<&str> = rel.split('/').collect();
        let stem = |s: &str| s.split('.').next().unwrap_or("").to_string();
        let owner = match parts.as_slice() {
            ["programmes" | "commentary", id, "index.html"] => Some(id.to_string()),
            ["data", "programmes", file] => Some(stem(file)),
            ["charts", file] | ["data", "charts", file] | ["embed", file, "index.html"] => {
                let s = stem(file);
                s.strip_prefix("programme-")
                    .or_else(|| s.strip_prefix("standing-"))
                    .map(String::from)
            }
            _ => None,
        };
        if let Some(id) = owner.and_then(|o| ids.iter().find(|i| **i == o)) {
            *sizes.entry(id.as_str()).or_default() += n;
        }
    }
    assert_eq!(sizes.len(), 300, "files found for every programme");
    let (most, biggest) = sizes.iter().map(|(k, v)| (*v, *k)).max().unwrap();
    let mean = sizes.values().sum::<u64>() / sizes.len() as u64;
    println!("a programme's own files: {mean} bytes on average, {most} at most ({biggest})");
    // 184 KB on average and 277 KB at most measured: the largest is a copy of the programme
    // with the most figures and the longest clauses, and does not grow with places.
    assert!(
        mean <= 300_000,
        "a programme's own files: {mean} bytes on average"
    );
    assert!(
        most <= 450_000,
        "{biggest}: its own files take {most} bytes"
    );
    // No file is a byte-for-byte copy of another (the search index aside, which is not ours
    // to shape): a chart whose numbers are a download links to that download.
    let mut seen: std::collections::HashMap<u64, PathBuf> = Default::default();
    for (p, _) in &all {
        if p.strip_prefix(&big).unwrap().starts_with("pagefind") {
            continue;
        }
        let bytes = fs::read(p).unwrap();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&bytes, &mut h);
        if let Some(first) = seen.insert(std::hash::Hasher::finish(&h), p.clone()) {
            assert_ne!(
                bytes,
                fs::read(&first).unwrap(),
                "{} is a copy of {}",
                p.display(),
                first.display()
            );
        }
    }
    // Index and comparison pages list every place compactly.
    for page in ["index.html", "metrics/skilled-share/index.html"] {
        let n = fs::metadata(big.join(page)).unwrap().len();
        let per_place = n / 300;
        println!("{page}: {n} bytes, {per_place} per place");
        assert!(per_place < 3_000, "{page}: {per_place} bytes per place");
    }
}
