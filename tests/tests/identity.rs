//! Identity over HTTP through `qmi up` with the root `spin.toml` (gateway in front):
//! the tenant registry against the data file, tenant isolation, organisations,
//! problem+json errors, sign-in throttling, refresh rotation, logout, the OpenAPI
//! document, and the gateway on every `/api` trigger.

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use qmi_tests::app::{self, root_manifest};
use qmi_tests::http::{Body, Client, Res};
use qmi_tests::{QmiServer, workspace_root};
use serde_json::{Value, json};

const DEMO_PASSWORD: &str = "identity-tests-password";

/// `qmi up` on the root manifest, identity (and its gateway) only, demo data seeded.
fn server() -> QmiServer {
    app::serve(&["identity"], DEMO_PASSWORD)
}

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

    /// One request with an optional body given as (content type, text).
    fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, &str)>,
    ) -> Res {
        let body = match body {
            Some((content_type, text)) => Body::Bytes(content_type, text.as_bytes().to_vec()),
            None => Body::None,
        };
        self.client.request(method, path, token, body, &[])
    }

    fn get(&self, path: &str, token: Option<&str>) -> Res {
        self.send("GET", path, token, None)
    }

    fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Res {
        self.send(
            "POST",
            path,
            token,
            Some(("application/json", &body.to_string())),
        )
    }

    fn sign_in(&self, email: &str) -> Value {
        let r = self.post(
            "/api/auth/token",
            None,
            &json!({ "email": email, "password": DEMO_PASSWORD }),
        );
        assert_eq!(r.status, 200, "sign-in of {email}: {r:?}");
        r.body
    }

    /// The account id of whoever holds `token` (`GET /api/me`): no test spells a
    /// demo account's id.
    fn account_id(&self, token: &str) -> String {
        let me = self.get("/api/me", Some(token));
        assert_eq!(me.status, 200, "GET /api/me: {me:?}");
        me.str("id")
    }

    /// The id of the organisation of `email`'s account (`GET /api/me`).
    fn organisation_of(&self, email: &str) -> String {
        let me = self.get("/api/me", Some(&self.token(email)));
        me.body["organisation"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{email} has no organisation: {me:?}"))
            .to_owned()
    }

    fn token(&self, email: &str) -> String {
        self.sign_in(email)["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// The claims of an access token (its payload, not verified: the test reads
/// what identity issued).
fn claims_of(token: &str) -> Value {
    let payload = token
        .split('.')
        .nth(1)
        .unwrap_or_else(|| panic!("not a JWT: {token}"));
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// The data file's rows: (insee, name, population).
fn csv_rows() -> Vec<(String, String, u64)> {
    let text = std::fs::read_to_string(workspace_root().join("data/communes-mgp.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "insee,name,departement,ept_code,ept_name,population,status"
    );
    lines
        .map(|l| {
            // Names and territories hold no commas or quotes in this data set.
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 7, "{l}");
            (f[0].to_owned(), f[1].to_owned(), f[5].parse().unwrap())
        })
        .collect()
}

fn assert_problem(r: &Res, status: u16) {
    assert_eq!(r.status, status, "{r:?}");
    assert!(
        r.content_type.starts_with("application/problem+json"),
        "{r:?}"
    );
    assert_eq!(r.body["status"], status, "{r:?}");
    assert!(
        r.body["type"].as_str().unwrap().starts_with("https://"),
        "{r:?}"
    );
}

#[test]
fn registry_is_exactly_the_current_mgp_communes_of_the_data_file() {
    let server = server();
    let api = Api::new(&server);
    let rows = csv_rows();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/communes?limit=17&cursor={c}"),
            None => "/api/communes?limit=17".to_owned(),
        };
        let r = api.get(&path, None);
        assert_eq!(r.status, 200, "{r:?}");
        let items = r.body["items"].as_array().unwrap();
        assert!(items.len() <= 17);
        seen.extend(items.iter().cloned());
        pages += 1;
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(pages < 100, "pagination does not end");
    }
    let codes: Vec<&str> = seen.iter().map(|c| c["insee"].as_str().unwrap()).collect();
    let unique: BTreeSet<&str> = codes.iter().copied().collect();
    assert_eq!(unique.len(), codes.len(), "duplicates across pages");
    assert_eq!(
        codes.len(),
        rows.len(),
        "registry size vs data/communes-mgp.csv"
    );
    assert_eq!(
        unique,
        rows.iter().map(|r| r.0.as_str()).collect::<BTreeSet<_>>()
    );
    assert_eq!(pages, rows.len().div_ceil(17));
    for (insee, name, population) in rows.iter().filter(|r| r.0 == "75056" || r.0 == "93066") {
        let c = seen.iter().find(|c| c["insee"] == insee.as_str()).unwrap();
        assert_eq!(c["name"], name.as_str());
        assert_eq!(c["population"], *population, "{insee}");
        let one = api.get(&format!("/api/communes/{insee}"), None);
        assert_eq!(one.body["population"], *population);
    }
    let paris = seen.iter().find(|c| c["insee"] == "75056").unwrap();
    assert_eq!(
        (paris["ept_name"].as_str(), paris["status"].as_str()),
        (Some("Paris"), Some("district"))
    );
    // Pierrefitte-sur-Seine merged into Saint-Denis on 2025-01-01: not a tenant.
    assert!(!unique.contains("93059"));
    assert_problem(&api.get("/api/communes/93059", None), 404);
}

#[test]
fn registry_filters_and_limits() {
    let server = server();
    let api = Api::new(&server);
    let districts = api.get("/api/communes?status=district", None);
    let codes: BTreeSet<&str> = districts.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["insee"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["75056", "93048", "93066"].into_iter().collect());
    // Accent- and case-insensitive name search.
    let r = api.get("/api/communes?q=L%27ILE%20saint%20denis", None);
    assert_eq!(r.body["items"][0]["insee"], "93039", "{r:?}");
    let r = api.get("/api/communes?q=fosses&departement=94", None);
    assert!(
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Saint-Maur-des-Fossés"),
        "{r:?}"
    );
    let all_93 = api.get("/api/communes?departement=93&limit=500", None);
    assert!(
        all_93.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["departement"] == "93")
    );
    for bad in ["limit=501", "limit=0", "limit=ten"] {
        let r = api.get(&format!("/api/communes?{bad}"), None);
        assert_problem(&r, 400);
        assert_eq!(r.body["errors"][0]["field"], "limit", "{bad}");
    }
    let r = api.get("/api/communes?status=dormant", None);
    assert_eq!(r.body["errors"][0]["field"], "status");
    let r = api.get("/api/communes?cursor=garbage!", None);
    assert_eq!(r.body["errors"][0]["field"], "cursor");
    assert_eq!(
        api.get("/api/communes?limit=500", None).body["items"]
            .as_array()
            .unwrap()
            .len(),
        csv_rows().len()
    );
}

#[test]
fn figures_and_the_territory_filter_count_what_the_data_file_holds() {
    let server = server();
    let api = Api::new(&server);
    let text = std::fs::read_to_string(workspace_root().join("data/communes-mgp.csv")).unwrap();
    // (departement, ept_code, ept_name, population, status) of every row.
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    let tally = |key: usize| {
        let mut out: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
        for r in &rows {
            let e = out.entry(r[key].clone()).or_default();
            e.0 += 1;
            e.1 += r[5].parse::<u64>().unwrap();
        }
        out
    };
    let as_map = |v: &Value| -> std::collections::BTreeMap<String, (u64, u64)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["code"].as_str().unwrap().to_owned(),
                    (
                        t["communes"].as_u64().unwrap(),
                        t["population"].as_u64().unwrap(),
                    ),
                )
            })
            .collect()
    };

    let f = api.get("/api/figures", None);
    assert_eq!(f.status, 200, "{f:?}");
    assert_eq!(f.body["communes"], rows.len() as u64);
    assert_eq!(
        f.body["population"],
        rows.iter()
            .map(|r| r[5].parse::<u64>().unwrap())
            .sum::<u64>()
    );
    // Statuses come from the registry as the demo seed left it.
    let mut by_status: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    for c in api.get("/api/communes?limit=500", None).body["items"]
        .as_array()
        .unwrap()
    {
        let e = by_status
            .entry(c["status"].as_str().unwrap().to_owned())
            .or_default();
        e.0 += 1;
        e.1 += c["population"].as_u64().unwrap();
    }
    assert_eq!(as_map(&f.body["by_status"]), by_status);
    assert!(
        by_status.get("district").is_some_and(|d| d.0 >= 3),
        "{by_status:?}"
    );
    assert_eq!(as_map(&f.body["by_departement"]), tally(2));
    assert_eq!(as_map(&f.body["by_territory"]), tally(3));
    let territories = f.body["by_territory"].as_array().unwrap();
    let counts: Vec<u64> = territories
        .iter()
        .map(|t| t["communes"].as_u64().unwrap())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "largest territory first: {counts:?}"
    );
    let plaine = territories
        .iter()
        .find(|t| t["code"] == "200057867")
        .expect("Plaine Commune");
    assert_eq!(plaine["name"], "Plaine Commune");

    // The territory filter: exactly the data file's communes of that territory.
    let r = api.get("/api/communes?territory=200057867&limit=500", None);
    assert_eq!(r.status, 200, "{r:?}");
    let listed: BTreeSet<String> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["insee"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = rows
        .iter()
        .filter(|r| r[3] == "200057867")
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(listed.len() as u64, plaine["communes"].as_u64().unwrap());
    let r = api.get("/api/communes?territory=200057867&status=district", None);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{r:?}");
    let r = api.get("/api/communes?territory=plaine%20commune", None);
    assert_problem(&r, 400);
    assert_eq!(r.body["errors"][0]["field"], "territory", "{r:?}");

    // Named communes: exactly those asked for (a code twice counts once; one
    // outside the registry is simply absent), a malformed code names the field.
    let r = api.get("/api/communes?insee=93066,%2093048,93066,75056,99999", None);
    assert_eq!(r.status, 200, "{r:?}");
    let listed: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["insee"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["75056", "93048", "93066"]);
    assert_eq!(r.body["items"][2]["name"], "Saint-Denis");
    let r = api.get("/api/communes?insee=93066,montreuil", None);
    assert_problem(&r, 400);
    assert_eq!(r.body["errors"][0]["field"], "insee", "{r:?}");
    let too_many: Vec<String> = (0..501).map(|n| format!("{:05}", 10_000 + n)).collect();
    let r = api.get(&format!("/api/communes?insee={}", too_many.join(",")), None);
    assert_problem(&r, 400);
    assert_eq!(r.body["errors"][0]["field"], "insee", "{r:?}");
}

