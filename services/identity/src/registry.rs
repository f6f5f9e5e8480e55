//! The tenant registry: communes, their figures and status (the gateway's copy
//! under `tenant-status/<insee>` is published from here). A child of `component`.

use super::*;
use crate::search::{Search, search_key};

/// The registry's columns, read through alias `c` (`communes c`).
const COMMUNE_COLUMNS: &str = "c.insee, c.name, c.departement, c.ept_code, c.ept_name, \
     c.metropolis_code, c.population, c.status";

fn commune_of(row: qmi_kit::sql::Row<'_>) -> Result<Commune, Problem> {
    Ok(Commune {
        insee: row.string("insee").parse().map_err(Problem::internal)?,
        name: row.string("name"),
        departement: row.string("departement"),
        ept_code: row.text("ept_code").map(str::to_owned),
        ept_name: row.text("ept_name").map(str::to_owned),
        metropolis_code: row.text("metropolis_code").map(str::to_owned),
        population: row.int("population").and_then(|p| u64::try_from(p).ok()),
        status: CommuneStatus::parse(row.text("status").unwrap_or_default())
            .ok_or_else(|| Problem::internal("unknown commune status in the database"))?,
    })
}

pub(super) async fn load_commune(db: &Db, insee: &Insee) -> Result<Option<Commune>, Problem> {
    let rows = db
        .platform()
        .run(
            &format!("SELECT {COMMUNE_COLUMNS} FROM communes c WHERE c.insee = ?"),
            vec![insee.into()],
        )
        .await?;
    rows.first().map(commune_of).transpose()
}

pub(super) async fn require_commune(db: &Db, insee: &Insee) -> Result<Commune, Problem> {
    load_commune(db, insee)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no commune {insee} in the registry")))
}

/// Writes `tenant-status/<insee>` for the gateway, once the change committed,
/// and returns the commune as the registry has it. The registry is read again
/// after writing: when two changes of one commune are published out of order,
/// the last writer still leaves the registry's latest status in the store.
pub(super) async fn publish_status(db: &Db, insee: &Insee) -> Result<Commune, Problem> {
    let store = spin_sdk::key_value::Store::open_default()
        .await
        .map_err(|e| Problem::unavailable(format!("opening the key-value store: {e:?}")))?;
    let mut commune = require_commune(db, insee).await?;
    for _ in 0..4 {
        store
            .set(
                crate::tenant_status_key(insee),
                commune.status.as_str().as_bytes(),
            )
            .await
            .map_err(|e| {
                Problem::unavailable(format!("writing the tenant status of {insee}: {e:?}"))
            })?;
        let now = require_commune(db, insee).await?;
        if now.status == commune.status {
            return Ok(now);
        }
        commune = now;
    }
    Ok(commune)
}

/// Repairs a missing `tenant-status/<insee>` entry (e.g. a database prepared
/// without the host's sync); never overwrites one.
async fn ensure_status_published(commune: &Commune) {
    if let Ok(store) = spin_sdk::key_value::Store::open_default().await {
        let key = crate::tenant_status_key(&commune.insee);
        if matches!(store.exists(&key).await, Ok(false)) {
            let _ = store.set(&key, commune.status.as_str().as_bytes()).await;
        }
    }
}

/// The most INSEE codes one registry request may name (`?insee=`).
const MAX_CODES: usize = 500;

