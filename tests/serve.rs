//! `policydash serve`, as an editor and as a hostile client meet it: the binary runs on a free
//! port over a temporary copy of the site. Every read has a timeout and every server is killed
//! when its test ends, so a failure never hangs the suite.

mod common;
#[path = "common/serve.rs"]
mod serving;

use common::{edit, temp_site as site, BIN};
use serving::{connect, Serve};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const PREFIX: &str = "/policydash/";
/// Generous: a debug build of the site takes about a second, ten times that on a busy machine.
const WAIT: Duration = Duration::from_secs(120);

fn serve(root: &Path, extra: &[&str]) -> Serve {
    Serve::start(BIN, root, extra, WAIT)
}

/// What the tests ask of a running server besides its events.
trait Client {
    fn get(&self, path: &str) -> Response;
    fn threads(&self) -> usize;
}

impl Client for Serve {
    fn get(&self, path: &str) -> Response {
        request(&self.addr, "GET", path)
    }

    fn threads(&self) -> usize {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("Threads:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

struct Response {
    status: u16,
    /// Header lines as sent, lower-cased names.
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One request on its own connection (`Connection: close`), read to the end.
fn request(addr: &str, method: &str, path: &str) -> Response {
    let mut s = connect(addr);
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("the server answers in time");
    parse(&raw)
}

fn parse(raw: &[u8]) -> Response {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete response");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}

const TIANJIN: &str = "/policydash/programmes/tianjin/";
const TIANJIN_ZH: &str = "/policydash/zh/programmes/tianjin/";
const TITLE: &str = "high-skilled workforce in the new era\"";
const BREAK_FROM: &str = "value: 40\n";
const BREAK_TO: &str = "value: forty\n";

#[test]
fn an_edit_reloads_open_pages_and_a_broken_edit_shows_the_overlay_until_fixed() {
    let (_dir, root) = site();
    let server = serve(&root, &[]);
    let file = root.join("content/programmes/tianjin.yaml");

    // The served page carries the reload hook; the built file does not.
    let page = server.get(TIANJIN);
    assert_eq!(page.status, 200);
    assert!(page.body.contains(
        "<script src=\"/__policydash/live.js\" data-generation=\"0\" defer></script></body>"
    ));
    let built = std::fs::read_to_string(root.join("output/programmes/tianjin/index.html")).unwrap();
    assert!(
        !built.contains("__policydash"),
        "build output carries the preview script"
    );
    let script = server.get("/__policydash/live.js");
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.body.contains("EventSource") && script.body.contains("scrollTo"));

    let mut events = server.events("");
    let first = events.next();
    assert_eq!((first.generation, first.error.as_deref()), (0, None));

    // A good edit: the reload signal arrives, then the new page is served.
    edit(
        &file,
        TITLE,
        "high-skilled workforce in the new era EDITED-IN-PREVIEW\"",
    );
    let after = events.until(|s| s.error.is_none() || s.generation > 0);
    assert_eq!((after.generation, after.error.as_deref()), (1, None));
    let page = server.get(TIANJIN);
    assert!(page.body.contains("EDITED-IN-PREVIEW"));
    assert!(page.body.contains("data-generation=\"1\""));

    // A broken edit: the overlay names the file, over the last good page.
    let mut zh_events = server.events("?lang=zh");
    assert_eq!(zh_events.next().generation, 1);
    edit(&file, BREAK_FROM, BREAK_TO);
    // (A build that reads the file half-saved fails too: the one waited for shows the line.)
    let broken = events.until(|s| s.error.as_ref().is_none_or(|e| e.contains("forty")));
    assert_eq!(
        broken.generation, 1,
        "a failed build is no reason to reload"
    );
    let overlay = broken.error.expect("the overlay after a broken edit");
    assert!(overlay.contains("id=\"policydash-preview-error\""));
    assert!(
        overlay.contains("content/programmes/tianjin.yaml"),
        "{overlay}"
    );
    assert!(
        overlay.contains("forty"),
        "the excerpt shows the line: {overlay}"
    );
    assert!(overlay.contains("This change could not be built"));
    let zh_overlay = zh_events
        .until(|s| s.error.as_ref().is_none_or(|e| e.contains("forty")))
        .error
        .expect("the overlay in Chinese");
    assert!(zh_overlay.contains("此次修改无法生成网站"), "{zh_overlay}");
    assert!(zh_overlay.contains("content/programmes/tianjin.yaml"));
    // Pages loaded now show it too, beneath it the last good page.
    let page = server.get(TIANJIN);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("EDITED-IN-PREVIEW"));
    assert!(page.body.contains("id=\"policydash-preview-error\""));
    assert!(server.get(TIANJIN_ZH).body.contains("此次修改无法生成网站"));

    // Fixed: the overlay goes, open pages reload.
    edit(&file, BREAK_TO, BREAK_FROM);
    let fixed = events.until(|s| s.error.is_none() || s.generation > 1);
    assert_eq!((fixed.generation, fixed.error.as_deref()), (2, None));
    let page = server.get(TIANJIN);
    assert!(!page.body.contains("policydash-preview-error"));
    assert!(page.body.contains("EDITED-IN-PREVIEW"));
}

/// `policydash serve | head -1`: the terminal's reader goes away after the first line. Every
/// rebuild still happens and is served; nothing panics on the lines it can no longer print.
#[test]
fn a_terminal_reader_that_goes_away_does_not_stop_the_preview() {
    let (_dir, root) = site();
    let mut server = serve(&root, &[]);
    server.stop_reading();
    let file = root.join("content/programmes/tianjin.yaml");
    let mut events = server.events("");
    assert_eq!(events.next().generation, 0);
    // The first rebuild's line closes the pipe; the next ones are printed into nothing.
    let mut from = TITLE.to_string();
    for generation in 1..=3 {
        let marker = format!("READER-GONE-{generation}");
        let to = format!("high-skilled workforce in the new era {marker}\"");
        edit(&file, &from, &to);
        from = to;
        let state = events.until(|s| s.generation >= generation);
        assert_eq!(
            (state.generation, state.error.as_deref()),
            (generation, None)
        );
        assert!(server.get(TIANJIN).body.contains(&marker));
    }
    assert!(server.child.try_wait().unwrap().is_none(), "serve stopped");
}

#[test]
fn starting_on_broken_content_serves_the_overlay_until_fixed() {
    let (_dir, root) = site();
    let file = root.join("content/programmes/tianjin.yaml");
    edit(&file, BREAK_FROM, BREAK_TO);
    let server = serve(&root, &[]);
    let page = server.get(PREFIX);
    assert_eq!(page.status, 503, "nothing was ever built");
    assert!(page.body.contains("id=\"policydash-preview-error\""));
    assert!(page.body.contains("content/programmes/tianjin.yaml"));
    assert!(page.body.contains("/__policydash/live.js"));
    let mut events = server.events("");
    let first = events.next();
    assert!(first
        .error
        .unwrap()
        .contains("content/programmes/tianjin.yaml"));

    edit(&file, BREAK_TO, BREAK_FROM);
    let fixed = events.until(|s| s.error.is_none() || s.generation > 0);
    assert_eq!((fixed.generation, fixed.error.as_deref()), (1, None));
    let page = server.get(TIANJIN);
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("policydash-preview-error"));
}

fn set_base_url(root: &Path, url: &str) {
    edit(
        &root.join("content/site.yaml"),
        "base_url: \"https://example.github.io/policydash/\"",
        &format!("base_url: \"{url}\""),
    );
}

#[test]
fn a_non_ascii_base_path_is_served_percent_encoded() {
    let (_dir, root) = site();
    set_base_url(&root, "https://example.github.io/政策/");
    let server = serve(&root, &["--no-watch"]);
    let home = server.get("/");
    assert_eq!(home.status, 301);
    assert_eq!(home.header("location"), Some("/%E6%94%BF%E7%AD%96/"));
    let page = server.get("/%E6%94%BF%E7%AD%96/programmes/tianjin/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Tianjin"));
    let folder = server.get("/%E6%94%BF%E7%AD%96/programmes/tianjin");
    assert_eq!(
        folder.header("location"),
        Some("/%E6%94%BF%E7%AD%96/programmes/tianjin/")
    );
    // The server still answers after all of that.
    assert_eq!(server.get("/%E6%94%BF%E7%AD%96/").status, 200);
}

#[test]
fn line_breaks_in_the_base_url_never_reach_a_header() {
    let (_dir, root) = site();
    set_base_url(&root, "https://example.github.io/a\\r\\nX-Injected:yes/");
    let server = serve(&root, &["--no-watch"]);
    for path in [
        "/",
        "/a%0D%0AX-Injected:yes",
        "/aX-Injected:yes",
        "/a%0D%0AX-Injected:yes/programmes/tianjin",
    ] {
        let r = server.get(path);
        assert!(r.header("x-injected").is_none(), "{path}: {:?}", r.headers);
        if let Some(location) = r.header("location") {
            assert!(
                location.bytes().all(|b| b.is_ascii_graphic()),
                "{location:?}"
            );
        }
    }
    // Either the address is refused (and the preview shows why) or it is served encoded.
    let home = server.get("/");
    match home.status {
        503 => assert!(home.body.contains("content/site.yaml"), "{}", home.body),
        status => assert_eq!(status, 301),
    }
}

#[test]
fn a_client_that_does_not_read_does_not_stall_others_and_connections_take_no_threads() {
    let (_dir, root) = site();
    let server = serve(&root, &["--no-watch"]);
    let threads_before = server.threads();

    // Ask for the largest download many times over one connection and read none of it: the
    // server's writes to it fill the socket buffers and then wait.
    let big = "/policydash/data/targets.json";
    assert!(server.get(big).body.len() > 100_000);
    let mut greedy = connect(&server.addr);
    greedy.set_nonblocking(true).unwrap();
    let req = format!("GET {big} HTTP/1.1\r\nHost: x\r\n\r\n").repeat(200);
    let mut sent = 0;
    let deadline = Instant::now() + Duration::from_secs(5);
    while sent < req.len() && Instant::now() < deadline {
        match greedy.write(&req.as_bytes()[sent..]) {
            Ok(n) => sent += n,
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    // And many clients that open a connection and never finish their headers.
    let idle: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut s = connect(&server.addr);
            s.write_all(b"GET / HTTP/1.1\r\nHost: ").unwrap();
            s
        })
        .collect();

    let started = Instant::now();
    for _ in 0..20 {
        let r = server.get(TIANJIN);
        assert_eq!(r.status, 200);
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(15),
        "other clients stalled: {took:?}"
    );
    let threads = server.threads();
    assert!(
        threads <= threads_before + 2,
        "{threads} threads with 201 open connections, {threads_before} before"
    );

    // Headers that never end get the connection closed.
    let mut waiting = idle.into_iter().next().unwrap();
    let mut buf = [0u8; 256];
    let closed_at = Instant::now();
    let n = waiting.read(&mut buf).unwrap_or(0);
    assert!(
        n == 0 || String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 408"),
        "an unfinished request was answered"
    );
    assert!(closed_at.elapsed() < Duration::from_secs(20));
    drop(greedy);
}

#[test]
fn only_get_and_head_are_answered() {
    let (_dir, root) = site();
    let server = serve(&root, &["--no-watch"]);
    for method in [
        "POST",
        "PUT",
        "DELETE",
        "TRACE",
        "PATCH",
        "OPTIONS",
        "FROBNICATE",
    ] {
        for path in [TIANJIN, "/__policydash/events", "/__policydash/live.js"] {
            let r = request(&server.addr, method, path);
            assert_eq!(r.status, 405, "{method} {path}");
            assert_eq!(r.header("allow"), Some("GET, HEAD"));
            assert!(!r.body.contains("Tianjin"));
        }
    }
    let head = request(&server.addr, "HEAD", TIANJIN);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-type"),
        Some("text/html; charset=utf-8")
    );
}

