//! The `gateway` middleware over real HTTP (issue 3, item 4 and the attacks of "Done
//! when"): `qmi up` serves an application where the gateway fronts the `whoami`
//! fixture, which reports the internal headers it received. Tokens are signed here with
//! a fresh Ed25519 key whose public half the gateway gets through
//! `SPIN_VARIABLE_JWT_PUBLIC_KEY`; tenant statuses are seeded into Spin's key-value file.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use qmi_tests::Reply;
use qmi_tests::gateway::{GatewayApp, Keys, claims, now, raw_request};
use serde_json::{Value, json};

/// The cap on request bodies.
const CAP: usize = 1024 * 1024;

/// Communes seeded for every test: two running, one suspended; 92012 does not exist.
const TENANTS: &[(&str, &str)] = &[
    ("93066", "district"),
    ("75056", "member"),
    ("94081", "suspended"),
];

/// Decodes the `x-qmi-principal` header value whoami reports.
fn principal(report: &Value) -> Value {
    let raw = report["principal"]
        .as_str()
        .unwrap_or_else(|| panic!("no principal in {report:#}"));
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(raw).expect("base64url"))
        .expect("principal JSON")
}

/// Asserts a refusal: status, problem+json with the RFC 9457 members and a request id.
fn assert_problem(reply: &Reply, status: u16, slug: &str, path: &str) {
    assert_eq!(reply.status, status, "{reply:?}");
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json"),
        "{reply:?}"
    );
    let p = reply.json();
    assert_eq!(
        p["type"],
        format!("https://qmi.example/problems/{slug}"),
        "{p:#}"
    );
    assert_eq!(p["status"], status, "{p:#}");
    assert_eq!(p["instance"], path, "{p:#}");
    assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()), "{p:#}");
    assert!(p["detail"].as_str().is_some_and(|t| !t.is_empty()), "{p:#}");
    assert!(
        reply.header("x-request-id").is_some(),
        "no x-request-id on {reply:?}"
    );
}

/// Whether `s` is a hyphenated UUID v4.
fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && b[14] == b'4'
        && s.chars()
            .filter(|c| *c != '-')
            .all(|c| c.is_ascii_hexdigit())
}

#[test]
fn a_valid_token_passes_and_the_service_sees_the_principal() {
    let app = GatewayApp::start(TENANTS);
    let s = &app.server;
    let auth = app.bearer(&claims(&[], &[("93066", "admin")]));

    // A principal route: the service sees the verified principal and a request id.
    let r = s.get_with(
        "/api/me",
        &[
            ("authorization", &auth),
            ("x-qmi-principal", "eyJzdWIiOiJldmlsIn0"),
            ("x-qmi-tenant", "75056"),
            ("x-qmi-request-id", "forged"),
        ],
    );
    assert_eq!(r.status, 200, "{r:?}");
    let report = r.json();
    let p = principal(&report);
    assert_eq!(p["sub"], "0190c5f2-7a1b-7c3d-8e4f-000000000001");
    assert_eq!(p["name"], "Camille Martin");
    assert_eq!(p["mem"], json!({ "93066": "admin" }));
    assert_eq!(
        report["tenant"],
        Value::Null,
        "client x-qmi-tenant leaked: {report:#}"
    );
    let id = report["request_id"].as_str().expect("request id");
    assert!(is_uuid_v4(id), "{id}");
    assert_eq!(
        r.header("x-request-id"),
        Some(id),
        "response id differs from the internal one"
    );

    // A tenant route: the service sees the commune.
    let r = s.get_with("/api/communes/93066/members", &[("authorization", &auth)]);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["tenant"], "93066");

    // Anonymous on a public route: a client-sent principal is removed, not trusted.
    let r = s.get_with(
        "/api/communes",
        &[("x-qmi-principal", "eyJzdWIiOiJldmlsIn0")],
    );
    assert_eq!(r.status, 200, "{r:?}");
    let report = r.json();
    assert_eq!(
        report["principal"],
        Value::Null,
        "client x-qmi-principal leaked: {report:#}"
    );
    assert!(report["headers"].get("x-qmi-principal").is_none());
    assert!(r.header("x-request-id").is_some());
    // Each request gets its own id.
    let again = s.get("/api/communes");
    assert_ne!(again.header("x-request-id"), r.header("x-request-id"));

    // Public registry entry: anonymous allowed, tenant forwarded.
    let r = s.get("/api/communes/94081");
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["tenant"], "94081");
    for (method, path) in [
        ("POST", "/api/auth/token"),
        ("GET", "/api/health"),
        ("GET", "/api/openapi.json"),
    ] {
        let r = if method == "POST" {
            s.post(path, "{}", &[])
        } else {
            s.get(path)
        };
        assert_eq!(r.status, 200, "{method} {path}: {r:?}");
    }
}

