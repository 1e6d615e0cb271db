//! Every URL the site publishes comes from here, so a site built for a sub-path
//! (`https://org.github.io/repo/`) links correctly everywhere.

use crate::model::Lang;

/// A page of the site, independent of language and base URL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Page {
    Home,
    Programme(String),
    MetricIndex,
    Metric(String),
    Sources,
    CommentaryIndex,
    Commentary(String),
    About,
    Changes,
    Data,
    Embed(String),
    /// The search page; its index lives in `SEARCH_BUNDLE`.
    Search,
    NotFound,
}

/// Where a programme's figures are published, without extension (`.csv`, `.json`).
pub fn programme_data(id: &str) -> String {
    format!("data/programmes/{id}")
}

/// Where a compared metric's figures are published, without extension (`.csv`, `.json`).
pub fn metric_data(id: &str) -> String {
    format!("data/metrics/{id}")
}

/// Where a chart's own numbers are published (one file for all languages).
pub fn chart_data(id: &str) -> String {
    format!("data/charts/{id}.csv")
}

/// The folder (site-relative) that holds the search index and Pagefind's script.
pub const SEARCH_BUNDLE: &str = "pagefind/";

/// The list of a large index's further shards, per language (paths inside `SEARCH_BUNDLE`):
/// the search page merges them into the index of `SEARCH_BUNDLE` itself, the first shard.
pub const SEARCH_SHARDS: &str = "pagefind/shards.json";

/// The folder, inside `SEARCH_BUNDLE`, of shard `k` (from 1) of a language's search index.
pub fn search_shard(lang: Lang, k: usize) -> String {
    format!("{}-{k}/", lang.code())
}

/// The site's Data Package descriptor (site-relative).
pub const DATAPACKAGE: &str = "datapackage.json";

impl Page {
    /// Path below the language prefix, with a trailing slash for folders.
    pub fn path(&self) -> String {
        match self {
            Page::Home => String::new(),
            Page::Programme(id) => format!("programmes/{id}/"),
            Page::MetricIndex => "metrics/".into(),
            Page::Metric(id) => format!("metrics/{id}/"),
            Page::Sources => "sources/".into(),
            Page::CommentaryIndex => "commentary/".into(),
            Page::Commentary(key) => format!("commentary/{key}/"),
            Page::About => "about/".into(),
            Page::Changes => "changes/".into(),
            Page::Data => "data/".into(),
            Page::Embed(chart) => format!("embed/{chart}/"),
            Page::Search => "search/".into(),
            Page::NotFound => "404.html".into(),
        }
    }
}

