//! Row-level security proven at the database level: on a migrated PostgreSQL,
//! each service connects as its own role (`qmi_<label>`), and for every tenant
//! table — read from the catalog and checked against the tables the services
//! declare in their kit `Schema` — sees and writes only the rows of the commune
//! its transaction set (`qmi.commune`), nothing without one, and reads every
//! commune's rows but writes none with the platform-wide read path
//! (`qmi.across = 'read'`). The service roles own nothing and cannot bypass RLS.
//! The audit trail's tables (`audit`, a tenant table, and `platform_audit`) are
//! append-only: the service may read and insert, never update, delete or
//! truncate, even its own commune's rows.
//! The rows are written by the admin (a superuser, whom RLS does not apply to).

use std::collections::{BTreeMap, BTreeSet};

use qmi_tests::postgres::{DataDir, TestDatabase, declared_tenant_tables};
use sqlx::postgres::{PgArguments, PgQueryResult};
use sqlx::{Connection as _, PgConnection, Postgres};

const A: &str = "93066";
const B: &str = "93048";

/// The tables nobody updates or deletes (the audit trail: `qmi_kit::audit`).
const APPEND_ONLY: &[&str] = &["audit", "platform_audit"];

/// Values the generic rows cannot invent (CHECK constraints), always set: (table, column, value).
const CHECKED: &[(&str, &str, &str)] = &[
    ("memberships", "role", "agent"),
    ("invitations", "kind", "commune"),
    ("invitations", "role", "agent"),
];

#[tokio::test]
async fn every_tenant_table_is_isolated_by_commune() {
    let database = TestDatabase::new();
    let data = DataDir::new();
    data.qmi("migrate", &["--database-url", database.url()]);
    // A second run grants again: what it revokes must stay revoked.
    data.qmi("migrate", &["--database-url", database.url()]);
    let mut admin = database.admin().await;
    let declared = declared_tenant_tables();
    let total: usize = declared.values().map(BTreeSet::len).sum();
    assert!(total >= 20, "too few tenant tables declared: {declared:?}");

    for (label, tables) in &declared {
        let catalog = tenant_relations(&mut admin, label).await;
        assert_eq!(
            &catalog, tables,
            "{label}: the relations with row-level security (or the tenant filter, for views) \
             differ from the tenant tables its Schema declares"
        );
        let login = format!("qmi_{label}");
        check_role(&mut admin, label, &login).await;
        check_append_only(&mut admin, label, &login).await;
        let mut service = PgConnection::connect(&database.url_as(&login))
            .await
            .unwrap_or_else(|e| panic!("connecting as {login}: {e}"));
        for table in tables {
            let relation = Relation::read(&mut admin, label, table).await;
            relation.insert_as_admin(&mut admin, A, "a").await;
            relation.insert_as_admin(&mut admin, B, "b").await;
            check_isolation(&mut admin, &mut service, &relation).await;
        }
    }
}

/// The schema's tables with RLS enabled and forced, and its views that filter
/// on the commune setting.
async fn tenant_relations(admin: &mut PgConnection, schema: &str) -> BTreeSet<String> {
    let unforced: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relrowsecurity AND NOT c.relforcerowsecurity",
    )
    .bind(schema)
    .fetch_all(&mut *admin)
    .await
    .unwrap();
    assert!(
        unforced.is_empty(),
        "{schema}: RLS enabled but not forced on {unforced:?}"
    );
    sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1
           AND ((c.relkind = 'r' AND c.relrowsecurity)
                OR (c.relkind = 'v' AND pg_get_viewdef(c.oid) LIKE '%qmi.commune%'))",
    )
    .bind(schema)
    .fetch_all(&mut *admin)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

