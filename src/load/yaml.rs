//! The one place that parses YAML into typed values (serde_yaml), so the parser can be
//! swapped without touching the rest. Turns serde_yaml's errors into diagnostics that name
//! the file, line, column and field, with a "did you mean" for misspelt names.
//!
//! A file is read in three passes: an event walk that locates every field and measures what
//! its aliases would expand to (refusing alias bombs before anything expands them), and notes
//! control characters, custom tags and a second document; a syntax pass (so a syntax error is
//! reported as such, not as whatever field it made look wrong); and the typed parse, repeated
//! on a repaired tree (`repair`) until every shape error of the file is found.

use super::locate::{Locator, MAX_ALIAS_EXPANSION, MAX_DEPTH};
use super::repair;
use crate::diagnostics::Diagnostic;
use serde::de::{DeserializeOwned, IgnoredAny};
use std::path::Path;

/// What parsing a file gave: the value (when it could be built, possibly with repairs, see
/// `parse_all`), where its YAML is (to locate its fields later), and every error found.
#[derive(Clone)]
pub struct Parsed<T> {
    pub value: Option<T>,
    pub located: Option<Located>,
    pub errors: Vec<Diagnostic>,
}

/// Where a file's YAML is, so that its fields can be located when a diagnostic needs them.
/// A locator of every field is a hundred bytes a field, several times the file's text: it is
/// made again from the text for the few files that have a problem instead of kept for all.
#[derive(Clone, Debug)]
pub struct Located {
    /// The YAML's bytes in the file's text: the whole file, or its front matter.
    pub range: std::ops::Range<usize>,
    /// The file line the YAML starts on.
    pub first_line: usize,
    /// Fields that had a shape error and were given a stand-in value (see `repair`).
    pub repaired: Vec<String>,
}

impl Located {
    /// The locator of the YAML in `file_text` (the text the file was parsed from).
    pub fn locator(&self, file_text: &str) -> Locator {
        let yaml = file_text.get(self.range.clone()).unwrap_or_default();
        let mut locator = Locator::from_text(yaml);
        locator.shift(self.first_line - 1);
        locator
    }

    /// Whether `path` is, or is inside or around, a field that had a shape error: its value is
    /// a stand-in, so checks of it would only repeat (or invent) a problem.
    pub fn is_repaired(&self, path: &str) -> bool {
        let within = |inner: &str, outer: &str| {
            inner == outer
                || outer.is_empty()
                || (inner.starts_with(outer)
                    && matches!(inner.as_bytes().get(outer.len()), Some(b'.' | b'[')))
        };
        self.repaired
            .iter()
            .any(|r| within(path, r) || (!path.is_empty() && within(r, path)))
    }
}

/// Parses `text` (from `file`) into `T`, returning the value and a locator for its fields, or
/// the first error.
#[cfg(test)]
pub fn parse<T: DeserializeOwned>(file: &Path, text: &str) -> Result<(T, Locator), Diagnostic> {
    let parsed = parse_all(file, text, 1);
    match (
        parsed.errors.into_iter().next(),
        parsed.value,
        parsed.located,
    ) {
        (None, Some(value), Some(located)) => Ok((value, located.locator(text))),
        (Some(d), _, _) => Err(d),
        _ => Err(Diagnostic::error("the file could not be read")),
    }
}

