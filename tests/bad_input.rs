//! The bad-input suite. Each case starts from a site that has been built successfully, breaks
//! one thing (an edit of one file, a new file, a removed file, a link), runs `policydash build`
//! and asserts that it:
//! - exits with status 1, without a panic;
//! - names the file and the line (or the field path) and says what is wrong;
//! - leaves the previous output byte-for-byte as it was (SHA-256 of the whole folder), and
//!   leaves no staging folder behind.

mod common;

use common::*;
use std::path::{Path, PathBuf};

const TIANJIN: &str = "content/programmes/tianjin.yaml";
const ZHUHAI: &str = "content/programmes/zhuhai.yaml";
const SITE: &str = "content/site.yaml";
const METRICS: &str = "content/metrics.yaml";
const CONTEXT: &str = "content/context.yaml";
const NOTE: &str = "content/commentary/note.en.md";
const NOTE_ZH: &str = "content/commentary/note.zh.md";

enum Edit {
    /// Replace the first occurrence of `from` in `file` (which must be there).
    Replace {
        file: &'static str,
        from: Vec<u8>,
        to: Vec<u8>,
    },
    /// Write `file` (creating folders) with these bytes.
    Write(&'static str, Vec<u8>),
    /// Transform the bytes of `file`.
    Map(&'static str, fn(&[u8]) -> Vec<u8>),
    Remove(&'static str),
    /// A symbolic link at the first path pointing to the second.
    Symlink(&'static str, &'static str),
}

/// Where the message must point.
enum At {
    /// The line of the first `Replace`, plus an offset; the file is the replaced file.
    EditLine(isize),
    /// This line of this file.
    Line(&'static str, usize),
    /// Only the file (and what `expect` asks for, such as a field path).
    File(&'static str),
}

struct Case {
    name: &'static str,
    edits: Vec<Edit>,
    at: At,
    /// Every one of these must appear in stderr: what is wrong, and the field path if any.
    expect: Vec<&'static str>,
}

fn replace(file: &'static str, from: &str, to: &str) -> Edit {
    Edit::Replace {
        file,
        from: from.as_bytes().to_vec(),
        to: to.as_bytes().to_vec(),
    }
}

fn case(name: &'static str, edit: Edit, at: At, expect: &[&'static str]) -> Case {
    Case {
        name,
        edits: vec![edit],
        at,
        expect: expect.to_vec(),
    }
}

fn to_crlf_with_bom(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(text.replace('\n', "\r\n").into_bytes());
    out
}

fn alias_bomb() -> Vec<u8> {
    let mut text = String::from("id: tianjin\nlol: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let names: Vec<char> = ('a'..='j').collect();
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 10].join(", ");
        text.push_str(&format!("l{}: &{} [{refs}]\n", pair[1], pair[1]));
    }
    text.into_bytes()
}

fn cases() -> Vec<Case> {
    use At::*;
    vec![
        // ---- YAML syntax: file, line, column and the offending line.
        case(
            "unclosed bracket",
            replace(TIANJIN, "    value: 40\n", "    value: [40\n"),
            EditLine(1),
            &["did not find expected ',' or ']'", "value: [40"],
        ),
        case(
            "indentation that breaks a list",
            replace(TIANJIN, "    unit: percent\n", "  unit: percent\n"),
            EditLine(0),
            &["did not find expected '-' indicator", "check the indentation"],
        ),
        case(
            "tab used for indentation",
            replace(TIANJIN, "    value: 40\n", "\tvalue: 40\n"),
            EditLine(0),
            &["cannot start any token", "tabs"],
        ),
        case(
            "unclosed quote",
            replace(TIANJIN, "    comparator: \">=\"\n", "    comparator: \">=\n"),
            EditLine(0),
            &["a quote opened on this line is not closed", "did not find expected key"],
        ),
        case(
            "colon in unquoted text",
            replace(
                TIANJIN,
                "    quote_en: \"skilled talent will make up more than 40% of employed persons\"\n",
                "    quote_en: note: more than 40%\n",
            ),
            EditLine(0),
            &["mapping values are not allowed", "quotes"],
        ),
        case(
            "syntax error in site.yaml",
            replace(SITE, "languages: [en, zh]\n", "languages: [en, zh\n"),
            EditLine(1),
            &["did not find expected ',' or ']'"],
        ),
        case(
            "syntax error in front matter",
            replace(NOTE, "title: \"A short note\"\n", "title: [\"A short note\"\n"),
            EditLine(1),
            &["did not find expected ',' or ']'"],
        ),
        // ---- Schema: unknown, missing, duplicate fields; wrong types and values.
        case(
            "misspelt field",
            replace(TIANJIN, "    unit: percent\n", "    untis: percent\n"),
            EditLine(0),
            &["targets[0].untis", "unknown field `untis`", "did you mean `unit`?"],
        ),
        case(
            "misspelt top-level field",
            replace(TIANJIN, "published: \"2023\"\n", "publshed: \"2023\"\n"),
            EditLine(0),
            &["publshed", "did you mean `published`?"],
        ),
        case(
            "missing field points at the record",
            replace(TIANJIN, "    source: tianjin-report\n", ""),
            EditLine(-9),
            &["targets[0].source", "missing field `source`"],
        ),
        case(
            "missing top-level field",
            replace(TIANJIN, "issuer: {en: \"Talent Work Leading Group of the CPC Tianjin Municipal Committee\", zh: \"天津市委人才工作领导小组\"}\n", ""),
            File(TIANJIN),
            &["issuer", "missing field `issuer`"],
        ),
        case(
            "text instead of a number",
            replace(TIANJIN, "    value: 40\n", "    value: forty\n"),
            EditLine(0),
            &["targets[0].value", "expected a number, found the text \"forty\""],
        ),
        case(
            "number instead of bilingual text",
            replace(
                TIANJIN,
                "    label: {en: \"Skilled talent as a share of employed persons\", zh: \"技能人才占就业人员比例\"}\n",
                "    label: 42\n",
            ),
            EditLine(0),
            &["targets[0].label", "text in both languages"],
        ),
        case(
            "text instead of a list",
            replace(TIANJIN, "targets:\n", "targets: none\nold_targets:\n"),
            EditLine(0),
            &["targets", "expected a list"],
        ),
        case(
            "misspelt unit",
            replace(TIANJIN, "    unit: percent\n", "    unit: precent\n"),
            EditLine(0),
            &["targets[0].unit", "unknown variant `precent`", "did you mean `percent`?"],
        ),
        case(
            "unknown comparator",
            replace(TIANJIN, "    comparator: \">=\"\n", "    comparator: \"=>\"\n"),
            EditLine(0),
            &["targets[0].comparator", "unknown variant `=>`"],
        ),
        case(
            "month 13",
            replace(TIANJIN, "    deadline: \"2025\"\n", "    deadline: \"2025-13\"\n"),
            EditLine(0),
            &["targets[0].deadline", "months run from 01 to 12"],
        ),
        case(
            "field written twice",
            replace(TIANJIN, "id: tianjin\n", "id: tianjin\nid: tianjin\n"),
            EditLine(1),
            &["duplicate field `id`"],
        ),
        case(
            "misspelt field in metrics.yaml",
            replace(METRICS, "    unit: percent\n", "    unti: percent\n"),
            EditLine(0),
            &["metrics[0].unti", "did you mean `unit`?"],
        ),
        case(
            "unknown front-matter field",
            replace(NOTE, "language: en\n", "language: en\nauthor: me\n"),
            EditLine(1),
            &["unknown field `author`"],
        ),
        case(
            "unknown language",
            replace(NOTE, "language: en\n", "language: fr\n"),
            EditLine(0),
            &["language", "unknown variant `fr`"],
        ),
        case(
            "no front matter",
            replace(NOTE, "---\ntitle", "title"),
            Line(NOTE, 1),
            &["no front matter"],
        ),
        case(
            "front matter never closed",
            replace(NOTE, "---\n# A short note", "# A short note"),
            Line(NOTE, 1),
            &["never closed"],
        ),
        case(
            "site.yaml removed",
            Edit::Remove(SITE),
            File(SITE),
            &["required but missing"],
        ),
        // ---- Semantics.
        case(
            "unknown metric",
            replace(TIANJIN, "    metric: skilled-share\n", "    metric: skilled-shares\n"),
            EditLine(0),
            &["targets[0].metric", "there is no metric \"skilled-shares\"", "did you mean \"skilled-share\"?"],
        ),
        case(
            "unknown source",
            replace(TIANJIN, "    source: tianjin-report\n", "    source: tianjin-reprot\n"),
            EditLine(0),
            &["targets[0].source", "there is no source \"tianjin-reprot\"", "did you mean \"tianjin-report\"?"],
        ),
        case(
            "duplicate target id in one file",
            replace(TIANJIN, "  - id: tianjin-high-skilled-share-2025\n", "  - id: tianjin-skilled-share-2025\n"),
            EditLine(0),
            &["targets[1].id", "is used twice"],
        ),
        case(
            "duplicate target id across files",
            replace(ZHUHAI, "  - id: zhuhai-skilled-share-2025\n", "  - id: tianjin-skilled-share-2025\n"),
            EditLine(0),
            &["is used twice"],
        ),
        case(
            "unit that does not match the metric",
            replace(TIANJIN, "    unit: percent\n", "    unit: persons\n"),
            EditLine(0),
            &["targets[0].unit", "does not match the metric \"skilled-share\""],
        ),
        case(
            "percent above 100",
            replace(TIANJIN, "    value: 40\n", "    value: 140\n"),
            EditLine(0),
            &["targets[0].value", "not a percentage between 0 and 100"],
        ),
        case(
            "negative value",
            replace(TIANJIN, "    value: 40\n", "    value: -4\n"),
            EditLine(0),
            &["targets[0].value", "not a usable figure"],
        ),
        case(
            "deadline before the programme's period",
            replace(TIANJIN, "    deadline: \"2025\"\n", "    deadline: \"2019\"\n"),
            EditLine(0),
            &["targets[0].deadline", "before the programme's period starts"],
        ),
        case(
            "implausible deadline",
            replace(TIANJIN, "    deadline: \"2025\"\n", "    deadline: \"2205\"\n"),
            EditLine(0),
            &["targets[0].deadline", "not a plausible date"],
        ),
        case(
            "value_max below value",
            replace(TIANJIN, "    value: 40\n", "    value: 40\n    value_max: 30\n"),
            EditLine(1),
            &["targets[0].value_max", "is below value"],
        ),
        case(
            "empty quote",
            replace(TIANJIN, "    quote: \"技能人才占就业人员的比例超过40%\"\n", "    quote: \"\"\n"),
            EditLine(0),
            &["targets[0].quote", "the quote is empty"],
        ),
        case(
            "empty English label",
            replace(
                TIANJIN,
                "{en: \"Skilled talent as a share of employed persons\", zh: \"技能人才占就业人员比例\"}",
                "{en: \" \", zh: \"技能人才占就业人员比例\"}",
            ),
            EditLine(0),
            &["targets[0].label.en", "this text is empty"],
        ),
        case(
            "id that would climb out of the output folder",
            replace(TIANJIN, "  - id: tianjin-skilled-share-2025\n", "  - id: ../../../etc/passwd\n"),
            EditLine(0),
            &["targets[0].id", "is not a valid id"],
        ),
        case(
            "id with capitals and a space",
            replace(TIANJIN, "  - id: tianjin-skilled-share-2025\n", "  - id: Tianjin Share\n"),
            EditLine(0),
            &["targets[0].id", "is not a valid id", "\"tianjin-share\""],
        ),
        case(
            "programme id differs from the file name",
            replace(TIANJIN, "id: tianjin\n", "id: tianjing\n"),
            EditLine(0),
            &["differs from the file name"],
        ),
        case(
            "period ends before it starts",
            replace(TIANJIN, "  end: \"2035\"\n", "  end: \"2013\"\n"),
            EditLine(0),
            &["period.end", "ends (2013) before it starts (2023)"],
        ),
        case(
            "context figure for an unknown programme",
            replace(CONTEXT, "    programme: zhuhai\n", "    programme: zhuhia\n"),
            EditLine(0),
            &["figures[0].programme", "there is no programme \"zhuhia\""],
        ),
        case(
            "unknown chart in Markdown",
            replace(NOTE, "See [the sources]", "{{ chart(id=\"no-such-chart\") }}\n\nSee [the sources]"),
            EditLine(0),
            &["there is no chart \"no-such-chart\""],
        ),
        case(
            "broken internal link in Markdown",
            replace(NOTE, "(/sources/)", "(/programmes/nowhere/)"),
            EditLine(0),
            &["the link /programmes/nowhere/ leads to no page"],
        ),
        case(
            "link to a figure that does not exist",
            replace(NOTE_ZH, "(target:tianjin-skilled-share-2025)", "(target:tianjin-nothing)"),
            EditLine(0),
            &["names a figure \"tianjin-nothing\" that does not exist"],
        ),
        case(
            "unknown shortcode",
            replace(NOTE, "See [the sources]", "{{ table(id=\"x\") }}\n\nSee [the sources]"),
            EditLine(0),
            &["is not a shortcode policydash knows"],
        ),
        case(
            "front matter names an unknown programme",
            replace(NOTE, "programmes: [tianjin]\n", "programmes: [tianjin, atlantis]\n"),
            EditLine(0),
            &["programmes[1]", "there is no programme \"atlantis\""],
        ),
        case(
            "empty commentary title",
            replace(NOTE, "title: \"A short note\"\n", "title: \"\"\n"),
            EditLine(0),
            &["title", "the title is empty"],
        ),
        case(
            "base_url that is not an address",
            replace(SITE, "base_url: \"https://example.github.io/policydash/\"\n", "base_url: \"example.github.io\"\n"),
            EditLine(0),
            &["base_url"],
        ),
        case(
            "unknown theme",
            replace(SITE, "theme: default\n", "theme: fancy\n"),
            EditLine(0),
            &["theme", "there is no theme \"fancy\""],
        ),
        case(
            "no language",
            replace(SITE, "languages: [en, zh]\n", "languages: []\n"),
            EditLine(0),
            &["languages", "no language is listed"],
        ),
        // ---- Robust input.
        case(
            "GBK bytes in a UTF-8 file",
            Edit::Replace {
                file: TIANJIN,
                from: "    value: 40\n".into(),
                // 天津 in GBK.
                to: b"    value: 40 \xcc\xec\xbd\xf2\n".to_vec(),
            },
            EditLine(0),
            &["not UTF-8", "save it as UTF-8"],
        ),
        case(
            "empty programme file",
            Edit::Write(TIANJIN, Vec::new()),
            Line(TIANJIN, 1),
            &["the file is empty"],
        ),
        case(
            "file larger than the limit",
            Edit::Write(
                "content/programmes/huge.yaml",
                format!("id: huge\nnote: \"{}\"\n", "x".repeat(9 * 1024 * 1024)).into_bytes(),
            ),
            File("content/programmes/huge.yaml"),
            &["content files may be at most 8.0 MB"],
        ),
        case(
            "YAML alias bomb",
            Edit::Write(TIANJIN, alias_bomb()),
            Line(TIANJIN, 6),
            &["aliases in this file expand to more than"],
        ),
        case(
            "nesting too deep",
            Edit::Write(TIANJIN, format!("id: tianjin\ntargets: {}\n", "[".repeat(5000)).into_bytes()),
            Line(TIANJIN, 2),
            &["nested more than"],
        ),
        case(
            "value too large for a number",
            replace(TIANJIN, "    value: 40\n", "    value: 1e400\n"),
            EditLine(0),
            &["targets[0].value", "expected a number, found the text \"1e400\""],
        ),
        case(
            "implausibly large value",
            replace(TIANJIN, "    value: 8\n", "    value: 800000000000000000000\n"),
            EditLine(0),
            &["targets[2].value", "implausibly large"],
        ),
        case(
            "symbolic link loop in content/",
            Edit::Symlink("content/programmes/loop", ".."),
            File("content/programmes/loop"),
            &["points back to a folder that contains it"],
        ),
        case(
            "broken template override",
            Edit::Write("templates/home.html", b"<h1>{{ site_title }}</h1>\n{% if %}\n".to_vec()),
            File("templates/home.html:2:"),
            &["a template does not parse"],
        ),
        // ---- Numbers that would break the charts (refused before anything draws with them).
        case(
            "infinite value",
            replace(TIANJIN, "    value: 40\n", "    value: .inf\n"),
            EditLine(0),
            &["targets[0].value", "inf is not a usable figure"],
        ),
        case(
            "infinite value_max",
            replace(TIANJIN, "    value: 40\n", "    value: 40\n    value_max: .inf\n"),
            EditLine(1),
            &["targets[0].value_max", "inf is not a usable figure"],
        ),
        case(
            "value that is not a number",
            replace(TIANJIN, "    value: 40\n", "    value: .nan\n"),
            EditLine(0),
            &["targets[0].value", "NaN is not a usable figure"],
        ),
        case(
            "1e308 as a percentage",
            replace(TIANJIN, "    value: 40\n", "    value: 1e308\n"),
            EditLine(0),
            &["targets[0].value", "1e308 is not a percentage between 0 and 100"],
        ),
        case(
            "1.7e308 as a count is shown short",
            replace(TIANJIN, "    value: 8\n", "    value: 1.7e308\n"),
            EditLine(0),
            &["targets[2].value", "1.7e308 is implausibly large"],
        ),
        case(
            "population of a half",
            replace(CONTEXT, "    value: 2439585\n", "    value: 0.5\n"),
            EditLine(0),
            &["figures[0].value", "0.5 is not a plausible population"],
        ),
        case(
            "population of 1e-300",
            replace(CONTEXT, "    value: 2439585\n", "    value: 1e-300\n"),
            EditLine(0),
            &["figures[0].value", "1e-300 is not a plausible population"],
        ),
        // ---- Control characters and YAML that says more than it seems.
        case(
            "NUL from a YAML escape",
            replace(
                TIANJIN,
                "    quote_en: \"skilled talent will make up",
                "    quote_en: \"skilled\\0 talent will make up",
            ),
            EditLine(0),
            &["control character U+0000"],
        ),
        case(
            "ESC from a YAML escape in front matter",
            replace(NOTE, "title: \"A short note\"\n", "title: \"A \\e[31mshort note\"\n"),
            EditLine(0),
            &["control character U+001B"],
        ),
        case(
            "NEL does not shift the line",
            replace(TIANJIN, "    value: 40\n", "    value: 40\u{85}\n"),
            EditLine(0),
            &["U+0085", "YAML reads as a line break"],
        ),
        case(
            "second YAML document",
            replace(TIANJIN, "targets:\n", "---\ntargets:\n"),
            EditLine(0),
            &["a second YAML document starts here"],
        ),
        case(
            "junk after the end of the document",
            replace(TIANJIN, "targets:\n", "...\njunk\ntargets:\n"),
            EditLine(1),
            &["a second YAML document starts here"],
        ),
        case(
            "custom YAML tag",
            replace(TIANJIN, "    unit: percent\n", "    unit: !percent x\n"),
            EditLine(0),
            &["the YAML tag !percent is not used"],
        ),
        case(
            "file name with a newline",
            Edit::Write("content/programmes/bad\nname.yaml", b"id: bad\n".to_vec()),
            File("content/programmes/bad\\nname.yaml:1:1:"),
            &[],
        ),
        case(
            "nested range loops in a template",
            Edit::Write(
                "templates/home.html",
                b"{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}\n".to_vec(),
            ),
            File("templates/home.html"),
            &["more than 1000000 steps"],
        ),
        // Passes `check`, fails while rendering: the output must still be untouched.
        case(
            "template that fails while rendering",
            Edit::Write(
                "templates/home.html",
                b"<h1>{{ site_title }}</h1>\n{{ nope.field }}\n".to_vec(),
            ),
            File("templates/home.html:2:"),
            &["Variable `nope` is not defined"],
        ),
    ]
}

/// A case with several edits: an error on line 3 of a CRLF file with a byte-order mark.
fn crlf_case() -> Case {
    Case {
        name: "error in a CRLF file with a byte-order mark",
        edits: vec![
            Edit::Map(TIANJIN, to_crlf_with_bom),
            replace(TIANJIN, "\r\n    value: 40\r\n", "\r\n    value: forty\r\n"),
        ],
        at: At::EditLine(1),
        expect: vec!["targets[0].value", "expected a number"],
    }
}

/// Applies the edits; returns the file and 1-based line of the first replacement.
fn apply(site: &Path, edits: &[Edit]) -> Option<(&'static str, usize)> {
    let mut first = None;
    for edit in edits {
        match edit {
            Edit::Replace { file, from, to } => {
                let path = site.join(file);
                let bytes = std::fs::read(&path).unwrap();
                let at = bytes
                    .windows(from.len())
                    .position(|w| w == from.as_slice())
                    .unwrap_or_else(|| {
                        panic!(
                            "{file} no longer contains {:?}: update this case",
                            String::from_utf8_lossy(from)
                        )
                    });
                let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
                first.get_or_insert((*file, line));
                let mut out = bytes[..at].to_vec();
                out.extend_from_slice(to);
                out.extend_from_slice(&bytes[at + from.len()..]);
                std::fs::write(&path, out).unwrap();
            }
            Edit::Write(file, bytes) => {
                let path = site.join(file);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, bytes).unwrap();
            }
            Edit::Map(file, f) => {
                let path = site.join(file);
                let bytes = std::fs::read(&path).unwrap();
                std::fs::write(&path, f(&bytes)).unwrap();
            }
            Edit::Remove(file) => std::fs::remove_file(site.join(file)).unwrap(),
            Edit::Symlink(link, target) => {
                #[cfg(unix)]
                std::os::unix::fs::symlink(target, site.join(link)).unwrap();
                #[cfg(not(unix))]
                let _ = (link, target);
            }
        }
    }
    first
}

/// A test site (see `temp_site`) with `edits` applied.
fn broken_site(edits: &[Edit]) -> (tempfile::TempDir, PathBuf) {
    let (dir, site) = temp_site();
    apply(&site, edits);
    (dir, site)
}

/// Runs `policydash COMMAND` on `site`, asserts that it exits with status 1, and returns its
/// stderr (see `stderr`).
fn fails(command: &str, site: &Path) -> String {
    let (out, err) = run_on(command, site);
    assert_eq!(out.status.code(), Some(1), "{err}");
    err
}

/// Edits that more than one test makes: a deadline before Tianjin's period, a misspelt
/// metric in Zhuhai's file, and a context figure for a place that does not exist.
fn tianjin_deadline_2015() -> Edit {
    replace(
        TIANJIN,
        "    deadline: \"2025\"\n",
        "    deadline: \"2015\"\n",
    )
}

fn zhuhai_metric_misspelt() -> Edit {
    replace(
        ZHUHAI,
        "    metric: high-skilled-share\n",
        "    metric: high-skiled-share\n",
    )
}

fn context_for_atlantis() -> Edit {
    replace(
        CONTEXT,
        "    programme: zhuhai\n",
        "    programme: atlantis\n",
    )
}

/// Runs one case on a fresh copy of the built site; returns what went wrong, if anything.
fn run_case(built: &Path, expected_hash: &str, case: &Case) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    // The copy is checked by the same hash afterwards: a bad copy fails the case too.
    copy_all(built, &site);
    let output = site.join("output");
    let replaced = apply(&site, &case.edits);
    let (out, err) = run_on("build", &site);
    let mut problems = Vec::new();
    if out.status.code() != Some(1) {
        problems.push(format!("exit status {:?}, expected 1", out.status.code()));
    }
    if err.contains("panicked") {
        problems.push("it panicked".into());
    }
    let location = match (&case.at, replaced) {
        (At::EditLine(offset), Some((file, line))) => {
            format!("{file}:{}:", line as isize + offset)
        }
        (At::EditLine(_), None) => panic!("{}: At::EditLine needs a Replace edit", case.name),
        (At::Line(file, line), _) => format!("{file}:{line}"),
        (At::File(file), _) => file.to_string(),
    };
    for want in std::iter::once(location.as_str()).chain(case.expect.iter().copied()) {
        if !err.contains(&flat(want)) {
            problems.push(format!("stderr does not contain {want:?}"));
        }
    }
    if !err.contains("The build failed; the previous output was left as it was.") {
        problems.push("stderr does not say that the previous output was kept".into());
    }
    if tree_hash(&output) != expected_hash {
        problems.push("the previous output changed".into());
    }
    let left = leftovers(&site);
    if !left.is_empty() {
        problems.push(format!("left behind: {left:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}:\n  - {}\n--- stderr ---\n{err}",
            case.name,
            problems.join("\n  - ")
        ))
    }
}

#[test]
fn every_broken_input_fails_clearly_and_keeps_the_previous_output() {
    let (_dir, site) = temp_site();
    let built = build_ok(&site);
    assert!(built.files > 20);
    let hash = tree_hash(&site.join("output"));

    let mut all = cases();
    all.push(crlf_case());
    assert!(all.len() >= 40, "the suite has {} cases", all.len());
    // Cases are independent (each on its own copy): run them on a few threads.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(case) = all.get(i) else { break };
                if let Err(e) = run_case(&site, &hash, case) {
                    failures.lock().unwrap().push((i, e));
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    let failures: Vec<String> = failures.into_iter().map(|(_, e)| e).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n\n")
    );
}

/// Errors in several files are all reported in one run, sorted by file and line, and counted.
#[test]
fn all_errors_of_a_run_are_reported_sorted_and_counted() {
    // Four semantic errors in four files, written in an order unlike the sorted one.
    let (_dir, site) = broken_site(&[
        replace(ZHUHAI, "    value: 40\n", "    value: 400\n"),
        replace(NOTE, "(/sources/)", "(/nowhere/)"),
        replace(TIANJIN, "    metric: skilled-share\n", "    metric: nope\n"),
        context_for_atlantis(),
    ]);
    let err = fails("check", &site);
    let order = [
        "content/commentary/note.en.md:",
        "content/context.yaml:",
        "content/programmes/tianjin.yaml:",
        "content/programmes/zhuhai.yaml:",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|f| {
            err.find(&format!("× {f}"))
                .unwrap_or_else(|| panic!("{f} is not reported:\n{err}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "not sorted:\n{err}"
    );
    assert!(err.contains(" 4 errors, 0 warnings"), "{err}");

    // Load errors (syntax, schema) in three files are reported together too.
    let (_dir, site) = broken_site(&[
        replace(TIANJIN, "    value: 40\n", "    value: [40\n"),
        replace(ZHUHAI, "    unit: percent\n", "    units: percent\n"),
        replace(NOTE, "language: en\n", "language: fr\n"),
    ]);
    let err = fails("build", &site);
    for f in [NOTE, TIANJIN, ZHUHAI] {
        assert!(err.contains(&format!("× {f}:")), "{f} missing:\n{err}");
    }
    assert!(err.contains(" 3 errors, 0 warnings"), "{err}");
    assert!(!site.join("output").exists());
}

/// A template that loops without writing anything cannot be interrupted by tera: the watchdog
/// ends the build with the template named, and the previous output is left as it was.
#[test]
fn a_template_that_loops_without_end_is_stopped() {
    let (_dir, site) = temp_site();
    build_ok(&site);
    let hash = tree_hash(&site.join("output"));
    // 999,999 range steps (within the step limit) times the programmes, times again: hours.
    apply(
        &site,
        &[Edit::Write(
            "templates/home.html",
            b"{% for i in range(end=999999) %}{% for p in programmes %}{% for q in programmes %}{% endfor %}{% endfor %}{% endfor %}\n".to_vec(),
        )],
    );
    let started = std::time::Instant::now();
    let out = std::process::Command::new(BIN)
        .args(["build", "--root", site.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .env("POLICYDASH_RENDER_SECONDS", "1")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("templates/home.html: the template home.html ran for more than 2 seconds"),
        "{err}"
    );
    assert!(err.contains("The build failed; the previous output was left as it was."));
    // Stopped by the watchdog, not by the loop ending (not a speed assertion: a bound on a
    // hang, with room for a loaded machine).
    assert!(started.elapsed() < std::time::Duration::from_secs(120));
    assert_eq!(tree_hash(&site.join("output")), hash);
    assert!(leftovers(&site).is_empty());
}

/// Every shape error of every file (not only the first of each), with the checks of the files
/// that did parse, in one run; and no check repeats a shape error.
#[test]
fn every_shape_error_is_reported_with_the_other_checks() {
    let (_dir, site) = broken_site(&[
        // Three shape errors in one file: two unknown fields and a wrong type.
        replace(TIANJIN, "    unit: percent\n", "    untis: percent\n"),
        replace(TIANJIN, "published: \"2023\"\n", "publshed: \"2023\"\n"),
        replace(TIANJIN, "    value: 8\n", "    value: eight\n"),
        // A check of a field that did parse, in the same file.
        tianjin_deadline_2015(),
        // A shape error and a check in a second file.
        replace(
            ZHUHAI,
            "    comparator: \">=\"\n",
            "    comparator: \"=>\"\n",
        ),
        zhuhai_metric_misspelt(),
        // A check in a file with no shape error.
        context_for_atlantis(),
    ]);
    let err = fails("check", &site);
    for want in [
        "targets[0].untis: unknown field `untis`",
        "publshed: unknown field `publshed`",
        "targets[2].value: expected a number, found the text \"eight\"",
        "targets[0].deadline: the deadline 2015 is before",
        "unknown variant `=>`",
        "targets[1].metric: there is no metric",
        "figures[0].programme: there is no programme \"atlantis\"",
    ] {
        assert!(err.contains(want), "no {want:?} in\n{err}");
    }
    // The misspelt unit is not also reported missing.
    assert!(!err.contains("targets[0].unit"), "{err}");
    assert!(err.contains(" 7 errors, "), "{err}");

    // A file that does not parse at all hides only the checks that look into it.
    let (_dir, site) = broken_site(&[
        replace(TIANJIN, "    value: 40\n", "    value: [40\n"),
        replace(ZHUHAI, "    value: 40\n", "    value: 400\n"),
    ]);
    let err = fails("check", &site);
    assert!(err.contains("did not find expected ',' or ']'"), "{err}");
    assert!(err.contains("400 is not a percentage"), "{err}");
    // The commentary names tianjin, whose file did not parse: not reported as unknown.
    assert!(!err.contains("there is no programme"), "{err}");
    assert!(err.contains(" 2 errors, "), "{err}");
}

/// `check` exits 1 on an error, 0 on valid content, and writes nothing either way.
#[test]
fn check_reports_and_writes_nothing() {
    let (dir, site) = temp_site();
    let before = tree_hash(dir.path());
    let (out, err) = run_on("check", &site);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("content is valid"));
    assert_eq!(tree_hash(dir.path()), before, "check wrote something");

    let broken: Vec<Case> = cases()
        .into_iter()
        .filter(|c| {
            [
                "unclosed bracket",
                "misspelt field",
                "unknown metric",
                "broken internal link in Markdown",
                "unknown theme",
                "GBK bytes in a UTF-8 file",
            ]
            .contains(&c.name)
        })
        .collect();
    assert_eq!(broken.len(), 6);
    for case in broken {
        let (dir, site) = broken_site(&case.edits);
        let before = tree_hash(dir.path());
        let (out, err) = run_on("check", &site);
        assert_eq!(out.status.code(), Some(1), "{}: {err}", case.name);
        assert!(!err.contains("panicked"), "{}: {err}", case.name);
        for want in &case.expect {
            assert!(
                err.contains(&flat(want)),
                "{}: no {want:?} in\n{err}",
                case.name
            );
        }
        assert_eq!(tree_hash(dir.path()), before, "{}: check wrote", case.name);
    }
}

/// Output folders whose replacement would destroy something else are refused, and nothing is
/// written or deleted.
#[test]
fn dangerous_output_folders_are_refused() {
    let (dir, site) = temp_site();
    let other = dir.path().join("other-site");
    std::fs::create_dir_all(other.join("content")).unwrap();
    std::fs::write(other.join("content/keep.txt"), "mine").unwrap();
    let mine = dir.path().join("thesis");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("chapter1.md"), "mine").unwrap();
    let before = tree_hash(dir.path());
    let root = site.to_str().unwrap();
    for (output, why) in [
        ("/".to_string(), "file-system root"),
        (root.to_string(), "site folder"),
        (dir.path().to_str().unwrap().to_string(), "site folder"),
        (format!("{root}/content/out"), "inside content/"),
        (
            other.to_str().unwrap().to_string(),
            "contains a content/ folder",
        ),
        (mine.to_str().unwrap().to_string(), "not made by policydash"),
    ] {
        let out = run(&["build", "--root", root, "--output", &output]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{output}: {err}");
        assert!(
            err.contains("refusing to write the site"),
            "{output}: {err}"
        );
        assert!(err.contains(why), "{output}: {err}");
        assert_eq!(tree_hash(dir.path()), before, "{output}: something changed");
    }
}

/// A successful build replaces the output entirely: pages of removed content disappear, and
/// nothing is left beside the output.
#[test]
fn a_good_build_leaves_no_stale_files() {
    let (_dir, site) = temp_site();
    build_ok(&site);
    let page = site.join("output/programmes/lingang/index.html");
    assert!(page.is_file());
    std::fs::write(site.join("output/stray.html"), "left by hand").unwrap();
    std::fs::remove_file(site.join("content/programmes/lingang.yaml")).unwrap();
    let (out, err) = run_on("build", &site);
    assert!(out.status.success(), "{err}");
    assert!(!page.exists());
    assert!(!site.join("output/zh/programmes/lingang").exists());
    assert!(!site.join("output/stray.html").exists());
    assert!(site.join("output/programmes/tianjin/index.html").is_file());
    assert!(leftovers(&site).is_empty());
}

/// CRLF line endings and a byte-order mark are read like any other file.
#[test]
fn crlf_and_bom_files_build() {
    let (_dir, site) = broken_site(&[
        Edit::Map(TIANJIN, to_crlf_with_bom),
        Edit::Map(SITE, to_crlf_with_bom),
        Edit::Map(NOTE, to_crlf_with_bom),
    ]);
    let (out, err) = run_on("build", &site);
    assert!(out.status.success(), "{err}");
    let page = std::fs::read_to_string(site.join("output/programmes/tianjin/index.html")).unwrap();
    assert!(page.contains("技能人才占就业人员的比例超过40%"));
}

/// Suspicious but legal data builds, with a warning that names the place.
#[test]
fn suspicious_data_builds_with_located_warnings() {
    // (Ending with the figure's value, which provenance requires of every quote.)
    let long_quote = format!("    quote: \"{}10\"\n", "长".repeat(4998));
    let edits = [
        // Deadline after the programme's period (2023–2035).
        replace(TIANJIN, "    deadline: \"2025\"\n", "    deadline: \"2040\"\n"),
        // A current figure with a deadline.
        replace(
            TIANJIN,
            "    kind: target\n    per: total\n    deadline: \"2025\"\n    source: tianjin-report\n    quote: \"高技能",
            "    kind: status\n    per: total\n    as_of: \"2023\"\n    deadline: \"2025\"\n    source: tianjin-report\n    quote: \"高技能",
        ),
        // A source nobody cites.
        replace(
            TIANJIN,
            "targets:\n",
            "  - id: tianjin-unused\n    title: {en: Unused, zh: 未用}\n    publisher: {en: Nobody, zh: 无}\n    kind: news-report\ntargets:\n",
        ),
        // Raw HTML and a javascript: link in Markdown.
        replace(NOTE, "See [the sources]", "Some <b>bold</b> text and [a link](javascript:alert(1)).\n\nSee [the sources]"),
        // A file that is not part of the content format.
        Edit::Write("content/programmes/notes.txt", b"to do".to_vec()),
        // A changelog naming a figure that no longer exists (history may name removed figures).
        Edit::Write(
            "content/changelog.yaml",
            b"entries:\n  - id: first-release\n    date: \"2026-01-01\"\n    title: {en: First, zh: \xe9\xa6\x96\xe5\x8f\x91}\n    text: {en: All figures, zh: \xe5\x85\xa8\xe9\x83\xa8}\n    targets: [tianjin-skilled-share-2025, tianjin-nothing]\n".to_vec(),
        ),
    ];
    let (_dir, site) = broken_site(&edits);
    // A pasted document as a quote, in the third target of Zhuhai.
    let zhuhai = site.join(ZHUHAI);
    let text = std::fs::read_to_string(&zhuhai).unwrap();
    let third = text.match_indices("\n    quote: ").nth(2).unwrap().0 + 1;
    let end = third + text[third..].find('\n').unwrap() + 1;
    let quote_line = text[..third].matches('\n').count() + 1;
    std::fs::write(
        &zhuhai,
        format!("{}{long_quote}{}", &text[..third], &text[end..]),
    )
    .unwrap();

    let (out, err) = run_on("build", &site);
    assert!(out.status.success(), "{err}");
    for want in [
        // Line 36: the four lines of the unused source come before it.
        "⚠ content/programmes/tianjin.yaml:36:15: targets[0].deadline: the deadline 2040 is after the programme's period ends (2035)",
        "targets[1].deadline: a current figure (kind: status) has a deadline",
        "sources[1].id: no figure or commitment cites the source \"tianjin-unused\"",
        &format!("⚠ content/programmes/zhuhai.yaml:{quote_line}:"),
        "this text is 5000 characters long",
        "⚠ content/commentary/note.en.md:14:6: this HTML will be shown as text",
        "the link \"javascript:alert(1)\" is not published",
        "⚠ content/programmes/notes.txt: this file is not part of the content format",
        "⚠ content/changelog.yaml:6:43: entries[0].targets[1]: no figure has the id \"tianjin-nothing\"",
        "0 errors, 8 warnings",
    ] {
        assert!(err.contains(&flat(want)), "no {want:?} in\n{err}");
    }
    let page = std::fs::read_to_string(site.join("output/commentary/note/index.html")).unwrap();
    assert!(
        page.contains("&lt;b&gt;bold&lt;/b&gt;"),
        "raw HTML is escaped"
    );
    assert!(!page.contains("javascript:"), "the unsafe link is dropped");
}

/// Markdown that would break a page or reach out of the site: explicit heading ids (which
/// clash with the template's), an image from another site, a shortcode shown in a code block,
/// and blockquotes nested thousands deep.
#[test]
fn markdown_stays_within_the_page() {
    let depth = 20_000;
    let deep = format!("{}deep 人才\n", "> ".repeat(depth));
    let body = format!(
        "## Other {{#main}}\n\n## Own {{#own-anchor}}\n\n![the map](https://tracker.example/map.png)\n\n```\n{{{{ chart(id=\"timeline\") }}}}\n```\n\n{deep}\nSee [the sources]"
    );
    let (_dir, site) = broken_site(&[replace(NOTE, "See [the sources]", &body)]);
    let (out, err) = run_on("build", &site);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("⚠ content/commentary/note.en.md:18:1: the image \"https://tracker.example/map.png\" is left out"),
        "{err}"
    );
    let page = std::fs::read_to_string(site.join("output/commentary/note/index.html")).unwrap();
    // The template's own `id="main"` is the only one: the heading's is dropped.
    assert_eq!(
        page.matches("id=\"main\"").count(),
        1,
        "the explicit id is dropped"
    );
    assert!(page.contains("<h2 id=\"h-other\">"));
    assert!(
        page.contains("<h2 id=\"own-anchor\">"),
        "a safe explicit id is kept"
    );
    assert!(!page.contains("tracker.example"));
    assert!(page.contains("the map"));
    assert!(
        page.contains("{{ chart(id=\"timeline\") }}"),
        "the code keeps its text"
    );
    assert!(!page.contains('\u{E000}'));
    assert_eq!(page.matches("<blockquote>").count(), depth);
}

/// Text that a spreadsheet would run as a formula is neutralised in every CSV (a leading `'`),
/// kept exact in JSON, and the data package says so.
#[test]
fn formula_text_is_neutralised_in_csv_and_exact_in_json() {
    let evil = "=HYPERLINK(\"http://evil.example/\",\"click\")";
    let (_dir, site) = broken_site(&[
        replace(
            TIANJIN,
            "{en: \"Skilled talent as a share of employed persons\", zh: \"技能人才占就业人员比例\"}",
            "{en: \"=HYPERLINK(\\\"http://evil.example/\\\",\\\"click\\\")\", zh: \"+cmd|calc\"}",
        ),
        replace(
            TIANJIN,
            "    quote_en: \"skilled talent will make up",
            "    quote_en: \"@SUM(1) skilled talent will make up",
        ),
    ]);
    let (out, err) = run_on("build", &site);
    assert!(out.status.success(), "{err}");
    let csv = std::fs::read_to_string(site.join("output/data/targets.csv")).unwrap();
    let mut reader = ::csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let row = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[col("target_id")] == "tianjin-skilled-share-2025")
        .unwrap();
    assert_eq!(&row[col("label_en")], format!("'{evil}"));
    assert_eq!(&row[col("label_zh")], "'+cmd|calc");
    assert!(row[col("quote_en")].starts_with("'@SUM(1)"));
    assert_eq!(&row[col("value")], "40", "numbers are not touched");
    let json = std::fs::read_to_string(site.join("output/data/targets.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let label = json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target_id"] == "tianjin-skilled-share-2025")
        .unwrap()["label_en"]
        .clone();
    assert_eq!(label, evil, "JSON keeps the text exact");
    let package = std::fs::read_to_string(site.join("output/datapackage.json")).unwrap();
    assert!(
        package.contains("are written with an apostrophe (') in front"),
        "{package}"
    );
}

/// The example in docs/errors.md (and the README) is what policydash really prints.
#[test]
fn the_documented_example_is_real() {
    let (_dir, site) = broken_site(&[
        replace(TIANJIN, "    value: 40\n", "    value: 400\n"),
        tianjin_deadline_2015(),
        zhuhai_metric_misspelt(),
    ]);
    let err = fails("build", &site);
    let doc = std::fs::read_to_string(Path::new(CRATE).join("docs/errors.md")).unwrap();
    let example = doc
        .split("```text\n$ policydash build\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/errors.md shows a run");
    // Each headline (with its wrapped continuation lines) and the count.
    let mut headlines = Vec::new();
    for line in example.lines() {
        if line.trim_start().starts_with('×') || line.contains(" errors, ") {
            headlines.push(line.to_string());
        } else if line.starts_with("  │ ") {
            headlines.last_mut().unwrap().push_str(line);
        }
    }
    assert_eq!(headlines.len(), 4, "{headlines:?}");
    for h in headlines {
        assert!(
            err.contains(&flat(&h)),
            "the docs show {h:?}; the run printed\n{err}"
        );
    }
}
