//! Language of parts (WCAG 3.1.2): Chinese words inside English text — terms such as 从业人员
//! in a note, a title quoted in commentary — are marked `<span lang="zh-Hans">` so that a
//! screen reader speaks them in Chinese, not as "unknown character". Phrases in Traditional
//! characters (quoted from Suqian's plan) are marked `zh-Hant`, in Chinese text too.
//!
//! Runs over a rendered page. Only text between tags is touched: where the language in force
//! (the nearest `lang` attribute) is not Chinese, every Chinese phrase; where it is Simplified
//! Chinese, only “quoted” words in Traditional characters; and never inside elements whose text
//! cannot hold a `<span>` (head, title, script, style, textarea, option, svg, math).

use crate::model::Script;
use std::borrow::Cow;

/// An open element, with what is in force inside it (worked out when it opens, so text never
/// looks down the stack: deep nesting costs no more than shallow).
struct Open<'a> {
    name: Cow<'a, str>,
    /// The nearest `lang` attribute, here or further out, is Chinese.
    chinese: bool,
    /// The nearest `lang` attribute is `zh-Hant`.
    traditional: bool,
    /// This element or one around it cannot hold a `<span>`.
    no_spans: bool,
}

/// Marks every run of Chinese in the non-Chinese text of `html` with `lang="{zh_tag}"`.
/// Linear in the length of `html`, however deeply its elements nest.
pub fn mark_chinese(html: &str, zh_tag: &str) -> String {
    let mut stack: Vec<Open> = Vec::new();
    // How many elements of each name are open: a close tag for an element that is not open
    // is passed over without searching the stack.
    let mut open_count: Counts = Default::default();
    // Most of a page is left as it is: `html[..out.copied]` is in `out`, and the rest is
    // copied up to each span inserted, and at the end.
    let mut out = Marked {
        html,
        text: String::with_capacity(html.len() + html.len() / 16),
        copied: 0,
        zh_tag,
    };
    let mut rest = html;
    while !rest.is_empty() {
        let at = html.len() - rest.len();
        let Some(lt) = memchr::memchr(b'<', rest.as_bytes()) else {
            out.mark_text(at, html.len(), &stack);
            break;
        };
        out.mark_text(at, at + lt, &stack);
        rest = &rest[lt..];
        let len = markup_len(rest);
        let markup = &rest[..len];
        rest = &rest[len..];
        // Inside an element that cannot hold a `<span>`, no `lang` changes anything.
        let in_no_spans = stack.last().is_some_and(|o| o.no_spans);
        match parse_tag(markup, !in_no_spans) {
            Some(Tag::Open { name, lang, closed }) => {
                if is_raw_text(&name) {
                    // Left as it is, up to its end tag.
                    let end = find_end_tag(rest, &name).unwrap_or(rest.len());
                    rest = &rest[end..];
                } else if !closed && !is_void(&name) {
                    let parent = stack.last();
                    let (chinese, traditional) = match &lang {
                        Some(l) => (
                            l.eq_ignore_ascii_case("zh") || l.starts_with("zh-"),
                            l.eq_ignore_ascii_case("zh-Hant"),
                        ),
                        None => (
                            parent.is_some_and(|p| p.chinese),
                            parent.is_some_and(|p| p.traditional),
                        ),
                    };
                    let no_spans = parent.is_some_and(|p| p.no_spans) || is_no_spans(&name);
                    *open_count.entry(name.clone()).or_default() += 1;
                    stack.push(Open {
                        name,
                        chinese,
                        traditional,
                        no_spans,
                    });
                }
            }
            // The usual case, well-formed markup: the close tag ends the innermost element.
            Some(Tag::Close { name }) if stack.last().is_some_and(|top| top.name == name) => {
                look();
                if let Some(top) = stack.pop() {
                    if let Some(n) = open_count.get_mut(&top.name) {
                        *n -= 1;
                    }
                }
            }
            // Amortised: every element searched past is closed and removed.
            Some(Tag::Close { name }) if open_count.get(&name).is_some_and(|n| *n > 0) => {
                while let Some(top) = stack.pop() {
                    look();
                    if let Some(n) = open_count.get_mut(&top.name) {
                        *n -= 1;
                    }
                    if top.name == name {
                        break;
                    }
                }
            }
            Some(Tag::Close { .. }) => {}
            None => {}
        }
    }
    out.text.push_str(&html[out.copied..]);
    out.text
}

