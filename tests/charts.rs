//! Charts: every SVG in the output is well-formed and accessible, every chart's table and CSV
//! hold the numbers of the data, pages show their charts, and data text is escaped.
//!
//! The real content/ is built, without its commentary (which is edited separately); a small
//! commentary page of our own places charts with shortcodes.

use policydash::chart::Kind;
use policydash::downloads::Row;
use policydash::model::{Category, FigureKind, Lang, Model, Target};
mod common;

use common::{build_into, copy_dir, BIN, CRATE};
use policydash::view;
use policydash::{check, BuildOptions};
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const COMMENTARY: &str = "---\ntitle: \"Charts in commentary\"\nsummary: \"Charts placed with shortcodes.\"\ndate: \"2026-11-22\"\nlanguage: en\ntranslation: charts-test\n---\nThe skilled share:\n\n{{ chart(metric=\"skilled-share\") }}\n\nAnd the timeline:\n\n{{ chart(id=\"timeline\") }}\n";

/// A site folder holding the real content with our commentary instead of the real one.
fn site(edit: impl Fn(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(CRATE).join("content"),
        &dir.path().join("content"),
        &|rel| rel.starts_with("commentary"),
    );
    let commentary = dir.path().join("content/commentary");
    fs::create_dir_all(&commentary).unwrap();
    fs::write(commentary.join("charts-test.en.md"), COMMENTARY).unwrap();
    edit(dir.path());
    dir
}

fn built(edit: impl Fn(&Path)) -> (tempfile::TempDir, PathBuf) {
    let dir = site(edit);
    let out = dir.path().join("out");
    build_into(dir.path(), &out, None);
    (dir, out)
}

