//! The internal routes every audited service answers (`/internal/<service>/audit`
//! and `/usage`, [`qmi_api::internal`]), for identity, which gathers them into a
//! commune's trail and the hosting operator's usage. The caller showed the
//! internal token; the answers are a chain's entries (ids, never names) and
//! counts.

use qmi_api::internal::{AUDIT_SUFFIX, USAGE_SUFFIX};
use qmi_api::{Insee, REQUEST_ID_HEADER};

use crate::audit::Filter;
use crate::http::{Incoming, Reply, json};
use crate::problem::Problem;
use crate::sql::Schema;
use crate::store::Db;

/// Most entries a page holds (its refusal says 500).
pub const MAX_LIMIT: usize = 500;

/// Whether `path` is one of the routes [`route`] answers under `prefix`.
pub fn answers(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest == AUDIT_SUFFIX || rest == USAGE_SUFFIX)
}

/// Answers `GET <prefix>/audit` and `GET <prefix>/usage` of the service whose
/// internal routes start with `prefix`; `None` for another path.
pub async fn route(req: &Incoming, prefix: &str, db: &Db) -> Option<Result<Reply, Problem>> {
    let rest = req.path.strip_prefix(prefix)?;
    if rest != AUDIT_SUFFIX && rest != USAGE_SUFFIX {
        return None;
    }
    if req.method.as_str() != "GET" {
        return Some(Err(Problem::method_not_allowed_with(
            req.method.as_str(),
            &["GET"],
        )));
    }
    Some(if rest == AUDIT_SUFFIX {
        entries(req, db).await
    } else {
        db.usage()
            .await
            .map(|usage| json(200, &usage))
            .map_err(Problem::from)
    })
}

async fn entries(req: &Incoming, db: &Db) -> Result<Reply, Problem> {
    // A person's own data export: every entry naming the account, everywhere.
    if req.query.non_empty("everywhere").is_some() {
        let account = req
            .query
            .non_empty("account")
            .ok_or_else(|| Problem::invalid_field("account", "required with everywhere"))?;
        return Ok(json(200, &db.audit_by_account(account).await?));
    }
    let (insee, filter) = parse(|name| req.query.get(name))?;
    let entries = db.audit_entries_internal(insee.as_ref(), &filter).await?;
    Ok(json(200, &entries))
}

/// The chain (`insee`; empty or absent: the platform's) and the filter a query
/// asks for; a malformed parameter is a 400 naming it.
pub fn parse<'q>(
    get: impl Fn(&str) -> Option<&'q str>,
) -> Result<(Option<Insee>, Filter), Problem> {
    let text = |name: &str| get(name).map(str::trim).filter(|v| !v.is_empty());
    let insee = match text("insee") {
        None => None,
        Some(v) => Some(
            v.parse::<Insee>()
                .map_err(|e| Problem::invalid_field("insee", e.to_string()))?,
        ),
    };
    let day = |name: &str| -> Result<Option<String>, Problem> {
        match text(name) {
            None => Ok(None),
            Some(v) if is_day(v) => Ok(Some(v.to_owned())),
            Some(_) => Err(Problem::invalid_field(name, "a date: YYYY-MM-DD")),
        }
    };
    let number = |name: &str| -> Result<Option<i64>, Problem> {
        match text(name) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 1)
                .map(Some)
                .ok_or_else(|| Problem::invalid_field(name, "a whole number from 1")),
        }
    };
    let limit = match number("limit")? {
        None => 50,
        Some(n) if usize::try_from(n).is_ok_and(|n| n <= MAX_LIMIT) => n as usize,
        Some(_) => {
            return Err(Problem::invalid_field(
                "limit",
                "a whole number from 1 to 500",
            ));
        }
    };
    let short = |name: &str| -> Result<Option<String>, Problem> {
        match text(name) {
            Some(v) if v.len() > 200 => Err(Problem::invalid_field(name, "at most 200 characters")),
            v => Ok(v.map(str::to_owned)),
        }
    };
    Ok((
        insee,
        Filter {
            account: short("account")?,
            record: short("record")?,
            action: short("action")?,
            from: day("from")?,
            to: day("to")?,
            before: number("before")?,
            limit,
        },
    ))
}

/// `YYYY-MM-DD`.
fn is_day(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// A service's whole internal route when it has no other internal call: the
/// token checked, its database `label` opened (the platform acts), then
/// [`route`], else 404.
pub async fn serve(
    req: &Incoming,
    prefix: &str,
    label: &str,
    schema: &'static Schema,
) -> Result<Reply, Problem> {
    crate::internal::authorize(req).await?;
    let db = Db::open(label, schema).await?;
    db.attend_platform(req.header(REQUEST_ID_HEADER));
    let reply = match route(req, prefix, &db).await {
        Some(reply) => reply,
        None => Err(Problem::not_found(format!(
            "no internal route {} {}",
            req.method.as_str(),
            req.path
        ))),
    };
    db.finish().await;
    reply
}