#[test]
fn paths_leaving_the_output_get_404_and_types_are_right() {
    let (_dir, root) = site();
    std::fs::write(root.join("secret.txt"), "TOP-SECRET").unwrap();
    let server = serve(&root, &["--no-watch"]);
    for path in [
        "/policydash/../secret.txt",
        "/policydash/%2e%2e/secret.txt",
        "/policydash/..%2fsecret.txt",
        "/policydash/%2E%2E%2F%2E%2E%2Fsecret.txt",
        "/policydash/..%5csecret.txt",
        "/policydash/../content/site.yaml",
        "/policydash/%2e%2e/content/site.yaml",
        "/secret.txt",
        "/policydash//etc/passwd",
        "/policydash/%00",
        "/__policydash/events/../../secret.txt",
        "/__policydash/../secret.txt",
        "/__policydash/live.js/../../secret.txt",
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(
            !r.body.contains("TOP-SECRET") && !r.body.contains("base_url"),
            "{path}"
        );
    }
    // The reload endpoint's query chooses a language, never a file.
    let mut events = server.events("?lang=../../secret.txt&file=../secret.txt");
    assert_eq!(events.next().generation, 0);

    for (path, ty) in [
        (TIANJIN, "text/html; charset=utf-8"),
        ("/policydash/static/style.css", "text/css; charset=utf-8"),
        ("/policydash/data/targets.json", "application/json"),
        ("/policydash/data/targets.csv", "text/csv; charset=utf-8"),
        ("/policydash/sitemap.xml", "application/xml"),
    ] {
        let r = server.get(path);
        assert_eq!(
            (r.status, r.header("content-type")),
            (200, Some(ty)),
            "{path}"
        );
    }
    let missing = server.get("/policydash/no-such-page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("/__policydash/live.js"));
}

#[test]
fn serving_elsewhere_than_this_machine_warns() {
    let (_dir, root) = site();
    // 192.0.2.1 is reserved for documentation: binding to it fails, after the warning.
    let out = Command::new(BIN)
        .args([
            "serve",
            "--no-watch",
            "--host",
            "192.0.2.1",
            "--port",
            "0",
            "--root",
        ])
        .arg(&root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: serving on 192.0.2.1"), "{stderr}");
    assert!(!out.status.success());
}

/// (inode, modification time) of every file under `dir`, by relative path.
fn stamps(dir: &Path) -> std::collections::BTreeMap<String, (u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let m = e.metadata().unwrap();
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, (m.ino(), m.modified().unwrap()))
        })
        .collect()
}

