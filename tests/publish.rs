//! Publishing: the built site served under its base path has no broken link, its data package
//! validates, its CSV matches its JSON, its feeds and sitemap are well-formed, a change to the
//! data is reported, and the GitHub Pages workflow is usable.

mod common;

use common::*;
use policydash::model::Model;
use policydash::{check, BuildOptions};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The repository, whose content/ is the real site.
fn repo() -> &'static Path {
    Path::new(CRATE)
}

/// Builds `root`'s content for `base` into a new temporary folder.
fn build_in_temp(root: &Path, base: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_into(root, &out, Some(base));
    (tmp, out)
}

fn model_of(root: &Path) -> Model {
    match check(&BuildOptions::new(root)) {
        Ok(c) => c.model,
        Err(f) => panic!("the content is not valid:\n{}", f.render()),
    }
}

// ---------------------------------------------------------------------------------------------
// A minimal HTTP client, enough for the preview server.

struct Response {
    status: u16,
    location: Option<String>,
    body: Vec<u8>,
}

fn get(addr: SocketAddr, path: &str) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    // A safety net against a hung server, not a measurement.
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP header in the response to {path}"));
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line for {path}: {head}"));
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    if header("Transfer-Encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body);
    }
    Response {
        status,
        location: header("Location"),
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&data[..eol]).to_string();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
}

// ---------------------------------------------------------------------------------------------
// Link extraction.

fn html_unescape(s: &str) -> String {
    s.replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Values of `attr="…"` attributes (preceded by white space) in markup.
fn attribute_values(text: &str, attr: &str) -> Vec<String> {
    let needle = format!("{attr}=\"");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&needle) {
        let before = rest[..i].chars().last();
        let after = &rest[i + needle.len()..];
        let end = after.find('"').unwrap_or(after.len());
        if before.is_some_and(char::is_whitespace) {
            out.push(html_unescape(&after[..end]));
        }
        rest = &after[end..];
    }
    out
}

/// Every link of an HTML page or SVG: href and src, and absolute addresses in meta content
/// (canonical, Open Graph and Twitter card tags).
fn html_links(text: &str) -> Vec<String> {
    let mut links = attribute_values(text, "href");
    links.extend(attribute_values(text, "src"));
    links.extend(
        attribute_values(text, "content").into_iter().filter(|c| {
            c.starts_with("http://") || c.starts_with("https://") || c.starts_with('/')
        }),
    );
    links
}

fn css_links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("url(") {
        let after = &rest[i + 4..];
        let end = after.find(')').unwrap_or(after.len());
        let url = after[..end].trim().trim_matches(['"', '\'']).to_string();
        if !url.starts_with("data:") {
            out.push(url);
        }
        rest = &after[end..];
    }
    out
}

/// A parsed XML document: every element's name, attributes and text, or the parse error.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    text: String,
}

fn parse_xml(text: &str) -> Result<Vec<Element>, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut elements: Vec<Element> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut roots = 0;
    let open =
        |e: &quick_xml::events::BytesStart, elements: &mut Vec<Element>| -> Result<usize, String> {
            let mut attrs = BTreeMap::new();
            for a in e.attributes() {
                let a = a.map_err(|e| e.to_string())?;
                let value = a.unescape_value().map_err(|e| e.to_string())?.to_string();
                let key = String::from_utf8_lossy(a.key.as_ref()).to_string();
                if attrs.insert(key.clone(), value).is_some() {
                    return Err(format!("attribute {key} given twice"));
                }
            }
            elements.push(Element {
                name: String::from_utf8_lossy(e.name().as_ref()).to_string(),
                attrs,
                text: String::new(),
            });
            Ok(elements.len() - 1)
        };
    loop {
        match reader.read_event() {
            Err(e) => return Err(format!("at byte {}: {e}", reader.buffer_position())),
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                if stack.is_empty() {
                    roots += 1;
                }
                let i = open(&e, &mut elements)?;
                stack.push(i);
            }
            Ok(Event::Empty(e)) => {
                if stack.is_empty() {
                    roots += 1;
                }
                open(&e, &mut elements)?;
            }
            Ok(Event::End(_)) => {
                stack.pop();
            }
            Ok(Event::Text(t)) => {
                let t = t.decode().map_err(|e| e.to_string())?;
                match stack.last() {
                    Some(&i) => elements[i].text.push_str(&t),
                    None if t.trim().is_empty() => {}
                    None => return Err(format!("text outside the root element: {t:?}")),
                }
            }
            Ok(Event::GeneralRef(r)) => {
                let ch = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => match r.decode().map_err(|e| e.to_string())?.as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => return Err(format!("undefined entity &{other};")),
                    },
                };
                if let Some(&i) = stack.last() {
                    elements[i].text.push_str(&ch);
                }
            }
            Ok(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err("the document ends inside an element".into());
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(elements)
}

