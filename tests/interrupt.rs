//! Interrupted builds (issue 9, item 6): real builds of the binary are killed with SIGKILL at
//! each step of writing and swapping (the binary pauses there when `POLICYDASH_TEST_PAUSE`
//! names the step) and at spread-out times. After each kill the output must be complete, the
//! previous site or the new one byte for byte, and the next build must succeed and leave
//! nothing beside the output.

#![cfg(unix)]

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const OLD: &str = "https://old.example.org/site/";
const NEW: &str = "https://new.example.org/site/";

fn build(site: &Path, base: &str) {
    let out = run(&[
        "build",
        "--root",
        site.to_str().unwrap(),
        "--base-url",
        base,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

fn spawn(site: &Path, base: &str, pause: Option<&str>) -> Child {
    let mut cmd = Command::new(BIN);
    cmd.args([
        "build",
        "--root",
        site.to_str().unwrap(),
        "--base-url",
        base,
    ])
    .env("NO_COLOR", "1")
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    if let Some(point) = pause {
        cmd.env("POLICYDASH_TEST_PAUSE", point);
    }
    cmd.spawn().unwrap()
}

/// Waits until the build says it paused at `point` (at most 60 s).
fn wait_for_pause(child: &mut Child, point: &str) {
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let want = format!("policydash: paused at {point}");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains(&want) {
                let _ = tx.send(());
            }
        }
    });
    if rx.recv_timeout(Duration::from_secs(60)).is_err() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the build never paused at {point}");
    }
}

fn kill(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A site whose output was built with the OLD base URL, and the hashes of a complete output
/// for OLD and NEW (each built over the other, so the change report reads "unchanged").
fn setup(dir: &Path) -> (PathBuf, String, String) {
    let site = make_site(dir);
    build(&site, OLD);
    build(&site, NEW);
    let new_hash = tree_hash(&site.join("output"));
    build(&site, OLD);
    let old_hash = tree_hash(&site.join("output"));
    assert_ne!(old_hash, new_hash);
    (site, old_hash, new_hash)
}

/// After a kill: the output is one of the two complete sites; the next build succeeds,
/// removes what the killed one left and leaves the new site. Then resets the output to OLD.
fn check_and_recover(site: &Path, old: &str, new: &str, moment: &str) -> String {
    let output = site.join("output");
    let after_kill = tree_hash(&output);
    assert!(
        after_kill == old || after_kill == new,
        "killed at {moment}: the output is neither the previous site nor the new one"
    );
    build(site, NEW);
    assert_eq!(tree_hash(&output), new, "killed at {moment}: next build");
    assert!(
        leftovers(site).is_empty(),
        "killed at {moment}: the next build left {:?}",
        leftovers(site)
    );
    build(site, OLD);
    after_kill
}

#[test]
fn a_build_killed_at_each_step_leaves_a_complete_output_and_no_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let (site, old, new) = setup(dir.path());
    for (point, expect_new) in [
        ("writing", false),
        ("staged", false),
        ("swapped", true),
        ("removing", true),
    ] {
        let mut child = spawn(&site, NEW, Some(point));
        wait_for_pause(&mut child, point);
        kill(child);
        assert!(
            !leftovers(&site).is_empty(),
            "killed at {point}: nothing was left beside the output, so nothing is tested"
        );
        let after_kill = check_and_recover(&site, &old, &new, point);
        let want = if expect_new { &new } else { &old };
        assert_eq!(&after_kill, want, "killed at {point}");
    }
}

#[test]
fn builds_killed_at_spread_out_times_leave_a_complete_output() {
    let dir = tempfile::tempdir().unwrap();
    let (site, old, new) = setup(dir.path());
    let started = Instant::now();
    build(&site, NEW);
    let took = started.elapsed();
    build(&site, OLD);
    // From early in the build to past its usual end, where the swap happens.
    let mut outcomes = Vec::new();
    for i in 1..=10u32 {
        let child = spawn(&site, NEW, None);
        std::thread::sleep(took * i / 7);
        kill(child);
        let left = !leftovers(&site).is_empty();
        let after = check_and_recover(&site, &old, &new, &format!("{i}/7 of a build"));
        outcomes.push((left, after == new));
    }
    eprintln!(
        "(something left beside the output, new output in place) after each kill: {outcomes:?}"
    );
}

/// A second build into the same output waits for the first one instead of removing its
/// staging folder; once the first is gone, it cleans up after it.
#[test]
fn a_concurrent_build_waits_and_then_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let (site, _old, new) = setup(dir.path());
    let mut first = spawn(&site, NEW, Some("staged"));
    wait_for_pause(&mut first, "staged");
    let staging = leftovers(&site);
    assert_eq!(staging.len(), 1, "{staging:?}");
    let mut second = spawn(&site, NEW, None);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        second.try_wait().unwrap().is_none(),
        "the second build did not wait"
    );
    assert!(
        site.join(&staging[0]).is_dir(),
        "the running build's staging folder was removed"
    );
    kill(first);
    let status = second.wait().unwrap();
    assert!(status.success());
    assert_eq!(tree_hash(&site.join("output")), new);
    assert!(leftovers(&site).is_empty(), "{:?}", leftovers(&site));
}