fn model_of(root: &Path) -> (Model, Vec<policydash::chart::Spec>) {
    match check(&BuildOptions::new(root)) {
        Ok(c) => {
            let specs = c.charts.specs().cloned().collect();
            (c.model, specs)
        }
        Err(f) => panic!("check failed:\n{}", f.render()),
    }
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().and_then(|x| x.to_str()) == Some(ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// What an SVG says to assistive technology.
#[derive(Debug, Default)]
struct SvgFacts {
    role: String,
    labelledby: Vec<String>,
    font_family: String,
    /// id → text of the `<title>` and `<desc>` elements.
    texts: BTreeMap<String, String>,
    title_id: Option<String>,
    desc_id: Option<String>,
    text_content: String,
}

/// Parses one SVG document as XML (any error fails) and collects its accessibility facts.
fn parse_svg(xml: &str, what: &str) -> SvgFacts {
    let mut reader = Reader::from_str(xml);
    let mut facts = SvgFacts::default();
    let mut stack: Vec<(String, Option<String>)> = Vec::new();
    let mut current = String::new();
    loop {
        let ev = reader
            .read_event()
            .unwrap_or_else(|e| panic!("{what}: not well-formed XML: {e}"));
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let mut id = None;
                for a in e.attributes() {
                    let a = a.unwrap_or_else(|err| panic!("{what}: bad attribute: {err}"));
                    let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                    let value = a.unescape_value().unwrap().to_string();
                    if name == "svg" && stack.is_empty() {
                        match key.as_str() {
                            "role" => facts.role = value.clone(),
                            "aria-labelledby" => {
                                facts.labelledby =
                                    value.split_whitespace().map(String::from).collect()
                            }
                            "font-family" => facts.font_family = value.clone(),
                            _ => {}
                        }
                    }
                    if key == "id" {
                        id = Some(value);
                    }
                }
                if name == "title" && facts.title_id.is_none() {
                    facts.title_id = id.clone();
                }
                if name == "desc" && facts.desc_id.is_none() {
                    facts.desc_id = id.clone();
                }
                // Self-closing elements have no End event.
                if !empty {
                    stack.push((name, id));
                }
                current.clear();
            }
            Event::End(_) => {
                let (name, id) = stack.pop().unwrap();
                if name == "title" || name == "desc" {
                    if let Some(id) = id {
                        facts.texts.insert(id, current.trim().to_string());
                    }
                }
                current.clear();
            }
            Event::Text(t) => {
                let s = t.decode().unwrap();
                current.push_str(&s);
                facts.text_content.push_str(&s);
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => match r.decode().unwrap().as_ref() {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => panic!("{what}: unknown entity &{other};"),
                    },
                };
                current.push_str(&c);
                facts.text_content.push_str(&c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    facts
}

/// The checks every chart passes; a standalone file also names its fonts (inline charts take
/// the page's, checked in `inline_charts_take_the_pages_cjk_fonts`).
fn check_accessible(facts: &SvgFacts, what: &str) {
    check_described(facts, what);
    assert!(
        facts.font_family.contains("Noto Sans CJK SC") && facts.font_family.ends_with("sans-serif"),
        "{what}: font-family must name a CJK fallback stack: {}",
        facts.font_family
    );
}

fn check_described(facts: &SvgFacts, what: &str) {
    assert_eq!(facts.role, "img", "{what}: role");
    let title = facts
        .title_id
        .clone()
        .unwrap_or_else(|| panic!("{what}: no <title> id"));
    let desc = facts
        .desc_id
        .clone()
        .unwrap_or_else(|| panic!("{what}: no <desc> id"));
    assert!(
        facts.labelledby.contains(&title) && facts.labelledby.contains(&desc),
        "{what}: aria-labelledby {:?} must name the title and the description",
        facts.labelledby
    );
    assert!(
        facts.texts.get(&title).is_some_and(|t| t.len() > 5),
        "{what}: empty <title>"
    );
    assert!(
        facts.texts.get(&desc).is_some_and(|t| t.len() > 10),
        "{what}: empty <desc>"
    );
}

#[test]
fn inline_charts_take_the_pages_cjk_fonts() {
    // Inline SVG text inherits the page's font-family: the theme names the CJK fallbacks.
    let css = fs::read_to_string(Path::new(CRATE).join("themes/default/static/style.css")).unwrap();
    let root = &css[css.find(":root {").expect("a :root rule")..];
    let root = &root[..root.find('}').unwrap()];
    let family = root
        .split("font-family:")
        .nth(1)
        .expect("the page's font-family");
    let family = &family[..family.find(';').unwrap()];
    assert!(
        family.contains("Noto Sans CJK SC") && family.trim().ends_with("sans-serif"),
        "{family}"
    );
    assert!(
        !css.contains(".chart-svg { font-family") && !css.contains("svg { font-family"),
        "nothing overrides it for charts"
    );
}

/// Every `<svg>…</svg>` in an HTML page.
fn inline_svgs(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<svg ") {
        let end = rest[i..].find("</svg>").expect("unclosed svg") + i + "</svg>".len();
        out.push(&rest[i..end]);
        rest = &rest[end..];
    }
    out
}

#[test]
fn every_svg_parses_and_is_accessible() {
    let (_dir, out) = built(|_| {});
    let svg_files = files(&out, "svg");
    let chart_files: Vec<_> = svg_files
        .iter()
        .filter(|p| p.to_string_lossy().contains("/charts/"))
        .collect();
    assert!(chart_files.len() >= 20, "{} chart files", chart_files.len());
    for f in &chart_files {
        let text = fs::read_to_string(f).unwrap();
        let facts = parse_svg(&text, &f.display().to_string());
        check_accessible(&facts, &f.display().to_string());
    }
    let mut inline = 0;
    for page in files(&out, "html") {
        let html = fs::read_to_string(&page).unwrap();
        let svgs = inline_svgs(&html);
        for svg in &svgs {
            let what = format!("inline svg in {}", page.display());
            check_described(&parse_svg(svg, &what), &what);
            inline += 1;
        }
        // Ids stay unique on a page with several charts.
        let mut ids = BTreeSet::new();
        for part in html.split(" id=\"").skip(1) {
            let id = &part[..part.find('"').unwrap()];
            assert!(
                ids.insert(id.to_string()),
                "id {id:?} twice in {}",
                page.display()
            );
        }
    }
    assert!(inline > 40, "{inline} inline charts");
}

/// The target ids a chart must show, computed here from the model.
fn expected_targets<'a>(model: &'a Model, kind: &Kind) -> Vec<&'a Target> {
    let keep = |t: &Target| match kind {
        Kind::Metric(m) => &t.metric == m,
        Kind::Tiers => t.tier.is_some(),
        _ => false,
    };
    model
        .targets()
        .map(|(_, t)| t)
        .filter(|t| keep(t))
        .collect()
}

fn read_csv<T: serde::de::DeserializeOwned>(path: &Path) -> Vec<T> {
    let bytes = fs::read(path).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("CSV starts with a BOM");
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .map(|r| r.unwrap())
        .collect()
}

