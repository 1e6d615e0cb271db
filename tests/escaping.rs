//! Nothing from data becomes markup. A target's label, quote and note, its programme's title
//! and a commentary title hold `<script>` and attribute-breaking quotes; every page, chart,
//! feed and download that shows them must show them as text.

mod common;

use common::*;

/// Breaks out of an element and out of a double- or single-quoted attribute.
const PAYLOAD: &str = "<script>alert(1)</script>\" onmouseover=\"alert(2)\" x='y";
const PAYLOAD_ZH: &str = "<img src=x onerror=alert(3)>'\"天津";
/// What must never appear raw in HTML, SVG or XML.
const RAW: [&str; 6] = [
    "<script>alert(",
    "\" onmouseover=\"",
    "<img src=x",
    "x='y",
    "onclick=\"",
    "javascript:",
];

/// Raw HTML, heading attributes and `javascript:` links in Markdown (site.yaml does not
/// allow raw HTML, the default).
const MARKDOWN: &str = "
## Heading {onclick=alert(6)}

<script>alert(1)</script>

Text with <img src=x onerror=alert(3)> inline.

[click](javascript:alert(7)) and [also](JAVASCRIPT:alert(8))
";

fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap() // a JSON string is a valid YAML double-quoted scalar
}

fn strings_in(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings_in(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| strings_in(x, out)),
        _ => {}
    }
}

#[test]
fn data_strings_appear_as_text_everywhere() {
    let (_dir, site) = temp_site();
    let tianjin = site.join("content/programmes/tianjin.yaml");
    let (p, pz) = (yaml_string(PAYLOAD), yaml_string(PAYLOAD_ZH));
    edit(
        &tianjin,
        "    label: {en: \"Skilled talent as a share of employed persons\", zh: \"技能人才占就业人员比例\"}\n",
        &format!("    label: {{en: {p}, zh: {pz}}}\n"),
    );
    edit(
        &tianjin,
        "    quote: \"技能人才占就业人员的比例超过40%\"\n",
        // The payload quote no longer states 40: the derivation (shown on pages) says why.
        &format!("    quote: {pz}\n    derivation: {{en: {p}, zh: {pz}}}\n"),
    );
    edit(
        &tianjin,
        "    quote_en: \"skilled talent will make up more than 40% of employed persons\"\n",
        &format!("    quote_en: {p}\n"),
    );
    edit(
        &tianjin,
        "  en: \"Tianjin implementation opinions on strengthening the high-skilled workforce in the new era\"\n",
        &format!("  en: {p}\n"),
    );
    let note = site.join("content/commentary/note.en.md");
    edit(&note, "title: \"A short note\"\n", &format!("title: {p}\n"));
    let mut text = std::fs::read_to_string(&note).unwrap();
    text.push_str(MARKDOWN);
    std::fs::write(&note, text).unwrap();

    let built = build_ok(&site);
    assert!(built.files > 20);
    let output = site.join("output");

    let mut shown_in = Vec::new();
    let mut json_found = false;
    let mut csv_found = false;
    for entry in walkdir::WalkDir::new(&output).sort_by_file_name() {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let rel = path.strip_prefix(&output).unwrap().display().to_string();
        let bytes = std::fs::read(path).unwrap();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match ext {
            "html" | "svg" | "xml" | "atom" => {
                let text = String::from_utf8(bytes).unwrap();
                for raw in RAW {
                    assert!(!text.contains(raw), "{rel} contains {raw:?} unescaped");
                }
                // Every appearance of the payload is the escaped one.
                for (i, _) in text.match_indices("alert(1)") {
                    assert!(
                        text[..i].ends_with("&lt;script&gt;"),
                        "{rel}: alert(1) appears in another form: {:?}",
                        &text[i.saturating_sub(40)..(i + 20).min(text.len())]
                    );
                }
                if text.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                    || text.contains("&lt;img src=x onerror=alert(3)&gt;")
                {
                    shown_in.push(rel.clone());
                }
                if ext == "svg" {
                    let mut reader = quick_xml::Reader::from_str(&text);
                    loop {
                        match reader.read_event() {
                            Ok(quick_xml::events::Event::Eof) => break,
                            Ok(_) => {}
                            Err(e) => panic!("{rel} is not well-formed XML: {e}"),
                        }
                    }
                }
            }
            "json" => {
                let value: serde_json::Value = serde_json::from_slice(&bytes)
                    .unwrap_or_else(|e| panic!("{rel} is not valid JSON: {e}"));
                let mut strings = Vec::new();
                strings_in(&value, &mut strings);
                json_found |= strings.iter().any(|s| s == PAYLOAD);
            }
            "csv" => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .from_reader(bytes.as_slice());
                for record in reader.records() {
                    let record = record.unwrap_or_else(|e| panic!("{rel}: bad CSV: {e}"));
                    csv_found |= record.iter().any(|cell| cell == PAYLOAD);
                }
            }
            _ => {}
        }
    }
    for page in [
        "programmes/tianjin/index.html",
        "zh/programmes/tianjin/index.html",
        "metrics/skilled-share/index.html",
        "commentary/note/index.html",
    ] {
        assert!(
            shown_in.iter().any(|p| p == page),
            "{page} does not show the payload as text; shown in {shown_in:?}"
        );
    }
    let note = std::fs::read_to_string(output.join("commentary/note/index.html")).unwrap();
    assert!(
        note.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{note}"
    );
    assert!(
        note.contains("&lt;img src=x onerror=alert(3)&gt;"),
        "{note}"
    );
    assert!(note.contains("<a href=\"#\">click</a>"), "{note}");
    assert!(json_found, "no JSON download holds the label verbatim");
    assert!(csv_found, "no CSV download holds the label verbatim");
}