/// Parses `text`, which starts at line `first_line` of `file`, reporting every shape error
/// (unknown field, missing field, wrong type or value), not only the first.
///
/// serde stops at the first error, so after one the text is read as a plain YAML tree and
/// repaired where the error is (the unknown field removed; the missing or wrong value
/// replaced by the same field of a sibling record, or by a stand-in of the expected type), and
/// parsed again, until it parses or nothing more can be repaired. Errors at a stand-in are not
/// reported (they are consequences of the repair). When the repairs succeed, the value is
/// returned with the errors, and the locator records the repaired fields, so later checks can
/// leave them alone.
pub fn parse_all<T: DeserializeOwned>(file: &Path, text: &str, first_line: usize) -> Parsed<T> {
    let fail = |d: Diagnostic| Parsed {
        value: None,
        located: None,
        errors: vec![shift_diag(d, first_line)],
    };
    if text.trim().is_empty() {
        return fail(
            Diagnostic::error("the file is empty")
                .in_file(file)
                .at(1, 1)
                .help("fill it in as described in docs/content-format.md, or delete it"),
        );
    }
    if let Some(d) = odd_line_break(file, text) {
        return fail(d);
    }
    let locator = Locator::from_text(text);
    let located = |repaired| Located {
        range: 0..text.len(),
        first_line,
        repaired,
    };
    if let Err(d) = refused_before_parsing(file, &locator) {
        return fail(d);
    }
    // A typed parse that succeeds has read the whole document, so its syntax is sound: the
    // syntax pass of `well_formed` is needed only when it fails.
    let typed = serde_yaml::from_str::<T>(text);
    let checked = match &typed {
        Ok(_) => refused_after_parsing(file, text, &locator),
        Err(_) => well_formed(file, text, &locator),
    };
    if let Err(d) = checked {
        return fail(d);
    }
    let first = match typed {
        Ok(value) => {
            return Parsed {
                value: Some(value),
                located: Some(located(Vec::new())),
                errors: Vec::new(),
            };
        }
        Err(err) => err,
    };
    let mut errors = vec![to_diagnostic(file, &locator, &first)];
    let value = repair::all_errors::<T>(text, &first, |err| {
        let mut d = to_diagnostic(file, &locator, err);
        // Positions in later errors are in the repaired text: take them from the locator.
        if let Some(field) = &d.field {
            let at = if d.message.starts_with("unknown field") {
                locator.key(field)
            } else {
                locator.locate(field)
            };
            match at {
                Some((line, col)) => d = d.at(line, col),
                None => {
                    d.line = None;
                    d.column = None;
                }
            }
        } else {
            d.line = None;
            d.column = None;
        }
        errors.push(d);
    });
    let (value, repaired) = match value {
        Some((value, repaired)) => (Some(value), repaired),
        None => (None, Vec::new()),
    };
    Parsed {
        value,
        located: Some(located(repaired)),
        errors: errors
            .into_iter()
            .map(|d| shift_diag(d, first_line))
            .collect(),
    }
}

fn shift_diag(mut d: Diagnostic, first_line: usize) -> Diagnostic {
    if let Some(line) = d.line.as_mut() {
        *line += first_line - 1;
    }
    d
}

/// YAML reads U+0085, U+2028 and U+2029 as line breaks, editors and our line numbers do not:
/// refused, at their line as an editor counts it.
fn odd_line_break(file: &Path, text: &str) -> Option<Diagnostic> {
    let (line_no, line) = text
        .split('\n')
        .enumerate()
        .find(|(_, l)| l.contains(['\u{85}', '\u{2028}', '\u{2029}']))?;
    let (col, c) = line
        .chars()
        .enumerate()
        .find(|(_, c)| matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}'))?;
    Some(
        Diagnostic::error(format!(
            "this line holds the invisible character U+{:04X}, which YAML reads as a line break",
            c as u32
        ))
        .in_file(file)
        .at(line_no + 1, col + 1)
        .help("delete it, or replace it with a space or a real line break (it often comes with text pasted from a web page or a PDF)"),
    )
}

/// The checks made before any typed parse: no alias bomb, no runaway nesting, valid syntax,
/// then those of `refused_after_parsing`.
fn well_formed(file: &Path, text: &str, locator: &Locator) -> Result<(), Diagnostic> {
    refused_before_parsing(file, locator)?;
    if let Err(err) = serde_yaml::from_str::<IgnoredAny>(text) {
        return Err(syntax_diagnostic(file, text, locator, &err));
    }
    refused_after_parsing(file, text, locator)
}

