//! Commentary Markdown: pulldown-cmark with tables, footnotes and heading anchors, plus
//! policydash's own references: `{{ chart(id="…") }}` shortcodes, `target:ID` links to a
//! figure's permalink, and `/path/` links to pages of the site (made base-URL aware).

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};
use std::collections::BTreeSet;

/// Something a commentary page refers to, with its position in the body (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub kind: RefKind,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RefKind {
    Chart(String),
    Target(String),
    /// A site-relative page path without the leading slash or fragment: `programmes/zhuhai/`.
    Page(String),
    BadShortcode(String),
    /// A link or image whose scheme could run code (`javascript:`, `data:`…); it is rendered
    /// as `#`.
    Unsafe(String),
    /// An image from another site: pages load nothing from other sites, so it is left out
    /// (its alternative text is kept).
    ExternalImage(String),
}

/// Whether an image address would make the page load something from another site.
pub fn is_external(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//")
}

/// Byte ranges of the code blocks of `body`: a shortcode written inside one is an example,
/// shown as it is.
fn code_blocks(body: &str) -> Vec<std::ops::Range<usize>> {
    Parser::new_ext(body, options())
        .into_offset_iter()
        .filter_map(|(ev, range)| matches!(ev, Event::Start(Tag::CodeBlock(_))).then_some(range))
        .collect()
}

/// Each line of `body` with its byte offset, and whether it lies in a code block.
fn lines_outside_code(body: &str) -> impl Iterator<Item = (usize, &str, bool)> {
    let code = code_blocks(body);
    let mut offset = 0;
    body.split_inclusive('\n')
        .enumerate()
        .map(move |(i, line)| {
            let start = offset;
            offset += line.len();
            // An indented block starts after its indentation: any overlap counts.
            let in_code = code.iter().any(|r| r.start < offset && start < r.end);
            (i, line, !in_code)
        })
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A shortcode line, `{{ chart(id="x") }}` → `Ok("x")`; `{{ chart(metric="m") }}` → `Ok("metric-m")`.
fn shortcode(line: &str) -> Option<Result<String, String>> {
    let t = line.trim();
    let inner = t.strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let parse = || -> Option<String> {
        let args = inner.strip_prefix("chart(")?.strip_suffix(')')?.trim();
        let (key, value) = args.split_once('=')?;
        let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
        if value.is_empty() || value.contains('"') {
            return None;
        }
        match key.trim() {
            "id" => Some(value.to_string()),
            "metric" => Some(format!("metric-{value}")),
            "programme" => Some(format!("programme-{value}")),
            _ => None,
        }
    };
    Some(parse().ok_or_else(|| t.to_string()))
}

/// Every chart, figure and page the body refers to, for validation.
pub fn references(body: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let position = |offset: usize| {
        let line = line_starts.partition_point(|s| *s <= offset);
        let col = body[line_starts[line - 1]..offset].chars().count() + 1;
        (line, col)
    };
    for (i, line, outside_code) in lines_outside_code(body) {
        let line = line.trim_end_matches(['\n', '\r']);
        if !outside_code {
            continue;
        }
        if let Some(sc) = shortcode(line) {
            let kind = match sc {
                Ok(id) => RefKind::Chart(id),
                Err(text) => RefKind::BadShortcode(text),
            };
            let column = line.len() - line.trim_start().len() + 1;
            out.push(Reference {
                kind,
                line: i + 1,
                column,
            });
        }
    }
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let (dest, image) = match event {
            Event::Start(Tag::Link { dest_url, .. }) => (dest_url, false),
            Event::Start(Tag::Image { dest_url, .. }) => (dest_url, true),
            _ => continue,
        };
        let (line, column) = position(range.start);
        if image && is_external(&dest) {
            out.push(Reference {
                kind: RefKind::ExternalImage(dest.to_string()),
                line,
                column,
            });
        } else if !is_safe_url(&dest) {
            out.push(Reference {
                kind: RefKind::Unsafe(dest.to_string()),
                line,
                column,
            });
        } else if let Some(kind) = classify_link(&dest) {
            out.push(Reference { kind, line, column });
        }
    }
    out
}

/// Where the first raw HTML of `body` is (1-based line and column), if it has any.
pub fn first_raw_html(body: &str) -> Option<(usize, usize)> {
    Parser::new_ext(body, options())
        .into_offset_iter()
        .find(|(ev, _)| matches!(ev, Event::Html(_) | Event::InlineHtml(_)))
        .map(|(_, range)| {
            let before = &body[..range.start];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            (line, column)
        })
}

