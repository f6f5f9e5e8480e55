//! Cursor-paginated listings.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Largest page a client may ask for (`?limit=`).
pub const MAX_LIMIT: u32 = 500;
/// Page size when the client does not say.
pub const DEFAULT_LIMIT: u32 = 100;

/// One page of a listing: the items and, when more follow, the cursor to pass
/// as `?cursor=` for the next page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Page<T> {
    /// The items, in the listing's order.
    pub items: Vec<T>,
    /// Opaque cursor of the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}
