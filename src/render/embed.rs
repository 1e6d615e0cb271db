//! Embeds that fit: the iframe snippet an embed page suggests, with a default height that holds
//! the whole embed at any width the snippet allows (320 px up to its max-width), and the few
//! lines a host page adds so the frame follows the height the embed page posts (see the script
//! in `embed.html`).
//!
//! Hosts that strip scripts keep the default height; it is an upper bound, computed from the
//! embed's own parts (title, drawing sizes, source line, links) and the theme's type sizes,
//! and checked against real browsers at 320 and 680 px by `tests/browser/embeds.mjs`.

/// The message an embed page posts to its host: `{type: MESSAGE, height: N}`.
pub const MESSAGE: &str = "policydash:height";

/// The narrowest frame the default height is computed for.
const MIN_WIDTH: f64 = 320.0;
/// Up to this frame width the stylesheet shows the narrow drawing (30rem).
const NARROW_UP_TO: f64 = 480.0;
/// The embed page's padding on each side (body.embed main: .5rem).
const PADDING: f64 = 8.0;
/// Base font size and line height of the theme (style.css).
const FONT: f64 = 16.0;
const LINE: f64 = 1.55;

/// The parts of an embed that decide its height.
#[derive(Debug, Default, PartialEq)]
pub struct Parts {
    pub title: String,
    /// (width, height) of the wide and the narrow drawing.
    pub wide: (f64, f64),
    pub narrow: (f64, f64),
    /// The text of the source line and of the links line.
    pub sources: String,
    pub links: String,
    pub credit: String,
}

/// Reads the parts from the embed block a chart renders (its figure HTML).
pub fn parts(title: &str, html: &str, credit: &str) -> Parts {
    // The drawings: inline SVGs, or the chart's SVG file as an image (one size for all widths).
    let find = |what: &'static str| memchr::memmem::find_iter(html.as_bytes(), what.as_bytes());
    let mut drawings: Vec<usize> = find("<svg ")
        .chain(find("<img class=\"chart-img\""))
        .collect();
    drawings.sort_unstable();
    let mut svgs = drawings
        .into_iter()
        .map(|i| {
            let tag = &html[i..i + html[i..].find('>').unwrap_or(0)];
            (attr_number(tag, "width"), attr_number(tag, "height"))
        })
        .collect::<Vec<_>>()
        .into_iter();
    let wide = svgs.next().unwrap_or_default();
    let narrow = svgs.next().unwrap_or(wide);
    Parts {
        title: title.to_string(),
        wide,
        narrow,
        sources: paragraph_text(html, "chart-source"),
        links: paragraph_text(html, "chart-links"),
        credit: credit.to_string(),
    }
}

fn attr_number(tag: &str, name: &str) -> f64 {
    let key = format!(" {name}=\"");
    tag.find(&key)
        .and_then(|i| {
            let rest = &tag[i + key.len()..];
            rest[..rest.find('"')?].parse().ok()
        })
        .unwrap_or(0.0)
}

/// The text of `<p class="CLASS">…</p>`, tags removed and entities left as one character.
fn paragraph_text(html: &str, class: &str) -> String {
    let open = format!("<p class=\"{class}\">");
    let found = memchr::memmem::find(html.as_bytes(), open.as_bytes());
    let Some(start) = found.map(|i| i + open.len()) else {
        return String::new();
    };
    let end = html[start..].find("</p>").map_or(html.len(), |e| start + e);
    let mut text = String::new();
    let mut in_tag = false;
    let mut in_entity = false;
    for c in html[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            '&' if !in_tag => {
                in_entity = true;
                text.push('x');
            }
            ';' if in_entity => in_entity = false,
            _ if !in_tag && !in_entity => text.push(c),
            _ => {}
        }
    }
    text
}

/// Width of `text` in pixels at `size`, generously: Chinese characters a full em, capitals
/// and digits .64 em, other characters .52 em (wider than the usual sans-serif averages).
fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| {
            if c > '\u{2e80}' {
                1.0
            } else if c.is_ascii_uppercase() || c.is_ascii_digit() || c == 'm' || c == 'w' {
                0.64
            } else {
                0.52
            }
        })
        .sum::<f64>()
        * size
}

/// Height of a block of `text` at `size` (rem) in a column `width` px wide. Lines break at
/// words, so each line is counted as if it lost the width of a word.
fn text_height(text: &str, size: f64, width: f64) -> f64 {
    if text.is_empty() {
        return 0.0;
    }
    let px = size * FONT;
    let usable = (width - 2.5 * px).max(px * 4.0);
    let lines = (text_width(text, px) / usable).ceil().max(1.0);
    lines * px * LINE
}

/// The page's height in a frame `frame` px wide.
pub fn height_at(p: &Parts, frame: f64) -> f64 {
    let column = frame - 2.0 * PADDING;
    let (w, h) = if frame <= NARROW_UP_TO {
        p.narrow
    } else {
        p.wide
    };
    // The drawing scales to the width of the column, up or down.
    let drawing = if w > 0.0 { h * column / w } else { 0.0 };
    let summary = FONT * LINE;
    PADDING * 2.0
        + text_height(&p.title, 1.1, column) + 0.5 * FONT          // figcaption
        + drawing                                                   // inline SVG
        + text_height(&p.sources, 0.85, column) + 0.8 * FONT       // source line
        + summary + 0.4 * FONT                                      // "the numbers" (folded)
        + text_height(&p.links, 0.85, column) + 0.8 * FONT         // links out
        + summary + 1.0 * FONT                                      // "embed this chart" (folded)
        + text_height(&p.credit, 0.85, column) + 0.5 * FONT // credit line
}