/// The service role: can log in, no superuser, no BYPASSRLS, no role of the
/// owner, owns nothing, and has its settings.
async fn check_role(admin: &mut PgConnection, schema: &str, login: &str) {
    let (login_ok, superuser, bypass, member_of_owner, owned): (bool, bool, bool, bool, i64) =
        sqlx::query_as(
            "SELECT r.rolcanlogin, r.rolsuper, r.rolbypassrls,
                    pg_has_role(r.oid, $2, 'MEMBER'),
                    (SELECT count(*) FROM pg_shdepend d WHERE d.refobjid = r.oid AND d.deptype = 'o')
             FROM pg_roles r WHERE r.rolname = $1",
        )
        .bind(login)
        .bind(format!("{login}_owner"))
        .fetch_one(&mut *admin)
        .await
        .unwrap_or_else(|e| panic!("role {login}: {e}"));
    assert!(login_ok, "{login} cannot log in");
    assert!(!superuser, "{login} is a superuser");
    assert!(!bypass, "{login} has BYPASSRLS");
    assert!(!member_of_owner, "{login} is a member of {login}_owner");
    assert_eq!(owned, 0, "{login} owns objects");
    let settings: Vec<String> = sqlx::query_scalar(
        "SELECT unnest(s.setconfig) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
         WHERE r.rolname = $1",
    )
    .bind(login)
    .fetch_all(&mut *admin)
    .await
    .unwrap();
    assert!(
        settings.contains(&format!("search_path={schema}")),
        "{login}: settings {settings:?}"
    );
    assert!(
        settings
            .iter()
            .any(|s| s.starts_with("idle_in_transaction_session_timeout=")),
        "{login}: no idle_in_transaction_session_timeout in {settings:?}"
    );
}

/// The service role may read and append to the audit trail's tables, nothing
/// else; a second `qmi migrate` (which grants again) keeps it so.
async fn check_append_only(admin: &mut PgConnection, schema: &str, login: &str) {
    for table in APPEND_ONLY {
        let class = format!("{schema}.{table}");
        let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(&class)
            .fetch_one(&mut *admin)
            .await
            .unwrap();
        if !exists {
            continue;
        }
        for (privilege, granted) in [
            ("SELECT", true),
            ("INSERT", true),
            ("UPDATE", false),
            ("DELETE", false),
            ("TRUNCATE", false),
        ] {
            let has: bool = sqlx::query_scalar("SELECT has_table_privilege($1, $2, $3)")
                .bind(login)
                .bind(&class)
                .bind(privilege)
                .fetch_one(&mut *admin)
                .await
                .unwrap();
            assert_eq!(has, granted, "{login}: {privilege} on {class}");
        }
    }
}

