//! policydash: a static-site generator for public-policy dashboards.
//!
//! The pipeline, one module per stage:
//! `load` (content/ → model, with file and line kept) → `validate` (every problem at once) →
//! `render` (pages with tera, `chart` SVGs, `downloads`) in parallel → `write` (staging folder,
//! swapped in only on success). `urls` makes every link; `serve` previews the site.

// Diagnostics carry file, position, field and help text; they are built only on the error path,
// so their size does not matter and boxing them would only add noise.
#![allow(clippy::result_large_err)]

// The build allocates many small strings (templates, index records, SVG) on every core;
// mimalloc's per-thread heaps make that cheaper than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod changes;
pub mod chart;
pub mod diagnostics;
pub mod downloads;
pub mod escape;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod progress;
pub mod provenance;
pub mod publish;
pub mod render;
mod say;
pub mod search;
pub mod serve;
pub mod synth;
pub mod urls;
pub mod validate;
pub mod view;
pub mod write;

use diagnostics::{Diagnostic, Diagnostics};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What `build` and `check` are asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder, holding `content/`.
    pub root: PathBuf,
    /// Where the site is written; `ROOT/output` when not given.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` in `site.yaml`.
    pub base_url: Option<String>,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BuildOptions {
            root: root.into(),
            output: None,
            base_url: None,
        }
    }
    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("output"))
    }
}

/// A run that did not succeed: every problem found, and the texts to show them in.
#[derive(Debug)]
pub struct Failure {
    pub diagnostics: Diagnostics,
    pub sources: BTreeMap<PathBuf, String>,
}

impl Failure {
    pub fn render(&self) -> String {
        self.diagnostics.render(&self.sources)
    }
}

/// A successful build.
#[derive(Debug)]
pub struct Built {
    pub files: usize,
    pub timings: Timings,
    pub output: PathBuf,
    /// The path the site's links start with (`/repo/`), decoded (`/政策/`, not
    /// `/%E6%94%BF%E7%AD%96/`), for serving it where it expects to be.
    pub prefix: String,
    pub warnings: Diagnostics,
    pub sources: BTreeMap<PathBuf, String>,
    pub changes: changes::ChangeReport,
}

/// How long each stage of a build took, in order: what `build --timings` and the benchmark
/// print.
#[derive(Debug, Clone, Default)]
pub struct Timings(pub Vec<(&'static str, std::time::Duration)>);

impl Timings {
    /// One line per stage: `  pages      1.234 s`. `theme` is loaded beside `validate`, so
    /// its time overlaps that one's. `pages` includes writing each page and the site files
    /// into the staging folder as they are made; `search` is made beside them, taking the same
    /// threads (each shard written as it is made), so its time overlaps theirs; `write` is
    /// what remains after both (the swap).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (stage, d) in &self.0 {
            out.push_str(&format!("  {stage:<10} {:>8.3} s\n", d.as_secs_f64()));
        }
        out
    }
    fn since(&mut self, stage: &'static str, start: &mut std::time::Instant) {
        let now = std::time::Instant::now();
        self.0.push((stage, now - *start));
        *start = now;
    }
}

/// Everything that `check` establishes and `build` renders from.
pub struct Checked {
    pub timings: Timings,
    pub model: model::Model,
    pub urls: urls::Urls,
    pub charts: chart::Charts,
    /// Loaded (templates parsed) by `check` too, so a broken template fails `check`.
    pub theme: render::theme::Theme,
    pub warnings: Diagnostics,
    pub sources: BTreeMap<PathBuf, String>,
}

/// Loads and validates; writes nothing.
pub fn check(opts: &BuildOptions) -> Result<Checked, Failure> {
    check_reusing(opts, None, &chart::Charts::build)
}

/// What the preview's rebuilds keep from one to the next (`check_reusing`): the files parsed,
/// and what the checks read in the commentary's Markdown.
#[derive(Default)]
pub struct Reuse {
    pub files: load::Reuse,
    pub checks: validate::Memo,
}

