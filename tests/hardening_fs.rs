//! Hostile files, links out of the site, base URLs and output folders (issue 9, items 2, 3
//! and 9). Every refused case asserts: exit status 1, no panic, the file or option named,
//! the previous output byte-for-byte unchanged, and nothing from a file outside the site in
//! stderr. Runs are capped in time and address space, so a regression fails instead of
//! hanging the suite or eating the machine's memory.

#![cfg(unix)]

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Text that only the files outside the site hold: it must never reach stderr.
const SECRET: &str = "TOP-SECRET-7f3a9c";

/// A site in `dir/site`, built so that each case can check that its output is unchanged.
/// Built twice: the second build's change report ("unchanged") is what every later good
/// build writes too.
fn built_site(dir: &Path) -> (PathBuf, String) {
    let site = make_site(dir);
    for _ in 0..2 {
        let (out, err) = run_on("build", &site);
        assert!(out.status.success(), "{err}");
    }
    let hash = tree_hash(&site.join("output"));
    (site, hash)
}

/// Runs `policydash build --root SITE` with `extra` arguments and `env`, at most 60 s and with
/// 4 GB of address space; a run that needs longer is killed and reported as such.
fn build_capped(site: &Path, extra: &[&str], env: &[(&str, &str)]) -> (Output, bool) {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -v 4194304; exec \"$0\" \"$@\"")
        .arg(BIN)
        .args(["build", "--root"])
        .arg(site)
        .args(extra)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    let mut timed_out = false;
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            timed_out = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().unwrap(), timed_out)
}

/// Asserts what every refused build must show.
fn assert_refused(
    what: &str,
    (out, timed_out): &(Output, bool),
    site: &Path,
    hash: &str,
    expect: &[&str],
) {
    assert!(!timed_out, "{what}: the build hung and was killed");
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    for want in expect {
        assert!(err.contains(want), "{what}: stderr lacks {want:?}: {err}");
    }
    assert!(
        !err.contains(SECRET),
        "{what}: a secret reached stderr: {err}"
    );
    assert!(
        !err.contains("root:x:0:0"),
        "{what}: /etc/passwd reached stderr"
    );
    assert_eq!(
        tree_hash(&site.join("output")),
        hash,
        "{what}: output changed"
    );
    assert!(leftovers(site).is_empty(), "{what}: {:?}", leftovers(site));
}

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let ok = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(ok.success());
}

fn link(target: impl AsRef<Path>, at: &Path) {
    let _ = std::fs::remove_file(at);
    std::os::unix::fs::symlink(target, at).unwrap();
}

/// Special files as content: devices and FIFOs are refused by name, quickly, without being
/// read (today `site.yaml` → /dev/zero reads until memory runs out, and a FIFO waits forever).
#[test]
fn special_files_in_content_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (site, hash) = built_site(dir.path());
    type Make<'a> = &'a dyn Fn(&Path);
    let cases: [(&str, &str, Make); 4] = [
        ("content/site.yaml", "a device", &|p| link("/dev/zero", p)),
        ("content/metrics.yaml", "a device", &|p| {
            link("/dev/urandom", p)
        }),
        ("content/site.yaml", "a named pipe (FIFO)", &mkfifo),
        (
            "content/programmes/tianjin.yaml",
            "a named pipe (FIFO)",
            &mkfifo,
        ),
    ];
    for (file, kind, make) in cases {
        let path = site.join(file);
        let saved = std::fs::read(&path).unwrap();
        make(&path);
        let result = build_capped(&site, &[], &[]);
        assert_refused(file, &result, &site, &hash, &[file, kind]);
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, saved).unwrap();
    }
}

/// A theme's `strings.yaml` or a template override that is a FIFO is refused the same way.
#[test]
fn special_files_in_themes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (site, hash) = built_site(dir.path());
    copy_all(
        &Path::new(CRATE).join("themes/default"),
        &site.join("themes/mine"),
    );
    let site_yaml = site.join("content/site.yaml");
    let text = std::fs::read_to_string(&site_yaml).unwrap();
    std::fs::write(&site_yaml, text.replace("theme: default", "theme: mine")).unwrap();
    mkfifo(&site.join("themes/mine/strings.yaml"));
    let result = build_capped(&site, &[], &[]);
    assert_refused(
        "strings.yaml",
        &result,
        &site,
        &hash,
        &["themes/mine/strings.yaml", "a named pipe (FIFO)"],
    );

    std::fs::write(&site_yaml, text).unwrap();
    std::fs::create_dir_all(site.join("templates")).unwrap();
    mkfifo(&site.join("templates/home.html"));
    let result = build_capped(&site, &[], &[]);
    assert_refused(
        "templates/home.html",
        &result,
        &site,
        &hash,
        &["templates/home.html", "a named pipe (FIFO)"],
    );
}

