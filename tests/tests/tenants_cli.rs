//! `qmi tenants …`: the hosting operator adds, lists, suspends and resumes a
//! tenant through the running application, and the gateway follows at once.

use std::process::{Command, Stdio};

use qmi_tests::{QmiServer, app, qmi_bin};

const PASSWORD: &str = "tenants-cli-password";

fn server() -> QmiServer {
    app::serve(&["identity"], PASSWORD)
}

/// Runs `qmi tenants ARGS` against the server; returns (success, stdout, stderr).
fn tenants(server: &QmiServer, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(qmi_bin())
        .arg("tenants")
        .args(args)
        .env("QMI_URL", server.base_url())
        .env("QMI_OPERATOR_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .output()
        .expect("qmi tenants runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn operators_manage_tenants_from_the_command_line() {
    let server = server();

    let (ok, out, err) = tenants(&server, &["list"]);
    assert!(ok, "{err}");
    assert!(out.contains("130 commune(s)"), "{out}");
    assert!(
        out.contains("93066") && out.contains("Saint-Denis"),
        "{out}"
    );

    let (ok, out, err) = tenants(
        &server,
        &[
            "add",
            "69123",
            "--name",
            "Lyon",
            "--population",
            "522250",
            "--metropolis",
            "200046977",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("added 69123 Lyon"), "{out}");
    let (ok, _, _) = tenants(&server, &["add", "69123", "--name", "Lyon"]);
    assert!(!ok, "adding the same commune twice must fail");

    // The commune's admin signs in before the suspension.
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let sign_in = || -> String {
        let token: serde_json::Value = client
            .post(server.url("/api/auth/token"))
            .header("content-type", "application/json")
            .body(
                serde_json::json!({ "email": "admin.montreuil@qmi.example", "password": PASSWORD })
                    .to_string(),
            )
            .send()
            .and_then(|r| r.text())
            .map(|t| serde_json::from_str(&t).unwrap())
            .unwrap();
        token["access_token"]
            .as_str()
            .expect("admin signs in")
            .to_owned()
    };
    let token = sign_in();

    let (ok, out, err) = tenants(&server, &["suspend", "93048", "--reason", "test"]);
    assert!(ok, "{err}");
    assert!(out.contains("93048") && out.contains("suspended"), "{out}");
    let (ok, out, _) = tenants(&server, &["list", "--status", "suspended"]);
    assert!(
        ok && out.contains("93048") && out.contains("1 commune(s)"),
        "{out}"
    );

    // The suspended commune's admin is refused right away (403 tenant-suspended),
    // and a token issued now carries no membership there.
    let members = client
        .get(server.url("/api/communes/93048/members"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(members.status().as_u16(), 403);
    assert!(members.text().unwrap().contains("tenant-suspended"));
    let during = sign_in();
    let members = client
        .get(server.url("/api/communes/93048/members"))
        .bearer_auth(&during)
        .send()
        .unwrap();
    assert_eq!(members.status().as_u16(), 403);

    let (ok, out, err) = tenants(&server, &["resume", "93048"]);
    assert!(ok, "{err}");
    assert!(out.contains("district"), "{out}");
    let members = client
        .get(server.url("/api/communes/93048/members"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(members.status().as_u16(), 200);

    let (ok, _, err) = tenants(&server, &["suspend", "99999", "--reason", "test"]);
    assert!(!ok, "an unknown commune cannot be suspended");
    assert!(err.contains("404"), "{err}");
}