/// The `data-key`/`data-value` pairs of each row of a chart's table on a page.
fn table_rows(html: &str, id: &str) -> Vec<BTreeMap<String, f64>> {
    let start = html
        .find(&format!("data-chart=\"{id}\""))
        .unwrap_or_else(|| panic!("no table for {id}"));
    let end = start + html[start..].find("</table>").unwrap();
    let body = &html[start..end];
    let body = &body[body.find("<tbody>").unwrap()..];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let mut m = BTreeMap::new();
            for cell in row.split("data-key=\"").skip(1) {
                let key = &cell[..cell.find('"').unwrap()];
                let v = cell.split("data-value=\"").nth(1).unwrap();
                let v: f64 = v[..v.find('"').unwrap()].parse().unwrap();
                m.insert(key.to_string(), v);
            }
            m
        })
        .collect()
}

fn page_html(out: &Path, page: &policydash::urls::Page, lang: Lang, model: &Model) -> String {
    let urls =
        policydash::urls::Urls::with_lang(&model.site.base_url, model.site.default_lang()).unwrap();
    fs::read_to_string(out.join(urls.page_file(page, lang))).unwrap()
}

#[test]
fn tables_and_csv_hold_the_numbers_of_the_data() {
    let (dir, out) = built(|_| {});
    let (model, specs) = model_of(dir.path());
    assert!(specs.iter().any(|s| s.id == "timeline"));
    assert!(specs.iter().any(|s| s.id == "craftsman-tiers"));
    for m in model.shared_metrics() {
        assert!(specs.iter().any(|s| s.id == format!("metric-{}", m.id)));
    }
    for spec in &specs {
        // Every chart has a CSV of its own; a metric's figures are no other CSV file (their
        // full rows are in the site-wide one).
        let csv_path = out.join(policydash::chart::csv_path(spec));
        let own = out.join(format!("data/charts/{}.csv", spec.id));
        assert_eq!(csv_path, own);
        if let Kind::Metric(m) = &spec.kind {
            assert!(!out.join(format!("data/metrics/{m}.csv")).exists());
            assert!(out.join(format!("data/metrics/{m}.json")).exists());
        }
        let page = spec.pages[0].clone();
        match &spec.kind {
            Kind::Standing(id) => {
                // Each figure's rank, computed here from the model: 1 + the figures of the
                // same metric, unit and kind with a higher value.
                #[derive(serde::Deserialize)]
                struct R {
                    programme: String,
                    target_id: String,
                    value: f64,
                    rank: usize,
                    places: usize,
                }
                let rows: Vec<R> = read_csv(&csv_path);
                assert!(!rows.is_empty(), "{}: no rows", spec.id);
                let all: Vec<&Target> = model.targets().map(|(_, t)| t).collect();
                for r in &rows {
                    assert_eq!(&r.programme, id);
                    let t = all.iter().find(|t| t.id == r.target_id).unwrap();
                    let peers: Vec<&&Target> = all
                        .iter()
                        .filter(|x| x.metric == t.metric && x.unit == t.unit && x.kind == t.kind)
                        .collect();
                    assert_eq!(r.value, t.value);
                    assert_eq!(r.places, peers.len(), "{}: {}", spec.id, t.id);
                    let higher = peers.iter().filter(|x| x.value > t.value).count();
                    assert_eq!(r.rank, higher + 1, "{}: {}", spec.id, t.id);
                }
                // The description counts the figures by where they fall, computed here too.
                let p = model.programme(id).unwrap();
                let top = rows.iter().filter(|r| r.rank == 1).count();
                let svg = fs::read_to_string(out.join(format!("charts/{}.svg", spec.id))).unwrap();
                let facts = parse_svg(&svg, &spec.id);
                let desc = &facts.texts[facts.desc_id.as_ref().unwrap()];
                let n = rows.len();
                assert!(desc.contains(&p.place.en), "{desc}");
                assert!(
                    desc.contains(&format!("{n} figure{}", if n == 1 { "" } else { "s" })),
                    "{}: {desc}",
                    spec.id
                );
                if top > 0 {
                    assert!(
                        desc.contains(&format!("{top} highest of all places")),
                        "{desc}"
                    );
                }
                for lang in [Lang::En, Lang::Zh] {
                    let html = page_html(&out, &page, lang, &model);
                    let table = table_rows(&html, &spec.id);
                    assert_eq!(table.len(), rows.len(), "{}: table rows", spec.id);
                    for (row, r) in table.iter().zip(&rows) {
                        assert_eq!(row["rank"], r.rank as f64);
                        assert_eq!(row["value"], r.value);
                        assert_eq!(row["places"], r.places as f64);
                    }
                }
            }
            Kind::Metric(_) | Kind::Tiers => {
                let want = expected_targets(&model, &spec.kind);
                // A comparison's CSV has the columns that place and measure each figure.
                #[derive(serde::Deserialize)]
                struct Numbers {
                    target_id: String,
                    metric: String,
                    value: f64,
                    value_max: Option<f64>,
                    unit: String,
                }
                let rows: Vec<Numbers> = match spec.kind {
                    Kind::Tiers => read_csv::<Row>(&csv_path)
                        .into_iter()
                        .map(|r| Numbers {
                            target_id: r.target_id,
                            metric: r.metric,
                            value: r.value,
                            value_max: r.value_max,
                            unit: r.unit,
                        })
                        .collect(),
                    _ => read_csv(&csv_path),
                };
                let got: BTreeSet<&str> = rows.iter().map(|r| r.target_id.as_str()).collect();
                let want_ids: BTreeSet<&str> = want.iter().map(|t| t.id.as_str()).collect();
                assert_eq!(got, want_ids, "{}: the CSV's figures", spec.id);
                for r in &rows {
                    let t = want.iter().find(|t| t.id == r.target_id).unwrap();
                    assert_eq!(r.value, t.value, "{} {}", spec.id, t.id);
                    assert_eq!(r.value_max, t.value_max, "{} {}", spec.id, t.id);
                    assert_eq!(r.unit, t.unit.id());
                    assert_eq!(r.metric, t.metric);
                }
                for lang in [Lang::En, Lang::Zh] {
                    let html = page_html(&out, &page, lang, &model);
                    let table = table_rows(&html, &spec.id);
                    assert_eq!(table.len(), want.len(), "{}: table rows", spec.id);
                    // Same figures, same numbers; the table is in the chart's order, which for
                    // tiers is rung by rung.
                    let mut got: Vec<f64> = table.iter().map(|r| r["value"]).collect();
                    let mut exp: Vec<f64> = want.iter().map(|t| t.value).collect();
                    got.sort_by(f64::total_cmp);
                    exp.sort_by(f64::total_cmp);
                    assert_eq!(got, exp, "{}: table values", spec.id);
                    for (row, t) in table.iter().zip(order(&want, &spec.kind)) {
                        assert_eq!(row["value"], t.value, "{} {}", spec.id, t.id);
                        if let Some(tier) = t.tier.filter(|_| spec.kind == Kind::Tiers) {
                            assert_eq!(row["tier"], tier as f64);
                        }
                        let (p, _) = model.targets().find(|(_, x)| x.id == t.id).unwrap();
                        match view::per_100k_value(&model, p, t) {
                            Some(v) => assert!(
                                (row["per-100k"] - v).abs() < 0.01,
                                "{} {}: per 100k {} vs {v}",
                                spec.id,
                                t.id,
                                row["per-100k"]
                            ),
                            None => assert!(!row.contains_key("per-100k")),
                        }
                    }
                }
            }
            Kind::Programme(id) => {
                #[derive(serde::Deserialize)]
                struct R {
                    programme: String,
                    category: String,
                    targets: usize,
                    current_figures: usize,
                }
                let p = model.programme(id).unwrap();
                let rows: Vec<R> = read_csv(&csv_path);
                let mut total = 0;
                for r in &rows {
                    assert_eq!(&r.programme, id);
                    let cat = Category::ALL.iter().find(|c| c.id() == r.category).unwrap();
                    let in_cat: Vec<&Target> = p
                        .targets
                        .iter()
                        .filter(|t| model.metric(&t.metric).unwrap().category == *cat)
                        .collect();
                    let targets = in_cat
                        .iter()
                        .filter(|t| t.kind == FigureKind::Target)
                        .count();
                    assert_eq!(r.targets, targets, "{}: {}", spec.id, r.category);
                    assert_eq!(r.current_figures, in_cat.len() - targets);
                    total += r.targets + r.current_figures;
                }
                assert_eq!(total, p.targets.len(), "{}: every figure counted", spec.id);
                let html = page_html(&out, &page, Lang::En, &model);
                let table = table_rows(&html, &spec.id);
                assert_eq!(table.len(), rows.len());
                for (row, r) in table.iter().zip(&rows) {
                    assert_eq!(row["targets"], r.targets as f64);
                }
            }
            // Checked with observations in tests/progress.rs (the real content has none).
            Kind::Progress(_) => {}
            Kind::Timeline => {
                #[derive(serde::Deserialize)]
                struct R {
                    programme: String,
                    period_start: String,
                    period_end: String,
                    figures: usize,
                }
                let rows: Vec<R> = read_csv(&csv_path);
                for p in &model.programmes {
                    let mine: Vec<&R> = rows.iter().filter(|r| r.programme == p.id).collect();
                    let n: usize = mine.iter().map(|r| r.figures).sum();
                    assert_eq!(n, p.targets.len(), "timeline: {}", p.id);
                    for r in mine {
                        assert_eq!(r.period_start, p.period.start.to_string());
                        assert_eq!(r.period_end, p.period.end.to_string());
                    }
                }
                let html = page_html(&out, &page, Lang::En, &model);
                let table = table_rows(&html, &spec.id);
                let n: f64 = table
                    .iter()
                    .map(|r| r["targets"] + r["current-figures"])
                    .sum();
                assert_eq!(n as usize, model.targets().count());
            }
        }
    }
}