async fn check_isolation(
    admin: &mut PgConnection,
    service: &mut PgConnection,
    relation: &Relation,
) {
    let name = &relation.name;
    let writable = relation.base == relation.name;
    // Rows for the write attempts, their references made beforehand by the admin.
    let own = relation.row_for_service(admin, A, "own").await;
    let other = relation.row_for_service(admin, B, "other").await;

    // Without a commune: nothing visible, nothing written.
    assert_eq!(
        scalar(service, &format!("SELECT count(*) FROM {name}")).await,
        0,
        "{name}: rows visible without a commune"
    );
    assert_refused(
        relation.insert(service, &own).await,
        name,
        "insert without a commune",
    );
    assert_none(
        execute(service, &format!("UPDATE {name} SET insee = insee")).await,
        name,
        "update without a commune",
    );
    assert_none(
        execute(service, &format!("DELETE FROM {name}")).await,
        name,
        "delete without a commune",
    );
    begin(service, &[("qmi.commune", "")]).await;
    assert_eq!(
        scalar(service, &format!("SELECT count(*) FROM {name}")).await,
        0,
        "{name}: rows visible with an empty commune"
    );
    rollback(service).await;

    // Commune A: its row only.
    begin(service, &[("qmi.commune", A)]).await;
    assert_eq!(
        scalar(service, &format!("SELECT count(*) FROM {name}")).await,
        1,
        "{name}: commune A's rows"
    );
    assert_eq!(
        scalar(
            service,
            &format!("SELECT count(*) FROM {name} WHERE insee <> '{A}'")
        )
        .await,
        0,
        "{name}: another commune's row visible"
    );
    assert_refused(
        attempt(service, &relation.insert_sql(&other), Some(&other)).await,
        name,
        "insert of commune B's row under A",
    );
    assert_none(
        attempt(
            service,
            &format!("UPDATE {name} SET insee = insee WHERE insee = '{B}'"),
            None,
        )
        .await,
        name,
        "update of B's rows under A",
    );
    assert_none(
        attempt(
            service,
            &format!("DELETE FROM {name} WHERE insee = '{B}'"),
            None,
        )
        .await,
        name,
        "delete of B's rows under A",
    );
    if writable && APPEND_ONLY.contains(&relation.base.as_str()) {
        // Append-only: the commune's own rows cannot be changed or removed either,
        // but a row may be added.
        for (sql, what) in [
            (
                format!("UPDATE {name} SET insee = insee WHERE insee = '{A}'"),
                "update of A's row under A",
            ),
            (
                format!("DELETE FROM {name} WHERE insee = '{A}'"),
                "delete of A's row under A",
            ),
        ] {
            assert_refused(attempt(service, &sql, None).await, name, what);
        }
        // The next position of A's chain (the admin's row holds seq 1).
        let next: Row = own
            .iter()
            .map(|(c, v)| match c.as_str() {
                "seq" => (c.clone(), Value::Integer(2)),
                _ => (c.clone(), v.clone()),
            })
            .collect();
        let inserted = attempt(service, &relation.insert_sql(&next), Some(&next))
            .await
            .map(|r| r.rows_affected());
        assert!(
            matches!(inserted, Ok(1)),
            "{name}: insert of A's own row under A: {inserted:?}"
        );
    } else if writable {
        assert_refused(
            attempt(
                service,
                &format!("UPDATE {name} SET insee = '{B}' WHERE insee = '{A}'"),
                None,
            )
            .await,
            name,
            "moving A's row to B",
        );
        // The policy lets the commune's own writes through (so the refusals above are
        // RLS's): its row updated, deleted, and a row inserted in its place.
        let own_write = async |service: &mut PgConnection, sql: String| {
            execute(service, &sql).await.map(|r| r.rows_affected())
        };
        let updated = own_write(
            service,
            format!("UPDATE {name} SET insee = insee WHERE insee = '{A}'"),
        )
        .await;
        assert_eq!(updated.ok(), Some(1), "{name}: update of A's row under A");
        let deleted = own_write(service, format!("DELETE FROM {name} WHERE insee = '{A}'")).await;
        assert_eq!(deleted.ok(), Some(1), "{name}: delete of A's row under A");
        let inserted = relation
            .insert(service, &own)
            .await
            .map(|r| r.rows_affected());
        assert!(
            matches!(inserted, Ok(1)),
            "{name}: insert of A's own row under A: {inserted:?}"
        );
    } else {
        assert_refused(
            attempt(service, &relation.insert_sql(&own), Some(&own)).await,
            name,
            "insert through the view",
        );
    }
    rollback(service).await;

    // The platform-wide read path: every commune's rows, no write.
    begin(service, &[("qmi.across", "read")]).await;
    assert_eq!(
        scalar(service, &format!("SELECT count(*) FROM {name}")).await,
        2,
        "{name}: rows across communes"
    );
    assert_refused(
        attempt(service, &relation.insert_sql(&own), Some(&own)).await,
        name,
        "insert on the read path",
    );
    assert_none(
        attempt(service, &format!("UPDATE {name} SET insee = insee"), None).await,
        name,
        "update on the read path",
    );
    assert_none(
        attempt(service, &format!("DELETE FROM {name}"), None).await,
        name,
        "delete on the read path",
    );
    rollback(service).await;
    begin(service, &[("qmi.across", "write")]).await;
    assert_eq!(
        scalar(service, &format!("SELECT count(*) FROM {name}")).await,
        0,
        "{name}: qmi.across other than 'read'"
    );
    rollback(service).await;

    // Transaction-local: nothing stays set after the transaction.
    begin(service, &[("qmi.commune", A), ("qmi.across", "read")]).await;
    commit(service).await;
    assert_eq!(
        scalar(service, &format!("SELECT count(*) FROM {name}")).await,
        0,
        "{name}: a setting outlived its transaction"
    );

    // Nothing the service tried changed the rows.
    let base = &relation.base;
    let schema = &relation.schema;
    assert_eq!(
        scalar(
            admin,
            &format!("SELECT count(*) FROM {schema}.{base} WHERE insee IN ('{A}', '{B}')")
        )
        .await,
        2,
        "{name}: the admin's rows changed"
    );
}

/// A tenant relation, the table rows are written to (itself, or a view's table),
/// and that table's columns and foreign keys.
struct Relation {
    schema: String,
    name: String,
    base: String,
    table: Table,
}

