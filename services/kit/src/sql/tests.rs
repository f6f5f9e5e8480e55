//! The generated SQL of every builder, and the platform path's refusal.

use qmi_api::Insee;

use super::*;

const MEMBERS: TenantTable = TenantTable::new("memberships");
const CALLS: TenantTable = TenantTable::new("calls");
const APPS: TenantTable = TenantTable::new("applications");
static SCHEMA: Schema = Schema {
    tenant: &[MEMBERS, CALLS, APPS],
    platform: &["accounts", "campaigns", "outbox"],
};

#[expect(clippy::unwrap_used, reason = "a test fixture: a valid INSEE code")]
fn insee() -> Insee {
    "93066".parse().unwrap()
}

fn tenant(insee: &Insee) -> Tenant<'_> {
    Tenant {
        conn: &(),
        dialect: Dialect::Sqlite,
        insee,
        action: "test",
    }
}

fn across() -> Across<'static> {
    Across {
        conn: &(),
        dialect: Dialect::Sqlite,
    }
}

fn platform() -> Platform<'static> {
    Platform {
        conn: &(),
        dialect: Dialect::Sqlite,
        schema: &SCHEMA,
    }
}

#[test]
fn every_tenant_statement_is_scoped_first() {
    let insee = insee();
    let t = tenant(&insee);
    let s = t
        .select(MEMBERS, &["account_id", "role"])
        .filter("account_id > ?", [Value::from("a")])
        .order_by("account_id")
        .limit(11)
        .statement();
    assert_eq!(
        s.sql,
        "SELECT account_id, role FROM memberships WHERE (insee = ?) AND (account_id > ?) ORDER BY account_id LIMIT 11"
    );
    assert_eq!(s.params, vec![Value::from("93066"), Value::from("a")]);

    let s = t
        .insert(
            MEMBERS,
            vec![("account_id", "x".into()), ("role", "agent".into())],
        )
        .statement();
    assert_eq!(
        s.sql,
        "INSERT INTO memberships (insee, account_id, role) VALUES (?, ?, ?)"
    );
    assert_eq!(s.params[0], Value::from("93066"));

    let s = t
        .update(MEMBERS, vec![("role", "admin".into())])
        .filter("account_id = ?", ["x".into()])
        .statement();
    assert_eq!(
        s.sql,
        "UPDATE memberships SET role = ? WHERE (insee = ?) AND (account_id = ?)"
    );
    assert_eq!(
        s.params,
        vec![Value::from("admin"), Value::from("93066"), Value::from("x")]
    );

    let s = t
        .update(CALLS, vec![])
        .set_expr("version", "version + ?", [Value::Integer(1)])
        .filter("id = ?", ["c".into()])
        .returning(&["version"])
        .statement();
    assert_eq!(
        s.sql,
        "UPDATE calls SET version = version + ? WHERE (insee = ?) AND (id = ?) RETURNING version"
    );
    assert_eq!(
        s.params,
        vec![Value::Integer(1), Value::from("93066"), Value::from("c")]
    );

    let s = t.delete(MEMBERS).statement();
    assert_eq!(s.sql, "DELETE FROM memberships WHERE (insee = ?)");
}

#[test]
fn upserts_and_ignores_keep_the_commune_in_the_key() {
    let insee = insee();
    let s = tenant(&insee)
        .insert(
            MEMBERS,
            vec![("account_id", "x".into()), ("role", "agent".into())],
        )
        .upsert(&["account_id"], &["role"])
        .statement();
    assert_eq!(
        s.sql,
        "INSERT INTO memberships (insee, account_id, role) VALUES (?, ?, ?) ON CONFLICT (insee, account_id) DO UPDATE SET role = excluded.role"
    );
    let s = tenant(&insee)
        .insert(MEMBERS, vec![("account_id", "x".into())])
        .or_ignore()
        .returning(&["account_id"])
        .statement();
    assert_eq!(
        s.sql,
        "INSERT INTO memberships (insee, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING account_id"
    );
}

#[test]
fn joins_are_scoped_on_both_sides() {
    let insee = insee();
    let s = tenant(&insee)
        .select(APPS, &["applications.id", "calls.title"])
        .join(CALLS, "calls.id = applications.call_id", [])
        .left_join_platform("campaigns", "campaigns.id = calls.campaign_id", [])
        .filter("calls.status = ?", ["open".into()])
        .statement();
    assert_eq!(
        s.sql,
        "SELECT applications.id, calls.title FROM applications JOIN calls ON calls.insee = applications.insee AND (calls.id = applications.call_id) LEFT JOIN campaigns ON (campaigns.id = calls.campaign_id) WHERE (applications.insee = ?) AND (calls.status = ?)"
    );
    assert_eq!(s.params, vec![Value::from("93066"), Value::from("open")]);

    let s = across()
        .select(APPS, &["a.id"])
        .alias("a")
        .join_as(
            CALLS,
            "c",
            "c.id = a.call_id AND c.status = ?",
            ["published".into()],
        )
        .filter("a.applicant = ?", ["acc".into()])
        .statement();
    assert_eq!(
        s.sql,
        "SELECT a.id FROM applications a JOIN calls c ON c.insee = a.insee AND (c.id = a.call_id AND c.status = ?) WHERE (a.applicant = ?)"
    );
    assert_eq!(s.params, vec![Value::from("published"), Value::from("acc")]);
}

