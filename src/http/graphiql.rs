//! The GraphiQL playground, served entirely by this binary (SPEC §4.2).
//!
//! `GET /graphiql` is a small page of our own; everything it loads is embedded in the
//! binary at the versions pinned in `assets/graphiql/versions.txt` (fetched from the npm
//! registry by `scripts/update-graphiql-assets.sh`) and served under
//! `/graphiql/assets/PACKAGE@VERSION/FILE`, so the playground works with no internet and
//! asks nothing of any other host. Asset paths carry their version (our own script's path
//! carries a hash of its content), so they are cached for a year as `immutable`, with an
//! `ETag` as well. The page's `Content-Security-Policy` lets it load and connect only to
//! this origin, so a future asset that tried to reach elsewhere would be stopped by the
//! browser too.
//!
//! The page talks to `/graphql` over HTTP and, for subscriptions, over
//! `ws(s)://` + the page's own host + `/graphql` (derived from `location` in the browser,
//! so it works behind any host, port or TLS-terminating proxy). GraphiQL's headers editor
//! stays enabled (it is not mirrored into the URL, so a pasted token stays out of the
//! browser's history), and the other editors follow the URL (`?query=`, `variables`,
//! `operationName`), so a link can open the playground on a given operation.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use std::sync::OnceLock;

/// The pinned versions, one line per npm package: `PACKAGE VERSION FILE...`.
const VERSIONS: &str = include_str!("../../assets/graphiql/versions.txt");

/// Our own script, which starts GraphiQL on the page.
const PLAYGROUND_JS: &[u8] = include_bytes!("graphiql.js");

/// The package name under which our own script is served (its "version" is a content hash).
const OWN_PACKAGE: &str = "bakeplan";

/// `Cache-Control` of every asset: their paths change whenever their content does.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// What the page may load and connect to: this origin only (`'self'` covers `ws:`/`wss:`
/// to the same host in CSP Level 3). GraphiQL sets inline styles and embeds its fonts as
/// `data:` URLs.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// One embedded file.
struct Asset {
    /// The npm package it comes from (or [`OWN_PACKAGE`]).
    package: &'static str,
    /// Its file name.
    file: &'static str,
    /// Its `Content-Type`.
    content_type: &'static str,
    /// Its bytes.
    bytes: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// One vendored file of `assets/graphiql/PACKAGE/FILE`.
macro_rules! vendored {
    ($package:literal, $file:literal, $content_type:expr) => {
        Asset {
            package: $package,
            file: $file,
            content_type: $content_type,
            bytes: include_bytes!(concat!("../../assets/graphiql/", $package, "/", $file)),
        }
    };
}

/// Every embedded file: the vendored ones (with their licences) and our script.
const ASSETS: &[Asset] = &[
    vendored!("react", "react.production.min.js", JS),
    vendored!("react", "LICENSE", TEXT),
    vendored!("react-dom", "react-dom.production.min.js", JS),
    vendored!("react-dom", "LICENSE", TEXT),
    vendored!("graphql-ws", "graphql-ws.min.js", JS),
    vendored!("graphql-ws", "LICENSE.md", TEXT),
    vendored!("graphiql", "graphiql.min.css", CSS),
    vendored!("graphiql", "graphiql.min.js", JS),
    vendored!("graphiql", "LICENSE", TEXT),
    Asset {
        package: OWN_PACKAGE,
        file: "graphiql.js",
        content_type: JS,
        bytes: PLAYGROUND_JS,
    },
];

/// The pinned version of a vendored package, from `versions.txt`.
pub fn pinned_version(package: &str) -> Option<&'static str> {
    VERSIONS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .find_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some(package))
                .then(|| words.next())
                .flatten()
        })
}

/// FNV-1a, 64 bits: a stable content hash for `ETag`s and our script's path.
fn content_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// An asset with the path segment it is served under and its `ETag`.
struct Served {
    asset: &'static Asset,
    /// `PACKAGE@VERSION`.
    segment: String,
    etag: String,
}