/// What the event walk finds that no parser may see: an alias bomb, runaway nesting, a
/// second document.
fn refused_before_parsing(file: &Path, locator: &Locator) -> Result<(), Diagnostic> {
    if let Some((line, col)) = locator.alias_bomb() {
        return Err(Diagnostic::error(format!(
            "the YAML aliases in this file expand to more than {MAX_ALIAS_EXPANSION} values"
        ))
        .in_file(file)
        .at(line, col)
        .help("write the values out instead of repeating anchors (&name) with aliases (*name)"));
    }
    if let Some((line, col)) = locator.too_deep() {
        return Err(Diagnostic::error(format!(
            "lists and mappings are nested more than {MAX_DEPTH} levels deep here"
        ))
        .in_file(file)
        .at(line, col)
        .help("check for an unclosed [ or {, or for indentation that keeps growing"));
    }
    if let Some((line, col)) = locator.second_document() {
        return Err(Diagnostic::error("a second YAML document starts here")
            .in_file(file)
            .at(line, col)
            .help("a content file holds one document: remove the `---` or `...` line and what follows it, or move it to a file of its own"));
    }
    Ok(())
}

/// What is refused in a file whose syntax is sound: custom tags, control characters.
fn refused_after_parsing(file: &Path, text: &str, locator: &Locator) -> Result<(), Diagnostic> {
    if let Some((line, col, tag)) = locator.custom_tag() {
        // The parser marks the value after the tag (or the next line, for an empty value):
        // point at the tag itself.
        let lines: Vec<&str> = text.split('\n').collect();
        let (line, col) = (line.saturating_sub(1)..=line)
            .rev()
            .filter(|n| *n >= 1)
            .find_map(|n| {
                let l = lines.get(n - 1)?;
                let i = l.rfind(tag)?;
                Some((n, l[..i].chars().count() + 1))
            })
            .unwrap_or((line, col));
        return Err(
            Diagnostic::error(format!("the YAML tag {tag} is not used by policydash"))
                .in_file(file)
                .at(line, col)
                .help(
                    "remove the tag: write the value alone (put it in quotes if it starts with !)",
                ),
        );
    }
    if let Some((line, col, c)) = locator.control_character() {
        return Err(Diagnostic::error(format!(
            "this value holds the control character U+{:04X}, which would be published as it is",
            c as u32
        ))
        .in_file(file)
        .at(line, col)
        .help("remove the escape (such as \\0, \\x01 or \\e) from the quoted text: text may hold tabs and line breaks, but no other control character"));
    }
    Ok(())
}

/// A syntax error. The commonest one in hand-edited files, a quote left open, is reported by
/// the parser lines later, where the runaway value finally clashes with something; so when a
/// line at or before the error opens a quote it does not close, the error is moved there.
fn syntax_diagnostic(
    file: &Path,
    text: &str,
    locator: &Locator,
    err: &serde_yaml::Error,
) -> Diagnostic {
    let mut d = to_diagnostic(file, locator, err);
    let Some(error_line) = d.line else {
        return d;
    };
    let open = text
        .lines()
        .take(error_line)
        .enumerate()
        .find_map(|(i, line)| unclosed_quote(line).map(|col| (i + 1, col)));
    if let Some((line, column)) = open {
        let found = d.message.split(" (while").next().unwrap_or_default();
        d.message = if line == error_line {
            format!("a quote opened on this line is not closed ({found})")
        } else {
            format!("a quote opened on this line is not closed; the parser stopped at line {error_line}: {found}")
        };
        d.line = Some(line);
        d.column = Some(column);
        d.field = None;
        d.help = Some("close the quote on the same line: YAML reads everything up to the next quote mark as one value".into());
    }
    d
}

