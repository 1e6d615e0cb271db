//! End-to-end: build the real content/ and check what a reader gets.

mod common;

use common::*;
use policydash::model::{Lang, Model};
use policydash::urls::{Page, Urls};
use policydash::view;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const BASE: &str = "https://example.org/some/sub/";

/// One build of the real site per test run, shared by the tests in this file.
fn site() -> &'static (PathBuf, Model, Urls) {
    static SITE: OnceLock<(PathBuf, Model, Urls)> = OnceLock::new();
    SITE.get_or_init(|| build_and_check_real_site("site", BASE))
}

fn page_html(page: &Page, lang: Lang) -> String {
    let (out, _, urls) = site();
    read(&out.join(urls.page_file(page, lang)))
}

/// The same escaping the templates apply to text.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    v.sort();
    v
}

/// Every value of `attr="…"` in an HTML text.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let start = i + needle.len();
            html[start..].find('"').map(|end| &html[start..start + end])
        })
        .collect()
}

#[test]
fn builds_every_page_in_both_languages() {
    let (out, model, urls) = site();
    assert_eq!(
        model
            .programmes
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>(),
        ["jiangmen", "lingang", "suqian", "tianjin", "zhuhai"]
    );
    let mut pages = vec![Page::Home, Page::Sources, Page::About, Page::MetricIndex];
    pages.extend(
        model
            .programmes
            .iter()
            .map(|p| Page::Programme(p.id.clone())),
    );
    let shared = model.shared_metrics();
    assert!(shared.len() >= 3, "too few comparisons: {}", shared.len());
    pages.extend(shared.iter().map(|m| Page::Metric(m.id.clone())));
    for page in &pages {
        for lang in [Lang::En, Lang::Zh] {
            let file = out.join(urls.page_file(page, lang));
            assert!(file.is_file(), "missing {}", file.display());
        }
    }
    for c in &model.commentary {
        let file = out.join(urls.page_file(&Page::Commentary(c.key.clone()), c.lang));
        assert!(file.is_file(), "missing {}", file.display());
    }
    assert!(out.join("index.html").is_file() && out.join("zh/index.html").is_file());
}

