//! `cargo bench`: builds generated sites of N programmes (`policydash::synth`) and prints, for
//! each N, the build time, files, megabytes, peak memory and the time of each stage. Where
//! `hugo` is installed it also builds N plain Markdown pages with Hugo in the same run and
//! prints the ratio. Prints figures; asserts nothing (machines are noisy).
//!
//! `cargo bench` runs N = 5 (the real site), 100, 1,000 and 10,000. Choose others with
//! `BENCH_SIZES=5,300 cargo bench`; with `BENCH_THREADS=1,2` it also builds each size with one
//! thread and with two (`RAYON_NUM_THREADS`), in turn, and prints the speed-up. Each build runs in a child process, so its peak memory
//! (VmHWM) is its own.

use policydash::BuildOptions;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const CHILD: &str = "POLICYDASH_BENCH_CHILD";

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

/// MemAvailable from /proc/meminfo, in MiB (None where there is no such file).
fn available_mib() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? / 1024)
}

fn dir_size(dir: &Path) -> (usize, u64) {
    let mut files = 0;
    let mut bytes = 0;
    for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if e.file_type().is_file() {
            files += 1;
            bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
        }
    }
    (files, bytes)
}

/// In the child: one build of the site at `root`; prints one line of results.
fn child(root: &Path, out: &Path) {
    let opts = BuildOptions {
        root: root.to_path_buf(),
        output: Some(out.to_path_buf()),
        base_url: None,
    };
    let start = Instant::now();
    let built = policydash::build(&opts).unwrap_or_else(|f| panic!("{}", f.render()));
    let secs = start.elapsed().as_secs_f64();
    let stages: Vec<String> = built
        .timings
        .0
        .iter()
        .map(|(s, d)| format!("{s} {:.3}", d.as_secs_f64()))
        .collect();
    println!(
        "RESULT {secs:.4} {} {} | {}",
        built.files,
        peak_rss_kib(),
        stages.join(", ")
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

/// Runs one build in a child process: (seconds, files, peak KiB, stages), or why it failed
/// (a child killed for want of memory prints nothing).
fn measure(root: &Path, out: &Path) -> Result<(f64, usize, u64, String), String> {
    measure_with(root, out, None)
}

/// `measure`, with `RAYON_NUM_THREADS` set to `threads` in the child where given.
fn measure_with(
    root: &Path,
    out: &Path,
    threads: Option<usize>,
) -> Result<(f64, usize, u64, String), String> {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe);
    child.env(CHILD, format!("{}\n{}", root.display(), out.display()));
    if let Some(t) = threads {
        child.env("RAYON_NUM_THREADS", t.to_string());
    }
    let o = child.output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    let Some(line) = text.lines().find_map(|l| l.strip_prefix("RESULT ")) else {
        use std::os::unix::process::ExitStatusExt;
        return Err(match o.status.signal() {
            Some(9) => "killed (signal 9: out of memory?)".to_string(),
            _ => format!(
                "failed ({}): {}",
                o.status,
                String::from_utf8_lossy(&o.stderr)
            ),
        });
    };
    let (nums, stages) = line.split_once(" | ").unwrap();
    let n: Vec<&str> = nums.split_whitespace().collect();
    Ok((
        n[0].parse().unwrap(),
        n[1].parse().unwrap(),
        n[2].parse().unwrap(),
        stages.to_string(),
    ))
}

/// N plain Markdown pages of about the length of a programme page's text, for Hugo.
fn hugo_site(dir: &Path, n: usize) {
    let content = dir.join("content/posts");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::create_dir_all(dir.join("layouts/_default")).unwrap();
    std::fs::write(
        dir.join("hugo.toml"),
        "baseURL = 'https://example.org/'\ntitle = 'bench'\ndisableKinds = ['taxonomy', 'term', 'RSS', 'sitemap']\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("layouts/_default/single.html"),
        "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("layouts/_default/list.html"),
        "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul></body></html>\n",
    )
    .unwrap();
    let para = "The plan sets targets for schools, training, recruitment and a four-tier craftsman ladder, mostly to 2025. **Skilled talent** is to make up 40% of employed persons. ";
    for i in 0..n {
        let mut body = format!("---\ntitle: \"Programme {i}\"\ndate: 2026-11-22\n---\n\n");
        for s in 0..30 {
            body.push_str(&format!(
                "## Figure {s}\n\n{para}{para}\n\n- one\n- two\n\n"
            ));
        }
        std::fs::write(content.join(format!("p{i}.md")), body).unwrap();
    }
}

fn hugo_seconds(n: usize) -> Option<f64> {
    Command::new("hugo").arg("version").output().ok()?;
    let dir = tempfile::tempdir().ok()?;
    hugo_site(dir.path(), n);
    let start = Instant::now();
    let ok = Command::new("hugo")
        .args(["--quiet", "-d", "public", "-s"])
        .arg(dir.path())
        .status()
        .ok()?
        .success();
    ok.then(|| start.elapsed().as_secs_f64())
}

fn main() {
    if let Ok(args) = std::env::var(CHILD) {
        let (root, out) = args.split_once('\n').unwrap();
        child(Path::new(root), Path::new(out));
        return;
    }
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![5, 100, 1_000, 10_000]);
    // `BENCH_THREADS=1,2`: each size is also built with each of these numbers of threads, in
    // turn, `BENCH_REPEATS` times (3 unless given), and the median times and the speed-up of
    // the last over the first are printed.
    let threads: Vec<usize> = std::env::var("BENCH_THREADS")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_default();
    let repeats: usize = std::env::var("BENCH_REPEATS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(3)
        .max(1);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    println!(
        "policydash build benchmark: {} threads (RAYON_NUM_THREADS to change)",
        rayon::current_num_threads()
    );
    println!(
        "{:>7} {:>9} {:>8} {:>10} {:>9} {:>9} {:>7}  stages (s)",
        "N", "time (s)", "files", "output MB", "peak MB", "hugo (s)", "ratio"
    );
    for n in sizes {
        // Peak memory grows with the number of programmes: about 0.54 GB at 1,000 and 0.86 GB
        // at 2,000 since the search index is made in shards of bounded size (before, the index
        // alone took 1.7 GB at 1,000 and the build 4.2 GB at 2,000). A size that would not fit
        // is skipped rather than left to run the machine out of memory.
        let needs_mib = 256 + n as u64 * 4 / 10;
        if let Some(available) = available_mib().filter(|a| needs_mib > a * 9 / 10) {
            println!(
                "{n:>7} skipped: a build of {n} programmes needs about {} GB, this machine has {:.1} GB available",
                needs_mib.div_ceil(1024),
                available as f64 / 1024.0
            );
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let site = if n <= 5 {
            root.clone()
        } else {
            policydash::synth::generate(&root, dir.path(), n).unwrap();
            dir.path().to_path_buf()
        };
        let out = dir.path().join("bench-output");
        // A first build warms the file cache; the second is measured.
        let measured = measure(&site, &out).and_then(|_| measure(&site, &out));
        let (secs, files, peak_kib, stages) = match measured {
            Ok(m) => m,
            Err(why) => {
                println!("{n:>7} the build {why}");
                continue;
            }
        };
        let (_, bytes) = dir_size(&out);
        let hugo = hugo_seconds(n);
        println!(
            "{n:>7} {secs:>9.3} {files:>8} {:>10.1} {:>9.1} {:>9} {:>7}  {stages}",
            bytes as f64 / 1e6,
            peak_kib as f64 / 1024.0,
            hugo.map(|h| format!("{h:.3}"))
                .unwrap_or_else(|| "-".into()),
            hugo.map(|h| format!("{:.2}", secs / h))
                .unwrap_or_else(|| "-".into()),
        );
        if threads.len() > 1 {
            println!("{}", speed_up(&site, &out, &threads, repeats));
        }
    }
}

/// The median time of a build of `site` with each number of `threads` (taken in turn, so that
/// the machine's load falls on each alike), and the speed-up of the last over the first.
fn speed_up(site: &Path, out: &Path, threads: &[usize], repeats: usize) -> String {
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); threads.len()];
    for _ in 0..repeats {
        for (i, &t) in threads.iter().enumerate() {
            match measure_with(site, out, Some(t)) {
                Ok((secs, ..)) => times[i].push(secs),
                Err(why) => return format!("{:>7} with {t} threads the build {why}", ""),
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let medians: Vec<f64> = times.iter_mut().map(median).collect();
    let each: Vec<String> = threads
        .iter()
        .zip(&medians)
        .map(|(t, m)| format!("{t} threads {m:.3} s"))
        .collect();
    format!(
        "{:>7} {} (median of {repeats}); speed-up {:.2}x",
        "",
        each.join(", "),
        medians[0] / medians[medians.len() - 1]
    )
}
