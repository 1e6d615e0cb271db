//! Search: the index `build` writes, the search box on every page, and searches run in a real
//! browser on the built site under a sub-path (tests/browser/search.mjs).

mod common;

use common::browser::{harness, node};
use common::{build_and_check_real_site, build_real_site, read, CRATE};
use policydash::model::{Lang, Model};
use policydash::search;
use policydash::urls::{Page, Urls};
use policydash::BuildOptions;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const BASE: &str = "https://example.org/search/sub/";
const PREFIX: &str = "/search/sub/";

/// One build of the real site, shared by the tests in this file.
fn site() -> &'static (PathBuf, Model, Urls) {
    static SITE: OnceLock<(PathBuf, Model, Urls)> = OnceLock::new();
    SITE.get_or_init(|| build_and_check_real_site("search-site", BASE))
}

fn html_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.path().to_path_buf())
        .collect()
}

#[test]
fn build_writes_the_index_for_both_languages() {
    let (out, model, urls) = site();
    let bundle = out.join("pagefind");
    for file in [
        "pagefind.js",
        "pagefind-worker.js",
        "pagefind-entry.json",
        "wasm.en.pagefind",
    ] {
        assert!(bundle.join(file).is_file(), "pagefind/{file} is missing");
    }
    // Only what the search page uses: not Pagefind's own interfaces.
    assert!(!bundle.join("pagefind-ui.js").exists());
    let entry: serde_json::Value =
        serde_json::from_str(&read(&bundle.join("pagefind-entry.json"))).unwrap();
    let records = search::records(model, urls);
    for lang in [Lang::En, Lang::Zh] {
        let count = records.iter().filter(|r| r.lang == lang).count();
        assert_eq!(
            entry["languages"][lang.code()]["page_count"].as_u64(),
            Some(count as u64),
            "{entry}"
        );
        let hash = entry["languages"][lang.code()]["hash"].as_str().unwrap();
        assert!(bundle.join(format!("pagefind.{hash}.pf_meta")).is_file());
    }
    // Chunked: the words are split over several index files, one fragment per record.
    let count = |dir: &str| std::fs::read_dir(bundle.join(dir)).unwrap().count();
    assert!(count("index") >= 2, "{} index chunks", count("index"));
    assert_eq!(count("fragment"), records.len());

    for lang in [Lang::En, Lang::Zh] {
        let html = read(&out.join(urls.page_file(&Page::Search, lang)));
        assert!(
            html.contains(&format!("data-bundle=\"{PREFIX}pagefind/\"")),
            "{html}"
        );
        assert!(html.contains(&format!("src=\"{PREFIX}static/search.js\"")));
        assert!(html.contains("id=\"search-no-js\""));
    }
    assert!(out.join("static/search.js").is_file());
    // One shard per language: nothing to merge.
    let shards: serde_json::Value =
        serde_json::from_str(&read(&bundle.join("shards.json"))).unwrap();
    assert_eq!(shards, serde_json::json!({"en": [], "zh": []}));
}

#[test]
fn every_page_has_a_search_box_that_works_without_javascript() {
    let (out, _, _) = site();
    let mut checked = 0;
    for file in html_files(out) {
        let rel = file
            .strip_prefix(out)
            .unwrap()
            .to_string_lossy()
            .to_string();
        // Embed pages are charts made to be framed: no header at all.
        if rel.starts_with("embed/") || rel.starts_with("zh/embed/") {
            continue;
        }
        let action = if rel.starts_with("zh/") {
            format!("{PREFIX}zh/search/")
        } else {
            format!("{PREFIX}search/")
        };
        let html = read(&file);
        let form = format!(
            "<form class=\"site-search\" role=\"search\" action=\"{action}\" method=\"get\">"
        );
        assert!(html.contains(&form), "{rel} has no search box for {action}");
        assert!(html.contains("name=\"q\""), "{rel}");
        checked += 1;
    }
    assert!(checked > 50, "only {checked} pages");
}

