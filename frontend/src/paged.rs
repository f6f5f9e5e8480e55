//! A list the API serves a page at a time ("Charger plus"): the rows so far,
//! where the next page starts, whether this was the last, and the last error.

use leptos::prelude::*;
use qmi_api::Page;
use serde::de::DeserializeOwned;

use crate::api::{self, ApiError};

/// The state of a paged list, as signals the page reads.
pub struct Paged<T: Send + Sync + 'static> {
    /// The rows loaded so far.
    pub items: RwSignal<Vec<T>>,
    /// No page follows the last one loaded.
    pub done: RwSignal<bool>,
    /// A page is on its way.
    pub loading: RwSignal<bool>,
    /// Why the last page failed, if it did.
    pub error: RwSignal<Option<ApiError>>,
    cursor: RwSignal<Option<String>>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: DeserializeOwned + Clone + Send + Sync + 'static> Paged<T> {
    /// An empty list, loading: a page creates it to load it at once, and
    /// shows "loading", not "empty", until the first page is in.
    pub fn new() -> Self {
        Self {
            items: RwSignal::new(Vec::new()),
            done: RwSignal::new(true),
            loading: RwSignal::new(true),
            error: RwSignal::new(None),
            cursor: RwSignal::new(None),
        }
    }

    /// Loads the first page of `query` (a path with its filters, no cursor)
    /// when `reset`, the next one otherwise.
    pub fn load(self, query: String, reset: bool) {
        leptos::task::spawn_local(async move {
            self.fetch(query, reset).await;
        });
    }

    /// [`Paged::load`], awaited: the rows of the page just added (`None` if it failed).
    pub async fn fetch(self, query: String, reset: bool) -> Option<Vec<T>> {
        let path = match self.cursor.get_untracked().filter(|_| !reset) {
            Some(cursor) => format!("{query}&cursor={}", api::encode(&cursor)),
            None => query,
        };
        self.loading.set(true);
        let result = api::get::<Page<T>>(&path).await;
        self.loading.set(false);
        match result {
            Ok(page) => {
                let added = page.items.clone();
                if reset {
                    self.items.set(page.items);
                } else {
                    self.items.update(|v| v.extend(page.items));
                }
                self.done.set(page.next_cursor.is_none());
                self.cursor.set(page.next_cursor);
                self.error.set(None);
                Some(added)
            }
            Err(e) => {
                self.error.set(Some(e));
                None
            }
        }
    }
}
