//! Runtime conformance: `qmi up` must behave as Spin 4.1 does for the features QMI uses.
//!
//! Every test starts a real `qmi up` on `tests/fixtures/spin.toml` and speaks HTTP to it.
//! Build the runtime first (`cargo build --release -p qmi`, or set `QMI_BIN`).

use std::thread;
use std::time::{Duration, Instant};

use qmi_tests::{API_KEY, Qmi, QmiServer, TARGET, fixture_wasm, fixtures_dir, manifest_variant};

/// Spin's request headers for a trailing-wildcard route.
#[test]
fn spin_headers_for_a_wildcard_route() {
    let server = QmiServer::start(&[]);
    let echo = server.get("/echo/a/b?x=1&y=2").echo();
    assert_eq!(
        echo.require_header("spin-full-url"),
        format!("http://{}/echo/a/b?x=1&y=2", server.authority())
    );
    assert_eq!(echo.require_header("spin-path-info"), "/a/b");
    assert_eq!(echo.require_header("spin-matched-route"), "/echo/...");
    assert_eq!(echo.require_header("spin-component-route"), "/echo");
    assert_eq!(echo.require_header("spin-raw-component-route"), "/echo/...");
    assert_eq!(echo.require_header("spin-base-path"), "/");
    let client = echo.require_header("spin-client-addr");
    let addr: std::net::SocketAddr = client
        .parse()
        .unwrap_or_else(|e| panic!("spin-client-addr {client:?} is not ip:port: {e}"));
    assert!(addr.ip().is_loopback(), "client addr {addr}");
    assert_ne!(addr.port(), 0);
    assert_eq!(echo.field("path"), Some("/echo/a/b"));
    assert_eq!(echo.field("query"), Some("x=1&y=2"));
}

/// Spin's request headers for an exact route, and trailing slashes under a wildcard.
#[test]
fn spin_headers_for_an_exact_route_and_trailing_slashes() {
    let server = QmiServer::start(&[]);
    let exact = server.get("/echo/exact").echo();
    assert_eq!(exact.require_header("spin-matched-route"), "/echo/exact");
    assert_eq!(exact.require_header("spin-component-route"), "/echo/exact");
    assert_eq!(exact.require_header("spin-path-info"), "");

    let bare = server.get("/echo").echo();
    assert_eq!(bare.require_header("spin-matched-route"), "/echo/...");
    assert_eq!(bare.require_header("spin-path-info"), "");
    let slash = server.get("/echo/").echo();
    assert_eq!(slash.require_header("spin-path-info"), "/");
    let deep_slash = server.get("/echo/x/").echo();
    assert_eq!(deep_slash.require_header("spin-path-info"), "/x/");
}

/// Exact routes beat parameters, parameters beat wildcards, longer wildcard prefixes
/// beat shorter ones; unmatched paths are 404.
#[test]
fn route_precedence() {
    let server = QmiServer::start(&[]);
    let matched = |path: &str| {
        server
            .get(path)
            .echo()
            .require_header("spin-matched-route")
            .to_owned()
    };
    assert_eq!(matched("/items/special"), "/items/special");
    assert_eq!(matched("/items/42"), "/items/:id");
    assert_eq!(matched("/items/42/more"), "/items/...");
    assert_eq!(matched("/items"), "/items/...");
    assert_eq!(matched("/echo/exact"), "/echo/exact");
    assert_eq!(matched("/echo/exact/more"), "/echo/...");
    assert_eq!(matched("/deep/x"), "/deep/...");
    assert_eq!(matched("/deep/er/x"), "/deep/er/...");
    assert_eq!(matched("/deep/er"), "/deep/er/...");
    assert_eq!(matched("/deep/erx"), "/deep/...");

    let param = server.get("/items/42").echo();
    assert_eq!(param.require_header("spin-path-match-id"), "42");
    let deeper = server.get("/deep/er/x/y").echo();
    assert_eq!(deeper.require_header("spin-path-info"), "/x/y");
    assert_eq!(deeper.require_header("spin-component-route"), "/deep/er");

    for path in ["/", "/nothing", "/itemsx", "/greet", "/greet/a/b"] {
        assert_eq!(server.get(path).status, 404, "{path} should not be routed");
    }
}

/// Named route parameters arrive as `spin-path-match-<name>` headers, also before a
/// trailing wildcard.
#[test]
fn path_parameters_arrive_as_headers() {
    let server = QmiServer::start(&[]);
    let post = server.get("/users/ann/posts/7").echo();
    assert_eq!(post.require_header("spin-path-match-user"), "ann");
    assert_eq!(post.require_header("spin-path-match-post"), "7");
    assert_eq!(
        post.require_header("spin-matched-route"),
        "/users/:user/posts/:post"
    );
    assert_eq!(post.require_header("spin-path-info"), "");

    let bucket = server.get("/buckets/photos/2024/a.jpg").echo();
    assert_eq!(bucket.require_header("spin-path-match-bucket"), "photos");
    assert_eq!(
        bucket.require_header("spin-matched-route"),
        "/buckets/:bucket/..."
    );
    assert_eq!(
        bucket.require_header("spin-component-route"),
        "/buckets/:bucket"
    );
    assert_eq!(bucket.require_header("spin-path-info"), "/2024/a.jpg");
    assert_eq!(bucket.header("spin-path-match-user"), None);
}

/// Method, body and client headers reach the component unchanged.
#[test]
fn method_body_and_headers_reach_the_component() {
    let server = QmiServer::start(&[]);
    let echo = server
        .post(
            "/echo/post?q=1",
            "payload \u{e9}",
            &[("x-custom", "v1"), ("content-type", "text/plain")],
        )
        .echo();
    assert_eq!(echo.field("method"), Some("POST"));
    assert_eq!(echo.field("body"), Some("payload \u{e9}"));
    assert_eq!(echo.field("path"), Some("/echo/post"));
    assert_eq!(echo.field("query"), Some("q=1"));
    assert_eq!(echo.require_header("x-custom"), "v1");
    assert_eq!(echo.require_header("content-type"), "text/plain");
}

/// Component variables are templates over application variables; values come from
/// defaults or `SPIN_VARIABLE_<NAME>`; each component sees only its own variables.
#[test]
fn component_variables_resolve_application_variables() {
    let server = QmiServer::start(&[]);
    let echo = server.get("/echo/vars").echo();
    assert_eq!(echo.variable("who"), Ok("echo".to_owned()));
    assert_eq!(echo.variable("message"), Ok(format!("hello, {TARGET}!")));
    assert_eq!(echo.variable("api_key"), Ok(API_KEY.to_owned()));
    assert!(echo.variable("undeclared").is_err(), "{:#}", echo.0);

    let alt = server.get("/alt/vars").echo();
    assert_eq!(alt.variable("who"), Ok("alt".to_owned()));
    assert!(
        alt.variable("message").is_err(),
        "echo-alt declares no `message`: {:#}",
        alt.0
    );
    assert!(
        alt.variable("api_key").is_err(),
        "echo-alt declares no `api_key`: {:#}",
        alt.0
    );
}

