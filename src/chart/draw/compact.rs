//! plotters' SVG, written smaller and drawn the same. plotters puts every element on its own
//! line with every attribute spelled out, a text's words on lines of their own, and a line drawn
//! twice (a grid under and over the bars) twice. Here, line by line:
//! - a text's words go on its own line (leading and trailing white space is not drawn);
//! - `text-anchor="start"`, the default, is left out;
//! - a line drawn again later with the same attributes is drawn only there (the later one
//!   covers it: every colour here is opaque, and a line with an opacity is kept);
//! - a run of lines with the same stroke becomes one `<path>` of several parts;
//! - a run of texts of the same size and colour shares them (and any other font attribute
//!   they all have) from a `<g>`.
//!
//! Lines this does not recognise (defs, groups, anything else) are kept as they are, and end a run.

/// One element on one line: `<tag a="v" …/>`, or a text with its (escaped) words; every part
/// borrowed from the body being compacted.
#[derive(Clone, PartialEq)]
struct Element<'a> {
    tag: &'a str,
    attrs: Vec<(&'a str, &'a str)>,
    words: Option<&'a str>,
}

enum Line<'a> {
    Element(Element<'a>),
    Other(&'a str),
}

/// Attributes a `<g>` can hold for the texts in it (all inherited).
const SHARED: [&str; 5] = [
    "text-anchor",
    "font-size",
    "fill",
    "font-weight",
    "font-style",
];

pub fn compact(body: &str) -> String {
    let lines = parse(body);
    let lines = drop_overdrawn(lines);
    let mut out = String::with_capacity(body.len() / 2);
    let mut i = 0;
    while i < lines.len() {
        let run = run_len(&lines[i..]);
        match &lines[i] {
            Line::Element(e) if run > 1 && e.tag == "polyline" => {
                merged_lines(&mut out, &lines[i..i + run])
            }
            Line::Element(e) if run > 1 && e.tag == "text" => {
                grouped_texts(&mut out, &lines[i..i + run])
            }
            Line::Element(e) => write(&mut out, e, &[]),
            Line::Other(s) => {
                out.push_str(s);
                out.push('\n');
            }
        }
        i += run.max(1);
    }
    out
}

fn parse(body: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut lines = body.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("<text ") && line.ends_with('>') && !line.ends_with("/>") {
            // plotters: `<text …>`, the words, `</text>`.
            let words = lines.next().unwrap_or("");
            let close = lines.next().unwrap_or("");
            match (attributes(&line[6..line.len() - 1]), close) {
                (Some(attrs), "</text>") if !words.contains('<') => {
                    out.push(Line::Element(Element {
                        tag: "text",
                        attrs: attrs
                            .into_iter()
                            .filter(|(k, v)| !(*k == "text-anchor" && *v == "start"))
                            .collect(),
                        words: Some(words.trim()),
                    }))
                }
                _ => out.extend([line, words, close].map(Line::Other)),
            }
            continue;
        }
        let element = line
            .strip_prefix('<')
            .and_then(|l| l.strip_suffix("/>"))
            .and_then(|l| {
                let (tag, rest) = l.split_once(' ')?;
                let plain = tag.chars().all(|c| c.is_ascii_alphabetic());
                Some((tag, attributes(rest)?)).filter(|_| plain)
            });
        out.push(match element {
            Some((tag, attrs)) => Line::Element(Element {
                tag,
                attrs,
                words: None,
            }),
            None => Line::Other(line),
        });
    }
    out
}

/// `a="v" b="w"` as pairs (values stay escaped); None if it is not only that.
fn attributes(s: &str) -> Option<Vec<(&str, &str)>> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let (key, after) = rest.split_once("=\"")?;
        let end = after.find('"')?;
        out.push((key.trim(), &after[..end]));
        rest = after[end + 1..].trim_start();
    }
    Some(out)
}

fn attr<'a>(e: &Element<'a>, key: &str) -> Option<&'a str> {
    e.attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// A line is left out where the same line, as opaque, is drawn again later.
fn drop_overdrawn(lines: Vec<Line>) -> Vec<Line> {
    let mut later: std::collections::HashSet<&Element> = Default::default();
    let mut keep = vec![true; lines.len()];
    for (i, l) in lines.iter().enumerate().rev() {
        if let Line::Element(e) = l {
            if e.tag == "polyline" && attr(e, "opacity").is_none() {
                keep[i] = later.insert(e);
            }
        }
    }
    lines
        .into_iter()
        .zip(keep)
        .filter_map(|(l, k)| k.then_some(l))
        .collect()
}

impl std::hash::Hash for Element<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.tag.hash(h);
        self.attrs.hash(h);
        self.words.hash(h);
    }
}

impl Eq for Element<'_> {}

/// How many lines from the first can be written together: lines with the same stroke, or
/// texts of the same size and colour.
fn run_len(lines: &[Line]) -> usize {
    let Some(Line::Element(first)) = lines.first() else {
        return 1;
    };
    let same = |e: &Element| match first.tag {
        "polyline" => e.tag == "polyline" && same_but(e, first, "points"),
        "text" => {
            e.tag == "text"
                && ["font-size", "fill"]
                    .iter()
                    .all(|k| attr(e, k) == attr(first, k))
                && groupable(e)
        }
        _ => false,
    };
    if first.tag == "text" && !groupable(first) {
        return 1;
    }
    lines
        .iter()
        .take_while(|l| matches!(l, Line::Element(e) if same(e)))
        .count()
}

/// Whether two elements have the same attributes, in the same order, but for `key`.
fn same_but(a: &Element, b: &Element, key: &str) -> bool {
    let rest = |e: &Element| e.attrs.iter().filter(|(k, _)| *k != key).count();
    rest(a) == rest(b) && without(a, key).zip(without(b, key)).all(|(x, y)| x == y)
}

