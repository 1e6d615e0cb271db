//! Rebuilds reuse the previous output's unchanged files (issue 11, item 5): a file whose bytes
//! equal the previous output's is hard-linked into the staging folder instead of written, so a
//! rebuild makes new files only for what changed. The output stays byte for byte what a build
//! from nothing makes, every file in it has one name, and a build killed after linking leaves
//! the previous output as it was.

#![cfg(unix)]

mod common;

use common::*;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Every file of `out`: its inode, its number of names and its bytes, by path. The marker
/// file is left out: every build writes it first, new, to learn what a new file looks like.
fn files(out: &Path) -> BTreeMap<String, (u64, u64, Vec<u8>)> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file() && e.file_name() != policydash::write::MARKER)
        .map(|e| {
            let meta = e.metadata().unwrap();
            let rel = e.path().strip_prefix(out).unwrap();
            let bytes = std::fs::read(e.path()).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                (meta.ino(), meta.nlink(), bytes),
            )
        })
        .collect()
}

fn assert_one_name_each(files: &BTreeMap<String, (u64, u64, Vec<u8>)>) {
    for (path, (_, names, _)) in files {
        assert_eq!(*names, 1, "{path} has {names} names");
    }
}

#[test]
fn a_rebuild_links_unchanged_files_and_writes_changed_ones() {
    let (_dir, site) = temp_site();
    let out = site.join("output");
    // Twice: the second build's change report compares with a previous output, as every
    // later one does.
    build_ok(&site);
    build_ok(&site);
    let before = files(&out);
    assert!(before.len() > 100, "{} files", before.len());
    build_ok(&site);
    let again = files(&out);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        again.keys().collect::<Vec<_>>()
    );
    for (path, (ino, _, bytes)) in &before {
        let (ino_again, _, bytes_again) = &again[path];
        assert_eq!(
            bytes, bytes_again,
            "{path} changed in a rebuild of the same site"
        );
        assert_eq!(ino, ino_again, "{path} was written again, not linked");
    }
    assert_one_name_each(&again);

    // One commentary summary edited: the pages showing it are written, the rest linked.
    edit(
        &site.join("content/commentary/note.en.md"),
        "Written for the test suite.",
        "Edited by the test suite.",
    );
    build_ok(&site);
    let edited = files(&out);
    assert_one_name_each(&edited);
    let (mut changed, mut kept) = (0, 0);
    for (path, (ino, _, bytes)) in &edited {
        match again.get(path) {
            Some((old_ino, _, old_bytes)) if old_bytes == bytes => {
                assert_eq!(ino, old_ino, "{path} is unchanged but was written");
                kept += 1;
            }
            Some((old_ino, _, _)) => {
                assert_ne!(ino, old_ino, "{path} changed but kept the old file");
                changed += 1;
            }
            None => {}
        }
    }
    assert!(
        changed > 0 && kept > changed,
        "{changed} changed, {kept} kept"
    );
    let note = edited
        .iter()
        .find(|(p, _)| p.ends_with("note/index.html") && !p.starts_with("zh"))
        .expect("the English note's page");
    assert!(String::from_utf8_lossy(&note.1 .2).contains("Edited by the test suite."));
}

/// A build killed once every file is staged (most of them links to the previous output's)
/// leaves the previous output byte for byte; the next build removes its staging folder, so
/// that every file has one name again and is linked once more.
#[test]
fn a_build_killed_after_linking_leaves_the_previous_output() {
    let (_dir, site) = temp_site();
    let out = site.join("output");
    build_ok(&site);
    build_ok(&site);
    let before = files(&out);
    let hash = tree_hash(&out);

    let mut child = Command::new(BIN)
        .args(["build", "--root", site.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .env("POLICYDASH_TEST_PAUSE", "staged")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("policydash: paused at staged") {
                let _ = tx.send(());
            }
        }
    });
    let paused = rx.recv_timeout(Duration::from_secs(60)).is_ok();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(paused, "the build never paused at staged");

    assert_eq!(tree_hash(&out), hash, "the previous output changed");
    let shared = files(&out)
        .values()
        .filter(|(_, names, _)| *names == 2)
        .count();
    assert!(
        shared * 2 > before.len(),
        "only {shared} of {} files were linked into the killed build's staging folder",
        before.len()
    );

    build_ok(&site);
    assert!(leftovers(&site).is_empty(), "{:?}", leftovers(&site));
    let after = files(&out);
    assert_one_name_each(&after);
    assert_eq!(tree_hash(&out), hash);
    for (path, (ino, _, _)) in &before {
        assert_eq!(*ino, after[path].0, "{path} was written, not linked");
    }
}

/// In the preview, each file of the output has a second name in the preview's mirror beside
/// it; full rebuilds link the unchanged files all the same, so the mirror keeps them too.
#[test]
fn the_preview_s_full_rebuilds_link_unchanged_files() {
    use policydash::serve::incremental::Rebuilder;
    let (dir, site) = temp_site();
    let out = site.join("output");
    let mut rebuilder = Rebuilder::new(policydash::BuildOptions::new(&site));
    rebuilder
        .full()
        .unwrap_or_else(|f| panic!("{}", f.render()));
    rebuilder
        .full()
        .unwrap_or_else(|f| panic!("{}", f.render()));
    let before = files(&out);
    assert!(
        before.values().all(|(_, names, _)| *names == 2),
        "the mirror holds a second name for each file"
    );
    rebuilder
        .full()
        .unwrap_or_else(|f| panic!("{}", f.render()));
    let after = files(&out);
    for (path, (ino, names, bytes)) in &before {
        assert_eq!(bytes, &after[path].2, "{path}");
        assert_eq!(*ino, after[path].0, "{path} was written, not linked");
        assert_eq!(*names, after[path].1, "{path}");
    }
    drop(rebuilder);
    // The mirror is gone with the preview: one name each again.
    assert_one_name_each(&files(&out));
    assert!(std::fs::read_dir(dir.path().join("site"))
        .unwrap()
        .flatten()
        .all(|e| !e.file_name().to_string_lossy().contains(".preview-")));
}
