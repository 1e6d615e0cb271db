//! What the browser check cannot see for itself about the built real site: the 404 page
//! speaks every language, and Chinese words inside English text are marked as Chinese.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const BASE: &str = "https://example.org/a11y/";

fn site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| common::build_real_site("a11y-site", BASE))
}

fn read(rel: &str) -> String {
    common::read(&site().join(rel))
}

#[test]
fn the_404_page_speaks_both_languages_and_claims_no_translation() {
    let html = read("404.html");
    // It is served for missing addresses in /zh/ too: a Chinese reader gets Chinese and a
    // way to the Chinese home page, in a part marked as Chinese.
    assert!(
        html.contains("<section lang=\"zh-Hans\""),
        "no Chinese part:\n{html}"
    );
    assert!(html.contains("找不到页面"), "{html}");
    assert!(
        html.contains("href=\"/a11y/zh/\" hreflang=\"zh-Hans\""),
        "no link to the Chinese home page:\n{html}"
    );
    // There is no Chinese 404 page, so nothing may say there is one (it used to point the
    // language switch and hreflang at 404.html itself).
    assert!(
        !html.contains("hreflang=\"zh-Hans\" href="),
        "an alternate claims a Chinese 404 page:\n{html}"
    );
    assert!(
        !html.contains("href=\"/a11y/404.html\""),
        "a link to the 404 page itself:\n{html}"
    );
}