/// Open elements by name. Names are short and few; FNV hashes them in a fraction of the time
/// of the default (DoS-resistant) hasher, and nothing here comes from a network.
type Counts<'a> =
    std::collections::HashMap<Cow<'a, str>, usize, std::hash::BuildHasherDefault<Fnv>>;

/// FNV-1a, 64 bits.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

// Matched by name rather than looked up in a list: every tag of every page asks all three.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

fn is_raw_text(name: &str) -> bool {
    matches!(name, "script" | "style" | "textarea" | "title")
}

fn is_no_spans(name: &str) -> bool {
    matches!(
        name,
        "head" | "svg" | "math" | "option" | "select" | "template"
    )
}

#[cfg(test)]
thread_local! {
    /// How many open elements were looked at, for the test that the work is linear.
    static LOOKS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn look() {
    #[cfg(test)]
    LOOKS.with(|l| l.set(l.get() + 1));
}

/// The marked page as it is made (see `mark_chinese`).
struct Marked<'a> {
    html: &'a str,
    text: String,
    copied: usize,
    zh_tag: &'a str,
}

impl Marked<'_> {
    /// Marks the Chinese phrases of the text `html[start..end]`, with `stack` open around it.
    fn mark_text(&mut self, start: usize, end: usize, stack: &[Open]) {
        look();
        let inner = stack.last();
        if inner.is_some_and(|o| o.traditional || o.no_spans) {
            return;
        }
        let text = &self.html[start..end];
        // Most text (and all markup-heavy text) is ASCII: nothing to mark.
        if text.is_ascii() {
            return;
        }
        // In Chinese text only words quoted from a Traditional document (“…”) are marked; in
        // other text every Chinese phrase is, as zh-Hant when it is in Traditional characters.
        let chinese = inner.is_some_and(|o| o.chinese);
        if chinese && memchr::memmem::find(text.as_bytes(), "“".as_bytes()).is_none() {
            return;
        }
        if !text.chars().any(is_han) {
            return;
        }
        let runs = if chinese {
            quoted_runs(text)
                .into_iter()
                .filter(|(s, e)| Script::of(&text[*s..*e]) == Script::Hant)
                .collect()
        } else {
            han_runs(text)
        };
        for (s, e) in runs {
            let run = &text[s..e];
            self.text.push_str(&self.html[self.copied..start + s]);
            self.text.push_str("<span lang=\"");
            self.text.push_str(match Script::of(run) {
                Script::Hant => Script::Hant.tag(),
                Script::Hans => self.zh_tag,
            });
            self.text.push_str("\">");
            self.text.push_str(run);
            self.text.push_str("</span>");
            self.copied = start + e;
        }
    }
}

/// Byte ranges of the text inside each pair of “ ” quotation marks.
fn quoted_runs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open = None;
    for (i, c) in text.char_indices() {
        match c {
            '“' => open = Some(i + c.len_utf8()),
            '”' => {
                if let Some(start) = open.take() {
                    if start < i {
                        out.push((start, i));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Chinese characters, and the punctuation and full-width forms that only Chinese text uses.
fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}' // CJK punctuation: 。、「」
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF01}'..='\u{FF60}' // full-width forms: ，：（）
        | '\u{20000}'..='\u{2FFFF}')
}

/// What may sit between two Chinese characters in one phrase (到2025年, 9.2万, “工匠”).
fn joins(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '.' | '%' | ' ' | '·' | '—' | '“' | '”' | '‘' | '’' | '-')
}

