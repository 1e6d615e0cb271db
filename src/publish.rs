//! Files GitHub Pages and crawlers look for: `.nojekyll`, `CNAME`, `robots.txt`.
//! (Sitemap, feed and data package arrive with the publishing work.)

use crate::model::Model;
use crate::render::{Extras, OutputFile};
use crate::urls::Urls;

pub fn site_files(model: &Model, urls: &Urls, _extras: &Extras) -> Vec<OutputFile> {
    let mut files = vec![
        // Without it, GitHub Pages runs Jekyll, which drops files and folders starting with _ or .
        OutputFile::new(".nojekyll", ""),
        OutputFile::new(
            "robots.txt",
            format!(
                "User-agent: *\nAllow: /\nSitemap: {}\n",
                urls.absolute("sitemap.xml")
            ),
        ),
    ];
    if let Some(cname) = model.site.cname.as_deref().filter(|c| !c.is_empty()) {
        files.push(OutputFile::new("CNAME", format!("{cname}\n")));
    }
    files
}
