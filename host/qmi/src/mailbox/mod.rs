//! The development mailbox of `qmi up`: a local HTTP server implementing the
//! e-mail API the application delivers through (`POST /messages`), keeping
//! what it receives for developers (`GET /`) and tests (`GET /messages`),
//! with injected faults (`POST /faults`) and, on the same dev port, the
//! control of a manual wall clock (`POST /clock`). Never part of a Spin
//! deployment: there `mail_api_url` names a real provider.

pub mod page;
pub mod store;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde_json::json;
use tokio::net::TcpListener;

use self::store::{Outcome, Store, Submission};
use crate::clock::{Clock, rfc3339};

/// Largest request body accepted.
const MAX_BODY: usize = 1 << 20;

/// The mailbox and the clock it shows.
pub struct Mailbox {
    store: Store,
    clock: Clock,
}

impl Mailbox {
    /// A mailbox appending to `file` (when given), dating messages with `clock`.
    pub fn new(file: Option<std::path::PathBuf>, clock: Clock) -> Self {
        Self {
            store: Store::open(file),
            clock,
        }
    }
}

/// `http://<addr>`, an unspecified address (`0.0.0.0`, `::`) replaced by loopback.
pub fn origin(addr: SocketAddr) -> String {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    format!("http://{addr}")
}

/// The application variables `qmi up` gives in development, as environment-style
/// overrides (`SPIN_VARIABLE_*` → value): `public_url` (the app's origin) and,
/// with a mailbox, `mail_api_url` and `mail_api_origin`. Only variables the
/// manifest declares and the operator left unset (`is_set`) are given.
pub fn dev_overrides(
    declared: impl Fn(&str) -> bool,
    is_set: impl Fn(&str) -> bool,
    app: SocketAddr,
    mailbox: Option<SocketAddr>,
) -> HashMap<String, String> {
    let mut values = vec![("public_url", origin(app))];
    if let Some(mailbox) = mailbox {
        values.push(("mail_api_url", format!("{}/messages", origin(mailbox))));
        values.push(("mail_api_origin", origin(mailbox)));
    }
    values
        .into_iter()
        .filter(|(name, _)| declared(name) && !is_set(name))
        .map(|(name, value)| (qmi_manifest::env_var_name(name), value))
        .collect()
}

/// Serves `mailbox` on `listener` until the task is dropped.
pub async fn serve(mailbox: Arc<Mailbox>, listener: TcpListener) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "mailbox: accept failed");
                continue;
            }
        };
        stream.set_nodelay(true).ok();
        let mailbox = mailbox.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let mailbox = mailbox.clone();
                async move { Ok::<_, Infallible>(handle(&mailbox, request).await) }
            });
            if let Err(error) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%error, "mailbox connection ended with an error");
            }
        });
    }
}

/// Binds the dev port.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("mailbox: listening on {addr}"))
}

type Reply = Response<Full<Bytes>>;

