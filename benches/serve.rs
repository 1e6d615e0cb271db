//! `cargo bench --bench serve`: how long an editor waits, from saving a file to the reload
//! signal reaching an open page, with `policydash serve` (the release binary) running on the
//! real site and on a synthetic site (100 programmes; `POLICYDASH_BENCH_PROGRAMMES=1000` for
//! 1,000, which today builds about 14 GB of output and needs as much memory). Prints wall-clock
//! figures and the CPU time the server spent per save, which a busy machine inflates less.
//! Asserts nothing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_policydash");
/// The quiet period `serve` waits for before rebuilding (`serve::watch::DEBOUNCE`).
const DEBOUNCE_MS: f64 = 100.0;

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// The real content with every programme repeated `copies` times under new ids (as in
/// benches/build.rs).
fn site(copies: usize) -> tempfile::TempDir {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
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

struct Serve {
    child: Child,
    lines: mpsc::Receiver<String>,
    addr: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    fn start(root: &Path) -> Serve {
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut s = Serve {
            child,
            lines,
            addr: String::new(),
        };
        let line = s.line(&["Serving http://"]);
        s.addr = line.split_whitespace().nth(1).unwrap()["http://".len()..]
            .split('/')
            .next()
            .unwrap()
            .to_string();
        s
    }

    /// The next line printed that starts with one of `starts`.
    fn line(&self, starts: &[&str]) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(600))
                .expect("serve prints in time");
            if starts.iter().any(|s| line.starts_with(s)) {
                return line;
            }
        }
    }
}

/// Reads the event stream until a state with a generation other than `seen` arrives.
fn next_generation(stream: &mut TcpStream, buffer: &mut String, seen: u64) -> u64 {
    loop {
        while let Some(at) = buffer.find("data: ") {
            let Some(end) = buffer[at..].find('\n') else {
                break;
            };
            let v: serde_json::Value = serde_json::from_str(&buffer[at + 6..at + end]).unwrap();
            buffer.drain(..at + end);
            let g = v["generation"].as_u64().unwrap();
            assert!(v["error"].is_null(), "the build failed: {}", v["error"]);
            if g != seen {
                return g;
            }
        }
        let mut chunk = [0u8; 65536];
        let n = stream.read(&mut chunk).expect("an event in time");
        assert!(n > 0, "the event stream ended");
        buffer.push_str(&String::from_utf8_lossy(&chunk[..n]));
    }
}

/// User and system CPU time of process `pid`, in milliseconds.
fn cpu_ms(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
        f.iter().filter_map(|t| t.parse::<f64>().ok()).sum()
    });
    ticks * 10.0
}

fn bench(name: &str, root: &Path, edits: usize) {
    let started = Instant::now();
    let serve = Serve::start(root);
    let first_build = started.elapsed().as_secs_f64();
    let mut stream = TcpStream::connect(&serve.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(600)))
        .unwrap();
    write!(
        stream,
        "GET /__policydash/events HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .unwrap();
    let mut buffer = String::new();
    let mut generation = u64::MAX;
    generation = next_generation(&mut stream, &mut buffer, generation);
    let file = root.join("content/programmes/tianjin.yaml");
    let original = std::fs::read_to_string(&file).unwrap();
    let mut waits = Vec::new();
    let mut rebuilds = Vec::new();
    let mut cpus = Vec::new();
    for n in 0..edits {
        let text = original.replacen("in the new era\"", &format!("in the new era {n}\""), 1);
        let cpu = cpu_ms(serve.child.id());
        let saved = Instant::now();
        std::fs::write(&file, text).unwrap();
        generation = next_generation(&mut stream, &mut buffer, generation);
        waits.push(saved.elapsed().as_secs_f64() * 1000.0);
        cpus.push(cpu_ms(serve.child.id()) - cpu);
        // A partial rebuild prints "Rendered …", a full one "Built …".
        let line = serve.line(&["Rendered ", "Built "]);
        if let Some(s) = line
            .split(" in ")
            .last()
            .and_then(|t| t.trim_end_matches('s').parse::<f64>().ok())
        {
            rebuilds.push(s * 1000.0);
        }
        // Let the watcher settle before the next save.
        std::thread::sleep(Duration::from_millis(300));
    }
    waits.sort_by(f64::total_cmp);
    rebuilds.sort_by(f64::total_cmp);
    cpus.sort_by(f64::total_cmp);
    let median = waits[waits.len() / 2];
    println!(
        "{name:<30} first build {first_build:>6.2} s   save→reload signal: median {median:>6.0} ms \
         ({:>4.0} ms after the {DEBOUNCE_MS:.0} ms debounce), min {:>5.0}, max {:>5.0} ms; \
         rebuild median {:>5.0} ms; server CPU per save median {:>4.0} ms",
        median - DEBOUNCE_MS,
        waits[0],
        waits[waits.len() - 1],
        rebuilds.get(rebuilds.len() / 2).copied().unwrap_or(f64::NAN),
        cpus[cpus.len() / 2],
    );
}

fn main() {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "policydash serve latency: one programme file edited per save (load average {})",
        load.split_whitespace().next().unwrap_or("?")
    );
    let real = site(1);
    bench("real site (5 programmes)", real.path(), 15);
    drop(real);
    let programmes: usize = std::env::var("POLICYDASH_BENCH_PROGRAMMES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let big = site(programmes.div_ceil(5));
    bench(
        &format!("synthetic ({programmes} programmes)"),
        big.path(),
        7,
    );
}