/// Every tenant route of identity, for a commune.
/// A refusal decided by the `policy` component: its problem type names the refusal code.
fn assert_refused(r: &Res, status: u16, code: &str) {
    assert_problem(r, status);
    assert_eq!(
        r.body["type"].as_str().unwrap().rsplit('/').next(),
        Some(code),
        "{r:?}"
    );
}

/// The routes of commune `insee`'s people (`member`: an account id to remove).
fn tenant_routes(insee: &str, member: &str) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        ("GET", format!("/api/communes/{insee}/members"), None),
        (
            "POST",
            format!("/api/communes/{insee}/members"),
            Some(json!({ "email": "programme@qmi.example", "role": "reviewer" })),
        ),
        (
            "DELETE",
            format!("/api/communes/{insee}/members/{member}"),
            None,
        ),
    ]
}

#[test]
fn tenant_routes_need_a_token_and_standing_in_the_commune() {
    let server = server();
    let api = Api::new(&server);
    let reviewer_id = api.account_id(&api.token("reviewer.saint-denis@qmi.example"));
    let agent_id = api.account_id(&api.token("agent.saint-denis@qmi.example"));
    for (method, path, body) in tenant_routes("93066", &reviewer_id) {
        let r = api.send(
            method,
            &path,
            None,
            body.as_ref()
                .map(|b| ("application/json", b.to_string()))
                .as_ref()
                .map(|(c, b)| (*c, b.as_str())),
        );
        assert_problem(&r, 401);
    }
    let admin_a = api.token("admin.saint-denis@qmi.example");
    // Admin of Saint-Denis on Montreuil: 403 everywhere.
    for (method, path, body) in tenant_routes("93048", &reviewer_id) {
        let r = api.send(
            method,
            &path,
            Some(&admin_a),
            body.as_ref()
                .map(|b| b.to_string())
                .as_deref()
                .map(|b| ("application/json", b)),
        );
        assert_problem(&r, 403);
    }
    // …and on Saint-Denis: allowed.
    let members = api.get("/api/communes/93066/members", Some(&admin_a));
    assert_eq!(members.status, 200, "{members:?}");
    assert_eq!(members.body["items"].as_array().unwrap().len(), 3);
    // A reviewer (possibly from outside the commune) neither reads nor manages its
    // people: the policy component refuses and names its reason.
    let reviewer = api.token("reviewer.saint-denis@qmi.example");
    assert_refused(
        &api.get("/api/communes/93066/members", Some(&reviewer)),
        403,
        "insufficient-role",
    );
    let r = api.send(
        "DELETE",
        &format!("/api/communes/93066/members/{agent_id}"),
        Some(&reviewer),
        None,
    );
    assert_refused(&r, 403, "insufficient-role");
    // Adding a person is an invitation, accepted with the account's password (issue 12).
    let added = qmi_tests::invite::to_commune(
        api.client.server,
        &admin_a,
        "93066",
        "Programme@QMI.example",
        "reviewer",
        None,
        DEMO_PASSWORD,
    );
    assert_eq!(added.answer["email"], "programme@qmi.example");
    assert!(added.access_token.is_some(), "{added:?}");
    let removed = api.send(
        "DELETE",
        &format!("/api/communes/93066/members/{reviewer_id}"),
        Some(&admin_a),
        None,
    );
    assert_eq!(removed.status, 204, "{removed:?}");
    assert_eq!(
        api.get("/api/communes/93066/members", Some(&admin_a)).body["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // A commune keeps an admin: its last one can be neither removed nor given
    // another role, by themselves or by the programme…
    let programme = api.token("programme@qmi.example");
    let admin_id = api.account_id(&admin_a);
    for token in [&admin_a, &programme] {
        let removed = api.send(
            "DELETE",
            &format!("/api/communes/93066/members/{admin_id}"),
            Some(token),
            None,
        );
        assert_problem(&removed, 409);
        assert!(
            removed.body["detail"]
                .as_str()
                .unwrap()
                .contains("last admin of 93066"),
            "{removed:?}"
        );
        let demoted = api.post(
            "/api/communes/93066/members",
            Some(token),
            &json!({ "email": "admin.saint-denis@qmi.example", "role": "agent" }),
        );
        assert_problem(&demoted, 409);
    }
    // …while another admin remains, a role can change.
    let promoted = api.post(
        "/api/communes/93066/members",
        Some(&admin_a),
        &json!({ "email": "agent.saint-denis@qmi.example", "role": "admin" }),
    );
    assert_eq!(promoted.status, 200, "{promoted:?}");
    let back = api.post(
        "/api/communes/93066/members",
        Some(&admin_a),
        &json!({ "email": "agent.saint-denis@qmi.example", "role": "agent" }),
    );
    assert_eq!(
        (back.status, back.body["role"].as_str()),
        (200, Some("agent")),
        "{back:?}"
    );
    let roles = api.get("/api/communes/93066/members", Some(&admin_a));
    let admins = roles.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "admin")
        .count();
    assert_eq!(admins, 1, "{roles:?}");
    // An agent reads but does not manage. The policy component decides and names its reason.
    let agent = api.token("agent.saint-denis@qmi.example");
    assert_eq!(
        api.get("/api/communes/93066/members", Some(&agent)).status,
        200
    );
    let r = api.post(
        "/api/communes/93066/members",
        Some(&agent),
        &json!({ "email": "x@y.fr", "role": "agent", "name": "X" }),
    );
    assert_refused(&r, 403, "insufficient-role");
    // /api/me reflects the account.
    let me = api.get("/api/me", Some(&admin_a));
    assert_eq!(
        me.body["memberships"],
        json!([{ "insee": "93066", "name": "Saint-Denis", "role": "admin" }])
    );
}

#[test]
fn operators_manage_tenants_and_hosting_reads_no_tenant_content() {
    let server = server();
    let api = Api::new(&server);
    let hosting = api.token("hosting@qmi.example");
    let programme = api.token("programme@qmi.example");
    let admin_b = api.token("admin.montreuil@qmi.example");
    assert_problem(&api.get("/api/communes/93048/members", Some(&hosting)), 403);
    assert_eq!(
        api.get("/api/communes/93048/members", Some(&programme))
            .status,
        200
    );
    assert_problem(
        &api.post(
            "/api/admin/communes/93048/suspend",
            Some(&admin_b),
            &json!({ "reason": "test" }),
        ),
        403,
    );

    let r = api.post(
        "/api/admin/communes/93048/suspend",
        Some(&hosting),
        &json!({ "reason": "test" }),
    );
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (200, Some("suspended")),
        "{r:?}"
    );
    assert_refused(
        &api.get("/api/communes/93048/members", Some(&admin_b)),
        403,
        "tenant-suspended",
    );
    let r = api.post(
        "/api/admin/communes/93048/resume",
        Some(&hosting),
        &json!({}),
    );
    assert_eq!(r.body["status"], "district", "{r:?}");
    assert_eq!(
        api.get("/api/communes/93048/members", Some(&admin_b))
            .status,
        200
    );

    // A commune of another metropolis (Lyon), added at run time.
    let lyon = json!({ "insee": "69123", "name": "Lyon", "metropolis_code": "200046977", "population": 522250, "status": "candidate" });
    let r = api.post("/api/admin/communes", Some(&hosting), &lyon);
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.body["departement"], "69");
    assert_problem(&api.post("/api/admin/communes", Some(&hosting), &lyon), 409);
    assert_eq!(api.get("/api/communes/69123", None).body["name"], "Lyon");
    // The gateway knows it: a programme operator reaches its tenant routes.
    assert_eq!(
        api.get("/api/communes/69123/members", Some(&programme))
            .status,
        200
    );
    let r = api.post(
        "/api/admin/communes",
        Some(&hosting),
        &json!({ "insee": "6912", "name": "x" }),
    );
    assert_problem(&r, 400);
    assert_eq!(r.body["errors"][0]["field"], "insee");
}

