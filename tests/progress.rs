//! Progress against targets, end to end: observation tables (CSV and XLSX) and `progress:`
//! lists give each status of each rule, shown in data/targets.json, on the programme pages in
//! both languages, in the observations download and the feeds; bad tables fail naming file,
//! row and column and leave the output as it was.

mod common;

use common::browser::{harness, node};
use common::*;
use policydash::diagnostics::Diagnostics;
use policydash::{build, BuildOptions};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Invented observations for the fixture only (never in content/), with the status each must
/// give. Levels: the Tianjin and Zhuhai shares (period from 2023, deadline 2025); counts: the
/// flows marked `accumulates`; quotas: Suqian's per-year figures (2022–2024).
#[rustfmt::skip]
const ROWS: &[(&str, &str, &str, &str)] = &[
    // target, as_of, value, expected status
    ("tianjin-skilled-share-2025",                "2023",    "30",    ""),
    ("tianjin-skilled-share-2025",                "2024",    "35",    "on_track"),
    ("tianjin-high-skilled-share-2025",           "2023",    "30",    ""),
    ("tianjin-high-skilled-share-2025",           "2024",    "31",    "limited"),
    ("zhuhai-skilled-share-2025",                 "2023",    "30",    ""),
    ("zhuhai-skilled-share-2025",                 "2024",    "33.5",  "moderate"),
    ("zhuhai-high-skilled-share-2025",            "2023",    "30",    ""),
    ("zhuhai-high-skilled-share-2025",            "2024",    "28",    "moving_away"),
    ("zhuhai-vocational-graduate-retention-2025", "2023",    "60",    ""),
    ("zhuhai-vocational-graduate-retention-2025", "2024-06", "66",    "achieved"),
    ("zhuhai-dual-qualified-teachers-2025",       "2023",    "40",    ""),
    ("zhuhai-dual-qualified-teachers-2025",       "2025",    "45",    "missed"),
    ("zhuhai-technical-graduate-retention-2025",  "2024",    "85",    "not_assessed"),
    ("suqian-training-2024",                      "2022",    "70000", "on_track"),
    ("suqian-apprenticeships-2024",               "2023",    "2500",  "moderate"),
    ("lingang-apprentices-tier-1000",             "2021",    "200",   "limited"),
    ("jiangmen-new-apprenticeship-2025",          "2024",    "4600",  "achieved"),
    ("jiangmen-modern-apprenticeship-2025",       "2025",    "1000",  "missed"),
    ("suqian-skilled-added-per-year",             "2022",    "31000", "on_track"),
    ("suqian-high-skilled-added-per-year",        "2022",    "7000",  "moderate"),
    ("suqian-employment-training-per-year",       "2022",    "5000",  "limited"),
    ("suqian-migrant-worker-training-per-year",   "2022",    "9000",  ""),
    ("suqian-migrant-worker-training-per-year",   "2023",    "9000",  ""),
    ("suqian-migrant-worker-training-per-year",   "2024",    "8600",  "achieved"),
    ("suqian-rural-talent-titles-per-year",       "2022",    "500",   ""),
    ("suqian-rural-talent-titles-per-year",       "2023",    "700",   ""),
    ("suqian-rural-talent-titles-per-year",       "2024",    "700",   "missed"),
];

/// The source each row cites: its programme's.
fn source_of(target: &str) -> &'static str {
    match target.split('-').next().unwrap() {
        "tianjin" => "tianjin-report",
        "zhuhai" => "zhuhai-plan",
        "suqian" => "suqian-plan",
        "lingang" => "lingang-report",
        _ => "jiangmen-report",
    }
}

fn expected() -> BTreeMap<&'static str, &'static str> {
    let mut m: BTreeMap<&str, &str> = ROWS
        .iter()
        .filter(|r| !r.3.is_empty())
        .map(|r| (r.0, r.3))
        .collect();
    m.insert("jiangmen-skilled-total-2023", "not_assessed"); // a current figure
    m.insert("tianjin-skill-grade-ladder", "not_assessed"); // no data
    m
}

