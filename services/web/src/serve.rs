//! The whole request → reply logic, as plain Rust over a bundle directory.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::{cache, encoding, etag, mime, path};

/// What the component needs from a request.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// HTTP method, upper case.
    pub method: &'a str,
    /// Raw (still percent-encoded) URI path, without the query.
    pub path: &'a str,
    /// The `accept-encoding` header, if any.
    pub accept_encoding: Option<&'a str>,
    /// The `if-none-match` header, if any.
    pub if_none_match: Option<&'a str>,
}

/// A complete reply. `content-length` is among the headers of every reply but
/// a 304; `body` is `None` for HEAD, where the length still describes the GET
/// body, and for 304.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Header names (lower case) and values.
    pub headers: Vec<(&'static str, String)>,
    /// Body bytes, absent for HEAD and 304.
    pub body: Option<Vec<u8>>,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![
                ("content-type", content_type.to_owned()),
                ("content-length", body.len().to_string()),
                ("x-content-type-options", "nosniff".to_owned()),
            ],
            body: Some(body),
        }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The first value of a header, by lower-case name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(status: u16, message: &str) -> Self {
        Self::new(
            status,
            "text/plain; charset=utf-8",
            format!("{message}\n").into_bytes(),
        )
        .header("cache-control", "no-store")
    }

    fn problem(status: u16, title: &str) -> Self {
        let body = format!(r#"{{"type":"about:blank","title":"{title}","status":{status}}}"#);
        Self::new(status, "application/problem+json", body.into_bytes())
            .header("cache-control", "no-store")
    }
}

/// Path of the health route.
pub const HEALTH_PATH: &str = "/api/health";

/// Body of `GET /api/health`.
pub fn health_body() -> String {
    format!(
        r#"{{"status":"ok","version":"{}"}}"#,
        env!("CARGO_PKG_VERSION")
    )
}

/// One representation of a bundle file, read once: its bytes and what the
/// reply says of them.
#[derive(Debug)]
struct Asset {
    content_type: &'static str,
    cache_control: &'static str,
    /// Whether the file has a gzip variant worth negotiating (`vary`).
    compressible: bool,
    /// Whether `body` is the gzip variant.
    gzip: bool,
    etag: String,
    body: Vec<u8>,
}

impl Asset {
    /// The reply for this representation: a 304 when `if_none_match` names it.
    fn reply(&self, if_none_match: Option<&str>) -> Reply {
        let not_modified = if_none_match.is_some_and(|h| etag::none_match(h, &self.etag));
        let mut reply = if not_modified {
            Reply {
                status: 304,
                headers: Vec::with_capacity(3),
                body: None,
            }
        } else {
            Reply::new(200, self.content_type, self.body.clone())
        };
        reply = reply
            .header("cache-control", self.cache_control)
            .header("etag", self.etag.as_str());
        if self.compressible {
            reply = reply.header("vary", "accept-encoding");
        }
        if self.gzip && !not_modified {
            reply = reply.header("content-encoding", "gzip");
        }
        reply
    }
}

/// How many lookups (found or not) one instance remembers: enough for the
/// whole bundle and the client routes a browser visits, bounded against a
/// caller asking for ever new paths.
const REMEMBERED: usize = 512;

/// What an instance has looked up, by relative path and whether gzip was
/// accepted; `None`: no such file.
type Remembered = HashMap<(String, bool), Option<Rc<Asset>>>;

/// The bundle mounted at a root, with what this instance has already read.
///
/// The mount is read-only for the life of an instance (Spin mounts `files`
/// read-only; a new bundle means a new deployment), so a file read once
/// answers every later request for it the instance serves, without a
/// filesystem call.
pub struct Bundle {
    root: PathBuf,
    read: RefCell<Remembered>,
}

