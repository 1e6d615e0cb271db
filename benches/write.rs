//! The writer alone (issue 11, item 5): a first write of a site, then rebuilds of the same
//! files, each with the previous output's unchanged files linked (as `build` does) and, for
//! comparison, with every file written again (`POLICYDASH_NO_REUSE`), in turns so that both
//! see the same load. Prints wall time and the process's user and system time of each.
//!
//!     cargo bench --bench write                 # 22,000 generated files of 16 KB
//!     cargo bench --bench write -- DIR [ROUNDS]  # the files of a built output, e.g. of
//!                                                # `synth 1000 S && cd S && policydash build`
//!
//! The files are held in memory and written in parallel, as `build` streams them; the site is
//! written under the target folder (the same file system as a usual output).

use policydash::output::OutputFile;
use policydash::write::write_site_with;
use rayon::prelude::*;
use std::path::Path;
use std::time::{Duration, Instant};

/// The process's user and system time so far (all threads), from /proc on Linux.
fn cpu() -> (Duration, Duration) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which ends at the last ')'): utime and stime are the
    // 12th and 13th, in clock ticks (100 a second on Linux).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let tick = |i: usize| Duration::from_millis(f.get(i).copied().unwrap_or(0) * 10);
    (tick(11), tick(12))
}

/// Every file under `dir` except policydash's marker, with its path relative to `dir`.
fn read_tree(dir: &Path) -> Vec<OutputFile> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() != policydash::write::MARKER)
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy();
            OutputFile::new(rel.replace('\\', "/"), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// 22,000 files of 16 KB in 2,000 folders, each file's bytes its own.
fn generated() -> Vec<OutputFile> {
    (0..22_000u32)
        .map(|i| {
            let line = format!("<p>file {i}: some text of a page</p>\n");
            let bytes = line.repeat(16 * 1024 / line.len()).into_bytes();
            OutputFile::new(format!("p{}/f{i}.html", i % 2_000), bytes)
        })
        .collect()
}

/// What one write took: in all, putting the files into the staging folder, and the CPU time;
/// and how many files were linked.
struct Took {
    all: Duration,
    fill: Duration,
    user: Duration,
    sys: Duration,
    /// The system time of the swap and the removal of the previous output.
    sys_after: Duration,
    linked: usize,
}

/// Writes `files` into `out` as a build does.
fn write(root: &Path, out: &Path, files: &[OutputFile]) -> Took {
    let (u0, s0) = cpu();
    let started = Instant::now();
    let (mut linked, mut fill, mut sys_filled) = (0, Duration::ZERO, Duration::ZERO);
    write_site_with(root, out, |stage| {
        let filling = Instant::now();
        files.par_iter().try_for_each(|f| stage.put(f))?;
        fill = filling.elapsed();
        sys_filled = cpu().1;
        linked = stage.linked();
        Ok(())
    })
    .expect("the site is written");
    let all = started.elapsed();
    let (u1, s1) = cpu();
    Took {
        all,
        fill,
        user: u1 - u0,
        sys: s1 - s0,
        sys_after: s1 - sys_filled,
        linked,
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let files = match args.first() {
        Some(dir) => read_tree(Path::new(dir)),
        None => generated(),
    };
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let mb = files.iter().map(|f| f.bytes.len()).sum::<usize>() as f64 / 1e6;
    println!("{} files, {mb:.0} MB", files.len());
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let root = dir.path().join("site");
    std::fs::create_dir_all(root.join("content")).unwrap();
    let out = root.join("output");
    let show = |what: &str, t: Took| {
        println!(
            "{what:<28} {:>6.2} s (files {:>5.2} s, swap and removal {:>5.2} s)  user {:>5.2} s  sys {:>5.2} s (swap and removal {:>5.2} s)  linked {}",
            t.all.as_secs_f64(),
            t.fill.as_secs_f64(),
            (t.all - t.fill).as_secs_f64(),
            t.user.as_secs_f64(),
            t.sys.as_secs_f64(),
            t.sys_after.as_secs_f64(),
            t.linked
        );
    };
    show("first write", write(&root, &out, &files));
    for round in 1..=rounds {
        std::env::remove_var("POLICYDASH_NO_REUSE");
        show(
            &format!("rebuild {round}, linking"),
            write(&root, &out, &files),
        );
        std::env::set_var("POLICYDASH_NO_REUSE", "1");
        show(
            &format!("rebuild {round}, writing all"),
            write(&root, &out, &files),
        );
    }
    std::env::remove_var("POLICYDASH_NO_REUSE");
}
