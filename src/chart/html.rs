//! Wrapping a drawn chart: the accessible inline SVG, the standalone SVG file, and the HTML
//! block pages show (figure, caption, table, source line, links).

use super::draw::Svg;
use super::made::{Cell, Made, Table};
use super::text::wrap;
use super::words::{w, W};
use super::{csv_path, svg_path, Rendered, Spec};
use crate::escape::{esc, push_esc};
use crate::model::{Lang, Model};
use crate::urls::{Page, Urls};

/// Names a font for Chinese on every common system, so CJK labels render wherever the SVG is
/// opened; the build machine itself needs none.
pub const FONT_STACK: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', \
    'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', \
    'Source Han Sans SC', 'WenQuanYi Micro Hei', sans-serif";

pub fn render(model: &Model, urls: &Urls, spec: &Spec, made: &Made, lang: Lang) -> Rendered {
    let id = &spec.id;
    let page = spec.pages.first().cloned().unwrap_or(Page::Home);
    let page_abs = urls.absolute(&urls.page_path(&page, lang));
    // One drawing that fits every width (fluid, or shown at its own width), or both variants,
    // of which the stylesheet shows one (the other is display:none, so screen readers meet
    // only one).
    let inline = match &made.narrow {
        Some(narrow) => format!(
            "{}{}",
            inline_svg(id, made, &made.svg, "chart-wide"),
            inline_svg(&format!("{id}-narrow"), made, narrow, "chart-narrow")
        ),
        None if made.svg.fluid => inline_svg(id, made, &made.svg, "chart-fluid"),
        None => inline_svg(id, made, &made.svg, "chart-natural"),
    };
    let (file, file_height) = file_svg(model, id, made, lang, &page_abs);
    let links = Links {
        csv: urls.href(&csv_path(spec)),
        svg: urls.href(&svg_path(urls, lang, id)),
        embed: urls.page(&Page::Embed(id.clone()), lang),
        page: urls.page(&page, lang),
    };
    let table = &made.table;
    let block = block(id, made, table, &inline, &links, lang);
    // The embed page shows the standalone file, which carries its title and sources: one small
    // element instead of two inline drawings.
    let image = format!(
        "<img class=\"chart-img\" src=\"{}\" alt=\"{}\" width=\"{}\" height=\"{file_height}\">",
        esc(&links.svg),
        esc(&made.desc),
        made.svg.width
    );
    let embed_block = block_embed(id, made, table, &image, &links, lang);
    let embed_abs = urls.absolute(&urls.page_path(&Page::Embed(id.clone()), lang));
    let snippet = format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"{}\" style=\"border:0;max-width:{}px\" loading=\"lazy\"></iframe>",
        esc(&embed_abs),
        esc(&made.title),
        made.svg.height + 190,
        made.svg.width + 40,
    );
    Rendered {
        title: made.title.clone(),
        block,
        embed_block,
        file,
        snippet,
        held: None,
    }
}

/// A white halo keeps labels legible where they cross grid lines and bars' ends: one rule per
/// file here, and in the theme's style.css for inline charts, never an attribute per label.
const HALO: &str = "<style>text{stroke:#FFFFFF;stroke-width:3px;stroke-linejoin:round;paint-order:stroke}</style>\n";

/// The `<svg>` element of the standalone file, which names its fonts itself.
fn svg_open(id: &str, svg: &Svg, height: u32, extra: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\"{extra} role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"{FONT_STACK}\">\n",
        w = svg.width,
    )
}

/// The `<svg>` element of an inline drawing: its text takes the page's fonts (the theme's
/// stylesheet names the same CJK fallbacks), so the long list is not repeated per chart. A
/// fluid drawing is as wide as its column, with no viewBox, so that nothing scales and
/// positions in percent follow the width.
fn svg_open_inline(id: &str, svg: &Svg, extra: &str) -> String {
    let size = if svg.fluid {
        format!("width=\"100%\" height=\"{}\"", svg.height)
    } else {
        format!(
            "width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\"",
            w = svg.width,
            h = svg.height
        )
    };
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" {size}{extra} role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\n"
    )
}