fn xml_links(text: &str) -> Vec<String> {
    let elements = parse_xml(text).unwrap_or_else(|e| panic!("not well-formed XML: {e}"));
    let mut links = Vec::new();
    for e in &elements {
        match e.name.as_str() {
            "loc" => links.push(e.text.trim().to_string()),
            // Atom entries carry their content as escaped HTML.
            "content" if e.attrs.get("type").map(String::as_str) == Some("html") => {
                links.extend(html_links(&e.text))
            }
            _ => {}
        }
        links.extend(e.attrs.get("href").cloned());
    }
    links
}

// ---------------------------------------------------------------------------------------------
// The crawler.

struct Crawler {
    addr: SocketAddr,
    /// `https://example.org`
    origin: String,
    /// `/some/sub/path/`
    prefix: String,
    /// External addresses pages may link to: the source documents' and the licence's.
    allowed_external: BTreeSet<String>,
    fetched: BTreeMap<String, Response>,
    problems: Vec<String>,
    /// (page path, fragment, linked from)
    fragments: Vec<(String, String, String)>,
    /// External links seen (allowed ones).
    external: BTreeSet<String>,
}

impl Crawler {
    fn new(addr: SocketAddr, base: &str, model: &Model) -> Crawler {
        let (scheme, rest) = base.split_once("://").unwrap();
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let mut allowed_external = BTreeSet::new();
        for p in &model.programmes {
            allowed_external.extend(p.sources.iter().filter_map(|s| s.url.clone()));
        }
        allowed_external.extend(model.context.iter().filter_map(|c| c.url.clone()));
        allowed_external.extend(model.site.licence.iter().map(|l| l.url.clone()));
        Crawler {
            addr,
            origin: format!("{scheme}://{host}"),
            prefix: if path.is_empty() {
                "/".into()
            } else {
                path.into()
            },
            allowed_external,
            fetched: BTreeMap::new(),
            problems: Vec::new(),
            fragments: Vec::new(),
            external: BTreeSet::new(),
        }
    }

    /// The path to fetch for a link found on `from`, or None (and a problem noted) when the
    /// link must not be followed.
    fn resolve(&mut self, link: &str, from: &str) -> Option<String> {
        let link = link.trim();
        if link.is_empty() {
            self.problems.push(format!("{from}: empty link"));
            return None;
        }
        let (without_fragment, fragment) = match link.split_once('#') {
            Some((a, f)) => (a, Some(f)),
            None => (link, None),
        };
        let path = if without_fragment.is_empty() {
            from.to_string()
        } else if let Some(p) = without_fragment.strip_prefix(&self.origin) {
            if !p.starts_with('/') && !p.is_empty() {
                self.problems
                    .push(format!("{from}: {link} is on another host"));
                return None;
            }
            if p.is_empty() {
                "/".into()
            } else {
                p.to_string()
            }
        } else if without_fragment.starts_with("//")
            || without_fragment.contains("://")
            || without_fragment.starts_with("mailto:")
        {
            if self.allowed_external.contains(link) {
                self.external.insert(link.to_string());
            } else {
                self.problems.push(format!(
                    "{from}: {link} points to another site and is not a source document"
                ));
            }
            return None;
        } else if without_fragment.starts_with('/') {
            without_fragment.to_string()
        } else {
            self.problems.push(format!(
                "{from}: {link} is a relative link; every link must come from the base URL"
            ));
            return None;
        };
        if !path.starts_with(&self.prefix) {
            self.problems.push(format!(
                "{from}: {link} is outside the base path {}",
                self.prefix
            ));
            return None;
        }
        if let Some(f) = fragment {
            self.fragments
                .push((path.clone(), f.to_string(), from.to_string()));
        }
        Some(path)
    }