fn csv_text(bom: bool) -> String {
    let mut s = String::from(if bom { "\u{feff}" } else { "" });
    s.push_str("target,as_of,value,source,note\r\n");
    for (t, d, v, _) in ROWS {
        s.push_str(&format!(
            "{t},{d},{v},{},\"fixture, not real\"\r\n",
            source_of(t)
        ));
    }
    s
}

fn targets_json(site: &Path) -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(site.join("output/data/targets.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["target_id"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

/// A test site (see `temp_site`) with `bytes` as the observation table content/progress/FILE.
fn site_with(file: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let (dir, site) = temp_site();
    let progress = site.join("content/progress");
    std::fs::create_dir_all(&progress).unwrap();
    std::fs::write(progress.join(file), bytes).unwrap();
    (dir, site)
}

/// The headline of each of `diagnostics`, in order.
fn headlines(diagnostics: &Diagnostics) -> Vec<String> {
    diagnostics.sorted().iter().map(|d| d.headline()).collect()
}

fn assert_statuses(site: &Path) {
    let rows = targets_json(site);
    for (id, status) in expected() {
        assert_eq!(rows[id]["progress_status"], status, "{id}: {:#}", rows[id]);
    }
    // Every status appears, and every rule.
    let seen: std::collections::BTreeSet<&str> = expected().values().copied().collect();
    assert_eq!(seen.len(), 7, "{seen:?}");
    let r = &rows["tianjin-skilled-share-2025"];
    assert_eq!(r["latest_value"], 35);
    assert_eq!(r["latest_as_of"], "2024");
    let ratio = r["progress_ratio"].as_f64().unwrap();
    assert!((0.95..1.05).contains(&ratio), "{ratio}");
    assert!(rows["tianjin-skill-grade-ladder"]["progress_ratio"].is_null());
}

#[test]
fn csv_observations_give_every_status_in_the_data_and_on_the_pages() {
    let (dir, site) = site_with("fixture.csv", csv_text(true).as_bytes());
    build_ok(&site);
    assert_statuses(&site);
    // Statuses, charts and feeds depend on the files alone: a second build into a fresh
    // folder is byte-identical.
    let again = dir.path().join("again");
    build_into(&site, &again, None);
    assert_eq!(
        tree_hash(&again),
        tree_hash(&site.join("output")),
        "a rebuild differs"
    );

    // The programme pages show each status as a word and a shape, with the latest value and
    // a link to the rule, in both languages.
    let out = site.join("output");
    let en = std::fs::read_to_string(out.join("programmes/zhuhai/index.html")).unwrap();
    let zh = std::fs::read_to_string(out.join("zh/programmes/zhuhai/index.html")).unwrap();
    for (page, words) in [
        (
            &en,
            [
                "Moderate progress",
                "Moving away",
                "Achieved",
                "Missed",
                "Not assessed",
            ],
        ),
        (&zh, ["进展一般", "倒退", "已实现", "未实现", "无法评估"]),
    ] {
        for w in words {
            assert!(page.contains(&format!("</span> {w}</span>")), "{w} missing");
        }
        assert!(page.contains("class=\"shape\" aria-hidden=\"true\">◆</span>"));
        assert!(page.contains("id=\"progress-h\""), "no progress summary");
    }
    assert!(en.contains("Latest: 33.5%<span class=\"date\"> (as of 2024)</span>"));
    assert!(zh.contains("最新值：33.5%<span class=\"date\">（截至2024年）</span>"));
    let tianjin = std::fs::read_to_string(out.join("programmes/tianjin/index.html")).unwrap();
    assert!(tianjin.contains("</span> On track</span>"));
    assert!(tianjin.contains("</span> Limited progress</span>"));
    let zh_tianjin = std::fs::read_to_string(out.join("zh/programmes/tianjin/index.html")).unwrap();
    assert!(zh_tianjin.contains("</span> 进展顺利</span>"));
    assert!(zh_tianjin.contains("</span> 进展有限</span>"));
    // The home page shows progress at a glance per place.
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("class=\"progress-glance\""));
    assert!(home.contains("</span> Moving away</span>: 1"));

    // The observations are their own download and data package resource.
    let obs = std::fs::read_to_string(out.join("data/observations.csv")).unwrap();
    assert_eq!(obs.lines().count(), ROWS.len() + 1);
    // The same header a site without observations publishes.
    assert_eq!(
        obs.trim_start_matches('\u{feff}').lines().next().unwrap(),
        policydash::downloads::OBSERVATION_COLUMNS.join(",")
    );
    assert!(obs.contains("tianjin-skilled-share-2025,tianjin,2024,35,percent,tianjin-report"));
    let package = std::fs::read_to_string(out.join("datapackage.json")).unwrap();
    assert!(package.contains("\"path\": \"data/observations.csv\""));

    // The feeds name the status changes the observations show, dated by the observation.
    let feed = std::fs::read_to_string(out.join("feed.xml")).unwrap();
    assert!(
        feed.contains("<title>zhuhai-high-skilled-share-2025: not assessed → moving away</title>"),
        "{feed}"
    );
    let zh_feed = std::fs::read_to_string(out.join("zh/feed.xml")).unwrap();
    assert!(zh_feed.contains("<title>zhuhai-high-skilled-share-2025: 无法评估 → 倒退</title>"));
}

/// The text of the element `<tag id="id">…</tag>` in `xml`.
fn element<'a>(xml: &'a str, tag: &str, id: &str) -> &'a str {
    let open = format!("<{tag} id=\"{id}\">");
    let start = xml.find(&open).unwrap_or_else(|| panic!("no {open}")) + open.len();
    let end = start + xml[start..].find(&format!("</{tag}>")).unwrap();
    &xml[start..end]
}