#[test]
fn missing_tokens_and_every_attack_get_401() {
    let app = GatewayApp::start(TENANTS);
    let s = &app.server;
    let path = "/api/communes/93066/members";

    // No token on a principal route: 401 with a bare challenge.
    let r = s.get(path);
    assert_problem(&r, 401, "unauthenticated", path);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    assert_problem(&s.get("/api/me"), 401, "unauthenticated", "/api/me");

    let good = claims(&["programme"], &[("93066", "admin")]);
    let valid = app.keys.sign(&good);
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let parts: Vec<&str> = valid.split('.').collect();

    let mut attacks: Vec<(&str, String)> = Vec::new();
    // alg: none, with and without a signature part.
    let none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    attacks.push(("alg none", format!("{none}.{}.", b64(&good))));
    attacks.push((
        "alg none with the real signature",
        format!("{none}.{}.{}", b64(&good), parts[2]),
    ));
    // HS256 keyed with the public key (PEM text, and the PEM's base64 body).
    let hs = |secret: &[u8]| {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &good,
            &EncodingKey::from_secret(secret),
        )
        .expect("hs256")
    };
    attacks.push((
        "HS256 with the public PEM",
        hs(app.keys.public_pem.as_bytes()),
    ));
    let der_b64: String = app
        .keys
        .public_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    attacks.push(("HS256 with the public key body", hs(der_b64.as_bytes())));
    // Expired (beyond any leeway), not yet valid, wrong audience, wrong issuer.
    let edited = |edit: &dyn Fn(&mut Value)| {
        let mut c = good.clone();
        edit(&mut c);
        app.keys.sign(&c)
    };
    attacks.push(("expired", edited(&|c| c["exp"] = json!(now() - 600))));
    attacks.push(("not yet valid", edited(&|c| c["nbf"] = json!(now() + 600))));
    attacks.push(("wrong aud", edited(&|c| c["aud"] = json!("other-api"))));
    attacks.push(("wrong iss", edited(&|c| c["iss"] = json!("evil"))));
    attacks.push((
        "no exp",
        edited(&|c| {
            c.as_object_mut().unwrap().remove("exp");
        }),
    ));
    // Tampered payload keeping the signature: grant a membership in another commune.
    let mut tampered = good.clone();
    tampered["mem"] = json!({ "93066": "admin", "75056": "admin" });
    attacks.push((
        "tampered payload",
        format!("{}.{}.{}", parts[0], b64(&tampered), parts[2]),
    ));
    // Signed by another key.
    attacks.push(("another key", Keys::generate().sign(&good)));
    attacks.push(("garbage", "not.a.jwt".to_owned()));

    for (what, token) in &attacks {
        let r = s.get_with(path, &[("authorization", &format!("Bearer {token}"))]);
        assert_problem(&r, 401, "invalid-token", path);
        assert_eq!(
            r.header("www-authenticate"),
            Some("Bearer error=\"invalid_token\""),
            "{what}: {r:?}"
        );
        // A bad token is refused on public routes too, never downgraded to anonymous.
        let r = s.get_with(
            "/api/communes",
            &[("authorization", &format!("Bearer {token}"))],
        );
        assert_eq!(r.status, 401, "{what} on a public route: {r:?}");
    }

    // The untampered token passes, so the refusals above are the attacks' doing.
    let r = s.get_with(path, &[("authorization", &format!("Bearer {valid}"))]);
    assert_eq!(r.status, 200, "{r:?}");

    // Not a Bearer credential.
    let r = s.get_with(path, &[("authorization", "Basic dXNlcjpwYXNz")]);
    assert_problem(&r, 401, "invalid-authorization", path);
}