/// What `href` percent-encodes besides non-ASCII: what the URL standard encodes in a path.
const PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// A host name as DNS knows it: dot-separated labels of letters, digits and inner hyphens
/// (after the `url` crate has lower-cased it and turned non-ASCII into punycode).
fn check_domain(domain: &str) -> Result<(), String> {
    if domain.len() > 253 {
        return Err("it is longer than 253 characters".into());
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Err("it has an empty part between dots".into());
        }
        if label.len() > 63 {
            return Err(format!("the part {label:?} is longer than 63 characters"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            || label.starts_with('-')
            || label.ends_with('-')
        {
            return Err(format!(
                "the part {label:?} may hold only letters, digits and inner hyphens"
            ));
        }
    }
    Ok(())
}

/// The base URL split into what pages need: the origin and the path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urls {
    /// `https://org.github.io`
    origin: String,
    /// `/repo/` (always starts and ends with a slash)
    prefix: String,
    default_lang: Lang,
}

impl Urls {
    pub fn new(base_url: &str) -> Result<Urls, String> {
        Self::with_lang(base_url, Lang::En)
    }

    /// Parses and normalises the base URL with the `url` crate (the WHATWG URL standard, as
    /// browsers read addresses), then refuses what the standard would silently repair but a
    /// published site must not carry: control characters and spaces (a newline would reach
    /// `robots.txt`), `.` and `..` segments, a user name, a query or fragment, port 0 and host
    /// names that are not DNS names. A non-ASCII path comes out percent-encoded and a
    /// non-ASCII host in punycode, so every absolute URL written is plain ASCII.
    pub fn with_lang(base_url: &str, default_lang: Lang) -> Result<Urls, String> {
        let shown = format!("{base_url:?}");
        if let Some(c) = base_url
            .chars()
            .find(|c| c.is_control() || c.is_whitespace() || *c == '\\')
        {
            let what = match c {
                '\n' | '\r' => "a line break".to_string(),
                '\\' => "a backslash".to_string(),
                c if c.is_whitespace() => "a space".to_string(),
                c => format!("the control character U+{:04X}", c as u32),
            };
            return Err(format!("{shown} contains {what}, which an address cannot"));
        }
        let url = url::Url::parse(base_url)
            .map_err(|e| format!("{shown} is not an absolute http(s) address: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "{shown} is not an absolute http(s) address: it starts with {}:",
                url.scheme()
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("{shown} contains a user name or password"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "{shown} has a ?query or #fragment; a base address is a folder"
            ));
        }
        if url.port() == Some(0) {
            return Err(format!("{shown} has port 0, which no server listens on"));
        }
        match url.host() {
            Some(url::Host::Domain(domain)) => check_domain(domain)
                .map_err(|why| format!("{shown} does not have a valid host name: {why}"))?,
            Some(_) => {}
            None => return Err(format!("{shown} has no host name")),
        }
        // The parser also repairs `https:host` and `https:///host`: refuse them.
        let after_scheme = match base_url.split_once("://") {
            Some((_, rest)) if !rest.starts_with('/') => rest,
            _ => {
                return Err(format!(
                    "{shown} is not an absolute http(s) address: write it as https://host/path/"
                ))
            }
        };
        // The parser resolves `.` and `..` (also written %2e); refuse them instead, so the
        // site is published where the address says.
        let raw_path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
        for segment in raw_path.split('/') {
            let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
            if decoded == "." || decoded == ".." {
                return Err(format!(
                    "{shown} has a {decoded:?} segment in its path; write the folder it means"
                ));
            }
        }
        let mut prefix = url.path().to_string();
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        Ok(Urls {
            origin: url.origin().ascii_serialization(),
            prefix,
            default_lang,
        })
    }

    /// The path prefix every link starts with, e.g. `/repo/`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn default_lang(&self) -> Lang {
        self.default_lang
    }

    /// THE function: the link (origin-relative, with the base path) for a site-relative path.
    /// Anything in the path that a URL may not carry as it is (non-ASCII, spaces, quotes) is
    /// percent-encoded.
    pub fn href(&self, site_path: &str) -> String {
        let path = percent_encoding::utf8_percent_encode(site_path.trim_start_matches('/'), PATH);
        format!("{}{path}", self.prefix)
    }

    /// The absolute URL for a site-relative path (canonical links, feeds, sitemap).
    pub fn absolute(&self, site_path: &str) -> String {
        format!("{}{}", self.origin, self.href(site_path))
    }

    /// Site-relative path of a page in a language: the default language at the root.
    pub fn page_path(&self, page: &Page, lang: Lang) -> String {
        if *page == Page::NotFound {
            return page.path();
        }
        self.lang_path(lang, &page.path())
    }

    /// Site-relative path of the Atom feed of data updates in a language.
    pub fn feed_path(&self, lang: Lang) -> String {
        self.lang_path(lang, "feed.xml")
    }

    /// Prefixes a site-relative path with the language folder (none for the default).
    pub fn lang_path(&self, lang: Lang, path: &str) -> String {
        if lang == self.default_lang {
            path.to_string()
        } else {
            format!("{}/{}", lang.code(), path)
        }
    }

    pub fn page(&self, page: &Page, lang: Lang) -> String {
        self.href(&self.page_path(page, lang))
    }

    /// The file a page is written to, relative to the output folder.
    pub fn page_file(&self, page: &Page, lang: Lang) -> String {
        let path = self.page_path(page, lang);
        if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_path_site() {
        let u = Urls::new("https://org.github.io/repo").unwrap();
        assert_eq!(u.prefix(), "/repo/");
        assert_eq!(
            u.page(&Page::Programme("zhuhai".into()), Lang::En),
            "/repo/programmes/zhuhai/"
        );
        assert_eq!(u.page(&Page::Home, Lang::Zh), "/repo/zh/");
        assert_eq!(
            u.absolute("static/style.css"),
            "https://org.github.io/repo/static/style.css"
        );
        assert_eq!(
            u.page_file(&Page::Metric("m".into()), Lang::Zh),
            "zh/metrics/m/index.html"
        );
        assert_eq!(u.page_file(&Page::Home, Lang::En), "index.html");
    }

    #[test]
    fn root_site_and_bad_addresses() {
        let u = Urls::new("https://example.org").unwrap();
        assert_eq!(u.href("/sources/"), "/sources/");
        assert!(Urls::new("example.org/x").is_err());
        assert!(Urls::new("https://exa mple.org/").is_err());
        assert!(Urls::new("https://example.org/a/../b").is_err());
    }

    #[test]
    fn refuses_what_a_parser_would_repair() {
        for bad in [
            "https://example.org/x\nDisallow:/",
            "https://example.org/\t",
            " https://example.org/",
            "https://example.org/a/./b",
            "https://example.org/a/%2e%2E/b",
            "https://example.org/..",
            "https://example.org:99999/",
            "https://example.org:0/",
            "https://example.org:port/",
            "https://exa_mple.org/",
            "https://a..b/",
            "https://-a.org/",
            "https://user:pw@example.org/",
            "https://example.org/?q=1",
            "https://example.org/#top",
            "https:///repo/",
            "https:example.org/",
            "ftp://example.org/",
            "https://example.org\\repo",
        ] {
            assert!(Urls::new(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn normalises_to_ascii() {
        let u = Urls::new("https://Example.ORG:443/政策").unwrap();
        assert_eq!(u.prefix(), "/%E6%94%BF%E7%AD%96/");
        assert_eq!(
            u.absolute("sitemap.xml"),
            "https://example.org/%E6%94%BF%E7%AD%96/sitemap.xml"
        );
        let u = Urls::new("http://[::1]:8080/repo/").unwrap();
        assert_eq!(u.absolute("a/"), "http://[::1]:8080/repo/a/");
        let u = Urls::new("https://例子.中国/").unwrap();
        assert!(u.absolute("").is_ascii());
    }
}
