//! The one escaping function for text written into HTML, SVG and XML (text and quoted
//! attributes alike). Templates escape through tera; everything Rust writes itself uses this.

/// Escapes markup characters and drops the control characters XML 1.0 forbids (a pasted
/// spreadsheet cell can hold them; left in, they make a feed or an SVG unreadable).
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_esc(&mut out, text);
    out
}

/// `esc(text)` appended to `out`, without a string of its own.
pub fn push_esc(out: &mut String, text: &str) {
    // Bytes, copying the runs between the characters replaced: every one of them is ASCII,
    // and no byte of a multi-byte character is below 0x80.
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let with = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            // &#39; rather than &apos;: the same in XML, and also understood by old HTML readers.
            b'\'' => "&#39;",
            b if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') => "",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(with);
        last = i + 1;
    }
    out.push_str(&text[last..]);
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