#[test]
fn tenant_routes_need_standing_in_the_commune() {
    let app = GatewayApp::start(TENANTS);
    let s = &app.server;
    let get = |path: &str, c: &Value| s.get_with(path, &[("authorization", &app.bearer(c))]);

    let member_a = claims(&[], &[("93066", "agent")]);
    let a = "/api/communes/93066/members";
    let b = "/api/communes/75056/members";
    assert_eq!(get(a, &member_a).status, 200);
    assert_eq!(
        s.post(a, "{}", &[("authorization", &app.bearer(&member_a))])
            .status,
        200
    );
    assert_problem(&get(b, &member_a), 403, "forbidden", b);
    assert_problem(
        &get("/api/communes/75056/calls/1", &member_a),
        403,
        "forbidden",
        "/api/communes/75056/calls/1",
    );
    // No standing and no such commune: 403, existence not revealed.
    assert_eq!(get("/api/communes/92012/members", &member_a).status, 403);
    // A member of a commune that no longer exists: 404.
    let ghost = claims(&[], &[("92012", "admin")]);
    assert_problem(
        &get("/api/communes/92012/members", &ghost),
        404,
        "tenant-not-found",
        "/api/communes/92012/members",
    );

    // A programme operator passes on any commune, suspended ones included; 404 on none.
    let programme = claims(&["programme"], &[]);
    for path in [a, b, "/api/communes/94081/members"] {
        assert_eq!(get(path, &programme).status, 200, "programme on {path}");
    }
    assert_eq!(get("/api/communes/92012/members", &programme).status, 404);
    assert_eq!(get("/api/admin/communes", &programme).status, 200);

    // A suspended commune's member: 403 `tenant-suspended` (their token is valid; the
    // policy refuses them), even though they hold a membership there.
    let suspended_member = claims(&[], &[("94081", "admin")]);
    let path = "/api/communes/94081/members";
    let r = get(path, &suspended_member);
    assert_problem(&r, 403, "tenant-suspended", path);
    assert_eq!(r.header("www-authenticate"), None, "{r:?}");

    // Hosting operators never reach tenant routes, whatever else they hold.
    let hosting = claims(&["hosting"], &[("93066", "admin")]);
    assert_eq!(get("/api/admin/communes", &hosting).status, 200);
    assert_eq!(get("/api/me", &hosting).status, 200);
    assert_problem(&get(a, &hosting), 403, "forbidden", a);
    // Admin routes are for operators only.
    assert_problem(
        &get("/api/admin/communes", &member_a),
        403,
        "forbidden",
        "/api/admin/communes",
    );

    // A malformed commune code is a 400 naming the field; dot segments are refused.
    let r = get("/api/communes/9306/members", &programme);
    assert_problem(&r, 400, "invalid-tenant", "/api/communes/9306/members");
    assert_eq!(r.json()["errors"][0]["field"], "insee");
    let r = raw_request(
        s.authority(),
        &format!(
            "GET /api/communes/93066/../75056/members HTTP/1.1\r\nAuthorization: {}\r\nConnection: close",
            app.bearer(&member_a)
        ),
        Vec::new(),
    );
    assert_eq!(r.status, 400, "{r:?}");
}

