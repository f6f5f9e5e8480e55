//! More than one process (issue 17, item 6): two `qmi up` replicas on
//! different ports over one directory's databases and one Redis key-value
//! store — Spin's `[key_value_store.default] type = "redis"` — serve the app
//! consistently: what one writes the other reads, and a suspension or a
//! removed membership made through one is refused by the other at once. Also
//! the Redis store seen through a component (the conformance fixture `kv`),
//! with its keys as Spin keeps them.
//!
//! The databases come from the runtime config each test writes (today the
//! application's SQLite files, which processes on one machine share); the
//! servers each use a throwaway `redis-server` (installed by `scripts/test`).
//! Only one test here runs two servers: with the default two server slots, two
//! such tests running at once would each hold one slot and wait for the other.

use qmi_tests::app::{self, Replicas};
use qmi_tests::http::{Body, Client, Res};
use qmi_tests::redis::RedisServer;
use qmi_tests::{Qmi, QmiServer, fixture_runtime_config};
use redis::Commands as _;
use serde_json::{Value, json};

const DEMO_PASSWORD: &str = "replicas-tests-password";

/// The shared JSON client (a 5xx fails the test), with this file's shorthands.
struct Api<'a> {
    client: Client<'a>,
}

impl<'a> Api<'a> {
    fn new(server: &'a QmiServer) -> Self {
        Self {
            client: Client::new(server),
        }
    }

    fn get(&self, path: &str, token: Option<&str>) -> Res {
        self.client.request("GET", path, token, Body::None, &[])
    }

    fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Res {
        let body = Body::Bytes("application/json", body.to_string().into_bytes());
        self.client.request("POST", path, token, body, &[])
    }

    fn delete(&self, path: &str, token: Option<&str>) -> Res {
        self.client.request("DELETE", path, token, Body::None, &[])
    }

    fn token(&self, email: &str) -> String {
        let r = self.post(
            "/api/auth/token",
            None,
            &json!({ "email": email, "password": DEMO_PASSWORD }),
        );
        assert_eq!(r.status, 200, "sign-in of {email}: {r:?}");
        r.str("access_token")
    }

    /// The account id of whoever holds `token`.
    fn account_id(&self, token: &str) -> String {
        let me = self.get("/api/me", Some(token));
        assert_eq!(me.status, 200, "GET /api/me: {me:?}");
        me.str("id")
    }

    /// `email` joins commune `insee` with `role`, invited through this server by
    /// the programme operator (the invitation e-mail is read from its mailbox).
    fn new_member(&self, programme: &str, insee: &str, email: &str, role: &str) {
        qmi_tests::invite::to_commune(
            self.client.server,
            programme,
            insee,
            email,
            role,
            Some(email),
            DEMO_PASSWORD,
        );
    }
}

/// Asserts a problem+json refusal with `status` and problem type `slug`.
fn assert_refused(r: &Res, status: u16, slug: &str) {
    assert_eq!(r.status, status, "{r:?}");
    assert!(
        r.content_type.starts_with("application/problem+json"),
        "{r:?}"
    );
    assert_eq!(r.problem(), slug, "{r:?}");
}

/// A string value of the Redis store, if the key is there.
fn redis_value(conn: &mut redis::Connection, key: &str) -> Option<String> {
    conn.get(key).expect("GET from the test Redis server")
}

