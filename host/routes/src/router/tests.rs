use super::*;
use crate::{full_url, spin_headers};

fn router(routes: &[(&str, &str)]) -> Router {
    Router::build(routes.iter().map(|(r, c)| (r.to_string(), c.to_string()))).unwrap()
}

fn comp(r: &Router, path: &str) -> Option<String> {
    r.route(path).map(|m| m.component_id().to_owned())
}

#[test]
fn exact_routes() {
    let r = router(&[("/foo", "foo"), ("/foo/bar", "foobar")]);
    assert_eq!(comp(&r, "/foo").as_deref(), Some("foo"));
    assert_eq!(comp(&r, "/foo/bar").as_deref(), Some("foobar"));
    assert_eq!(comp(&r, "/foo/baz"), None);
    assert_eq!(comp(&r, "/"), None);
}

#[test]
fn trailing_slashes_do_not_matter_for_matching() {
    let r = router(&[("/foo/", "foo")]);
    assert_eq!(comp(&r, "/foo").as_deref(), Some("foo"));
    assert_eq!(comp(&r, "/foo/").as_deref(), Some("foo"));
    let m = r.route("/foo/").unwrap();
    assert_eq!(m.path_info(), "");
    assert_eq!(m.matched_route(), "/foo");
    assert_eq!(m.raw_route(), "/foo/");
}

#[test]
fn relative_route_is_made_absolute() {
    let r = router(&[("hello", "h")]);
    let m = r.route("/hello").unwrap();
    assert_eq!(m.matched_route(), "/hello");
    assert_eq!(m.raw_route(), "hello");
}

#[test]
fn root_route_only_matches_root() {
    let r = router(&[("/", "root")]);
    let m = r.route("/").unwrap();
    assert_eq!(m.component_id(), "root");
    assert_eq!(m.matched_route(), "");
    assert_eq!(m.component_route(), "/");
    assert_eq!(comp(&r, "/x"), None);
}

#[test]
fn root_wildcard_matches_everything() {
    let r = router(&[("/...", "all")]);
    for p in ["/", "/foo/bar", "/abc/", "/a/b/c/d"] {
        assert_eq!(comp(&r, p).as_deref(), Some("all"), "{p}");
    }
    let m = r.route("/1/2/3").unwrap();
    assert_eq!(m.path_info(), "/1/2/3");
    assert_eq!(m.component_route(), "");
    assert_eq!(m.matched_route(), "/...");
    assert_eq!(r.route("/").unwrap().path_info(), "/");
}

#[test]
fn wildcard_matches_prefix_itself_and_below() {
    let r = router(&[("/test/...", "t")]);
    assert_eq!(r.route("/test").unwrap().path_info(), "");
    assert_eq!(r.route("/test/").unwrap().path_info(), "/");
    assert_eq!(r.route("/test/hello").unwrap().path_info(), "/hello");
    assert_eq!(r.route("/test/hello/").unwrap().path_info(), "/hello/");
    assert_eq!(r.route("/test/a/b").unwrap().trailing_wildcard(), "/a/b");
    // A segment is not a string prefix.
    assert_eq!(comp(&r, "/testing"), None);
}

#[test]
fn longest_wildcard_prefix_wins_regardless_of_order() {
    let routes = [
        ("/one/...", "one"),
        ("/one/two/...", "two"),
        ("/one/two/three/...", "three"),
    ];
    let r = router(&routes);
    assert_eq!(comp(&r, "/one/two/three/four").as_deref(), Some("three"));
    assert_eq!(comp(&r, "/one/two/x").as_deref(), Some("two"));
    assert_eq!(comp(&r, "/one/x").as_deref(), Some("one"));
    let mut reversed = routes;
    reversed.reverse();
    let r = router(&reversed);
    assert_eq!(comp(&r, "/one/two/three/four").as_deref(), Some("three"));
}

#[test]
fn exact_beats_param_beats_wildcard() {
    let r = router(&[
        ("/...", "wild"),
        ("/api/:id", "param"),
        ("/api/me", "exact"),
    ]);
    assert_eq!(comp(&r, "/api/me").as_deref(), Some("exact"));
    assert_eq!(comp(&r, "/api/42").as_deref(), Some("param"));
    assert_eq!(comp(&r, "/api/42/more").as_deref(), Some("wild"));
    assert_eq!(comp(&r, "/one").as_deref(), Some("wild"));
    let r = router(&[("/one", "exact"), ("/...", "wild")]);
    assert_eq!(comp(&r, "/one").as_deref(), Some("exact"));
}

#[test]
fn wildcard_below_exact_prefix_beats_root_wildcard() {
    let r = router(&[("/...", "web"), ("/api/communes/...", "api")]);
    assert_eq!(comp(&r, "/api/communes").as_deref(), Some("api"));
    assert_eq!(comp(&r, "/api/communes/75056/x").as_deref(), Some("api"));
    assert_eq!(comp(&r, "/api/other").as_deref(), Some("web"));
}

#[test]
fn named_params_are_captured() {
    let r = router(&[("/1/:two/3", "c")]);
    let m = r.route("/1/2/3").unwrap();
    assert_eq!(m.param("two"), Some("2"));
    assert_eq!(m.path_info(), "");
    let r = router(&[("/communes/:insee/...", "c")]);
    let m = r.route("/communes/75056/districts/7").unwrap();
    assert_eq!(m.param("insee"), Some("75056"));
    assert_eq!(m.params().collect::<Vec<_>>(), vec![("insee", "75056")]);
    assert_eq!(m.path_info(), "/districts/7");
    assert_eq!(m.component_route(), "/communes/:insee");
    assert_eq!(comp(&r, "/communes").as_deref(), None);
}