/// An application variable's environment value overrides its default.
#[test]
fn environment_overrides_variable_defaults() {
    let server = Qmi::up().env("SPIN_VARIABLE_GREETING", "bonjour").start();
    let echo = server.get("/echo/vars").echo();
    assert_eq!(echo.variable("message"), Ok(format!("bonjour, {TARGET}!")));
}

/// Middleware runs outermost first on the request and innermost first on the response;
/// only a middleware that inherits `variables` reads the primary component's variables
/// (Spin applies its deny-all adapter to the others).
#[test]
fn middleware_wraps_in_declared_order() {
    let server = QmiServer::start(&[]);
    let reply = server.get_with("/mw/x?k=v", &[("x-mw-trace", "client")]);
    assert_eq!(reply.header("x-mw-trace"), Some("echo,b,a"), "{reply:?}");
    let echo = reply.echo();
    assert_eq!(echo.require_header("x-mw-trace"), "client,a,b");
    assert_eq!(
        echo.require_header("x-mw-a-var"),
        format!("value:hello, {TARGET}!")
    );
    assert!(
        echo.require_header("x-mw-b-var").starts_with("error:"),
        "mw-b does not inherit variables: {:#}",
        echo.0
    );
    assert_eq!(echo.require_header("spin-matched-route"), "/mw/...");
    assert_eq!(echo.require_header("spin-path-info"), "/x");
    assert_eq!(echo.field("query"), Some("k=v"));

    let plain = server.get_with("/echo/x", &[("x-mw-trace", "client")]);
    assert_eq!(
        plain.header("x-mw-trace"),
        Some("echo"),
        "no middleware on /echo/..."
    );
    assert_eq!(plain.echo().require_header("x-mw-trace"), "client");
}

/// `default` lives in `<data-dir>/sqlite_db.db`; other labels come from the runtime
/// config; each label is its own database, and data survives a restart.
#[test]
fn sqlite_labels_map_to_their_databases() {
    let data = tempfile::tempdir().expect("temp dir");
    let data_dir = data.path().join("data");
    {
        let server = Qmi::up().data_dir(&data_dir).start();
        assert_eq!(server.get("/db/default/write/one").body, "one");
        let two = server.get("/db/default/write/two");
        assert_eq!((two.status, two.body.as_str()), (200, "one,two"));
        let extra = server.get("/db/extra/read");
        assert_eq!(
            (extra.status, extra.body.as_str()),
            (200, ""),
            "extra is another database"
        );
        assert_eq!(server.get("/db/extra/write/x").body, "x");
        assert_eq!(server.get("/db/default/read").body, "one,two");
        assert!(
            data_dir.join("sqlite_db.db").is_file(),
            "default database not at <data-dir>/sqlite_db.db"
        );
        assert!(
            server.work_dir().join("extra.db").is_file(),
            "runtime-config path `extra.db` not resolved against the working directory"
        );
    }
    let again = Qmi::up().data_dir(&data_dir).start();
    assert_eq!(
        again.get("/db/default/read").body,
        "one,two",
        "default did not persist"
    );
}

/// Under Spin every guest `Connection` is a SQLite connection of its own: a transaction
/// left open when the guest drops it — or when its instance traps — is rolled back. The
/// next requests neither see its rows nor run inside it, and can write at once.
#[test]
fn sqlite_transaction_left_open_is_rolled_back() {
    let server = QmiServer::start(&[]);
    let get = |path: &str| {
        let reply = server.get(path);
        (reply.status, reply.body)
    };
    let ok = |body: &str| (200, body.to_owned());
    assert_eq!(get("/db/default/write/before"), ok("before"));
    assert_eq!(get("/db/default/tx/open/leaked"), ok("before,leaked"));
    for _ in 0..3 {
        assert_eq!(
            get("/db/default/read"),
            ok("before"),
            "the open transaction's row leaked"
        );
        assert_eq!(get("/db/default/tx/probe"), ok("autocommit"));
    }
    assert_eq!(get("/db/default/write/after"), ok("before,after"));

    assert_eq!(get("/db/default/tx/trap/trapped").0, 500);
    for _ in 0..3 {
        assert_eq!(
            get("/db/default/read"),
            ok("before,after"),
            "the trapped transaction's row leaked"
        );
        assert_eq!(get("/db/default/tx/probe"), ok("autocommit"));
    }
}

/// `BEGIN IMMEDIATE`, several `execute` calls and `COMMIT` on one guest connection form
/// one transaction whose rows every later request sees.
#[test]
fn sqlite_transaction_spans_execute_calls() {
    let server = QmiServer::start(&[]);
    let commit = server.get("/db/default/tx/commit/one/two");
    assert_eq!(
        (commit.status, commit.body.as_str()),
        (200, "one,two"),
        "{commit:?}"
    );
    let again = server.get("/db/default/tx/commit/three/four");
    assert_eq!(again.body, "one,two,three,four", "{again:?}");
    assert_eq!(server.get("/db/default/read").body, "one,two,three,four");
    assert_eq!(server.get("/db/default/tx/probe").body, "autocommit");
}

/// Opening a label the component does not list is `access-denied`, whether or not the
/// runtime config defines it.
#[test]
fn sqlite_unlisted_label_is_access_denied() {
    let server = QmiServer::start(&[]);
    for label in ["unlisted", "nowhere"] {
        let reply = server.get(&format!("/db/{label}/read"));
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (403, "access-denied"),
            "label {label}"
        );
    }
    assert_eq!(server.get("/db/default/read").status, 200);
}

/// A component listing a label that nothing defines stops startup with Spin's message.
/// (The variant manifest sits in a temp dir with no runtime config beside it.)
#[test]
fn undefined_sqlite_label_fails_startup() {
    let dir = tempfile::tempdir().expect("temp dir");
    let manifest = manifest_variant(dir.path(), |text| {
        text.replace(
            "sqlite_databases = [\"default\", \"extra\"]",
            "sqlite_databases = [\"default\", \"undefined-label\"]",
        )
    });
    let failure = Qmi::up()
        .manifest(&manifest)
        .without_runtime_config()
        .expect_failure();
    assert!(
        failure
            .stderr
            .contains("One or more components use SQLite databases which are not defined."),
        "{failure:#?}"
    );
    assert!(
        failure
            .stderr
            .contains("Component db uses database 'undefined-label'"),
        "{failure:#?}"
    );
}