/// The chart's order of figures: rung by rung for tiers, file order otherwise.
fn order<'a>(want: &[&'a Target], kind: &Kind) -> Vec<&'a Target> {
    let mut v = want.to_vec();
    if *kind == Kind::Tiers {
        v.sort_by_key(|t| t.tier);
    }
    v
}

#[test]
fn descriptions_state_every_figure() {
    let (dir, out) = built(|_| {});
    let (model, specs) = model_of(dir.path());
    for spec in specs
        .iter()
        .filter(|s| matches!(s.kind, Kind::Metric(_) | Kind::Tiers))
    {
        for (lang, file) in [
            (Lang::En, format!("charts/{}.svg", spec.id)),
            (Lang::Zh, format!("zh/charts/{}.svg", spec.id)),
        ] {
            let svg = fs::read_to_string(out.join(&file)).unwrap();
            let facts = parse_svg(&svg, &file);
            let desc = &facts.texts[facts.desc_id.as_ref().unwrap()];
            for t in expected_targets(&model, &spec.kind) {
                let (p, _) = model.targets().find(|(_, x)| x.id == t.id).unwrap();
                let number = view::number(t.value, lang);
                assert!(desc.contains(p.place.name(lang)), "{file}: {desc}");
                assert!(desc.contains(&number), "{file}: no {number} in {desc}");
                if let Some(d) = t.date() {
                    assert!(desc.contains(&view::date_text(d, lang)), "{file}: {desc}");
                }
            }
        }
    }
    // The example of the issue, word for word apart from the comparator's wording.
    let svg = fs::read_to_string(out.join("charts/metric-skilled-share.svg")).unwrap();
    let facts = parse_svg(&svg, "skilled-share");
    let desc = &facts.texts[facts.desc_id.as_ref().unwrap()];
    assert!(desc.contains("aims for"), "{desc}");
    assert!(desc.contains("40% by 2025"), "{desc}");
}