async fn handle(mailbox: &Mailbox, request: Request<Incoming>) -> Reply {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().trim_end_matches('/').to_owned();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let query = parts.uri.query().unwrap_or_default();
    match (segments.as_slice(), &parts.method) {
        ([], &Method::GET) => respond(
            StatusCode::OK,
            "text/html; charset=utf-8",
            page::render(&mailbox.store.list(None), mailbox.store.stats()),
        ),
        (["messages"], &Method::POST) => {
            if mailbox.store.take_fault() {
                return problem(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "injected fault (POST /faults): try again later",
                );
            }
            let key = parts
                .headers
                .get("idempotency-key")
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_owned);
            let submission: Submission = match read_json(body).await {
                Ok(s) => s,
                Err(reply) => {
                    mailbox.store.refuse();
                    return reply;
                }
            };
            if let Some((field, why)) = submission.problem() {
                mailbox.store.refuse();
                return problem(StatusCode::UNPROCESSABLE_ENTITY, &format!("{field}: {why}"));
            }
            let at = rfc3339(mailbox.clock.now());
            match mailbox.store.deliver(submission, key, at) {
                Outcome::Accepted(id) => json_reply(StatusCode::ACCEPTED, &json!({ "id": id })),
                Outcome::Duplicate(id) => json_reply(StatusCode::OK, &json!({ "id": id })),
            }
        }
        (["messages"], &Method::GET) => {
            let to = query_param(query, "to");
            json_reply(StatusCode::OK, &mailbox.store.list(to.as_deref()))
        }
        (["messages", id], &Method::GET) => match mailbox.store.get(id) {
            Some(mail) => json_reply(StatusCode::OK, &mail),
            None => problem(StatusCode::NOT_FOUND, "no such message"),
        },
        (["faults"], &Method::POST) => {
            #[derive(Deserialize)]
            struct Faults {
                fail_next: u64,
            }
            match read_json::<Faults>(body).await {
                Ok(f) => {
                    mailbox.store.fail_next(f.fail_next);
                    json_reply(StatusCode::OK, &json!({ "fail_next": f.fail_next }))
                }
                Err(reply) => reply,
            }
        }
        (["stats"], &Method::GET) => json_reply(StatusCode::OK, &mailbox.store.stats()),
        (["clock"], &Method::GET) => clock_reply(&mailbox.clock),
        (["clock"], &Method::POST) => {
            #[derive(Deserialize)]
            struct Advance {
                advance_seconds: u64,
            }
            let advance = match read_json::<Advance>(body).await {
                Ok(a) => a,
                Err(reply) => return reply,
            };
            match mailbox
                .clock
                .advance(Duration::from_secs(advance.advance_seconds))
            {
                Ok(_) => clock_reply(&mailbox.clock),
                Err(error) => problem(StatusCode::CONFLICT, &error.to_string()),
            }
        }
        ([] | ["messages" | "faults" | "stats" | "clock"] | ["messages", _], _) => {
            let mut reply = problem(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
            let allow = match segments.as_slice() {
                ["messages"] | ["clock"] => "GET, POST",
                ["faults"] => "POST",
                _ => "GET",
            };
            reply
                .headers_mut()
                .insert(header::ALLOW, http::HeaderValue::from_static(allow));
            reply
        }
        _ => problem(StatusCode::NOT_FOUND, "no such mailbox route"),
    }
}

fn clock_reply(clock: &Clock) -> Reply {
    json_reply(
        StatusCode::OK,
        &json!({
            "now": rfc3339(clock.now()),
            "mode": if clock.is_manual() { "manual" } else { "system" },
        }),
    )
}

/// Reads a JSON body of at most [`MAX_BODY`] bytes; a 400 or 413 otherwise.
async fn read_json<T: serde::de::DeserializeOwned>(body: Incoming) -> Result<T, Reply> {
    let bytes = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Err(problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body too large or unreadable",
            ));
        }
    };
    serde_json::from_slice(&bytes)
        .map_err(|e| problem(StatusCode::BAD_REQUEST, &format!("invalid JSON body: {e}")))
}

/// The percent-decoded value of `name` in a query string (`+` kept as is:
/// e-mail addresses may hold one).
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then(|| percent_decode(value))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn respond(status: StatusCode, content_type: &'static str, body: String) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body)));
    *reply.status_mut() = status;
    reply.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    reply.headers_mut().insert(
        header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    reply
}

fn json_reply(status: StatusCode, value: &impl serde::Serialize) -> Reply {
    let body = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    respond(status, "application/json", body)
}

fn problem(status: StatusCode, detail: &str) -> Reply {
    let body = json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    respond(status, "application/problem+json", body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode() {
        assert_eq!(
            query_param("x=1&to=a%2Bb%40example.org", "to").as_deref(),
            Some("a+b@example.org")
        );
        assert_eq!(query_param("to=a+b@x", "to").as_deref(), Some("a+b@x"));
        assert_eq!(query_param("x=1", "to"), None);
    }

    #[test]
    fn dev_variables_fill_only_what_is_unset() {
        let app: SocketAddr = "127.0.0.1:3000".parse().unwrap();
        let mailbox: SocketAddr = "0.0.0.0:3025".parse().unwrap();
        let all = dev_overrides(|_| true, |_| false, app, Some(mailbox));
        assert_eq!(all["SPIN_VARIABLE_PUBLIC_URL"], "http://127.0.0.1:3000");
        assert_eq!(
            all["SPIN_VARIABLE_MAIL_API_URL"],
            "http://127.0.0.1:3025/messages"
        );
        assert_eq!(
            all["SPIN_VARIABLE_MAIL_API_ORIGIN"],
            "http://127.0.0.1:3025"
        );
        let some = dev_overrides(
            |n| n != "public_url",
            |n| n == "mail_api_url",
            app,
            Some(mailbox),
        );
        assert_eq!(
            some.keys().collect::<Vec<_>>(),
            ["SPIN_VARIABLE_MAIL_API_ORIGIN"]
        );
        assert_eq!(dev_overrides(|_| true, |_| false, app, None).len(), 1);
    }
}