/// Whether a link target is safe to publish: a relative or site path, a fragment, or a
/// web or mail address. Like Hugo (goldmark) we drop `javascript:`, `vbscript:`, `data:` and
/// any other scheme. Browsers ignore tabs and newlines inside a scheme, so those are removed
/// before looking.
pub fn is_safe_url(url: &str) -> bool {
    let cleaned: String = url
        .trim()
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect();
    let lower = cleaned.to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let first_separator = lower.find(['/', '?', '#']);
    match (scheme_end, first_separator) {
        // No scheme, or the colon comes after a path/query/fragment separator.
        (None, _) => true,
        (Some(c), Some(s)) if s < c => true,
        (Some(c), _) => matches!(&lower[..c], "http" | "https" | "mailto" | "target"),
    }
}

fn classify_link(dest: &str) -> Option<RefKind> {
    if let Some(id) = dest.strip_prefix("target:") {
        return Some(RefKind::Target(id.to_string()));
    }
    if dest.starts_with('/') && !dest.starts_with("//") {
        let path = dest.trim_start_matches('/');
        let path = path.split(['#', '?']).next().unwrap_or("");
        return Some(RefKind::Page(path.to_string()));
    }
    None
}

/// What `to_html` needs from the rest of the site.
pub struct Links<'a> {
    /// Site-relative path → href (base URL and language folder applied).
    pub page: &'a dyn Fn(&str) -> String,
    /// Target id → href of its permalink.
    pub target: &'a dyn Fn(&str) -> Option<String>,
    /// Chart id → the HTML block that shows it.
    pub chart: &'a dyn Fn(&str) -> Option<String>,
    /// Ids the page's template uses: a heading may not take one.
    pub taken_ids: &'a BTreeSet<String>,
}

/// Private-use characters cannot come from an editor's keyboard, so the marker cannot clash.
const MARK: &str = "\u{E000}policydash-chart-";

pub fn to_html(body: &str, allow_raw_html: bool, links: &Links) -> String {
    // Shortcodes are block-level: swap each for a marker paragraph, render, then put the chart
    // HTML where the marker's paragraph is, so Markdown never touches the chart markup.
    let mut charts = Vec::new();
    let mut source = String::with_capacity(body.len());
    for (_, line, outside_code) in lines_outside_code(body) {
        match shortcode(line).filter(|_| outside_code) {
            Some(Ok(id)) => {
                source.push_str(&format!("\n{MARK}{}\n\n", charts.len()));
                charts.push((links.chart)(&id).unwrap_or_default());
            }
            _ => source.push_str(line),
        }
    }

    // Images from other sites are left out, their alternative text kept: the depth counts
    // the images being left out (an image's text may hold another).
    let mut dropped_images = 0usize;
    let events: Vec<Event> = Parser::new_ext(&source, options())
        .filter(|ev| match ev {
            Event::Start(Tag::Image { dest_url, .. }) if is_external(dest_url) => {
                dropped_images += 1;
                false
            }
            Event::End(pulldown_cmark::TagEnd::Image) if dropped_images > 0 => {
                dropped_images -= 1;
                false
            }
            _ => true,
        })
        .map(|ev| match ev {
            Event::Html(h) | Event::InlineHtml(h) if !allow_raw_html => Event::Text(h),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = if is_safe_url(&dest_url) {
                    rewrite_link(&dest_url, links)
                } else {
                    "#".to_string()
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest.into(),
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) if !is_safe_url(&dest_url) => Event::Start(Tag::Image {
                link_type,
                dest_url: "#".into(),
                title,
                id,
            }),
            // `# Title {onclick=...}` would write any attribute: that is raw HTML too, and so
            // are classes (`{.wide}`), which the template's styles would apply. An explicit
            // id (`{#progress}`) is kept when it is a plain slug that the template and the
            // page's other headings do not use; otherwise the heading gets an id made from its
            // text (`heading_anchors`).
            Event::Start(Tag::Heading { level, id, .. }) if !allow_raw_html => {
                let id = id.filter(|id| is_plain_id(id) && !links.taken_ids.contains(id.as_ref()));
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes: Vec::new(),
                    attrs: Vec::new(),
                })
            }
            other => other,
        })
        .collect();
    let events = heading_anchors(events, links.taken_ids);
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    for (i, chart) in charts.iter().enumerate() {
        out = out.replace(&format!("<p>{MARK}{i}</p>\n"), chart);
    }
    out
}

