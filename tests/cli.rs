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