impl Relation {
    async fn read(admin: &mut PgConnection, schema: &str, name: &str) -> Self {
        let base: Option<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.view_table_usage
             WHERE view_schema = $1 AND view_name = $2",
        )
        .bind(schema)
        .bind(name)
        .fetch_optional(&mut *admin)
        .await
        .unwrap();
        let base = base.unwrap_or_else(|| name.to_owned());
        let table = Table::read(admin, schema, &base).await;
        Self {
            schema: schema.to_owned(),
            name: name.to_owned(),
            base,
            table,
        }
    }

    async fn insert_as_admin(&self, admin: &mut PgConnection, insee: &str, tag: &str) {
        let row = self.table.row(admin, &self.schema, insee, tag).await;
        let sql = insert_sql(&format!("{}.{}", self.schema, self.base), &row);
        bind(sqlx::query(&sql), &row)
            .execute(&mut *admin)
            .await
            .unwrap_or_else(|e| panic!("{}: admin insert: {e}", self.name));
    }

    async fn row_for_service(&self, admin: &mut PgConnection, insee: &str, tag: &str) -> Row {
        self.table.row(admin, &self.schema, insee, tag).await
    }

    /// Inserts through the tenant relation itself, as the services would.
    async fn insert(
        &self,
        conn: &mut PgConnection,
        row: &Row,
    ) -> Result<PgQueryResult, sqlx::Error> {
        let sql = self.insert_sql(row);
        bind(sqlx::query(&sql), row).execute(&mut *conn).await
    }

    /// The statement inserting `row` through the tenant relation.
    fn insert_sql(&self, row: &Row) -> String {
        insert_sql(&self.name, row)
    }
}

/// A value of a generated row.
#[derive(Clone, Debug)]
enum Value {
    Text(String),
    Integer(i64),
    Real(f64),
    Bytes(Vec<u8>),
}

type Row = Vec<(String, Value)>;

/// A table's columns that need a value, and its foreign keys.
struct Table {
    name: String,
    /// (name, type) of the NOT NULL columns without a default, and `insee`.
    required: Vec<(String, String)>,
    /// (columns, referenced table, referenced columns).
    foreign: Vec<(Vec<String>, String, Vec<String>)>,
}

impl Table {
    async fn read(admin: &mut PgConnection, schema: &str, name: &str) -> Self {
        let class = format!("{schema}.{name}");
        let required = sqlx::query_as(
            "SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute a
             WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
               AND ((attnotnull AND NOT atthasdef AND attidentity = '' AND attgenerated = '')
                    OR attname = 'insee')
             ORDER BY attnum",
        )
        .bind(&class)
        .fetch_all(&mut *admin)
        .await
        .unwrap();
        let foreign = sqlx::query_as(
            "SELECT ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o),
                    (SELECT relname::text FROM pg_class WHERE oid = con.confrelid),
                    ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                          JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o)
             FROM pg_constraint con WHERE con.conrelid = $1::regclass AND con.contype = 'f'",
        )
        .bind(&class)
        .fetch_all(&mut *admin)
        .await
        .unwrap();
        Self {
            name: name.to_owned(),
            required,
            foreign,
        }
    }

    /// A row of commune `insee` whose text values carry `tag`; the rows it
    /// references (other than communes, which the migrations hold) are
    /// inserted first, as the admin.
    async fn row(&self, admin: &mut PgConnection, schema: &str, insee: &str, tag: &str) -> Row {
        let mut row: BTreeMap<String, Value> = self
            .required
            .iter()
            .map(|(column, pg_type)| {
                let checked = CHECKED
                    .iter()
                    .find(|(t, c, _)| *t == self.name && c == column)
                    .map(|(_, _, v)| Value::Text((*v).to_owned()));
                let value = match (column.as_str(), pg_type.as_str()) {
                    _ if checked.is_some() => checked.unwrap(),
                    ("insee", _) => Value::Text(insee.to_owned()),
                    (_, "bigint") => Value::Integer(1),
                    (_, "double precision") => Value::Real(1.0),
                    (_, "bytea") => Value::Bytes(b"x".to_vec()),
                    (_, "text") => Value::Text(format!("{}.{column}.{tag}", self.name)),
                    (_, other) => panic!("{}.{column}: no generated value for {other}", self.name),
                };
                (column.clone(), value)
            })
            .collect();
        for (table, column, value) in CHECKED {
            if *table == self.name {
                row.insert((*column).to_owned(), Value::Text((*value).to_owned()));
            }
        }
        for (columns, target, target_columns) in &self.foreign {
            if target == "communes" || !columns.iter().all(|c| row.contains_key(c)) {
                continue;
            }
            let referenced = Box::pin(async {
                let table = Table::read(admin, schema, target).await;
                let referenced = table
                    .row(admin, schema, insee, &format!("{tag}.{}", self.name))
                    .await;
                let sql = insert_sql(&format!("{schema}.{target}"), &referenced);
                bind(sqlx::query(&sql), &referenced)
                    .execute(&mut *admin)
                    .await
                    .unwrap_or_else(|e| panic!("{target}: admin insert of a referenced row: {e}"));
                referenced
            })
            .await;
            for (column, target_column) in columns.iter().zip(target_columns) {
                let value = referenced
                    .iter()
                    .find(|(c, _)| c == target_column)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| panic!("{target}.{target_column} not generated"));
                row.insert(column.clone(), value);
            }
        }
        row.into_iter().collect()
    }
}