/// Byte ranges of the Chinese phrases in `text`: each starts and ends with a Chinese
/// character and holds nothing that is not Chinese or joining.
fn han_runs(text: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    for (i, c) in text.char_indices() {
        if is_han(c) {
            let end = i + c.len_utf8();
            current = Some(match current {
                Some((s, _)) => (s, end),
                None => (i, end),
            });
        } else if !joins(c) {
            runs.extend(current.take());
        }
    }
    runs.extend(current);
    runs
}

enum Tag<'a> {
    Open {
        name: Cow<'a, str>,
        lang: Option<&'a str>,
        closed: bool,
    },
    Close {
        name: Cow<'a, str>,
    },
}

/// `name` in lower case, copied only when it is not already.
fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// The length of the markup starting at `s` (which starts with '<'): a comment, a
/// declaration or a tag, quotes in attribute values respected.
fn markup_len(s: &str) -> usize {
    if s.starts_with("<!--") {
        return s.find("-->").map_or(s.len(), |i| i + 3);
    }
    // Bytes, not characters: every delimiter is ASCII, and no byte of a multi-byte
    // character is. Charts' path data makes long tags: memchr skips through them.
    let b = s.as_bytes();
    let mut i = 1;
    while let Some(j) = b
        .get(i..)
        .and_then(|rest| memchr::memchr3(b'>', b'"', b'\'', rest))
    {
        let at = i + j;
        if b[at] == b'>' {
            return at + 1;
        }
        // A quoted value: the tag goes on after its closing quote.
        match memchr::memchr(b[at], &b[at + 1..]) {
            Some(k) => i = at + 1 + k + 1,
            None => break,
        }
    }
    s.len()
}

/// The tag `markup` is; its `lang` attribute is read only `with_lang`.
fn parse_tag(markup: &str, with_lang: bool) -> Option<Tag<'_>> {
    let inner = markup.strip_prefix('<')?.strip_suffix('>')?;
    if let Some(name) = inner.strip_prefix('/') {
        return Some(Tag::Close {
            name: lower(name.trim()),
        });
    }
    if !inner.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None; // <!DOCTYPE …>, stray '<'
    }
    let name_end = inner
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(inner.len());
    let name = lower(&inner[..name_end]);
    let attrs = &inner[name_end..];
    Some(Tag::Open {
        // Most tags have no `lang`: their attributes are not parsed.
        lang: (with_lang && mentions_lang(attrs))
            .then(|| attribute(attrs, "lang"))
            .flatten(),
        closed: inner.ends_with('/'),
        name,
    })
}

/// Whether `attrs` holds `lang` in any case: where it does not, it has no `lang` attribute.
fn mentions_lang(attrs: &str) -> bool {
    let b = attrs.as_bytes();
    memchr::memchr2_iter(b'l', b'L', b).any(|i| {
        b.get(i + 1..i + 4)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"ang"))
    })
}

/// The value of attribute `name` in a tag's attribute text.
fn attribute<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return None;
        }
        let key_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let key = &rest[..key_end];
        rest = rest[key_end..].trim_start();
        let mut value = None;
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (v, remaining) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let end = body.find(q).unwrap_or(body.len());
                    (&body[..end], body.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            value = Some(v);
            rest = remaining;
        }
        if key.eq_ignore_ascii_case(name) {
            return Some(value.unwrap_or(""));
        }
    }
}