/// The gateway keeps no rule of its own (issue 11, finding 4): what it admits is
/// what the policy's rules (`qmi_rules::gate::admit`, derived from `decide`) say.
/// Before, it let an account holding both operator roles into tenant routes the
/// policy refuses it, and refused hosting operators routes the policy leaves to the
/// services' per-record decisions.
#[test]
fn admission_is_the_policys_for_dual_role_accounts_and_reviewers() {
    let app = GatewayApp::start(TENANTS);
    let s = &app.server;
    let get = |path: &str, c: &Value| s.get_with(path, &[("authorization", &app.bearer(c))]);
    let a = "/api/communes/93066/members";

    // Hosting and programme at once: separation of duties, no tenant content —
    // not even a suspended commune's — yet the registry's administration.
    let both = claims(&["hosting", "programme"], &[]);
    let r = get(a, &both);
    assert_problem(&r, 403, "forbidden", a);
    assert!(
        r.json()["detail"].as_str().unwrap().contains("hosting"),
        "{r:?}"
    );
    assert_problem(
        &get("/api/communes/94081/members", &both),
        403,
        "forbidden",
        "/api/communes/94081/members",
    );
    assert_eq!(get("/api/admin/communes", &both).status, 200);
    // A programme operator alone reaches them.
    assert_eq!(get(a, &claims(&["programme"], &[])).status, 200);

    // A hosting operator's other routes are the services' to decide per record.
    let hosting = claims(&["hosting"], &[]);
    assert_eq!(get("/api/organisations", &hosting).status, 200);

    // A reviewer reaches the commune's routes as every member does (the services
    // then refuse what the policy refuses them, e.g. the staff directory), not
    // another commune's, and not a suspended one's.
    let reviewer = claims(&[], &[("93066", "reviewer"), ("94081", "reviewer")]);
    let r = get(a, &reviewer);
    assert_eq!(
        (r.status, r.json()["tenant"].as_str()),
        (200, Some("93066")),
        "{r:?}"
    );
    assert_problem(
        &get("/api/communes/75056/members", &reviewer),
        403,
        "forbidden",
        "/api/communes/75056/members",
    );
    assert_problem(
        &get("/api/communes/94081/members", &reviewer),
        403,
        "tenant-suspended",
        "/api/communes/94081/members",
    );
    assert_problem(
        &get("/api/admin/communes", &reviewer),
        403,
        "forbidden",
        "/api/admin/communes",
    );
}

/// Stale rights (issue 11, finding 7): a token carries the account's rights version
/// (`rv`); once `identity` raises `rights/<sub>` in the shared store, every token
/// issued before is refused on the next request, on every route, with 401
/// `invalid_token` — its holder refreshes it.
#[test]
fn a_token_older_than_the_accounts_rights_is_refused_at_once() {
    let app = GatewayApp::start(TENANTS);
    let s = &app.server;
    let sub = "0190c5f2-7a1b-7c3d-8e4f-000000000001";
    let with_rv = |rv: Option<u64>| {
        let mut c = claims(&[], &[("93066", "admin")]);
        if let Some(rv) = rv {
            c["rv"] = json!(rv);
        }
        app.bearer(&c)
    };
    let (absent, v1, v2) = (with_rv(None), with_rv(Some(1)), with_rv(Some(2)));
    let a = "/api/communes/93066/members";
    // Never raised: every token counts (absent `rv` is 0).
    for t in [&absent, &v1, &v2] {
        assert_eq!(s.get_with(a, &[("authorization", t)]).status, 200);
    }

    // The rights change while the server runs: tokens of version 0 stop at once.
    app.set_keys(&[(&format!("rights/{sub}"), "1")]);
    for path in [a, "/api/me", "/api/communes", "/api/organisations"] {
        let r = s.get_with(path, &[("authorization", &absent)]);
        assert_problem(&r, 401, "invalid-token", path);
        assert!(
            r.json()["detail"]
                .as_str()
                .unwrap()
                .contains("rights changed, refresh the token"),
            "{r:?}"
        );
        assert_eq!(
            r.header("www-authenticate"),
            Some(
                "Bearer error=\"invalid_token\", error_description=\"rights changed, refresh the token\""
            ),
            "{path}: {r:?}"
        );
    }
    assert_eq!(s.get_with(a, &[("authorization", &v1)]).status, 200);
    app.set_keys(&[(&format!("rights/{sub}"), "2")]);
    assert_problem(
        &s.get_with(a, &[("authorization", &v1)]),
        401,
        "invalid-token",
        a,
    );
    assert_eq!(s.get_with(a, &[("authorization", &v2)]).status, 200);

    // Another account's rights are its own; anonymous requests read nothing.
    let mut other = claims(&[], &[("93066", "admin")]);
    other["sub"] = json!("0190c5f2-7a1b-7c3d-8e4f-000000000002");
    assert_eq!(
        s.get_with(a, &[("authorization", &app.bearer(&other))])
            .status,
        200
    );
    assert_eq!(s.get("/api/communes").status, 200);

    // An unreadable version is not a guess: 503.
    app.set_keys(&[(&format!("rights/{sub}"), "two")]);
    assert_problem(
        &s.get_with(a, &[("authorization", &v2)]),
        503,
        "gateway-unavailable",
        a,
    );
}

