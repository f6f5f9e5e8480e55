//! Requests that never finish. Spin's HTTP trigger bounds neither the
//! request head nor a stalled body (its hyper server has no timer), so a
//! client can hold a connection, and the instance waiting on its body,
//! forever. qmi bounds both: hyper closes a connection whose headers do not
//! arrive in time ([`HttpLimits::header_read`], which also ends idle
//! keep-alive connections), and [`StallTimeout`] fails a request body that
//! sends nothing for [`HttpLimits::body_stall`] while the component waits for
//! it; the server then answers `408` and closes the connection.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use wasmtime_wasi_http::Error;

/// The server's limits on slow clients.
#[derive(Clone, Debug)]
pub struct HttpLimits {
    /// How long a client may take to send a request's head (and how long an
    /// idle keep-alive connection waits for the next one); `None`: forever.
    pub header_read: Option<Duration>,
    /// How long a request body may send nothing while the component waits
    /// for it; `None`: forever.
    pub body_stall: Option<Duration>,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            header_read: Some(Duration::from_secs(30)),
            body_stall: Some(Duration::from_secs(30)),
        }
    }
}

impl HttpLimits {
    /// How long the self-request client may keep an idle connection: well
    /// below the server's keep-alive limit, so it never reuses a connection
    /// the server is closing.
    pub fn self_request_pool_idle(&self) -> Duration {
        let ceiling = Duration::from_secs(5);
        self.header_read
            .map_or(ceiling, |limit| ceiling.min(limit / 2))
    }
}

/// A request body that fails with `ConnectionReadTimeout` once it has sent
/// nothing for `timeout` while polled, dropping the connection's body (so
/// the server stops reading it) and raising its `stalled` flag.
pub struct StallTimeout {
    inner: Option<hyper::body::Incoming>,
    timeout: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    stalled: Arc<AtomicBool>,
}

impl StallTimeout {
    /// Wraps `body`; the returned flag tells whether it stalled.
    pub fn new(body: hyper::body::Incoming, timeout: Duration) -> (Self, Arc<AtomicBool>) {
        let stalled = Arc::new(AtomicBool::new(false));
        let body = Self {
            inner: Some(body),
            timeout,
            sleep: None,
            stalled: stalled.clone(),
        };
        (body, stalled)
    }
}

impl Body for StallTimeout {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let me = self.get_mut();
        let Some(inner) = me.inner.as_mut() else {
            return Poll::Ready(None);
        };
        match Pin::new(inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                me.sleep = None;
                Poll::Ready(
                    frame.map(|frame| frame.map_err(|e| Error::InternalError(Some(e.to_string())))),
                )
            }
            Poll::Pending => {
                let timeout = me.timeout;
                let sleep = me
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                ready!(sleep.as_mut().poll(cx));
                me.inner = None;
                me.sleep = None;
                me.stalled.store(true, Ordering::Release);
                tracing::warn!(?timeout, "request body stalled: abandoning it");
                Poll::Ready(Some(Err(Error::ConnectionReadTimeout)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.as_ref().map(Body::size_hint).unwrap_or_default()
    }
}
