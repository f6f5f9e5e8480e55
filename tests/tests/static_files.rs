//! The web component's static files over real HTTP (issue 19): the bundle's
//! precompressed variant negotiated from `accept-encoding`, strong ETags and
//! 304s on `if-none-match`, a year's immutable caching on content-hashed names
//! and revalidation for `index.html` and the client routes it answers.

use qmi_tests::app;
use qmi_tests::workspace_root;

const PASSWORD: &str = "static-files-password";

/// The bundle's hashed wasm and JavaScript names, as `qmi build` wrote them.
fn hashed(suffix: &str) -> String {
    std::fs::read_dir(workspace_root().join("frontend/dist"))
        .expect("the bundle (qmi build)")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|name| name.ends_with(suffix))
        .unwrap_or_else(|| panic!("no *{suffix} in frontend/dist"))
}

fn size(name: &str) -> String {
    std::fs::metadata(workspace_root().join("frontend/dist").join(name))
        .expect("bundle file")
        .len()
        .to_string()
}

#[test]
fn hashed_assets_are_negotiated_tagged_and_immutable() {
    let server = app::serve(&["web"], PASSWORD);
    let wasm = hashed("_bg.wasm");
    let path = format!("/{wasm}");

    let gz = server.get_with(&path, &[("accept-encoding", "br, gzip;q=0.8")]);
    assert_eq!(gz.status, 200, "{gz:?}");
    assert_eq!(gz.header("content-type"), Some("application/wasm"));
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(
        gz.header("content-length"),
        Some(size(&format!("{wasm}.gz")).as_str())
    );
    assert_eq!(gz.header("vary"), Some("accept-encoding"));
    assert_eq!(
        gz.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let gz_tag = gz.header("etag").expect("etag").to_owned();

    // Without gzip: the plain file, under another tag.
    let plain = server.get_with(&path, &[("accept-encoding", "gzip;q=0, identity")]);
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("content-length"), Some(size(&wasm).as_str()));
    let plain_tag = plain.header("etag").expect("etag").to_owned();
    assert_ne!(plain_tag, gz_tag);
    let hash = wasm.split('_').next().unwrap().rsplit('-').next().unwrap();
    assert!(plain_tag.contains(hash), "{plain_tag} names {hash}");

    // Revalidation: the tag the client holds gives a 304 without a body, the
    // other encoding's tag the whole representation.
    let again = server.get_with(
        &path,
        &[("accept-encoding", "gzip"), ("if-none-match", &gz_tag)],
    );
    assert_eq!(again.status, 304, "{again:?}");
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(gz_tag.as_str()));
    assert_eq!(
        again.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let other = server.get_with(
        &path,
        &[("accept-encoding", "gzip"), ("if-none-match", &plain_tag)],
    );
    assert_eq!(other.status, 200);
    assert_eq!(other.header("content-encoding"), Some("gzip"));

    let js = hashed(".js");
    let r = server.get_with(&format!("/{js}"), &[("accept-encoding", "gzip")]);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let r = server.head_with(&format!("/{js}"), &[("if-none-match", "*")]);
    assert_eq!(r.status, 304);
}

#[test]
fn the_page_and_its_client_routes_revalidate() {
    let server = app::serve(&["web"], PASSWORD);
    let index = server.get_with("/index.html", &[]);
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(index.header("cache-control"), Some("no-cache"));
    assert!(
        index.body.contains(&hashed("_bg.wasm")),
        "the page loads the bundle"
    );
    let tag = index.header("etag").expect("etag").to_owned();

    // A client route is the same page, under the same tag.
    for path in ["/", "/communes/93066", "/une/page/inconnue"] {
        let r = server.get_with(path, &[]);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("etag"), Some(tag.as_str()), "{path}");
        assert_eq!(r.body, index.body, "{path}");
        let r = server.get_with(path, &[("if-none-match", &format!("\"x\", W/{tag}"))]);
        assert_eq!(r.status, 304, "{path}: a weak match is enough for GET");
        assert!(r.body.is_empty());
    }
    let stale = server.get_with("/index.html", &[("if-none-match", "\"0000000000000000\"")]);
    assert_eq!(stale.status, 200);
    assert_eq!(stale.body, index.body);

    // Misses stay misses: no 304 for a file that does not exist, a JSON 404 for the API.
    let missing = server.get_with("/absent-0123456789abcdef.js", &[("if-none-match", "*")]);
    assert_eq!(missing.status, 404);
    let api = server.get_with("/api/nothing-here", &[]);
    assert_eq!(api.status, 404);
    assert_eq!(api.header("content-type"), Some("application/problem+json"));
}