/// A content file that links out of the site is refused and named; the file it points to is
/// never read, so no line of it can appear in a message (today a link to a YAML-looking file
/// is parsed and its text is shown in the error).
#[test]
fn links_out_of_the_site_are_refused_without_their_contents() {
    let dir = tempfile::tempdir().unwrap();
    let (site, hash) = built_site(dir.path());
    let secret = dir.path().join("secret.yaml");
    std::fs::write(&secret, format!("password: {SECRET}\nid: x\n")).unwrap();
    let cases = [
        ("content/programmes/leak.yaml", secret.clone()),
        (
            "content/programmes/passwd.yaml",
            PathBuf::from("/etc/passwd"),
        ),
        (
            "content/programmes/environ.yaml",
            PathBuf::from("/proc/self/environ"),
        ),
        ("content/commentary/leak.en.md", secret.clone()),
        ("content/site.yaml", secret.clone()),
    ];
    for (file, target) in cases {
        let path = site.join(file);
        let saved = std::fs::read(&path).ok();
        link(&target, &path);
        let result = build_capped(&site, &[], &[("PD_SECRET_ENV", SECRET)]);
        assert_refused(
            file,
            &result,
            &site,
            &hash,
            &[file, "outside the site folder"],
        );
        std::fs::remove_file(&path).unwrap();
        if let Some(bytes) = saved {
            std::fs::write(&path, bytes).unwrap();
        }
    }
    // A link that stays inside the site is read as before.
    std::fs::rename(
        site.join("content/programmes/tianjin.yaml"),
        site.join("tianjin-data.yaml"),
    )
    .unwrap();
    link(
        "../../tianjin-data.yaml",
        &site.join("content/programmes/tianjin.yaml"),
    );
    let (out, err) = run_on("build", &site);
    assert!(out.status.success(), "{err}");
    assert_eq!(tree_hash(&site.join("output")), hash);
}

/// `--previous` gets the same limits: a device or FIFO is refused at once, and a JSON file
/// of the wrong shape is named without quoting it (serde_json's message would).
#[test]
fn previous_data_is_read_with_the_same_limits() {
    let dir = tempfile::tempdir().unwrap();
    let (site, hash) = built_site(dir.path());
    let fifo = dir.path().join("fifo.json");
    mkfifo(&fifo);
    let secret = dir.path().join("secret.json");
    std::fs::write(&secret, format!("{{\"targets\": \"{SECRET}\"}}")).unwrap();
    let not_json = dir.path().join("secret.txt");
    std::fs::write(&not_json, format!("{SECRET} is not JSON\n")).unwrap();
    for (previous, expect) in [
        (PathBuf::from("/dev/zero"), "a device"),
        (fifo, "a named pipe (FIFO)"),
        (secret, "not the list of targets"),
        (not_json, "not valid JSON"),
    ] {
        let result = build_capped(&site, &["--previous", previous.to_str().unwrap()], &[]);
        assert_refused(
            previous.to_str().unwrap(),
            &result,
            &site,
            &hash,
            &["--previous", expect],
        );
    }
}

/// A corrupt `data/targets.json` in the previous output is a warning, and the change report
/// does not call the build a first build (today it does, silently).
#[test]
fn a_corrupt_previous_output_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (site, _) = built_site(dir.path());
    std::fs::write(site.join("output/data/targets.json"), "{\"targets\": [1,").unwrap();
    let (out, err) = run_on("build", &site);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("data/targets.json"), "{err}");
    assert!(err.contains("is not a targets.json"), "{err}");
    assert!(!text.contains("first build"), "{text}");
    assert!(text.contains("could not be read"), "{text}");
    // The build replaced it: the next report compares again.
    let (out, _) = run_on("build", &site);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the published data is unchanged"), "{text}");
}

