//! A running `policydash serve` and its stream of build states, shared by tests/serve.rs and
//! benches/serve.rs (each includes this file with `#[path]`). Every read has a deadline and
//! every server is killed when dropped, so a failure never hangs.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `policydash serve`; killed when dropped.
pub struct Serve {
    pub child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
    /// The terminal's stdout, line by line.
    lines: mpsc::Receiver<String>,
    /// How long to wait for a line or an event.
    pub wait: Duration,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    /// Starts `bin serve` on a free port over the site in `root`, with `extra` arguments, and
    /// waits (up to `wait`) until it listens.
    pub fn start(bin: &str, root: &Path, extra: &[&str], wait: Duration) -> Serve {
        let mut child = Command::new(bin)
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .args(extra)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("policydash serve starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Serve {
            child,
            addr: String::new(),
            lines,
            wait,
        };
        let line = server
            .wait_line(&["Serving http://"])
            .expect("serve prints the address it listens on");
        let url = line.split_whitespace().nth(1).unwrap();
        server.addr = url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        server
    }

    /// The next line printed that starts with one of `starts`, within the wait.
    pub fn wait_line(&self, starts: &[&str]) -> Option<String> {
        let deadline = Instant::now() + self.wait;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if starts.iter().any(|s| line.starts_with(s)) => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    }

    /// Stops reading the terminal's stdout: the pipe is closed at the next line printed, as
    /// when the reader of `policydash serve | head -1` has gone.
    pub fn stop_reading(&mut self) {
        self.lines = mpsc::channel().1;
    }

    /// The stream of build states (`query` chooses the overlay's language).
    pub fn events(&self, query: &str) -> Events {
        Events::open(&self.addr, query, self.wait)
    }
}

/// A connection with read and write timeouts.
pub fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect to serve");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(60))).unwrap();
    s
}

/// An open Server-Sent Events stream of build states.
pub struct Events {
    stream: TcpStream,
    buffer: String,
    wait: Duration,
}

#[derive(Debug)]
pub struct State {
    pub generation: u64,
    pub error: Option<String>,
}

impl Events {
    fn open(addr: &str, query: &str, wait: Duration) -> Events {
        let mut stream = connect(addr);
        stream.set_read_timeout(Some(wait)).unwrap();
        write!(
            stream,
            "GET /__policydash/events{query} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        Events {
            stream,
            buffer: String::new(),
            wait,
        }
    }

    /// The first state that `wanted` accepts, skipping those before it (a build that read a
    /// file while the editor was still writing it fails, and the next one succeeds).
    pub fn until(&mut self, wanted: impl Fn(&State) -> bool) -> State {
        let deadline = Instant::now() + self.wait;
        loop {
            let state = self.next();
            if wanted(&state) {
                return state;
            }
            assert!(
                Instant::now() < deadline,
                "no such state in time: {state:?}"
            );
        }
    }

    /// The next `state` event, within the wait.
    pub fn next(&mut self) -> State {
        let deadline = Instant::now() + self.wait;
        loop {
            if let Some(at) = self.buffer.find("data: ") {
                if let Some(end) = self.buffer[at..].find('\n') {
                    let data = self.buffer[at + 6..at + end].to_string();
                    self.buffer.drain(..at + end);
                    let v: serde_json::Value = serde_json::from_str(&data).unwrap();
                    return State {
                        generation: v["generation"].as_u64().unwrap(),
                        error: v["error"].as_str().map(str::to_string),
                    };
                }
            }
            assert!(Instant::now() < deadline, "no state event in time");
            let mut chunk = [0u8; 65536];
            let n = self.stream.read(&mut chunk).expect("an event in time");
            assert!(n > 0, "the event stream ended");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    }
}