/// The 1-based column of a quote that opens a value on `line` and is not closed on it.
/// Quote marks inside plain text (`Tianjin's`, `he said "x"`) do not open a value.
fn unclosed_quote(line: &str) -> Option<usize> {
    let chars: Vec<char> = line.chars().collect();
    // A value can start at the line's start, and after `- `, `: `, `[`, `{` and `,`.
    let mut value_start = true;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if value_start && (c == '"' || c == '\'') {
            let open = i;
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Some(open + 1),
                    Some('\\') if c == '"' => i += 2,
                    Some(&q) if q == c && c == '\'' && chars.get(i + 1) == Some(&'\'') => i += 2,
                    Some(&q) if q == c => break,
                    Some(_) => i += 1,
                }
            }
            value_start = false;
        } else if c == '#' && (i == 0 || chars[i - 1].is_whitespace()) {
            return None;
        } else if matches!(c, '[' | '{' | ',')
            || (matches!(c, ':' | '-') && next.is_none_or(char::is_whitespace))
        {
            value_start = true;
        } else if !c.is_whitespace() {
            value_start = false;
        }
        i += 1;
    }
    None
}

/// The path an error names (`targets[3]`, or "" for the file's top level) and its message,
/// without the position.
pub(super) fn path_and_message(err: &serde_yaml::Error) -> (String, String) {
    let without_pos = strip_position(&err.to_string());
    let (parent, message) = split_field(&without_pos);
    (parent.unwrap_or_default(), message)
}

fn to_diagnostic(file: &Path, locator: &Locator, err: &serde_yaml::Error) -> Diagnostic {
    let (parent, message) = path_and_message(err);
    let child = |name: &str| {
        if parent.is_empty() {
            name.to_string()
        } else {
            format!("{parent}.{name}")
        }
    };
    let named = between_backticks(&message).next().map(str::to_string);
    let mut d = Diagnostic::error(humanize(&message)).in_file(file);
    // "unknown field `untis`, expected one of ..." : the names go to the help, as a "did you
    // mean" or as the list to choose from.
    if message.starts_with("unknown field") || message.starts_with("unknown variant") {
        d.message = message
            .split(", expected")
            .next()
            .unwrap_or_default()
            .to_string();
    }
    let mut at = None;
    let mut field = parent.clone();
    if let Some(name) = &named {
        if message.starts_with("missing field") {
            // serde puts this on the end of the mapping; point at the record's first line.
            field = child(name);
            at = locator.locate(&parent);
        } else if message.starts_with("unknown field") {
            field = child(name);
            at = locator.key(&field);
        } else if message.starts_with("duplicate field") {
            field = child(name);
            at = locator.duplicate(&field);
        }
    }
    d = d.field(field);
    match (at, err.location()) {
        (Some((line, col)), _) => d = d.at(line, col),
        (None, Some(loc)) => d = d.at(loc.line(), loc.column()),
        (None, None) => {}
    }
    if let Some(help) = suggestion(&message) {
        d = d.help(help);
    } else if message.contains("repetition limit") {
        d = d.help("the file expands to too much data through YAML aliases; write the values out instead of using anchors (&name) and aliases (*name)");
    } else if message.contains("recursion limit") {
        d = d.help(
            "the values are nested too deeply (more than 128 levels); check for unclosed [ or {",
        );
    } else if message.contains("cannot start any token") {
        d = d.help("YAML does not allow tabs for indentation, and some characters (@, `) cannot begin a value: indent with spaces and put such text in quotes");
    } else if message.starts_with("did not find expected")
        || message.contains("mapping values are not allowed")
        || message.contains("could not find expected")
    {
        d = d.help("check the indentation, and put text that contains ': ' or starts with a special character in quotes");
    } else if message.starts_with("duplicate field") {
        d = d.help("each field may appear once; remove one of the two");
    } else if message.starts_with("missing field") {
        d = d.help(format!(
            "add {}: to this record (see docs/content-format.md)",
            named.unwrap_or_default()
        ));
    }
    d
}

