//! A language's records dealt into shards of at most a fixed number, each indexed by a
//! Pagefind instance of its own and handed to the writer as soon as it is made, so that the
//! memory the index needs does not grow with the site.
//!
//! The first shard of every language is the bundle at `urls::SEARCH_BUNDLE`, with Pagefind's
//! script and one entry file for all languages: a site of up to `SHARD_RECORDS` records per
//! language has only that, exactly the bundle Pagefind makes for the whole site. Further
//! shards are folders inside it (`urls::search_shard`) holding only their index; the search
//! page merges them in (Pagefind's `mergeIndex`), from the list in `urls::SEARCH_SHARDS`.
//! Records are dealt in turn (record `i` to shard `i mod n`), so every shard has a like share
//! of programmes, metrics and commentary and shards are of equal size: the scores Pagefind
//! computes within each shard (word rarity, page length) stay comparable across shards.
//!
//! Shards are made by rayon tasks, each on a lane while its thread of the build's pool waits
//! (see `write`), so that `RAYON_NUM_THREADS` governs the index as it does the pages.

use super::bundle::{bundle, BundleFile};
use super::lane::Lane;
use super::records::{Key, Records};
use super::runner::Runner;
use crate::model::{Lang, Model};
use crate::output::OutputFile;
use crate::urls::{search_shard, Urls, SEARCH_BUNDLE, SEARCH_SHARDS};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The most records of a language one Pagefind instance holds. Pagefind's memory grows with
/// the records it holds (each copied several times until its files are made); each instance
/// costs about 5 ms of CPU more (two thirds of it Pagefind minifying its script again: the
/// real site in shards of one record), and each shard is one more request for the search
/// page. At 1,000 programmes (3,062 records a language) the index alone peaked at 1.7 GB in
/// one instance per language, 0.41 GB in shards of 500 and 0.31 GB in shards of 250 (240 MB
/// of it the model), its CPU time the same within the noise of this machine
/// (`examples/search_index.rs`). One shard is indexed per thread of the rayon pool at a time:
/// on 2 threads, at most 2 × SHARD_RECORDS records are held.
pub const SHARD_RECORDS: usize = 500;

/// Where the files go, one by one: the writer in a build.
pub type Sink<'a> = dyn Fn(OutputFile) -> Result<(), String> + Sync + 'a;

const ENTRY: &str = "pagefind-entry.json";

/// Writes the index of every language of the site, at most `per_shard` records a shard, to
/// `sink`; returns how many shards each language has, in the site's order of languages.
///
/// Shards take the build's threads in turn with the pages: one task per thread of the pool,
/// each taking the next shard to make until none is left (the first shards first), and
/// indexing it on a lane of its own (`Lane`) while its pool thread waits. So a shard is made
/// from start to end without being held up by pages, the pages and the index never use more
/// threads than the pool has (with `RAYON_NUM_THREADS=1`, one), and at most that many shards
/// are held at a time. Started before the pages, the shards (a language's index is a chain of
/// steps that one thread does in turn) run first, and the pages, many short jobs, fill the
/// threads the shards leave free and share out the end of the build evenly.
pub fn write(
    model: &Model,
    urls: &Urls,
    per_shard: usize,
    sink: &Sink<'_>,
) -> Result<Vec<usize>, String> {
    let languages = &model.site.languages;
    let plans: Vec<Plan> = languages
        .iter()
        .map(|&lang| Plan::new(Records::new(model, urls, lang), per_shard))
        .collect();
    let most = plans.iter().map(|p| p.shards).max().unwrap_or(0);
    let jobs: Vec<(&Plan, usize)> = (0..most)
        .flat_map(|k| {
            plans
                .iter()
                .filter(move |p| k < p.shards)
                .map(move |p| (p, k))
        })
        .collect();
    let first = FirstShards::default();
    let runner = Runner::new()?;
    let next = AtomicUsize::new(0);
    let failed: Mutex<Option<String>> = Mutex::new(None);
    let workers = rayon::current_num_threads().clamp(1, jobs.len().max(1));
    on_pool_threads(workers, || {
        let lane = match Lane::new() {
            Ok(lane) => lane,
            Err(e) => {
                lock(&failed).get_or_insert(e);
                return;
            }
        };
        loop {
            let Some(&(plan, k)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                return;
            };
            if lock(&failed).is_some() {
                return;
            }
            // A panic inside Pagefind stops the index, not the build or the preview.
            let made = lane
                .run(|| plan.shard(k, &runner, &first, sink))
                .and_then(|made| made);
            if let Err(e) = made {
                lock(&failed).get_or_insert(e);
                return;
            }
        }
    });
    if let Some(e) = lock(&failed).take() {
        return Err(e);
    }
    sink(first.entry(languages)?)?;
    let shards: serde_json::Map<String, serde_json::Value> = plans
        .iter()
        .map(|p| {
            let folders = (1..p.shards)
                .map(|k| search_shard(p.lang, k).into())
                .collect();
            (p.lang.code().to_string(), serde_json::Value::Array(folders))
        })
        .collect();
    let list = serde_json::to_vec(&shards).map_err(|e| e.to_string())?;
    sink(OutputFile::new(SEARCH_SHARDS, list))?;
    Ok(plans.iter().map(|p| p.shards).collect())
}

/// Runs `task` `n` times at once, each as a task of the pool, on a thread of the pool: even
/// for one (a parallel loop of one item would run it on the calling thread, beside the pool's
/// threads instead of on one of them).
fn on_pool_threads(n: usize, task: impl Fn() + Sync) {
    rayon::scope(|s| {
        for _ in 0..n {
            s.spawn(|_| task());
        }
    });
}

