//! A theme: tera templates, interface strings per language, and static assets. The site's
//! own `templates/` folder overrides a theme template of the same name.
//!
//! Rendering is bounded, so a template cannot hang a build or fill the memory: tera has no step
//! or time limit of its own, so `range` is replaced by one that counts the loop steps of each
//! page against `MAX_RANGE_STEPS` (nested `range` loops are the way a template loops without
//! end: every other loop walks the site's data, which is bounded), and each page is written
//! into a buffer that refuses more than `MAX_PAGE_BYTES` or output after `MAX_RENDER_TIME`.
//! Any of these fails the build with the template named.
//!
//! A loop that writes nothing (nested loops over the site's data, say) never reaches the
//! buffer, and tera cannot be interrupted. For that case a watchdog thread looks at the pages
//! being rendered; one that has taken more than twice `MAX_RENDER_TIME` ends the process with
//! an error naming the template and exit status 1, after removing the staging folder it was
//! filling: the previous output is left as it was. (`POLICYDASH_RENDER_SECONDS` sets
//! `MAX_RENDER_TIME`, for tests.)

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::read;
use crate::model::Lang;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tera::{Context, Kwargs, State, Tera, TeraResult};

/// Elements `range` may produce while rendering one page, over all its calls.
pub const MAX_RANGE_STEPS: u64 = 1_000_000;
/// The largest page a template may produce.
pub const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;
/// How long one page may take to render.
pub const MAX_RENDER_TIME: Duration = Duration::from_secs(30);

/// The pages being rendered: id → (template, its file, when it started).
static IN_FLIGHT: std::sync::Mutex<BTreeMap<u64, (String, PathBuf, Instant)>> =
    std::sync::Mutex::new(BTreeMap::new());
static NEXT_RENDER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static WATCHDOG: std::sync::Once = std::sync::Once::new();

/// `MAX_RENDER_TIME`, or `POLICYDASH_RENDER_SECONDS`.
fn render_time() -> Duration {
    std::env::var("POLICYDASH_RENDER_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(MAX_RENDER_TIME, Duration::from_secs)
}

/// Starts, once per process, the thread that ends a render that runs too long.
fn start_watchdog() {
    WATCHDOG.call_once(|| {
        let limit = render_time() * 2;
        let spawned = std::thread::Builder::new()
            .name("template-watchdog".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_millis(250));
                let stuck = IN_FLIGHT.lock().ok().and_then(|m| {
                    m.values()
                        .find(|(_, _, at)| at.elapsed() > limit)
                        .map(|(t, f, _)| (t.clone(), f.clone()))
                });
                if let Some((template, file)) = stuck {
                    let d = Diagnostic::error(format!(
                        "the template {template} ran for more than {} seconds on one page",
                        limit.as_secs()
                    ))
                    .in_file(file)
                    .help("check the template's loops: a page should take a moment");
                    eprint!("{}", Diagnostics::from(d).render(&BTreeMap::new()));
                    eprintln!("The build failed; the previous output was left as it was.");
                    crate::output::remove_unfinished();
                    std::process::exit(1);
                }
            });
        // Without the thread, the other limits still hold.
        drop(spawned);
    });
}

/// Takes a render off the watchdog's list when it ends, however it ends.
struct InFlight(u64);

impl InFlight {
    fn new(template: &str, file: &Path) -> InFlight {
        start_watchdog();
        let id = NEXT_RENDER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut m) = IN_FLIGHT.lock() {
            m.insert(
                id,
                (template.to_string(), file.to_path_buf(), Instant::now()),
            );
        }
        InFlight(id)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut m) = IN_FLIGHT.lock() {
            m.remove(&self.0);
        }
    }
}

thread_local! {
    /// `range` steps left for the page being rendered on this thread.
    static RANGE_STEPS_LEFT: Cell<u64> = const { Cell::new(MAX_RANGE_STEPS) };
}