fn served() -> &'static [Served] {
    static SERVED: OnceLock<Vec<Served>> = OnceLock::new();
    SERVED.get_or_init(|| {
        ASSETS
            .iter()
            .map(|asset| {
                let hash = content_hash(asset.bytes);
                let version = if asset.package == OWN_PACKAGE {
                    format!("{hash:016x}")
                } else {
                    pinned_version(asset.package)
                        .unwrap_or_else(|| panic!("{} is missing from versions.txt", asset.package))
                        .to_string()
                };
                Served {
                    asset,
                    segment: format!("{}@{version}", asset.package),
                    etag: format!("\"{hash:016x}\""),
                }
            })
            .collect()
    })
}

/// The path an embedded file is served under.
pub fn asset_path(package: &str, file: &str) -> Option<String> {
    served()
        .iter()
        .find(|s| s.asset.package == package && s.asset.file == file)
        .map(|s| format!("/graphiql/assets/{}/{}", s.segment, s.asset.file))
}

/// The HTML of `/graphiql`: only our own paths.
fn page() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| {
        let path = |package, file| asset_path(package, file).expect("embedded asset");
        format!(
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bakeplan · GraphiQL</title>
<link rel="stylesheet" href="{css}">
<style>html, body, #graphiql {{ height: 100%; margin: 0; overflow: hidden; }}</style>
</head>
<body>
<div id="graphiql">Loading…</div>
<script src="{react}"></script>
<script src="{react_dom}"></script>
<script src="{graphql_ws}"></script>
<script src="{graphiql}"></script>
<script src="{own}"></script>
</body>
</html>
"#,
            css = path("graphiql", "graphiql.min.css"),
            react = path("react", "react.production.min.js"),
            react_dom = path("react-dom", "react-dom.production.min.js"),
            graphql_ws = path("graphql-ws", "graphql-ws.min.js"),
            graphiql = path("graphiql", "graphiql.min.js"),
            own = path(OWN_PACKAGE, "graphiql.js"),
        )
    })
}

/// `GET /graphiql`.
pub async fn playground() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(page())
}

/// `GET /graphiql/assets/{package}/{file}`: an embedded file, or `404`.
pub async fn asset(request: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (segment, file) = path.into_inner();
    let Some(found) = served()
        .iter()
        .find(|s| s.segment == segment && s.asset.file == file)
    else {
        return HttpResponse::NotFound()
            .content_type(TEXT)
            .body("no such GraphiQL asset\n");
    };
    let not_modified = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == found.etag || tag.trim() == "*")
        });
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::CACHE_CONTROL, IMMUTABLE))
        .insert_header((header::ETAG, found.etag.as_str()))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if not_modified {
        return response.finish();
    }
    response
        .content_type(found.asset.content_type)
        .body(found.asset.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendored_package_is_pinned_and_every_pin_is_embedded() {
        for asset in ASSETS.iter().filter(|a| a.package != OWN_PACKAGE) {
            assert!(pinned_version(asset.package).is_some(), "{}", asset.package);
        }
        for line in VERSIONS
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let mut words = line.split_whitespace();
            let package = words.next().unwrap();
            words.next().expect("a version");
            for file in words {
                let name = file.rsplit('/').next().unwrap();
                assert!(
                    ASSETS
                        .iter()
                        .any(|a| a.package == package && a.file == name),
                    "{package}/{name} is listed in versions.txt but not embedded"
                );
            }
        }
    }

    #[test]
    fn the_page_names_only_local_paths() {
        let page = page();
        for attribute in ["src=\"", "href=\""] {
            for reference in page.split(attribute).skip(1) {
                let url = reference.split('"').next().unwrap();
                assert!(url.starts_with("/graphiql/assets/"), "{url}");
            }
        }
        assert!(page.contains("/graphiql/assets/graphiql@3."), "{page}");
    }
}