#[test]
fn pages_show_their_charts_with_table_sources_and_links() {
    let (dir, out) = built(|_| {});
    let (model, specs) = model_of(dir.path());
    use policydash::urls::Page;
    // The pages that carry charts: the home page, each programme and each comparison.
    let pages: Vec<Page> = policydash::render::pages::all_pages(&model)
        .into_iter()
        .filter(|p| matches!(p, Page::Home | Page::Programme(_) | Page::Metric(_)))
        .collect();
    for page in &pages {
        for lang in [Lang::En, Lang::Zh] {
            let html = page_html(&out, page, lang, &model);
            let on_page: Vec<_> = specs.iter().filter(|s| s.pages.contains(page)).collect();
            assert!(!on_page.is_empty(), "{page:?} has no chart");
            for spec in on_page {
                let start = html
                    .find(&format!("<figure class=\"chart\" id=\"chart-{}\"", spec.id))
                    .unwrap_or_else(|| panic!("{page:?} {lang:?}: no {}", spec.id));
                let block = &html[start..start + html[start..].find("</figure>").unwrap()];
                assert!(block.contains("<table class=\"chart-data\""), "{}", spec.id);
                assert!(block.contains("class=\"chart-source\""), "{}", spec.id);
                // The links lead to files and pages that exist.
                for href in block
                    .split("href=\"")
                    .skip(1)
                    .map(|s| &s[..s.find('"').unwrap()])
                {
                    // A mark the drawing reuses (`<use href="#…">`) is defined in the block.
                    if let Some(id) = href.strip_prefix('#') {
                        assert!(
                            block.contains(&format!(" id=\"{id}\"")),
                            "{}: {href} is not in the chart",
                            spec.id
                        );
                        continue;
                    }
                    let path = href
                        .strip_prefix("/policydash/")
                        .unwrap_or_else(|| panic!("{href}"));
                    let path = path.split('#').next().unwrap();
                    let file = if path.is_empty() || path.ends_with('/') {
                        format!("{path}index.html")
                    } else {
                        path.to_string()
                    };
                    assert!(
                        out.join(&file).is_file(),
                        "{}: {href} leads nowhere",
                        spec.id
                    );
                }
                assert!(block.contains(&policydash::chart::csv_path(spec)));
                assert!(block.contains(&format!("charts/{}.svg", spec.id)));
                assert!(block.contains(&format!("embed/{}/", spec.id)));
            }
        }
    }
    // The shortcodes placed their charts in the commentary.
    let c = fs::read_to_string(out.join("commentary/charts-test/index.html")).unwrap();
    assert!(c.contains("id=\"chart-metric-skilled-share\""));
    assert!(c.contains("id=\"chart-timeline\""));
}