fn title_desc(id: &str, made: &Made) -> String {
    format!(
        "<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n",
        esc(&made.title),
        esc(&made.desc)
    )
}

/// The SVG as placed in a page: the page's figure caption carries the visible title.
fn inline_svg(id: &str, made: &Made, svg: &Svg, class: &str) -> String {
    let class = format!(" class=\"chart-svg {class}\"");
    let mut s = svg_open_inline(id, svg, &class);
    s.push_str(&title_desc(id, made));
    s.push_str(&svg.body_for(id));
    s.push_str("</svg>");
    s
}

/// The downloadable SVG: the same drawing with its title above and its sources below, so it
/// still says what it is and where the numbers come from once it leaves the site.
fn file_svg(model: &Model, id: &str, made: &Made, lang: Lang, page_abs: &str) -> (String, u32) {
    let svg = &made.svg;
    let max = svg.width as f64 - 24.0;
    let title_lines = wrap(&made.title, 16.0 * 1.1, max);
    let header = 14 + 22 * title_lines.len() as u32;
    let sources: Vec<&str> = made.sources.iter().map(|c| c.text.as_str()).collect();
    let colon = if lang == Lang::Zh { "：" } else { ": " };
    let sep = if lang == Lang::Zh { "；" } else { "; " };
    let mut foot_lines = wrap(
        &format!("{}{colon}{}", w(W::Sources, lang), sources.join(sep)),
        11.0,
        max,
    );
    foot_lines.push(format!("{} · {page_abs}", model.site.title.get(lang)));
    let footer = 8 + 16 * foot_lines.len() as u32;
    let height = header + svg.height + footer;
    let lang_attr = format!(" lang=\"{}\"", lang.tag());
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&svg_open(id, svg, height, &lang_attr));
    s.push_str(&title_desc(id, made));
    s.push_str(HALO);
    s.push_str(&format!(
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{height}\" fill=\"#FFFFFF\"/>\n",
        svg.width
    ));
    for (i, line) in title_lines.iter().enumerate() {
        s.push_str(&format!(
            "<text x=\"12\" y=\"{}\" font-size=\"16\" font-weight=\"bold\" fill=\"#1B1B1B\">{}</text>\n",
            26 + 22 * i,
            esc(line)
        ));
    }
    s.push_str(&format!("<g transform=\"translate(0,{header})\">\n"));
    s.push_str(&svg.body_for(id));
    s.push_str("</g>\n");
    for (i, line) in foot_lines.iter().enumerate() {
        s.push_str(&format!(
            "<text x=\"12\" y=\"{}\" font-size=\"11\" fill=\"#555555\">{}</text>\n",
            header + svg.height + 14 + 16 * i as u32,
            esc(line)
        ));
    }
    s.push_str("</svg>\n");
    (s, height)
}

struct Links {
    csv: String,
    svg: String,
    embed: String,
    page: String,
}

