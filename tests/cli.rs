//! The command line around a build: `--timings`, and no progress display when the output is
//! not a terminal.

mod common;

#[test]
fn timings_name_every_stage_and_piped_builds_show_no_progress() {
    let dir = tempfile::tempdir().unwrap();
    let site = common::make_site(dir.path());
    let out = common::run(&["build", "--root", site.to_str().unwrap(), "--timings"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for stage in [
        "load",
        "validate",
        "theme",
        "charts",
        "downloads",
        "pages",
        "search",
        "write",
    ] {
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(stage))
            .unwrap_or_else(|| panic!("no {stage} line in:\n{stdout}"));
        let seconds: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        assert!(seconds >= 0.0, "{line}");
    }
    // Piped, as here: nothing but the report, no spinner.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("files written"), "{stderr}");
    // Without the flag, no stage lines.
    let out = common::run(&["build", "--root", site.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.lines().any(|l| l.trim_start().starts_with("pages ")),
        "{stdout}"
    );
}

/// `policydash build | head -0`: the reader has gone before the report is printed. The build
/// still succeeds, with no panic, and the site is written.
#[test]
fn a_reader_that_goes_away_does_not_fail_the_build() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let site = common::make_site(dir.path());
    let mut child = Command::new(common::BIN)
        .args(["build", "--root", site.to_str().unwrap(), "--timings"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before the build can have printed anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(site.join("output/index.html").is_file());
}