/// Two replicas of identity (and its gateway) started at once over one
/// directory's databases and one Redis key-value store. The start-up
/// publication puts the database's statuses and rights versions into Redis —
/// correcting a status older than the database, removing a rights version the
/// database does not hold, leaving other keys alone — and no key-value file is
/// created. Then (a) a commune and its members created through one are read
/// through the other; (b) a suspension made through one is refused by the other
/// at once, and a resumption through the other admitted by the first; (c) a
/// membership removed through one stops, on the other, the token the other
/// issued, at once.
#[test]
fn two_replicas_share_the_databases_and_one_redis_store() {
    let redis = RedisServer::start();
    let mut conn = redis.connect();
    // What an older deployment may have left: a stale status, a version for an
    // account the database does not know, and a key that is not the gateway's.
    let _: () = conn.set("tenant-status/93066", "suspended").unwrap();
    let _: () = conn.set("rights/no-such-account", "7").unwrap();
    let _: () = conn.set("unrelated", "kept").unwrap();

    let replicas = Replicas::start(
        &["identity"],
        DEMO_PASSWORD,
        &app::runtime_config_with_redis(&redis.url()),
        2,
    );
    let [one, two] = &replicas.servers[..] else {
        panic!("two replicas were asked for");
    };
    assert_eq!(
        redis_value(&mut conn, "tenant-status/93066").as_deref(),
        Some("district"),
        "the start-up publication did not correct a stale status"
    );
    assert_eq!(redis_value(&mut conn, "rights/no-such-account"), None);
    assert_eq!(redis_value(&mut conn, "unrelated").as_deref(), Some("kept"));
    for dir in [
        replicas.dir().join(".spin"),
        one.data_dir().to_path_buf(),
        two.data_dir().to_path_buf(),
    ] {
        assert!(
            !dir.join("sqlite_key_value.db").exists(),
            "a key-value file was created in {} despite the Redis store",
            dir.display()
        );
    }

    let (a, b) = (Api::new(one), Api::new(two));
    let hosting = a.token("hosting@qmi.example");
    let programme = b.token("programme@qmi.example");

    // (a) Written through the first, read through the second.
    let r = a.post(
        "/api/admin/communes",
        Some(&hosting),
        &json!({ "insee": "01004", "name": "Ambérieu-en-Bugey", "status": "candidate" }),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let r = b.get("/api/communes/01004", None);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["name"], "Ambérieu-en-Bugey", "{r:?}");
    assert_eq!(
        redis_value(&mut conn, "tenant-status/01004").as_deref(),
        Some("candidate"),
        "identity did not publish the new commune's status in Redis"
    );
    a.new_member(&programme, "01004", "maire@amberieu.example", "admin");
    a.new_member(&programme, "01004", "agent@amberieu.example", "agent");
    let members = "/api/communes/01004/members";
    let admin = b.token("maire@amberieu.example");
    let agent = b.token("agent@amberieu.example");
    let listed = b.get(members, Some(&admin));
    assert_eq!(listed.status, 200, "{listed:?}");
    assert!(
        listed.text.contains("agent@amberieu.example"),
        "the member added through the first is not listed by the second: {listed:?}"
    );
    assert_eq!(a.get(members, Some(&agent)).status, 200);

    // (b) Suspended through the first: refused through the second at once.
    let r = a.post(
        "/api/admin/communes/01004/suspend",
        Some(&hosting),
        &json!({ "reason": "replicas test" }),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_refused(&b.get(members, Some(&admin)), 403, "tenant-suspended");
    assert_refused(&a.get(members, Some(&admin)), 403, "tenant-suspended");
    let r = b.post(
        "/api/admin/communes/01004/resume",
        Some(&hosting),
        &json!({}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(a.get(members, Some(&admin)).status, 200);

    // (c) A membership removed through the first: the token the second issued
    // stops on the second at once (and on the first).
    let agent_id = a.account_id(&agent);
    assert_eq!(b.get(members, Some(&agent)).status, 200);
    let r = a.delete(&format!("{members}/{agent_id}"), Some(&admin));
    assert_eq!(r.status, 204, "{r:?}");
    for api in [&b, &a] {
        let r = api.get(members, Some(&agent));
        assert_refused(&r, 401, "invalid-token");
        assert!(
            r.text.contains("rights changed, refresh the token"),
            "{r:?}"
        );
    }
    assert!(
        redis_value(&mut conn, &format!("rights/{agent_id}")).is_some(),
        "the raised rights version is not in Redis"
    );
}

/// The conformance fixture `kv` on a server whose stores `default` and `extra`
/// are both on one Redis server: get, set, exists, delete and get-keys through
/// the interface; each key stored in Redis under its own name — as Spin does,
/// not prefixed by label, so the two labels share their keys and get-keys lists
/// the server's keys —; a missing key reads as none; a store that is not
/// declared is still refused.
#[test]
fn the_redis_store_through_a_component_keeps_keys_as_spin_does() {
    let redis = RedisServer::start();
    let mut conn = redis.connect();
    let config_dir = tempfile::tempdir().unwrap();
    let mut config = std::fs::read_to_string(fixture_runtime_config()).unwrap();
    config = config.replace(
        "[key_value_store.extra]\ntype = \"spin\"\npath = \"kv-extra.db\"\n",
        &format!(
            "[key_value_store.extra]\ntype = \"redis\"\nurl = \"{}\"\n",
            redis.url()
        ),
    );
    config.push_str(&format!(
        "\n[key_value_store.default]\ntype = \"redis\"\nurl = \"{}\"\n",
        redis.url()
    ));
    let config_path = config_dir.path().join("runtime-config.toml");
    std::fs::write(&config_path, config).unwrap();
    let server = Qmi::up()
        .flag("--runtime-config-file", config_path.to_str().unwrap())
        .without_runtime_config()
        .start();
    let kv = |path: &str| {
        let r = server.get(&format!("/kv/{path}"));
        assert!(r.status < 500, "{r:?}");
        (r.status, r.body)
    };

    assert_eq!(kv("default/get/k"), (404, "none".to_owned()));
    assert_eq!(kv("default/exists/k"), (200, "false".to_owned()));
    assert_eq!(kv("default/set/k?value=first"), (200, "ok".to_owned()));
    assert_eq!(redis_value(&mut conn, "k").as_deref(), Some("first"));
    assert_eq!(kv("default/get/k"), (200, "first".to_owned()));
    assert_eq!(kv("default/exists/k"), (200, "true".to_owned()));
    // One server, one key space: the other label reads and lists the same keys.
    assert_eq!(kv("extra/get/k"), (200, "first".to_owned()));
    assert_eq!(kv("extra/set/other?value=x"), (200, "ok".to_owned()));
    let _: () = conn.set("written-elsewhere", "y").unwrap();
    assert_eq!(
        kv("default/keys"),
        (200, r#"["k","other","written-elsewhere"]"#.to_owned())
    );
    assert_eq!(kv("default/delete/k"), (200, "ok".to_owned()));
    assert_eq!(redis_value(&mut conn, "k"), None);
    assert_eq!(kv("extra/exists/k"), (200, "false".to_owned()));
    assert_eq!(kv("default/delete/k"), (200, "ok".to_owned()));
    assert_eq!(kv("unlisted/get/k"), (403, "access-denied".to_owned()));
    assert!(
        !config_dir.path().join("kv-extra.db").exists()
            && !server.data_dir().join("sqlite_key_value.db").exists(),
        "a key-value file was created despite the Redis stores"
    );
}

/// A Redis URL the client cannot use stops `qmi up` at start-up, naming the
/// store, as Spin refuses it when it reads the runtime config.
#[test]
fn an_invalid_redis_url_stops_the_server_at_start_up() {
    let config_dir = tempfile::tempdir().unwrap();
    let mut config = std::fs::read_to_string(fixture_runtime_config()).unwrap();
    config
        .push_str("\n[key_value_store.default]\ntype = \"redis\"\nurl = \"http://127.0.0.1:1\"\n");
    let config_path = config_dir.path().join("runtime-config.toml");
    std::fs::write(&config_path, config).unwrap();
    let failure = Qmi::up()
        .flag("--runtime-config-file", config_path.to_str().unwrap())
        .without_runtime_config()
        .expect_failure();
    assert!(
        failure
            .stderr
            .contains("key-value store \"default\": invalid Redis URL"),
        "{failure:?}"
    );
}
