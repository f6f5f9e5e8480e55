//! Log lines that name their request: [`crate::http::serve`] records the request id
//! the gateway gave the request (`x-qmi-request-id`) and every line written through
//! [`log!`](crate::log!) (or [`write`]) starts with it, so one request's lines are
//! found across the gateway and every service it reached.
//!
//! ```
//! qmi_kit::log::set_request_id(Some("r-1"));
//! assert_eq!(qmi_kit::log::line(format_args!("relay: {}", 3)), "[request r-1] relay: 3");
//! qmi_kit::log::set_request_id(None);
//! assert_eq!(qmi_kit::log::line(format_args!("relay")), "relay");
//! ```

use std::cell::RefCell;
use std::fmt;

thread_local! {
    /// The request being answered (a component instance answers one request at a time).
    static REQUEST_ID: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Records the id of the request being answered (`None`: none, e.g. a scheduled job).
pub fn set_request_id(id: Option<&str>) {
    REQUEST_ID.with(|r| *r.borrow_mut() = id.map(str::to_owned));
}

/// The id of the request being answered, if any.
pub fn request_id() -> Option<String> {
    REQUEST_ID.with(|r| r.borrow().clone())
}

/// A log line: the message, prefixed with the request id when there is one.
pub fn line(message: fmt::Arguments<'_>) -> String {
    match request_id() {
        Some(id) => format!("[request {id}] {message}"),
        None => message.to_string(),
    }
}

/// Writes a log line (standard error, which Spin keeps per component).
pub fn write(message: fmt::Arguments<'_>) {
    eprintln!("{}", line(message));
}

/// Writes a log line naming the request: `qmi_kit::log!("relay: {e}")`. Services
/// write through it, never with `eprintln!`/`println!`.
#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => {
        $crate::log::write(::std::format_args!($($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_the_request_id_once_set() {
        set_request_id(None);
        assert_eq!(line(format_args!("x {}", 1)), "x 1");
        set_request_id(Some("abc"));
        assert_eq!(request_id().as_deref(), Some("abc"));
        assert_eq!(line(format_args!("x {}", 1)), "[request abc] x 1");
        set_request_id(None);
        assert_eq!(request_id(), None);
    }
}
