//! The one escaping function for text written into HTML, SVG and XML (text and quoted
//! attributes alike). Templates escape through tera; everything Rust writes itself uses this.

/// Escapes markup characters and drops the control characters XML 1.0 forbids (a pasted
/// spreadsheet cell can hold them; left in, they make a feed or an SVG unreadable).
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // &#39; rather than &apos;: the same in XML, and also understood by old HTML readers.
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(esc("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&#39;");
        assert_eq!(esc("珠海\n"), "珠海\n");
    }
}