    fn crawl(&mut self, start: &[String]) {
        let mut queue: VecDeque<(String, String)> = start
            .iter()
            .map(|p| (p.clone(), "(start)".to_string()))
            .collect();
        let mut seen: BTreeSet<String> = start.iter().cloned().collect();
        // Bounded: the site has a few hundred files.
        let mut budget = 5_000;
        while let Some((path, from)) = queue.pop_front() {
            budget -= 1;
            assert!(budget > 0, "the crawl does not end: is a link growing?");
            let r = get(self.addr, &path);
            if r.status != 200 {
                self.problems.push(format!(
                    "{from}: {path} answered {}{}",
                    r.status,
                    r.location
                        .as_ref()
                        .map(|l| format!(" (to {l})"))
                        .unwrap_or_default()
                ));
                self.fetched.insert(path, r);
                continue;
            }
            let text = String::from_utf8_lossy(&r.body).to_string();
            let links = if path.ends_with('/') || path.ends_with(".html") || path.ends_with(".svg")
            {
                html_links(&text)
            } else if path.ends_with(".css") {
                css_links(&text)
            } else if path.ends_with(".xml") {
                xml_links(&text)
            } else if path.ends_with("robots.txt") {
                text.lines()
                    .filter_map(|l| l.strip_prefix("Sitemap:"))
                    .map(|l| l.trim().to_string())
                    .collect()
            } else if path.ends_with("datapackage.json") {
                // Paths in a data package are relative to the package.
                let dir = &path[..path.rfind('/').unwrap() + 1];
                datapackage_paths(&text)
                    .into_iter()
                    .map(|p| format!("{dir}{p}"))
                    .collect()
            } else {
                Vec::new()
            };
            for link in links {
                if let Some(next) = self.resolve(&link, &path) {
                    if seen.insert(next.clone()) {
                        queue.push_back((next, path.clone()));
                    }
                }
            }
            self.fetched.insert(path, r);
        }
        // Every #fragment must name an element of its page.
        for (page, fragment, from) in std::mem::take(&mut self.fragments) {
            let Some(r) = self.fetched.get(&page).filter(|r| r.status == 200) else {
                continue;
            };
            let body = String::from_utf8_lossy(&r.body);
            if !body.contains(&format!("id=\"{fragment}\"")) {
                self.problems
                    .push(format!("{from}: {page}#{fragment}: no element has that id"));
            }
        }
    }
}

/// The files a data package names: its resources and their schemas.
fn datapackage_paths(text: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let mut paths: Vec<String> = Vec::new();
    for r in v["resources"].as_array().unwrap() {
        paths.extend(r["path"].as_str().map(String::from));
        paths.extend(r["schema"].as_str().map(String::from));
    }
    paths
}

/// Builds the real content for `base`, serves it under its path and crawls it from the root.
fn crawl_site(base: &str) -> (Crawler, PathBuf, tempfile::TempDir) {
    let (tmp, out) = build_in_temp(repo(), base);
    let model = model_of(repo());
    let urls = policydash::urls::Urls::new(base).unwrap();
    let prefix = urls.prefix().to_string();
    let server =
        policydash::serve::Server::start(out.clone(), prefix.clone(), "127.0.0.1:0").unwrap();
    let mut crawler = Crawler::new(server.addr, base, &model);

    // The crawler itself must notice a missing page, or it proves nothing.
    assert_eq!(
        get(server.addr, &format!("{prefix}no-such-page/")).status,
        404
    );

    let start = vec![
        prefix.clone(),
        format!("{prefix}robots.txt"),
        format!("{prefix}sitemap.xml"),
        format!("{prefix}feed.xml"),
        format!("{prefix}zh/feed.xml"),
        format!("{prefix}datapackage.json"),
        format!("{prefix}404.html"),
    ];
    crawler.crawl(&start);
    drop(server);
    (crawler, out, tmp)
}

fn assert_crawl_is_clean(base: &str) {
    let (crawler, out, _tmp) = crawl_site(base);
    assert!(
        crawler.problems.is_empty(),
        "{} broken or foreign links when served under {}:\n{}",
        crawler.problems.len(),
        crawler.prefix,
        crawler.problems.join("\n")
    );
    let prefix = &crawler.prefix;
    // The crawl reached every kind of file the site publishes.
    let fetched: BTreeSet<&str> = crawler.fetched.keys().map(String::as_str).collect();
    for must in [
        prefix.to_string(),
        format!("{prefix}zh/"),
        format!("{prefix}programmes/zhuhai/"),
        format!("{prefix}zh/programmes/zhuhai/"),
        format!("{prefix}changes/"),
        format!("{prefix}zh/changes/"),
        format!("{prefix}data/"),
        format!("{prefix}data/targets.csv"),
        format!("{prefix}data/targets.json"),
        format!("{prefix}data/programmes/zhuhai.json"),
        format!("{prefix}data/targets.schema.json"),
        format!("{prefix}static/style.css"),
        format!("{prefix}static/print.css"),
        format!("{prefix}static/og-image.png"),
        format!("{prefix}feed.xml"),
        format!("{prefix}zh/feed.xml"),
        format!("{prefix}sitemap.xml"),
    ] {
        assert!(
            fetched.contains(must.as_str()),
            "the crawl never reached {must}"
        );
    }
    // Every HTML page the build wrote is reachable (the 404 page is served for missing ones).
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if let Some(dir) = rel.strip_suffix("index.html") {
            let path = format!("{prefix}{dir}");
            assert!(
                fetched.contains(path.as_str()),
                "{path} is in the output but no link leads to it"
            );
        }
    }
    // Links outside the site go to source documents or the licence only (checked in
    // `resolve`); report which ones there were.
    eprintln!(
        "{}: {} files crawled; links outside the site: {:?}",
        crawler.prefix,
        crawler.fetched.len(),
        crawler.external
    );
}