fn rewrite_link(dest: &str, links: &Links) -> String {
    match classify_link(dest) {
        Some(RefKind::Target(id)) => (links.target)(&id).unwrap_or_else(|| dest.to_string()),
        Some(RefKind::Page(_)) => {
            let path = dest.trim_start_matches('/');
            let (page, fragment) = match path.find(['#', '?']) {
                Some(i) => (&path[..i], &path[i..]),
                None => (path, ""),
            };
            format!("{}{fragment}", (links.page)(page))
        }
        _ => dest.to_string(),
    }
}

/// A heading id a commentary page may set: lower-case letters, digits and hyphens.
fn is_plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Gives every heading an id unique on the page and unused by the template (`taken`): an
/// explicit `{#id}` keeps its id the first time it is used; other headings, and later uses of
/// the same explicit id, get an id made from their text.
fn heading_anchors<'a>(mut events: Vec<Event<'a>>, taken: &BTreeSet<String>) -> Vec<Event<'a>> {
    let mut used: BTreeSet<String> = taken.clone();
    // Explicit ids first, so a generated id never takes one that is written further down.
    let mut explicit = BTreeSet::new();
    for ev in &mut events {
        if let Event::Start(Tag::Heading { id, .. }) = ev {
            if let Some(i) = id {
                if used.contains(i.as_ref()) || !explicit.insert(i.to_string()) {
                    *id = None;
                }
            }
        }
    }
    used.extend(explicit);
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let mut text = String::new();
            for ev in &events[i + 1..] {
                match ev {
                    Event::End(_) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
            }
            let base = anchor_slug(&text);
            let mut slug = base.clone();
            let mut n = 2;
            while !used.insert(slug.clone()) {
                slug = format!("{base}-{n}");
                n += 1;
            }
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                *id = Some(CowStr::from(slug));
            }
        }
        i += 1;
    }
    events
}