#[test]
fn each_target_with_observations_gets_an_accessible_chart_with_a_table() {
    let (_dir, site) = site_with("fixture.csv", csv_text(false).as_bytes());
    build_ok(&site);
    let out = site.join("output");
    let id = "progress-tianjin-skilled-share-2025";
    for (file, page, status, values) in [
        (
            "charts",
            "programmes/tianjin/index.html",
            "on track",
            ["30% (2023)", "35% (2024)"],
        ),
        (
            "zh/charts",
            "zh/programmes/tianjin/index.html",
            "进展顺利",
            ["30%（2023年）", "35%（2024年）"],
        ),
    ] {
        let svg = std::fs::read_to_string(out.join(format!("{file}/{id}.svg"))).unwrap();
        let root = &svg[svg.find("<svg ").unwrap()..];
        let root = &root[..root.find('>').unwrap()];
        assert!(root.contains("role=\"img\""), "{root}");
        assert!(root.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")));
        let title = element(&svg, "title", &format!("{id}-title"));
        let desc = element(&svg, "desc", &format!("{id}-desc"));
        assert!(title.contains(status), "{title}");
        assert!(desc.contains(status), "{desc}");
        for v in values {
            assert!(desc.contains(v), "{v} not in {desc}");
        }
        // On the programme page: the chart, and the table of its numbers beside it.
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        let block = &html[html.find(&format!("id=\"chart-{id}\"")).unwrap()..];
        let block = &block[..block.find("</figure>").unwrap()];
        assert!(block.contains("role=\"img\""));
        assert!(block.contains(&format!("<table class=\"chart-data\" data-chart=\"{id}\"")));
        for (key, v) in [("observed", "30"), ("observed", "35"), ("target", "40")] {
            assert!(
                block.contains(&format!("data-key=\"{key}\" data-value=\"{v}\""))
                    || block.contains(&format!("data-value=\"{v}\" data-key=\"{key}\"")),
                "{key}={v} not in the table"
            );
        }
    }
    // Only targets with observations get one, and only on their own programme's page.
    assert!(!out
        .join("charts/progress-tianjin-skill-grade-ladder.svg")
        .exists());
    let other = std::fs::read_to_string(out.join("programmes/zhuhai/index.html")).unwrap();
    assert!(!other.contains(&format!("chart-{id}")));
    let csv = std::fs::read_to_string(out.join(format!("data/charts/{id}.csv"))).unwrap();
    assert!(
        csv.contains("tianjin-skilled-share-2025,tianjin,2024,35,35.01,,percent,on_track"),
        "{csv}"
    );
}

#[test]
fn the_same_rows_as_xlsx_give_the_same_statuses_with_excel_dates() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["target", "as_of", "value", "source", "note"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (i, (t, d, v, _)) in ROWS.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, *t).unwrap();
        // Years as numbers, year-months as text, and the last year as an Excel date cell on
        // its last day: all mean the same day.
        if *d == "2024" {
            let cell = ExcelDateTime::from_ymd(2024, 12, 31).unwrap();
            sheet
                .write_datetime_with_format(r, 1, &cell, &date)
                .unwrap();
        } else if d.len() == 4 {
            sheet.write_number(r, 1, d.parse::<f64>().unwrap()).unwrap();
        } else {
            sheet.write_string(r, 1, *d).unwrap();
        }
        sheet.write_number(r, 2, v.parse::<f64>().unwrap()).unwrap();
        sheet.write_string(r, 3, source_of(t)).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let (_dir, site) = site_with("fixture.xlsx", &bytes);
    build_ok(&site);
    assert_statuses_except_dates(&site);
    let rows = targets_json(&site);
    assert_eq!(
        rows["tianjin-skilled-share-2025"]["latest_as_of"],
        "2024-12-31"
    );
}