/// An unknown manifest field stops startup with a message naming it.
#[test]
fn unknown_manifest_field_fails_startup() {
    let dir = tempfile::tempdir().expect("temp dir");
    let manifest = manifest_variant(dir.path(), |text| {
        text.replace(
            "[component.echo]\n",
            "[component.echo]\nnot_a_real_field = true\n",
        )
    });
    let failure = Qmi::up().manifest(&manifest).expect_failure();
    assert!(failure.stderr.contains("not_a_real_field"), "{failure:#?}");
}

/// A component dependency on our own WIT interface is satisfied by another component.
#[test]
fn component_dependency_is_composed() {
    let server = QmiServer::start(&[]);
    let reply = server.get("/greet/ada");
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, "Hello, ada, from the greeter!")
    );
    assert_eq!(
        server.get("/greet/bob").body,
        "Hello, bob, from the greeter!"
    );
}

/// `files` mounts are readable at their destination, read-only, and confined.
#[test]
fn files_are_mounted_read_only_and_confined() {
    let server = QmiServer::start(&[]);
    let hello = server.get("/echo/file?path=/hello.txt");
    assert_eq!(
        (hello.status, hello.body.as_str()),
        (200, "Hello from a mounted file.\n")
    );
    assert_eq!(
        server.get("/echo/file?path=/sub/nested.txt").body,
        "nested\n"
    );
    // The mount's source is tests/fixtures/echo/static: its parent holds Cargo.toml.
    assert!(fixtures_dir().join("echo/Cargo.toml").is_file());
    for escape in ["/../Cargo.toml", "../Cargo.toml", "/sub/../../Cargo.toml"] {
        let reply = server.get(&format!("/echo/file?path={escape}"));
        assert_eq!(reply.status, 404, "{escape} escaped the mount: {reply:?}");
    }
    let write = server.get("/echo/write?path=/new.txt");
    assert_eq!(write.status, 403, "the mount is writable: {write:?}");
    assert!(!fixtures_dir().join("echo/static/new.txt").exists());
    let unmounted = server.get("/alt/file?path=/hello.txt");
    assert_eq!(
        unmounted.status, 404,
        "echo-alt has no files: {unmounted:?}"
    );
}

/// The per-instance counter of a fixture route, as a number.
fn count(server: &QmiServer, path: &str) -> u64 {
    let reply = server.get(path);
    assert_eq!(reply.status, 200, "{reply:?}");
    reply
        .body
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{reply:?}: {e}"))
}

/// By default one instance serves sequential requests: its counter grows.
#[test]
fn instances_are_reused_by_default() {
    let server = QmiServer::start(&[]);
    let counts: Vec<u64> = (0..5).map(|_| count(&server, "/echo/counter")).collect();
    assert_eq!(counts, [1, 2, 3, 4, 5]);
}

/// `--max-instance-reuse-count 1` gives every request a fresh instance.
#[test]
fn reuse_count_one_gives_fresh_instances() {
    let server = QmiServer::start(&[("--max-instance-reuse-count", "1")]);
    let counts: Vec<u64> = (0..4).map(|_| count(&server, "/echo/counter")).collect();
    assert_eq!(counts, [1, 1, 1, 1]);
}

/// `--max-instance-reuse-count N` retires an instance after N requests.
#[test]
fn reuse_count_retires_instances() {
    let server = QmiServer::start(&[("--max-instance-reuse-count", "3")]);
    let counts: Vec<u64> = (0..7).map(|_| count(&server, "/echo/counter")).collect();
    assert_eq!(counts, [1, 2, 3, 1, 2, 3, 1]);
}

/// An instance idle longer than `--idle-instance-timeout` is dropped.
#[test]
fn idle_instances_are_dropped() {
    let server = QmiServer::start(&[("--idle-instance-timeout", "1s")]);
    assert_eq!(count(&server, "/echo/counter"), 1);
    assert_eq!(count(&server, "/echo/counter"), 2);
    thread::sleep(Duration::from_millis(2500));
    assert_eq!(count(&server, "/echo/counter"), 1, "idle instance was kept");
}

/// A request running past `--request-timeout` fails with 500 near the deadline, and
/// the server goes on serving.
#[test]
fn request_deadline_stops_a_runaway_request() {
    let server = QmiServer::start(&[("--request-timeout", "2s")]);
    let started = Instant::now();
    let reply = server.get("/echo/loop");
    let took = started.elapsed();
    assert_eq!(reply.status, 500, "{reply:?}");
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(10),
        "answered after {took:?} with a 2 s deadline"
    );
    assert_eq!(
        server.get("/echo/after").echo().field("path"),
        Some("/echo/after")
    );
    assert_eq!(server.get("/greet/x").status, 200);
}

// ---- requests that never finish ------------------------------------------------

/// A raw connection to the server with a generous read timeout.
fn raw_connection(server: &QmiServer) -> std::net::TcpStream {
    let stream = std::net::TcpStream::connect(server.authority()).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .expect("read timeout");
    stream
}

/// Reads until the server closes the connection; returns what it sent and how long the
/// close took, or panics if it stays open 15 s.
fn read_until_closed(stream: &mut std::net::TcpStream) -> (String, Duration) {
    use std::io::Read;
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!(
                "connection still open after {:?} ({e}); received {:?}",
                started.elapsed(),
                String::from_utf8_lossy(&received)
            ),
        }
    }
    (
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    )
}

/// Spin waits for ever on a client whose request head never completes; qmi closes the
/// connection after `--header-read-timeout`, without an answer. An idle keep-alive
/// connection is closed the same way. The server goes on serving.
#[test]
fn a_request_head_that_never_completes_is_dropped() {
    use std::io::Write;
    let server = QmiServer::start(&[("--header-read-timeout", "1s")]);
    let mut slow = raw_connection(&server);
    slow.write_all(b"GET /echo/x HTTP/1.1\r\nhost: x\r\nx-never: ends")
        .expect("write a partial head");
    let (answer, took) = read_until_closed(&mut slow);
    assert_eq!(answer, "", "an incomplete head was answered");
    assert!(
        took >= Duration::from_millis(500),
        "closed after {took:?}, before the timeout"
    );

    let mut idle = raw_connection(&server);
    idle.write_all(b"GET /.well-known/spin/health HTTP/1.1\r\nhost: x\r\n\r\n")
        .expect("write a request");
    let (answer, _) = read_until_closed(&mut idle);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(answer.ends_with("\r\n\r\nOK"), "{answer:?}");

    assert_eq!(
        server.get("/echo/after").echo().field("path"),
        Some("/echo/after")
    );
}