#[test]
fn a_partner_member_sees_only_their_organisation() {
    let server = server();
    let api = Api::new(&server);
    let partner = api.token("partner@solaire-urbain.example");
    let solaire = api.organisation_of("partner@solaire-urbain.example");
    let gruene = api.organisation_of("partner@gruene-wege.example");
    // The directory (issue 16): a partner reads public profiles, never another
    // organisation's contacts, and a profile that is not public only if its own.
    let programme = api.token("programme@qmi.example");
    let hidden = api.post(
        "/api/organisations",
        Some(&programme),
        &json!({ "name": "Discrète SAS", "kind": "sme", "country": "DE", "public": false }),
    );
    assert_eq!(hidden.status, 201, "{hidden:?}");
    let hidden = hidden.body["id"].as_str().unwrap().to_owned();
    let list = api.get("/api/organisations?limit=100", Some(&partner));
    assert_eq!(list.status, 200, "{list:?}");
    let items = list.body["items"].as_array().unwrap();
    assert!(
        items.iter().any(|o| o["id"] == solaire.as_str()),
        "{list:?}"
    );
    assert!(items.iter().all(|o| o["id"] != hidden.as_str()), "{list:?}");
    assert!(
        items
            .iter()
            .all(|o| o["public"] == true || o["id"] == solaire.as_str())
    );
    let other = api.get(&format!("/api/organisations/{gruene}"), Some(&partner));
    assert_eq!(other.status, 200, "{other:?}");
    assert!(other.body.get("contacts").is_none(), "{other:?}");
    // Hidden: answered as a missing record.
    assert_problem(
        &api.get(&format!("/api/organisations/{hidden}"), Some(&partner)),
        404,
    );
    assert_refused(
        &api.get(
            &format!("/api/organisations/{gruene}/members"),
            Some(&partner),
        ),
        403,
        "not-organisation-member",
    );
    assert_eq!(
        api.get(&format!("/api/organisations/{solaire}"), Some(&partner))
            .status,
        200
    );
    let members = api.get(
        &format!("/api/organisations/{solaire}/members"),
        Some(&partner),
    );
    assert_eq!(members.body.as_array().unwrap().len(), 2);
    let r = api.send(
        "PATCH",
        &format!("/api/organisations/{gruene}"),
        Some(&partner),
        Some(("application/json", r#"{"name":"mine now"}"#)),
    );
    assert_refused(&r, 403, "not-organisation-member");
    let r = api.send(
        "PATCH",
        &format!("/api/organisations/{solaire}"),
        Some(&partner),
        Some(("application/json", r#"{"siret":"81234567800014"}"#)),
    );
    assert_problem(&r, 400);
    assert_eq!(r.body["errors"][0]["field"], "siret");
    // The programme operator sees every profile, the one that is not public too,
    // page by page (the total counts every match).
    let all = api.get("/api/organisations?limit=100", Some(&programme));
    let total = all.body["total"].as_u64().unwrap();
    let items = all.body["items"].as_array().unwrap();
    assert_eq!(items.len() as u64, total.min(100), "{all:?}");
    assert!(items.iter().any(|o| o["id"] == hidden.as_str()), "{all:?}");
    let page = api.get("/api/organisations?limit=1", Some(&programme));
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1, "{page:?}");
    let cursor = page.body["next_cursor"].as_str().expect("a second page");
    let next = api.get(
        &format!("/api/organisations?limit=1&cursor={cursor}"),
        Some(&programme),
    );
    assert_eq!(next.body["items"].as_array().unwrap().len(), 1, "{next:?}");
    assert_ne!(next.body["items"][0]["id"], page.body["items"][0]["id"]);
    assert_eq!(
        api.get(
            &format!("/api/organisations/{gruene}/members"),
            Some(&programme)
        )
        .status,
        200
    );
    // The directory is for the communes (issue 16): their people read every
    // profile, the one that is not public too, with its contacts.
    let admin = api.token("admin.saint-denis@qmi.example");
    let list = api.get("/api/organisations?limit=100", Some(&admin));
    assert_eq!(list.status, 200, "{list:?}");
    let items = list.body["items"].as_array().unwrap();
    assert!(items.iter().any(|o| o["id"] == hidden.as_str()), "{list:?}");
    let solaire_seen = api.get(&format!("/api/organisations/{solaire}"), Some(&admin));
    assert_eq!(solaire_seen.status, 200, "{solaire_seen:?}");
    assert!(solaire_seen.body["contacts"].is_array(), "{solaire_seen:?}");
    // Its members stay the organisation's and the operators' business.
    assert_refused(
        &api.get(
            &format!("/api/organisations/{solaire}/members"),
            Some(&admin),
        ),
        403,
        "not-organisation-member",
    );
    // A French organisation needs a SIRET (422 naming it).
    let r = api.post(
        "/api/organisations",
        Some(&programme),
        &json!({ "name": "Asso", "kind": "association", "country": "FR" }),
    );
    assert_problem(&r, 422);
    assert_eq!(r.body["errors"][0]["field"], "siret");
    let r = api.post("/api/organisations", Some(&programme), &json!({ "name": "Asso", "kind": "association", "country": "FR", "siret": "90123456700021" }));
    assert_eq!(r.status, 201, "{r:?}");
}

#[test]
fn malformed_bodies_are_problems_naming_the_issue() {
    let server = server();
    let api = Api::new(&server);
    let r = api.send(
        "POST",
        "/api/auth/token",
        None,
        Some(("application/json", r#"{"email": "a@b.fr", "password": "#)),
    );
    assert_problem(&r, 400);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("malformed JSON"),
        "{r:?}"
    );
    let r = api.send(
        "POST",
        "/api/auth/token",
        None,
        Some(("application/json", r#"{"email": "a@b.fr"}"#)),
    );
    assert_problem(&r, 400);
    assert_eq!(r.body["errors"][0]["field"], "password");
    let r = api.send(
        "POST",
        "/api/auth/token",
        None,
        Some(("text/plain", r#"{"email": "a@b.fr", "password": "x"}"#)),
    );
    assert_problem(&r, 415);
    let admin = api.token("admin.saint-denis@qmi.example");
    let r = api.post(
        "/api/communes/93066/members",
        Some(&admin),
        &json!({ "email": "a@b.fr", "role": "mayor" }),
    );
    assert_problem(&r, 400);
    assert_eq!(r.body["errors"][0]["field"], "role");
}

#[test]
fn wrong_passwords_are_401_then_429() {
    let server = server();
    let api = Api::new(&server);
    let wrong = json!({ "email": "reviewer.paris@qmi.example", "password": "not the password" });
    for _ in 0..4 {
        assert_problem(&api.post("/api/auth/token", None, &wrong), 401);
    }
    let r = api.post("/api/auth/token", None, &wrong);
    assert_problem(&r, 429);
    assert!(
        r.retry_after.as_deref().unwrap().parse::<u64>().unwrap() >= 1,
        "{r:?}"
    );
    // Refused even with the right password while slowed down.
    let right = json!({ "email": "reviewer.paris@qmi.example", "password": DEMO_PASSWORD });
    assert_problem(&api.post("/api/auth/token", None, &right), 429);
    // Unknown e-mails are refused the same way.
    assert_problem(
        &api.post(
            "/api/auth/token",
            None,
            &json!({ "email": "nobody@qmi.example", "password": "x" }),
        ),
        401,
    );
}

#[test]
fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let server = server();
    let api = Api::new(&server);
    let first = api.sign_in("agent.paris@qmi.example");
    assert_eq!(
        (first["token_type"].as_str(), first["expires_in"].as_u64()),
        (Some("Bearer"), Some(900))
    );
    let r1 = first["refresh_token"].as_str().unwrap();
    let second = api.post("/api/auth/refresh", None, &json!({ "refresh_token": r1 }));
    assert_eq!(second.status, 200, "{second:?}");
    let r2 = second.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    assert_eq!(
        api.get(
            "/api/me",
            Some(second.body["access_token"].as_str().unwrap())
        )
        .status,
        200
    );
    // Reusing r1 is detected, and revokes r2 with it.
    assert_problem(
        &api.post("/api/auth/refresh", None, &json!({ "refresh_token": r1 })),
        401,
    );
    assert_problem(
        &api.post("/api/auth/refresh", None, &json!({ "refresh_token": r2 })),
        401,
    );
    assert_problem(
        &api.post(
            "/api/auth/refresh",
            None,
            &json!({ "refresh_token": "made-up" }),
        ),
        401,
    );
}

#[test]
fn logout_revokes_the_session() {
    let server = server();
    let api = Api::new(&server);
    let tokens = api.sign_in("admin.paris@qmi.example");
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let r = api.post(
        "/api/auth/logout",
        None,
        &json!({ "refresh_token": refresh }),
    );
    assert_eq!(r.status, 204, "{r:?}");
    assert_problem(
        &api.post(
            "/api/auth/refresh",
            None,
            &json!({ "refresh_token": refresh }),
        ),
        401,
    );
}

/// `(route, has middleware named gateway)` for every trigger of spin.toml.
fn triggers() -> Vec<(String, String, bool)> {
    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(root_manifest()).unwrap()).unwrap();
    manifest["trigger"]["http"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let route = t["route"].as_str().unwrap_or_default().to_owned();
            let component = t["component"].as_str().unwrap_or_default().to_owned();
            let gateway = t
                .get("dependencies")
                .and_then(|d| d.get("middleware"))
                .and_then(|m| m.as_array())
                .is_some_and(|m| {
                    m.iter()
                        .any(|mw| mw.get("component").and_then(|c| c.as_str()) == Some("gateway"))
                });
            (route, component, gateway)
        })
        .collect()
}

#[test]
fn every_api_trigger_has_the_gateway_middleware() {
    let missing: Vec<_> = triggers()
        .into_iter()
        .filter(|(route, _, gw)| route.starts_with("/api") && !gw)
        .collect();
    assert!(
        missing.is_empty(),
        "/api triggers without the gateway middleware: {missing:?}"
    );
}

#[test]
fn openapi_documents_every_route_that_answers() {
    let server = server();
    let api = Api::new(&server);
    let doc = api.get("/api/openapi.json", None);
    assert_eq!(
        (doc.status, doc.body["openapi"].as_str()),
        (200, Some("3.1.0"))
    );
    let paths: Vec<String> = doc.body["paths"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for (route, component, _) in triggers()
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("/api"))
    {
        // A trigger's `:name` segment stands for any documented `{name}` one.
        let same = |trigger: &[&str], doc: &[&str]| {
            trigger.len() == doc.len()
                && trigger
                    .iter()
                    .zip(doc)
                    .all(|(t, d)| t == d || (t.starts_with(':') && d.starts_with('{')))
        };
        let segments = |p: &str| p.split('/').map(str::to_owned).collect::<Vec<_>>();
        match route.strip_suffix("/...") {
            None => {
                let t = segments(&route);
                let t: Vec<&str> = t.iter().map(String::as_str).collect();
                assert!(
                    paths.iter().any(|p| {
                        let d = segments(p);
                        same(&t, &d.iter().map(String::as_str).collect::<Vec<_>>())
                    }),
                    "trigger {route} ({component}) is not in the OpenAPI document"
                );
            }
            Some(prefix) => {
                let t = segments(prefix);
                let t: Vec<&str> = t.iter().map(String::as_str).collect();
                assert!(
                    paths.iter().any(|p| {
                        let d = segments(p);
                        d.len() > t.len()
                            && same(
                                &t,
                                &d[..t.len()].iter().map(String::as_str).collect::<Vec<_>>(),
                            )
                    }),
                    "nothing documented under {route}"
                );
                if component == "identity" {
                    // Below a wildcard, an undocumented path does not answer.
                    let base: Vec<String> = t
                        .iter()
                        .map(|s| {
                            if s.starts_with(':') {
                                "x".to_owned()
                            } else {
                                (*s).to_owned()
                            }
                        })
                        .collect();
                    let probe = format!("{}/75056/undocumented", base.join("/"));
                    let programme = api.token("programme@qmi.example");
                    let r = api.get(&probe, Some(&programme));
                    assert_eq!(
                        r.status, 404,
                        "{probe} answers but is not documented: {r:?}"
                    );
                }
            }
        }
    }
    // Every documented public GET of identity answers.
    for path in ["/api/communes", "/api/communes/75056", "/api/openapi.json"] {
        assert!(
            paths
                .iter()
                .any(|p| p == path || p == "/api/communes/{insee}")
        );
        assert_eq!(api.get(path, None).status, 200, "{path}");
    }
    // Every $ref resolves.
    let text = doc.body.to_string();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(
            doc.body["components"]["schemas"][name].is_object(),
            "dangling $ref {name}"
        );
    }
}

/// `/api/figures` reads tallies the registry keeps in the transaction of each
/// change (issue 19): a commune added through the API counts at once under its
/// status, département and territory, suspending and resuming moves it between
/// statuses, and the totals always equal what the registry lists.
#[test]
fn figures_follow_every_change_of_the_registry() {
    let server = server();
    let api = Api::new(&server);
    let hosting = api.token("hosting@qmi.example");
    let tally = |figures: &Value, group: &str, code: &str| -> (u64, u64) {
        figures[group]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == code)
            .map_or((0, 0), |t| {
                (
                    t["communes"].as_u64().unwrap(),
                    t["population"].as_u64().unwrap(),
                )
            })
    };
    let before = api.get("/api/figures", None).body;
    assert_eq!(tally(&before, "by_departement", "01"), (0, 0), "{before}");

    let r = api.post(
        "/api/admin/communes",
        Some(&hosting),
        &json!({
            "insee": "01004", "name": "Ambérieu-en-Bugey", "status": "candidate",
            "ept_code": "200099999", "ept_name": "Territoire d'essai", "population": 14_000
        }),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let added = api.get("/api/figures", None).body;
    assert_eq!(added["communes"], before["communes"].as_u64().unwrap() + 1);
    assert_eq!(
        added["population"],
        before["population"].as_u64().unwrap() + 14_000
    );
    assert_eq!(tally(&added, "by_departement", "01"), (1, 14_000));
    let candidates = tally(&before, "by_status", "candidate");
    assert_eq!(
        tally(&added, "by_status", "candidate"),
        (candidates.0 + 1, candidates.1 + 14_000)
    );
    let territory = added["by_territory"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "200099999")
        .expect("the new territory");
    assert_eq!(territory["name"], "Territoire d'essai");
    assert_eq!(territory["communes"], 1);

    let r = api.post(
        "/api/admin/communes/01004/suspend",
        Some(&hosting),
        &json!({ "reason": "test" }),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let suspended = api.get("/api/figures", None).body;
    assert_eq!(tally(&suspended, "by_status", "candidate"), candidates);
    let was = tally(&before, "by_status", "suspended");
    assert_eq!(
        tally(&suspended, "by_status", "suspended"),
        (was.0 + 1, was.1 + 14_000)
    );
    assert_eq!(suspended["communes"], added["communes"]);

    let r = api.post(
        "/api/admin/communes/01004/resume",
        Some(&hosting),
        &json!({}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let resumed = api.get("/api/figures", None).body;
    assert_eq!(resumed, added);

    // The totals are the registry's, read page by page.
    let listed = api.get("/api/communes?limit=500", None).body;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(resumed["communes"], items.len() as u64);
    assert_eq!(
        resumed["population"],
        items
            .iter()
            .map(|c| c["population"].as_u64().unwrap_or(0))
            .sum::<u64>()
    );
}

/// The name search walks a trigram index in code order (issue 19): pages of a
/// fragment hold exactly the communes whose folded name contains it, in code
/// order, whatever the filters; shorter fragments and code starts find the same
/// way as before; a forged cursor is a 400 naming `cursor`.
#[test]
fn the_name_search_finds_every_match_in_code_order_page_by_page() {
    let server = server();
    let api = Api::new(&server);
    let hosting = api.token("hosting@qmi.example");
    let ours = [
        ("01010", "Zéphyr-sur-Ain"),
        ("2A010", "Val-de-Zephyr"),
        ("29010", "Saint-ZÉPHYR"),
        ("45010", "Zéphyrine-les-Bois"),
        ("97410", "Le Zephirin"),
    ];
    for (insee, name) in ours {
        new_commune(&api, &hosting, insee, name);
    }
    let codes = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["insee"].as_str().unwrap().to_owned())
            .collect()
    };
    let all_pages = |query: &str| -> Vec<String> {
        let mut found = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                None => format!("/api/communes?{query}&limit=2"),
                Some(c) => format!("/api/communes?{query}&limit=2&cursor={c}"),
            };
            let r = api.get(&path, None);
            assert_eq!(r.status, 200, "{path}: {r:?}");
            found.extend(codes(&r.body));
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return found,
            }
        }
    };
    // Accents and case folded; "Zephirin" holds "zeph" but not "zephyr".
    assert_eq!(
        all_pages("q=z%C3%A9phyr"),
        ["01010", "29010", "2A010", "45010"]
    );
    assert_eq!(all_pages("q=PHYR-SUR"), ["01010"]);
    assert_eq!(all_pages("q=zephi"), ["97410"]);
    // Filters narrow the same search, on the index or through their own.
    let r = api.post(
        "/api/admin/communes/45010/suspend",
        Some(&hosting),
        &json!({ "reason": "test" }),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(all_pages("q=zephyr&status=suspended"), ["45010"]);
    assert_eq!(
        all_pages("q=zephyr&status=candidate"),
        ["01010", "29010", "2A010"]
    );
    assert_eq!(all_pages("q=zephyr&departement=2A"), ["2A010"]);
    assert_eq!(all_pages("q=zephyr&insee=29010,97410"), ["29010"]);
    // One or two letters find names with a word starting so, with or without a filter.
    let word_start = |query: &str| -> Vec<String> {
        let found = all_pages(query);
        let ours: Vec<String> = found
            .iter()
            .filter(|c| ours.iter().any(|(insee, _)| insee == c))
            .cloned()
            .collect();
        ours
    };
    let every_one = ["01010", "29010", "2A010", "45010", "97410"];
    assert_eq!(word_start("q=Z%C3%89"), every_one);
    assert_eq!(word_start("q=z"), every_one);
    assert_eq!(
        word_start("q=ze&status=candidate"),
        ["01010", "29010", "2A010", "97410"]
    );
    assert_eq!(all_pages("q=ze&departement=974"), ["97410"]);
    assert_eq!(word_start("q=ep"), Vec::<String>::new());
    // A code's start searches codes.
    let corsica = all_pages("q=2a");
    assert!(corsica.contains(&"2A010".to_owned()), "{corsica:?}");
    assert!(corsica.iter().all(|c| c.starts_with("2A")), "{corsica:?}");
    // A cursor is the registry's: one naming no code is refused on the index too.
    use base64::Engine as _;
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("c1:not-a-code");
    let r = api.get(&format!("/api/communes?q=zephyr&cursor={forged}"), None);
    assert_problem(&r, 400);
    assert!(r.body.to_string().contains("cursor"), "{r:?}");
}

/// A commune of the test's own, added by the hosting operator (outside the demo data).
fn new_commune(api: &Api<'_>, hosting: &str, insee: &str, name: &str) {
    let r = api.post(
        "/api/admin/communes",
        Some(hosting),
        &json!({ "insee": insee, "name": name, "status": "candidate" }),
    );
    assert_eq!(r.status, 201, "{r:?}");
}

/// A person given `role` in each commune by the programme operator: invited through
/// the API, the e-mailed invitation accepted (the first with the demo password chosen,
/// the next ones with it).
fn new_member(api: &Api<'_>, programme: &str, email: &str, roles: &[(&str, &str)]) {
    for (insee, role) in roles {
        qmi_tests::invite::to_commune(
            api.client.server,
            programme,
            insee,
            email,
            role,
            Some(email),
            DEMO_PASSWORD,
        );
    }
}

/// Suspension (issue 11, finding 1, identity side): a suspended commune's people
/// are refused at once — their existing token on its routes (403
/// `tenant-suspended`, from the policy's rules in the gateway), and new tokens,
/// from sign-in and refresh alike, carry no membership there (`GET /api/me` lists
/// it apart, as suspended). Programme operators keep their access; resuming brings
/// the membership back in the next token. Before, sign-in and refresh kept issuing
/// the membership, and the refusal was a 401.
#[test]
fn a_suspended_communes_memberships_leave_tokens_until_it_is_resumed() {
    let server = server();
    let api = Api::new(&server);
    let hosting = api.token("hosting@qmi.example");
    let programme = api.token("programme@qmi.example");
    new_commune(&api, &hosting, "01004", "Ambérieu-en-Bugey");
    new_commune(&api, &hosting, "01053", "Bourg-en-Bresse");
    let email = "maire@amberieu.example";
    new_member(
        &api,
        &programme,
        email,
        &[("01004", "admin"), ("01053", "admin")],
    );
    let before = api.sign_in(email);
    let old = before["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        claims_of(&old)["mem"],
        json!({ "01004": "admin", "01053": "admin" })
    );
    let members = "/api/communes/01004/members";
    assert_eq!(api.get(members, Some(&old)).status, 200);

    let r = api.post(
        "/api/admin/communes/01004/suspend",
        Some(&hosting),
        &json!({ "reason": "test" }),
    );
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (200, Some("suspended")),
        "{r:?}"
    );

    // The token issued before: refused on every route of the commune at once.
    assert_refused(&api.get(members, Some(&old)), 403, "tenant-suspended");
    let add = json!({ "email": "x@amberieu.example", "role": "agent", "name": "X" });
    assert_refused(
        &api.post(members, Some(&old), &add),
        403,
        "tenant-suspended",
    );
    assert_eq!(
        api.get("/api/communes/01053/members", Some(&old)).status,
        200,
        "the other commune is not affected"
    );

    // New tokens carry no membership there: sign-in and refresh alike.
    let during = api.token(email);
    assert_eq!(claims_of(&during)["mem"], json!({ "01053": "admin" }));
    assert_problem(&api.get(members, Some(&during)), 403);
    let refreshed = api.post(
        "/api/auth/refresh",
        None,
        &json!({ "refresh_token": before["refresh_token"] }),
    );
    assert_eq!(refreshed.status, 200, "{refreshed:?}");
    let refreshed_tokens = refreshed.body.clone();
    assert_eq!(
        claims_of(refreshed_tokens["access_token"].as_str().unwrap())["mem"],
        json!({ "01053": "admin" })
    );
    let me = api.get("/api/me", Some(&during));
    assert_eq!(
        me.body["memberships"],
        json!([{ "insee": "01053", "name": "Bourg-en-Bresse", "role": "admin" }]),
        "{me:?}"
    );
    assert_eq!(
        me.body["suspended_memberships"],
        json!([{ "insee": "01004", "name": "Ambérieu-en-Bugey", "role": "admin" }]),
        "{me:?}"
    );
    // Programme operators keep their access to a suspended commune.
    assert_eq!(api.get(members, Some(&programme)).status, 200);

    // Resumed: the next token has the membership again.
    let r = api.post(
        "/api/admin/communes/01004/resume",
        Some(&hosting),
        &json!({}),
    );
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (200, Some("candidate")),
        "{r:?}"
    );
    let after = api.post(
        "/api/auth/refresh",
        None,
        &json!({ "refresh_token": refreshed_tokens["refresh_token"] }),
    );
    assert_eq!(after.status, 200, "{after:?}");
    let after = after.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        claims_of(&after)["mem"],
        json!({ "01004": "admin", "01053": "admin" })
    );
    let list = api.get(members, Some(&after));
    assert_eq!(
        (list.status, list.body["items"].as_array().map(Vec::len)),
        (200, Some(1)),
        "{list:?}"
    );
    let me = api.get("/api/me", Some(&after));
    assert!(me.body.get("suspended_memberships").is_none(), "{me:?}");
    assert_eq!(
        me.body["memberships"].as_array().unwrap().len(),
        2,
        "{me:?}"
    );
}