#[test]
fn bodies_over_the_cap_get_413_with_or_without_content_length() {
    let app = GatewayApp::start(TENANTS);
    let s = &app.server;
    let auth = app.bearer(&claims(&[], &[("93066", "admin")]));
    let path = "/api/communes/93066/documents";
    let head = |extra: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nAuthorization: {auth}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n{extra}"
        )
    };

    // Declared over the cap: refused before the body is read.
    let r = raw_request(
        s.authority(),
        &head(&format!("Content-Length: {}", CAP + 1)),
        vec![b'x'; CAP + 1],
    );
    assert_eq!(r.status, 413, "{r:?}");
    assert_eq!(
        r.headers.get("content-type").map(String::as_str),
        Some("application/problem+json")
    );
    assert_eq!(
        r.json()["type"],
        "https://qmi.example/problems/payload-too-large"
    );
    assert!(r.headers.contains_key("x-request-id"));
    // Declared over the cap, no body sent at all: still 413, without waiting for it.
    let r = raw_request(s.authority(), &head("Content-Length: 50000000"), Vec::new());
    assert_eq!(r.status, 413, "{r:?}");

    // Exactly the cap with content-length: forwarded whole.
    let r = raw_request(
        s.authority(),
        &head(&format!("Content-Length: {CAP}")),
        vec![b'x'; CAP],
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["body_len"], CAP);

    // Chunked: counted while streaming.
    let chunked = |len: usize| {
        let mut body = Vec::new();
        let data = vec![b'y'; 64 * 1024];
        let mut left = len;
        while left > 0 {
            let n = left.min(data.len());
            body.extend_from_slice(format!("{n:x}\r\n").as_bytes());
            body.extend_from_slice(&data[..n]);
            body.extend_from_slice(b"\r\n");
            left -= n;
        }
        body.extend_from_slice(b"0\r\n\r\n");
        body
    };
    let r = raw_request(
        s.authority(),
        &head("Transfer-Encoding: chunked"),
        chunked(CAP + 1),
    );
    assert_eq!(r.status, 413, "{r:?}");
    assert_eq!(r.json()["status"], 413);
    let r = raw_request(
        s.authority(),
        &head("Transfer-Encoding: chunked"),
        chunked(3 * CAP),
    );
    assert_eq!(r.status, 413, "{r:?}");
    let r = raw_request(
        s.authority(),
        &head("Transfer-Encoding: chunked"),
        chunked(CAP),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let report = r.json();
    assert_eq!(report["body_len"], CAP, "{report:#}");
    assert_eq!(report["headers"]["content-length"], CAP.to_string());
    assert!(report["headers"].get("transfer-encoding").is_none());
}

