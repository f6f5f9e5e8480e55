//! Spin glue: turns a request into a [`serve::Request`] and the [`serve::Reply`]
//! into a WASI HTTP response.

use spin_sdk::http::Request;
use spin_sdk::wasip3::http::types::{ErrorCode, Fields, Response};
use spin_sdk::wasip3::{wit_bindgen, wit_future, wit_stream};

use crate::serve::{self, Reply};

/// Guest path where `spin.toml` mounts the bundle (`frontend/dist` → `/`).
const MOUNT: &str = "/";

#[spin_sdk::http_service]
async fn handle(req: Request) -> Result<Response, ErrorCode> {
    let accept_encoding = req
        .headers()
        .get("accept-encoding")
        .and_then(|v| v.to_str().ok());
    let request = serve::Request {
        method: req.method().as_str(),
        path: req.uri().path(),
        accept_encoding,
    };
    into_wasi(serve::respond(std::path::Path::new(MOUNT), &request))
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