#[test]
fn star_is_also_a_trailing_wildcard() {
    let r = router(&[("/files/*", "f")]);
    let m = r.route("/files/a/b").unwrap();
    assert!(m.is_wildcard());
    assert_eq!(m.path_info(), "/a/b");
    assert_eq!(m.component_route(), "/files/*");
}

#[test]
fn duplicates_are_refused_naming_both_components() {
    let build = |routes: &[(&str, &str)]| {
        Router::build(routes.iter().map(|(r, c)| (r.to_string(), c.to_string())))
    };
    let err = build(&[("/foo", "first"), ("/foo/", "second")]).unwrap_err();
    assert_eq!(
        err,
        RouteError::Duplicate {
            route: "/foo/".into(),
            second: "second".into(),
            first_route: "/foo".into(),
            first: "first".into()
        }
    );
    let msg = err.to_string();
    assert!(msg.contains("first") && msg.contains("second"), "{msg}");
    assert!(build(&[("/a/...", "x"), ("/a/*", "y")]).is_err());
    assert!(build(&[("/u/:id", "x"), ("/u/:name", "y")]).is_err());
    assert!(build(&[("/...", "x"), ("/", "y")]).is_ok());
}

#[test]
fn invalid_routes_are_refused() {
    let build = |r: &str| Router::build([(r.to_string(), "c".to_string())]);
    let err = build("/a/:/b").unwrap_err();
    assert!(
        err.to_string().contains("associated with component c"),
        "{err}"
    );
    assert!(build("/*/b").is_err());
    assert!(build("/*name").is_err());
}

#[test]
fn reserved_routes() {
    assert!(router(&[("/.well-known/spin/...", "c")]).contains_reserved_route());
    assert!(!router(&[("/.well-known/spin", "c")]).contains_reserved_route());
}

#[test]
fn routes_keep_their_order() {
    let r = router(&[("/b", "b"), ("/a", "a"), ("/...", "w")]);
    let got: Vec<_> = r.routes().collect();
    assert_eq!(got, vec![("/b", "b"), ("/a", "a"), ("/...", "w")]);
}

fn header<'a>(h: &'a [(std::borrow::Cow<'static, str>, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[test]
fn headers_for_wildcard_route() {
    let r = router(&[("/foo/...", "c")]);
    let m = r.route("/foo/bar").unwrap();
    let url = full_url(
        "https",
        Some("fermyon.dev"),
        "/foo/bar?key1=value1&key2=value2",
    );
    let h = spin_headers(&m, &url, "127.0.0.1:8777".parse().unwrap());
    let names: Vec<_> = h.iter().map(|(k, _)| k.as_ref()).collect();
    assert_eq!(
        names,
        [
            "spin-path-info",
            "spin-full-url",
            "spin-matched-route",
            "spin-base-path",
            "spin-raw-component-route",
            "spin-component-route",
            "spin-client-addr"
        ]
    );
    assert_eq!(
        header(&h, "spin-full-url"),
        Some("https://fermyon.dev/foo/bar?key1=value1&key2=value2")
    );
    assert_eq!(header(&h, "spin-path-info"), Some("/bar"));
    assert_eq!(header(&h, "spin-matched-route"), Some("/foo/..."));
    assert_eq!(header(&h, "spin-base-path"), Some("/"));
    assert_eq!(header(&h, "spin-raw-component-route"), Some("/foo/..."));
    assert_eq!(header(&h, "spin-component-route"), Some("/foo"));
    assert_eq!(header(&h, "spin-client-addr"), Some("127.0.0.1:8777"));
}

#[test]
fn headers_for_params() {
    let r = router(&[("/foo/:userid/:user_name/...", "c")]);
    let m = r.route("/foo/42/ada/bar").unwrap();
    let h = spin_headers(
        &m,
        &full_url("http", None, "/foo/42/ada/bar"),
        "[::1]:5000".parse().unwrap(),
    );
    assert_eq!(
        header(&h, "spin-full-url"),
        Some("http://localhost/foo/42/ada/bar")
    );
    assert_eq!(header(&h, "spin-path-match-userid"), Some("42"));
    assert_eq!(header(&h, "spin-path-match-user-name"), Some("ada"));
    assert_eq!(
        header(&h, "spin-component-route"),
        Some("/foo/:userid/:user_name")
    );
    assert_eq!(header(&h, "spin-client-addr"), Some("[::1]:5000"));
    assert_eq!(h.len(), 9);
}

#[test]
fn headers_for_exact_and_root_routes() {
    let r = router(&[("/", "root"), ("/api/", "api")]);
    let addr = "10.0.0.1:1".parse().unwrap();
    let h = spin_headers(&r.route("/").unwrap(), "http://h/", addr);
    assert_eq!(header(&h, "spin-matched-route"), Some(""));
    assert_eq!(header(&h, "spin-raw-component-route"), Some("/"));
    assert_eq!(header(&h, "spin-component-route"), Some("/"));
    assert_eq!(header(&h, "spin-path-info"), Some(""));
    let h = spin_headers(&r.route("/api").unwrap(), "http://h/api", addr);
    assert_eq!(header(&h, "spin-matched-route"), Some("/api"));
    assert_eq!(header(&h, "spin-raw-component-route"), Some("/api/"));
}

#[test]
fn service_chaining_match() {
    let m = RouteMatch::service_chaining("policy", "/decide");
    assert_eq!(m.component_id(), "policy");
    assert_eq!(m.path_info(), "/decide");
    let h = spin_headers(
        &m,
        "http://policy.spin.internal/decide",
        "127.0.0.1:1".parse().unwrap(),
    );
    assert_eq!(header(&h, "spin-matched-route"), Some("/..."));
    assert_eq!(header(&h, "spin-component-route"), Some(""));
}