#[test]
fn counts_exists_and_unfiltered_reads_across() {
    let insee = insee();
    let q = tenant(&insee)
        .select(APPS, &["id"])
        .filter("call_id = ?", ["c".into()])
        .order_by("id")
        .limit(3);
    assert_eq!(
        q.count_statement().sql,
        "SELECT COUNT(*) AS n FROM applications WHERE (insee = ?) AND (call_id = ?)"
    );
    assert_eq!(
        q.exists_statement().sql,
        "SELECT EXISTS (SELECT 1 FROM applications WHERE (insee = ?) AND (call_id = ?)) AS e"
    );
    assert_eq!(
        across()
            .select(CALLS, &["id"])
            .group_by("insee")
            .statement()
            .sql,
        "SELECT id FROM calls GROUP BY insee"
    );
}

#[test]
fn insert_select_stays_in_one_commune() {
    let insee = insee();
    let s = tenant(&insee)
        .insert_select(
            MEMBERS,
            &["account_id", "role"],
            APPS,
            &["applicant", "'jury'"],
        )
        .filter("call_id = ?", ["c".into()])
        .or_ignore()
        .statement();
    assert_eq!(
        s.sql,
        "INSERT INTO memberships (insee, account_id, role) SELECT ?, applicant, 'jury' FROM applications WHERE (insee = ?) AND (call_id = ?) ON CONFLICT DO NOTHING"
    );
    assert_eq!(
        s.params,
        vec![Value::from("93066"), Value::from("93066"), Value::from("c")]
    );
}

#[test]
fn the_platform_path_refuses_tenant_tables() {
    let p = platform();
    let ok = p
        .statement(
            "SELECT id FROM accounts WHERE email = ?",
            vec!["a@b".into()],
        )
        .unwrap();
    assert_eq!(ok.sql, "SELECT id FROM accounts WHERE email = ?");
    for sql in [
        "SELECT account_id FROM memberships WHERE insee = ?",
        "SELECT a.id FROM accounts a JOIN memberships m ON m.account_id = a.id",
        "UPDATE calls SET status = 'closed'",
        "DELETE FROM applications WHERE id = ?",
        "INSERT INTO outbox (event) SELECT id FROM calls",
    ] {
        match p.statement(sql, Vec::new()) {
            Err(StoreError::TenantTableOnPlatformPath { table, .. }) => {
                assert!(SCHEMA.is_tenant(table), "{sql}");
            }
            other => panic!("{sql}: {other:?}"),
        }
    }
    let problem = crate::Problem::from(p.statement("SELECT * FROM calls", vec![]).unwrap_err());
    assert_eq!(problem.status, 500);
}

#[test]
fn builders_name_only_schema_tenant_tables() {
    let insee = insee();
    let q = tenant(&insee).select(APPS, &["id"]).join(CALLS, "1", []);
    assert!(check_tenant_tables(&SCHEMA, q.tenant_tables()).is_ok());
    let stray = tenant(&insee).select(TenantTable::new("accounts"), &["id"]);
    assert!(matches!(
        check_tenant_tables(&SCHEMA, stray.tenant_tables()),
        Err(StoreError::NotATenantTable { table: "accounts" })
    ));
}

#[test]
fn reads_across_narrow_to_communes_through_the_builder() {
    let a: Insee = "93066".parse().unwrap();
    let b: Insee = "93048".parse().unwrap();
    let s = across()
        .select(APPS, &["id"])
        .within_any(&[a.clone(), b.clone()])
        .filter("call_id = ?", ["c".into()])
        .statement();
    assert_eq!(
        s.sql,
        "SELECT id FROM applications WHERE (insee IN (?, ?)) AND (call_id = ?)"
    );
    assert_eq!(
        s.params,
        vec![Value::from("93066"), Value::from("93048"), Value::from("c")]
    );
    assert_eq!(
        across()
            .select(APPS, &["id"])
            .within_any(&[])
            .statement()
            .sql,
        "SELECT id FROM applications WHERE (1 = 0)"
    );
    let s = across().select(APPS, &["id"]).within(&b).statement();
    assert_eq!(s.sql, "SELECT id FROM applications WHERE (insee = ?)");
    // A tenant read stays its commune's.
    let s = tenant(&a).select(APPS, &["id"]).within(&b).statement();
    assert_eq!(s.params, vec![Value::from("93066")]);
}

#[test]
fn insert_select_binds_its_columns_first() {
    let insee = insee();
    let s = tenant(&insee)
        .insert_select(
            APPS,
            &["id", "seq"],
            APPS,
            &["?", "COALESCE(MAX(seq), 0) + 1"],
        )
        .bind(["a".into()])
        .filter("id = ?", ["b".into()])
        .statement();
    assert_eq!(
        s.sql,
        "INSERT INTO applications (insee, id, seq) SELECT ?, ?, COALESCE(MAX(seq), 0) + 1 FROM applications WHERE (insee = ?) AND (id = ?)"
    );
    assert_eq!(
        s.params,
        vec![
            Value::from("93066"),
            Value::from("a"),
            Value::from("93066"),
            Value::from("b")
        ]
    );
}

#[test]
fn joins_across_communes_only_when_reading_across() {
    let q = |s: Select<'_>| {
        s.alias("a")
            .join_across_as(CALLS, "c", "c.id = a.call_id", [])
            .statement()
            .sql
    };
    assert_eq!(
        q(across().select(APPS, &["a.id"])),
        "SELECT a.id FROM applications a JOIN calls c ON (c.id = a.call_id)"
    );
    let insee = insee();
    assert_eq!(
        q(tenant(&insee).select(APPS, &["a.id"])),
        "SELECT a.id FROM applications a JOIN calls c ON c.insee = a.insee AND (c.id = a.call_id) WHERE (a.insee = ?)"
    );
}