#[test]
fn every_link_resolves_when_served_under_a_sub_path() {
    assert_crawl_is_clean("https://example.org/some/sub/path/");
}

#[test]
fn every_link_resolves_when_served_at_the_root() {
    assert_crawl_is_clean("https://example.org/");
}

#[test]
fn the_crawler_reports_a_link_outside_the_base_path() {
    // A site built for the root but served under a sub-path must be caught.
    let (_tmp, out) = build_in_temp(repo(), "https://example.org/");
    let model = model_of(repo());
    let server =
        policydash::serve::Server::start(out, "/some/sub/path/".into(), "127.0.0.1:0").unwrap();
    let mut crawler = Crawler::new(server.addr, "https://example.org/some/sub/path/", &model);
    crawler.crawl(&["/some/sub/path/".to_string()]);
    assert!(
        crawler
            .problems
            .iter()
            .any(|p| p.contains("outside the base path")),
        "{:?}",
        crawler.problems
    );
}

// ---------------------------------------------------------------------------------------------
// Data package and downloads.

const FRICTIONLESS_INSTALL: &str = "pip install frictionless==5.21.0";

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Rows of a CSV download: the header and the records, after checking the byte-order mark.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "{} does not start with a UTF-8 byte-order mark",
        path.display()
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// Every CSV download, the charts' numbers included: each is a resource of the data package.
fn all_csv_files(out: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(out.join("data"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "csv"))
        .map(|e| {
            e.path()
                .strip_prefix(out)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

/// Runs `frictionless validate` on the package in `dir`: Some(report) when the tool is there.
fn frictionless_validate(dir: &Path) -> Option<serde_json::Value> {
    let run = Command::new("frictionless")
        .args(["validate", "--json", "datapackage.json"])
        .current_dir(dir)
        .output();
    match run {
        Ok(o) => Some(serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!(
                "frictionless printed no JSON report ({e}):\n{}\n{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        })),
        Err(e) if std::env::var_os("CI").is_some() => panic!(
            "the Frictionless validator is needed in CI but cannot run ({e}): {FRICTIONLESS_INSTALL}"
        ),
        Err(e) => {
            eprintln!("skipping the Frictionless validation: {e} ({FRICTIONLESS_INSTALL})");
            None
        }
    }
}

#[test]
fn the_data_package_describes_every_csv_and_validates() {
    let (_tmp, out) = build_in_temp(repo(), "https://example.org/some/sub/path/");
    let model = model_of(repo());
    let package = read_json(&out.join("datapackage.json"));

    // Licence from site.yaml; every source document with an address.
    let licence = model
        .site
        .licence
        .as_ref()
        .expect("site.yaml has a licence");
    assert_eq!(package["licenses"][0]["path"], licence.url.as_str());
    assert_eq!(package["licenses"][0]["name"], licence.name.as_str());
    let sources: BTreeSet<&str> = package["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["path"].as_str())
        .collect();
    for p in &model.programmes {
        for s in &p.sources {
            if let Some(url) = &s.url {
                assert!(
                    sources.contains(url.as_str()),
                    "{url} is not among the sources"
                );
            }
        }
    }

    // One resource per CSV download, by a path relative to the package that exists.
    let resources = package["resources"].as_array().unwrap();
    let paths: BTreeSet<String> = resources
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, all_csv_files(&out), "resources and CSV files differ");
    assert!(
        paths.iter().any(|p| p.starts_with("data/charts/")),
        "no chart CSV in the package"
    );
    let names: BTreeSet<&str> = resources
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), resources.len(), "resource names repeat");

    // The schema's fields are the CSV columns, in order, in every CSV; typed cells parse.
    for r in resources {
        assert!(!r["path"].as_str().unwrap().contains("://"));
        // The shared schema file, or (charts that are not figure tables) a schema inline.
        let schema = match r["schema"].as_str() {
            Some(path) => read_json(&out.join(path)),
            None => r["schema"].clone(),
        };
        let fields = schema["fields"].as_array().unwrap();
        let field_names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
        let (header, rows) = read_csv(&out.join(r["path"].as_str().unwrap()));
        assert_eq!(
            field_names, header,
            "schema fields ≠ header of {}",
            r["path"]
        );
        for (i, f) in fields.iter().enumerate() {
            for row in &rows {
                let cell = &row[i];
                let ok = cell.is_empty()
                    || match f["type"].as_str().unwrap() {
                        "number" => cell.parse::<f64>().is_ok(),
                        "integer" => cell.parse::<i64>().is_ok(),
                        _ => true,
                    };
                assert!(ok, "{}: {:?} is not a {}", f["name"], cell, f["type"]);
            }
        }
    }
    assert_eq!(
        policydash::publish::datapackage::field_names(),
        read_csv(&out.join("data/targets.csv")).0
    );

    // The Frictionless tools agree, and do reject a broken file.
    let Some(report) = frictionless_validate(&out) else {
        return;
    };
    assert_eq!(report["valid"], true, "frictionless: {report:#}");
    assert_eq!(
        report["stats"]["tasks"].as_u64(),
        Some(resources.len() as u64)
    );
    let csv = out.join("data/targets.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let first_value = &read_csv(&csv).1[0][10];
    let broken = text.replacen(&format!(",{first_value},"), ",not-a-number,", 1);
    assert_ne!(broken, text);
    std::fs::write(&csv, broken).unwrap();
    let report = frictionless_validate(&out).unwrap();
    assert_eq!(report["valid"], false, "a broken CSV passed validation");
}

#[test]
fn csv_and_json_downloads_hold_the_same_figures() {
    let (_tmp, out) = build_in_temp(repo(), "https://example.org/some/sub/path/");
    let model = model_of(repo());
    // Every JSON download against its CSV: its own, or for a programme's or a metric's figures
    // (published as JSON only) their rows of the site-wide CSV.
    let (all_header, all_rows) = read_csv(&out.join("data/targets.csv"));
    let id_col = all_header.iter().position(|h| h == "target_id").unwrap();
    let files: Vec<String> = walkdir::WalkDir::new(out.join("data"))
        .into_iter()
        .map(Result::unwrap)
        .map(|e| {
            e.path()
                .strip_prefix(&out)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| p.ends_with(".json") && !p.ends_with(".schema.json"))
        .collect();
    assert!(files.len() > model.programmes.len(), "{files:?}");
    for json_path in files {
        let json = read_json(&out.join(&json_path));
        // data/observations.json lists observations, every other file figures.
        let key = if json.get("observations").is_some() {
            "observations"
        } else {
            "targets"
        };
        let targets = json[key].as_array().unwrap();
        let csv_path = json_path.replace(".json", ".csv");
        let (header, rows) = if out.join(&csv_path).exists() {
            read_csv(&out.join(&csv_path))
        } else {
            let rows = targets
                .iter()
                .map(|t| {
                    let id = t["target_id"].as_str().unwrap();
                    let row = all_rows.iter().find(|r| r[id_col] == id);
                    row.unwrap_or_else(|| panic!("{json_path}: {id} not in data/targets.csv"))
                        .clone()
                })
                .collect();
            (all_header.clone(), rows)
        };
        assert_eq!(rows.len(), targets.len(), "{csv_path}: row counts differ");
        assert_eq!(json["count"].as_u64(), Some(rows.len() as u64));
        for (row, t) in rows.iter().zip(targets) {
            for (name, cell) in header.iter().zip(row) {
                let v = &t[name.as_str()];
                match v {
                    serde_json::Value::Number(n) => assert_eq!(
                        cell.parse::<f64>().ok(),
                        n.as_f64(),
                        "{csv_path}: {name} of {} differs",
                        t["target_id"]
                    ),
                    serde_json::Value::Null => assert_eq!(cell, "", "{csv_path}: {name}"),
                    serde_json::Value::String(s) => assert_eq!(cell, s, "{csv_path}: {name}"),
                    other => panic!("{csv_path}: {name} is {other}"),
                }
            }
        }
    }
    // And the site-wide table holds every figure of the model, with its value.
    let (header, rows) = read_csv(&out.join("data/targets.csv"));
    let id = header.iter().position(|h| h == "target_id").unwrap();
    let value = header.iter().position(|h| h == "value").unwrap();
    let by_id: BTreeMap<&str, &str> = rows
        .iter()
        .map(|r| (r[id].as_str(), r[value].as_str()))
        .collect();
    assert_eq!(by_id.len(), model.targets().count());
    for (_, t) in model.targets() {
        assert_eq!(
            by_id[t.id.as_str()].parse::<f64>().unwrap(),
            t.value,
            "{}",
            t.id
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Feeds and sitemap.

#[test]
fn sitemap_and_feeds_are_well_formed_and_complete() {
    // A copy of the content with a commentary page in English only.
    let site = content_copy();
    std::fs::write(
        site.path().join("content/commentary/publish-test-only-en.en.md"),
        "---\ntitle: \"Only in English\"\nsummary: \"A page with no translation.\"\nlanguage: en\n---\n\nText.\n",
    )
    .unwrap();
    let base = "https://example.org/some/sub/path/";
    let (_tmp, out) = build_in_temp(site.path(), base);
    let model = model_of(site.path());

    // Sitemap: every page in each language it exists in, with hreflang alternates.
    let text = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let doc = parse_xml(&text).unwrap_or_else(|e| panic!("sitemap.xml: {e}"));
    assert_eq!(doc[0].name, "urlset");
    assert_eq!(
        doc[0].attrs["xmlns"],
        "http://www.sitemaps.org/schemas/sitemap/0.9"
    );
    assert_eq!(doc[0].attrs["xmlns:xhtml"], "http://www.w3.org/1999/xhtml");
    // Group alternates under the <loc> before them.
    let mut urls: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current = String::new();
    for e in &doc {
        match e.name.as_str() {
            "loc" => {
                current = e.text.clone();
                assert!(
                    urls.insert(current.clone(), BTreeMap::new()).is_none(),
                    "{current} twice"
                );
            }
            "xhtml:link" => {
                assert_eq!(e.attrs["rel"], "alternate");
                urls.get_mut(&current)
                    .unwrap()
                    .insert(e.attrs["hreflang"].clone(), e.attrs["href"].clone());
            }
            _ => {}
        }
    }
    for loc in urls.keys() {
        assert!(loc.starts_with(base), "{loc}");
        assert!(
            out.join(&loc[base.len()..]).join("index.html").is_file(),
            "{loc} was not built"
        );
    }
    let zhuhai = format!("{base}programmes/zhuhai/");
    let zhuhai_zh = format!("{base}zh/programmes/zhuhai/");
    for loc in [&zhuhai, &zhuhai_zh] {
        let alt = &urls[loc.as_str()];
        assert_eq!(alt["en"], zhuhai);
        assert_eq!(alt["zh-Hans"], zhuhai_zh);
        assert_eq!(alt["x-default"], zhuhai);
    }
    let only_en = format!("{base}commentary/publish-test-only-en/");
    assert!(urls.contains_key(&only_en));
    assert!(
        urls[&only_en].is_empty(),
        "a one-language page has no alternates"
    );
    assert!(!urls.contains_key(&format!("{base}zh/commentary/publish-test-only-en/")));
    assert!(!urls.keys().any(|u| u.contains("404")));
    for p in &model.programmes {
        assert!(urls.contains_key(&format!("{base}programmes/{}/", p.id)));
        assert!(urls.contains_key(&format!("{base}zh/programmes/{}/", p.id)));
    }

    // Feeds: Atom, one per language, an entry per changelog entry with a stable id.
    assert!(
        !model.changelog.is_empty(),
        "content/changelog.yaml has entries"
    );
    for (file, lang, changes) in [
        ("feed.xml", "en", format!("{base}changes/")),
        ("zh/feed.xml", "zh-Hans", format!("{base}zh/changes/")),
    ] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        let doc = parse_xml(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(doc[0].name, "feed");
        assert_eq!(doc[0].attrs["xmlns"], "http://www.w3.org/2005/Atom");
        assert_eq!(doc[0].attrs["xml:lang"], lang);
        let ids: Vec<&str> = doc
            .iter()
            .filter(|e| e.name == "id")
            .map(|e| e.text.as_str())
            .collect();
        assert_eq!(ids[0], format!("{base}{file}"));
        assert_eq!(ids.len(), model.changelog.len() + 1);
        for entry in &model.changelog {
            let id = format!("{changes}#log-{}", entry.id);
            assert!(ids.contains(&id.as_str()), "{file} lacks {id}");
            let title = entry.title.get(if lang == "en" {
                policydash::model::Lang::En
            } else {
                policydash::model::Lang::Zh
            });
            assert!(
                doc.iter().any(|e| e.name == "title" && e.text == title),
                "{file}: {title}"
            );
        }
        let updated: Vec<&str> = doc
            .iter()
            .filter(|e| e.name == "updated")
            .map(|e| e.text.as_str())
            .collect();
        let newest = model
            .changelog
            .iter()
            .map(|e| e.date.start())
            .max()
            .unwrap();
        assert_eq!(
            updated[0],
            format!("{:04}-{:02}-{:02}T00:00:00Z", newest.0, newest.1, newest.2)
        );
        // Required Atom elements.
        for name in ["title", "author", "link"] {
            assert!(doc.iter().any(|e| e.name == name), "{file} has no {name}");
        }
    }

    // Nothing depends on when or where the build ran.
    let (_tmp2, again) = build_in_temp(site.path(), base);
    for f in [
        "sitemap.xml",
        "feed.xml",
        "zh/feed.xml",
        "datapackage.json",
        "data/targets.schema.json",
    ] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f} differs between two builds"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The change report.

/// Runs `policydash build --root ROOT --output OUT EXTRA…`: success, stdout, stderr.
fn run_build(root: &str, out: &Path, extra: &[&str]) -> (bool, String, String) {
    let o = run(&[
        &["build", "--root", root, "--output", out.to_str().unwrap()],
        extra,
    ]
    .concat());
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

/// Changes the value of the first figure with a whole-number value in a copy of the content:
/// (target id, old value, new value).
fn change_one_value(root: &Path) -> (String, i64, i64) {
    let model = model_of(root);
    let (_, t) = model
        .targets()
        .find(|(_, t)| {
            // Not cited by commentary: a link's number must match its figure.
            t.value.fract() == 0.0
                && t.value_max.is_none()
                && !model
                    .commentary
                    .iter()
                    .any(|c| c.body.contains(&format!("(target:{})", t.id)))
        })
        .unwrap();
    let file = root.join(&t.origin.file);
    let text = std::fs::read_to_string(&file).unwrap();
    let at = text
        .find(&format!("id: {}\n", t.id))
        .unwrap_or_else(|| panic!("cannot find {} in {}", t.id, file.display()));
    let old = t.value as i64;
    let new = old + 1234;
    let line = text[at..]
        .lines()
        .find(|l| l.trim_start().starts_with("value:"))
        .unwrap()
        .to_string();
    assert_eq!(
        line.trim(),
        format!("value: {old}"),
        "unexpected layout in {}",
        file.display()
    );
    let start = at + text[at..].find(&line).unwrap();
    let changed = format!(
        "{}{}{}",
        &text[..start],
        // A value its quote does not state needs its derivation written down.
        line.replace(&old.to_string(), &new.to_string())
            + "\n    derivation: {en: \"Test edit\", zh: \"测试修改\"}",
        &text[start + line.len()..]
    );
    std::fs::write(&file, changed).unwrap();
    (t.id.clone(), old, new)
}

#[test]
fn changing_a_value_prints_and_publishes_a_change_report() {
    let site = content_copy();
    let root = site.path().to_str().unwrap();
    let out = site.path().join("out");
    let base = "https://example.org/some/sub/path/";

    let (ok, stdout, stderr) = run_build(root, &out, &["--base-url", base]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("first build"), "{stdout}");

    let (id, old, new) = change_one_value(site.path());
    let (ok, stdout, stderr) = run_build(root, &out, &["--base-url", base]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("1 changed"), "{stdout}");
    assert!(stdout.contains(&id), "{stdout}");
    assert!(
        stdout.contains(&format!("value: {old} → {new}")),
        "{stdout}"
    );

    // The published page names it too, in both languages, linked to the figure.
    let en = std::fs::read_to_string(out.join("changes/index.html")).unwrap();
    let zh = std::fs::read_to_string(out.join("zh/changes/index.html")).unwrap();
    for page in [&en, &zh] {
        assert!(page.contains(&format!("id=\"changed-{id}\"")), "{page}");
        assert!(page.contains(&format!("<del>{old}</del>")), "{page}");
        assert!(page.contains(&format!("<ins>{new}</ins>")), "{page}");
        assert!(page.contains(&format!("#t-{id}\"")), "{page}");
    }
    assert!(en.contains(">Value</th>"));
    assert!(zh.contains(">数值</th>"));

    // A rebuild without change says so.
    let (ok, stdout, _) = run_build(root, &out, &["--base-url", base]);
    assert!(ok);
    assert!(stdout.contains("unchanged"), "{stdout}");
    let en = std::fs::read_to_string(out.join("changes/index.html")).unwrap();
    assert!(!en.contains(&format!("changed-{id}")));

    // --previous compares with a published targets.json instead (a fresh CI output folder).
    let published = site.path().join("published-targets.json");
    let mut old_rows = read_json(&out.join("data/targets.json"));
    for r in old_rows["targets"].as_array_mut().unwrap() {
        if r["target_id"] == id.as_str() {
            r["value"] = serde_json::json!(old);
        }
    }
    std::fs::write(&published, old_rows.to_string()).unwrap();
    let fresh = site.path().join("fresh");
    let previous = [
        "--base-url",
        base,
        "--previous",
        published.to_str().unwrap(),
    ];
    let (ok, stdout, stderr) = run_build(root, &fresh, &previous);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains(&format!("value: {old} → {new}")),
        "{stdout}"
    );

    // A --previous that cannot be read is a clear error, and nothing is written.
    let missing = site.path().join("missing.json");
    let other = site.path().join("other");
    let (ok, _, stderr) = run_build(root, &other, &["--previous", missing.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        stderr.contains("--previous") && stderr.contains("missing.json"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!other.exists());
}

// ---------------------------------------------------------------------------------------------
// The GitHub Pages workflow.

#[test]
fn the_pages_workflow_builds_with_the_pages_address_and_deploys() {
    let path = repo().join(".github/workflows/pages.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let wf: serde_yaml::Value = serde_yaml::from_str(&text).expect("pages.yml is valid YAML");
    assert_eq!(wf["permissions"]["pages"], "write");
    assert_eq!(wf["permissions"]["id-token"], "write");

    let steps = |job: &str| -> Vec<serde_yaml::Value> {
        wf["jobs"][job]["steps"]
            .as_sequence()
            .unwrap_or_else(|| panic!("no job {job}"))
            .clone()
    };
    let uses = |s: &serde_yaml::Value| s["uses"].as_str().unwrap_or("").to_string();
    let build = steps("build");
    let find = |action: &str| {
        build
            .iter()
            .find(|s| uses(s).starts_with(&format!("{action}@")))
            .unwrap_or_else(|| panic!("the build job does not use {action}"))
            .clone()
    };
    find("actions/checkout");
    assert_eq!(find("actions/configure-pages")["id"], "pages");
    let upload = find("actions/upload-pages-artifact");
    assert_eq!(upload["with"]["path"], "output");
    assert_eq!(
        upload["with"]["include-hidden-files"], true,
        "keep .nojekyll"
    );

    // The build step passes the Pages address, with a trailing slash, and only flags that
    // the command line has.
    let runs: Vec<&str> = build.iter().filter_map(|s| s["run"].as_str()).collect();
    let at = |what: &str| {
        runs.iter()
            .position(|r| r.contains("cargo run") && r.contains(what))
            .unwrap_or_else(|| panic!("no step runs policydash{what}"))
    };
    // `check` (provenance included) runs before anything is built.
    assert!(
        at("-- check") < at("-- build"),
        "check must run before build"
    );
    let run = runs[at("-- build")];
    assert!(
        run.contains("build --base-url \"${{ steps.pages.outputs.base_url }}/\""),
        "{run}"
    );
    let help = common::run(&["build", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in ["--base-url", "--previous"] {
        assert!(text.contains(flag) && help.contains(flag), "{flag}");
    }

    let deploy = steps("deploy");
    assert!(deploy
        .iter()
        .any(|s| uses(s).starts_with("actions/deploy-pages@")));
    assert_eq!(wf["jobs"]["deploy"]["needs"], "build");
    assert_eq!(wf["jobs"]["deploy"]["environment"]["name"], "github-pages");
}

#[test]
fn changelog_problems_name_the_entry_in_file_order() {
    let site = content_copy();
    let log = site.path().join("content/changelog.yaml");
    let mut text = std::fs::read_to_string(&log).unwrap();
    // Entries out of date order: sorting them for readers must not shift the line named.
    text.push_str(
        "  - id: older-update\n    date: 2020-01-01\n    title: {en: \"Old\", zh: \"旧\"}\n    text: {en: \"Old.\", zh: \"旧。\"}\n    targets: [no-such-figure]\n  - id: Bad_Id\n    date: 2099-01-01\n    title: {en: \"Bad\", zh: \"坏\"}\n    text: {en: \"Bad.\", zh: \"坏。\"}\n",
    );
    std::fs::write(&log, &text).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let err = match check(&BuildOptions::new(site.path())) {
        Ok(_) => panic!("a bad changelog id was accepted"),
        Err(f) => f.render(),
    };
    assert!(
        err.contains(&format!(
            "content/changelog.yaml:{}:",
            line_of("id: Bad_Id")
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "content/changelog.yaml:{}:",
            line_of("[no-such-figure]")
        )) && err.contains("no-such-figure"),
        "{err}"
    );
}
