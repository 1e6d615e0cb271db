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

/// The folder (site-relative) that holds the search index and Pagefind's script.
pub const SEARCH_BUNDLE: &str = "pagefind/";

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

    pub fn with_lang(base_url: &str, default_lang: Lang) -> Result<Urls, String> {
        let bad = || format!("{base_url:?} is not an absolute http(s) address");
        let rest = base_url
            .strip_prefix("https://")
            .map(|r| ("https://", r))
            .or_else(|| base_url.strip_prefix("http://").map(|r| ("http://", r)));
        let (scheme, rest) = rest.ok_or_else(bad)?;
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        {
            return Err(bad());
        }
        if path.contains(['?', '#', '"', '<', '>', ' ', '\\']) || path.contains("/../") {
            return Err(format!(
                "{base_url:?} has a path policydash cannot publish under"
            ));
        }
        let mut prefix = path.to_string();
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        Ok(Urls {
            origin: format!("{scheme}{host}"),
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
    pub fn href(&self, site_path: &str) -> String {
        format!("{}{}", self.prefix, site_path.trim_start_matches('/'))
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
}