/// The account id of the holder of `token`.
fn account_id(api: &Api<'_>, token: &str) -> String {
    let me = api.get("/api/me", Some(token));
    assert_eq!(me.status, 200, "{me:?}");
    me.body["id"].as_str().unwrap().to_owned()
}

/// Asserts the gateway's refusal of a token issued before the account's rights changed.
fn assert_stale(r: &Res) {
    assert_refused(r, 401, "invalid-token");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("rights changed, refresh the token"),
        "{r:?}"
    );
}

/// Refreshes a session; returns the new token response.
fn refresh(api: &Api<'_>, tokens: &Value) -> Value {
    let r = api.post(
        "/api/auth/refresh",
        None,
        &json!({ "refresh_token": tokens["refresh_token"] }),
    );
    assert_eq!(r.status, 200, "{r:?}");
    r.body
}

/// Stale rights (issue 11, finding 7): removing a commune membership or changing a
/// role stops the tokens already issued to that account at once — on every route,
/// not only the commune's — and a refresh issues a token with the current rights
/// only. Adding a membership takes nothing away: tokens go on. Before, the removed
/// agent's token listed the commune's members until it expired.
#[test]
fn removing_a_membership_or_changing_a_role_stops_existing_tokens_at_once() {
    let server = server();
    let api = Api::new(&server);
    let hosting = api.token("hosting@qmi.example");
    let programme = api.token("programme@qmi.example");
    new_commune(&api, &hosting, "01004", "Ambérieu-en-Bugey");
    new_commune(&api, &hosting, "01053", "Bourg-en-Bresse");
    new_member(
        &api,
        &programme,
        "maire@amberieu.example",
        &[("01004", "admin")],
    );
    new_member(
        &api,
        &programme,
        "agent@ain.example",
        &[("01004", "agent"), ("01053", "agent")],
    );
    let admin = api.token("maire@amberieu.example");
    let session = api.sign_in("agent@ain.example");
    let old = session["access_token"].as_str().unwrap().to_owned();
    let agent_id = account_id(&api, &old);
    let (here, there) = ("/api/communes/01004/members", "/api/communes/01053/members");
    assert_eq!(api.get(here, Some(&old)).status, 200);
    assert_eq!(api.get(there, Some(&old)).status, 200);

    // Removed from Ambérieu: the token stops at once, everywhere.
    let r = api.send("DELETE", &format!("{here}/{agent_id}"), Some(&admin), None);
    assert_eq!(r.status, 204, "{r:?}");
    assert_stale(&api.get(here, Some(&old)));
    assert_stale(&api.get(there, Some(&old)));
    assert_stale(&api.get("/api/me", Some(&old)));
    // The admin who removed them is not affected.
    assert_eq!(api.get(here, Some(&admin)).status, 200);

    // A refresh: the current rights only.
    let session = refresh(&api, &session);
    let fresh = session["access_token"].as_str().unwrap().to_owned();
    let claims = claims_of(&fresh);
    assert_eq!(claims["mem"], json!({ "01053": "agent" }));
    assert!(claims["rv"].as_u64().is_some_and(|rv| rv >= 1), "{claims}");
    assert_eq!(api.get(there, Some(&fresh)).status, 200);
    assert_problem(&api.get(here, Some(&fresh)), 403);

    // A role changed (agent → reviewer): the same.
    let r = api.post(
        there,
        Some(&programme),
        &json!({ "email": "agent@ain.example", "role": "reviewer" }),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_stale(&api.get(there, Some(&fresh)));
    let session = refresh(&api, &session);
    let reviewer = session["access_token"].as_str().unwrap().to_owned();
    assert_eq!(claims_of(&reviewer)["mem"], json!({ "01053": "reviewer" }));
    assert!(claims_of(&reviewer)["rv"].as_u64() > claims["rv"].as_u64());
    // A reviewer does not get the staff directory (the policy's answer).
    assert_refused(&api.get(there, Some(&reviewer)), 403, "insufficient-role");

    // Given a membership back (an invitation, accepted): nothing was taken away,
    // the token goes on.
    let back = qmi_tests::invite::to_commune(
        api.client.server,
        &admin,
        "01004",
        "agent@ain.example",
        "agent",
        None,
        DEMO_PASSWORD,
    );
    assert!(back.access_token.is_some(), "{back:?}");
    assert_eq!(api.get("/api/me", Some(&reviewer)).status, 200);
    // Re-giving the same role changes nothing either.
    let r = api.post(
        there,
        Some(&programme),
        &json!({ "email": "agent@ain.example", "role": "reviewer" }),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(api.get("/api/me", Some(&reviewer)).status, 200);
    let claims = claims_of(refresh(&api, &session)["access_token"].as_str().unwrap());
    assert_eq!(
        claims["mem"],
        json!({ "01004": "agent", "01053": "reviewer" })
    );
}

/// Stale rights (issue 11, finding 7): removing an organisation's member stops the
/// tokens already issued to them at once — they no longer read the organisation's
/// applications (`GET /api/applications`, service `applications`) nor the
/// organisation. Before, the removed member kept reading both until the token
/// expired.
#[test]
fn a_removed_organisation_member_stops_reading_its_applications_at_once() {
    let server = app::serve(&["identity", "applications"], DEMO_PASSWORD);
    let api = Api::new(&server);
    let hosting = api.token("hosting@qmi.example");
    let programme = api.token("programme@qmi.example");
    new_commune(&api, &hosting, "01004", "Ambérieu-en-Bugey");
    // An account (invited as a reviewer, the only way identity creates accounts)…
    new_member(
        &api,
        &programme,
        "cto@capteurs.example",
        &[("01004", "reviewer")],
    );
    let first = api.sign_in("cto@capteurs.example");
    // …creates its organisation and joins it; its next token says so.
    let org = api.post(
        "/api/organisations",
        Some(first["access_token"].as_str().unwrap()),
        &json!({ "name": "Capteurs SAS", "kind": "startup", "country": "DE" }),
    );
    assert_eq!(org.status, 201, "{org:?}");
    let org_id = org.body["id"].as_str().unwrap().to_owned();
    let session = refresh(&api, &first);
    let old = session["access_token"].as_str().unwrap().to_owned();
    assert_eq!(claims_of(&old)["org"], org_id.as_str());
    let account = account_id(&api, &old);
    let mine = api.get("/api/applications", Some(&old));
    assert_eq!(mine.status, 200, "{mine:?}");
    // The organisation's own records (its members): its profile is the directory's,
    // public by default.
    assert_eq!(
        api.get(&format!("/api/organisations/{org_id}/members"), Some(&old))
            .status,
        200
    );

    let r = api.send(
        "DELETE",
        &format!("/api/organisations/{org_id}/members/{account}"),
        Some(&programme),
        None,
    );
    assert_eq!(r.status, 204, "{r:?}");
    assert_stale(&api.get("/api/applications", Some(&old)));
    assert_stale(&api.get(&format!("/api/organisations/{org_id}/members"), Some(&old)));

    // Refreshed: no organisation any more, and the policy says so.
    let fresh = refresh(&api, &session)["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        claims_of(&fresh).get("org").is_none(),
        "{}",
        claims_of(&fresh)
    );
    assert_refused(
        &api.get(
            &format!("/api/organisations/{org_id}/members"),
            Some(&fresh),
        ),
        403,
        "not-organisation-member",
    );
    let mine = api.get("/api/applications", Some(&fresh));
    assert_eq!(
        (mine.status, mine.body["items"].as_array().map(Vec::len)),
        (200, Some(0)),
        "{mine:?}"
    );
}

/// One transaction per write (issue 11, finding 5): an organisation and its first
/// member commit together. A creator whose token predates their joining an
/// organisation (creating one takes no right away, so that token still counts) is
/// refused a second one with 409, and nothing is left behind. Before, the second
/// organisation was created (201) without its creator: an orphan nobody could
/// manage.
#[test]
fn an_organisation_and_its_first_member_commit_together() {
    let server = server();
    let api = Api::new(&server);
    let hosting = api.token("hosting@qmi.example");
    let programme = api.token("programme@qmi.example");
    new_commune(&api, &hosting, "01004", "Ambérieu-en-Bugey");
    new_member(
        &api,
        &programme,
        "fondatrice@ain.example",
        &[("01004", "reviewer")],
    );
    let token = api.token("fondatrice@ain.example");
    let first = api.post(
        "/api/organisations",
        Some(&token),
        &json!({ "name": "Première SAS", "kind": "startup", "country": "DE" }),
    );
    assert_eq!(first.status, 201, "{first:?}");
    // The same token: it says no organisation, the database says one.
    let second = api.post(
        "/api/organisations",
        Some(&token),
        &json!({ "name": "Seconde SAS", "kind": "startup", "country": "DE" }),
    );
    assert_problem(&second, 409);
    let names: Vec<String> = api
        .get("/api/organisations?q=SAS&limit=100", Some(&programme))
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.contains(&"Première SAS".to_owned()), "{names:?}");
    assert!(
        !names.contains(&"Seconde SAS".to_owned()),
        "an organisation without its creator was left behind: {names:?}"
    );
    let me = api.get("/api/me", Some(&token));
    assert_eq!(me.body["organisation"]["name"], "Première SAS", "{me:?}");
}

/// Tenant state is the same on every instance (issue 11, finding 8): two `qmi up`
/// processes over one directory and one runtime config — one database per
/// service, each process with a data directory of its own, as two replicas — see
/// a suspension, a resumption and a removed membership made through the other at
/// once, because the key-value store the gateway reads is the runtime config's
/// shared file. Before, each process read the store of its own data directory:
/// the suspension held only on the process that received it.
#[test]
fn two_processes_share_suspensions_and_rights_at_once() {
    let dir = tempfile::Builder::new()
        .prefix("qmi-replicas-")
        .tempdir()
        .unwrap();
    let keys = qmi_tests::gateway::Keys::generate();
    let replica = |name: &str| {
        app::up(&["identity"], DEMO_PASSWORD)
            .in_dir(dir.path())
            .data_dir(dir.path().join(name))
            .env("SPIN_VARIABLE_JWT_PRIVATE_KEY", &keys.private_pem)
            .env("SPIN_VARIABLE_JWT_PUBLIC_KEY", &keys.public_pem)
            .start()
    };
    let (one, two) = (replica("data-one"), replica("data-two"));
    let (a, b) = (Api::new(&one), Api::new(&two));
    let hosting = a.token("hosting@qmi.example");
    let programme = a.token("programme@qmi.example");
    new_commune(&a, &hosting, "01004", "Ambérieu-en-Bugey");
    new_member(
        &a,
        &programme,
        "maire@amberieu.example",
        &[("01004", "admin")],
    );
    new_member(
        &a,
        &programme,
        "agent@amberieu.example",
        &[("01004", "agent")],
    );
    let members = "/api/communes/01004/members";
    // Signed in through the second process; both know the commune.
    let admin = b.token("maire@amberieu.example");
    let agent = b.token("agent@amberieu.example");
    assert_eq!(a.get(members, Some(&admin)).status, 200);
    assert_eq!(b.get(members, Some(&admin)).status, 200);

    // Suspended through the first: refused through the second at once.
    let r = a.post(
        "/api/admin/communes/01004/suspend",
        Some(&hosting),
        &json!({ "reason": "test" }),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_refused(&b.get(members, Some(&admin)), 403, "tenant-suspended");
    assert_eq!(
        claims_of(&b.token("maire@amberieu.example"))["mem"],
        Value::Null,
        "a new token through the second carries no membership there"
    );
    // Resumed through the second: admitted through the first at once.
    let r = b.post(
        "/api/admin/communes/01004/resume",
        Some(&hosting),
        &json!({}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(a.get(members, Some(&admin)).status, 200);

    // A membership removed through the first: the token issued by the second stops on both.
    let agent_id = account_id(&b, &agent);
    let r = a.send(
        "DELETE",
        &format!("{members}/{agent_id}"),
        Some(&admin),
        None,
    );
    assert_eq!(r.status, 204, "{r:?}");
    assert_stale(&b.get(members, Some(&agent)));
    assert_stale(&a.get(members, Some(&agent)));
}

/// Names are checked before the database sees them (issue 11, finding 10): an
/// organisation, a commune or a person named with a control character is a 422
/// naming the field. Before, `"\u0000"` reached a CHECK constraint and answered 500.
#[test]
fn names_with_control_characters_are_422_naming_the_field() {
    let server = server();
    let api = Api::new(&server);
    let programme = api.token("programme@qmi.example");
    let hosting = api.token("hosting@qmi.example");
    for name in [
        "\u{0}",
        "Acme\u{0}",
        "Acme\u{7}",
        "Acme\nSAS",
        "\u{1b}[31mAcme",
    ] {
        let r = api.post(
            "/api/organisations",
            Some(&programme),
            &json!({ "name": name, "kind": "startup", "country": "DE" }),
        );
        assert_problem(&r, 422);
        assert_eq!(r.body["errors"][0]["field"], "name", "{name:?}: {r:?}");
    }
    let org = api.post(
        "/api/organisations",
        Some(&programme),
        &json!({ "name": "Acme", "kind": "startup", "country": "DE" }),
    );
    assert_eq!(org.status, 201, "{org:?}");
    let r = api.send(
        "PATCH",
        &format!("/api/organisations/{}", org.body["id"].as_str().unwrap()),
        Some(&programme),
        Some(("application/json", r#"{"name":"\u0000"}"#)),
    );
    assert_problem(&r, 422);
    assert_eq!(r.body["errors"][0]["field"], "name", "{r:?}");
    let r = api.post(
        "/api/admin/communes",
        Some(&hosting),
        &json!({ "insee": "01004", "name": "Ambérieu\u{0}" }),
    );
    assert_problem(&r, 422);
    assert_eq!(r.body["errors"][0]["field"], "name", "{r:?}");
    new_commune(&api, &hosting, "01004", "Ambérieu-en-Bugey");
    let r = api.post(
        "/api/communes/01004/members",
        Some(&programme),
        &json!({ "email": "x@ain.example", "role": "agent", "name": "X\u{0}" }),
    );
    assert_problem(&r, 422);
    assert_eq!(r.body["errors"][0]["field"], "name", "{r:?}");
}

/// Nobody joins an organisation without consenting, and inviting tells nothing
/// about who is registered (issue 11, finding 10): `POST
/// /api/organisations/{id}/members` records a pending invitation and answers 202
/// with the same body for an account, an unknown e-mail and a member of another
/// organisation; the invited account sees it on `GET /api/me/invitations` and is a
/// member only once it accepts (`…/accept`); it may decline (`…/decline`); nobody
/// else answers it. Before, the account was enrolled at once (200), and an unknown
/// e-mail was a 422 saying no account had it.
#[test]
fn organisations_invite_and_only_the_invited_person_enrols_themselves() {
    let server = server();
    let api = Api::new(&server);
    let hosting = api.token("hosting@qmi.example");
    let programme = api.token("programme@qmi.example");
    new_commune(&api, &hosting, "01004", "Ambérieu-en-Bugey");
    for email in [
        "invitee@ain.example",
        "refuser@ain.example",
        "taken@ain.example",
        "bystander@ain.example",
    ] {
        new_member(&api, &programme, email, &[("01004", "reviewer")]);
    }
    let create = |token: &str, name: &str| {
        let r = api.post(
            "/api/organisations",
            Some(token),
            &json!({ "name": name, "kind": "startup", "country": "DE" }),
        );
        assert_eq!(r.status, 201, "{r:?}");
        r.body["id"].as_str().unwrap().to_owned()
    };
    let org = create(&programme, "Capteurs SAS");
    let other = create(&api.token("taken@ain.example"), "Autre GmbH");
    let invite = |email: &str| {
        api.post(
            &format!("/api/organisations/{org}/members"),
            Some(&programme),
            &json!({ "email": email }),
        )
    };

    // The same answer whoever the e-mail is.
    let answers: Vec<Res> = [
        "invitee@ain.example",
        "nobody@nowhere.example",
        "taken@ain.example",
        "refuser@ain.example",
    ]
    .into_iter()
    .map(invite)
    .collect();
    for (r, email) in answers.iter().zip([
        "invitee@ain.example",
        "nobody@nowhere.example",
        "taken@ain.example",
        "refuser@ain.example",
    ]) {
        assert_eq!(r.status, 202, "{email}: {r:?}");
        assert_eq!(
            r.body,
            json!({ "organisation_id": org, "email": email, "status": "pending" }),
            "{email}"
        );
    }
    assert_eq!(
        invite("invitee@ain.example").body,
        answers[0].body,
        "inviting again changes nothing"
    );
    // Nobody is a member yet.
    let members = api.get(
        &format!("/api/organisations/{org}/members"),
        Some(&programme),
    );
    assert_eq!(members.body, json!([]), "{members:?}");

    // The invited person sees it; nobody else does or may answer it.
    let invitee = api.token("invitee@ain.example");
    let mine = api.get("/api/me/invitations", Some(&invitee));
    assert_eq!(mine.status, 200, "{mine:?}");
    let list = mine.body.as_array().unwrap();
    assert_eq!(list.len(), 1, "{mine:?}");
    assert_eq!(list[0]["organisation"]["name"], "Capteurs SAS");
    let id = list[0]["id"].as_str().unwrap().to_owned();
    let bystander = api.token("bystander@ain.example");
    assert_eq!(
        api.get("/api/me/invitations", Some(&bystander)).body,
        json!([])
    );
    assert_problem(
        &api.post(
            &format!("/api/me/invitations/{id}/accept"),
            Some(&bystander),
            &json!({}),
        ),
        404,
    );
    assert_problem(
        &api.post(
            &format!("/api/me/invitations/{id}/decline"),
            Some(&bystander),
            &json!({}),
        ),
        404,
    );

    // Accepted: a member, and the next token says so.
    let r = api.post(
        &format!("/api/me/invitations/{id}/accept"),
        Some(&invitee),
        &json!({}),
    );
    assert_eq!(
        (r.status, r.body["id"].as_str()),
        (200, Some(org.as_str())),
        "{r:?}"
    );
    assert_problem(
        &api.post(
            &format!("/api/me/invitations/{id}/accept"),
            Some(&invitee),
            &json!({}),
        ),
        404,
    );
    let members = api.get(
        &format!("/api/organisations/{org}/members"),
        Some(&programme),
    );
    let emails: Vec<&str> = members
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["invitee@ain.example"], "{members:?}");
    assert_eq!(
        claims_of(&api.token("invitee@ain.example"))["org"],
        org.as_str()
    );
    // A commune's member list names each member's organisation (conflicts of interest).
    let list = api.get("/api/communes/01004/members", Some(&programme));
    let of = |email: &str| {
        list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == email)
            .unwrap()["organisation"]
            .clone()
    };
    assert_eq!(of("invitee@ain.example"), json!(org), "{list:?}");
    assert_eq!(of("taken@ain.example"), json!(other), "{list:?}");
    assert_eq!(of("bystander@ain.example"), Value::Null, "{list:?}");

    // Declined: not a member, and the invitation is gone.
    let refuser = api.token("refuser@ain.example");
    let id = api.get("/api/me/invitations", Some(&refuser)).body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = api.post(
        &format!("/api/me/invitations/{id}/decline"),
        Some(&refuser),
        &json!({}),
    );
    assert_eq!(r.status, 204, "{r:?}");
    assert_eq!(
        api.get("/api/me/invitations", Some(&refuser)).body,
        json!([])
    );
    // A member of another organisation cannot belong to two: 409, and stays where they are.
    let taken = api.token("taken@ain.example");
    let id = api.get("/api/me/invitations", Some(&taken)).body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_problem(
        &api.post(
            &format!("/api/me/invitations/{id}/accept"),
            Some(&taken),
            &json!({}),
        ),
        409,
    );
    assert_eq!(
        api.get("/api/me", Some(&taken)).body["organisation"]["id"],
        other.as_str()
    );
    let members = api.get(
        &format!("/api/organisations/{org}/members"),
        Some(&programme),
    );
    assert_eq!(members.body.as_array().unwrap().len(), 1, "{members:?}");
}