impl Bundle {
    /// The bundle under `root`, nothing read yet.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            read: RefCell::new(HashMap::new()),
        }
    }

    /// Answers one request from the bundle.
    pub fn respond(&self, req: &Request<'_>) -> Reply {
        let head = match req.method {
            "GET" => false,
            "HEAD" => true,
            _ => {
                return Reply::text(405, "Méthode non autorisée").header("allow", "GET, HEAD");
            }
        };
        let mut reply = self.route(req);
        if head {
            reply.body = None;
        }
        reply
    }

    fn route(&self, req: &Request<'_>) -> Reply {
        if req.path == HEALTH_PATH {
            return Reply::new(200, "application/json", health_body().into_bytes())
                .header("cache-control", "no-store");
        }
        if req.path == "/api" || req.path.starts_with("/api/") {
            return Reply::problem(404, "Not Found");
        }
        let segments = match path::sanitize(req.path) {
            Ok(segments) => segments,
            Err(e) => return Reply::text(400, &format!("Requête invalide : {e}")),
        };
        let gzip = encoding::accepts_gzip(req.accept_encoding);
        if segments.is_empty() {
            return self.index(req, gzip);
        }
        let ext = path::extension(&segments);
        match self.asset(&segments.join("/"), ext.as_deref(), gzip) {
            Ok(Some(asset)) => asset.reply(req.if_none_match),
            Ok(None) if ext.is_none() => self.index(req, gzip),
            Ok(None) => Reply::text(404, "Fichier introuvable"),
            Err(e) => Reply::text(500, &format!("Lecture impossible : {e}")),
        }
    }

    /// `index.html`, which the client-side router takes from there.
    fn index(&self, req: &Request<'_>, gzip: bool) -> Reply {
        match self.asset("index.html", Some("html"), gzip) {
            Ok(Some(asset)) => asset.reply(req.if_none_match),
            Ok(None) => Reply::text(503, "Bundle du frontend absent (index.html)"),
            Err(e) => Reply::text(500, &format!("Lecture impossible : {e}")),
        }
    }

    /// The file at `relative` (sanitised segments joined by `/`), remembered
    /// after its first read. `Ok(None)` when there is no such file.
    fn asset(
        &self,
        relative: &str,
        ext: Option<&str>,
        gzip: bool,
    ) -> io::Result<Option<Rc<Asset>>> {
        let key = (relative.to_owned(), gzip);
        if let Some(known) = self.read.borrow().get(&key) {
            return Ok(known.clone());
        }
        let file = relative
            .split('/')
            .fold(self.root.clone(), |p, segment| p.join(segment));
        let asset = read_asset(&file, ext, gzip)?.map(Rc::new);
        let mut read = self.read.borrow_mut();
        if read.len() < REMEMBERED {
            read.insert(key, asset.clone());
        }
        Ok(asset)
    }
}

/// Reads a regular file, or its `.gz` sibling when gzip is accepted.
/// `Ok(None)` when there is no such file.
fn read_asset(file: &Path, ext: Option<&str>, gzip: bool) -> io::Result<Option<Asset>> {
    if !is_file(file)? {
        return Ok(None);
    }
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let ext = ext.unwrap_or_default();
    let compressible = mime::is_compressible(ext);
    let gz = compressible.then(|| {
        let mut gz = file.as_os_str().to_owned();
        gz.push(".gz");
        PathBuf::from(gz)
    });
    let (body, encoded) = match gz {
        Some(gz) if gzip && is_file(&gz)? => (std::fs::read(&gz)?, true),
        _ => (std::fs::read(file)?, false),
    };
    Ok(Some(Asset {
        content_type: mime::content_type(ext),
        cache_control: cache::cache_control(name),
        compressible,
        gzip: encoded,
        etag: etag::of(name, &body, encoded),
        body,
    }))
}

