//! Relay cursor connections over offset windows: `first/after/last/before`, a page cap,
//! and `totalCount`.

use super::error::{with_code, ErrorCode};
use crate::error::AppError;
use crate::store::{Page, Window};
use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{OutputType, SimpleObject};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE: i32 = 20;
/// The largest `first` / `last` accepted.
pub const MAX_PAGE: i32 = 100;
/// The largest offset a cursor may hold (a list position; no list is longer). Keeps every
/// window computation (`offset + 1`, `start + first`) far from `i64` overflow.
pub const MAX_CURSOR_OFFSET: i64 = i32::MAX as i64;
/// The longest cursor accepted, in bytes (a valid one is at most 24).
const MAX_CURSOR_LEN: usize = 64;

/// A position in a list, opaque to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetCursor(pub i64);

impl CursorType for OffsetCursor {
    type Error = AppError;

    /// Decodes a cursor made by [`encode_cursor`](Self::encode_cursor); anything else,
    /// including an offset outside `0..=MAX_CURSOR_OFFSET`, is `BAD_USER_INPUT`.
    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bad = || {
            AppError::bad_input(format!(
                "{} is not a valid cursor; pass a cursor from this list's edges or pageInfo",
                crate::domain::text::excerpt(s)
            ))
        };
        if s.len() > MAX_CURSOR_LEN {
            return Err(bad());
        }
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let digits = text.strip_prefix("offset:").ok_or_else(bad)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let offset = digits.parse::<i64>().ok().ok_or_else(bad)?;
        if offset > MAX_CURSOR_OFFSET {
            return Err(AppError::bad_input(format!(
                "the cursor points at position {offset}, beyond the largest position {MAX_CURSOR_OFFSET}; pass a cursor from this list's edges or pageInfo"
            )));
        }
        Ok(OffsetCursor(offset))
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("offset:{}", self.0))
    }
}

/// Extra connection fields.
#[derive(SimpleObject)]
pub struct ConnectionFields {
    /// How many items the whole list has (all pages).
    pub total_count: i64,
}

/// The connection type every list uses.
pub type Conn<T> = Connection<OffsetCursor, T, ConnectionFields>;

/// The pagination arguments of a connection field.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    /// Cursor to start after.
    pub after: Option<String>,
    /// Cursor to end before.
    pub before: Option<String>,
    /// Items from the start of the window.
    pub first: Option<i32>,
    /// Items from the end of the window.
    pub last: Option<i32>,
}

impl PageArgs {
    /// Builds the arguments, as passed to a resolver.
    pub fn new(
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Self {
        PageArgs {
            after,
            before,
            first,
            last,
        }
    }

    /// Checks the arguments against the page cap before any query runs.
    pub fn validate(&self) -> async_graphql::Result<ValidPage> {
        let check = |name: &str, n: Option<i32>| -> async_graphql::Result<Option<i64>> {
            match n {
                Some(n) if n < 0 => Err(with_code(
                    format!("`{name}` must not be negative"),
                    ErrorCode::BadUserInput,
                )),
                Some(n) if n > MAX_PAGE => Err(with_code(
                    format!("`{name}` is {n}; at most {MAX_PAGE} items can be fetched at once"),
                    ErrorCode::BadUserInput,
                )),
                other => Ok(other.map(i64::from)),
            }
        };
        let first = check("first", self.first)?;
        let last = check("last", self.last)?;
        let decode = |c: &Option<String>| -> async_graphql::Result<Option<i64>> {
            c.as_deref()
                .map(|s| {
                    OffsetCursor::decode_cursor(s)
                        .map(|c| c.0)
                        .map_err(async_graphql::Error::from)
                })
                .transpose()
        };
        let first = if first.is_none() && last.is_none() {
            Some(i64::from(DEFAULT_PAGE))
        } else {
            first
        };
        Ok(ValidPage {
            after: decode(&self.after)?,
            before: decode(&self.before)?,
            first,
            last,
        })
    }
}

/// Pagination arguments that passed validation.
#[derive(Debug, Clone, Copy)]
pub struct ValidPage {
    after: Option<i64>,
    before: Option<i64>,
    first: Option<i64>,
    last: Option<i64>,
}

impl ValidPage {
    /// The window of a list of `total` items these arguments select.
    pub fn window(&self, total: i64) -> Window {
        let (start, end) = self.bounds(total);
        Window {
            offset: start,
            limit: end - start,
        }
    }