/// How the charts of a checked model are drawn (`Charts::build`, or the preview's reusing).
pub type Draw<'a> = dyn Fn(&model::Model, &urls::Urls) -> chart::Charts + 'a;

/// `check`, parsing again only the files that changed since `reuse` saw them, and drawing
/// the charts with `draw` (the preview's rebuilds); every check runs on the whole new model,
/// and finds what `check` finds.
pub fn check_reusing(
    opts: &BuildOptions,
    reuse: Option<&mut Reuse>,
    draw: &Draw,
) -> Result<Checked, Failure> {
    let mut timings = Timings::default();
    let mut clock = std::time::Instant::now();
    let (loaded, pages) = match reuse {
        Some(reuse) => (
            load::load_reusing(&opts.root, &mut reuse.files),
            Some(&mut reuse.checks),
        ),
        None => (load::load(&opts.root), None),
    };
    timings.since("load", &mut clock);
    let mut diags = loaded.diagnostics;
    let fail = |diagnostics: Diagnostics, sources: &load::SourceMap| Failure {
        sources: sources.texts_of(&diagnostics),
        diagnostics,
    };
    let Some(model) = loaded.model else {
        return Err(fail(diags, &loaded.sources));
    };
    let base = opts
        .base_url
        .clone()
        .unwrap_or_else(|| model.site.base_url.clone());
    let urls = match urls::Urls::with_lang(&base, model.site.default_lang()) {
        Ok(u) => u,
        Err(e) => {
            let d = Diagnostic::error(e)
                .help("pass a full address such as https://org.github.io/repo/");
            diags.push(match opts.base_url {
                Some(_) => d.field("--base-url"),
                None => loaded
                    .sources
                    .diag(d, Path::new("content/site.yaml"), "base_url"),
            });
            return Err(fail(diags, &loaded.sources));
        }
    };
    // Every check runs on the chart catalogue (ids only); charts are drawn only from a model
    // that passed every check, numbers included.
    let chart_ids: BTreeSet<String> = chart::catalogue(&model).into_iter().map(|s| s.id).collect();
    let links = render::known_links(&model, &chart_ids);
    // The theme (its templates parsed) is loaded beside the checks: it needs only the site's
    // settings.
    let (found, (theme, theme_took)) = rayon::join(
        || {
            validate::validate_reusing(
                &model,
                &loaded.sources,
                &links,
                &chart_ids,
                loaded.complete,
                pages,
            )
        },
        || {
            let started = std::time::Instant::now();
            let theme = render::theme::load(&opts.root, &model.site.theme, &model.site.languages);
            (theme, started.elapsed())
        },
    );
    // Fields that had a shape error hold stand-ins: what the checks say of them is noise.
    diags.extend(
        found
            .into_iter()
            .filter(|d| !loaded.sources.is_repaired(d))
            .collect(),
    );
    diags.extend(progress::check::check(
        &model,
        &loaded.sources,
        progress::today(),
    ));
    timings.since("validate", &mut clock);
    let theme = match theme {
        Ok(theme) => Some(theme),
        Err(errors) => {
            for d in errors {
                // Name the line of `theme:` in site.yaml when the error is about it.
                let d = match (d.file.clone(), d.field.clone(), d.line) {
                    (Some(file), Some(field), None) => loaded.sources.diag(d, &file, &field),
                    _ => d,
                };
                diags.push(d);
            }
            None
        }
    };
    let Some(theme) = theme.filter(|_| !diags.has_errors()) else {
        return Err(fail(diags, &loaded.sources));
    };
    timings.0.push(("theme", theme_took));
    let charts = draw(&model, &urls);
    timings.since("charts", &mut clock);
    Ok(Checked {
        timings,
        model,
        urls,
        charts,
        theme,
        // Only the texts the warnings are shown in: a large site's texts are not kept.
        sources: loaded.sources.texts_of(&diags),
        warnings: diags,
    })
}

/// Loads, validates, renders and writes the site. On any error the previous output is left
/// exactly as it was. The change report compares with the data the output folder held.
pub fn build(opts: &BuildOptions) -> Result<Built, Failure> {
    build_comparing(opts, None)
}