/// Lists the registry in code order, one page at a time, filtered by status,
/// département, territory, named codes and `q` (a code's start or a name's
/// fragment, [`Search`]). A name fragment of two characters or more walks the
/// trigram index (`commune_names`) in code order, so a page costs the same
/// whatever the registry's size and however rare or common the fragment; with a
/// département, territory or named codes, the registry is walked through that
/// filter's index instead (a few hundred communes at most, fewer than a common
/// fragment's matches).
pub(super) async fn list_communes(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let _allowed = cx.allow(cx.who(), Operation::ReadRegistry).await?;
    let query = &cx.req.query;
    let page = PageRequest::from_query(query)?;
    let mut filters = String::new();
    let mut params: Vec<Value> = Vec::new();
    if let Some(status) = query.non_empty("status") {
        let status = CommuneStatus::parse(status).ok_or_else(|| {
            Problem::bad_request("unknown status")
                .field("status", "one of member, candidate, district, suspended")
        })?;
        filters.push_str(" AND c.status = ?");
        params.push(status.as_str().into());
    }
    let mut narrowed = false;
    if let Some(dep) = query.non_empty("departement") {
        let dep = dep.trim().to_ascii_uppercase();
        if !(2..=3).contains(&dep.len()) || !dep.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Problem::bad_request("invalid departement")
                .field("departement", "a département code such as 75, 2A or 974"));
        }
        filters.push_str(" AND c.departement = ?");
        params.push(dep.into());
        narrowed = true;
    }
    if let Some(territory) = query.non_empty("territory") {
        let territory = territory.trim();
        if !(1..=20).contains(&territory.len())
            || !territory.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(Problem::bad_request("invalid territory")
                .field("territory", "a territory (EPT) SIREN such as 200057867"));
        }
        filters.push_str(" AND c.ept_code = ?");
        params.push(territory.to_owned().into());
        narrowed = true;
    }
    if let Some(list) = query.non_empty("insee") {
        // Named communes only (a page naming the communes it shows): at most a
        // page's worth, each a valid code.
        let codes = list
            .split(',')
            .map(|code| code.trim().parse::<Insee>())
            .collect::<Result<BTreeSet<_>, _>>()
            .map_err(|_| {
                Problem::bad_request("invalid insee")
                    .field("insee", "INSEE codes separated by commas, e.g. 93048,93066")
            })?;
        if codes.len() > MAX_CODES {
            return Err(Problem::bad_request("too many codes")
                .field("insee", format!("at most {MAX_CODES} codes")));
        }
        filters.push_str(&format!(
            " AND c.insee IN ({})",
            vec!["?"; codes.len()].join(", ")
        ));
        params.extend(codes.into_iter().map(|c| c.to_string().into()));
        narrowed = true;
    }
    let search = query
        .non_empty("q")
        .map(Search::parse)
        .transpose()?
        .flatten();
    let indexed = match &search {
        Some(Search::Name(fragment)) if !narrowed => fragment.index_pattern(),
        _ => None,
    };
    let sql = if let Some(pattern) = indexed {
        // The name index in code order: the fragment first, then the filters.
        params.insert(0, pattern.into());
        if let Some(after) = &page.after {
            let after: Insee = after
                .key()
                .parse()
                .map_err(|_| qmi_kit::Cursor::invalid())?;
            filters.push_str(" AND s.rowid > ?");
            params.push(search_key(&after).into());
        }
        format!(
            "SELECT {COMMUNE_COLUMNS} FROM commune_names s JOIN communes c ON c.insee = s.insee \
             WHERE s.name_norm LIKE ?{filters} ORDER BY s.rowid LIMIT {}",
            page.fetch()
        )
    } else {
        match search {
            Some(Search::Name(fragment)) => {
                let (condition, values) = fragment.registry_condition();
                filters.push_str(" AND ");
                filters.push_str(condition);
                params.extend(values.into_iter().flatten().map(Value::from));
            }
            Some(Search::Code { from, to }) => {
                filters.push_str(" AND c.insee BETWEEN ? AND ?");
                params.push(from.into());
                params.push(to.into());
            }
            None => {}
        }
        if let Some(after) = &page.after {
            filters.push_str(" AND c.insee > ?");
            params.push(after.key().into());
        }
        format!(
            "SELECT {COMMUNE_COLUMNS} FROM communes c WHERE 1 = 1{filters} \
             ORDER BY c.insee LIMIT {}",
            page.fetch()
        )
    };
    let rows = cx.db.platform().run(&sql, params).await?;
    let items = rows.iter().map(commune_of).collect::<Result<Vec<_>, _>>()?;
    Ok(json(200, &page.page(items, |c| c.insee.to_string())))
}