/// A request body that sends nothing for `--body-read-timeout` while the component
/// waits for it is answered `408` and its connection closed; a slow body that keeps
/// arriving is read to its end.
#[test]
fn a_stalled_request_body_is_answered_408_and_closed() {
    use std::io::Write;
    let server = QmiServer::start(&[("--body-read-timeout", "2s")]);
    let mut stalled = raw_connection(&server);
    stalled
        .write_all(b"POST /echo/x HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n0123456789")
        .expect("write a partial body");
    let (answer, took) = read_until_closed(&mut stalled);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(
        took >= Duration::from_secs(1),
        "answered after {took:?}, before the timeout"
    );

    let mut slow = raw_connection(&server);
    slow.write_all(
        b"POST /echo/x HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 20\r\n\r\n",
    )
    .expect("write a head");
    for piece in ["0123456789", "abcdefghij"] {
        for byte in piece.as_bytes().chunks(5) {
            thread::sleep(Duration::from_millis(50));
            slow.write_all(byte).expect("write a piece of the body");
        }
    }
    let (answer, _) = read_until_closed(&mut slow);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(
        answer.contains(r#""body":"0123456789abcdefghij""#),
        "{answer:?}"
    );
}

/// A trapping request fails alone: 500, and the next requests are served.
#[test]
fn a_panic_fails_only_its_request() {
    let mut server = QmiServer::start(&[]);
    for _ in 0..3 {
        let reply = server.get("/echo/panic");
        assert_eq!(reply.status, 500, "{reply:?}");
        assert_eq!(
            server.get("/echo/fine").echo().field("path"),
            Some("/echo/fine")
        );
    }
    assert!(server.is_running());
}

/// A trapped instance is discarded: the next request starts a fresh one.
#[test]
fn a_trapped_instance_is_not_reused() {
    let server = QmiServer::start(&[]);
    assert_eq!(count(&server, "/echo/counter"), 1);
    assert_eq!(count(&server, "/echo/counter"), 2);
    assert_eq!(server.get("/echo/panic").status, 500);
    assert_eq!(
        count(&server, "/echo/counter"),
        1,
        "a trapped instance served again"
    );
}

/// Allocating past `--max-instance-memory` fails the request, not the server.
#[test]
fn memory_cap_fails_the_request_not_the_server() {
    let mut server = QmiServer::start(&[("--max-instance-memory", "64MiB")]);
    let reply = server.get("/echo/alloc");
    assert_eq!(reply.status, 500, "{reply:?}");
    assert_eq!(
        server.get("/echo/fine").echo().field("path"),
        Some("/echo/fine")
    );
    assert!(server.is_running());
}

/// `--component-id` serves only the listed components' routes.
#[test]
fn component_id_serves_a_subset() {
    let server = QmiServer::start(&[("--component-id", "echo-alt"), ("--component-id", "db")]);
    let alt = server.get("/alt/x").echo();
    assert_eq!(alt.variable("who"), Ok("alt".to_owned()));
    assert_eq!(server.get("/db/default/read").status, 200);
    for path in ["/echo/x", "/echo/exact", "/items/1", "/greet/x", "/mw/x"] {
        assert_eq!(
            server.get(path).status,
            404,
            "{path} belongs to an unlisted component"
        );
    }
}

/// Startup prints Spin's route list after the `Serving` line.
#[test]
fn startup_lists_available_routes() {
    let server = QmiServer::start(&[]);
    let base = server.base_url().to_owned();
    for line in [
        "Available Routes:".to_owned(),
        format!("  echo-alt: {base}/alt (wildcard)"),
        format!("  echo: {base}/echo/exact"),
        format!("  caller: {base}/greet/:name"),
        format!("  db: {base}/db (wildcard)"),
    ] {
        assert!(
            server.wait_for_stdout(&line, Duration::from_secs(5)),
            "missing {line:?} in stdout:\n{}",
            server.stdout()
        );
    }
}

/// SIGTERM and SIGINT stop the server cleanly and close its port.
#[test]
fn signals_stop_the_server_cleanly() {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let server = QmiServer::start(&[]);
        assert_eq!(server.get("/echo/x").status, 200);
        let authority = server.authority().to_owned();
        let status = server
            .stop_with(signal, Duration::from_secs(10))
            .unwrap_or_else(|| panic!("signal {signal} did not stop qmi within 10 s"));
        assert!(status.success(), "signal {signal}: exit {status}");
        assert!(
            std::net::TcpStream::connect(&authority).is_err(),
            "port still open after signal {signal}"
        );
    }
}

/// The fixtures the manifest names were built by `qmi build`.
#[test]
fn qmi_build_produces_every_fixture() {
    qmi_tests::build_fixtures();
    for name in ["echo", "db", "mw-a", "mw-b", "greeter", "caller"] {
        let wasm = fixture_wasm(name);
        let bytes = std::fs::read(&wasm).unwrap_or_else(|e| panic!("{}: {e}", wasm.display()));
        // A component (not a core module): magic, then version 0x0d with layer 1.
        assert_eq!(
            &bytes[..8],
            b"\0asm\x0d\0\x01\0",
            "{} is not a component",
            wasm.display()
        );
    }
}

// ---- outbound HTTP and service chaining ------------------------------------------