pub struct Theme {
    pub tera: Tera,
    /// Each template's file (relative to the site folder, or to policydash's folder for the
    /// themes shipped with it), so errors can name it.
    pub paths: BTreeMap<String, PathBuf>,
    /// The ids the templates write as they are (`id="main"`): a heading of the commentary may
    /// not take one of them.
    pub ids: std::collections::BTreeSet<String>,
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
    tera.register_function("range", bounded_range);
    let paths: BTreeMap<String, PathBuf> = templates
        .iter()
        .map(|(name, (path, _))| (name.clone(), shown(root, path)))
        .collect();
    let ids = templates
        .values()
        .flat_map(|(_, text)| literal_ids(text))
        .collect();
    // Parse all templates once; add them together so `extends` resolves across files.
    if let Err(e) =
        tera.add_raw_templates(templates.iter().map(|(n, (_, t))| (n.clone(), t.clone())))
    {
        errors.push(
            locate(
                Diagnostic::error(format!("a template does not parse: {}", error_chain(&e))),
                &e,
                &paths,
            )
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
        paths,
        ids,
        strings,
        statics,
    })
}

impl Theme {
    /// Renders `template`, within the limits described at the top of this module. The error
    /// is a diagnostic in the template's file (at its line when tera gives one).
    pub fn render(&self, template: &str, ctx: &Context) -> Result<String, Diagnostic> {
        RANGE_STEPS_LEFT.with(|c| c.set(MAX_RANGE_STEPS));
        let file = self
            .paths
            .get(template)
            .cloned()
            .unwrap_or_else(|| PathBuf::from(template));
        let limit = render_time();
        let mut out = Bounded {
            bytes: Vec::with_capacity(64 * 1024),
            deadline: Instant::now() + limit,
            limit,
            stopped: None,
            writes: 0,
        };
        let watched = InFlight::new(template, &file);
        let result = self.tera.render_to(template, ctx, &mut out);
        drop(watched);
        if let Some(why) = out.stopped {
            return Err(Diagnostic::error(format!("the template {template} {why}"))
                .in_file(file)
                .help(
                    "check the template's loops: a page should take a moment and a few megabytes",
                ));
        }
        match result {
            Ok(()) => String::from_utf8(out.bytes).map_err(|_| {
                Diagnostic::error(format!(
                    "the template {template} produced text that is not UTF-8"
                ))
                .in_file(&file)
            }),
            Err(e) => {
                Err(locate(Diagnostic::error(error_chain(&e)), &e, &self.paths)
                    .in_file_if_none(file))
            }
        }
    }
}

/// The output of one page: refuses more than `MAX_PAGE_BYTES`, and any output after the
/// deadline, saying why in `stopped`. tera writes escaped text a byte at a time, so the clock
/// is read once every `CLOCK_EVERY` writes, not on each.
struct Bounded {
    bytes: Vec<u8>,
    deadline: Instant,
    limit: Duration,
    stopped: Option<String>,
    writes: u32,
}

/// How many writes pass between two looks at the clock (a few kilobytes of output).
const CLOCK_EVERY: u32 = 4096;

impl Bounded {
    /// Whether the deadline has passed, looking at the clock every `CLOCK_EVERY` calls.
    fn past_deadline(&mut self) -> bool {
        self.writes = self.writes.wrapping_add(1);
        self.writes.is_multiple_of(CLOCK_EVERY) && Instant::now() > self.deadline
    }
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_PAGE_BYTES {
            self.stopped = Some(format!(
                "produced a page of more than {} MiB",
                MAX_PAGE_BYTES / (1024 * 1024)
            ));
        } else if self.past_deadline() {
            self.stopped = Some(format!(
                "took more than {} seconds to render one page",
                self.limit.as_secs()
            ));
        }
        if self.stopped.is_some() {
            return Err(std::io::Error::other("page limit reached"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// tera's `range`, counting its elements against the page's `MAX_RANGE_STEPS`.
fn bounded_range(kwargs: Kwargs, _: &State) -> TeraResult<Vec<i128>> {
    let start = kwargs.get::<i128>("start")?.unwrap_or_default();
    let end = kwargs.must_get::<i128>("end")?;
    let step = kwargs.get::<i128>("step_by")?.unwrap_or(1);
    if step == 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `step_by` argument of 0",
        ));
    }
    let span = if step > 0 {
        end.saturating_sub(start)
    } else {
        start.saturating_sub(end)
    };
    let len = if span <= 0 {
        0
    } else {
        let step = step.saturating_abs();
        (span / step + i128::from(span % step != 0)).max(0)
    };
    let len = u64::try_from(len).unwrap_or(u64::MAX);
    let left = RANGE_STEPS_LEFT.with(Cell::get);
    if len > left {
        return Err(tera::Error::message(format!(
            "the loops of this page ask `range` for more than {MAX_RANGE_STEPS} steps in all"
        )));
    }
    RANGE_STEPS_LEFT.with(|c| c.set(left - len));
    let mut out = Vec::with_capacity(len as usize);
    let mut v = start;
    for _ in 0..len {
        out.push(v);
        v = v.saturating_add(step);
    }
    Ok(out)
}

/// The ids written literally in a template: `id="main"`, not `id="t-{{ t.id }}"`.
fn literal_ids(text: &str) -> Vec<String> {
    text.split("id=\"")
        .skip(1)
        .filter_map(|rest| {
            let value = &rest[..rest.find('"')?];
            let plain = !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            plain.then(|| value.to_string())
        })
        .collect()
}

/// A template's path as messages show it: relative to the site, or to policydash's folder.
fn shown(root: &Path, path: &Path) -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .or_else(|_| path.strip_prefix(crate_dir))
        .unwrap_or(path)
        .to_path_buf()
}