/// Rewords serde's type errors for people who edit YAML, not Rust: "invalid type: string
/// "forty", expected f64" becomes "expected a number, found the text "forty"".
fn humanize(message: &str) -> String {
    let Some(rest) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
    else {
        return message.to_string();
    };
    let Some((found, expected)) = rest.rsplit_once(", expected ") else {
        return message.to_string();
    };
    let expected = match expected {
        "f64" | "f32" => "a number".to_string(),
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" => {
            "a whole number".to_string()
        }
        "a string" | "a borrowed string" => {
            "text (put it in quotes if it looks like a number or a date)".to_string()
        }
        "a boolean" => "true or false".to_string(),
        "a sequence" => "a list (lines starting with `- `, or [a, b])".to_string(),
        "struct Text" => "text in both languages: {en: \"...\", zh: \"...\"}".to_string(),
        other => match other.strip_prefix("struct ") {
            Some(name) => format!("a {} record (lines of field: value)", name.to_lowercase()),
            None => other.to_string(),
        },
    };
    let found = if let Some(s) = found.strip_prefix("string ") {
        format!("the text {s}")
    } else if let Some(n) = found
        .strip_prefix("integer ")
        .or_else(|| found.strip_prefix("floating point "))
    {
        format!("the number {}", n.trim_matches('`'))
    } else {
        match found {
            "sequence" => "a list".to_string(),
            "map" => "a mapping (field: value lines)".to_string(),
            "unit value" => "nothing (the value is empty)".to_string(),
            other => other.replace('`', ""),
        }
    };
    format!("expected {expected}, found {found}")
}

/// serde_yaml writes " at line L column C" into its messages (at the end, or before
/// ", while parsing ..."); we carry the position separately.
fn strip_position(raw: &str) -> String {
    let Some(i) = raw.find(" at line ") else {
        return raw.to_string();
    };
    let rest = &raw[i + " at line ".len()..];
    let after_numbers = rest
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .strip_prefix(" column ")
        .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit()))
        .unwrap_or(rest);
    match after_numbers.strip_prefix(", ") {
        Some(context) => format!("{} ({context})", &raw[..i]),
        None => format!("{}{after_numbers}", &raw[..i]),
    }
}

/// Splits `targets[3].unit: unknown variant ...` into the path and the message.
fn split_field(text: &str) -> (Option<String>, String) {
    if let Some(i) = text.find(": ") {
        let head = &text[..i];
        let looks_like_path = !head.is_empty()
            && head
                .chars()
                .all(|c| c.is_alphanumeric() || "_-[].".contains(c));
        if looks_like_path {
            return (Some(head.to_string()), text[i + 2..].to_string());
        }
    }
    (None, text.to_string())
}