#[test]
fn embed_pages_show_just_the_chart_and_a_snippet() {
    let (dir, out) = built(|_| {});
    let (_, specs) = model_of(dir.path());
    for spec in &specs {
        for prefix in ["", "zh/"] {
            let file = out.join(format!("{prefix}embed/{}/index.html", spec.id));
            let html = fs::read_to_string(&file).unwrap();
            assert!(
                !html.contains("<nav"),
                "{}: site navigation",
                file.display()
            );
            assert!(html.contains(&format!("id=\"chart-{}\"", spec.id)));
            // The snippet is shown as text, with the page's absolute address.
            let src = format!(
                "&lt;iframe src=&quot;https://example.github.io/policydash/{prefix}embed/{}/&quot;",
                spec.id
            );
            assert!(html.contains(&src), "{}: no snippet {src}", file.display());
        }
    }
}

#[test]
fn data_text_is_escaped_in_svg_and_html() {
    let (_dir, out) = built(|root| {
        let f = root.join("content/programmes/zhuhai.yaml");
        let text = fs::read_to_string(&f).unwrap();
        let text = text.replace(
            "label: {en: \"Special-grade craftsmen (特级工匠), tier 10\"",
            "label: {en: \"<script>alert(1)</script> & co\"",
        );
        assert!(text.contains("<script>"));
        fs::write(f, text).unwrap();
    });
    let svg = fs::read_to_string(out.join("charts/craftsman-tiers.svg")).unwrap();
    assert!(
        svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"),
        "label not drawn escaped"
    );
    let facts = parse_svg(&svg, "tiers");
    assert!(facts
        .text_content
        .contains("<script>alert(1)</script> & co"));
    for f in files(&out, "svg").into_iter().chain(files(&out, "html")) {
        let text = fs::read_to_string(&f).unwrap();
        assert!(
            !text.contains("<script>alert(1)"),
            "{} is not escaped",
            f.display()
        );
    }
    let page = fs::read_to_string(out.join("metrics/craftsman-tiers/index.html")).unwrap();
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
}

#[test]
fn builds_are_byte_identical() {
    let dir = site(|_| {});
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build_into(dir.path(), &a, None);
    build_into(dir.path(), &b, None);
    let fa = files(&a, "svg")
        .into_iter()
        .chain(files(&a, "csv"))
        .chain(files(&a, "html"));
    let mut n = 0;
    for f in fa {
        let rel = f.strip_prefix(&a).unwrap();
        assert_eq!(
            fs::read(&f).unwrap(),
            fs::read(b.join(rel)).unwrap(),
            "{}",
            rel.display()
        );
        n += 1;
    }
    assert!(n > 100);
}

