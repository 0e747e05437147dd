//! The GraphiQL playground is served entirely by the binary (SPEC §4.2): the page names
//! only this server's own paths, and every asset it names is served with its content type,
//! a long-lived cache policy and an `ETag`. The browser test in `clients/` proves it runs
//! offline.

use crate::db_test;

/// Every `src="…"` and `href="…"` of a page.
fn references(page: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for rest in page.split(attribute).skip(1) {
            urls.push(rest.split('"').next().unwrap_or("").to_string());
        }
    }
    urls
}

db_test!(graphiql_is_served_from_the_binary_only, |app| {
    let page = app.http_full("GET", "/graphiql", &[], None).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let policy = page.header("content-security-policy").expect("a CSP");
    assert!(policy.contains("connect-src 'self'"), "{policy}");
    assert!(
        !page.body.contains("unpkg") && !page.body.contains("cdn"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("://"),
        "no absolute URL in the page: {}",
        page.body
    );

    let urls = references(&page.body);
    assert_eq!(urls.len(), 6, "{urls:?}");
    let mut seen_types = Vec::new();
    for url in &urls {
        assert!(url.starts_with("/graphiql/assets/"), "{url}");
        let asset = app.http_full("GET", url, &[], None).await;
        assert_eq!(asset.status, 200, "{url}");
        let content_type = asset.header("content-type").unwrap_or("").to_string();
        let expected = if url.ends_with(".css") {
            "text/css; charset=utf-8"
        } else {
            "text/javascript; charset=utf-8"
        };
        assert_eq!(content_type, expected, "{url}");
        assert!(!asset.body.is_empty(), "{url}");
        assert_eq!(
            asset.header("cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{url}"
        );
        let etag = asset.header("etag").expect("an ETag").to_string();
        let again = app
            .http_full("GET", url, &[("if-none-match", &etag)], None)
            .await;
        assert_eq!(again.status, 304, "{url}");
        assert!(again.body.is_empty(), "{url}");
        seen_types.push(content_type);
    }
    // The pinned versions are in the paths, so a new version is a new URL.
    for pinned in [
        "graphiql@3.9.0",
        "react@18.3.1",
        "react-dom@18.3.1",
        "graphql-ws@5.16.2",
    ] {
        assert!(
            urls.iter().any(|u| u.contains(&format!("/{pinned}/"))),
            "{pinned} in {urls:?}"
        );
    }
    assert!(seen_types.iter().any(|t| t.starts_with("text/css")));

    // The licences travel with the files.
    let licence = app
        .http_full("GET", "/graphiql/assets/graphiql@3.9.0/LICENSE", &[], None)
        .await;
    assert_eq!(licence.status, 200);
    assert!(licence.body.contains("MIT License"), "{}", licence.body);
    assert_eq!(
        licence.header("content-type"),
        Some("text/plain; charset=utf-8")
    );

    // Anything else under the assets path is 404, including another version.
    for missing in [
        "/graphiql/assets/graphiql@3.8.0/graphiql.min.js",
        "/graphiql/assets/graphiql@3.9.0/../../healthz",
        "/graphiql/assets/react@18.3.1/react.development.js",
    ] {
        let reply = app.http_full("GET", missing, &[], None).await;
        assert_eq!(reply.status, 404, "{missing}");
    }
});
