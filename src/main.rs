//! The policydash command line.

use clap::{Parser, Subcommand};
use policydash::{say, sayln, BuildOptions, Failure};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "policydash",
    version,
    about = "Build a static policy-dashboard website from YAML data and Markdown commentary.",
    long_about = "Build a static policy-dashboard website from YAML data and Markdown commentary.\n\n\
        Run it in a site folder (one holding content/), or point --root at one:\n  \
        policydash build     write the site to output/\n  \
        policydash check     find every problem in content/, write nothing\n  \
        policydash serve     preview on http://127.0.0.1:8000: pages reload on every save and show errors"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Site {
    /// The site folder: the one that holds content/ (and optionally templates/, themes/).
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder. On any error the previous output is kept as it was.
    Build {
        #[command(flatten)]
        site: Site,
        /// Where to write the site [default: ROOT/output].
        #[arg(long)]
        output: Option<PathBuf>,
        /// The address the site will be published at, e.g. https://org.github.io/repo/
        /// (overrides base_url in content/site.yaml).
        #[arg(long)]
        base_url: Option<String>,
        /// For the change report: compare with this data/targets.json (e.g. the one the live
        /// site publishes) instead of the one in the output folder.
        #[arg(long, value_name = "FILE")]
        previous: Option<PathBuf>,
        /// Print how long each stage took (load, charts, validate, theme, downloads, pages,
        /// write).
        #[arg(long)]
        timings: bool,
    },
    /// Check content/ for errors and warnings; write nothing. Exits 1 if there is an error.
    Check {
        #[command(flatten)]
        site: Site,
    },
    /// Build, serve the site locally and rebuild whenever content or templates change.
    Serve {
        #[command(flatten)]
        site: Site,
        /// Where to write the site [default: ROOT/output].
        #[arg(long)]
        output: Option<PathBuf>,
        /// The address to listen on. Only this machine can connect unless you change it.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Serve without watching for changes.
        #[arg(long)]
        no_watch: bool,
    },
}

fn report_failure(f: &Failure) {
    eprint!("{}", f.render());
}

/// Builds and reports, in the terminal, what was built or what went wrong.
fn build(
    opts: &BuildOptions,
    previous: Option<&std::path::Path>,
) -> Result<policydash::Built, Failure> {
    let started = std::time::Instant::now();
    // On a terminal, a build that takes more than a second shows the files it has written;
    // piped or redirected output gets nothing extra.
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let bar: std::sync::OnceLock<indicatif::ProgressBar> = std::sync::OnceLock::new();
    let progress = |files: usize| {
        if !terminal || started.elapsed() < std::time::Duration::from_secs(1) {
            return;
        }
        let pb = bar.get_or_init(|| {
            let pb = indicatif::ProgressBar::new_spinner();
            pb.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {pos} files written ({elapsed})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            pb.enable_steady_tick(std::time::Duration::from_millis(120));
            pb
        });
        pb.set_position(files as u64);
    };
    let result = policydash::build_reporting(opts, previous, &progress);
    if let Some(pb) = bar.get() {
        pb.finish_and_clear();
    }
    match result {
        Ok(built) => {
            if !built.warnings.is_empty() {
                eprint!("{}", built.warnings.render(&built.sources));
            }
            say!("{}", built.changes.text());
            sayln!(
                "Built {} files into {} in {:.2}s",
                built.files,
                built.output.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(built)
        }
        Err(f) => {
            report_failure(&f);
            eprintln!("The build failed; the previous output was left as it was.");
            Err(f)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            site,
            output,
            base_url,
            previous,
            timings,
        } => {
            let opts = BuildOptions {
                root: site.root,
                output,
                base_url,
            };
            if let Ok(built) = build(&opts, previous.as_deref()) {
                if timings {
                    say!("{}", built.timings.text());
                }
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        // Nothing is rendered, so no chart is drawn (`Charts::lazy` draws only when asked).
        Command::Check { site } => match policydash::check_reusing(
            &BuildOptions::new(site.root),
            None,
            &policydash::chart::Charts::lazy,
        ) {
            Ok(c) => {
                eprint!("{}", c.warnings.render(&c.sources));
                sayln!(
                    "content is valid: {} programmes, {} figures, {} metrics",
                    c.model.programmes.len(),
                    c.model.targets().count(),
                    c.model.metrics.len()
                );
                ExitCode::SUCCESS
            }
            Err(f) => {
                report_failure(&f);
                ExitCode::FAILURE
            }
        },
        Command::Serve {
            site,
            output,
            host,
            port,
            no_watch,
        } => {
            let opts = BuildOptions {
                root: site.root,
                output,
                base_url: None,
            };
            match policydash::serve::run(&opts, &host, port, !no_watch) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