/// The files that are not the same in `a` and `b`.
fn differing(a: &Path, b: &Path) -> Vec<String> {
    let files = |dir: &Path| -> std::collections::BTreeMap<String, Vec<u8>> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap();
                (
                    rel.to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect()
    };
    let (a, b) = (files(a), files(b));
    let paths: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    paths
        .into_iter()
        .filter(|p| a.get(*p) != b.get(*p))
        .cloned()
        .collect()
}

/// An edit for the incremental test: file, text replaced, replacement, whether the rebuild is
/// partial, files that must be rewritten, files that must not be.
type Case<'a> = (
    &'a str,
    &'a str,
    &'a str,
    bool,
    &'a [&'a str],
    &'a [&'a str],
);

#[test]
fn incremental_rebuilds_equal_full_builds_and_leave_unaffected_files_alone() {
    use policydash::serve::incremental::Rebuilder;
    use policydash::BuildOptions;
    let (dir, root) = site();
    let output = root.join("output");
    let opts = BuildOptions {
        root: root.clone(),
        output: Some(output.clone()),
        base_url: None,
    };
    let mut rebuilder = Rebuilder::new(opts);
    rebuilder
        .full()
        .unwrap_or_else(|f| panic!("{}", f.render()));
    let theme_commentary = std::fs::read_to_string(
        Path::new(common::CRATE).join("themes/default/templates/commentary.html"),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(root.join("templates/commentary.html"), &theme_commentary).unwrap();
    // Commentary that embeds a comparison: rebuilt when an edit redraws the chart.
    std::fs::write(
        root.join("content/commentary/charts.en.md"),
        "---\ntitle: \"A chart\"\nsummary: \"One comparison.\"\nlanguage: en\ntranslation: charts\n---\n\
         # A chart\n\n{{ chart(metric=\"high-skilled-share\") }}\n",
    )
    .unwrap();
    rebuilder.full().unwrap();

    // (file, from, to, partial?, rewritten, not rewritten)
    let cases: [Case; 10] = [
        (
            "content/programmes/tianjin.yaml",
            TITLE,
            "high-skilled workforce in the new era (edited)\"",
            true,
            &["programmes/tianjin/index.html", "index.html"],
            &[
                "programmes/zhuhai/index.html",
                "zh/programmes/suqian/index.html",
                "embed/programme-zhuhai/index.html",
                "metrics/apprentices-trained/index.html",
                "commentary/note/index.html",
                "commentary/charts/index.html",
            ],
        ),
        // A value moves the other places that share its metric (their standing charts), and
        // leaves the others alone.
        (
            "content/programmes/tianjin.yaml",
            "value: 35\n",
            "value: 36\n    derivation: {en: \"Edited for the test.\", zh: \"测试修改。\"}\n",
            true,
            &[
                "programmes/tianjin/index.html",
                "metrics/high-skilled-share/index.html",
                "data/targets.csv",
                "commentary/charts/index.html",
            ],
            &[
                "programmes/suqian/index.html",
                "metrics/apprentices-trained/index.html",
            ],
        ),
        // A figure's note shows on its programme's page and its metric's comparison, not on
        // the pages that list every place (made from parts kept per place: not even made).
        (
            "content/programmes/tianjin.yaml",
            "The headline of the report repeats the figure",
            "The report's headline repeats the figure",
            true,
            &[
                "programmes/tianjin/index.html",
                "metrics/skilled-share/index.html",
            ],
            &[
                "sources/index.html",
                "metrics/index.html",
                "metrics/high-skilled-share/index.html",
                "zh/metrics/skilled-share/index.html",
            ],
        ),
        // A place renamed: every page that lists it, from the parts kept per place and per
        // metric, and back.
        (
            "content/programmes/tianjin.yaml",
            "place: {en: Tianjin,",
            "place: {en: Tianjin City,",
            true,
            &[
                "sources/index.html",
                "metrics/index.html",
                "metrics/skilled-share/index.html",
            ],
            &[
                "zh/metrics/index.html",
                "metrics/apprentices-trained/index.html",
            ],
        ),
        (
            "content/programmes/tianjin.yaml",
            "place: {en: Tianjin City,",
            "place: {en: Tianjin,",
            true,
            &[
                "sources/index.html",
                "metrics/index.html",
                "metrics/skilled-share/index.html",
            ],
            &["zh/metrics/index.html", "zh/sources/index.html"],
        ),
        (
            "content/commentary/note.en.md",
            "Written for the test suite.",
            "Written for the test suite, and edited.",
            true,
            &["commentary/note/index.html", "commentary/index.html"],
            &[
                "programmes/zhuhai/index.html",
                "zh/commentary/note/index.html",
                "metrics/index.html",
            ],
        ),
        // Back to the first title: the pages it shows on come back (a page is rendered
        // again whenever what it shows differs from what it showed when last rendered).
        (
            "content/programmes/tianjin.yaml",
            "high-skilled workforce in the new era (edited)\"",
            TITLE,
            true,
            &["programmes/tianjin/index.html", "index.html"],
            &[
                "programmes/zhuhai/index.html",
                "metrics/apprentices-trained/index.html",
                "commentary/note/index.html",
            ],
        ),
        (
            "templates/commentary.html",
            "<article class=\"commentary\">",
            "<article class=\"commentary edited\">",
            true,
            &[
                "commentary/note/index.html",
                "zh/commentary/note/index.html",
            ],
            &[
                "index.html",
                "programmes/tianjin/index.html",
                "commentary/index.html",
            ],
        ),
        (
            "content/metrics.yaml",
            "Skilled talent as a share of employed persons",
            "Skilled talent as a share of all employed persons",
            false,
            &["metrics/skilled-share/index.html"],
            &[],
        ),
        (
            "content/site.yaml",
            "Skilled-talent programmes compared",
            "Skilled-talent programmes, compared",
            false,
            &["index.html"],
            &[],
        ),
    ];
    for (n, (file, from, to, partial, rewritten, kept)) in cases.into_iter().enumerate() {
        let before = dir.path().join(format!("before-{n}"));
        common::copy_all(&output, &before);
        let old = stamps(&output);
        edit(&root.join(file), from, to);
        let rebuilt = rebuilder
            .rebuild(&[root.join(file)].into())
            .unwrap_or_else(|f| panic!("{file}: {}", f.render()));
        assert_eq!(rebuilt.built.is_none(), partial, "{file}: partial rebuild");
        // The search index follows the pages (in the background, in `serve`).
        let indexed = rebuilder
            .reindex_now()
            .unwrap_or_else(|f| panic!("{file}: {}", f.render()));
        assert!(
            indexed.iter().all(|f| f.starts_with("pagefind/")),
            "{indexed:?}"
        );

        // The same output as a full build from the same previous output.
        let full = dir.path().join(format!("full-{n}"));
        common::copy_all(&before, &full);
        common::build_into(&root, &full, None);
        assert_eq!(
            common::tree_hash(&output),
            common::tree_hash(&full),
            "{file}: incremental differs from full in {:?}",
            differing(&output, &full)
        );

        let new = stamps(&output);
        for page in rewritten {
            assert_ne!(
                old.get(*page),
                new.get(*page),
                "{file}: {page} was not rewritten"
            );
        }
        for page in kept {
            assert_eq!(
                old.get(*page),
                new.get(*page),
                "{file}: {page} was rewritten"
            );
        }
        if partial {
            // Nothing whose bytes are unchanged was rewritten.
            for (path, stamp) in &old {
                // A file the rebuild removed (a search-index chunk named by its content).
                let Ok(now) = std::fs::read(output.join(path)) else {
                    assert!(!full.join(path).exists(), "{file}: {path} was removed");
                    continue;
                };
                let same = std::fs::read(before.join(path)).unwrap() == now;
                if same {
                    assert_eq!(
                        Some(stamp),
                        new.get(path),
                        "{file}: unchanged {path} was rewritten"
                    );
                }
            }
            assert_eq!(
                rebuilt.written.len() + indexed.len(),
                new.iter().filter(|(p, s)| old.get(*p) != Some(s)).count()
            );
        }
    }

    // Edits made while the content is broken are not forgotten: the build that succeeds
    // renders what all of them affect.
    let before = dir.path().join("before-broken");
    common::copy_all(&output, &before);
    let tianjin = root.join("content/programmes/tianjin.yaml");
    let note = root.join("content/commentary/note.en.md");
    edit(&tianjin, BREAK_FROM, BREAK_TO);
    assert!(rebuilder.rebuild(&[tianjin.clone()].into()).is_err());
    edit(
        &note,
        "Written for the test suite, and edited.",
        "Edited while broken.",
    );
    assert!(rebuilder.rebuild(&[note.clone()].into()).is_err());
    edit(&tianjin, BREAK_TO, BREAK_FROM);
    let rebuilt = rebuilder.rebuild(&[tianjin].into()).unwrap();
    assert!(rebuilt.built.is_none());
    rebuilder.reindex_now().unwrap();
    let full = dir.path().join("full-broken");
    common::copy_all(&before, &full);
    common::build_into(&root, &full, None);
    assert_eq!(common::tree_hash(&output), common::tree_hash(&full));
    assert!(
        std::fs::read_to_string(output.join("commentary/note/index.html"))
            .unwrap()
            .contains("Edited while broken.")
    );
}

#[test]
fn pages_keep_answering_from_the_last_good_site_while_rebuilds_run() {
    let (_dir, root) = site();
    let server = serve(&root, &[]);
    let mut events = server.events("");
    assert_eq!(events.next().generation, 0);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = [TIANJIN, "/policydash/data/targets.csv"]
        .into_iter()
        .map(|path| {
            let (addr, stop) = (server.addr.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut answers = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let r = request(&addr, "GET", path);
                    assert_eq!(r.status, 200, "{path} during a rebuild");
                    if path.ends_with('/') {
                        assert!(
                            r.body.trim_end().ends_with("</html>"),
                            "{path} half-written"
                        );
                    }
                    answers += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                answers
            })
        })
        .collect();
    // Full builds (site.yaml) swap the whole output folder; partial ones replace files. A
    // build may read a file the test is still writing and fail: it is the next good build
    // that is waited for (the readers above fail on any 404 or half-written page meanwhile).
    let site_yaml = root.join("content/site.yaml");
    let tianjin = root.join("content/programmes/tianjin.yaml");
    let good = |after: u64| move |s: &serving::State| s.error.is_none() && s.generation > after;
    let mut seen = 0;
    for n in 1..=2u64 {
        let (from, to) = match n % 2 {
            1 => ("programmes compared\"", "programmes compared \""),
            _ => ("programmes compared \"", "programmes compared\""),
        };
        edit(&site_yaml, from, to);
        let full = events.until(good(seen)).generation;
        edit(&tianjin, TITLE, &TITLE.replace("era", "era!"));
        edit(&tianjin, "era!", "era");
        seen = events.until(good(full)).generation;
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let answers: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    assert!(answers > 0);
}
