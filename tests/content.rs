//! The published data's own consistency: rules checked here independently of `validate`, so
//! weakening the validator cannot let bad data through unnoticed.

use policydash::model::{FigureKind, Lang, Model};
use policydash::BuildOptions;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn model() -> Model {
    match policydash::check(&BuildOptions::new(root())) {
        Ok(c) => c.model,
        Err(f) => panic!("content/ does not validate:\n{}", f.render()),
    }
}

#[test]
fn every_figure_is_complete_and_consistent() {
    let m = model();
    let mut ids = BTreeSet::new();
    let mut quotes = 0;
    for p in &m.programmes {
        assert!(!p.sources.is_empty(), "{} has no source", p.id);
        assert!(
            p.period.start <= p.period.end,
            "{}: period runs backwards",
            p.id
        );
        assert!(!p.targets.is_empty(), "{} has no figures", p.id);
        for t in &p.targets {
            assert!(ids.insert(t.id.clone()), "duplicate id {}", t.id);
            let metric = m
                .metric(&t.metric)
                .unwrap_or_else(|| panic!("{}: unknown metric {}", t.id, t.metric));
            assert_eq!(
                metric.unit, t.unit,
                "{}: unit differs from its metric {}",
                t.id, metric.id
            );
            assert!(
                p.source(&t.source).is_some(),
                "{}: unknown source {}",
                t.id,
                t.source
            );
            assert!(
                !t.quote.trim().is_empty() && !t.quote_en.trim().is_empty(),
                "{}: no quote",
                t.id
            );
            match t.kind {
                FigureKind::Target => {
                    assert!(t.deadline.is_some(), "{}: target without deadline", t.id)
                }
                FigureKind::Status => {
                    assert!(t.as_of.is_some(), "{}: current figure without date", t.id)
                }
            }
            if let Some(max) = t.value_max {
                assert!(max >= t.value, "{}: range runs backwards", t.id);
            }
            quotes += 1;
        }
        for c in &p.commitments {
            assert!(ids.insert(c.id.clone()), "duplicate id {}", c.id);
            assert!(!c.quote.trim().is_empty(), "{}: no quote", c.id);
            quotes += 1;
        }
    }
    assert!(quotes >= 75, "only {quotes} quoted figures and commitments");
    assert!(
        m.targets().count() >= 70,
        "only {} figures",
        m.targets().count()
    );
}

#[test]
fn both_suqian_and_zhuhai_hold_many_figures() {
    // The documents' structure: these two plans carry most quantitative targets.
    let m = model();
    for id in ["suqian", "zhuhai"] {
        let n = m.programme(id).unwrap().targets.len();
        assert!(n >= 20, "{id} has only {n} figures");
    }
    let jiangmen = m.programme("jiangmen").unwrap();
    assert!(
        jiangmen
            .targets
            .iter()
            .any(|t| t.kind == FigureKind::Status && t.value == 530000.0),
        "Jiangmen's 53万 current figure is missing"
    );
}

#[test]
fn commentary_cites_the_same_figures_in_both_languages() {
    // Whether each link's number agrees with its figure is checked by the tool itself
    // (`policydash::provenance`, run by `check` above); here, the pieces' coverage.
    let m = model();
    let mut cited = 0;
    let mut per_piece: BTreeMap<(String, Lang), BTreeSet<String>> = BTreeMap::new();
    for c in &m.commentary {
        let set = per_piece.entry((c.key.clone(), c.lang)).or_default();
        for link in policydash::provenance::target_links(&c.body) {
            set.insert(link.id);
            cited += 1;
        }
    }
    assert!(cited >= 30, "the commentary cites only {cited} figures");
    // Each piece exists in both languages and cites the same figures in each.
    let keys: BTreeSet<&String> = per_piece.keys().map(|(k, _)| k).collect();
    for key in keys {
        let en = per_piece.get(&(key.clone(), Lang::En));
        let zh = per_piece.get(&(key.clone(), Lang::Zh));
        assert!(
            en.is_some() && zh.is_some(),
            "commentary {key} is not in both languages"
        );
        assert_eq!(
            en, zh,
            "commentary {key} cites different figures in en and zh"
        );
    }
    for key in [
        "overview", "method", "zhuhai", "suqian", "jiangmen", "tianjin", "lingang",
    ] {
        assert!(
            per_piece.contains_key(&(key.to_string(), Lang::En)),
            "no commentary {key}"
        );
    }
}

#[test]
fn every_value_not_written_as_such_in_its_quote_says_how_it_was_derived() {
    let m = model();
    let derived: BTreeMap<&str, &str> = m
        .targets()
        .filter_map(|(_, t)| {
            t.derivation
                .as_ref()
                .map(|d| (t.id.as_str(), d.en.as_str()))
        })
        .collect();
    // The OCR repairs of Zhuhai's copy: "38机", "50机" and "100OO".
    for id in [
        "zhuhai-high-skilled-share-2025",
        "zhuhai-dual-qualified-teachers-2025",
        "zhuhai-craftsmen-tier-10000",
    ] {
        let why = derived
            .get(id)
            .unwrap_or_else(|| panic!("{id} has no derivation"));
        assert!(why.contains("OCR"), "{id}: {why}");
    }
    for (_, t) in m.targets() {
        if let Some(d) = &t.derivation {
            assert!(
                !d.en.trim().is_empty() && !d.zh.trim().is_empty(),
                "{}",
                t.id
            );
        } else {
            let found = policydash::provenance::numbers_in(&t.quote);
            assert!(
                found.iter().any(|n| (n - t.value).abs() < 1e-9),
                "{}: {} is not in its quote and has no derivation",
                t.id,
                t.value
            );
        }
    }
}