fn is_file(path: &Path) -> io::Result<bool> {
    match std::fs::metadata(path) {
        Ok(meta) => Ok(meta.is_file()),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A throw-away bundle directory, removed on drop, served by one instance's
    /// [`Bundle`].
    struct Dir(PathBuf, Bundle);

    impl Dir {
        fn new() -> Self {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "qmi-web-test-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(dir.join("assets")).unwrap();
            let write = |name: &str, body: &[u8]| std::fs::write(dir.join(name), body).unwrap();
            write("index.html", b"<!doctype html><title>QMI</title>");
            write("qmi-0123456789abcdef.js", b"export default 1;");
            write("qmi-0123456789abcdef.js.gz", b"GZ-JS");
            write("qmi-0123456789abcdef_bg.wasm", b"\0asm");
            write("favicon.ico", b"ICO");
            write("assets/logo.svg", b"<svg/>");
            // A secret beside the bundle, which must never be reachable.
            std::fs::write(dir.with_extension("secret"), b"secret").unwrap();
            let bundle = Bundle::new(&dir);
            Self(dir, bundle)
        }

        fn get(&self, path: &str) -> Reply {
            self.call("GET", path, Some("gzip, br"))
        }

        fn call(&self, method: &str, path: &str, accept_encoding: Option<&str>) -> Reply {
            self.conditional(method, path, accept_encoding, None)
        }

        fn conditional(
            &self,
            method: &str,
            path: &str,
            accept_encoding: Option<&str>,
            if_none_match: Option<&str>,
        ) -> Reply {
            let req = Request {
                method,
                path,
                accept_encoding,
                if_none_match,
            };
            let reply = self.1.respond(&req);
            if reply.status == 304 {
                assert_eq!(reply.get("content-length"), None, "{method} {path}");
                assert_eq!(reply.body, None, "{method} {path}");
                return reply;
            }
            let len = reply
                .get("content-length")
                .expect("content-length always set");
            if let Some(body) = &reply.body {
                assert_eq!(len, body.len().to_string(), "{method} {path}");
            }
            reply
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
            let _ = std::fs::remove_file(self.0.with_extension("secret"));
        }
    }

    fn body(reply: &Reply) -> &[u8] {
        reply.body.as_deref().unwrap()
    }

    #[test]
    fn health() {
        let b = Dir::new();
        let r = b.get("/api/health");
        assert_eq!(r.status, 200);
        assert_eq!(r.get("content-type"), Some("application/json"));
        let expected = format!(
            r#"{{"status":"ok","version":"{}"}}"#,
            env!("CARGO_PKG_VERSION")
        );
        assert_eq!(body(&r), expected.as_bytes());
    }

    #[test]
    fn unknown_api_is_a_json_404() {
        let b = Dir::new();
        let r = b.get("/api/nope");
        assert_eq!(r.status, 404);
        assert_eq!(r.get("content-type"), Some("application/problem+json"));
    }

    #[test]
    fn index_and_client_routes() {
        let b = Dir::new();
        for path in ["/", "/index.html", "/communes/75056", "/a/b/c"] {
            let r = b.get(path);
            assert_eq!(r.status, 200, "{path}");
            assert_eq!(r.get("content-type"), Some("text/html; charset=utf-8"));
            assert_eq!(r.get("cache-control"), Some("no-cache"), "{path}");
            assert!(body(&r).starts_with(b"<!doctype html>"));
        }
        // A directory is not a file: with no extension it falls back to the app.
        assert_eq!(b.get("/assets").status, 200);
    }

    #[test]
    fn missing_file_with_extension_is_404() {
        let b = Dir::new();
        assert_eq!(b.get("/missing.js").status, 404);
        assert_eq!(b.get("/index.html/x.js").status, 404);
    }

    #[test]
    fn hashed_assets_are_immutable_and_gzipped_when_accepted() {
        let b = Dir::new();
        let r = b.get("/qmi-0123456789abcdef.js");
        assert_eq!(r.status, 200);
        assert_eq!(
            r.get("content-type"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(r.get("cache-control"), Some(cache::IMMUTABLE));
        assert_eq!(r.get("content-encoding"), Some("gzip"));
        assert_eq!(r.get("vary"), Some("accept-encoding"));
        assert_eq!(body(&r), b"GZ-JS");

        let r = b.call("GET", "/qmi-0123456789abcdef.js", Some("br"));
        assert_eq!(r.get("content-encoding"), None);
        assert_eq!(body(&r), b"export default 1;");

        // No `.gz` sibling: the plain file, even when gzip is accepted.
        let r = b.get("/qmi-0123456789abcdef_bg.wasm");
        assert_eq!(r.get("content-type"), Some("application/wasm"));
        assert_eq!(r.get("content-encoding"), None);
        assert_eq!(body(&r), b"\0asm");
    }

    #[test]
    fn etags_and_304s() {
        let b = Dir::new();
        let r = b.get("/qmi-0123456789abcdef.js");
        assert_eq!(r.get("etag"), Some("\"0123456789abcdef-gzip\""));
        let plain = b.call("GET", "/qmi-0123456789abcdef.js", None);
        assert_eq!(plain.get("etag"), Some("\"0123456789abcdef\""));

        // The tag of what the client holds: 304, with the cache headers and no body.
        let r = b.conditional(
            "GET",
            "/qmi-0123456789abcdef.js",
            Some("gzip"),
            Some("\"0123456789abcdef-gzip\""),
        );
        assert_eq!(r.status, 304);
        assert_eq!(r.get("etag"), Some("\"0123456789abcdef-gzip\""));
        assert_eq!(r.get("cache-control"), Some(cache::IMMUTABLE));
        assert_eq!(r.get("vary"), Some("accept-encoding"));
        assert_eq!(r.get("content-encoding"), None);
        // Another encoding's tag is another representation: the whole body.
        let r = b.conditional(
            "GET",
            "/qmi-0123456789abcdef.js",
            None,
            Some("\"0123456789abcdef-gzip\""),
        );
        assert_eq!(r.status, 200);
        assert_eq!(body(&r), b"export default 1;");

        // index.html and the client routes share one tag; HEAD revalidates too.
        let index = b.get("/");
        let tag = index.get("etag").unwrap().to_owned();
        assert_eq!(b.get("/communes/75056").get("etag"), Some(tag.as_str()));
        let r = b.conditional("HEAD", "/communes/75056", Some("gzip"), Some(&tag));
        assert_eq!(r.status, 304);
        let r = b.conditional("GET", "/", None, Some("\"stale\", W/\"older\""));
        assert_eq!(r.status, 200);
        // Neither a missing file nor an error answers 304.
        let r = b.conditional("GET", "/missing.js", None, Some("*"));
        assert_eq!(r.status, 404);
    }

    #[test]
    fn an_instance_reads_a_file_once() {
        let b = Dir::new();
        assert_eq!(body(&b.get("/favicon.ico")), b"ICO");
        assert_eq!(b.get("/gone.js").status, 404);
        std::fs::remove_file(b.0.join("favicon.ico")).unwrap();
        std::fs::write(b.0.join("gone.js"), b"late").unwrap();
        // This instance answers from what it read (the mount is read-only in Spin)…
        assert_eq!(body(&b.get("/favicon.ico")), b"ICO");
        assert_eq!(b.get("/gone.js").status, 404);
        // …a new one reads the directory as it is now.
        let fresh = Bundle::new(&b.0);
        let req = |path| Request {
            method: "GET",
            path,
            accept_encoding: None,
            if_none_match: None,
        };
        assert_eq!(fresh.respond(&req("/favicon.ico")).status, 404);
        assert_eq!(
            fresh.respond(&req("/gone.js")).body.as_deref(),
            Some(&b"late"[..])
        );
    }

    #[test]
    fn remembering_is_bounded() {
        let b = Dir::new();
        for i in 0..REMEMBERED + 10 {
            assert_eq!(b.get(&format!("/client/route/{i}")).status, 200);
        }
        assert_eq!(b.1.read.borrow().len(), REMEMBERED);
    }

    #[test]
    fn other_types() {
        let b = Dir::new();
        let r = b.get("/assets/logo.svg");
        assert_eq!(r.get("content-type"), Some("image/svg+xml"));
        assert_eq!(r.get("cache-control"), Some("no-cache"));
        assert_eq!(
            b.get("/favicon.ico").get("content-type"),
            Some("image/x-icon")
        );
    }

    #[test]
    fn head_has_length_but_no_body() {
        let b = Dir::new();
        let r = b.call("HEAD", "/qmi-0123456789abcdef_bg.wasm", None);
        assert_eq!(r.status, 200);
        assert_eq!(r.body, None);
        assert_eq!(r.get("content-length"), Some("4"));
        let r = b.call("HEAD", "/api/health", None);
        assert_eq!(r.body, None);
        assert_eq!(
            r.get("content-length"),
            Some(health_body().len().to_string().as_str())
        );
    }

    #[test]
    fn other_methods_are_405() {
        let b = Dir::new();
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            let r = b.call(method, "/index.html", None);
            assert_eq!(r.status, 405, "{method}");
            assert_eq!(r.get("allow"), Some("GET, HEAD"));
        }
    }

    #[test]
    fn traversal_never_escapes_the_mount() {
        let b = Dir::new();
        let secret = format!("{}.secret", b.0.file_name().unwrap().to_str().unwrap());
        for path in [
            format!("/../{secret}"),
            format!("/%2e%2e/{secret}"),
            format!("/%2E%2E%2F{secret}"),
            format!("/assets/..%2f..%2f{secret}"),
            format!("/..%5c{secret}"),
        ] {
            let r = b.get(&path);
            assert_eq!(r.status, 400, "{path}");
            assert!(!String::from_utf8_lossy(body(&r)).contains("secret\n"));
        }
    }
}
