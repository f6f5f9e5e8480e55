//! `qmi tenants …`: the hosting operator adds, lists, suspends and resumes a
//! tenant through the running application, and the gateway follows at once.

use std::process::{Command, Stdio};

use qmi_tests::http::Client;
use qmi_tests::{QmiServer, app, qmi_bin};
use serde_json::json;

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
    let client = Client::new(&server);
    let sign_in = || -> String {
        client
            .post(
                "/api/auth/token",
                None,
                &json!({ "email": "admin.montreuil@qmi.example", "password": PASSWORD }),
            )
            .str("access_token")
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
    let members = client.get("/api/communes/93048/members", Some(&token));
    assert_eq!(members.status, 403, "{members:?}");
    assert!(members.text.contains("tenant-suspended"), "{members:?}");
    let during = sign_in();
    let members = client.get("/api/communes/93048/members", Some(&during));
    assert_eq!(members.status, 403, "{members:?}");

    let (ok, out, err) = tenants(&server, &["resume", "93048"]);
    assert!(ok, "{err}");
    assert!(out.contains("district"), "{out}");
    let members = client.get("/api/communes/93048/members", Some(&token));
    assert_eq!(members.status, 200, "{members:?}");

    let (ok, _, err) = tenants(&server, &["suspend", "99999", "--reason", "test"]);
    assert!(!ok, "an unknown commune cannot be suspended");
    assert!(err.contains("404"), "{err}");
}
