//! Shared by the integration tests (and benches/serve.rs): a small site made from a copy of
//! the real content/, a plain copy of content/, reading and editing a file, a recursive copy,
//! a hash of a folder tree, building (and checking the real site), and running the binary.
//! The browser harness is in `browser`.

#![allow(dead_code)]

pub mod browser;

use policydash::model::Model;
use policydash::urls::Urls;
use policydash::{BuildOptions, Built};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_policydash");
pub const CRATE: &str = env!("CARGO_MANIFEST_DIR");

/// A short commentary page in both languages, written by the tests rather than copied, so the
/// suite does not depend on the commentary being edited on the main branch. It uses a figure
/// link, a site link and front-matter references, so Markdown cases have something to break.
pub const COMMENTARY_EN: &str = "---
title: \"A short note\"
summary: \"Written for the test suite.\"
date: \"2026-01-15\"
language: en
translation: note
programmes: [tianjin]
metrics: [skilled-share]
---
# A short note

Tianjin aims for [40%](target:tianjin-skilled-share-2025) by 2025.

See [the sources](/sources/) for the documents.
";

pub const COMMENTARY_ZH: &str = "---
title: \"简短说明\"
summary: \"供测试使用。\"
date: \"2026-01-15\"
language: zh
translation: note
programmes: [tianjin]
---
# 简短说明

天津的目标是到2025年达到[40%](target:tianjin-skilled-share-2025)。

原始文件见[资料来源](/sources/)。
";

/// Makes a site in `dir/site`: the real content/ without its commentary, plus the test
/// commentary above. Themes are found in the crate folder.
pub fn make_site(dir: &Path) -> PathBuf {
    let site = dir.join("site");
    let content = Path::new(CRATE).join("content");
    copy_dir(&content, &site.join("content"), &|rel| {
        rel.starts_with("commentary")
    });
    let commentary = site.join("content/commentary");
    std::fs::create_dir_all(&commentary).unwrap();
    std::fs::write(commentary.join("note.en.md"), COMMENTARY_EN).unwrap();
    std::fs::write(commentary.join("note.zh.md"), COMMENTARY_ZH).unwrap();
    site
}

/// A new temporary folder with a site made by `make_site` in it; the folder is removed when
/// the first value is dropped.
pub fn temp_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let site = make_site(dir.path());
    (dir, site)
}

/// A copy of the real content/ (with its commentary) as `content/` in a new temporary folder,
/// to change without touching the repository.
pub fn content_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_all(
        &Path::new(CRATE).join("content"),
        &dir.path().join("content"),
    );
    dir
}

/// Replaces the first `from` in the file at `path` with `to`; `from` must be there.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The real content/ built under `base_url` into `name` (with this process's id) in the
/// target folder, emptied first: for the tests of one file to share.
pub fn build_real_site(name: &str, base_url: &str) -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    build_into(Path::new(CRATE), &out, Some(base_url));
    out
}

/// `build_real_site`, with the model and URLs that `check` makes of the real content/ under
/// `base_url`.
pub fn build_and_check_real_site(name: &str, base_url: &str) -> (PathBuf, Model, Urls) {
    let out = build_real_site(name, base_url);
    let opts = BuildOptions {
        base_url: Some(base_url.into()),
        ..BuildOptions::new(CRATE)
    };
    let checked = policydash::check(&opts).unwrap_or_else(|f| panic!("{}", f.render()));
    (out, checked.model, checked.urls)
}

/// The text of the file at `path`; a file that cannot be read fails the test naming it.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Copies everything under `from` into `to`.
pub fn copy_all(from: &Path, to: &Path) {
    copy_dir(from, to, &|_| false);
}

