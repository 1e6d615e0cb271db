//! Answers one request: a file of the last good site (HTML pages with the reload script
//! added), a redirect, a 404, the reload script, or the stream of build states. Only GET and
//! HEAD are answered; the reload endpoints serve fixed content and never touch the disk.

use super::site::{content_type, Resolved};
use super::Live;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::watch;

/// The stream of build states (Server-Sent Events).
pub const EVENTS: &str = "/__policydash/events";
/// The reload script.
pub const SCRIPT: &str = "/__policydash/live.js";
const LIVE_JS: &str = include_str!("live.js");

pub type App = Arc<watch::Sender<Arc<Live>>>;

/// What a path keeps as is in a `Location` header: everything else, including CR, LF and
/// every non-ASCII byte, is percent-encoded, so no value can end a header or start another.
const LOCATION: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A path as it goes into a link or a `Location` header.
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, LOCATION).to_string()
}

pub async fn handle(State(app): State<App>, req: Request) -> Response {
    let method = req.method();
    if method != Method::GET && method != Method::HEAD {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let path = req.uri().path();
    let live = app.borrow().clone();
    if live.reload && path == EVENTS {
        return events(&app, req.uri().query().unwrap_or(""));
    }
    if live.reload && path == SCRIPT {
        return file(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            Bytes::from_static(LIVE_JS.as_bytes()),
        );
    }
    let Ok(decoded) = percent_decode_str(path).decode_utf8() else {
        return not_found(&live);
    };
    match live.site.resolve(&decoded) {
        Resolved::File(key) => {
            let Some(bytes) = live.site.read(&key) else {
                return not_found(&live);
            };
            let ctype = content_type(&key);
            if ctype.starts_with("text/html") {
                file(StatusCode::OK, ctype, inject(&bytes, &live).into())
            } else {
                file(StatusCode::OK, ctype, bytes)
            }
        }
        Resolved::Redirect(to) => match HeaderValue::from_str(&encode_path(&to)) {
            Ok(location) => {
                let mut r = text(StatusCode::MOVED_PERMANENTLY, "");
                r.headers_mut().insert(header::LOCATION, location);
                r
            }
            Err(_) => not_found(&live),
        },
        Resolved::NotFound => not_found(&live),
    }
}

fn file(status: StatusCode, ctype: &'static str, body: Bytes) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

fn text(status: StatusCode, body: &'static str) -> Response {
    file(
        status,
        "text/plain; charset=utf-8",
        Bytes::from_static(body.as_bytes()),
    )
}

/// The site's 404 page; before any build succeeded, a page saying so (with the errors).
fn not_found(live: &Live) -> Response {
    let html = match live.site.read("404.html") {
        Some(page) => page,
        None if live.site.is_empty() => {
            let page = Bytes::from_static(NOT_BUILT.as_bytes());
            return file(StatusCode::SERVICE_UNAVAILABLE, "text/html; charset=utf-8", inject(&page, live).into());
        }
        None => Bytes::from_static(b"<!DOCTYPE html><html lang=\"en\"><title>Not found</title><body><p>Not found.</p></body></html>"),
    };
    file(
        StatusCode::NOT_FOUND,
        "text/html; charset=utf-8",
        inject(&html, live).into(),
    )
}

const NOT_BUILT: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>policydash preview</title></head><body><p>The site has not been built yet: the content has errors. This page reloads when they are fixed.</p></body></html>";

/// The language of a page, from `<html lang="…">` near its start (`zh-Hans` → `zh`).
fn page_lang(html: &[u8]) -> String {
    let head = &html[..html.len().min(1024)];
    let head = String::from_utf8_lossy(head);
    head.find("<html lang=\"")
        .map(|i| &head[i + 12..])
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_lowercase())
                .take(3)
                .collect()
        })
        .filter(|l: &String| !l.is_empty())
        .unwrap_or_else(|| "en".into())
}

/// The page with the reload script (and, while the content is broken, the overlay) added
/// before `</body>`.
pub fn inject(html: &[u8], live: &Live) -> Vec<u8> {
    if !live.reload {
        return html.to_vec();
    }
    let mut snippet = String::new();
    if let Some(problem) = &live.problem {
        snippet.push_str(&problem.html(&page_lang(html)));
    }
    snippet.push_str(&format!(
        "<script src=\"{SCRIPT}\" data-generation=\"{}\" defer></script>",
        live.generation
    ));
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// One `state` event: the generation of the site and, while the content is broken, the
/// overlay in `lang`.
fn state_event(live: &Live, lang: &str) -> Event {
    let error = live.problem.as_ref().map(|p| p.html(lang));
    // serde_json escapes CR and LF inside strings, so the data is always one SSE line.
    let data = serde_json::json!({ "generation": live.generation, "error": error }).to_string();
    Event::default().event("state").data(data)
}

/// The stream of states: the current one at once, then one after every build.
fn events(app: &App, query: &str) -> Response {
    let lang: String = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("lang="))
        .filter(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase()))
        .unwrap_or("en")
        .to_string();
    let rx = app.subscribe();
    let stream = futures_util::stream::unfold((rx, true), move |(mut rx, first)| {
        let lang = lang.clone();
        async move {
            if !first {
                rx.changed().await.ok()?;
            }
            let live = rx.borrow_and_update().clone();
            Some((
                Ok::<Event, Infallible>(state_event(&live, &lang)),
                (rx, false),
            ))
        }
    });
    let mut r = Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_never_carry_line_breaks_or_raw_non_ascii() {
        let v = encode_path("/政策/\r\nSet-Cookie: x/");
        assert!(v.is_ascii() && !v.contains(['\r', '\n', ' ']));
        assert!(HeaderValue::from_str(&v).is_ok());
        assert_eq!(encode_path("/%E6/"), "/%25E6/");
    }

    #[test]
    fn the_script_goes_before_the_end_of_the_body() {
        let live = Live {
            reload: true,
            ..Live::default()
        };
        let out = String::from_utf8(inject(
            b"<html lang=\"zh-Hans\"><body><p>x</p></body></html>",
            &live,
        ))
        .unwrap();
        assert!(out.contains("<p>x</p><script src=\"/__policydash/live.js\" data-generation=\"0\" defer></script></body>"));
        assert_eq!(page_lang(b"<html lang=\"zh-Hans\">"), "zh");
    }
}
