//! The `policy` component (services/policy) works as a Spin component dependency: the
//! fixture `policy-probe` imports `qmi:platform/authz` and is composed with the real
//! policy component (`"qmi:platform/authz" = { component = "policy" }` in
//! tests/fixtures/spin.toml); each answer below crosses the component boundary.

use qmi_tests::QmiServer;

#[test]
fn a_service_asks_the_policy_through_a_component_dependency() {
    let server = QmiServer::start(&[]);
    let ask = |path: &str| {
        let reply = server.get(&format!("/policy-probe/{path}"));
        assert_eq!(reply.status, 200, "{path}: {reply:?}");
        reply.body
    };
    // Allowed: the rule's positive cases.
    assert_eq!(ask("programme/call-read?tenant=93066"), "allowed");
    assert_eq!(
        ask("admin-93066/tenant-content-read?tenant=93066"),
        "allowed"
    );
    assert_eq!(ask("hosting/tenant-suspend?tenant=93066"), "allowed");
    assert_eq!(ask("anonymous/call-read?tenant=93066&published"), "allowed");
    // Refused, with the machine code and a reason crossing the boundary.
    let other = ask("admin-93066/tenant-content-read?tenant=75056");
    assert!(
        other.starts_with("refused RefusalCode::NotMember: "),
        "{other}"
    );
    assert!(
        other.contains("75056"),
        "the reason names the commune: {other}"
    );
    let hosting = ask("hosting/tenant-content-read?tenant=93066");
    assert!(
        hosting.starts_with("refused RefusalCode::HostingOperator: "),
        "{hosting}"
    );
    let anonymous = ask("anonymous/call-read?tenant=93066");
    assert!(
        anonymous.starts_with("refused RefusalCode::Unauthenticated: "),
        "{anonymous}"
    );
    let partner = ask("partner-x/tenant-suspend");
    assert!(
        partner.starts_with("refused RefusalCode::InsufficientRole: "),
        "{partner}"
    );
    let incomplete = ask("programme/tenant-content-read");
    assert!(
        incomplete.starts_with("refused RefusalCode::IncompleteFacts: "),
        "{incomplete}"
    );
}