#[test]
fn bad_workbooks_name_file_row_and_column() {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["target", "as_of", "value", "source"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet
        .write_string(1, 0, "tianjin-skilled-share-2025")
        .unwrap();
    sheet.write_number(1, 1, 2024.0).unwrap();
    sheet.write_string(1, 2, "n/a").unwrap();
    sheet.write_string(1, 3, "tianjin-report").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let (_dir, site) = site_with("bad.xlsx", &bytes);
    let err = build(&BuildOptions::new(&site)).unwrap_err();
    let heads = headlines(&err.diagnostics);
    assert!(
        heads.iter().any(|h| h.starts_with(
            "content/progress/bad.xlsx: row 2, column C (value): \"n/a\" is not a number"
        )),
        "{heads:?}"
    );
    // Not a workbook at all: a clear error, not a panic.
    std::fs::write(site.join("content/progress/bad.xlsx"), b"not a zip file").unwrap();
    let err = build(&BuildOptions::new(&site)).unwrap_err();
    let heads = headlines(&err.diagnostics);
    assert!(
        heads
            .iter()
            .any(|h| h.starts_with("content/progress/bad.xlsx: cannot read the table")),
        "{heads:?}"
    );
}

fn assert_statuses_except_dates(site: &Path) {
    let rows = targets_json(site);
    for (id, status) in expected() {
        assert_eq!(rows[id]["progress_status"], status, "{id}");
    }
}

#[test]
fn a_progress_list_and_baseline_in_yaml_work_too() {
    let (_dir, site) = temp_site();
    let file = site.join("content/programmes/tianjin.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let anchor = "    quote: \"技能人才占就业人员的比例超过40%\"\n";
    let added = "    baseline: {as_of: \"2022\", value: 30, source: tianjin-report}\n    progress:\n      - {as_of: \"2024\", value: 31, source: tianjin-report, note: \"fixture\"}\n";
    std::fs::write(&file, text.replacen(anchor, &format!("{added}{anchor}"), 1)).unwrap();
    build_ok(&site);
    let rows = targets_json(&site);
    // From 30 at the end of 2022 to 40 by the end of 2025: 6.7 needed by 2024, 1 made.
    assert_eq!(
        rows["tianjin-skilled-share-2025"]["progress_status"],
        "limited"
    );
}

/// A bad table: the file, what the message names, and the row and column it must name.
struct Bad {
    name: &'static str,
    csv: String,
    expect: &'static [&'static str],
}

fn bad_cases() -> Vec<Bad> {
    let head = "target,as_of,value,source,note\n";
    let ok = "tianjin-skilled-share-2025,2023,30,tianjin-report,\n";
    vec![
        Bad {
            name: "unknown target",
            csv: format!("{head}{ok}tianjin-skiled-share-2025,2024,35,tianjin-report,\n"),
            expect: &[
                "row 3, column A (target)",
                "no target has the id",
                "tianjin-skilled-share-2025",
            ],
        },
        Bad {
            name: "duplicate date",
            csv: format!("{head}{ok}tianjin-skilled-share-2025,2023,31,tianjin-report,\n"),
            expect: &["row 3, column B (as_of)", "two observations for 2023"],
        },
        Bad {
            name: "non-numeric value",
            csv: format!("{head}{ok}tianjin-skilled-share-2025,2024,about 35,tianjin-report,\n"),
            expect: &["row 3, column C (value)", "\"about 35\" is not a number"],
        },
        Bad {
            name: "implausible share",
            csv: format!("{head}{ok}tianjin-skilled-share-2025,2024,135,tianjin-report,\n"),
            expect: &["row 3, column C (value)", "a percentage runs from 0 to 100"],
        },
        Bad {
            name: "unknown source",
            csv: format!("{head}{ok}tianjin-skilled-share-2025,2024,35,tianjin-daily,\n"),
            expect: &[
                "row 3, column D (source)",
                "\"tianjin-daily\" is not a source",
            ],
        },
        Bad {
            name: "misspelt header",
            csv: format!("target,as_of,valeu,source,note\n{ok}"),
            expect: &["row 1, column C (valeu)", "did you mean \"value\""],
        },
        Bad {
            name: "missing header",
            csv: ok.to_string(),
            expect: &["row 1, column A", "is not a column of an observation table"],
        },
    ]
}

#[test]
fn bad_tables_fail_naming_file_row_and_column_and_keep_the_output() {
    let (_dir, site) = site_with("obs.csv", csv_text(false).as_bytes());
    build_ok(&site);
    let before = tree_hash(&site.join("output"));
    let file = site.join("content/progress/obs.csv");
    for case in bad_cases() {
        std::fs::write(&file, &case.csv).unwrap();
        let (out, err) = run_on("build", &site);
        assert!(!out.status.success(), "{}: the build passed", case.name);
        assert!(
            err.contains("content/progress/obs.csv"),
            "{}: no file in {err}",
            case.name
        );
        for e in case.expect {
            assert!(err.contains(e), "{}: {e:?} not in {err}", case.name);
        }
        assert_eq!(
            tree_hash(&site.join("output")),
            before,
            "{}: output changed",
            case.name
        );
    }
}

#[test]
fn dates_outside_the_period_or_in_the_future_warn() {
    let csv = "target,as_of,value,source,note\n\
               tianjin-skilled-share-2025,2019,25,tianjin-report,\n\
               tianjin-skilled-share-2025,2999,35,tianjin-report,\n";
    let (_dir, site) = site_with("w.csv", csv.as_bytes());
    let built = build_ok(&site);
    let warnings = headlines(&built.warnings);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("row 2, column B (as_of)")
                && w.contains("before the programme's period")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("row 3, column B (as_of)") && w.contains("after today")),
        "{warnings:?}"
    );
}