#[test]
fn every_internal_link_and_anchor_resolves() {
    let (out, _, urls) = site();
    let origin = BASE
        .trim_end_matches(urls.prefix().trim_start_matches('/'))
        .trim_end_matches('/');
    let mut ids: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    let mut checked = 0;
    let html_files: Vec<PathBuf> = all_files(out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    for file in &html_files {
        let html = read(file);
        for link in attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"))
        {
            let link = link.replace("&amp;", "&");
            let local = if let Some(rest) = link.strip_prefix(origin) {
                rest.to_string()
            } else if link.starts_with("http://") || link.starts_with("https://") {
                continue; // source documents' own addresses
            } else {
                link.clone()
            };
            let (path, fragment) = match local.split_once('#') {
                Some((p, f)) => (p.to_string(), Some(f.to_string())),
                None => (local.clone(), None),
            };
            let target = if path.is_empty() {
                file.clone()
            } else {
                let rest = path.strip_prefix(urls.prefix()).unwrap_or_else(|| {
                    panic!(
                        "{}: link {link:?} is outside the base path {}",
                        file.display(),
                        urls.prefix()
                    )
                });
                let p = out.join(rest);
                if rest.is_empty() || rest.ends_with('/') {
                    p.join("index.html")
                } else {
                    p
                }
            };
            assert!(
                target.is_file(),
                "{}: link {link:?} leads to no file ({})",
                file.display(),
                target.display()
            );
            if let (Some(fragment), true) =
                (fragment, target.extension().is_some_and(|e| e == "html"))
            {
                let known = ids.entry(target.clone()).or_insert_with(|| {
                    attr_values(&read(&target), "id")
                        .into_iter()
                        .map(String::from)
                        .collect()
                });
                assert!(
                    known.contains(&fragment),
                    "{}: link {link:?}: no id {fragment:?} in {}",
                    file.display(),
                    target.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} links checked");
}

#[test]
fn building_twice_gives_byte_identical_output() {
    let (first, _, _) = site();
    let second = tempfile::tempdir().unwrap();
    let out = second.path().join("output");
    build_into(Path::new(CRATE), &out, Some(BASE));
    let a = all_files(first);
    let b = all_files(&out);
    let rel = |v: &[PathBuf], base: &Path| {
        v.iter()
            .map(|p| p.strip_prefix(base).unwrap().to_path_buf())
            .collect::<Vec<_>>()
    };
    assert_eq!(rel(&a, first), rel(&b, &out));
    for (x, y) in a.iter().zip(&b) {
        assert!(
            std::fs::read(x).unwrap() == std::fs::read(y).unwrap(),
            "{} differs between builds",
            x.display()
        );
    }
}

#[test]
fn programme_pages_show_every_figure_with_its_clause() {
    let (_, model, _) = site();
    for p in &model.programmes {
        for lang in [Lang::En, Lang::Zh] {
            let html = page_html(&Page::Programme(p.id.clone()), lang);
            for t in &p.targets {
                assert!(
                    html.contains(&format!("id=\"t-{}\"", t.id)),
                    "{} {}: no row for {}",
                    p.id,
                    lang.code(),
                    t.id
                );
                let shown = |text: &str, what: &str| {
                    let (p, lang, t) = (&p.id, lang.code(), &t.id);
                    assert!(
                        html.contains(&esc(text)),
                        "{p} {lang}: {what} of {t} not shown"
                    );
                };
                let amount = view::target_amount(t, lang);
                shown(&amount, &format!("value {amount:?}"));
                shown(&t.quote, "quote");
                shown(&t.quote_en, "English quote");
                // The label is the row's permalink text, where Chinese words in an English
                // label are marked with their language (`<span lang="zh-Hans">`).
                let unmarked = html
                    .replace("<span lang=\"zh-Hans\">", "")
                    .replace("<span lang=\"zh-Hant\">", "")
                    .replace("</span>", "");
                assert!(
                    unmarked.contains(&esc(t.label.get(lang))),
                    "{} {}: label of {} not shown",
                    p.id,
                    lang.code(),
                    t.id
                );
            }
        }
    }
}

#[test]
fn metric_pages_list_every_programme_that_has_the_metric() {
    let (_, model, urls) = site();
    for m in model.shared_metrics() {
        let html = page_html(&Page::Metric(m.id.clone()), Lang::En);
        for (p, t) in model.targets_of_metric(&m.id) {
            assert!(
                html.contains(&format!(
                    "href=\"{}\"",
                    urls.page(&Page::Programme(p.id.clone()), Lang::En)
                )),
                "{}: no link to {}",
                m.id,
                p.id
            );
            assert!(
                html.contains(&format!("id=\"t-{}\"", t.id)),
                "{}: no row for {}",
                m.id,
                t.id
            );
        }
    }
}

#[test]
fn metric_pages_warn_when_figures_are_not_alike() {
    let (_, model, _) = site();
    let mut warned = 0;
    for m in model.shared_metrics() {
        let rows: Vec<_> = model.targets_of_metric(&m.id).collect();
        let mixed_per = rows.iter().any(|(_, t)| t.per != rows[0].1.per);
        let html = page_html(&Page::Metric(m.id.clone()), Lang::En);
        if mixed_per {
            assert!(
                html.contains("per-year quotas and others totals"),
                "{}: mixes per-year and totals without saying so",
                m.id
            );
            warned += 1;
        }
    }
    let _ = warned;
}

#[test]
fn language_versions_link_to_each_other() {
    let (_, model, urls) = site();
    for p in &model.programmes {
        let page = Page::Programme(p.id.clone());
        let en = page_html(&page, Lang::En);
        let zh = page_html(&page, Lang::Zh);
        assert!(
            en.contains(&format!(
                "href=\"{}\" hreflang=\"zh-Hans\"",
                urls.page(&page, Lang::Zh)
            )),
            "{}: en does not link to zh",
            p.id
        );
        assert!(
            zh.contains(&format!(
                "href=\"{}\" hreflang=\"en\"",
                urls.page(&page, Lang::En)
            )),
            "{}: zh does not link to en",
            p.id
        );
        assert!(en.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(zh.starts_with("<!DOCTYPE html>\n<html lang=\"zh-Hans\">"));
    }
}

#[test]
fn pages_load_nothing_from_another_site() {
    let (out, _, _) = site();
    for file in all_files(out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
    {
        let html = read(&file);
        // Pages work without JavaScript. They may load the site's own scripts from static/
        // (the place picker and filter, and the embed pages' script that tells the framing
        // page their height, deferred; the search page's module); nothing is loaded from
        // elsewhere.
        for tag in html.split("<script").skip(1) {
            let tag = &tag[..tag.find("</script>").unwrap_or(tag.len())];
            let own_src =
                tag.contains(" src=\"/") && tag.contains("/static/") && !tag.contains("://");
            // Deferred scripts (the place picker and filter), or the search page's module.
            let own = own_src && (tag.ends_with("defer>") || tag.starts_with(" type=\"module\""));
            assert!(
                own,
                "{}: has a script other than the site's own: <script{tag}",
                file.display()
            );
        }
        for src in attr_values(&html, "src") {
            assert!(!src.contains("://"), "{}: loads {src}", file.display());
        }
        for tag in html.split("<link ").skip(1) {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            if tag.contains("rel=\"stylesheet\"")
                || tag.contains("rel=\"icon\"")
                || tag.contains("rel=\"preload\"")
            {
                let href = attr_values(&format!(" {tag}"), "href").join("");
                assert!(!href.contains("://"), "{}: loads {href}", file.display());
            }
        }
    }
    let css = read(&out.join("static/style.css"));
    assert!(
        !css.contains("@import") && !css.contains("url(http"),
        "the stylesheet loads from elsewhere"
    );
}

#[test]
fn a_sites_own_template_overrides_the_themes() {
    let dir = content_copy();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>Our own missing page</h1>{% endblock content %}",
    )
    .unwrap();
    build_ok(dir.path());
    let html = read(&dir.path().join("output/404.html"));
    assert!(html.contains("<h1>Our own missing page</h1>"), "{html}");
    // Templates not overridden still come from the theme.
    assert!(read(&dir.path().join("output/index.html")).contains("class=\"cards\""));
}

/// The text of `html` outside tags, with `<blockquote>` contents removed (quotes are verbatim
/// and keep the source's own punctuation) and entities for quotes undone.
fn visible_text_without_quotes(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<blockquote") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("</blockquote>")
            .map(|e| start + e + "</blockquote>".len())
            .unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    // Drop <head>, <script>, <style> and every tag.
    let body = out.split("<body").nth(1).unwrap_or(&out).to_string();
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    // Words quoted from a document (“到2025年,每年”) keep its punctuation too.
    let mut kept = String::new();
    let mut depth = 0usize;
    for c in text.replace("&quot;", "\"").replace("&amp;", "&").chars() {
        match c {
            '“' => depth += 1,
            '”' => depth = depth.saturating_sub(1),
            _ if depth == 0 => kept.push(c),
            _ => {}
        }
    }
    kept
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[test]
fn traditional_quotes_are_marked_zh_hant_wherever_they_appear() {
    let (_, model, _) = site();
    let suqian = model.programme("suqian").unwrap();
    assert!(suqian.sources.iter().all(|s| s.script.tag() == "zh-Hant"));
    for lang in [Lang::En, Lang::Zh] {
        let html = page_html(&Page::Programme("suqian".into()), lang);
        for quote in suqian
            .targets
            .iter()
            .map(|t| &t.quote)
            .chain(suqian.commitments.iter().map(|c| &c.quote))
        {
            let marked = format!("<blockquote lang=\"zh-Hant\"><p>{}</p>", esc(quote));
            assert!(
                html.contains(&marked),
                "{}: {quote} is not zh-Hant",
                lang.code()
            );
        }
        // Other programmes' quotes are Simplified.
        let zhuhai = page_html(&Page::Programme("zhuhai".into()), lang);
        assert!(!zhuhai.contains("lang=\"zh-Hant\""));
        assert!(zhuhai.contains("<blockquote lang=\"zh-Hans\">"));
        // On comparison pages too: Suqian's row beside Jiangmen's.
        let metric = page_html(&Page::Metric("upskilling-training".into()), lang);
        let t = model
            .targets()
            .find(|(p, t)| p.id == "suqian" && t.metric == "upskilling-training")
            .map(|(_, t)| t)
            .expect("Suqian has an upskilling figure");
        assert!(metric.contains(&format!(
            "<blockquote lang=\"zh-Hant\"><p>{}</p>",
            esc(&t.quote)
        )));
    }
}

#[test]
fn chinese_pages_use_chinese_punctuation_and_order() {
    let (out, _, _) = site();
    let suqian = page_html(&Page::Programme("suqian".into()), Lang::Zh);
    assert!(
        suqian.contains("<dd>江苏宿迁</dd>"),
        "province first, no comma"
    );
    let tianjin = page_html(&Page::Programme("tianjin".into()), Lang::Zh);
    assert!(tianjin.contains("<dd>天津</dd>") && !tianjin.contains("天津, 天津"));
    let home = page_html(&Page::Home, Lang::Zh);
    assert!(!home.contains("天津</a> <span class=\"province\">天津"));
    let metric = page_html(&Page::Metric("skilled-share".into()), Lang::Zh);
    assert!(metric.contains("可比性："), "full-width colon");
    // Every Chinese page: no ASCII colon, comma or parenthesis right after a Chinese
    // character in the text the site writes (quotes keep the source's own punctuation).
    let mut checked = 0;
    for file in all_files(&out.join("zh")) {
        if file.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let text = visible_text_without_quotes(&read(&file));
        let chars: Vec<char> = text.chars().collect();
        for w in chars.windows(3) {
            // (Titles of documents keep their own brackets: 行动(2022—2024年)实施方案.)
            let bad = is_cjk(w[0]) && matches!(w[1], ':' | ',' | ';')
                || is_cjk(w[0]) && w[1] == ' ' && w[2] == '(';
            assert!(
                !bad,
                "{}: ASCII punctuation in Chinese text: {:?}",
                file.display(),
                w.iter().collect::<String>()
            );
        }
        checked += 1;
    }
    assert!(checked > 30, "only {checked} Chinese pages");
}

#[test]
fn numbers_of_a_thousand_or_more_have_thousands_separators() {
    let (out, _, _) = site();
    let mut seen_per_100k = 0;
    for file in all_files(out) {
        if file.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = read(&file);
        for class in ["<span class=\"value\">", "<span class=\"derived\">"] {
            for piece in html.split(class).skip(1) {
                let shown = &piece[..piece
                    .find("</span></td>")
                    .or(piece.find("</span>"))
                    .unwrap()];
                // The number itself, after a hidden comparator if any.
                let shown = shown.rsplit("</span>").next().unwrap_or(shown);
                let digits: String = shown
                    .chars()
                    .skip_while(|c| !c.is_ascii_digit())
                    .take_while(|c| c.is_ascii_digit() || *c == ',')
                    .collect();
                let run = digits.split(',').next().unwrap_or("");
                assert!(
                    run.len() <= 3,
                    "{}: {shown:?} has no thousands separator",
                    file.display()
                );
                if class.contains("derived") && digits.contains(',') {
                    seen_per_100k += 1;
                }
            }
        }
    }
    assert!(
        seen_per_100k > 0,
        "no per-100,000 figure of 1,000 or more was checked"
    );
}

#[test]
fn chart_descriptions_keep_the_comparator_of_current_figures() {
    let (out, _, _) = site();
    let desc = |file: &str| {
        let svg = read(&out.join(file));
        let start = svg.find("<desc").unwrap();
        let start = start + svg[start..].find('>').unwrap() + 1;
        svg[start..start + svg[start..].find("</desc>").unwrap()].to_string()
    };
    // Jiangmen's 突破53万 is a floor, as a current figure too.
    let en = desc("charts/metric-skilled-total.svg");
    assert!(
        en.contains("Jiangmen reports at least 530,000 persons"),
        "{en}"
    );
    let zh = desc("zh/charts/metric-skilled-total.svg");
    assert!(zh.contains("江门截至2023年8月不低于53万人"), "{zh}");
    assert!(
        !zh.contains("。 "),
        "no space between Chinese sentences: {zh}"
    );
}