pub(super) async fn get_figures(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let _allowed = cx.allow(cx.who(), Operation::ReadRegistry).await?;
    // The tallies the registry's triggers keep (migration 0015): some tens of
    // rows, whatever the number of communes.
    let rows = cx
        .db
        .platform()
        .run(
            "SELECT dimension, code, name, communes, population FROM commune_tallies",
            Vec::new(),
        )
        .await?;
    let count = |row: &qmi_kit::sql::Row<'_>, column: &str| {
        row.int(column)
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0)
    };
    let (mut by_status, mut by_departement, mut by_territory) =
        (Vec::new(), Vec::new(), Vec::new());
    for row in rows.iter() {
        let tally = Tally {
            code: row.string("code"),
            name: row.text("name").map(str::to_owned),
            communes: count(&row, "communes"),
            population: count(&row, "population"),
        };
        match row.text("dimension") {
            Some("status") => by_status.push(tally),
            Some("departement") => by_departement.push(tally),
            Some("territory") => by_territory.push(tally),
            _ => {}
        }
    }
    // The same order on both backends, whatever the database's collation.
    by_status.sort_by(|a, b| a.code.cmp(&b.code));
    by_departement.sort_by(|a, b| a.code.cmp(&b.code));
    by_territory.sort_by(|a, b| {
        b.communes
            .cmp(&a.communes)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.code.cmp(&b.code))
    });
    let figures = Figures {
        communes: by_status.iter().map(|t| t.communes).sum(),
        population: by_status.iter().map(|t| t.population).sum(),
        by_status,
        by_departement,
        by_territory,
    };
    Ok(json(200, &figures))
}

pub(super) async fn get_commune(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let _allowed = cx.allow(cx.who(), Operation::ReadRegistry).await?;
    let insee = cx.insee()?;
    let commune = require_commune(&cx.db, &insee).await?;
    ensure_status_published(&commune).await;
    Ok(json(200, &commune))
}

pub(super) async fn create_commune(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let _allowed = cx.allow(Some(&p), Operation::CreateCommune).await?;
    let new: NewCommune = cx.req.json()?;
    let name = new.name.trim();
    if let Some(message) = crate::name_problem(name) {
        return Err(Problem::invalid_field("name", message));
    }
    let status = new.status.unwrap_or(CommuneStatus::Member);
    if status == CommuneStatus::Suspended {
        return Err(Problem::invalid_field(
            "status",
            "a new commune cannot start suspended",
        ));
    }
    let result = cx
        .db
        .atomic(async |db| {
        db.platform().run(
            "INSERT INTO communes (insee, name, name_norm, departement, ept_code, ept_name, metropolis_code, population, status) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                (&new.insee).into(),
                name.into(),
                qmi_kit::text::normalise(name).into(),
                new.insee.departement().into(),
                new.ept_code.clone().into(),
                new.ept_name.clone().into(),
                new.metropolis_code.clone().into(),
                new.population.map(|n| n.min(i64::MAX as u64) as i64).into(),
                status.as_str().into(),
            ],
        )
        .await?;
        // The operator's action: no commune's chain exists before it, so the platform's.
        db.audit_platform("tenant-create", "communes", new.insee.as_str()).await
        })
        .await;
    match result {
        Err(e) if e.is_unique_violation() => {
            return Err(Problem::conflict(format!(
                "commune {} is already in the registry",
                new.insee
            ))
            .field("insee", "already registered"));
        }
        other => other?,
    };
    Ok(json(201, &publish_status(&cx.db, &new.insee).await?))
}

/// `PUT /api/admin/communes/{insee}/status`: the call for communes (service
/// `applications`, through Spin service chaining) makes a commune a candidate or a
/// district. A suspended commune stays suspended (409): resume it first.
pub(super) async fn set_status(cx: &Ctx<'_>) -> Result<Reply, Problem> {
    let p = cx.principal()?;
    let insee = cx.insee()?;
    let _allowed = cx
        .allow(Some(&p), Operation::SetCommuneStatus(&insee))
        .await?;
    let change: qmi_api::applications::CommuneStatusChange = cx.req.json()?;
    if change.status == CommuneStatus::Suspended {
        return Err(Problem::invalid_field(
            "status",
            "use the suspend route to suspend a commune",
        ));
    }
    let commune = require_commune(&cx.db, &insee).await?;
    if commune.status == CommuneStatus::Suspended {
        return Err(Problem::conflict(format!(
            "commune {insee} is suspended; resume it first"
        )));
    }
    let sql = "UPDATE communes SET status = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE insee = ? AND status <> 'suspended'";
    cx.db
        .platform()
        .run(sql, vec![change.status.as_str().into(), (&insee).into()])
        .await?;
    Ok(json(200, &publish_status(&cx.db, &insee).await?))
}
