//! The site as a reader's browser gets it: builds the real content/, serves it with
//! `policydash::serve::Server` under a sub-path, and runs tests/browser/check.mjs against it
//! (Chromium via playwright-core, axe-core, the Nu HTML Checker). See tests/browser/check.mjs
//! for what fails a page.
//!
//! Needs node, Debian's Chromium, Java and `npm ci --ignore-scripts --prefix tests/browser`.
//! Without them the test is skipped on a developer's machine and fails under CI (CI set).

mod common;

use common::browser::{harness, node};
use common::{build_into, CRATE};
use policydash::serve::Server;
use std::path::{Path, PathBuf};

/// Not the path in content/site.yaml: every URL on every page must follow the base URL, and a
/// page that ignores it loads nothing here and fails.
const BASE_URL: &str = "https://example.org/browser/check/";
const PREFIX: &str = "/browser/check/";

/// A temporary folder, and the real content built into its `site` folder under `BASE_URL`.
fn real_site_built() -> (tempfile::TempDir, PathBuf, policydash::Built) {
    let tmp = tempfile::tempdir().expect("temp folder");
    let out = tmp.path().join("site");
    let built = build_into(Path::new(CRATE), &out, Some(BASE_URL));
    (tmp, out, built)
}

#[test]
fn every_page_passes_the_browser_check() {
    let Some(harness) = harness() else { return };
    let (_tmp, out, _) = real_site_built();
    let server = Server::start(out.clone(), PREFIX.into(), "127.0.0.1:0").expect("start server");
    let url = format!("http://{}{PREFIX}", server.addr);
    let run = node(
        &harness,
        &["check.mjs", out.to_str().unwrap(), PREFIX, "--url", &url],
    );
    drop(server);
    run.assert_passed("browser check: all pages passed");
}

/// Every embed page, framed by the snippet it suggests, at 320 and 680 px: with the host
/// script the frame takes the posted height; without it (hosts that strip scripts) the
/// default height holds everything. See tests/browser/embeds.mjs.
#[test]
fn every_embed_fits_its_frame_at_320_and_680_px() {
    let Some(harness) = harness() else { return };
    let (_tmp, out, built) = real_site_built();
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
    node(
        &harness,
        &["embeds.mjs", out.to_str().unwrap(), PREFIX, BASE_URL],
    )
    .assert_passed(&format!(
        "embeds: all {embeds} embed pages fit their frames at 320 and 680 px"
    ));
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
    node(
        &harness,
        &["embeds.mjs", site.to_str().unwrap(), PREFIX, BASE_URL],
    )
    .assert_failed_with(&[
        "embed/tall/index.html [320px, no script]: content",
        "embed/tall/index.html [680px, no script]: content",
        "embed/tall/index.html [320px, script]:",
    ]);
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

    let run = node(&harness, &["check.mjs", site.to_str().unwrap(), "/sub/"]);
    run.assert_failed_with(&[
        "request to another site: https://example.com/tracker.png",
        "console error: deliberate console error",
        "[390px] page scrolls sideways",
        "axe serious color-contrast",
        "[vnu]",
        "Duplicate ID",
        "Checked 2 pages (1 en, 1 zh-Hans)",
    ]);
    let stdout = &run.stdout;
    // The clean page is not in the list of failed files.
    assert!(!stdout.contains("\ngood/index.html"), "{stdout}");
    assert!(stdout.contains("\nindex.html"), "{stdout}");
}

/// A site of 300 places: the home page, comparison pages and a programme page pass the browser
/// check at 1280 and 390 px, and choosing two places on a comparison page shows just those in
/// the chart and the table, also after a reload of the address.
#[test]
fn three_hundred_places_and_the_place_picker() {
    let Some(harness) = harness() else { return };
    let tmp = tempfile::tempdir().expect("temp folder");
    policydash::synth::generate(Path::new(CRATE), tmp.path(), 300)
        .expect("generate 300 programmes");
    let out = tmp.path().join("site");
    build_into(tmp.path(), &out, Some(BASE_URL));
    let server = Server::start(out.clone(), PREFIX.into(), "127.0.0.1:0").expect("start server");
    let url = format!("http://{}{PREFIX}metrics/skilled-share/", server.addr);
    node(&harness, &["picker.mjs", &url]).assert_passed("picker: passed");
    drop(server);
    // The check serves the folder itself.
    node(
        &harness,
        &[
            "check.mjs",
            out.to_str().unwrap(),
            PREFIX,
            "--only",
            r"^(zh/)?(index\.html|metrics/(skilled-share|craftsman-tiers)/index\.html|programmes/suqian-16/index\.html|embed/metric-skilled-share/index\.html)$",
        ],
    )
    .assert_passed("browser check: all pages passed");
}
