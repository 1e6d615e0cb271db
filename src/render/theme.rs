//! A theme: tera templates, interface strings per language, and static assets. The site's
//! own `templates/` folder overrides a theme template of the same name.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::read;
use crate::model::Lang;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tera::Tera;

pub struct Theme {
    pub tera: Tera,
    /// Interface strings: language code → key → text.
    pub strings: BTreeMap<String, BTreeMap<String, String>>,
    /// Static files: path below `static/` → bytes.
    pub statics: Vec<(String, Vec<u8>)>,
}

/// The folder of the themes shipped with policydash.
pub fn shipped_themes() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("themes")
}

/// Where a theme lives: the site's `themes/` folder, else the themes shipped with policydash.
pub fn theme_dir(root: &Path, name: &str) -> Option<PathBuf> {
    [root.join("themes").join(name), shipped_themes().join(name)]
        .into_iter()
        .find(|d| d.is_dir())
}

fn rel(root: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(root).unwrap_or(p).to_path_buf()
}

pub fn load(root: &Path, name: &str, languages: &[Lang]) -> Result<Theme, Diagnostics> {
    let mut errors = Diagnostics::new();
    let Some(dir) = theme_dir(root, name) else {
        return Err(Diagnostic::error(format!("there is no theme {name:?}"))
            .in_file("content/site.yaml")
            .field("theme")
            .help("use theme: default, or put the theme in themes/NAME/")
            .into());
    };
    // Every file is read through `load::read`: regular files only, within the theme's folder
    // (or, for overrides, the site's), and of bounded size.
    let theme_inside = read::within(&[&dir]);
    let site_inside = read::within(&[root]);
    // Templates: theme first, then the site's overrides under the same names.
    let mut templates: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
    for (folder, inside) in [
        (dir.join("templates"), &theme_inside),
        (root.join("templates"), &site_inside),
    ] {
        for (name, path) in files_under(root, &folder, &mut errors) {
            match read::read_text(&path, read::MAX_FILE_BYTES, inside) {
                Ok(text) => {
                    templates.insert(name, (path, text));
                }
                Err(e) => errors.push(
                    Diagnostic::error(format!("cannot read the template: {e}"))
                        .in_file(rel(root, &path)),
                ),
            }
        }
    }
    let mut tera = Tera::default();
    tera.autoescape_on([".html", ".xml", ".svg"]);
    // Parse all templates once; add them together so `extends` resolves across files.
    if let Err(e) =
        tera.add_raw_templates(templates.iter().map(|(n, (_, t))| (n.clone(), t.clone())))
    {
        errors.push(
            Diagnostic::error(format!("a template does not parse: {}", error_chain(&e)))
                .help("fix the template named in the message"),
        );
    }

    let strings_path = dir.join("strings.yaml");
    let strings: BTreeMap<String, BTreeMap<String, String>> =
        match read::read_text(&strings_path, read::MAX_FILE_BYTES, &theme_inside)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_yaml::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(s) => s,
            Err(e) => {
                errors.push(
                    Diagnostic::error(format!("cannot read the interface strings: {e}"))
                        .in_file(rel(root, &strings_path)),
                );
                BTreeMap::new()
            }
        };
    for lang in languages {
        if !strings.contains_key(lang.code()) {
            errors.push(
                Diagnostic::error(format!(
                    "the theme has no interface strings for {}",
                    lang.code()
                ))
                .in_file(rel(root, &strings_path)),
            );
        }
    }

    let mut statics = Vec::new();
    for (name, path) in files_under(root, &dir.join("static"), &mut errors) {
        match read::read_file(&path, read::MAX_STATIC_BYTES, &theme_inside) {
            Ok(b) => statics.push((name, b)),
            Err(e) => errors.push(Diagnostic::error(e.to_string()).in_file(rel(root, &path))),
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }
    Ok(Theme {
        tera,
        strings,
        statics,
    })
}

/// Every file below `folder` (following links; none if it does not exist) with its name
/// relative to it, in a fixed order. Special files are listed so that reading refuses them.
fn files_under(root: &Path, folder: &Path, errors: &mut Diagnostics) -> Vec<(String, PathBuf)> {
    if !folder.is_dir() {
        return Vec::new();
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(folder)
        .follow_links(true)
        .sort_by_file_name()
    {
        match entry {
            Ok(e) if !e.file_type().is_dir() => {
                let name = e
                    .path()
                    .strip_prefix(folder)
                    .unwrap_or(e.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((name, e.into_path()));
            }
            Ok(_) => {}
            Err(err) => errors.push(
                Diagnostic::error(format!("cannot read: {err}"))
                    .in_file(rel(root, err.path().unwrap_or(folder))),
            ),
        }
    }
    files
}

/// Tera nests the cause of an error; editors need all of it.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