/// A tiny HTTP/1.1 server on 127.0.0.1 for the outbound tests: every request gets a `200`
/// with `x-target: qmi-tests` and the body `target saw <METHOD> <TARGET>`, then the
/// connection is closed. It counts the requests it received.
struct TargetServer {
    port: u16,
    hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl TargetServer {
    /// Binds an ephemeral port and serves from a background thread.
    fn start() -> TargetServer {
        use std::io::{Read, Write};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind target server");
        let port = listener.local_addr().expect("target address").port();
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = hits.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let head = String::from_utf8_lossy(&head);
                let request_line = head.lines().next().unwrap_or("");
                let mut words = request_line.split(' ');
                let body = format!(
                    "target saw {} {}",
                    words.next().unwrap_or(""),
                    words.next().unwrap_or("")
                );
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-target: qmi-tests\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        TargetServer { port, hits }
    }

    /// Requests received so far.
    fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Has fixture-outbound fetch `url`; returns its JSON report (`status`/`headers`/`body`,
/// or `error`).
fn fetch(server: &QmiServer, url: &str) -> serde_json::Value {
    fetch_through(server, "/outbound", url)
}

/// Has the fixture-outbound component routed at `prefix` fetch `url`.
fn fetch_through(server: &QmiServer, prefix: &str, url: &str) -> serde_json::Value {
    let reply = server.get(&format!("{prefix}/fetch?url={}", percent_encode(url)));
    assert_eq!(
        reply.status, 200,
        "fixture-outbound at {prefix} failed for {url}: {reply:?}"
    );
    reply.json()
}

/// The JSON echo in the body of a fetch report.
fn fetched_echo(report: &serde_json::Value) -> serde_json::Value {
    serde_json::from_str(report["body"].as_str().unwrap_or(""))
        .unwrap_or_else(|e| panic!("fetched body is not the echo JSON ({e}): {report:#}"))
}

/// The error code in a fetch report; panics if the request got a response.
fn fetch_error(report: &serde_json::Value) -> &str {
    report["error"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error, got a response: {report:#}"))
}

/// A request to a host in `allowed_outbound_hosts` (`http://127.0.0.1:*`) reaches it, and
/// the guest reads its status, headers and body.
#[test]
fn outbound_http_reaches_an_allowed_host() {
    let target = TargetServer::start();
    let server = QmiServer::start(&[]);
    let report = fetch(
        &server,
        &format!("http://127.0.0.1:{}/hello?x=1", target.port),
    );
    assert_eq!(report["status"], 200, "{report:#}");
    assert_eq!(report["body"], "target saw GET /hello?x=1", "{report:#}");
    assert_eq!(report["headers"]["x-target"], "qmi-tests", "{report:#}");
    assert_eq!(target.hits(), 1);
}

/// A host, or a scheme, that `allowed_outbound_hosts` does not list is refused with
/// `HttpRequestDenied` before any connection is made; the server stays healthy.
#[test]
fn outbound_http_to_an_unlisted_host_is_denied() {
    let target = TargetServer::start();
    let server = QmiServer::start(&[]);
    for url in [
        // `localhost` is not the literal `127.0.0.1` that is allowed.
        format!("http://localhost:{}/", target.port),
        format!("https://127.0.0.1:{}/", target.port),
        "http://example.com/".to_owned(),
    ] {
        let report = fetch(&server, &url);
        assert!(
            fetch_error(&report).contains("HttpRequestDenied"),
            "{url}: {report:#}"
        );
    }
    assert_eq!(target.hits(), 0, "a denied request reached the target");
    let allowed = fetch(&server, &format!("http://127.0.0.1:{}/after", target.port));
    assert_eq!(allowed["body"], "target saw GET /after", "{allowed:#}");
    assert_eq!(server.get("/echo/x").status, 200);
}

/// `http://echo.spin.internal` (allowed) reaches `echo` inside the process with the
/// headers of Spin's synthetic service-chaining match (route `/...`, the whole path as
/// path info, host `localhost` in the full URL, client `0.0.0.0:0`); chaining to a
/// component that is not allowed is denied.
#[test]
fn service_chaining_reaches_the_component_in_process() {
    let server = QmiServer::start(&[]);
    let report = fetch(&server, "http://echo.spin.internal/echo/chained?q=1");
    assert_eq!(report["status"], 200, "{report:#}");
    let echo: serde_json::Value = serde_json::from_str(report["body"].as_str().unwrap_or(""))
        .unwrap_or_else(|e| panic!("chained echo is not JSON ({e}): {report:#}"));
    let header = |name: &str| echo["headers"][name].as_str().map(str::to_owned);
    assert_eq!(echo["variables"]["who"]["value"], "echo", "{echo:#}");
    assert_eq!(echo["path"], "/echo/chained", "{echo:#}");
    assert_eq!(
        header("spin-path-info").as_deref(),
        Some("/echo/chained"),
        "{echo:#}"
    );
    assert_eq!(
        header("spin-matched-route").as_deref(),
        Some("/..."),
        "{echo:#}"
    );
    assert_eq!(
        header("spin-raw-component-route").as_deref(),
        Some("/..."),
        "{echo:#}"
    );
    assert_eq!(
        header("spin-component-route").as_deref(),
        Some(""),
        "{echo:#}"
    );
    assert_eq!(header("spin-base-path").as_deref(), Some("/"), "{echo:#}");
    assert_eq!(
        header("spin-client-addr").as_deref(),
        Some("0.0.0.0:0"),
        "{echo:#}"
    );
    assert_eq!(
        header("spin-full-url").as_deref(),
        Some("http://localhost/echo/chained?q=1"),
        "{echo:#}"
    );
    assert_eq!(
        header("host"),
        None,
        "the chaining host header reached the component: {echo:#}"
    );

    let denied = fetch(&server, "http://echo-alt.spin.internal/alt/x");
    assert!(
        fetch_error(&denied).contains("HttpRequestDenied"),
        "{denied:#}"
    );
    assert_eq!(server.get("/echo/x").status, 200);
}

/// A `route = { private = true }` component has no route from outside (404) but answers
/// service-chained requests.
#[test]
fn private_route_is_reachable_only_through_chaining() {
    let server = QmiServer::start(&[]);
    for path in ["/", "/hidden", "/hidden/x", "/..."] {
        assert_eq!(
            server.get(path).status,
            404,
            "{path} reached something from outside"
        );
    }
    let report = fetch(&server, "http://hidden.spin.internal/hidden/x");
    assert_eq!(report["status"], 200, "{report:#}");
    let echo: serde_json::Value =
        serde_json::from_str(report["body"].as_str().unwrap_or("")).expect("chained echo JSON");
    assert_eq!(echo["variables"]["who"]["value"], "hidden", "{echo:#}");
    assert_eq!(echo["headers"]["spin-path-info"], "/hidden/x", "{echo:#}");
}

/// `http://*.spin.internal` allows chaining to every component of the app, and only to
/// them: Spin expands the wildcard into the app's component ids, so another
/// `*.spin.internal` host is denied.
#[test]
fn wildcard_service_chaining_covers_only_the_app_components() {
    let dir = tempfile::tempdir().expect("temp dir");
    let manifest = manifest_variant(dir.path(), |text| {
        let start = text
            .find("allowed_outbound_hosts = [\n    \"http://127.0.0.1:*\"")
            .expect("outbound hosts");
        let end = start + text[start..].find("]\n").expect("end of outbound hosts") + 2;
        format!(
            "{}allowed_outbound_hosts = [\"http://*.spin.internal\"]\n{}",
            &text[..start],
            &text[end..]
        )
    });
    let server = Qmi::up().manifest(&manifest).start();
    let alt = fetch(&server, "http://echo-alt.spin.internal/alt/x");
    assert_eq!(alt["status"], 200, "{alt:#}");
    assert!(
        alt["body"].as_str().unwrap_or("").contains("\"alt\""),
        "{alt:#}"
    );
    let ghost = fetch(&server, "http://ghost.spin.internal/");
    assert!(
        fetch_error(&ghost).contains("HttpRequestDenied"),
        "{ghost:#}"
    );
    let outside = fetch(&server, "http://127.0.0.1:9/");
    assert!(
        fetch_error(&outside).contains("HttpRequestDenied"),
        "{outside:#}"
    );
}

/// With `--component-id`, a selected component allowed to chain to an unselected one
/// stops startup with Spin's message; selecting both starts.
#[test]
fn component_id_refuses_chaining_to_an_unselected_component() {
    let failure = Qmi::up()
        .flag("--component-id", "outbound")
        .expect_failure();
    assert!(
        failure.stderr.contains(
            "Selected component 'outbound' cannot use service chaining to unselected component: \
             allowed_outbound_hosts = [\"http://echo.spin.internal\"]"
        ),
        "{failure:#?}"
    );
    let server = ["outbound", "echo", "hidden"]
        .iter()
        .fold(Qmi::up(), |up, id| up.flag("--component-id", id))
        .start();
    let report = fetch(&server, "http://hidden.spin.internal/x");
    assert_eq!(report["status"], 200, "{report:#}");
}

// ---- service chaining after Spin's loader -----------------------------------------

/// Has fixture `chain` fetch `url` (a `*.spin.internal` URL): the raw reply, since a
/// chaining failure traps `chain` itself.
fn chain(server: &QmiServer, url: &str) -> qmi_tests::Reply {
    server.get(&format!("/chain/fetch?url={}", percent_encode(url)))
}

/// Waits up to 10 s for the server's stderr to contain `needle`.
fn wait_for_stderr(server: &QmiServer, needle: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if server.stderr().contains(needle) {
            return true;
        }
        thread::sleep(Duration::from_millis(50));
    }
    false
}

/// As Spin's loader (`reassign_trigger_deps`): `guarded`'s two triggers both carry
/// middleware, so each runs its own copy (`guarded-for-<trigger id>`) and no trigger is
/// left on the plain id. `http://guarded.spin.internal` is then an unknown routing
/// destination: the calling instance traps and its client gets Spin's empty 500. A
/// component with no trigger at all (`mw-a`) fails the same way. The copies answer on
/// their routes and to their own synthetic host, through their middleware.
#[test]
fn chaining_to_a_component_whose_triggers_all_have_middleware_fails() {
    let mut server = QmiServer::start(&[]);
    let failed = chain(&server, "http://guarded.spin.internal/guarded/a/x");
    assert_eq!(
        (failed.status, failed.body.as_str()),
        (500, ""),
        "{failed:?}"
    );
    assert!(
        wait_for_stderr(&server, "unknown routing destination 'guarded'"),
        "{}",
        server.stderr()
    );
    let no_trigger = chain(&server, "http://mw-a.spin.internal/x");
    assert_eq!(
        (no_trigger.status, no_trigger.body.as_str()),
        (500, ""),
        "{no_trigger:?}"
    );
    assert!(server.is_running());

    let routed = server.get("/guarded/a/x");
    assert_eq!(routed.header("x-mw-trace"), Some("echo,b"), "{routed:?}");
    assert_eq!(routed.echo().variable("who"), Ok("guarded".to_owned()));

    let copy = chain(
        &server,
        "http://guarded-for-guarded-a.spin.internal/guarded/a/x",
    );
    assert_eq!(copy.status, 200, "{copy:?}");
    let report = copy.json();
    assert_eq!(report["status"], 200, "{report:#}");
    assert_eq!(report["headers"]["x-mw-trace"], "echo,b", "{report:#}");
    let echo = fetched_echo(&report);
    assert_eq!(echo["variables"]["who"]["value"], "guarded", "{echo:#}");
    assert_eq!(echo["headers"]["x-mw-trace"], "b", "{echo:#}");
}

/// `echo` is shared by plain triggers and by `/mw` (with middleware): only `/mw` is split
/// off (`echo-for-http-trigger9`, Spin's generated trigger id), so chaining to `echo`
/// reaches the plain component, without middleware, whatever the path. A component named
/// by a single trigger keeps its id and that trigger's middleware: chaining to `lone`
/// goes through `mw-b`. Spin lists the split route under its synthetic id.
#[test]
fn chaining_reaches_the_component_of_the_plain_triggers() {
    let server = QmiServer::start(&[]);
    let plain = fetch_through(&server, "/chain", "http://echo.spin.internal/mw/x");
    assert_eq!(plain["status"], 200, "{plain:#}");
    assert_eq!(
        plain["headers"]["x-mw-trace"], "echo",
        "middleware ran: {plain:#}"
    );
    let echo = fetched_echo(&plain);
    assert!(
        echo["headers"]["x-mw-trace"].is_null(),
        "middleware ran: {echo:#}"
    );
    assert_eq!(echo["variables"]["who"]["value"], "echo", "{echo:#}");

    let split = fetch_through(
        &server,
        "/chain",
        "http://echo-for-http-trigger9.spin.internal/mw/x",
    );
    assert_eq!(split["headers"]["x-mw-trace"], "echo,b,a", "{split:#}");

    let lone = fetch_through(&server, "/chain", "http://lone.spin.internal/lone/x");
    assert_eq!(lone["headers"]["x-mw-trace"], "echo,b", "{lone:#}");
    assert_eq!(
        fetched_echo(&lone)["variables"]["who"]["value"],
        "lone",
        "{lone:#}"
    );

    let line = format!(
        "  echo-for-http-trigger9: {}/mw (wildcard)",
        server.base_url()
    );
    assert!(
        server.wait_for_stdout(&line, Duration::from_secs(5)),
        "{}",
        server.stdout()
    );
}

/// `--component-id` selects the components of the locked app: `echo` is its plain
/// triggers (not `/mw`), the synthetic `echo-for-http-trigger9` is `/mw` with its
/// middleware; `guarded`, whose triggers were all split off, leaves no trigger (Spin:
/// "No triggers in app"); an unknown id is refused with Spin's message.
#[test]
fn component_id_selects_the_components_after_the_split() {
    let plain = QmiServer::start(&[("--component-id", "echo")]);
    assert_eq!(plain.get("/echo/x").status, 200);
    assert_eq!(
        plain.get("/mw/x").status,
        404,
        "/mw belongs to echo-for-http-trigger9"
    );
    drop(plain);

    let split = QmiServer::start(&[("--component-id", "echo-for-http-trigger9")]);
    let reply = split.get("/mw/x");
    assert_eq!(reply.header("x-mw-trace"), Some("echo,b,a"), "{reply:?}");
    assert_eq!(split.get("/echo/x").status, 404);
    drop(split);

    let none = Qmi::up().flag("--component-id", "guarded").expect_failure();
    assert!(none.stderr.contains("No triggers in app"), "{none:#?}");
    let unknown = Qmi::up().flag("--component-id", "nope").expect_failure();
    assert!(
        unknown
            .stderr
            .contains("Specified component \"nope\" not found in application"),
        "{unknown:#?}"
    );
}

// ---- self-requests ---------------------------------------------------------------

/// A request to `http://self.alt/…` is Spin's self-request: sent to the server's own
/// address, it is routed like any incoming request, middleware included. The component
/// behind `/mw/...` sees the middleware's trace and the server's own authority; the caller
/// sees the middleware's response trace.
#[test]
fn self_request_goes_through_the_router_and_its_middleware() {
    let server = QmiServer::start(&[]);
    let authority = server.authority().to_owned();

    let report = fetch(&server, "http://self.alt/mw/x?k=v");
    assert_eq!(report["status"], 200, "{report:#}");
    assert_eq!(
        report["headers"]["x-mw-trace"], "echo,b,a",
        "middleware did not wrap: {report:#}"
    );
    let echo = fetched_echo(&report);
    assert_eq!(echo["headers"]["x-mw-trace"], "a,b", "{echo:#}");
    assert_eq!(
        echo["headers"]["x-mw-a-var"],
        format!("value:hello, {TARGET}!"),
        "{echo:#}"
    );
    assert_eq!(echo["headers"]["spin-matched-route"], "/mw/...", "{echo:#}");
    assert_eq!(echo["headers"]["spin-path-info"], "/x", "{echo:#}");
    assert_eq!(
        echo["headers"]["spin-full-url"],
        format!("http://{authority}/mw/x?k=v"),
        "{echo:#}"
    );
    assert_eq!(echo["query"], "k=v", "{echo:#}");

    // Without middleware, the component sees the `host` the request arrived with: the
    // server's own address, not `self.alt`; the client is a loopback address.
    let plain = fetched_echo(&fetch(&server, "http://self.alt/echo/plain"));
    assert_eq!(plain["headers"]["host"], authority.as_str(), "{plain:#}");
    assert_eq!(
        plain["headers"]["spin-matched-route"], "/echo/...",
        "{plain:#}"
    );
    let client = plain["headers"]["spin-client-addr"].as_str().unwrap_or("");
    let client: std::net::SocketAddr = client
        .parse()
        .unwrap_or_else(|e| panic!("spin-client-addr {client:?}: {e}: {plain:#}"));
    assert!(client.ip().is_loopback(), "{plain:#}");

    // The scheme and port written by the guest do not matter; the router answers 404 for
    // an unrouted path and Spin's well-known paths as it does from outside.
    let https = fetched_echo(&fetch(&server, "https://self.alt:8443/echo/tls"));
    assert_eq!(
        https["headers"]["spin-full-url"],
        format!("http://{authority}/echo/tls"),
        "{https:#}"
    );
    assert_eq!(fetch(&server, "http://self.alt/nothing")["status"], 404);
    let health = fetch(&server, "http://self.alt/.well-known/spin/health");
    assert_eq!(
        (health["status"].as_u64(), health["body"].as_str()),
        (Some(200), Some("OK")),
        "{health:#}"
    );
}

/// Only a URI without authority or with the host `self.alt` is a self-request:
/// `http://self/…` is an ordinary host that `http://self` does not allow. A relative URI
/// never reaches the host's check under WASIp3: wasmtime refuses a request without
/// authority before sending it, in Spin as in qmi.
#[test]
fn only_self_alt_is_a_self_request() {
    let server = QmiServer::start(&[]);
    let named_self = fetch(&server, "http://self/echo/x");
    assert!(
        fetch_error(&named_self).contains("HttpRequestDenied"),
        "{named_self:#}"
    );
    let relative = fetch(&server, "/echo/x");
    assert!(
        fetch_error(&relative).contains("HttpRequestUriInvalid"),
        "{relative:#}"
    );
}

/// A component whose `allowed_outbound_hosts` lacks `http://self` is refused its
/// self-requests with `HttpRequestDenied`; `http://self.alt` allows them as `http://self`
/// does.
#[test]
fn self_requests_need_http_self() {
    let server = QmiServer::start(&[]);
    let denied = fetch_through(&server, "/outbound-noself", "http://self.alt/echo/x");
    assert!(
        fetch_error(&denied).contains("HttpRequestDenied"),
        "{denied:#}"
    );
    drop(server);

    let dir = tempfile::tempdir().expect("temp dir");
    let manifest = manifest_variant(dir.path(), |text| {
        text.replace(
            "allowed_outbound_hosts = [\"http://127.0.0.1:*\"]",
            "allowed_outbound_hosts = [\"http://self.alt\"]",
        )
    });
    let server = Qmi::up().manifest(&manifest).start();
    let allowed = fetch_through(&server, "/outbound-noself", "http://self.alt/echo/x");
    assert_eq!(allowed["status"], 200, "{allowed:#}");
    assert_eq!(fetched_echo(&allowed)["path"], "/echo/x", "{allowed:#}");
}

// ---- key-value -----------------------------------------------------------------

/// A copy of the fixture runtime config in a fresh directory: Spin resolves a relative
/// key-value `path` against the config file's directory, so the store files land there.
fn runtime_config_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("runtime-config.toml");
    std::fs::copy(fixtures_dir().join("runtime-config.toml"), &path).expect("copy runtime config");
    (dir, path)
}

/// `qmi up` on the fixtures with the runtime config at `config`.
fn up_with_config(config: &std::path::Path) -> qmi_tests::Up {
    Qmi::up().without_runtime_config().flag(
        "--runtime-config-file",
        config.to_str().expect("UTF-8 path"),
    )
}

/// `GET /kv/<rest>` on fixture-kv: (status, body).
fn kv(server: &QmiServer, rest: &str) -> (u16, String) {
    let reply = server.get(&format!("/kv/{rest}"));
    (reply.status, reply.body)
}

/// open/set/get/exists/delete/get-keys on `default` and on `extra` (runtime config);
/// each label is its own store; the files are where Spin puts them.
#[test]
fn key_value_operations_on_default_and_a_configured_label() {
    let (config_dir, config) = runtime_config_copy();
    let server = up_with_config(&config).start();
    let ok = || (200, "ok".to_owned());
    for label in ["default", "extra"] {
        assert_eq!(
            kv(&server, &format!("{label}/keys")),
            (200, "[]".to_owned()),
            "{label}"
        );
        assert_eq!(
            kv(&server, &format!("{label}/set/a?value=1")),
            ok(),
            "{label}"
        );
        assert_eq!(
            kv(&server, &format!("{label}/set/b?value=2")),
            ok(),
            "{label}"
        );
        assert_eq!(
            kv(&server, &format!("{label}/set/b?value=two")),
            ok(),
            "{label}: overwrite"
        );
        assert_eq!(
            kv(&server, &format!("{label}/get/a")),
            (200, "1".to_owned()),
            "{label}"
        );
        assert_eq!(
            kv(&server, &format!("{label}/get/b")),
            (200, "two".to_owned()),
            "{label}"
        );
        assert_eq!(
            kv(&server, &format!("{label}/get/zz")),
            (404, "none".to_owned()),
            "{label}"
        );
        assert_eq!(
            kv(&server, &format!("{label}/exists/a")),
            (200, "true".to_owned()),
            "{label}"
        );
        assert_eq!(
            kv(&server, &format!("{label}/exists/zz")),
            (200, "false".to_owned()),
            "{label}"
        );
        assert_eq!(
            kv(&server, &format!("{label}/keys")),
            (200, r#"["a","b"]"#.to_owned()),
            "{label}"
        );
        assert_eq!(kv(&server, &format!("{label}/delete/a")), ok(), "{label}");
        assert_eq!(
            kv(&server, &format!("{label}/delete/a")),
            ok(),
            "{label}: deleting an absent key"
        );
        assert_eq!(
            kv(&server, &format!("{label}/exists/a")),
            (200, "false".to_owned()),
            "{label}"
        );
        assert_eq!(
            kv(&server, &format!("{label}/get/a")),
            (404, "none".to_owned()),
            "{label}"
        );
        assert_eq!(
            kv(&server, &format!("{label}/keys")),
            (200, r#"["b"]"#.to_owned()),
            "{label}"
        );
    }
    assert_eq!(kv(&server, "default/set/shared?value=from-default"), ok());
    assert_eq!(kv(&server, "extra/set/shared?value=from-extra"), ok());
    assert_eq!(
        kv(&server, "default/get/shared"),
        (200, "from-default".to_owned())
    );
    assert_eq!(
        kv(&server, "extra/get/shared"),
        (200, "from-extra".to_owned())
    );
    assert!(
        server.data_dir().join("sqlite_key_value.db").is_file(),
        "default store not at <data-dir>/sqlite_key_value.db"
    );
    assert!(
        config_dir.path().join("kv-extra.db").is_file(),
        "key-value path `kv-extra.db` not resolved against the runtime config's directory"
    );
    assert!(
        !server.work_dir().join("kv-extra.db").exists(),
        "key-value path resolved against the working directory"
    );
}

/// Opening a label the component does not list is `access-denied`, whether or not the
/// runtime config defines it; a store's file is created only when a component opens it.
#[test]
fn key_value_undeclared_label_is_access_denied() {
    let (config_dir, config) = runtime_config_copy();
    let server = up_with_config(&config).start();
    for label in ["unlisted", "nowhere"] {
        assert_eq!(
            kv(&server, &format!("{label}/keys")),
            (403, "access-denied".to_owned()),
            "{label}"
        );
    }
    assert!(
        !config_dir.path().join("kv-unlisted.db").exists(),
        "a denied store was created"
    );
    assert!(
        !server.data_dir().join("sqlite_key_value.db").exists(),
        "the default store was created before any component opened it"
    );
    assert_eq!(kv(&server, "default/exists/x"), (200, "false".to_owned()));
}

/// Data survives a restart, in Spin's files and table layout: `spin_key_value(store, key,
/// value)` with the label as `store`, in `<data-dir>/sqlite_key_value.db` for `default`.
#[test]
fn key_value_persists_across_a_restart_in_spins_layout() {
    let (config_dir, config) = runtime_config_copy();
    let data = tempfile::tempdir().expect("temp dir");
    let data_dir = data.path().join("data");
    {
        let server = up_with_config(&config).data_dir(&data_dir).start();
        assert_eq!(
            kv(&server, "default/set/greeting?value=bonjour"),
            (200, "ok".to_owned())
        );
        assert_eq!(kv(&server, "extra/set/k?value=v"), (200, "ok".to_owned()));
    }
    {
        let again = up_with_config(&config).data_dir(&data_dir).start();
        assert_eq!(
            kv(&again, "default/get/greeting"),
            (200, "bonjour".to_owned())
        );
        assert_eq!(kv(&again, "extra/keys"), (200, r#"["k"]"#.to_owned()));
    }
    let rows = |file: std::path::PathBuf| -> Vec<(String, String, Vec<u8>)> {
        let db =
            rusqlite::Connection::open(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let columns: Vec<(String, String, i64, i64)> = db
            .prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info('spin_key_value') ORDER BY cid")
            .and_then(|mut stmt| {
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect()
            })
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(
            columns,
            vec![
                ("store".to_owned(), "TEXT".to_owned(), 1, 1),
                ("key".to_owned(), "TEXT".to_owned(), 1, 2),
                ("value".to_owned(), "BLOB".to_owned(), 1, 0),
            ],
            "{} does not have Spin's spin_key_value table",
            file.display()
        );
        db.prepare("SELECT store, key, value FROM spin_key_value ORDER BY store, key")
            .and_then(|mut stmt| {
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
    };
    assert_eq!(
        rows(data_dir.join("sqlite_key_value.db")),
        vec![(
            "default".to_owned(),
            "greeting".to_owned(),
            b"bonjour".to_vec()
        )]
    );
    assert_eq!(
        rows(config_dir.path().join("kv-extra.db")),
        vec![("extra".to_owned(), "k".to_owned(), b"v".to_vec())]
    );
}

/// `[key_value_store.default] type = "spin"` with a relative `path` moves the default
/// store to that path under the runtime config's directory (parents created), as Spin
/// resolves it. Two servers given that one runtime config share the store, and nothing
/// is cached per process: a write through one is read through the other at once, after
/// the reader has already read the key. (Runs two servers at once: needs two of the
/// `QMI_TESTS_SERVERS` slots, the default.)
#[test]
fn key_value_store_is_shared_by_processes_with_one_runtime_config() {
    let (config_dir, config) = runtime_config_copy();
    let mut text = std::fs::read_to_string(&config).expect("read runtime config");
    text.push_str("\n[key_value_store.default]\ntype = \"spin\"\npath = \"shared/kv.db\"\n");
    std::fs::write(&config, text).expect("write runtime config");

    let one = up_with_config(&config).start();
    let two = up_with_config(&config).start();
    assert_ne!(one.data_dir(), two.data_dir());
    assert_eq!(kv(&one, "default/get/k"), (404, "none".to_owned()));
    assert_eq!(kv(&two, "default/get/k"), (404, "none".to_owned()));

    assert_eq!(
        kv(&one, "default/set/k?value=first"),
        (200, "ok".to_owned())
    );
    assert_eq!(kv(&two, "default/get/k"), (200, "first".to_owned()));
    assert_eq!(
        kv(&two, "default/set/k?value=second"),
        (200, "ok".to_owned())
    );
    assert_eq!(kv(&one, "default/get/k"), (200, "second".to_owned()));
    assert_eq!(
        kv(&one, "default/set/other?value=x"),
        (200, "ok".to_owned())
    );
    assert_eq!(
        kv(&two, "default/keys"),
        (200, r#"["k","other"]"#.to_owned())
    );
    assert_eq!(kv(&two, "default/delete/k"), (200, "ok".to_owned()));
    assert_eq!(kv(&one, "default/exists/k"), (200, "false".to_owned()));

    assert!(
        config_dir.path().join("shared/kv.db").is_file(),
        "the default store is not at shared/kv.db beside the runtime config"
    );
    for server in [&one, &two] {
        assert!(
            !server.data_dir().join("sqlite_key_value.db").exists(),
            "the default store was opened in the data dir despite the runtime config"
        );
    }
}