#[test]
fn population_context_is_labelled_and_sourced() {
    let m = model();
    for id in ["zhuhai", "suqian", "jiangmen", "tianjin"] {
        let pop = m
            .population(id)
            .unwrap_or_else(|| panic!("no population for {id}"));
        assert!(pop.value > 1_000_000.0, "{id}: implausible population");
        assert!(!pop.source.en.is_empty() && !pop.source.zh.is_empty());
    }
    assert!(
        m.population("lingang").is_none(),
        "Lingang is not a census unit"
    );
    assert!(
        m.context_note.is_some(),
        "the missing Lingang figure must be explained"
    );
}

#[test]
fn quotes_are_verbatim_in_the_source_documents() {
    // The provenance check lives beside the project (shared/tools); CI always has it.
    let tool = root().join("../shared/tools/verify-quotes");
    if !tool.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ../shared/tools/verify-quotes"
        );
        eprintln!("skipped: {} not found", tool.display());
        return;
    }
    let out = std::process::Command::new(&tool)
        .arg(root().join("content"))
        .output()
        .expect("run verify-quotes");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "verify-quotes failed:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(" 0 failed"), "{text}");
    let _ = Lang::En;
}

fn commentary(m: &Model, key: &str, lang: Lang) -> String {
    m.commentary
        .iter()
        .find(|c| c.key == key && c.lang == lang)
        .unwrap_or_else(|| panic!("no commentary {key} {}", lang.code()))
        .body
        .clone()
}

fn metric_members(m: &Model, metric: &str) -> BTreeSet<String> {
    m.targets_of_metric(metric)
        .map(|(_, t)| t.id.clone())
        .collect()
}

#[test]
fn comparison_groups_hold_like_things_only() {
    let m = model();
    // In-work upskilling, yearly, in both: not Suqian's all-training total.
    assert_eq!(
        metric_members(&m, "upskilling-training"),
        BTreeSet::from([
            "jiangmen-industrial-upskilling-per-year".to_string(),
            "suqian-on-the-job-training-per-year".to_string(),
        ])
    );
    assert_eq!(
        m.targets()
            .find(|(_, t)| t.id == "suqian-training-2024")
            .unwrap()
            .1
            .metric,
        "vocational-training-total"
    );
    // Only the two 技术能手 titles are set side by side.
    let experts = metric_members(&m, "expert-titles");
    assert_eq!(
        experts,
        BTreeSet::from([
            "suqian-technical-experts-per-year".to_string(),
            "zhuhai-technical-experts-per-year".to_string(),
        ])
    );
    for (_, t) in m.targets_of_metric("expert-titles") {
        assert!(
            t.quote.contains("技術能手") || t.quote.contains("技术能手"),
            "{}",
            t.id
        );
    }
    // Lingang's training bases are not compared with Suqian's demonstration enterprise.
    assert!(
        !metric_members(&m, "training-bases").contains("suqian-production-training-base-per-year")
    );
    assert!(m.programmes_with_metric("training-bases").len() < 2);
    // Every comparison group still holds two or more places.
    for id in ["upskilling-training", "expert-titles"] {
        assert!(m.programmes_with_metric(id).len() >= 2, "{id}");
    }
}

#[test]
fn audit_corrections_are_in_both_languages() {
    let m = model();
    let target = |id: &str| m.targets().find(|(_, t)| t.id == id).unwrap().1.clone();
    // A metric chooses its Chinese measure word: bodies that are mostly employers take 家.
    let bodies = target("suqian-evaluation-bodies-per-year");
    assert!(bodies.quote.contains("50家"));
    assert_eq!(policydash::view::target_amount(&bodies, Lang::Zh), "50家");
    // The notice names no number of counties: no note says 5.
    for id in [
        "suqian-county-competitions-per-year",
        "suqian-competitions-2024",
    ] {
        let note = target(id).note.unwrap();
        for text in [&note.en, &note.zh] {
            assert!(
                !text.contains("5 counties") && !text.contains("5个县") && !text.contains("99"),
                "{id}: {text}"
            );
            assert!(text.contains("各縣(區)"), "{id}: {text}");
        }
    }
    // The yearly training quotas add up to about 25万 over three years, above the total.
    let note = target("suqian-training-2024").note.unwrap();
    assert!(
        note.en.contains("250,000") && note.en.contains("23,000"),
        "{}",
        note.en
    );
    assert!(
        note.zh.contains("25万") && note.zh.contains("2.3万"),
        "{}",
        note.zh
    );
    assert!(commentary(&m, "suqian", Lang::En).contains("250,000"));
    assert!(commentary(&m, "suqian", Lang::Zh).contains("25万"));
    assert!(!commentary(&m, "suqian", Lang::En)
        .contains("which the annual quotas elsewhere in the plan fit"));
    // Zhuhai: no "different denominator", no period "inferred from its deadlines".
    let en = commentary(&m, "zhuhai", Lang::En);
    let zh = commentary(&m, "zhuhai", Lang::Zh);
    assert!(!en.contains("different denominator") && !zh.contains("分母不同"));
    assert!(
        !en.contains("inferred from its deadlines")
            && !zh.contains("根据2024年、2025年两个目标年份推定")
    );
    assert!(en.contains("制造业当家") && zh.contains("制造业当家"));
}