/// One language's records, dealt into its shards: the records of a shard are made only when
/// it is indexed, and its files go to the sink as soon as it is made.
struct Plan<'a> {
    lang: Lang,
    records: Records<'a>,
    keys: Vec<Key>,
    shards: usize,
}

impl<'a> Plan<'a> {
    fn new(records: Records<'a>, per_shard: usize) -> Self {
        let keys = records.keys();
        let shards = keys.len().div_ceil(per_shard.max(1)).max(1);
        Plan {
            lang: records.lang(),
            records,
            keys,
            shards,
        }
    }

    fn shard(
        &self,
        k: usize,
        runner: &Runner,
        first: &FirstShards,
        sink: &Sink<'_>,
    ) -> Result<(), String> {
        let keys = self.keys.iter().skip(k).step_by(self.shards);
        let files = bundle(runner, keys.map(|&key| self.records.record(key)))?;
        if k == 0 {
            return first.put(self.lang, files, sink);
        }
        let folder = search_shard(self.lang, k);
        for (name, bytes) in files {
            // A merged shard uses the first shard's script and WebAssembly.
            if name == ENTRY || is_index(&name) {
                sink(OutputFile::new(
                    format!("{SEARCH_BUNDLE}{folder}{name}"),
                    bytes,
                ))?;
            }
        }
        Ok(())
    }
}

/// A file of one language's index (its words, records, filters and their meta file), as
/// opposed to the script, WebAssembly and entry file of the bundle.
fn is_index(name: &str) -> bool {
    ["index/", "fragment/", "filter/"]
        .iter()
        .any(|d| name.starts_with(d))
        || name.ends_with(".pf_meta")
}

/// The bundle the first shards of all languages share: each language's index files go
/// straight to the writer; the files every language's bundle has (the script, the
/// WebAssembly of a language they share) are the same bytes, written once; the entry file
/// lists every language, so it is made from all of theirs once all are in.
#[derive(Default)]
struct FirstShards {
    shared: Mutex<BTreeMap<String, Vec<u8>>>,
    entries: Mutex<BTreeMap<Lang, serde_json::Value>>,
}

impl FirstShards {
    fn put(&self, lang: Lang, files: Vec<BundleFile>, sink: &Sink<'_>) -> Result<(), String> {
        for (name, bytes) in files {
            if name == ENTRY {
                let entry = serde_json::from_slice(&bytes)
                    .map_err(|e| format!("could not read Pagefind's {ENTRY}: {e}"))?;
                lock(&self.entries).insert(lang, entry);
            } else if is_index(&name) {
                sink(OutputFile::new(format!("{SEARCH_BUNDLE}{name}"), bytes))?;
            } else {
                let mut shared = lock(&self.shared);
                match shared.get(&name) {
                    None => {
                        shared.insert(name.clone(), bytes.clone());
                        drop(shared);
                        sink(OutputFile::new(format!("{SEARCH_BUNDLE}{name}"), bytes))?;
                    }
                    Some(seen) if *seen == bytes => {}
                    Some(_) => return Err(format!("two search index files are named {name}")),
                }
            }
        }
        Ok(())
    }

    /// One `pagefind-entry.json` listing the languages of all the per-language ones.
    fn entry(&self, languages: &[Lang]) -> Result<OutputFile, String> {
        let mut entries = std::mem::take(&mut *lock(&self.entries));
        let mut merged = serde_json::Value::Null;
        for entry in languages.iter().filter_map(|l| entries.remove(l)) {
            match (&mut merged, entry) {
                (serde_json::Value::Null, e) => merged = e,
                (m, e) => {
                    let (Some(to), Some(from)) = (
                        m.get_mut("languages").and_then(|l| l.as_object_mut()),
                        e.get("languages").and_then(|l| l.as_object()),
                    ) else {
                        return Err(format!("Pagefind's {ENTRY} has no languages"));
                    };
                    to.extend(from.clone());
                }
            }
        }
        let bytes = serde_json::to_vec(&merged).map_err(|e| e.to_string())?;
        Ok(OutputFile::new(format!("{SEARCH_BUNDLE}{ENTRY}"), bytes))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// A site of one language has one shard: one task, which a parallel loop would run on the
    /// thread that asked, beside the pool's threads. It runs on the pool (on a lane, while a
    /// pool thread waits), never on the caller: with `RAYON_NUM_THREADS=1`, one thread works.
    #[test]
    fn tasks_run_on_the_pool_even_one() {
        for n in [1, 3] {
            let on = Mutex::new(Vec::new());
            on_pool_threads(n, || lock(&on).push(rayon::current_thread_index()));
            let on = on.into_inner().unwrap();
            assert_eq!(on.len(), n);
            assert!(on.iter().all(Option::is_some), "{on:?}");
        }
    }

    #[test]
    fn a_single_shard_is_made_on_the_pool_not_on_the_calling_thread() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let checked = crate::check(&crate::BuildOptions::new(root)).expect("the real site");
        let mut model = checked.model;
        model.site.languages.retain(|&l| l == Lang::En);
        let caller = std::thread::current().id();
        let makers = Mutex::new(Vec::new());
        let shards = write(&model, &checked.urls, SHARD_RECORDS, &|f| {
            // The entry and the list of shards are made from all shards, once they are in.
            let whole = f.path == SEARCH_SHARDS || f.path.ends_with(ENTRY);
            if !whole {
                lock(&makers).push(std::thread::current().id());
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(shards, vec![1]);
        let makers = makers.into_inner().unwrap();
        assert!(makers.len() > 2, "{} files of the shard", makers.len());
        let makers: HashSet<_> = makers.into_iter().collect();
        assert_eq!(makers.len(), 1, "one thread made the shard");
        assert!(
            !makers.contains(&caller),
            "the calling thread made the shard"
        );
    }
}
