//! Site-level files for GitHub Pages, crawlers, feed readers and data tools: `.nojekyll`,
//! `CNAME`, `robots.txt`, `sitemap.xml`, the Atom feeds of data updates and the Frictionless
//! `datapackage.json`. Like every other file they are returned, not written: `write` does that.

pub mod datapackage;
pub mod feed;
pub mod sitemap;

use crate::model::{Lang, Model};
use crate::output::OutputFile;
use crate::render::theme::Theme;
use crate::render::Extras;
use crate::urls::Urls;

pub fn site_files(model: &Model, urls: &Urls, extras: &Extras, theme: &Theme) -> Vec<OutputFile> {
    // Each chart's CSV is made, described and dropped: they are never all in memory at once.
    let charts: Vec<String> = extras.charts.each_csv(model, &|path, bytes| {
        datapackage::printed(&datapackage::chart_resource(path, bytes))
    });
    site_files_with(model, urls, extras, theme, &charts)
}

/// `site_files`, given the data package's chart resources as printed
/// (`datapackage::printed(&datapackage::chart_resource(…))`, in the order of `Charts::csvs`):
/// the preview keeps them from one rebuild to the next.
pub fn site_files_with(
    model: &Model,
    urls: &Urls,
    extras: &Extras,
    theme: &Theme,
    chart_resources: &[String],
) -> Vec<OutputFile> {
    let mut files = vec![
        // Without it, GitHub Pages runs Jekyll, which drops files and folders starting with _ or .
        OutputFile::new(".nojekyll", ""),
        OutputFile::new(
            "robots.txt",
            format!(
                "User-agent: *\nAllow: /\nSitemap: {}\n",
                urls.absolute("sitemap.xml")
            ),
        ),
        OutputFile::new("sitemap.xml", sitemap::sitemap(model, urls)),
        OutputFile::new(
            crate::urls::DATAPACKAGE,
            datapackage::datapackage_with(model, urls, &extras.downloads, chart_resources),
        ),
        OutputFile::new(datapackage::SCHEMA_PATH, datapackage::schema_file()),
        OutputFile::new(
            datapackage::OBSERVATIONS_SCHEMA_PATH,
            datapackage::observations_schema_file(),
        ),
    ];
    for lang in &model.site.languages {
        files.push(OutputFile::new(
            urls.feed_path(*lang),
            feed::feed(model, urls, *lang, &|key| string(theme, *lang, key)),
        ));
    }
    if let Some(cname) = model.site.cname.as_deref().filter(|c| !c.is_empty()) {
        files.push(OutputFile::new("CNAME", format!("{cname}\n")));
    }
    files
}

/// An interface string of the theme, or its key when the theme lacks it.
fn string(theme: &Theme, lang: Lang, key: &str) -> String {
    theme
        .strings
        .get(lang.code())
        .and_then(|s| s.get(key))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}
