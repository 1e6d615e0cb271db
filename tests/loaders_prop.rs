//! Property tests of the loaders: whatever bytes are in a programme file or a commentary
//! file's front matter, loading never panics and ends either in a model or in errors that
//! each name a file, which render (with miette) without panicking either.

mod common;

use policydash::diagnostics::Diagnostics;
use policydash::model::PartialDate;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use std::path::{Path, PathBuf};

const PROGRAMME: &str = "content/programmes/tianjin.yaml";

/// A small site: site.yaml, metrics.yaml and one programme, which the properties overwrite.
fn small_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let real = Path::new(common::CRATE).join("content");
    std::fs::create_dir_all(site.join("content/programmes")).unwrap();
    for file in ["site.yaml", "metrics.yaml", "programmes/tianjin.yaml"] {
        std::fs::copy(real.join(file), site.join("content").join(file)).unwrap();
    }
    (dir, site)
}

/// The property: a model, or errors that all name a file, rendered without a panic.
fn loads_or_explains(site: &Path, file: &str) -> Result<(), TestCaseError> {
    let loaded = policydash::load::load(site);
    let errors: Vec<_> = loaded
        .diagnostics
        .sorted()
        .into_iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    prop_assert!(loaded.model.is_some() || !errors.is_empty());
    for d in &errors {
        prop_assert!(d.file.is_some(), "an error without a file: {d:?}");
    }
    let text = loaded.diagnostics.render(&loaded.sources.texts());
    if errors
        .iter()
        .any(|d| d.file.as_deref() == Some(Path::new(file)))
    {
        prop_assert!(text.contains(file), "{text}");
    }
    Ok(())
}

fn mutations() -> impl Strategy<Value = Vec<(Index, u8, &'static str)>> {
    prop::collection::vec((any::<Index>(), 0u8..4, select(common::YAML_PIECES)), 1..6)
}

/// Applies insertions, deletions and line duplications at character boundaries.
fn mutate(text: &str, ops: &[(Index, u8, &str)]) -> String {
    common::mutate(text, ops, 3)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn any_bytes_as_a_programme_file(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let (_dir, site) = small_site();
        std::fs::write(site.join(PROGRAMME), &bytes).unwrap();
        loads_or_explains(&site, PROGRAMME)?;
    }

    #[test]
    fn any_text_as_a_programme_file(text in "\\PC{0,300}") {
        let (_dir, site) = small_site();
        std::fs::write(site.join(PROGRAMME), &text).unwrap();
        loads_or_explains(&site, PROGRAMME)?;
    }

    #[test]
    fn mutated_real_programme_files(ops in mutations()) {
        let (_dir, site) = small_site();
        let real = std::fs::read_to_string(Path::new(common::CRATE).join(PROGRAMME)).unwrap();
        std::fs::write(site.join(PROGRAMME), mutate(&real, &ops)).unwrap();
        loads_or_explains(&site, PROGRAMME)?;
        // Validation and theme loading must cope with whatever loaded, too.
        if let Err(f) = policydash::check(&policydash::BuildOptions::new(&site)) {
            for d in f.diagnostics.sorted() {
                prop_assert!(!d.is_error() || d.file.is_some(), "{d:?}");
            }
            let _ = f.render();
        }
    }

    #[test]
    fn any_front_matter(front in "\\PC{0,200}", body in "\\PC{0,100}") {
        let (_dir, site) = small_site();
        let file = "content/commentary/x.en.md";
        std::fs::create_dir_all(site.join("content/commentary")).unwrap();
        std::fs::write(site.join(file), format!("---\n{front}\n---\n{body}")).unwrap();
        loads_or_explains(&site, file)?;
    }

    #[test]
    fn mutated_front_matter(ops in mutations()) {
        let (_dir, site) = small_site();
        let file = "content/commentary/note.en.md";
        std::fs::create_dir_all(site.join("content/commentary")).unwrap();
        std::fs::write(site.join(file), mutate(common::COMMENTARY_EN, &ops)).unwrap();
        loads_or_explains(&site, file)?;
    }

    #[test]
    fn dates_round_trip(year in 1000i32..=9999, month in 1u32..=12, day in 1u32..=31, precision in 0u8..3) {
        let text = match precision {
            0 => format!("{year:04}"),
            1 => format!("{year:04}-{month:02}"),
            _ => format!("{year:04}-{month:02}-{day:02}"),
        };
        match PartialDate::parse(&text) {
            Ok(d) => {
                prop_assert_eq!(d.to_string(), text.clone());
                prop_assert_eq!(PartialDate::parse(&d.to_string()), Ok(d.clone()));
                prop_assert!(d.start() <= d.end());
            }
            // Only a day past the month's end may be refused.
            Err(_) => prop_assert!(precision == 2 && day > 28),
        }
    }

    #[test]
    fn any_date_text_parses_or_is_refused_consistently(text in "\\PC{0,12}|[0-9]{4}(-[0-9]{1,3}){0,3}") {
        if let Ok(d) = PartialDate::parse(&text) {
            prop_assert_eq!(PartialDate::parse(&d.to_string()), Ok(d));
        }
    }

    #[test]
    fn diagnostics_render_at_any_position(
        text in "\\PC{0,200}",
        line in 0usize..20,
        column in 0usize..300,
        message in "\\PC{0,50}",
    ) {
        let mut all = Diagnostics::new();
        all.push(
            policydash::diagnostics::Diagnostic::error(message)
                .in_file("f.yaml")
                .at(line, column),
        );
        let mut sources = std::collections::BTreeMap::new();
        sources.insert(PathBuf::from("f.yaml"), text);
        let out = all.render(&sources);
        prop_assert!(out.ends_with("1 error, 0 warnings\n"));
    }
}