/// For "unknown field `untis`, expected one of `unit`, ..." suggests the closest name.
fn suggestion(message: &str) -> Option<String> {
    let what = if message.starts_with("unknown field") {
        "field"
    } else if message.starts_with("unknown variant") {
        "value"
    } else {
        return None;
    };
    let got = between_backticks(message).next()?;
    let expected: Vec<&str> = message
        .split_once("expected")
        .map(|(_, rest)| between_backticks(rest).collect())
        .unwrap_or_default();
    if what == "value" && got.contains(": ") {
        return Some("a quote on this line seems to be unclosed: close it, or check that the value is on one line".into());
    }
    let best = expected
        .iter()
        .map(|e| (strsim::jaro_winkler(got, e), *e))
        .filter(|(score, _)| *score > 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    Some(match best {
        Some((_, name)) => format!("did you mean `{name}`?"),
        None if expected.is_empty() => format!("remove the {what} `{got}`"),
        None => format!("use one of: {}", expected.join(", ")),
    })
}

fn between_backticks(text: &str) -> impl Iterator<Item = &str> {
    text.split('`').skip(1).step_by(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        id: String,
        unit: String,
        #[serde(default)]
        value: Option<f64>,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        items: Vec<Item>,
    }

    fn err(text: &str) -> Diagnostic {
        parse::<Doc>(Path::new("f.yaml"), text).unwrap_err()
    }

    #[test]
    fn unknown_field_names_path_line_and_suggests() {
        let d = err("items:\n  - id: a\n    unit: x\n  - id: b\n    untis: y\n");
        assert_eq!(d.field.as_deref(), Some("items[1].untis"));
        assert_eq!((d.line, d.column), (Some(5), Some(5)));
        assert!(d.message.contains("unknown field `untis`"), "{}", d.message);
        assert_eq!(d.help.as_deref(), Some("did you mean `unit`?"));
    }

    #[test]
    fn missing_field_points_at_the_record() {
        let d = err("items:\n  - id: a\n    unit: x\n  - id: b\n    value: 3\n");
        assert_eq!(d.field.as_deref(), Some("items[1].unit"));
        assert_eq!((d.line, d.column), (Some(4), Some(5)));
        assert!(d.message.contains("missing field `unit`"), "{}", d.message);
    }

    #[test]
    fn duplicate_field_points_at_the_second_one() {
        let d = err("items:\n  - id: a\n    unit: x\n    id: b\n");
        assert_eq!(d.field.as_deref(), Some("items[0].id"));
        assert_eq!(d.line, Some(4));
    }

    #[test]
    fn wrong_type_is_worded_for_editors() {
        let d = err("items:\n  - id: a\n    unit: x\n    value: forty\n");
        assert_eq!(d.field.as_deref(), Some("items[0].value"));
        assert_eq!((d.line, d.column), (Some(4), Some(12)));
        assert_eq!(d.message, "expected a number, found the text \"forty\"");
    }

    #[test]
    fn syntax_error_wins_over_a_field_error_before_it() {
        let d = err("items:\n  - id: a\n    untis: x\n    unit: [x\n");
        assert!(!d.message.contains("unknown field"), "{}", d.message);
        assert!(d.line.is_some() && d.column.is_some(), "{d:?}");
    }

    #[test]
    fn alias_bombs_are_refused_before_expanding() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let names: Vec<char> = ('a'..='z').collect();
        for pair in names.windows(2) {
            let (prev, name) = (pair[0], pair[1]);
            let refs = vec![format!("*{prev}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let d = err(&text);
        assert!(d.message.contains("aliases"), "{}", d.message);
        assert_eq!(d.line, Some(5));
    }

    #[test]
    fn deep_nesting_is_a_clear_error() {
        let d = err(&"[".repeat(100_000));
        assert!(d.message.contains("nested"), "{d:?}");
        assert_eq!(d.line, Some(1));
    }

    #[test]
    fn an_unclosed_quote_is_blamed_not_the_line_where_parsing_failed() {
        let d = err("items:\n  - id: \"a\n    unit: x\n    value: \"3\"\n");
        assert_eq!((d.line, d.column), (Some(2), Some(9)), "{d:?}");
        assert!(
            d.message
                .contains("quote opened on this line is not closed"),
            "{}",
            d.message
        );
        assert_eq!(
            unclosed_quote("  note: Tianjin's plan, \"quoted\" text"),
            None
        );
        assert_eq!(unclosed_quote("  label: {en: \"a\", zh: \"b}"), Some(24));
        assert_eq!(unclosed_quote("  q: 'it''s'  # it's"), None);
        assert_eq!(unclosed_quote("  - 'open"), Some(5));
    }

    #[test]
    fn positions_are_taken_out_of_messages() {
        assert_eq!(
            strip_position("did not find expected ',' or ']' at line 29 column 9, while parsing a flow sequence"),
            "did not find expected ',' or ']' (while parsing a flow sequence)"
        );
        assert_eq!(
            strip_position("unknown field `a` at line 3 column 1"),
            "unknown field `a`"
        );
        assert_eq!(strip_position("no position"), "no position");
    }

    fn all(text: &str) -> Parsed<Doc> {
        parse_all::<Doc>(Path::new("f.yaml"), text, 1)
    }

    #[test]
    fn every_shape_error_of_a_file_is_reported_and_the_value_repaired() {
        let text = "items:\n  - id: a\n    unit: x\n    colour: red\n  - id: b\n    untis: y\n    value: forty\n  - unit: z\n    size: 3\n";
        let p = all(text);
        let got: Vec<(Option<String>, Option<usize>)> =
            p.errors.iter().map(|d| (d.field.clone(), d.line)).collect();
        assert_eq!(
            got,
            vec![
                (Some("items[0].colour".into()), Some(4)),
                (Some("items[1].untis".into()), Some(6)),
                (Some("items[1].value".into()), Some(7)),
                (Some("items[2].size".into()), Some(9)),
                (Some("items[2].id".into()), Some(8)),
            ],
            "{:#?}",
            p.errors
        );
        // The misspelt unit is read as `unit`, the missing id took a sibling's; the repaired
        // fields are known.
        let doc = p.value.expect("repaired");
        assert_eq!(doc.items[1].unit, "y");
        assert_eq!(doc.items[2].id, "a");
        let loc = p.located.unwrap();
        assert!(loc.is_repaired("items[1].unit"));
        assert!(loc.is_repaired("items[1].value"));
        assert!(!loc.is_repaired("items[0].unit"));
    }

    #[test]
    fn errors_in_front_matter_are_shifted_to_file_lines() {
        let p = parse_all::<Doc>(
            Path::new("f.md"),
            "items:\n  - id: a\n    unti: x\n    wrong: 1\n",
            2,
        );
        let lines: Vec<Option<usize>> = p.errors.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![Some(4), Some(5)], "{:#?}", p.errors);
    }

    #[test]
    fn control_characters_from_escapes_are_refused_where_they_are() {
        let d = err("items:\n  - id: \"a\\0b\"\n    unit: \"\\e[31m\"\n");
        assert_eq!((d.line, d.column), (Some(2), Some(9)), "{d:?}");
        assert!(d.message.contains("U+0000"), "{}", d.message);
        // Tabs and line breaks are text.
        assert!(parse::<Doc>(
            Path::new("f"),
            "items:\n  - id: \"a\\tb\\nc\"\n    unit: x\n"
        )
        .is_ok());
    }

    #[test]
    fn yaml_only_line_breaks_are_refused_at_the_editors_line() {
        let d = err("items:\n  - id: a\u{85}b\n    unit: x\n    value: forty\n");
        assert_eq!((d.line, d.column), (Some(2), Some(10)), "{d:?}");
        assert!(d.message.contains("U+0085"), "{}", d.message);
    }

    #[test]
    fn a_second_document_is_named_at_its_line() {
        for (text, line) in [
            ("items:\n  - id: a\n    unit: x\n---\nitems: []\n", 4),
            ("items:\n  - id: a\n    unit: x\n...\njunk\n", 5),
        ] {
            let d = err(text);
            assert_eq!(d.line, Some(line), "{text:?}: {d:?}");
            assert!(d.message.contains("second YAML document"), "{d:?}");
        }
    }

    #[test]
    fn custom_tags_are_named_not_reported_as_a_wrong_type() {
        let d = err("items:\n  - id: a\n    unit: !percent x\n");
        assert_eq!((d.line, d.column), (Some(3), Some(11)), "{d:?}");
        assert!(d.message.contains("tag !percent"), "{}", d.message);
        assert!(!d.message.contains("null"), "{}", d.message);
        // YAML's own tags are fine.
        assert!(parse::<Doc>(Path::new("f"), "items:\n  - id: !!str 2025\n    unit: x\n").is_ok());
    }

    #[test]
    fn empty_file_is_a_clear_error() {
        let d = parse::<Doc>(Path::new("f.yaml"), " \n").unwrap_err();
        assert!(d.message.contains("empty"));
    }
}