#[test]
fn forbidden_hop_by_hop_headers_never_give_500() {
    let app = GatewayApp::start(TENANTS);
    let s = &app.server;
    let auth = app.bearer(&claims(&[], &[("93066", "admin")]));
    let cases: &[(&str, &str)] = &[
        ("Connection: keep-alive, x-foo\r\nX-Foo: bar", "connection"),
        ("Keep-Alive: timeout=5", "keep-alive"),
        ("Connection: Upgrade\r\nUpgrade: h2c", "upgrade"),
        (
            "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA",
            "http2-settings",
        ),
        ("Proxy-Authorization: Basic eDp4", "proxy-authorization"),
        ("Proxy-Authenticate: Basic realm=x", "proxy-authenticate"),
        ("Proxy-Connection: keep-alive", "proxy-connection"),
        ("Transfer-Encoding: chunked", "transfer-encoding"),
    ];
    for path in ["/api/communes/93066/members", "/api/communes"] {
        for (headers, name) in cases {
            let chunked = headers.starts_with("Transfer-Encoding");
            let (method, body) = if chunked {
                ("POST", b"5\r\nhello\r\n0\r\n\r\n".to_vec())
            } else {
                ("GET", Vec::new())
            };
            let head = format!("{method} {path} HTTP/1.1\r\nAuthorization: {auth}\r\n{headers}");
            let r = raw_request(s.authority(), &head, body);
            assert_eq!(r.status, 200, "{name} on {path}: {r:?}");
            let report = r.json();
            assert!(
                report["headers"].get(*name).is_none(),
                "{name} reached the service: {report:#}"
            );
            assert!(
                report["headers"].get("host").is_none(),
                "host reached the service: {report:#}"
            );
            assert!(r.headers.contains_key("x-request-id"));
            if chunked {
                assert_eq!(report["body_len"], 5, "{report:#}");
            }
        }
    }
}

#[test]
fn responses_of_every_kind_carry_a_request_id() {
    let app = GatewayApp::start(TENANTS);
    let s = &app.server;
    for r in [
        s.get("/api/communes"),
        s.get("/api/me"),
        s.get_with("/api/me", &[("authorization", "Bearer x.y.z")]),
        s.get_with(
            "/api/communes/9306/members",
            &[("authorization", &app.bearer(&claims(&["programme"], &[])))],
        ),
    ] {
        let id = r
            .header("x-request-id")
            .unwrap_or_else(|| panic!("no x-request-id: {r:?}"));
        assert!(is_uuid_v4(id), "{id}");
    }
}

#[test]
fn head_requests_get_the_get_headers_without_a_body() {
    let app = GatewayApp::start(TENANTS);
    let s = &app.server;
    let auth = app.bearer(&claims(&[], &[("93066", "admin")]));
    for (path, headers) in [
        ("/api/communes", vec![]),
        (
            "/api/communes/93066/members",
            vec![("authorization", auth.as_str())],
        ),
    ] {
        let get = s.get_with(path, &headers);
        assert_eq!(get.status, 200, "GET {path}: {get:?}");
        let head = s.head_with(path, &headers);
        assert_eq!(head.status, 200, "HEAD {path}: {head:?}");
        assert!(head.body.is_empty(), "HEAD {path} sent a body: {head:?}");
        assert_eq!(
            head.header("content-type"),
            get.header("content-type"),
            "HEAD {path}"
        );
        let length: usize = head
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("HEAD {path} without content-length: {head:?}"));
        assert!(length > 0, "HEAD {path}: {head:?}");
        assert!(
            head.header("x-request-id").is_some_and(is_uuid_v4),
            "HEAD {path}: {head:?}"
        );
    }
}