/// `build`, with the change report comparing against `previous` (a published
/// `data/targets.json`) instead of the output folder's: how a CI build with a fresh output
/// folder reports what it changes on the live site.
pub fn build_comparing(opts: &BuildOptions, previous: Option<&Path>) -> Result<Built, Failure> {
    build_reporting(opts, previous, &|_| {})
}

/// `build_comparing`, calling `progress` with the number of files written so far as each file
/// reaches the staging folder (the command line shows it on a terminal).
pub fn build_reporting(
    opts: &BuildOptions,
    previous: Option<&Path>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Built, Failure> {
    // The charts are drawn as the pages are rendered, each once per language on one thread,
    // not all up front: at 10,000 places they would be a third of the build's memory.
    let checked = check_reusing(opts, None, &chart::Charts::lazy)?;
    build_checked(opts, checked, previous, progress)
}

/// `build_reporting` from what `check` (or `check_reusing`, in the preview) established.
pub fn build_checked(
    opts: &BuildOptions,
    checked: Checked,
    previous: Option<&Path>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Built, Failure> {
    let Checked {
        mut timings,
        model,
        urls,
        charts,
        theme,
        mut warnings,
        sources,
    } = checked;
    let failure = |diagnostics: Diagnostics| Failure {
        diagnostics,
        sources: sources.clone(),
    };
    let output = opts.output_dir();
    if let Err(e) = write::check_output(&opts.root, &output) {
        return Err(failure(
            Diagnostic::error(e.to_string()).field("--output").into(),
        ));
    }
    let mut clock = std::time::Instant::now();
    let report = change_report(&model, &urls, &output, previous, &mut warnings)
        .map_err(|d| failure(d.into()))?;
    let extras = render::Extras {
        charts,
        downloads: downloads::Downloads::unmade(&model, &urls),
        changes: Some(report.clone()),
    };
    timings.since("downloads", &mut clock);
    // Files go to the staging folder as they are made; an error stops the write, and the
    // previous output stays as it was.
    let stopped: std::sync::Mutex<Option<Diagnostics>> = std::sync::Mutex::new(None);
    let mut made: Option<Stages> = None;
    let written = write::write_site_with(&opts.root, &output, |stage| {
        let sink = |f: output::OutputFile| {
            stage
                .put(&f)
                .map_err(|e| Diagnostic::error(e.to_string()))?;
            progress(stage.files());
            Ok(())
        };
        let result = std::thread::scope(|scope| {
            // The search index needs only the model, and is the longest chain of steps: it is
            // started first, shard by shard, each written as soon as it is made, on the pool's
            // threads as they come free (`search::write_index`).
            let search = scope.spawn(|| {
                let started = std::time::Instant::now();
                // Profiling only (never for a site that is published): the pages alone.
                if std::env::var_os("POLICYDASH_PROFILE_NO_SEARCH").is_some() {
                    return (Ok(Vec::new()), started.elapsed());
                }
                let index = search::write_index(&model, &urls, search::SHARD_RECORDS, &|f| {
                    if lock(&stopped).is_some() {
                        return Err("the build stopped".to_string());
                    }
                    sink(f).map_err(|d: Diagnostic| d.message)
                });
                (index, started.elapsed())
            });
            let pages = render_all(&model, &urls, &theme, &extras, stage, &sink, progress)
                .map(|()| clock.elapsed());
            if pages.is_err() {
                // The index is not wanted any more: it stops at its next file.
                lock(&stopped).get_or_insert_with(Diagnostics::new);
            }
            let (index, search) = search.join().unwrap_or_else(|_| {
                let e = "making the search index failed".to_string();
                (Err(e), std::time::Duration::ZERO)
            });
            let pages = pages?;
            index.map_err(|e| Diagnostics::from(Diagnostic::error(e)))?;
            let filled = clock.elapsed();
            Ok(Stages {
                pages,
                search,
                filled,
            })
        });
        match result {
            Ok(stages) => {
                made = Some(stages);
                Ok(())
            }
            Err(errs) => {
                *lock(&stopped) = Some(errs);
                Err(write::WriteError::Stopped)
            }
        }
    });
    let total = clock.elapsed();
    let (files, stages) = match (written, made) {
        (Ok(files), Some(stages)) => (files, stages),
        (written, _) => {
            let errs = stopped.into_inner().ok().flatten();
            if let Some(errs) = errs.filter(|e| !e.is_empty()) {
                return Err(failure(errs));
            }
            let e = written.err().map(|e| e.to_string()).unwrap_or_default();
            return Err(failure(
                Diagnostic::error(e)
                    .help("the previous output was left as it was")
                    .into(),
            ));
        }
    };
    timings.0.extend([
        ("pages", stages.pages),
        ("search", stages.search),
        ("write", total.saturating_sub(stages.filled)),
    ]);
    Ok(Built {
        files,
        timings,
        output,
        // `serve` matches it against decoded request paths; links carry it percent-encoded.
        prefix: percent_encoding::percent_decode_str(urls.prefix())
            .decode_utf8_lossy()
            .into_owned(),
        warnings,
        sources,
        changes: report,
    })
}

/// When the stages inside the write ended, from its start (the search's is its own length:
/// it runs beside the pages).
struct Stages {
    pages: std::time::Duration,
    search: std::time::Duration,
    filled: std::time::Duration,
}

/// The change report: every figure's row compared with the previous output's (`previous`, or
/// the output folder's). Each row is made when it is compared and dropped after
/// (`changes::ModelRows`): at 10,000 places the rows are a quarter of a GB, never all held at
/// once (the downloads' files make their rows again from the model as they are written).
fn change_report(
    model: &model::Model,
    urls: &urls::Urls,
    output: &Path,
    previous: Option<&Path>,
    warnings: &mut Diagnostics,
) -> Result<changes::ChangeReport, Diagnostic> {
    let rows = changes::ModelRows::new(model, urls);
    match previous {
        None => {
            Ok(
                changes::ChangeReport::against(output, &rows).unwrap_or_else(|e| {
                    warnings.push(Diagnostic::warning(e).field("--output").help(
                        "this build replaces it; the change report compares nothing this time",
                    ));
                    changes::ChangeReport {
                        previous_unreadable: true,
                        ..Default::default()
                    }
                }),
            )
        }
        Some(file) => changes::ChangeReport::against_file(file, &rows).map_err(|e| {
            Diagnostic::error(e).field("--previous").help(
                "pass the data/targets.json of a site policydash built, or leave --previous out",
            )
        }),
    }
}

/// The downloads, the pages and the site files, each put into the staging folder as it is
/// made: the downloads first, straight to their files (the site-wide table is hundreds of MB
/// at 10,000 places), each row made as it is written (pages show only the tables' names and
/// row counts); then the pages, and beside them the site files.
fn render_all(
    model: &model::Model,
    urls: &urls::Urls,
    theme: &render::theme::Theme,
    extras: &render::Extras,
    stage: &write::Stage,
    sink: &render::Sink,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<(), Diagnostics> {
    let failed = std::sync::Mutex::new(Diagnostics::new());
    extras
        .downloads
        .par_write_made(model, &|path, body| match stage.put_with(&path, body) {
            Ok(()) => progress(stage.files()),
            Err(e) => lock(&failed).push(Diagnostic::error(e.to_string())),
        });
    let mut late = failed.into_inner().unwrap_or_default();
    // The site files go through the same sink as soon as they are made: held until the pages
    // were done, the sitemap and the data package were 46 MB at 10,000 places.
    let (mut result, site_errors) = rayon::join(
        || render::render_pages(model, urls, theme, extras, sink),
        || {
            let files = publish::site_files(model, urls, extras, theme);
            files
                .into_iter()
                .filter_map(|f| sink(f).err())
                .collect::<Vec<_>>()
        },
    );
    site_errors.into_iter().for_each(|d| late.push(d));
    if !late.is_empty() {
        let mut errs = result.err().unwrap_or_default();
        errs.extend(late);
        result = Err(errs);
    }
    result
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
