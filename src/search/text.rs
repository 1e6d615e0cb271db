//! The text Pagefind indexes, made findable from both search pages: Chinese in an English
//! record split into words, and Traditional characters given a Simplified rendering.

use crate::model::Lang;
use icu_segmenter::{WordSegmenter, WordSegmenterBorrowed};
use std::sync::OnceLock;

/// The text Pagefind indexes for a record: its parts, one a line, each followed, where it has
/// Traditional characters, by the Simplified rendering of those runs of Chinese that differ
/// (not the whole line again); in an English record, Chinese is split into words.
pub fn searchable(lang: Lang, parts: &[&str]) -> String {
    let mut lines: Vec<String> = Vec::new();
    for part in parts {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        for text in [Some(part.to_string()), simplified_runs(part)]
            .into_iter()
            .flatten()
        {
            lines.push(match lang {
                Lang::Zh => text,
                _ => spaced_chinese(&text),
            });
        }
    }
    lines.join("\n")
}

/// The runs of Chinese in `text` whose Simplified rendering differs, rendered and joined by
/// spaces; None when there is none. `宿遷市開展學徒制 (2022)` → `宿迁市开展学徒制`.
fn simplified_runs(text: &str) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(is_han) {
        let run = &rest[start..];
        let end = run.find(|c: char| !is_han(c)).unwrap_or(run.len());
        let simplified = fast2s::convert(&run[..end]);
        if simplified != run[..end] {
            out.push(simplified);
        }
        rest = &run[end..];
    }
    (!out.is_empty()).then(|| out.join(" "))
}

/// What splits Chinese words in an English record.
pub const THIN_SPACE: char = '\u{2009}';

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}')
}

/// Chinese split into its words with thin spaces (as Pagefind's Chinese index does, with the
/// same dictionary); other text as it is. `開展企業新型學徒制` → `開展 企業 新型 學徒 制`. The
/// spaces added are U+2009, so that the search page can show a clause as written.
pub fn spaced_chinese(text: &str) -> String {
    if !text.chars().any(is_han) {
        return text.to_string();
    }
    static SEGMENTER: OnceLock<WordSegmenterBorrowed<'static>> = OnceLock::new();
    let segmenter = SEGMENTER.get_or_init(|| WordSegmenter::new_dictionary(Default::default()));
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut start = 0;
    let mut previous_han = false;
    for end in segmenter.segment_str(text).skip(1) {
        let word = &text[start..end];
        start = end;
        let han = word.chars().any(is_han);
        let spaced = out.ends_with(char::is_whitespace) || word.starts_with(char::is_whitespace);
        if (han || previous_han) && !out.is_empty() && !spaced {
            out.push(THIN_SPACE);
        }
        out.push_str(word);
        previous_han = han;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_in_english_records_is_split_into_words() {
        let spaced = spaced_chinese("開展企業新型學徒制培養5000人 (persons)");
        let words: Vec<&str> = spaced.split_whitespace().collect();
        assert!(
            words.contains(&"學徒") || words.contains(&"學徒制"),
            "{spaced}"
        );
        assert!(spaced.ends_with("(persons)"), "{spaced}");
        assert_eq!(spaced_chinese("no Chinese here"), "no Chinese here");
    }

    #[test]
    fn traditional_text_gets_a_simplified_rendering() {
        let text = searchable(Lang::Zh, &["宿迁", "開展企業新型學徒制培養5000人"]);
        assert!(text.contains("開展企業新型學徒制培養5000人"), "{text}");
        assert!(text.contains("开展企业新型学徒制培养"), "{text}");
        // Only the runs that change, not the whole line again.
        let text = searchable(Lang::En, &["A note on 學徒 and 技能 (2022)"]);
        assert_eq!(text.lines().nth(1), Some("学徒"), "{text}");
        // Already Simplified: not repeated.
        let text = searchable(Lang::Zh, &["珠海", "产业新工匠"]);
        assert_eq!(text, "珠海\n产业新工匠");
        let en = searchable(Lang::En, &["Suqian", "每年開展企業新型學徒培訓1500人以上"]);
        assert!(en.contains("学徒"), "{en}");
    }
}
