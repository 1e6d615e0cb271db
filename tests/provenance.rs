//! Provenance rules of `check`, each with a fixture that fails and one that passes: a figure's
//! value must be in its quote (or carry a `derivation`), a commentary link's number must be the
//! figure's, a link must name a figure that exists, and a quote's script must be declared.

mod common;

use common::*;
use policydash::BuildOptions;
use std::path::Path;

const TIANJIN: &str = "content/programmes/tianjin.yaml";
const NOTE: &str = "content/commentary/note.en.md";

/// Line (1-based) of the first occurrence of `needle` in `file` of `site`.
fn line_of(site: &Path, file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(site.join(file)).unwrap();
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?}"));
    text[..at].matches('\n').count() + 1
}

/// Runs `check` on a copy of the site with `edits` applied; Ok(warnings) or Err(all
/// problems), each as its one-line form (`file:line:col: field: message`) plus its help.
fn check(edits: &[(&str, &str, &str)]) -> (tempfile::TempDir, Result<String, String>) {
    let (dir, site) = temp_site();
    for (file, from, to) in edits {
        edit(&site.join(file), from, to);
    }
    let lines = |d: &policydash::diagnostics::Diagnostics| {
        d.sorted()
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let result = match policydash::check(&BuildOptions::new(&site)) {
        Ok(c) => Ok(lines(&c.warnings)),
        Err(f) => Err(format!(
            "{}\n{} error(s)",
            lines(&f.diagnostics),
            f.diagnostics.error_count()
        )),
    };
    (dir, result)
}

// Tianjin's second figure: no commentary of the test site cites it.
const VALUE_35: &str = "    value: 35\n    unit: percent\n    comparator: \">=\"";
const QUOTE_35: &str = "比例超过35%\"";
const JIANGMEN: &str = "content/programmes/jiangmen.yaml";

#[test]
fn a_value_its_quote_does_not_state_is_an_error_naming_file_line_and_figure() {
    let (dir, r) = check(&[(TIANJIN, VALUE_35, &VALUE_35.replace("35", "45"))]);
    let err = r.expect_err("45 is not in the quote, which says 40%");
    let line = line_of(&dir.path().join("site"), TIANJIN, "    value: 45");
    assert!(
        err.contains(&format!("{TIANJIN}:{line}:")),
        "no file and line: {err}"
    );
    assert!(
        err.contains("the value 45 of tianjin-high-skilled-share-2025 is not in its quote"),
        "{err}"
    );
    assert!(
        err.contains("derivation"),
        "the help names the way out: {err}"
    );
    assert!(err.ends_with("\n1 error(s)"), "{err}");
}

#[test]
fn a_derived_value_passes_when_the_record_says_how() {
    let derived = format!(
        "{}\n    derivation: {{en: \"Test: read as 45\", zh: \"测试：读作45\"}}",
        VALUE_35.replace("35", "45")
    );
    let (_dir, r) = check(&[(TIANJIN, VALUE_35, &derived)]);
    r.expect("a value with its derivation written down passes");
}

#[test]
fn a_range_needs_both_ends_in_the_quote() {
    let range = format!("{VALUE_35}\n    value_max: 60");
    let (_d, r) = check(&[(TIANJIN, VALUE_35, &range)]);
    let err = r.expect_err("60 is not in the quote");
    assert!(
        err.contains("value_max 60 of tianjin-high-skilled-share-2025"),
        "{err}"
    );
    let (_d, r) = check(&[
        (TIANJIN, VALUE_35, &range),
        (TIANJIN, QUOTE_35, "比例超过35%至60%\""),
    ]);
    // The quote now says 60 too (verify-quotes would object; `check` reads numbers only).
    r.expect("both ends stated");
}

#[test]
fn numbers_are_read_in_every_way_the_documents_write_them() {
    for quote in [
        "比例超过３５％",       // full-width digits and percent sign
        "比例超过三十五%",      // Chinese numerals
        "比例超过百分之三十五", // Chinese numerals, written-out percent
    ] {
        let (_d, r) = check(&[(TIANJIN, QUOTE_35, &format!("{quote}\""))]);
        r.unwrap_or_else(|e| panic!("{quote}: {e}"));
    }
    // 万 multiplies: a value written as 5 for 5万 is caught; 5萬 (Traditional) is 50000.
    let upskilling = "    value: 50000\n    unit: person-times";
    let (_d, r) = check(&[(JIANGMEN, upskilling, &upskilling.replace("50000", "5"))]);
    let err = r.expect_err("5 is not 5万");
    assert!(
        err.contains("the value 5 of jiangmen-industrial-upskilling-per-year"),
        "{err}"
    );
    let (_d, r) = check(&[(JIANGMEN, "不少于5万人次\"", "不少于5萬人次\"")]);
    r.expect("5萬 is 50000");
    let (_d, r) = check(&[(JIANGMEN, "不少于5万人次\"", "不少于五万人次\"")]);
    r.expect("五万 is 50000");
}

#[test]
fn a_commentary_link_whose_number_disagrees_is_an_error() {
    let (dir, r) = check(&[(
        NOTE,
        "[40%](target:tianjin-skilled-share-2025)",
        "[45%](target:tianjin-skilled-share-2025)",
    )]);
    let err = r.expect_err("45% is not the figure's 40");
    let line = line_of(&dir.path().join("site"), NOTE, "[45%]");
    assert!(err.contains(&format!("{NOTE}:{line}:")), "{err}");
    assert!(
        err.contains("\"45%\" disagrees with the figure tianjin-skilled-share-2025"),
        "{err}"
    );
    // Agreeing links pass, in any notation; a link with no number makes no claim.
    for text in ["more than 40%", "≥ 40%", "四十%", "the Tianjin target"] {
        let (_d, r) = check(&[(
            NOTE,
            "[40%](target:tianjin-skilled-share-2025)",
            &format!("[{text}](target:tianjin-skilled-share-2025)"),
        )]);
        r.unwrap_or_else(|e| panic!("{text}: {e}"));
    }
}

#[test]
fn commentary_citing_a_figure_that_no_longer_exists_is_an_error() {
    let (_d, r) = check(&[(
        NOTE,
        "(target:tianjin-skilled-share-2025)",
        "(target:tianjin-skilled-share-2024)",
    )]);
    let err = r.expect_err("the figure is gone");
    assert!(
        err.contains("names a figure \"tianjin-skilled-share-2024\" that does not exist"),
        "{err}"
    );
    // Renaming the figure without the link is caught the same way.
    let (_d, r) = check(&[(
        TIANJIN,
        "id: tianjin-skilled-share-2025",
        "id: tianjin-skilled-share-2026",
    )]);
    assert!(r.is_err());
}

#[test]
fn a_traditional_quote_needs_its_script_declared() {
    // Suqian's document is in Traditional characters; its source says so.
    let (_d, r) = check(&[("content/programmes/suqian.yaml", "    script: hant", "")]);
    let warnings = r.expect("a missing script is a warning");
    assert!(
        warnings.contains("is in Traditional characters"),
        "{warnings}"
    );
    assert!(warnings.contains("add `script: hant`"), "{warnings}");
    let (_d, r) = check(&[]);
    let warnings = r.expect("the real content passes");
    assert!(!warnings.contains("Traditional"), "{warnings}");
}

#[test]
fn one_mistake_is_reported_once() {
    // 400 for 40%: the range error alone; neither "not in its quote" nor the commentary links
    // that cite the figure (correcting the value settles them).
    let (_d, r) = check(&[(TIANJIN, "    value: 40\n", "    value: 400\n")]);
    let err = r.expect_err("400 is not a percentage");
    assert!(err.contains("400 is not a percentage"), "{err}");
    assert!(!err.contains("not in its quote"), "{err}");
    assert!(!err.contains("disagrees"), "{err}");
    assert!(err.ends_with("\n1 error(s)"), "{err}");
    // 45 for 40%: one error at the value, none at the links.
    let (_d, r) = check(&[(TIANJIN, "    value: 40\n", "    value: 45\n")]);
    let err = r.expect_err("45 is not in the quote");
    assert!(
        err.contains("the value 45 of tianjin-skilled-share-2025"),
        "{err}"
    );
    assert!(err.ends_with("\n1 error(s)"), "{err}");
}
