//! The site as a reader's browser gets it: builds the real content/, serves it with
//! `policydash::serve::Server` under a sub-path, and runs tests/browser/check.mjs against it
//! (Chromium via playwright-core, axe-core, the Nu HTML Checker). See tests/browser/check.mjs
//! for what fails a page.
//!
//! Needs node, Debian's Chromium, Java and `npm ci --ignore-scripts --prefix tests/browser`.
//! Without them the test is skipped on a developer's machine and fails under CI (CI set).

use policydash::serve::Server;
use policydash::BuildOptions;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Not the path in content/site.yaml: every URL on every page must follow the base URL, and a
/// page that ignores it loads nothing here and fails.
const BASE_URL: &str = "https://example.org/browser/check/";
const PREFIX: &str = "/browser/check/";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// What is missing to run the browser check, if anything.
fn missing(harness: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    if !runs("node", "--version") {
        missing.push("node (apt-get install -y nodejs)".to_string());
    }
    let chromium = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).is_file() {
        missing.push(format!("{chromium} (apt-get install -y chromium)"));
    }
    if !runs("java", "-version") {
        missing.push("java (apt-get install -y openjdk-17-jre-headless)".to_string());
    }
    for package in ["playwright-core", "axe-core", "vnu-jar"] {
        if !harness.join("node_modules").join(package).is_dir() {
            missing.push(format!(
                "tests/browser/node_modules/{package} (npm ci --ignore-scripts --prefix tests/browser)"
            ));
        }
    }
    missing
}

/// The harness folder, or None (after saying why) when the test is to be skipped.
fn harness() -> Option<PathBuf> {
    let harness = root().join("tests/browser");
    let missing = missing(&harness);
    if missing.is_empty() {
        return Some(harness);
    }
    let list = missing.join("\n  ");
    if std::env::var_os("CI").is_some() {
        panic!("the browser check cannot run; missing:\n  {list}\n(see .ci/needs-browser.txt)");
    }
    println!("skipped: the browser check needs\n  {list}");
    eprintln!("skipped: browser check (missing: {})", missing.join("; "));
    None
}

#[test]
fn every_page_passes_the_browser_check() {
    let Some(harness) = harness() else { return };

    let tmp = tempfile::tempdir().expect("temp folder");
    let out = tmp.path().join("site");
    let opts = BuildOptions {
        root: root(),
        output: Some(out.clone()),
        base_url: Some(BASE_URL.into()),
    };
    if let Err(f) = policydash::build(&opts) {
        panic!("the real content does not build:\n{}", f.render());
    }
    let server = Server::start(out.clone(), PREFIX.into(), "127.0.0.1:0").expect("start server");
    let url = format!("http://{}{PREFIX}", server.addr);

    let result = Command::new("node")
        .arg(harness.join("check.mjs"))
        .arg(&out)
        .arg(PREFIX)
        .arg("--url")
        .arg(&url)
        .current_dir(&harness)
        .output()
        .expect("run node tests/browser/check.mjs");
    drop(server);
    let stdout = String::from_utf8_lossy(&result.stdout);
    let stderr = String::from_utf8_lossy(&result.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        result.status.success(),
        "the browser check failed ({}):\n{stdout}\n{stderr}",
        result.status
    );
    assert!(
        stdout.contains("browser check: all pages passed"),
        "the browser check exited 0 without saying every page passed:\n{stdout}"
    );
}