#[test]
fn every_figure_has_a_record_linking_to_its_permalink() {
    let (_, model, urls) = site();
    let records = search::records(model, urls);
    for lang in [Lang::En, Lang::Zh] {
        let folder = if lang == Lang::Zh { "/zh" } else { "" };
        for (p, t) in model.targets() {
            let url = format!("{folder}/programmes/{}/#t-{}", p.id, t.id);
            let (r, s) = records
                .iter()
                .filter(|r| r.lang == lang)
                .flat_map(|r| r.sections.iter().map(move |s| (r, s)))
                .find(|(r, s)| r.section_url(s) == url)
                .unwrap_or_else(|| panic!("no {} record for {url}", lang.code()));
            assert_eq!(r.kind, "programme");
            assert_eq!(s.kind, "figure");
            assert_eq!(s.quote.as_deref(), Some(t.quote.as_str()));
            assert!(s.value.as_deref().is_some_and(|v| !v.is_empty()));
            assert!(s.title.contains(t.label.get(lang)), "{}", s.title);
            // Both languages' words: the clause and its English rendering.
            assert!(s.text.contains(&t.quote_en), "{url}");
        }
        for p in &model.programmes {
            let url = format!("{folder}/programmes/{}/", p.id);
            assert!(records
                .iter()
                .any(|r| r.lang == lang && r.url == url && r.kind == "programme"));
            for c in &p.commitments {
                let url = format!("{url}#c-{}", c.id);
                assert!(
                    records.iter().any(|r| r.lang == lang
                        && r.sections.iter().any(|s| r.section_url(s) == url
                            && s.kind == "commitment"
                            && s.quote.as_deref() == Some(c.quote.as_str()))),
                    "{url}"
                );
            }
            for s in &p.sources {
                let url = format!("{folder}/sources/#s-{}", s.id);
                assert!(records.iter().any(|r| r.lang == lang && r.url == url));
            }
        }
        for c in model.commentary_for(lang) {
            let url = format!("{folder}/commentary/{}/", c.key);
            assert!(
                records.iter().any(|r| r.lang == lang && r.url == url),
                "{url}"
            );
        }
        for m in model.shared_metrics() {
            let url = format!("{folder}/metrics/{}/", m.id);
            assert!(
                records.iter().any(|r| r.lang == lang && r.url == url),
                "{url}"
            );
        }
        // A metric only one programme measures has no page: it is a section of the metrics
        // index's record, linking to its line.
        let single: Vec<_> = model
            .metrics
            .iter()
            .filter(|m| model.programmes_with_metric(&m.id).len() == 1)
            .collect();
        assert!(!single.is_empty());
        for m in single {
            let url = format!("{folder}/metrics/#m-{}", m.id);
            assert!(
                records.iter().any(|r| r.lang == lang
                    && r.kind == "metric"
                    && r.sections.iter().any(|s| r.section_url(s) == url
                        && s.kind == "metric"
                        && s.title == m.name.get(lang))),
                "{url}"
            );
            assert!(!records.iter().any(|r| r.url == url), "{url}");
        }
    }
}

#[test]
fn traditional_clauses_are_found_with_simplified_characters() {
    let (_, model, urls) = site();
    let records = search::records(model, urls);
    let (_, t) = model
        .targets()
        .find(|(_, t)| t.id == "suqian-apprenticeships-2024")
        .expect("Suqian's apprentices figure");
    assert!(
        t.quote.contains("學徒"),
        "the source clause is in Traditional characters"
    );
    let mut found = 0;
    for r in &records {
        let Some(s) = r
            .sections
            .iter()
            .find(|s| s.anchor == "t-suqian-apprenticeships-2024")
        else {
            continue;
        };
        found += 1;
        // The section as Pagefind reads it (its clause, with a Simplified rendering, is on
        // lines of the indexed document).
        let html = search::document(r);
        let words: Vec<&str> = html.split_whitespace().collect();
        match r.lang {
            // Pagefind splits Chinese records itself.
            Lang::Zh => assert!(html.contains("学徒"), "{html}"),
            // English records hold Chinese already split, so 学徒 is a word of its own.
            _ => assert!(words.iter().any(|w| w.starts_with("学徒")), "{}", s.anchor),
        }
    }
    assert_eq!(found, 2, "one section in each language");
}

/// The browser check (tests/browser/search.mjs) of the site in `out`, with `cases` instead of
/// its own when given; asserts that all of `expected` checks pass.
fn search_in_browser(harness: &Path, out: &Path, cases: Option<&str>, expected: usize) {
    let mut args = vec!["search.mjs", out.to_str().unwrap(), PREFIX];
    if let Some(cases) = cases {
        args.extend(["--cases", cases]);
    }
    node(harness, &args).assert_passed(&format!("\n{expected} passed, 0 failed"));
}

