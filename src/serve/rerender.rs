//! Rendering what an edit affects (`Scope`): the pages, chart files and downloads that
//! `render::render_pages` and the downloads would make for it, except that a page whose template context is the
//! same as when the page in the output was rendered (`Kept::contexts`) is not rendered again:
//! with the same templates, it would come out byte for byte the same. An edit of a programme's
//! title, for instance, changes its own page and the sources page, not the home page that
//! lists its place, nor the comparison pages of its metrics. The pages that list every place
//! are made from parts kept per programme and per metric (`Kept::memo`): the sources and
//! metrics pages are not even made when the parts an edit changed come out the same.

use super::kept::Kept;
use super::scope::Scope;
use crate::diagnostics::Diagnostics;
use crate::model::{Lang, Model};
use crate::output::OutputFile;
use crate::render::pages::PageRenderer;
use crate::render::theme::Theme;
use crate::render::{self, Extras};
use crate::urls::{Page, Urls};
use rayon::prelude::*;

/// What was rendered: the files, how many pages were rendered, and how long each part took.
pub struct Rendered {
    pub files: Vec<OutputFile>,
    pub pages: usize,
    pub timings: crate::Timings,
}

/// Renders what `scope` affects into files. With `skip` (no template among the edits), pages
/// whose context `kept` holds unchanged are skipped; every page rendered has its context put
/// in `kept` (which only the caller's success should keep).
pub fn render(
    model: &Model,
    urls: &Urls,
    theme: &Theme,
    extras: &Extras,
    scope: &Scope,
    kept: &mut Kept,
    skip: bool,
) -> Result<Rendered, Diagnostics> {
    let renderer = PageRenderer::new(model, urls, theme, extras).with_memo(&kept.memo);
    let default = model.site.default_lang();
    let list: Vec<(Page, Lang)> = render::page_list(model, &extras.charts)
        .into_iter()
        .filter(|(p, _)| scope.has(p))
        .collect();
    let mut timings = crate::Timings::default();
    let mut clock = std::time::Instant::now();
    let contexts = &kept.contexts;
    let changed: Vec<_> = list
        .into_par_iter()
        .filter_map(|(page, lang)| {
            let kept = contexts.contains_key(&(page.clone(), lang));
            if skip && kept && renderer.unchanged(&page, lang) {
                return None;
            }
            let ctx = match renderer.page_context(&page, lang) {
                Ok(ctx) => ctx,
                Err(d) => return Some(Err(d)),
            };
            if skip && contexts.get(&(page.clone(), lang)) == Some(&ctx) {
                return None;
            }
            Some(Ok((page, lang, ctx)))
        })
        .collect();
    timings.since("contexts", &mut clock);
    let results: Vec<_> = changed
        .into_par_iter()
        .map(|r| {
            let (page, lang, ctx) = r?;
            let html = renderer.render_context(&page, lang, &ctx)?;
            let file = OutputFile::new(urls.page_file(&page, lang), html);
            Ok(Some((page, lang, ctx, file)))
        })
        .collect();
    timings.since("render", &mut clock);
    let mut errors = Diagnostics::new();
    let mut files = Vec::new();
    let mut made = Vec::new();
    for r in results {
        match r {
            Ok(Some((page, lang, ctx, file))) => {
                files.push(file);
                made.push(((page, lang), ctx));
            }
            Ok(None) => {}
            Err(d) => errors.push(d),
        }
    }
    let pages = files.len();
    // A chart's files go with its embed page (as `render_pages` makes them).
    let mut charts = extras.charts.shared_ids();
    for p in &model.programmes {
        charts.extend(extras.charts.of_programme(&p.id));
    }
    let chart_files: Vec<OutputFile> = charts
        .par_iter()
        .filter(|id| scope.has(&Page::Embed((*id).clone())))
        .flat_map_iter(|id| {
            model
                .site
                .languages
                .iter()
                .flat_map(|lang| extras.charts.files_of(model, id, *lang, *lang == default))
                .collect::<Vec<_>>()
        })
        .collect();
    files.extend(chart_files);
    timings.since("chart files", &mut clock);
    files.extend(kept.download_files(model, &extras.downloads, &|p| scope.has(p)));
    timings.since("download files", &mut clock);
    for (name, bytes) in &theme.statics {
        files.push(OutputFile::new(format!("static/{name}"), bytes.clone()));
    }
    if errors.has_errors() {
        return Err(errors);
    }
    kept.contexts.extend(made);
    Ok(Rendered {
        files,
        pages,
        timings,
    })
}
