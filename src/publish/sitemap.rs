//! `sitemap.xml`: every page in every language it exists in, each with `xhtml:link` hreflang
//! alternates to its translations (and `x-default`, the default language), as search engines
//! expect for multilingual sites.

use crate::escape::esc;
use crate::model::Model;
use crate::render::lookup::Lookup;
use crate::render::pages::all_pages;
use crate::urls::{Page, Urls};

/// Pages listed: all of them but the 404 page (embed pages are not in `all_pages`: they are
/// made to be framed, not found).
pub fn pages(model: &Model) -> Vec<Page> {
    all_pages(model)
        .into_iter()
        .filter(|p| !matches!(p, Page::NotFound | Page::Embed(_)))
        .collect()
}

pub fn sitemap(model: &Model, urls: &Urls) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    let default = model.site.default_lang();
    let lookup = Lookup::new(model);
    for page in pages(model) {
        let langs = lookup.languages(&page);
        let href = |l| esc(&urls.absolute(&urls.page_path(&page, l)));
        for lang in &langs {
            out.push_str("  <url>\n");
            out.push_str(&format!("    <loc>{}</loc>\n", href(*lang)));
            if langs.len() > 1 {
                for alt in &langs {
                    out.push_str(&format!(
                        "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>\n",
                        alt.tag(),
                        href(*alt)
                    ));
                }
                if langs.contains(&default) {
                    out.push_str(&format!(
                        "    <xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{}\"/>\n",
                        href(default)
                    ));
                }
            }
            out.push_str("  </url>\n");
        }
    }
    out.push_str("</urlset>\n");
    out
}