#[test]
fn the_change_report_names_status_changes() {
    let first = "target,as_of,value,source,note\n\
                 tianjin-skilled-share-2025,2023,30,tianjin-report,\n\
                 tianjin-skilled-share-2025,2024,35,tianjin-report,\n";
    let (_dir, site) = site_with("c.csv", first.as_bytes());
    build_ok(&site);
    let second = format!("{first}tianjin-skilled-share-2025,2025-06,31,tianjin-report,\n");
    std::fs::write(site.join("content/progress/c.csv"), second).unwrap();
    let built = build_ok(&site);
    let text = built.changes.text();
    assert!(
        text.contains("tianjin-skilled-share-2025: on track → limited"),
        "{text}"
    );
    // The changes page names it too, in both languages, with the badges.
    let out = site.join("output");
    let en = std::fs::read_to_string(out.join("changes/index.html")).unwrap();
    assert!(en.contains("id=\"status-changes\""));
    assert!(
        en.contains("</span> On track</span> → <span class=\"status status-limited\">"),
        "{en}"
    );
    let zh = std::fs::read_to_string(out.join("zh/changes/index.html")).unwrap();
    assert!(zh.contains("</span> 进展顺利</span> → <span class=\"status status-limited\">"));
}

#[test]
fn the_documented_example_builds_and_the_documented_errors_are_real() {
    let example = std::fs::read(Path::new(CRATE).join("docs/progress-example.csv")).unwrap();
    let (_dir, site) = site_with("example.csv", &example);
    build_ok(&site);
    let rows = targets_json(&site);
    assert_eq!(
        rows["tianjin-skilled-share-2025"]["latest_as_of"],
        "2024-06"
    );
    assert_ne!(
        rows["tianjin-skilled-share-2025"]["progress_status"],
        "not_assessed"
    );
    assert_eq!(rows["suqian-training-2024"]["progress_status"], "on_track");

    // docs/progress.md quotes a real run: the same table gives the same messages.
    let doc = std::fs::read_to_string(Path::new(CRATE).join("docs/progress.md")).unwrap();
    let bad = "target,as_of,value,source,note\n\
               tianjin-skilled-share-2025,2023,30,tianjin-report,\n\
               tianjin-skiled-share-2025,2024,35,tianjin-report,\n\
               tianjin-skilled-share-2025,2024,35%,tianjin-report,\n";
    std::fs::write(site.join("content/progress/2024.csv"), bad).unwrap();
    let (out, err) = run_on("build", &site);
    assert!(!out.status.success());
    // Without whitespace: the terminal wraps long lines wherever it likes.
    let bare = |s: &str| s.split_whitespace().collect::<String>();
    let err = bare(&err);
    let quoted: Vec<&str> = doc
        .lines()
        .filter(|l| l.starts_with("× ") || l.starts_with("  help: "))
        .collect();
    assert_eq!(quoted.len(), 4, "{quoted:?}");
    for line in quoted {
        let text = bare(line.trim_start_matches("× "));
        assert!(
            err.contains(&text),
            "the doc says {text:?}; the build says {err}"
        );
    }
}

/// The browser check (tests/browser/check.mjs: Chromium, axe-core, the Nu HTML Checker) on the
/// pages that show progress, with observations: the real content has none, so its own browser
/// test never meets a progress chart or a status other than "Not assessed".
#[test]
fn pages_with_progress_pass_the_browser_check() {
    let Some(harness) = harness() else { return };
    let (dir, site) = site_with("fixture.csv", csv_text(true).as_bytes());
    let out = dir.path().join("out");
    build_into(&site, &out, Some("https://example.org/progress/check/"));
    let only = "(programmes/|charts/progress-)";
    let args = [
        "check.mjs",
        out.to_str().unwrap(),
        "/progress/check/",
        "--only",
        only,
    ];
    node(&harness, &args).assert_passed("browser check: all pages passed");
}