/// Heading text to an anchor: letters (Chinese too) and digits kept, the rest made hyphens.
pub fn anchor_slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "section".into()
    } else {
        format!("h-{out}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::type_complexity)]
    fn links() -> (
        impl Fn(&str) -> String,
        impl Fn(&str) -> Option<String>,
        impl Fn(&str) -> Option<String>,
    ) {
        (
            |p: &str| format!("/base/{p}"),
            |id: &str| (id == "t1").then(|| "/base/programmes/p/#t-t1".to_string()),
            |id: &str| (id == "metric-m").then(|| "<figure>chart</figure>\n".to_string()),
        )
    }

    /// `to_html` with the test links, and the template's `main` id taken.
    fn render(md: &str, raw: bool) -> String {
        let (page, target, chart) = links();
        let taken = BTreeSet::from(["main".to_string()]);
        let l = Links {
            page: &page,
            target: &target,
            chart: &chart,
            taken_ids: &taken,
        };
        to_html(md, raw, &l)
    }

    #[test]
    fn renders_links_shortcodes_anchors_and_escapes_html() {
        let md = "# 概况 Overview\n\nSee [40%](target:t1) and [Zhuhai](/programmes/zhuhai/#x).\n\n{{ chart(metric=\"m\") }}\n\n<script>alert(1)</script>\n";
        let html = render(md, false);
        assert!(html.contains("<h1 id=\"h-概况-overview\">"), "{html}");
        assert!(html.contains("href=\"/base/programmes/p/#t-t1\""), "{html}");
        assert!(
            html.contains("href=\"/base/programmes/zhuhai/#x\""),
            "{html}"
        );
        assert!(html.contains("<figure>chart</figure>"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn code_cannot_be_smuggled_through_links_or_heading_attributes() {
        let md = "# T {onclick=alert(1)}\n\n[a](javascript:alert(1)) [b](JaVaScRiPt:x) ![i](data:text/html,x) [ok](https://e.org/a:b) [rel](notes/x:y)\n";
        let html = render(md, false);
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.to_lowercase().contains("javascript"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains("href=\"https://e.org/a:b\""), "{html}");
        assert!(html.contains("href=\"notes/x:y\""), "{html}");
        let refs = references(md);
        let unsafe_links = refs
            .iter()
            .filter(|r| matches!(r.kind, RefKind::Unsafe(_)))
            .count();
        assert_eq!(unsafe_links, 3);
        assert!(!is_safe_url(" java\tscript:alert(1)"));
        assert!(!is_safe_url("vbscript:x"));
        assert!(is_safe_url("mailto:a@b.org") && is_safe_url("#x") && is_safe_url("/sources/"));
        assert_eq!(first_raw_html("text\n\nsome <b>bold</b>\n"), Some((3, 6)));
        assert_eq!(first_raw_html("no html\n"), None);
    }

    #[test]
    fn explicit_heading_ids_are_kept_only_when_safe() {
        let md = "## Other {#main}\n\n## Again {#main .wide}\n\n## Progress {#progress}\n\n## Twice {#progress}\n\n## Odd {#Bad_Id}\n";
        let html = render(md, false);
        // The template's id, a second use of an id and an id that is not a slug are dropped.
        assert!(!html.contains("id=\"main\""), "{html}");
        assert!(!html.contains("wide"), "{html}");
        assert!(html.contains("<h2 id=\"h-other\">"), "{html}");
        assert!(html.contains("<h2 id=\"h-again\">"), "{html}");
        assert!(html.contains("<h2 id=\"progress\">"), "{html}");
        assert!(html.contains("<h2 id=\"h-twice\">"), "{html}");
        assert!(html.contains("<h2 id=\"h-odd\">"), "{html}");
        // Classes are allowed with raw HTML, as any markup is; the template's ids never are.
        let raw = render(md, true);
        assert!(raw.contains("class=\"wide\""), "{raw}");
        assert!(!raw.contains("id=\"main\""), "{raw}");
    }

    #[test]
    fn images_from_other_sites_are_left_out_with_a_warning() {
        let md = "A map: ![the map](https://tracker.example/map.png) and ![local](/img/a.png) ![p](//cdn.example/x.png)\n";
        let html = render(md, false);
        assert!(!html.contains("tracker.example"), "{html}");
        assert!(!html.contains("cdn.example"), "{html}");
        assert!(
            html.contains("the map"),
            "the alternative text is kept: {html}"
        );
        assert!(html.contains("<img src=\"/img/a.png\""), "{html}");
        let external: Vec<_> = references(md)
            .into_iter()
            .filter(|r| matches!(r.kind, RefKind::ExternalImage(_)))
            .collect();
        assert_eq!(external.len(), 2, "{external:?}");
        assert_eq!((external[0].line, external[0].column), (1, 8));
    }

    #[test]
    fn shortcodes_in_code_blocks_are_shown_as_written() {
        let md = "Write:\n\n```\n{{ chart(metric=\"m\") }}\n```\n\n    {{ chart(id=\"x\") }}\n\n{{ chart(metric=\"m\") }}\n";
        let html = render(md, false);
        assert!(
            html.contains("<code>{{ chart(metric=\"m\") }}\n</code>"),
            "{html}"
        );
        assert!(
            html.contains("<code>{{ chart(id=\"x\") }}\n</code>"),
            "{html}"
        );
        assert!(!html.contains('\u{E000}'), "{html}");
        assert_eq!(html.matches("<figure>chart</figure>").count(), 1, "{html}");
        // Only the shortcode outside code is a reference.
        let refs = references(md);
        assert_eq!(refs.len(), 1, "{refs:?}");
        assert_eq!(refs[0].line, 9);
    }

    #[test]
    fn raw_html_passes_only_when_allowed() {
        assert!(render("<b>x</b>\n", true).contains("<b>x</b>"));
    }

    #[test]
    fn finds_references_with_positions() {
        let md = "intro\n\n{{ chart(id=\"nope\") }}\n\nA [link](/sources/) and [f](target:t9).\n{{ table() }}\n";
        let refs = references(md);
        assert!(refs.contains(&Reference {
            kind: RefKind::Chart("nope".into()),
            line: 3,
            column: 1
        }));
        assert!(refs.contains(&Reference {
            kind: RefKind::Page("sources/".into()),
            line: 5,
            column: 3
        }));
        assert!(refs
            .iter()
            .any(|r| r.kind == RefKind::Target("t9".into()) && r.line == 5));
        assert!(refs
            .iter()
            .any(|r| matches!(r.kind, RefKind::BadShortcode(_)) && r.line == 6));
    }
}
