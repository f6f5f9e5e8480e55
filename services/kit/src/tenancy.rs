//! A commune's status as every instance sees it: `identity` keeps it in the
//! key-value store `default` (`tenant-status/<insee>`), which the runtime config
//! points at one store shared by every instance, so a suspension holds at once on
//! every route and every replica. Services read it here to state the
//! `tenant-suspended` fact with every record they ask the policy about.

use qmi_api::Insee;
use spin_sdk::key_value::Store;

use crate::problem::Problem;

/// The key-value key holding a commune's status.
pub fn status_key(insee: &Insee) -> String {
    format!("tenant-status/{insee}")
}

/// Whether commune `insee` is suspended. A commune without a stored status is
/// not suspended (the registry answers whether it exists); an unreadable store is
/// a 503, never a guess.
pub async fn is_suspended(insee: &Insee) -> Result<bool, Problem> {
    let unavailable = |e: spin_sdk::key_value::Error| {
        Problem::unavailable(format!("the tenant registry is unreadable: {e:?}"))
    };
    let store = Store::open_default().await.map_err(unavailable)?;
    let stored = store.get(&status_key(insee)).await.map_err(unavailable)?;
    Ok(stored.is_some_and(|v| v.trim_ascii() == b"suspended"))
}