/// Byte offset of `</name` (`name` in lower case) in `hay`, ignoring ASCII case.
fn find_end_tag(hay: &str, name: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), name.as_bytes());
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(hay.get(from..)?.as_bytes(), b"</") {
        let at = from + i;
        if h.get(at + 2..at + 2 + n.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(n))
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><title>从业人员</title>\
        <meta name=\"description\" content=\"从业人员 > x\"></head><body>";

    fn body(html: &str) -> String {
        let out = mark_chinese(&format!("{PAGE}{html}</body></html>"), "zh-Hans");
        out[PAGE.len()..out.len() - "</body></html>".len()].to_string()
    }

    #[test]
    fn marks_chinese_phrases_in_english_text() {
        assert_eq!(
            body("<p>Plans say 从业人员 or 就业人员.</p>"),
            "<p>Plans say <span lang=\"zh-Hans\">从业人员</span> or \
             <span lang=\"zh-Hans\">就业人员</span>.</p>"
        );
        // Numbers and quotation marks inside a phrase stay in it; around it they do not.
        assert_eq!(
            body("<p>“到2025年，达到9.2万人” (by 2025)</p>"),
            "<p>“<span lang=\"zh-Hans\">到2025年，达到9.2万人</span>” (by 2025)</p>"
        );
    }

    #[test]
    fn marks_traditional_characters_zh_hant() {
        assert_eq!(
            body("<p>The plan says “每年新增備案機構50家” (50 a year).</p>"),
            "<p>The plan says “<span lang=\"zh-Hant\">每年新增備案機構50家</span>” (50 a year).</p>"
        );
        // In Chinese text, only quoted Traditional words are marked.
        assert_eq!(
            body("<p lang=\"zh-Hans\">原文为“每年新增備案機構50家”，即“50家”。</p>"),
            "<p lang=\"zh-Hans\">原文为“<span lang=\"zh-Hant\">每年新增備案機構50家</span>”，即“50家”。</p>"
        );
        let hant = "<blockquote lang=\"zh-Hant\"><p>“備案機構”</p></blockquote>";
        assert_eq!(body(hant), hant);
    }

    #[test]
    fn leaves_chinese_contexts_head_and_markup_alone() {
        let untouched = [
            "<blockquote lang=\"zh-Hans\"><p>到<b>2025</b>年</p></blockquote>",
            "<div lang='zh'><p>技能<br>人才</p></div>",
            "<svg><text>人才</text></svg>",
            "<a href=\"/a\" aria-label=\"链接 > 人才\">x</a>",
            "<!-- 人才 -->",
            "<script>var a = '<p>人才</p>';</script>",
        ];
        for html in untouched {
            assert_eq!(body(html), html);
        }
        let page = format!("{PAGE}</body></html>");
        assert_eq!(mark_chinese(&page, "zh-Hans"), page);
        // After a Chinese element closes, English is in force again.
        assert_eq!(
            body("<p lang=\"zh-Hans\">人才</p><p>人才</p>"),
            "<p lang=\"zh-Hans\">人才</p><p><span lang=\"zh-Hans\">人才</span></p>"
        );
    }

    #[test]
    fn deep_nesting_takes_linear_time() {
        // 200,000 nested blockquotes took 31 s when each text looked down the whole stack.
        let depth = 200_000;
        let html = format!(
            "{}人才{}",
            "<blockquote>\n".repeat(depth),
            "</blockquote>\n".repeat(depth)
        );
        LOOKS.with(|l| l.set(0));
        let out = body(&html);
        assert!(out.contains("<span lang=\"zh-Hans\">人才</span>"));
        // Stray close tags of elements that are not open cost nothing either.
        let stray = format!("{}{}", "<div>".repeat(depth), "</p>".repeat(depth));
        assert_eq!(body(&stray), stray);
        // Open elements looked at: a few per tag, not one per tag and level of nesting.
        let looks = LOOKS.with(|l| l.get());
        assert!(looks < 10 * depth, "{looks} looks for {depth} levels");
    }

    #[test]
    fn chinese_pages_are_unchanged() {
        let page = "<html lang=\"zh-Hans\"><body><p>技能人才 apprentices</p></body></html>";
        assert_eq!(mark_chinese(page, "zh-Hans"), page);
    }
}