/// 学徒 finds Suqian from both search pages, "apprentices" Suqian and Lingang, 工匠 Zhuhai, a
/// place name its programme page; each in the language of the search page, on the site served
/// under a sub-path, with no console error, request to another site, axe finding or vnu error
/// once results are shown (see tests/browser/search.mjs).
#[test]
fn searches_in_a_browser_find_places_figures_and_clauses() {
    let Some(harness) = harness() else { return };
    let (out, _, _) = site();
    // search.mjs serves the folder itself under PREFIX, as a plain static host would.
    search_in_browser(&harness, out, None, 12);
}

/// At most this many records of a language in a shard, in the sharded copy of the real site:
/// small, so that its few dozen records make several shards.
const SMALL_SHARD: usize = 8;

/// The real site built again, its index then made anew in shards of at most `SMALL_SHARD`
/// records (written over the one the build wrote): (output, shards per language).
fn sharded_site() -> &'static (PathBuf, Vec<usize>) {
    static SITE: OnceLock<(PathBuf, Vec<usize>)> = OnceLock::new();
    SITE.get_or_init(|| {
        let out = build_real_site("search-sharded", BASE);
        std::fs::remove_dir_all(out.join("pagefind")).unwrap();
        let (_, model, urls) = site();
        let shards = search::write_index(model, urls, SMALL_SHARD, &|f| {
            let path = out.join(&f.path);
            std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
            std::fs::write(&path, &f.bytes).map_err(|e| e.to_string())
        })
        .unwrap();
        (out, shards)
    })
}

/// The records of `lang` in the last of `shards` shards: records are dealt to the shards in
/// turn, so record `i` is in shard `i % shards`.
fn last_shard(records: &[search::Record], lang: Lang, shards: usize) -> Vec<&search::Record> {
    records
        .iter()
        .filter(|r| r.lang == lang)
        .enumerate()
        .filter(|(i, _)| i % shards == shards - 1)
        .map(|(_, r)| r)
        .collect()
}

/// A site with more records than a shard holds gets several shards per language, each a
/// bundle of its own with only its index (the script and WebAssembly are the first shard's),
/// listed for the search page; together they hold every record once.
#[test]
fn a_large_index_is_made_in_shards_that_hold_every_record_once() {
    let (out, shards) = sharded_site();
    let (_, model, urls) = site();
    let records = search::records(model, urls);
    let bundle = out.join("pagefind");
    let list: serde_json::Value = serde_json::from_str(&read(&bundle.join("shards.json"))).unwrap();
    let first: serde_json::Value =
        serde_json::from_str(&read(&bundle.join("pagefind-entry.json"))).unwrap();
    for (lang, &n) in [Lang::En, Lang::Zh].iter().zip(shards) {
        let count = records.iter().filter(|r| r.lang == *lang).count();
        assert_eq!(n, count.div_ceil(SMALL_SHARD), "{lang:?}: {count} records");
        assert!(n >= 3, "{lang:?}: {n} shards of {count} records");
        let folders: Vec<String> = (1..n).map(|k| format!("{}-{k}/", lang.code())).collect();
        assert_eq!(list[lang.code()], serde_json::json!(folders));
        let mut held = first["languages"][lang.code()]["page_count"]
            .as_u64()
            .unwrap() as usize;
        for folder in &folders {
            let dir = bundle.join(folder);
            let entry: serde_json::Value =
                serde_json::from_str(&read(&dir.join("pagefind-entry.json"))).unwrap();
            let languages = entry["languages"].as_object().unwrap();
            assert_eq!(languages.len(), 1, "{folder}: {entry}");
            let page_count = languages[lang.code()]["page_count"].as_u64().unwrap() as usize;
            assert!(page_count <= SMALL_SHARD, "{folder}: {page_count} records");
            let hash = languages[lang.code()]["hash"].as_str().unwrap();
            assert!(dir.join(format!("pagefind.{hash}.pf_meta")).is_file());
            let fragments = std::fs::read_dir(dir.join("fragment")).unwrap().count();
            assert_eq!(fragments, page_count, "{folder}");
            assert!(!dir.join("pagefind.js").exists());
            assert!(!dir.join(format!("wasm.{}.pagefind", lang.code())).exists());
            held += page_count;
        }
        assert_eq!(held, count, "{lang:?}");
    }
}

