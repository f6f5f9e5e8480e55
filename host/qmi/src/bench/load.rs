//! The load generator of `qmi bench`: keep-alive HTTP/1.1 connections kept
//! busy for a while, and what they measured.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// One request, sent again and again: its path, its headers and the status
/// that counts as an answer (anything else is an error).
#[derive(Clone, Debug)]
pub struct Probe {
    /// Path and query.
    pub path: String,
    /// Extra request headers.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The expected status.
    pub expect: StatusCode,
}

impl Probe {
    /// `GET path`, expecting 200.
    pub fn get(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            headers: Vec::new(),
            expect: StatusCode::OK,
        }
    }

    /// The same request with one more header.
    pub fn header(mut self, name: &'static str, value: &str) -> Result<Self> {
        self.headers
            .push((HeaderName::from_static(name), HeaderValue::from_str(value)?));
        Ok(self)
    }

    /// The same request, expecting `status`.
    pub fn expect(mut self, status: StatusCode) -> Self {
        self.expect = status;
        self
    }

    pub fn request(&self, addr: SocketAddr) -> Result<hyper::Request<Empty<Bytes>>> {
        let mut request = hyper::Request::get(self.path.as_str())
            .header(http::header::HOST, addr.to_string())
            .body(Empty::new())?;
        for (name, value) in &self.headers {
            request.headers_mut().append(name.clone(), value.clone());
        }
        Ok(request)
    }
}

/// Throughput and latency of one measurement.
#[derive(Default)]
pub struct Figures {
    pub requests: usize,
    pub errors: usize,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
}

impl Figures {
    /// Adds another measurement's requests and time to these.
    pub fn merge(&mut self, other: Figures) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.elapsed += other.elapsed;
        self.latencies.extend(other.latencies);
        self.latencies.sort();
    }

    /// Requests per second.
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency at quantile `p` (0–1).
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let index = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[index]
    }

    /// One line: throughput, p50, p90, p99, counts.
    pub fn print(&self, label: &str) {
        println!(
            "{label:<34} {:>9.0} req/s   p50 {:>7.1} µs   p90 {:>7.1} µs   p99 {:>7.1} µs   ({} requests, {} errors)",
            self.rps(),
            micros(self.percentile(0.50)),
            micros(self.percentile(0.90)),
            micros(self.percentile(0.99)),
            self.requests,
            self.errors,
        );
    }
}

/// A duration in microseconds.
pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// A plain hyper HTTP/1.1 server answering `body` to everything.
pub async fn plain_hyper(body: Bytes) -> Result<SocketAddr> {
    json_server(move || {
        let body = body.clone();
        Some(move |_: Option<&str>| Ok(body.clone()))
    })
    .await
}

/// A plain hyper HTTP/1.1 server on a free port answering JSON: `connection`
/// makes each accepted connection's answerer (`None` drops the connection),
/// which turns a request's query into the body (an error is a 500).
pub async fn json_server<A>(
    connection: impl Fn() -> Option<A> + Send + 'static,
) -> Result<SocketAddr>
where
    A: FnMut(Option<&str>) -> Result<Bytes> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            stream.set_nodelay(true).ok();
            let Some(answer) = connection() else {
                continue;
            };
            let answer = Arc::new(Mutex::new(answer));
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let answer = answer.clone();
                    async move {
                        let body = match answer.lock() {
                            Ok(mut answer) => answer(req.uri().query()),
                            Err(_) => Err(anyhow::anyhow!("answerer poisoned")),
                        };
                        let mut response = match body {
                            Ok(body) => hyper::Response::new(Full::new(body)),
                            Err(e) => {
                                let mut r =
                                    hyper::Response::new(Full::new(Bytes::from(e.to_string())));
                                *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                                r
                            }
                        };
                        response.headers_mut().insert(
                            http::header::CONTENT_TYPE,
                            HeaderValue::from_static("application/json"),
                        );
                        Ok::<_, std::convert::Infallible>(response)
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(addr)
}

type Sender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

/// A keep-alive client connection to `addr`.
pub async fn connect(addr: SocketAddr) -> Result<Sender> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

/// Sends `probe` once on a new connection: its status, headers and body.
pub async fn fetch(
    addr: SocketAddr,
    probe: &Probe,
) -> Result<(StatusCode, http::HeaderMap, Bytes)> {
    let mut sender = connect(addr).await?;
    let response = sender.send_request(probe.request(addr)?).await?;
    let (parts, body) = response.into_parts();
    Ok((
        parts.status,
        parts.headers,
        body.collect().await?.to_bytes(),
    ))
}

/// Keeps `connections` keep-alive connections busy with `probe` for `duration`.
pub async fn load(
    addr: SocketAddr,
    probe: &Probe,
    connections: usize,
    duration: Duration,
) -> Result<Figures> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let probe = probe.clone();
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(addr).await?;
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match sender.send_request(probe.request(addr)?).await {
                    Ok(response) => {
                        let ok = response.status() == probe.expect;
                        response.into_body().collect().await?;
                        if ok {
                            latencies.push(sent.elapsed());
                        } else {
                            errors += 1;
                        }
                    }
                    Err(_) => {
                        errors += 1;
                        sender = connect(addr).await?;
                    }
                }
            }
            anyhow::Ok((latencies, errors))
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await??;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Ok(Figures {
        requests: latencies.len(),
        errors,
        elapsed,
        latencies,
    })
}