fn insert_sql(table: &str, row: &Row) -> String {
    let columns: Vec<&str> = row.iter().map(|(c, _)| c.as_str()).collect();
    let params: Vec<String> = (1..=row.len()).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        params.join(", ")
    )
}

fn bind<'q>(
    mut query: sqlx::query::Query<'q, Postgres, PgArguments>,
    row: &Row,
) -> sqlx::query::Query<'q, Postgres, PgArguments> {
    for (_, value) in row {
        query = match value.clone() {
            Value::Text(v) => query.bind(v),
            Value::Integer(v) => query.bind(v),
            Value::Real(v) => query.bind(v),
            Value::Bytes(v) => query.bind(v),
        };
    }
    query
}

async fn scalar(conn: &mut PgConnection, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn execute(conn: &mut PgConnection, sql: &str) -> Result<PgQueryResult, sqlx::Error> {
    sqlx::query(sql).execute(&mut *conn).await
}

/// Opens a transaction with transaction-local settings, as the store does.
async fn begin(conn: &mut PgConnection, settings: &[(&str, &str)]) {
    execute(conn, "BEGIN").await.unwrap();
    for (name, value) in settings {
        sqlx::query("SELECT set_config($1, $2, true)")
            .bind(name)
            .bind(value)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
}

async fn rollback(conn: &mut PgConnection) {
    execute(conn, "ROLLBACK").await.unwrap();
}

async fn commit(conn: &mut PgConnection) {
    execute(conn, "COMMIT").await.unwrap();
}

/// Runs a statement expected to fail or change nothing (with the row's values
/// as its parameters) inside a savepoint, so the transaction goes on after an
/// error.
async fn attempt(
    conn: &mut PgConnection,
    sql: &str,
    row: Option<&Row>,
) -> Result<PgQueryResult, sqlx::Error> {
    execute(conn, "SAVEPOINT attempt").await.unwrap();
    let result = match row {
        Some(row) => bind(sqlx::query(sql), row).execute(&mut *conn).await,
        None => sqlx::query(sql).execute(&mut *conn).await,
    };
    let end = if result.is_ok() {
        "RELEASE SAVEPOINT attempt"
    } else {
        "ROLLBACK TO SAVEPOINT attempt"
    };
    execute(conn, end).await.unwrap();
    result
}

/// Refused by the database for lack of privilege (RLS or a grant): SQLSTATE 42501.
fn assert_refused(result: Result<PgQueryResult, sqlx::Error>, relation: &str, what: &str) {
    match result {
        Ok(done) => panic!(
            "{relation}: {what} was accepted ({} rows)",
            done.rows_affected()
        ),
        Err(error) => {
            let code = error
                .as_database_error()
                .and_then(|e| e.code().map(|c| c.into_owned()));
            assert_eq!(
                code.as_deref(),
                Some("42501"),
                "{relation}: {what} failed otherwise than by RLS or privileges: {error}"
            );
        }
    }
}

/// Refused, or reached no row.
fn assert_none(result: Result<PgQueryResult, sqlx::Error>, relation: &str, what: &str) {
    match result {
        Ok(done) => assert_eq!(done.rows_affected(), 0, "{relation}: {what} reached rows"),
        Err(_) => assert_refused(result, relation, what),
    }
}