/// Copies the tree `from` into `to`; `skip` gets paths relative to `from`.
pub fn copy_dir(from: &Path, to: &Path, skip: &dyn Fn(&Path) -> bool) {
    std::fs::create_dir_all(to).unwrap();
    for entry in walkdir::WalkDir::new(from).min_depth(1).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        if skip(rel) {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// SHA-256 over every path (relative), kind and file content under `dir`, in a fixed order.
/// Two trees hash alike exactly when they hold the same files with the same bytes.
pub fn tree_hash(dir: &Path) -> String {
    let mut h = Sha256::new();
    if !dir.exists() {
        return "absent".into();
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(dir).unwrap();
        let kind = entry.file_type();
        h.update(rel.to_string_lossy().as_bytes());
        h.update([0]);
        if kind.is_file() {
            h.update(b"f");
            let bytes = std::fs::read(entry.path()).unwrap();
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        } else if kind.is_dir() {
            h.update(b"d");
        } else {
            h.update(b"l");
            let target = std::fs::read_link(entry.path()).unwrap();
            h.update(target.to_string_lossy().as_bytes());
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs the binary with `args`.
pub fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the policydash binary runs")
}

/// Runs `policydash COMMAND --root SITE`: its output, and its stderr as `stderr` gives it.
pub fn run_on(command: &str, site: &Path) -> (Output, String) {
    let out = run(&[command, "--root", site.to_str().unwrap()]);
    let err = stderr(&out);
    (out, err)
}

/// Builds the site in `root` into `root/output`, in this process; a failed build panics with
/// policydash's report of it.
pub fn build_ok(root: &Path) -> Built {
    built(&BuildOptions::new(root))
}

/// Builds the site in `root` into `output`, under `base_url` when given (else site.yaml's); a
/// failed build panics with policydash's report of it.
pub fn build_into(root: &Path, output: &Path, base_url: Option<&str>) -> Built {
    built(&BuildOptions {
        root: root.to_path_buf(),
        output: Some(output.to_path_buf()),
        base_url: base_url.map(str::to_string),
    })
}

fn built(opts: &BuildOptions) -> Built {
    policydash::build(opts)
        .unwrap_or_else(|f| panic!("{} does not build:\n{}", opts.root.display(), f.render()))
}

/// stderr with miette's wrapping undone: the frame characters removed and whitespace
/// collapsed, so a test can look for a whole message however the terminal width cut it.
pub fn stderr(out: &Output) -> String {
    flat(&String::from_utf8_lossy(&out.stderr))
}

pub fn flat(text: &str) -> String {
    text.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Names in `dir` that a build leaves beside its output when it fails to clean up.
pub fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".staging-") || n.contains(".old-"))
        .collect()
}

/// Mutates text at character boundaries, for the property and fuzz tests: op 0 or 1 inserts
/// the piece, 2 deletes `delete_scale` times the piece's length, 3 duplicates the line, and
/// any other op inserts the piece repeated up to 50 times.
pub fn mutate(
    text: &str,
    ops: &[(proptest::sample::Index, u8, &str)],
    delete_scale: usize,
) -> String {
    let mut s = text.to_string();
    for (at, op, piece) in ops {
        let mut i = at.index(s.len() + 1);
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        match op {
            0 | 1 => s.insert_str(i, piece),
            2 => {
                let mut end = (i + piece.len() * delete_scale).min(s.len());
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                s.replace_range(i..end, "");
            }
            3 => {
                let start = s[..i].rfind('\n').map_or(0, |n| n + 1);
                let end = s[i..].find('\n').map_or(s.len(), |n| i + n + 1);
                let line = s[start..end].to_string();
                s.insert_str(start, &line);
            }
            _ => s.insert_str(i, &piece.repeat(1 + at.index(50))),
        }
    }
    s
}

/// Pieces of YAML syntax and odd values that the loader tests insert into real files.
pub const YAML_PIECES: &[&str] = &[
    ":",
    ": ",
    "- ",
    "\n",
    "  ",
    "\t",
    "\r\n",
    "\"",
    "'",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "&b [*a, *a, *a] ",
    "#",
    "~",
    "!!str ",
    "!!binary ",
    "|",
    ">-",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "? ",
    "<<: *a\n",
    "技",
    "é",
    "\u{feff}",
    "\u{0}",
    "\u{1b}[31m",
    "1e999",
    "-0",
    "0x1F",
    "2025-02-30",
    "null",
    "yes",
    "99999999999999999999999",
    "\\u",
    "'''",
];
