//! Query strings and cursor pagination (`{items, next_cursor}`, opaque base64url
//! cursors, `limit` at most [`MAX_LIMIT`]).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
pub use qmi_api::Page;

use crate::problem::Problem;

pub use qmi_api::page::{DEFAULT_LIMIT, MAX_LIMIT};

/// `s` percent-encoded for a query string: all but RFC 3986's unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A decoded query string: ordered `(name, value)` pairs, percent- and
/// `+`-decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Parses `a=1&b=x%20y` (without the leading `?`). Invalid percent
    /// escapes are kept literally; invalid UTF-8 is replaced.
    pub fn parse(query: &str) -> Self {
        Self(
            query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every parameter name, in order (repeated names repeat).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    /// The first non-empty value of `name`.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }

    /// `a=1&b=x%20y` from pairs, each name and value percent-encoded (all but
    /// RFC 3986's unreserved characters); [`Query::parse`] reads it back.
    pub fn encode<'p>(pairs: impl IntoIterator<Item = (&'p str, &'p str)>) -> String {
        pairs
            .into_iter()
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// An opaque position in an ordered listing: the sort key of the last item
/// returned, base64url-encoded with a version tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor(String);

const CURSOR_TAG: &str = "c1:";

impl Cursor {
    /// The cursor after the item whose sort key is `key`.
    pub fn after(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The sort key.
    pub fn key(&self) -> &str {
        &self.0
    }

    /// The opaque form given to clients.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{CURSOR_TAG}{}", self.0))
    }

    /// The 400 naming `cursor` for a cursor that is not one of ours (or whose
    /// key is not the listing's).
    pub fn invalid() -> Problem {
        Problem::bad_request("the cursor is not valid; use next_cursor from a previous page")
            .field("cursor", "invalid cursor")
    }

    /// Reads a client's cursor; 400 naming `cursor` when it is not one of ours.
    pub fn decode(s: &str) -> Result<Self, Problem> {
        let bad = Self::invalid;
        let bytes = URL_SAFE_NO_PAD
            .decode(s.trim_end_matches('='))
            .map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        text.strip_prefix(CURSOR_TAG)
            .map(|k| Self(k.to_owned()))
            .ok_or_else(bad)
    }
}

/// What a client asked of a listing: where to start and how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// Items per page, 1..=[`MAX_LIMIT`].
    pub limit: u32,
    /// Start after this key (exclusive).
    pub after: Option<Cursor>,
}

impl PageRequest {
    /// The key to start after (`""` on the first page): bound as `id > ?`.
    pub fn after_key(&self) -> String {
        self.after
            .as_ref()
            .map(|c| c.key().to_owned())
            .unwrap_or_default()
    }

    /// Reads `limit` and `cursor` from the query; 400 naming the parameter when
    /// either is invalid.
    pub fn from_query(query: &Query) -> Result<Self, Problem> {
        let limit = match query.get("limit") {
            None => DEFAULT_LIMIT,
            Some(raw) => match raw.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    return Err(Problem::bad_request(format!(
                        "limit must be an integer from 1 to {MAX_LIMIT}"
                    ))
                    .field(
                        "limit",
                        format!("must be between 1 and {MAX_LIMIT}, got {raw:?}"),
                    ));
                }
            },
        };
        let after = query.non_empty("cursor").map(Cursor::decode).transpose()?;
        Ok(Self { limit, after })
    }

    /// How many rows to fetch: one more than the page, to know whether another
    /// page follows.
    pub fn fetch(&self) -> u32 {
        self.limit + 1
    }

    /// Builds the page from up to `fetch()` rows in key order.
    pub fn page<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> String) -> Page<T> {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let next_cursor = if more {
            rows.last().map(|last| Cursor::after(key(last)).encode())
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    /// The page of a listing whose fetched rows ([`Self::fetch`] of them, each with its
    /// key) the caller may see only in part (`None`: hidden by the policy): the cursor
    /// follows the fetched rows, so a hidden row never ends the listing early.
    pub fn page_visible<T>(&self, mut rows: Vec<(String, Option<T>)>) -> Page<T> {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let next_cursor = if more {
            rows.last()
                .map(|(key, _)| Cursor::after(key.clone()).encode())
        } else {
            None
        };
        Page {
            items: rows.into_iter().filter_map(|(_, item)| item).collect(),
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_rows_do_not_end_a_listing() {
        let page = PageRequest {
            limit: 2,
            after: None,
        };
        let rows = vec![
            ("a".to_owned(), None),
            ("b".to_owned(), Some(2)),
            ("c".to_owned(), Some(3)),
        ];
        let p = page.page_visible(rows);
        assert_eq!(p.items, vec![2]);
        assert_eq!(
            Cursor::decode(p.next_cursor.as_deref().unwrap())
                .unwrap()
                .key(),
            "b"
        );
        let last = page.page_visible(vec![("c".to_owned(), None::<u8>)]);
        assert!(last.items.is_empty() && last.next_cursor.is_none());
    }

    #[test]
    fn query_decoding() {
        let q = Query::parse("q=saint%20denis&status=district&x=a+b&bad=%zz&e=%C3%A9");
        assert_eq!(q.get("q"), Some("saint denis"));
        assert_eq!(q.get("x"), Some("a b"));
        assert_eq!(q.get("bad"), Some("%zz"));
        assert_eq!(q.get("e"), Some("é"));
        assert_eq!(q.get("none"), None);
        assert_eq!(Query::parse("a=%4").get("a"), Some("%4"));
    }

    #[test]
    fn limits() {
        assert_eq!(
            PageRequest::from_query(&Query::parse("")).unwrap().limit,
            DEFAULT_LIMIT
        );
        assert_eq!(
            PageRequest::from_query(&Query::parse("limit=500"))
                .unwrap()
                .limit,
            500
        );
        for bad in ["limit=501", "limit=0", "limit=-1", "limit=x"] {
            let p = PageRequest::from_query(&Query::parse(bad)).unwrap_err();
            assert_eq!(
                (p.status, p.errors[0].field.as_str()),
                (400, "limit"),
                "{bad}"
            );
        }
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor::after("93066");
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert_eq!(Cursor::decode("!!").unwrap_err().errors[0].field, "cursor");
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("93066")).is_err());
    }

    #[test]
    fn pages() {
        let req = PageRequest {
            limit: 2,
            after: None,
        };
        let page = req.page(vec!["a", "b", "c"], |s| s.to_string());
        assert_eq!(page.items, vec!["a", "b"]);
        assert_eq!(
            Cursor::decode(page.next_cursor.as_deref().unwrap())
                .unwrap()
                .key(),
            "b"
        );
        let last = req.page(vec!["c"], |s| s.to_string());
        assert_eq!(last.next_cursor, None);
    }
}