/// A number as written in `data-value`: `4500`, `31.6`.
pub fn plain(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A table cell, appended to `s`. `machine`: with each number unformatted in
/// `data-key`/`data-value` (pages, where scripts and checks read them); without, on embed
/// pages, whose readers need only the text and whose numbers the chart's CSV holds.
fn cell_html(s: &mut String, c: &Cell, machine: bool) {
    if c.header {
        s.push_str("<th scope=\"row\">");
    } else {
        s.push_str("<td");
        // A number's cell is styled by its data-key (style.css), so no class on every cell.
        if (c.num && c.value.is_none()) || (!machine && c.value.is_some()) {
            s.push_str(" class=\"num\"");
        }
        if machine {
            if let Some(v) = c.value {
                s.push_str(" data-key=\"");
                s.push_str(c.key);
                s.push_str("\" data-value=\"");
                s.push_str(&plain(v));
                s.push('"');
            }
            if let Some(v) = c.value_max {
                s.push_str(" data-value-max=\"");
                s.push_str(&plain(v));
                s.push('"');
            }
        }
        s.push('>');
    }
    match &c.href {
        Some(h) => {
            s.push_str("<a href=\"");
            push_esc(s, h);
            s.push_str("\">");
            push_esc(s, &c.text);
            s.push_str("</a>");
        }
        None => push_esc(s, &c.text),
    }
    s.push_str(if c.header { "</th>" } else { "</td>" });
}

fn table_html(id: &str, t: &Table, lang: Lang, machine: bool) -> String {
    let mut s = String::with_capacity(256 + 128 * t.rows.len());
    s.push_str("<table class=\"chart-data\" data-chart=\"");
    push_esc(&mut s, id);
    s.push_str("\">\n<caption>");
    push_esc(&mut s, w(W::ShowNumbers, lang));
    s.push_str("</caption>\n<thead><tr>");
    for h in &t.head {
        s.push_str("<th scope=\"col\">");
        push_esc(&mut s, h);
        s.push_str("</th>");
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        s.push_str("<tr>");
        for c in row {
            cell_html(&mut s, c, machine);
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>");
    s
}

fn source_line(made: &Made, lang: Lang) -> String {
    let colon = if lang == Lang::Zh { "：" } else { ": " };
    let sep = if lang == Lang::Zh { "；" } else { "; " };
    let list: Vec<String> = made
        .sources
        .iter()
        .map(|c| format!("<a href=\"{}\">{}</a>", esc(&c.href), esc(&c.text)))
        .collect();
    format!(
        "<p class=\"chart-source\">{}{colon}{}</p>\n",
        esc(w(W::Sources, lang)),
        list.join(sep)
    )
}

fn block(id: &str, made: &Made, table: &Table, inline: &str, links: &Links, lang: Lang) -> String {
    format!(
        "<figure class=\"chart\" id=\"chart-{id}\">\n\
         <figcaption class=\"chart-title\">{title}</figcaption>\n\
         <div class=\"chart-body\">\n<div class=\"chart-image\">{inline}</div>\n\
         <div class=\"chart-table table-scroll\" role=\"region\" aria-label=\"{region}\" tabindex=\"0\">\n{table}\n</div>\n</div>\n\
         {source}\
         <p class=\"chart-links\"><a href=\"{csv}\" download>{csv_w}</a> · <a href=\"{svg}\" download>{svg_w}</a> · <a href=\"{embed}\">{embed_w}</a></p>\n\
         </figure>\n",
        id = esc(id),
        title = esc(&made.title),
        region = esc(&format!("{}: {}", w(W::ShowNumbers, lang), made.title)),
        table = table_html(id, table, lang, true),
        source = source_line(made, lang),
        csv = esc(&links.csv),
        svg = esc(&links.svg),
        embed = esc(&links.embed),
        csv_w = esc(w(W::DataCsv, lang)),
        svg_w = esc(w(W::ImageSvg, lang)),
        embed_w = esc(w(W::Embed, lang)),
    )
}

/// For the embed page: just the chart, its sources and links out; the table folded away.
fn block_embed(
    id: &str,
    made: &Made,
    table: &Table,
    inline: &str,
    links: &Links,
    lang: Lang,
) -> String {
    format!(
        "<figure class=\"chart chart-embed\" id=\"chart-{id}\">\n\
         <figcaption class=\"chart-title\">{title}</figcaption>\n\
         <div class=\"chart-image\">{inline}</div>\n\
         {source}\
         <details class=\"chart-numbers\"><summary>{numbers}</summary>\n<div class=\"table-scroll\">\n{table}\n</div></details>\n\
         <p class=\"chart-links\"><a href=\"{page}\" target=\"_top\">{page_w}</a> · <a href=\"{csv}\" download>{csv_w}</a> · <a href=\"{svg}\" download>{svg_w}</a></p>\n\
         </figure>\n",
        id = esc(id),
        title = esc(&made.title),
        numbers = esc(w(W::ShowNumbers, lang)),
        table = table_html(id, table, lang, false),
        source = source_line(made, lang),
        page = esc(&links.page),
        csv = esc(&links.csv),
        svg = esc(&links.svg),
        page_w = esc(w(W::ViewOnSite, lang)),
        csv_w = esc(w(W::DataCsv, lang)),
        svg_w = esc(w(W::ImageSvg, lang)),
    )
}
