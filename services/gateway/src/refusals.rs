//! The refusals the gateway answers itself, left for the audit trail: the
//! gateway keeps no database, so each refusal of a signed-in principal waits in
//! the shared key-value store ([`qmi_api::accountability::PendingRefusal`])
//! until identity moves it into the refused commune's chain.

use qmi_api::accountability::PendingRefusal;

/// Leaves `pending` in the shared store (best effort: the refusal stands either way).
pub async fn record(pending: &PendingRefusal) {
    let Ok(store) = spin_sdk::key_value::Store::open_default().await else {
        return;
    };
    let Ok(value) = serde_json::to_vec(pending) else {
        return;
    };
    let _left = store.set(&pending.key(), &value).await;
}
