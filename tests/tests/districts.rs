//! Districts over HTTP through `qmi up` (gateway, policy, identity, districts):
//! every action asks the policy, which alone decides who completes a district and
//! freezes a suspended commune's district for everyone but programme operators
//! (issue 11, findings 1 and 4).

use qmi_tests::http::Client;
use qmi_tests::{QmiServer, app};
use serde_json::{Value, json};

const PASSWORD: &str = "districts-tests-password";

fn server() -> QmiServer {
    app::serve(&["identity", "districts"], PASSWORD)
}

/// The shared JSON client (a 5xx fails the test), answering (status, body).
struct Api<'a> {
    client: Client<'a>,
}

impl<'a> Api<'a> {
    fn new(server: &'a QmiServer) -> Self {
        Self {
            client: Client::new(server),
        }
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let r = self.client.send(method, path, token, body);
        (r.status, r.body)
    }

    fn token(&self, email: &str) -> String {
        let (status, body) = self.send(
            "POST",
            "/api/auth/token",
            None,
            Some(&json!({ "email": email, "password": PASSWORD })),
        );
        assert_eq!(status, 200, "sign-in of {email}: {body}");
        body["access_token"].as_str().unwrap().to_owned()
    }
}

fn district(insee: &str, name: &str) -> Value {
    json!({
        "insee": insee,
        "name": name,
        "perimeter": {"type":"Polygon","coordinates":[[[2.35,48.93],[2.37,48.93],[2.37,48.94],[2.35,48.94],[2.35,48.93]]]},
        "description": "Cours d'école et rues apaisées",
    })
}

#[test]
fn the_policy_decides_who_completes_a_district_and_suspension_freezes_it() {
    let server = server();
    let api = Api::new(&server);
    let programme = api.token("programme@qmi.example");
    let hosting = api.token("hosting@qmi.example");
    let admin = api.token("admin.saint-denis@qmi.example");
    let agent = api.token("agent.saint-denis@qmi.example");
    let other_admin = api.token("admin.montreuil@qmi.example");
    let insee = "93066";
    let path = format!("/api/districts/{insee}");

    // Created by the programme (a selection does it); idempotent when it exists.
    let (status, _) = api.send(
        "POST",
        "/api/districts",
        Some(&programme),
        Some(&district(insee, "Pleyel")),
    );
    assert!(status == 200 || status == 201, "{status}");
    let (status, body) = api.send(
        "POST",
        "/api/districts",
        Some(&admin),
        Some(&district(insee, "Pleyel")),
    );
    assert_eq!(
        status, 403,
        "a commune admin does not create districts: {body}"
    );

    // Completed by the commune's admins and programme operators only.
    assert_eq!(
        api.send(
            "PUT",
            &path,
            Some(&admin),
            Some(&district(insee, "Pleyel-Landy"))
        )
        .0,
        200
    );
    for (who, token) in [
        ("agent", &agent),
        ("another commune's admin", &other_admin),
        ("hosting operator", &hosting),
    ] {
        let (status, body) = api.send("PUT", &path, Some(token), Some(&district(insee, "Intrus")));
        assert_eq!(status, 403, "{who}: {body}");
    }
    assert_eq!(api.send("GET", &path, None, None).1["name"], "Pleyel-Landy");

    // Suspended: its admin is refused, the programme is not, the public page stays.
    let (status, body) = api.send(
        "POST",
        &format!("/api/admin/communes/{insee}/suspend"),
        Some(&hosting),
        Some(&json!({ "reason": "test" })),
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = api.send(
        "PUT",
        &path,
        Some(&admin),
        Some(&district(insee, "Pendant la suspension")),
    );
    assert_eq!(status, 403, "{body}");
    assert!(
        body["type"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/tenant-suspended"),
        "{body}"
    );
    assert_eq!(
        api.send(
            "PUT",
            &path,
            Some(&programme),
            Some(&district(insee, "Pleyel (programme)"))
        )
        .0,
        200
    );
    assert_eq!(
        api.send("GET", &path, None, None).1["name"],
        "Pleyel (programme)"
    );

    // Resumed: the admin completes it again.
    let (status, body) = api.send(
        "POST",
        &format!("/api/admin/communes/{insee}/resume"),
        Some(&hosting),
        Some(&json!({})),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        api.send(
            "PUT",
            &path,
            Some(&admin),
            Some(&district(insee, "Pleyel-Landy"))
        )
        .0,
        200
    );
}

#[test]
fn methods_query_parameters_and_head_are_answered_by_the_catalogue() {
    let server = server();
    let api = Api::new(&server);
    let programme = api.token("programme@qmi.example");
    let resp = api.client.delete("/api/districts/93066", Some(&programme));
    assert_eq!(resp.status, 405, "{resp:?}");
    assert_eq!(resp.header("allow"), Some("GET, HEAD, PUT"));
    let resp = api.client.send("HEAD", "/api/districts", None, None);
    assert_eq!(resp.status, 200, "{resp:?}");
    let (status, body) = api.send("GET", "/api/districts/93066?limit=true", None, None);
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["field"], "limit");
    let (status, body) = api.send("GET", "/api/districts?limit=true", None, None);
    assert_eq!(
        (status, &body["errors"][0]["field"]),
        (400, &json!("limit")),
        "{body}"
    );
}