fn without<'e, 'a>(
    e: &'e Element<'a>,
    key: &'e str,
) -> impl Iterator<Item = &'e (&'a str, &'a str)> + 'e {
    e.attrs.iter().filter(move |(k, _)| *k != key)
}

/// The attributes a group of texts can hold: those every text in it has, with one value.
fn shared<'a>(texts: &[&Element<'a>]) -> Vec<(&'a str, &'a str)> {
    let Some(first) = texts.first() else {
        return Vec::new();
    };
    first
        .attrs
        .iter()
        .filter(|(k, v)| SHARED.contains(k) && texts.iter().all(|e| attr(e, k) == Some(*v)))
        .copied()
        .collect()
}

/// A text that may take its font and colour from a group: one with no opacity of its own.
fn groupable(e: &Element) -> bool {
    attr(e, "opacity").is_none()
}

fn push_attr(out: &mut String, k: &str, v: &str) {
    out.push(' ');
    out.push_str(k);
    out.push_str("=\"");
    out.push_str(v);
    out.push('"');
}

fn write(out: &mut String, e: &Element, leave_out: &[&str]) {
    out.push('<');
    out.push_str(e.tag);
    for (k, v) in e.attrs.iter().filter(|(k, _)| !leave_out.contains(k)) {
        push_attr(out, k, v);
    }
    match e.words {
        Some(w) => {
            out.push('>');
            out.push_str(w);
            out.push_str("</");
            out.push_str(e.tag);
            out.push_str(">\n");
        }
        None => out.push_str("/>\n"),
    }
}

/// Polylines with the same stroke as one path: `M` starts each line's points.
fn merged_lines(out: &mut String, lines: &[Line]) {
    let mut d = String::new();
    let mut first = None;
    for l in lines {
        if let Line::Element(e) = l {
            first.get_or_insert(e);
            d.push('M');
            d.push_str(attr(e, "points").unwrap_or("").trim());
        }
    }
    let Some(first) = first else {
        return;
    };
    out.push_str("<path");
    for (k, v) in without(first, "points") {
        push_attr(out, k, v);
    }
    push_attr(out, "d", &d);
    out.push_str("/>\n");
}

fn grouped_texts(out: &mut String, lines: &[Line]) {
    let texts: Vec<&Element> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Element(e) => Some(e),
            Line::Other(_) => None,
        })
        .collect();
    let shared = shared(&texts);
    let keys: Vec<&str> = shared.iter().map(|(k, _)| *k).collect();
    out.push_str("<g");
    for (k, v) in &shared {
        push_attr(out, k, v);
    }
    out.push_str(">\n");
    for e in texts {
        write(out, e, &keys);
    }
    out.push_str("</g>\n");
}

#[cfg(test)]
mod tests {
    use super::compact;

    #[test]
    fn writes_less_and_keeps_every_mark_and_word() {
        let grid = |x: u32| {
            format!("<polyline fill=\"none\" stroke=\"#DDDDDD\" stroke-width=\"1\" points=\"{x},36 {x},168 \"/>\n")
        };
        let text = |y: u32, words: &str| {
            format!("<text x=\"12\" y=\"{y}\" dy=\"0.5ex\" text-anchor=\"start\" font-size=\"13\" fill=\"#1B1B1B\">\n{words}\n</text>\n")
        };
        let body = [
            "<rect x=\"0\" y=\"0\" width=\"9\" height=\"9\" fill=\"#FFFFFF\"/>\n".to_string(),
            grid(12),
            grid(20),
            text(45, "A &amp; B"),
            text(63, "&lt;b&gt;"),
            "<text x=\"12\" y=\"81\" dy=\"0.5ex\" text-anchor=\"start\" font-size=\"13\" fill=\"#1B1B1B\" font-weight=\"bold\">\nC\n</text>\n".to_string(),
            "<text x=\"9\" y=\"9\" dy=\"0.5ex\" text-anchor=\"end\" font-size=\"12\" fill=\"#555555\">\n0\n</text>\n".to_string(),
            grid(12),
            grid(30),
            "<polyline fill=\"none\" stroke=\"#0072B2\" stroke-width=\"2\" points=\"1,2 3,4 \"/>\n".to_string(),
        ]
        .concat();
        let expected = [
            "<rect x=\"0\" y=\"0\" width=\"9\" height=\"9\" fill=\"#FFFFFF\"/>\n".to_string(),
            // The first line at 12 is drawn again below: only there.
            grid(20),
            "<g font-size=\"13\" fill=\"#1B1B1B\">\n".to_string(),
            "<text x=\"12\" y=\"45\" dy=\"0.5ex\">A &amp; B</text>\n".to_string(),
            "<text x=\"12\" y=\"63\" dy=\"0.5ex\">&lt;b&gt;</text>\n".to_string(),
            "<text x=\"12\" y=\"81\" dy=\"0.5ex\" font-weight=\"bold\">C</text>\n".to_string(),
            "</g>\n".to_string(),
            "<text x=\"9\" y=\"9\" dy=\"0.5ex\" text-anchor=\"end\" font-size=\"12\" fill=\"#555555\">0</text>\n".to_string(),
            "<path fill=\"none\" stroke=\"#DDDDDD\" stroke-width=\"1\" d=\"M12,36 12,168M30,36 30,168\"/>\n".to_string(),
            "<polyline fill=\"none\" stroke=\"#0072B2\" stroke-width=\"2\" points=\"1,2 3,4 \"/>\n".to_string(),
        ]
        .concat();
        assert_eq!(compact(&body), expected);
        // Lines it does not know pass through unchanged.
        let other = "<defs><pattern id=\"p\"/></defs>\n<g>\n</g>\n";
        assert_eq!(compact(other), other);
    }
}