    fn bounds(&self, total: i64) -> (i64, i64) {
        // Validated: cursors ≤ MAX_CURSOR_OFFSET, first/last ≤ MAX_PAGE, so none of this
        // can overflow; saturating anyway, as a second line of defence.
        let total = total.max(0);
        let mut start = self
            .after
            .map(|a| a.saturating_add(1))
            .unwrap_or(0)
            .min(total);
        let mut end = self.before.unwrap_or(total).clamp(start, total);
        if let Some(first) = self.first {
            end = end.min(start.saturating_add(first));
        }
        if let Some(last) = self.last {
            start = start.max(end.saturating_sub(last));
        }
        (start, end)
    }

    /// Wraps a fetched page into a connection, mapping each row to its GraphQL type.
    pub fn connection<R, T: OutputType>(&self, page: Page<R>, map: impl Fn(R) -> T) -> Conn<T> {
        let (start, end) = self.bounds(page.total);
        let mut connection = Connection::with_additional_fields(
            start > 0,
            end < page.total,
            ConnectionFields {
                total_count: page.total,
            },
        );
        connection.edges.extend(
            page.rows
                .into_iter()
                .enumerate()
                .map(|(i, row)| Edge::new(OffsetCursor(start + i as i64), map(row))),
        );
        connection
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(args: PageArgs, total: i64) -> Window {
        args.validate().unwrap().window(total)
    }

    fn cursor(n: i64) -> Option<String> {
        Some(OffsetCursor(n).encode_cursor())
    }

    #[test]
    fn windows_follow_relay_semantics() {
        assert_eq!(
            window(PageArgs::default(), 50),
            Window {
                offset: 0,
                limit: 20
            }
        );
        assert_eq!(
            window(PageArgs::new(cursor(4), None, Some(3), None), 50),
            Window {
                offset: 5,
                limit: 3
            }
        );
        assert_eq!(
            window(PageArgs::new(None, None, None, Some(5)), 12),
            Window {
                offset: 7,
                limit: 5
            }
        );
        assert_eq!(
            window(PageArgs::new(None, cursor(10), None, Some(3)), 50),
            Window {
                offset: 7,
                limit: 3
            }
        );
        assert_eq!(
            window(PageArgs::new(cursor(48), None, Some(10), None), 50),
            Window {
                offset: 49,
                limit: 1
            }
        );
        assert_eq!(
            window(PageArgs::new(cursor(70), None, Some(10), None), 50),
            Window {
                offset: 50,
                limit: 0
            }
        );
    }

    #[test]
    fn caps_and_rejects_bad_arguments() {
        assert!(PageArgs::new(None, None, Some(101), None)
            .validate()
            .is_err());
        assert!(PageArgs::new(None, None, None, Some(-1))
            .validate()
            .is_err());
        assert!(PageArgs::new(Some("nope".into()), None, None, None)
            .validate()
            .is_err());
        assert!(PageArgs::new(None, None, Some(100), None)
            .validate()
            .is_ok());
    }

    #[test]
    fn out_of_range_and_malformed_cursors_are_refused() {
        let raw = |text: &str| Some(URL_SAFE_NO_PAD.encode(text));
        for after in [
            cursor(i64::MAX),
            cursor(MAX_CURSOR_OFFSET + 1),
            raw("offset:-1"),
            raw("offset:+1"),
            raw("offset:"),
            raw("offset:99999999999999999999999"),
            raw("offset:1 "),
            raw("page:1"),
            Some("%%%".into()),
            Some("a".repeat(10_000)),
            Some(String::new()),
        ] {
            let err = PageArgs::new(after.clone(), None, None, None)
                .validate()
                .unwrap_err();
            assert!(err.message.contains("cursor"), "{after:?}: {}", err.message);
            assert!(err.message.len() < 300, "{after:?}: message is bounded");
            assert!(PageArgs::new(None, after, None, Some(1))
                .validate()
                .is_err());
        }
        let last = PageArgs::new(cursor(MAX_CURSOR_OFFSET), None, Some(100), None);
        assert_eq!(
            last.validate().unwrap().window(50),
            Window {
                offset: 50,
                limit: 0
            }
        );
        let before = PageArgs::new(None, cursor(MAX_CURSOR_OFFSET), None, Some(100));
        assert_eq!(
            before.validate().unwrap().window(50),
            Window {
                offset: 0,
                limit: 50
            }
        );
    }
}
