//! Spin glue: reads what [`serve::Request`] needs straight from the WASI request
//! and turns the [`serve::Reply`] into a WASI response.
//!
//! The handler is exported directly (not through `#[spin_sdk::http_service]`):
//! the component needs four fields of the request, so it reads those four
//! instead of converting the whole request — every header, the URI, the body
//! handle — into an `http::Request` first. That conversion was a large share of
//! the cost of a small response.

use spin_sdk::wasip3::exports::http::handler::Guest;
use spin_sdk::wasip3::http::types::{ErrorCode, Fields, Method, Request, Response};
use spin_sdk::wasip3::{wit_bindgen, wit_future, wit_stream};

use crate::serve::{self, Bundle, Reply};

/// Guest path where `spin.toml` mounts the bundle (`frontend/dist` → `/`).
const MOUNT: &str = "/";

thread_local! {
    /// The mount, with what this instance has read of it: a reused instance
    /// answers a file it has served before without touching the filesystem.
    static BUNDLE: Bundle = Bundle::new(MOUNT);
}

struct Web;

spin_sdk::wasip3::http::service::export!(Web);

impl Guest for Web {
    async fn handle(req: Request) -> Result<Response, ErrorCode> {
        let method = req.get_method();
        let path_with_query = req.get_path_with_query().unwrap_or_default();
        let headers = req.get_headers();
        // Both are list headers: several lines are one comma-separated list.
        let header = |name: &str| {
            let values: Vec<String> = headers
                .get(name)
                .into_iter()
                .filter_map(|v| String::from_utf8(v).ok())
                .collect();
            (!values.is_empty()).then(|| values.join(", "))
        };
        let accept_encoding = header("accept-encoding");
        let if_none_match = header("if-none-match");
        // The bundle answers GET and HEAD; any other method gets the 405 `serve` gives.
        let method = match method {
            Method::Get => "GET",
            Method::Head => "HEAD",
            _ => "OTHER",
        };
        let request = serve::Request {
            method,
            path: path_only(&path_with_query),
            accept_encoding: accept_encoding.as_deref(),
            if_none_match: if_none_match.as_deref(),
        };
        into_wasi(BUNDLE.with(|bundle| bundle.respond(&request)))
    }
}

/// The path of a `path-with-query`, without the query.
fn path_only(path_with_query: &str) -> &str {
    match path_with_query.split_once('?') {
        Some((path, _)) => path,
        None => path_with_query,
    }
}

/// Builds the WASI response. The body, when there is one, is written whole after
/// the handler returns; `content-length` always matches it. A reply without body
/// (HEAD) gets no body stream at all, so its `content-length` can describe the GET
/// body without the host checking it against zero bytes written.
fn into_wasi(reply: Reply) -> Result<Response, ErrorCode> {
    let entries: Vec<(String, Vec<u8>)> = reply
        .headers
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.into_bytes()))
        .collect();
    let headers = Fields::from_list(&entries)
        .map_err(|e| ErrorCode::InternalError(Some(format!("response headers: {e:?}"))))?;

    let (trailers_tx, trailers_rx) = wit_future::new(|| Ok(None));
    let (body_tx, contents) = match reply.body {
        Some(body) => {
            let (tx, rx) = wit_stream::new();
            (Some((tx, body)), Some(rx))
        }
        None => (None, None),
    };
    // As spin-sdk does: the whole body first, then the end of the body (no trailers).
    wit_bindgen::spawn(async move {
        if let Some((mut tx, body)) = body_tx {
            // A non-empty remainder means the client went away: nothing to do.
            let _unsent = tx.write_all(body).await;
        }
        let _ = trailers_tx.write(Ok(None)).await;
    });

    let (response, _sent) = Response::new(headers, contents, trailers_rx);
    response
        .set_status_code(reply.status)
        .map_err(|()| ErrorCode::InternalError(Some(format!("invalid status {}", reply.status))))?;
    Ok(response)
}