/// The default height: enough for every frame width from 320 px to `max_width`.
pub fn default_height(p: &Parts, max_width: f64) -> u32 {
    // Text wraps most at the narrowest width; each drawing is tallest at the widest frame
    // that shows it.
    let widths = [
        MIN_WIDTH,
        NARROW_UP_TO,
        NARROW_UP_TO + 1.0,
        max_width.max(NARROW_UP_TO + 1.0),
    ];
    let most = widths
        .into_iter()
        .map(|w| height_at(p, w))
        .fold(0.0_f64, f64::max);
    (most * 1.04 + 16.0).ceil() as u32
}

/// The iframe snippet with `height` as its default, marked so the host script finds it, and
/// the host script itself.
pub fn snippet(iframe: &str, height: u32) -> String {
    let iframe = match iframe.find(" height=\"") {
        Some(i) => {
            let start = i + " height=\"".len();
            let end = iframe[start..].find('"').map_or(start, |e| start + e);
            format!("{}{height}{}", &iframe[..start], &iframe[end..])
        }
        None => iframe.to_string(),
    };
    let iframe = iframe.replacen("></iframe>", " data-policydash-embed></iframe>", 1);
    format!(
        "{iframe}\n<script>\nwindow.addEventListener(\"message\", function (e) {{\n  \
         if (!e.data || e.data.type !== \"{MESSAGE}\") return;\n  \
         document.querySelectorAll(\"iframe[data-policydash-embed]\").forEach(function (f) {{\n    \
         if (f.contentWindow === e.source) f.style.height = Math.ceil(e.data.height) + \"px\";\n  \
         }});\n}});\n</script>"
    )
}

/// Rewrites the embed page's view of a chart (`title`, `html`, `snippet`): the snippet gets
/// the default height and the host script; `default_height` is added for the template.
pub fn fit(chart: &mut serde_json::Value, credit: &str) {
    let text = |k: &str| chart[k].as_str().unwrap_or_default().to_string();
    let (title, html, iframe) = (text("title"), text("html"), text("snippet"));
    if iframe.is_empty() {
        return;
    }
    let max_width = iframe
        .split("max-width:")
        .nth(1)
        .and_then(|r| r.split("px").next())
        .and_then(|n| n.trim().parse::<f64>().ok())
        .unwrap_or(680.0);
    let height = default_height(&parts(&title, &html, credit), max_width);
    chart["snippet"] = serde_json::Value::String(snippet(&iframe, height));
    chart["default_height"] = height.into();
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &str = "<figure><figcaption class=\"chart-title\">T</figcaption>\
        <div class=\"chart-image\"><svg xmlns=\"x\" width=\"640\" height=\"214\" class=\"a\">\
        </svg><svg xmlns=\"x\" width=\"360\" height=\"304\"></svg></div>\
        <p class=\"chart-source\">Sources: <a href=\"/s\">A &amp; B</a></p>\
        <p class=\"chart-links\"><a href=\"/p\">Page</a> · CSV</p></figure>";

    #[test]
    fn reads_the_parts_of_an_embed() {
        let p = parts("Title", BLOCK, "Site");
        assert_eq!(p.wide, (640.0, 214.0));
        assert_eq!(p.narrow, (360.0, 304.0));
        assert_eq!(p.sources, "Sources: A x B");
        assert_eq!(p.links, "Page · CSV");
    }

    #[test]
    fn reads_a_drawing_shown_as_the_chart_file() {
        let block = "<figure><figcaption class=\"chart-title\">T</figcaption>\
            <div class=\"chart-image\"><img class=\"chart-img\" src=\"/c.svg\" alt=\"A\" \
            width=\"640\" height=\"300\"></div></figure>";
        let p = parts("Title", block, "Site");
        assert_eq!((p.wide, p.narrow), ((640.0, 300.0), (640.0, 300.0)));
    }

    #[test]
    fn the_default_covers_the_narrowest_frame_and_the_tallest_drawing() {
        let p = parts("Title", BLOCK, "Site");
        let h = default_height(&p, 680.0);
        assert!(h as f64 >= height_at(&p, 320.0) && h as f64 >= height_at(&p, 680.0));
        // The narrow drawing at its full 360 px is the tallest layout.
        assert!(h as f64 >= 304.0 + 100.0, "{h}");
        // A longer title needs more room.
        let long = parts(&"A long chart title ".repeat(8), BLOCK, "Site");
        assert!(default_height(&long, 680.0) > h);
    }

    #[test]
    fn the_snippet_sets_the_height_and_follows_the_posted_one() {
        let s = snippet(
            "<iframe src=\"https://e.org/embed/x/\" title=\"X\" width=\"100%\" height=\"404\" style=\"border:0\" loading=\"lazy\"></iframe>",
            612,
        );
        assert!(s.starts_with("<iframe src="), "{s}");
        assert!(
            s.contains(" data-policydash-embed></iframe>\n<script>"),
            "{s}"
        );
        assert!(s.contains(" height=\"612\" ") && !s.contains("404"), "{s}");
        assert!(s.contains(MESSAGE) && s.contains("f.contentWindow === e.source"));
    }
}
