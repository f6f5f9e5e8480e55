//! The signed-in session: tokens in memory and in `sessionStorage` (so a
//! reload keeps the session, a closed tab forgets it), refreshed one minute
//! before the access token expires, one refresh at a time (refresh tokens are
//! single use: a second concurrent exchange would revoke the whole family).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use qmi_api::identity::{Me, RefreshRequest, TokenRequest, TokenResponse};
use serde::{Deserialize, Serialize};

use crate::api::{self, ApiError};

/// `sessionStorage` key of the tokens.
const STORAGE_KEY: &str = "qmi.session";
/// Refresh this long before the access token expires.
const REFRESH_MARGIN_MS: f64 = 60_000.0;

/// The tokens of a session, with the access token's expiry as a wall-clock time.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Tokens {
    access: String,
    refresh: String,
    /// `Date.now()` milliseconds at which the access token expires.
    expires_at: f64,
    /// The session (refresh-token family) they belong to, if the server said.
    #[serde(default)]
    session: Option<String>,
}

impl Tokens {
    fn from_response(r: TokenResponse) -> Self {
        Self {
            access: r.access_token,
            refresh: r.refresh_token,
            expires_at: js_sys::Date::now() + r.expires_in as f64 * 1000.0,
            session: r.session_id,
        }
    }

    fn fresh(&self) -> bool {
        js_sys::Date::now() + REFRESH_MARGIN_MS / 2.0 < self.expires_at
    }
}