/// Base URLs that a URL parser would silently repair, or that would inject lines into
/// robots.txt, are refused by name; the output is untouched.
#[test]
fn bad_base_urls_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (site, hash) = built_site(dir.path());
    for bad in [
        "https://example.org/x\nDisallow:/",
        "https://example.org/x\rDisallow:/",
        "https://example.org/\u{1b}[31m/",
        "https://example.org/a/../b/",
        "https://example.org/./b/",
        "https://example.org/a/%2e%2e/",
        "https://example.org:99999/",
        "https://example.org:0/",
        "https://exa_mple.org/",
        "https://ex..ample.org/",
        "https:///example.org/",
    ] {
        let result = build_capped(&site, &["--base-url", bad], &[]);
        assert_refused(&format!("{bad:?}"), &result, &site, &hash, &["--base-url"]);
    }
    // The same in site.yaml names the file and the field.
    let site_yaml = site.join("content/site.yaml");
    let text = std::fs::read_to_string(&site_yaml).unwrap();
    std::fs::write(
        &site_yaml,
        text.replace(
            "base_url: \"https://example.github.io/policydash/\"",
            "base_url: \"https://example.github.io/policydash/\\nDisallow: /\"",
        ),
    )
    .unwrap();
    let result = build_capped(&site, &[], &[]);
    assert_refused(
        "site.yaml",
        &result,
        &site,
        &hash,
        &["content/site.yaml:", "base_url", "a line break"],
    );
}

/// A non-ASCII base path is percent-encoded wherever an absolute URL is written: sitemap,
/// robots.txt, feeds, canonical links, permalinks in the data.
#[test]
fn non_ascii_base_paths_are_percent_encoded() {
    let (_dir, site) = temp_site();
    let out = run(&[
        "build",
        "--root",
        site.to_str().unwrap(),
        "--base-url",
        "https://Example.org/政策/",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let output = site.join("output");
    let encoded = "https://example.org/%E6%94%BF%E7%AD%96/";
    let sitemap = std::fs::read_to_string(output.join("sitemap.xml")).unwrap();
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap())
        .collect();
    assert!(!locs.is_empty());
    for loc in &locs {
        assert!(loc.is_ascii() && loc.starts_with(encoded), "{loc}");
    }
    let robots = std::fs::read_to_string(output.join("robots.txt")).unwrap();
    assert!(
        robots.contains(&format!("Sitemap: {encoded}sitemap.xml\n")),
        "{robots}"
    );
    assert_eq!(robots.lines().count(), 3, "{robots}");
    let feed = std::fs::read_to_string(output.join("feed.xml")).unwrap();
    assert!(!feed.contains("https://example.org/政策"), "{feed}");
    assert!(feed.contains(encoded));
    let home = std::fs::read_to_string(output.join("index.html")).unwrap();
    assert!(
        home.contains(&format!("rel=\"canonical\" href=\"{encoded}\"")),
        "no encoded canonical link"
    );
    let data = std::fs::read_to_string(output.join("data/targets.json")).unwrap();
    assert!(!data.contains("example.org/政策"));
}

/// Output folders the site reads from are refused, also when reached through a link: today
/// `--output c2/newout` with `c2` a link to content/ writes the site into content/, and
/// `--output templates` is accepted and breaks the next build.
#[test]
fn output_folders_the_site_reads_are_refused_through_links() {
    let dir = tempfile::tempdir().unwrap();
    let (site, hash) = built_site(dir.path());
    std::fs::create_dir_all(site.join("templates")).unwrap();
    link(site.join("content"), &site.join("c2"));
    link(&site, &dir.path().join("site-link"));
    let content_hash = tree_hash(&site.join("content"));
    let root = site.to_str().unwrap();
    for (output, why) in [
        (site.join("c2/newout"), "inside content/"),
        (site.join("c2"), "inside content/"),
        (site.join("templates"), "inside templates/"),
        (site.join("templates/out"), "inside templates/"),
        (site.join("themes/out"), "inside themes/"),
        (site.join("static"), "inside static/"),
        (dir.path().join("site-link/content/x"), "inside content/"),
        (dir.path().join("site-link"), "site folder"),
        (
            Path::new(CRATE).join("themes/default/out"),
            "policydash's own themes/",
        ),
    ] {
        let result = build_capped(&site, &["--output", output.to_str().unwrap()], &[]);
        let what = output.display().to_string();
        assert_refused(
            &what,
            &result,
            &site,
            &hash,
            &["--output", "refusing to write the site", why],
        );
        assert_eq!(tree_hash(&site.join("content")), content_hash, "{what}");
    }
    assert!(!site.join("content/newout").exists());
    assert_eq!(
        std::fs::read_dir(site.join("templates")).unwrap().count(),
        0
    );
    // A link to a folder of its own is followed: the site is written where it points.
    let public = dir.path().join("public");
    link(&public, &dir.path().join("public-link"));
    std::fs::create_dir(&public).unwrap();
    let out = run(&[
        "build",
        "--root",
        root,
        "--output",
        dir.path().join("public-link").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(public.join("index.html").is_file());
    assert!(dir.path().join("public-link").is_symlink());
    assert!(leftovers(dir.path()).is_empty());
}