/// The search page searches every shard as one: it finds a record that only the last shard
/// holds, in each language, and still ranks a place's programme page among the first
/// results from all shards.
#[test]
fn searches_in_a_browser_find_records_in_every_shard() {
    let Some(harness) = harness() else { return };
    let (out, shards) = sharded_site();
    let (_, model, urls) = site();
    let records = search::records(model, urls);
    let mut cases = Vec::new();
    for (lang, &n) in [Lang::En, Lang::Zh].iter().zip(shards) {
        // A record without sections: its result links to the record itself.
        let last = last_shard(&records, *lang, n);
        let record = last
            .iter()
            .rev()
            .find(|r| r.sections.is_empty())
            .expect("a record without sections in the last shard");
        let page = if *lang == Lang::Zh { "zh/" } else { "" };
        cases.push(serde_json::json!({
            "query": record.title,
            "page": page,
            "expect": [record.url.trim_start_matches('/')],
            "exact": true,
        }));
    }
    // A metric only one programme measures: its result is a section of the metrics index's
    // record, linking to its line there.
    for lang in [Lang::En, Lang::Zh] {
        let (record, section) = records
            .iter()
            .filter(|r| r.lang == lang)
            .flat_map(|r| r.sections.iter().map(move |s| (r, s)))
            .find(|(_, s)| s.kind == "metric")
            .expect("a metric on the metrics index");
        cases.push(serde_json::json!({
            "query": section.title,
            "page": if lang == Lang::Zh { "zh/" } else { "" },
            "expect": [record.section_url(section).trim_start_matches('/')],
            "exact": true,
        }));
    }
    // Pagefind weighs a word by its rarity within each shard, so the order of the best results
    // can differ from one index's (here the commentary on Jiangmen comes first): a place's
    // programme page stays among the first two.
    for (query, page, url) in [
        ("Jiangmen", "", "programmes/jiangmen/"),
        ("江门", "zh/", "zh/programmes/jiangmen/"),
    ] {
        cases.push(serde_json::json!({
            "query": query, "page": page, "expect": [url], "exact": true, "top": 2,
        }));
    }
    cases.push(serde_json::json!({
        "query": "学徒", "page": "zh/", "expect": ["zh/programmes/suqian/#t-"],
    }));
    let json = serde_json::to_string(&cases).unwrap();
    search_in_browser(&harness, out, Some(&json), cases.len() + 2);
}

/// The index of a generated site of `n` programmes: (records, files, fragment files, bytes).
fn index_of_generated(n: usize) -> (usize, usize, usize, usize) {
    let dir = tempfile::tempdir().unwrap();
    policydash::synth::generate(Path::new(CRATE), dir.path(), n).unwrap();
    let checked = policydash::check(&BuildOptions::new(dir.path()))
        .unwrap_or_else(|f| panic!("{}", f.render()));
    assert_eq!(checked.model.programmes.len(), n);
    let records = search::records(&checked.model, &checked.urls).len();
    let files = search::index(&checked.model, &checked.urls).unwrap();
    let fragments = files
        .iter()
        .filter(|f| f.path.starts_with("pagefind/fragment/"))
        .count();
    let bytes = files.iter().map(|f| f.bytes.len()).sum();
    (records, files.len(), fragments, bytes)
}

/// The index grows linearly with the number of programmes, and by little per programme: a
/// programme's figures and commitments are sections of its page's record (sub-results), not
/// records of their own, so a programme adds a handful of records and files, never one per
/// figure. Counts and sizes only.
#[test]
fn the_index_grows_linearly_and_stays_small_per_programme() {
    let (r20, f20, frag20, b20) = index_of_generated(20);
    let (r60, f60, frag60, b60) = index_of_generated(60);
    println!("20 programmes: {r20} records, {f20} files ({frag20} fragments), {b20} bytes");
    println!("60 programmes: {r60} records, {f60} files ({frag60} fragments), {b60} bytes");
    // One fragment per record.
    assert_eq!(frag20, r20);
    assert_eq!(frag60, r60);
    // Per added programme, in both languages together: its page, its sources and its
    // commentary (about 30 figures each would be over 60 records).
    let per = |a: usize, b: usize| (b - a) as f64 / 40.0;
    assert!(
        per(r20, r60) <= 8.0,
        "{} records per programme",
        per(r20, r60)
    );
    assert!(
        per(f20, f60) <= 10.0,
        "{} files per programme",
        per(f20, f60)
    );
    assert!(
        per(b20, b60) <= 30_000.0,
        "{} bytes per programme",
        per(b20, b60)
    );
    // Linear: the second 40 programmes cost no more per programme than the first 20 (with a
    // margin for the index chunks, which are filled to a size).
    assert!(
        (f60 as f64) <= 3.0 * f20 as f64 * 1.1,
        "{f20} files at 20, {f60} at 60"
    );
    assert!(
        (b60 as f64) <= 3.0 * b20 as f64 * 1.1,
        "{b20} bytes at 20, {b60} at 60"
    );
}