#[test]
fn unknown_chart_in_commentary_is_a_clear_error() {
    let dir = site(|root| {
        fs::write(
            root.join("content/commentary/charts-test.en.md"),
            COMMENTARY.replace("metric=\"skilled-share\"", "metric=\"skilled-shares\""),
        )
        .unwrap();
    });
    let opts = BuildOptions {
        output: Some(dir.path().join("out")),
        ..BuildOptions::new(dir.path())
    };
    let err = policydash::build(&opts).unwrap_err();
    let text = err.render();
    assert!(
        text.contains("there is no chart \"metric-skilled-shares\""),
        "{text}"
    );
    assert!(text.contains("metric-skilled-share"), "{text}");
    assert!(text.contains("charts-test.en.md"), "{text}");
}

#[test]
fn the_binary_builds_with_no_fonts() {
    // Point fontconfig at an empty configuration: charts must not need any font.
    let dir = site(|_| {});
    let conf = dir.path().join("fonts.conf");
    fs::write(
        &conf,
        "<?xml version=\"1.0\"?>\n<fontconfig></fontconfig>\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let status = std::process::Command::new(BIN)
        .args(["build", "--root"])
        .arg(dir.path())
        .arg("--output")
        .arg(&out)
        .env("FONTCONFIG_FILE", &conf)
        .env("XDG_DATA_DIRS", dir.path())
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let svg = fs::read_to_string(out.join("zh/charts/craftsman-tiers.svg")).unwrap();
    assert!(svg.contains("特级工匠"));
}

#[test]
fn hatching_is_one_pattern_not_a_line_per_stripe() {
    let (_dir, out) = built(|_| {});
    let mut patterned = 0;
    for f in files(&out.join("charts"), "svg") {
        let svg = fs::read_to_string(&f).unwrap();
        let patterns = svg.matches("<pattern ").count();
        assert!(patterns <= 1, "{}: {patterns} patterns", f.display());
        if patterns == 1 {
            patterned += 1;
            assert!(svg.contains("fill=\"url(#"), "{}", f.display());
        }
        // No run of white diagonal lines: stripes come from the pattern.
        assert!(
            svg.matches("stroke=\"#FFFFFF\"").count() < 5,
            "{}: white strokes drawn one by one",
            f.display()
        );
    }
    assert!(patterned > 0, "no chart with per-year (striped) bars");
}

/// Across many places a comparison shows the spread: its table holds the lowest, median and
/// highest of each group, computed here from the model, and its description says them.
#[test]
fn many_places_show_the_spread_with_the_numbers_of_the_data() {
    let dir = tempfile::tempdir().unwrap();
    // 60 programmes: 24 of them (the copies of Zhuhai and Tianjin) share skilled-share.
    policydash::synth::generate(Path::new(CRATE), dir.path(), 60).unwrap();
    let out = dir.path().join("out");
    build_into(dir.path(), &out, None);
    let (model, _) = model_of(dir.path());
    let html = fs::read_to_string(out.join("metrics/skilled-share/index.html")).unwrap();
    let rows = table_rows(&html, "metric-skilled-share");
    let mut values: Vec<f64> = model
        .targets_of_metric("skilled-share")
        .filter(|(_, t)| t.kind == FigureKind::Target)
        .map(|(_, t)| t.value)
        .collect();
    values.sort_by(f64::total_cmp);
    // The first group is the targets in percent: its lowest and highest are the data's.
    assert_eq!(rows[0]["lowest"], values[0]);
    assert_eq!(rows[0]["highest"], values[values.len() - 1]);
    assert_eq!(rows[0]["figures"], values.len() as f64);
    let svg = fs::read_to_string(out.join("charts/metric-skilled-share.svg")).unwrap();
    let facts = parse_svg(&svg, "metric-skilled-share");
    check_accessible(&facts, "metric-skilled-share");
    let desc = &facts.texts[facts.desc_id.as_ref().unwrap()];
    let places = format!(
        "{} places",
        model.programmes_with_metric("skilled-share").len()
    );
    assert!(places != "0 places");
    for word in ["lowest", "median", "highest", places.as_str()] {
        assert!(desc.contains(word), "no {word:?} in {desc}");
    }
    // The timeline counts by year; the programme pages show where each place stands.
    let home = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("data-key=\"programmes\""), "timeline by year");
    assert!(
        home.contains("class=\"province-group\""),
        "places by province"
    );
    let page = fs::read_to_string(out.join("programmes/zhuhai-1/index.html")).unwrap();
    assert!(page.contains("id=\"chart-standing-zhuhai-1\""));
    assert!(!page.contains("id=\"chart-craftsman-tiers\""));
}