/// Puts `d` in the template file and at the line a tera error points to.
fn locate(d: Diagnostic, e: &tera::Error, paths: &BTreeMap<String, PathBuf>) -> Diagnostic {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(te) = err.downcast_ref::<tera::Error>() {
            if let tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) = te.kind()
            {
                if let Some(path) = paths.get(r.filename()) {
                    let span = r.span();
                    return d.in_file(path).at(span.start_line, span.start_col + 1);
                }
            }
        }
        source = err.source();
    }
    d
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

#[cfg(test)]
mod tests {
    use super::*;

    fn theme_with(template: &str) -> (tempfile::TempDir, Result<Theme, Diagnostics>) {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("themes/t");
        std::fs::create_dir_all(t.join("templates")).unwrap();
        std::fs::write(t.join("templates/page.html"), template).unwrap();
        std::fs::write(t.join("strings.yaml"), "en: {a: b}\n").unwrap();
        let theme = load(dir.path(), "t", &[Lang::En]);
        (dir, theme)
    }

    #[test]
    fn template_errors_name_the_file_under_the_theme() {
        let (_dir, theme) = theme_with("<p>\n{% if %}\n");
        let errors: Vec<Diagnostic> = theme.err().unwrap().into_iter().collect();
        assert_eq!(
            errors[0].file.as_deref(),
            Some(Path::new("themes/t/templates/page.html"))
        );
        assert_eq!(errors[0].line, Some(2), "{:?}", errors[0]);

        let (_dir, theme) = theme_with("<p>\n{{ nope.x }}\n");
        let d = theme
            .unwrap()
            .render("page.html", &Context::new())
            .unwrap_err();
        assert_eq!(
            d.file.as_deref(),
            Some(Path::new("themes/t/templates/page.html"))
        );
        assert_eq!(d.line, Some(2), "{d:?}");
    }

    #[test]
    fn literal_ids_are_collected() {
        assert_eq!(
            literal_ids(r#"<main id="main"><p id="t-{{ t.id }}" data-id="x"><h2 id="side-h">"#),
            vec!["main".to_string(), "x".to_string(), "side-h".to_string()]
        );
    }

    #[test]
    fn range_steps_are_counted_per_page() {
        let (_dir, theme) = theme_with(
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
        );
        let d = theme
            .unwrap()
            .render("page.html", &Context::new())
            .unwrap_err();
        assert!(
            d.message.contains("more than 1000000 steps"),
            "{}",
            d.message
        );
        // Each page has its own budget; a modest loop renders.
        let (_dir, theme) =
            theme_with("{% for i in range(start=2, end=10, step_by=3) %}{{ i }},{% endfor %}");
        let theme = theme.unwrap();
        for _ in 0..3 {
            assert_eq!(
                theme.render("page.html", &Context::new()).unwrap(),
                "2,5,8,"
            );
        }
    }

    #[test]
    fn pages_are_capped_in_size() {
        let (_dir, theme) = theme_with(
            "{% for i in range(end=900000) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}",
        );
        let d = theme
            .unwrap()
            .render("page.html", &Context::new())
            .unwrap_err();
        assert!(d.message.contains("more than 64 MiB"), "{}", d.message);
    }
}
