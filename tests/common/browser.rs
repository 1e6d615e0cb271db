//! The browser harness in tests/browser (node scripts that drive Debian's Chromium, axe-core
//! and the Nu HTML Checker) for the tests that use it: finding it, knowing whether it can run
//! here, and running one of its scripts.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

/// The harness folder, or None (after saying what is missing) when the test that asks is to
/// be skipped on this machine. Under CI (CI set) a missing tool fails the test instead.
pub fn harness() -> Option<PathBuf> {
    let harness = Path::new(super::CRATE).join("tests/browser");
    let missing = missing(&harness);
    if missing.is_empty() {
        return Some(harness);
    }
    let list = missing.join("\n  ");
    if std::env::var_os("CI").is_some() {
        panic!("the browser harness cannot run; missing:\n  {list}\n(see tests/browser/README.md)");
    }
    eprintln!("skipped: the browser harness needs\n  {list}");
    None
}

/// What is missing to run the harness, each with how to install it.
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

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// What a harness script did.
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `node ARGS` in the harness folder (so a script is named by its file name) and prints
/// what the script printed, for the report of a failing test.
pub fn node(harness: &Path, args: &[&str]) -> Run {
    let out = Command::new("node")
        .args(args)
        .current_dir(harness)
        .output()
        .unwrap_or_else(|e| panic!("node {args:?}: {e}"));
    let run = Run {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    println!("{}", run.stdout);
    eprintln!("{}", run.stderr);
    run
}

impl Run {
    /// Asserts that the script succeeded and printed `passed`, its line saying all passed.
    pub fn assert_passed(&self, passed: &str) {
        let Run {
            status,
            stdout,
            stderr,
        } = self;
        assert!(status.success(), "failed ({status}):\n{stdout}\n{stderr}");
        assert!(
            stdout.contains(passed),
            "exited 0 without printing {passed:?}:\n{stdout}"
        );
    }

    /// Asserts that the script failed (exit status 1) and that its report names each of
    /// `faults`.
    pub fn assert_failed_with(&self, faults: &[&str]) {
        let Run { stdout, stderr, .. } = self;
        assert_eq!(self.status.code(), Some(1), "{stdout}\n{stderr}");
        for fault in faults {
            assert!(
                stdout.contains(fault),
                "the report lacks {fault:?}:\n{stdout}"
            );
        }
    }
}
