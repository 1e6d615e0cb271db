//! Text measuring. The build machine may have no fonts, and plotters' SVG backend
//! guesses text width from the byte count (three bytes per Chinese character), so label space
//! is sized here from the characters themselves, with generous per-character widths.

/// The width of `text` in pixels at `size` px, estimated for a common sans-serif font (wide
/// enough for the CJK fallback fonts too).
pub fn width(text: &str, size: f64) -> f64 {
    text.chars().map(char_em).sum::<f64>() * size
}

fn char_em(c: char) -> f64 {
    if is_wide(c) {
        return 1.0;
    }
    // Widths of DejaVu Sans, the widest of the common sans-serif fallbacks.
    match c {
        ' ' => 0.32,
        'i' | 'l' | 'j' | '.' | ',' | '\'' | '|' | '!' | ':' | ';' => 0.3,
        '(' | ')' | '[' | ']' | 'f' | 't' | 'r' | '-' | '‘' | '’' | 'I' => 0.42,
        'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.95,
        '0'..='9' => 0.64,
        'A'..='Z' => 0.74,
        'a'..='z' => 0.62,
        '–' | '—' => 0.8,
        '≥' | '≤' | '~' | '=' | '+' | '<' | '>' | '×' => 0.84,
        _ => 0.7,
    }
}

/// The width of `text` set in bold.
pub fn width_bold(text: &str, size: f64) -> f64 {
    width(text, size) * 1.1
}

/// Full-width characters: CJK ideographs, kana, hangul, full-width forms and CJK punctuation.
pub fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3040..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// `text` cut to fit `max` px, with an ellipsis when cut.
pub fn fit(text: &str, size: f64, max: f64) -> String {
    if width(text, size) <= max {
        return text.to_string();
    }
    let ell = width("…", size);
    let mut out = String::new();
    let mut w = 0.0;
    for c in text.chars() {
        let cw = char_em(c) * size;
        if w + cw + ell > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    format!("{}…", out.trim_end())
}

/// `text` broken into lines no wider than `max` px: at spaces for alphabetic text, anywhere
/// between wide characters.
pub fn wrap(text: &str, size: f64, max: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_w = 0.0;
    for token in tokens(text) {
        let tw = width(&token, size);
        if line_w + tw > max && !line.trim().is_empty() {
            lines.push(line.trim_end().to_string());
            line = String::new();
            line_w = 0.0;
            if token == " " {
                continue;
            }
        }
        line.push_str(&token);
        line_w += tw;
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
        .into_iter()
        .map(|l| fit(&l, size, max))
        .collect::<Vec<_>>()
}

/// Words, single spaces and single wide characters.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c == ' ' || is_wide(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push(c.to_string());
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_measured_by_characters_not_bytes() {
        // Six ideographs are six ems, not the eighteen bytes plotters would count.
        assert_eq!(width("技能人才比例", 10.0), 60.0);
        assert!(width("Zhuhai", 10.0) < 45.0);
    }

    #[test]
    fn fitting_and_wrapping() {
        assert_eq!(fit("short", 10.0, 100.0), "short");
        let cut = fit("技能人才占就业人员比例", 10.0, 50.0);
        assert!(cut.ends_with('…') && width(&cut, 10.0) <= 50.0, "{cut}");
        let lines = wrap("Sources: one two three four five six", 10.0, 80.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| width(l, 10.0) <= 80.0), "{lines:?}");
        let zh = wrap("来源：珠海市产业新工匠培育行动计划", 10.0, 60.0);
        assert!(zh.iter().all(|l| width(l, 10.0) <= 60.0), "{zh:?}");
        assert_eq!(zh.concat(), "来源：珠海市产业新工匠培育行动计划");
    }
}