/// Every embed page, framed by the snippet it suggests, at 320 and 680 px: with the host
/// script the frame takes the posted height; without it (hosts that strip scripts) the
/// default height holds everything. See tests/browser/embeds.mjs.
#[test]
fn every_embed_fits_its_frame_at_320_and_680_px() {
    let Some(harness) = harness() else { return };
    let tmp = tempfile::tempdir().expect("temp folder");
    let out = tmp.path().join("site");
    let opts = BuildOptions {
        root: root(),
        output: Some(out.clone()),
        base_url: Some(BASE_URL.into()),
    };
    let built = policydash::build(&opts).unwrap_or_else(|f| panic!("{}", f.render()));
    let embeds = walkdir::WalkDir::new(&out)
        .into_iter()
        .flatten()
        .filter(|e| {
            let p = e.path().to_string_lossy().replace('\\', "/");
            p.contains("/embed/") && p.ends_with("/index.html")
        })
        .count();
    assert!(
        embeds >= 30,
        "only {embeds} embed pages in {} files",
        built.files
    );
    let result = Command::new("node")
        .arg(harness.join("embeds.mjs"))
        .arg(&out)
        .arg(PREFIX)
        .arg(BASE_URL)
        .current_dir(&harness)
        .output()
        .expect("run node tests/browser/embeds.mjs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    println!("{stdout}");
    assert!(
        result.status.success(),
        "embeds do not fit ({}):\n{stdout}\n{}",
        result.status,
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(
        stdout.contains(&format!(
            "embeds: all {embeds} embed pages fit their frames at 320 and 680 px"
        )),
        "{stdout}"
    );
}

/// An embed whose suggested height is too small, and which posts no height: the embed check
/// must fail and say the content is cut off, with and without the host script.
#[test]
fn the_embed_check_catches_a_frame_too_small() {
    let Some(harness) = harness() else { return };
    let tmp = tempfile::tempdir().expect("temp folder");
    let site = tmp.path();
    std::fs::create_dir_all(site.join("embed/tall")).unwrap();
    std::fs::write(
        site.join("embed/tall/index.html"),
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tall</title></head>\
             <body style=\"margin:0\"><div style=\"height:600px\">a tall chart</div>\
             <pre><code>&lt;iframe src=&quot;{BASE_URL}embed/tall/&quot; title=&quot;Tall&quot; \
             width=&quot;100%&quot; height=&quot;200&quot; style=&quot;border:0&quot;&gt;&lt;/iframe&gt;</code></pre>\
             </body></html>\n"
        ),
    )
    .unwrap();
    let result = Command::new("node")
        .arg(harness.join("embeds.mjs"))
        .arg(site)
        .arg(PREFIX)
        .arg(BASE_URL)
        .current_dir(&harness)
        .output()
        .expect("run node tests/browser/embeds.mjs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert_eq!(result.status.code(), Some(1), "{stdout}");
    for expected in [
        "embed/tall/index.html [320px, no script]: content",
        "embed/tall/index.html [680px, no script]: content",
        "embed/tall/index.html [320px, script]:",
    ] {
        assert!(
            stdout.contains(expected),
            "the report lacks {expected:?}:\n{stdout}"
        );
    }
}

/// A page with one of each fault the check is there to catch, and one clean page: the check
/// must fail, name every fault, and leave the clean page alone. Uses the check's own server.
#[test]
fn the_browser_check_catches_each_kind_of_fault() {
    let Some(harness) = harness() else { return };
    let tmp = tempfile::tempdir().expect("temp folder");
    let site = tmp.path();
    let page = |lang: &str, title: &str, body: &str| {
        format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>\n"
        )
    };
    std::fs::create_dir_all(site.join("good")).unwrap();
    std::fs::write(
        site.join("good/index.html"),
        page("zh-Hans", "好", "<p>没有问题。</p>"),
    )
    .unwrap();
    std::fs::write(
        site.join("index.html"),
        page(
            "en",
            "Faults",
            concat!(
                "<img src=\"https://example.com/tracker.png\" alt=\"tracker\">",
                "<script>console.error('deliberate console error');</script>",
                "<div style=\"width: 700px\">far too wide for a phone</div>",
                "<p style=\"color: #c8c8c8\">text too faint to read</p>",
                "<p id=\"twice\">one</p><p id=\"twice\">two</p>",
            ),
        ),
    )
    .unwrap();

    let result = Command::new("node")
        .arg(harness.join("check.mjs"))
        .arg(site)
        .arg("/sub/")
        .current_dir(&harness)
        .output()
        .expect("run node tests/browser/check.mjs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    println!("{stdout}");
    assert_eq!(
        result.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    for expected in [
        "request to another site: https://example.com/tracker.png",
        "console error: deliberate console error",
        "[390px] page scrolls sideways",
        "axe serious color-contrast",
        "[vnu]",
        "Duplicate ID",
        "Checked 2 pages (1 en, 1 zh-Hans)",
    ] {
        assert!(
            stdout.contains(expected),
            "the report lacks {expected:?}:\n{stdout}"
        );
    }
    // The clean page is not in the list of failed files.
    assert!(!stdout.contains("\ngood/index.html"), "{stdout}");
    assert!(stdout.contains("\nindex.html"), "{stdout}");
}