thread_local! {
    static TOKENS: RefCell<Option<Tokens>> = const { RefCell::new(None) };
    static REFRESH_LOCK: Rc<futures::lock::Mutex<()>> = Rc::new(futures::lock::Mutex::new(()));
    /// Bumped whenever a session starts or ends, so an old refresh timer stops.
    static EPOCH: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Who is signed in, shared through the Leptos context.
#[derive(Clone, Copy)]
pub struct Session {
    /// `GET /api/me` of the signed-in account; `None` when signed out.
    pub me: RwSignal<Option<Me>>,
    /// True until the stored session (if any) has been checked at start-up.
    pub restoring: RwSignal<bool>,
}

/// The app's [`Session`].
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Provides the [`Session`] and restores a stored one (refreshing it if needed).
pub fn provide() -> Session {
    let session = Session {
        me: RwSignal::new(None),
        restoring: RwSignal::new(false),
    };
    provide_context(session);
    if let Some(tokens) = load() {
        TOKENS.with(|t| *t.borrow_mut() = Some(tokens));
        session.restoring.set(true);
        leptos::task::spawn_local(async move {
            match api::get::<Me>("/api/me").await {
                Ok(me) => {
                    session.me.set(Some(me));
                    schedule_refresh(session);
                }
                Err(_) => clear(),
            }
            session.restoring.set(false);
        });
    }
    session
}

impl Session {
    /// Signs in, loads `/api/me` and schedules the refresh.
    pub async fn sign_in(self, email: String, password: String) -> Result<(), ApiError> {
        let response: TokenResponse =
            api::auth_post("/api/auth/token", &TokenRequest { email, password }).await?;
        self.start(response).await
    }

    /// Starts the session of `response` (a sign-in, a confirmed e-mail, an
    /// accepted invitation), loads `/api/me` and schedules the refresh.
    pub async fn start(self, response: TokenResponse) -> Result<(), ApiError> {
        self.renew(response);
        match api::get::<Me>("/api/me").await {
            Ok(me) => {
                self.me.set(Some(me));
                Ok(())
            }
            Err(e) => {
                clear();
                Err(e)
            }
        }
    }

    /// Carries on with the tokens of `response` (a new session of the same
    /// account, after a change of password) and schedules their refresh.
    pub fn renew(self, response: TokenResponse) {
        EPOCH.with(|e| e.set(e.get() + 1));
        store(Tokens::from_response(response));
        schedule_refresh(self);
    }

    /// Revokes the refresh token (best effort) and forgets the session.
    pub async fn sign_out(self) {
        if let Some(refresh) = TOKENS.with(|t| t.borrow().as_ref().map(|t| t.refresh.clone())) {
            let _ = api::auth_post_empty(
                "/api/auth/logout",
                &RefreshRequest {
                    refresh_token: refresh,
                },
            )
            .await;
        }
        clear();
        self.me.set(None);
    }

    /// Forgets the session locally (after the API refused it).
    pub fn expired(self) {
        clear();
        self.me.set(None);
    }
}

/// A fresh access token for an API call, refreshing first when it is about
/// to expire; `None` when signed out (or the refresh failed).
pub async fn bearer() -> Option<String> {
    if let Some(access) = TOKENS.with(|t| {
        t.borrow()
            .as_ref()
            .filter(|t| t.fresh())
            .map(|t| t.access.clone())
    }) {
        return Some(access);
    }
    refresh().await.ok()?;
    TOKENS.with(|t| t.borrow().as_ref().map(|t| t.access.clone()))
}

/// Exchanges the refresh token (one exchange at a time; a caller that waited
/// for another's exchange reuses its result).
pub async fn refresh() -> Result<(), ApiError> {
    let lock = REFRESH_LOCK.with(Rc::clone);
    let _guard = lock.lock().await;
    let Some(current) = TOKENS.with(|t| t.borrow().clone()) else {
        return Err(ApiError::signed_out());
    };
    if current.fresh() && current.expires_at - js_sys::Date::now() > REFRESH_MARGIN_MS {
        return Ok(()); // someone else just refreshed
    }
    match api::auth_post::<TokenResponse>(
        "/api/auth/refresh",
        &RefreshRequest {
            refresh_token: current.refresh,
        },
    )
    .await
    {
        Ok(response) => {
            store(Tokens::from_response(response));
            Ok(())
        }
        Err(e) => {
            if e.status == 400 || e.status == 401 {
                clear();
            }
            Err(e)
        }
    }
}

/// The id of the signed-in session (as `GET /api/me/sessions` lists it), if known.
pub fn session_id() -> Option<String> {
    TOKENS.with(|t| t.borrow().as_ref().and_then(|t| t.session.clone()))
}

/// Forces the next call to refresh (after a 401 on a token believed fresh).
pub fn mark_stale() {
    TOKENS.with(|t| {
        if let Some(tokens) = t.borrow_mut().as_mut() {
            tokens.expires_at = 0.0;
        }
    });
}

/// Refreshes a minute before expiry, again and again while signed in.
fn schedule_refresh(session: Session) {
    let Some(expires_at) = TOKENS.with(|t| t.borrow().as_ref().map(|t| t.expires_at)) else {
        return;
    };
    let wait = (expires_at - REFRESH_MARGIN_MS - js_sys::Date::now()).max(1_000.0);
    let epoch = EPOCH.with(|e| e.get());
    set_timeout(
        move || {
            leptos::task::spawn_local(async move {
                if EPOCH.with(|e| e.get()) != epoch || TOKENS.with(|t| t.borrow().is_none()) {
                    return;
                }
                mark_stale();
                match refresh().await {
                    Ok(()) => schedule_refresh(session),
                    Err(e) if e.status == 0 => schedule_refresh(session), // network: try again later
                    Err(_) => session.expired(),
                }
            });
        },
        Duration::from_millis(wait as u64),
    );
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn load() -> Option<Tokens> {
    serde_json::from_str(&storage()?.get_item(STORAGE_KEY).ok()??).ok()
}

fn store(tokens: Tokens) {
    if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(&tokens)) {
        let _ = s.set_item(STORAGE_KEY, &json);
    }
    TOKENS.with(|t| *t.borrow_mut() = Some(tokens));
}

fn clear() {
    EPOCH.with(|e| e.set(e.get() + 1));
    if let Some(s) = storage() {
        let _ = s.remove_item(STORAGE_KEY);
    }
    TOKENS.with(|t| *t.borrow_mut() = None);
}
