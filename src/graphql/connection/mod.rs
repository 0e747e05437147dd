//! Relay cursor connections with keyset cursors: `first`/`after`/`last`/`before` (Relay's
//! algorithm: the cursors narrow the whole ordered list, then `first` keeps its start, then
//! `last` the end of that), a page cap and `totalCount`.
//!
//! A cursor names a row's place in its list — the list's sort value and the row id — not
//! a row number, so a page after a cursor starts right after that item whatever was
//! inserted or deleted elsewhere in the list, even when the item itself was deleted (see
//! [`crate::store::keyset`]). Cursors are opaque text; [`cursor`] describes their form.
//! `hasNextPage`/`hasPreviousPage` are exact: the page reads one row more than it returns
//! in its direction, and the count statement also counts the rows beyond the cursor on the
//! other side.

pub mod cursor;

use super::error::{with_code, ErrorCode};
use crate::store::keyset::{Keyed, Keyset, Page, Position};
use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{OutputType, SimpleObject};

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE: i32 = 20;
/// The largest `first` / `last` accepted.
pub const MAX_PAGE: i32 = 100;

/// Extra connection fields.
#[derive(SimpleObject)]
pub struct ConnectionFields {
    /// How many items the whole list has (all pages).
    pub total_count: i64,
}

/// The connection type every list uses (cursors are made by [`cursor::encode`]).
pub type Conn<T> = Connection<LazyCursor, T, ConnectionFields>;

/// A row's cursor, written only when a client selects it (`edges { cursor }` or
/// `pageInfo`): a list read through `nodes` pays neither for the sort value's text nor for
/// base64 (on the SPEC §3.3 query that was an eighth of the server's work).
pub struct LazyCursor(Box<dyn Fn() -> String + Send + Sync>);

impl LazyCursor {
    /// The cursor of `position` in list `R`.
    fn of<R: Keyed + 'static>(position: Position<R::Key>) -> LazyCursor
    where
        R::Key: Send + Sync + 'static,
    {
        LazyCursor(Box::new(move || cursor::encode::<R>(&position)))
    }
}

/// Only written: the server reads cursors with [`cursor::decode`] for the list at hand.
impl CursorType for LazyCursor {
    type Error = std::convert::Infallible;

    fn decode_cursor(text: &str) -> Result<Self, Self::Error> {
        let text = text.to_string();
        Ok(LazyCursor(Box::new(move || text.clone())))
    }

    fn encode_cursor(&self) -> String {
        (self.0)()
    }
}

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

    /// Checks the arguments against the page cap and reads the cursors as positions of
    /// list `R`, before any query runs.
    pub fn validate<R: Keyed>(&self) -> async_graphql::Result<ValidPage<R>> {
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
        let decode = |c: &Option<String>| {
            c.as_deref()
                .map(cursor::decode::<R>)
                .transpose()
                .map_err(async_graphql::Error::from)
        };
        let first = if first.is_none() && last.is_none() {
            Some(i64::from(DEFAULT_PAGE))
        } else {
            first
        };
        Ok(ValidPage {
            keyset: Keyset::new(decode(&self.after)?, decode(&self.before)?, first, last),
        })
    }

    /// Whether the page is the plain start of the list (`first` or nothing, no cursor,
    /// no `last`): the only page a batched per-parent query reads.
    pub fn is_first_page(&self) -> bool {
        self.after.is_none() && self.before.is_none() && self.last.is_none()
    }
}

/// Pagination arguments that passed validation: the keyset page of list `R` to read.
pub struct ValidPage<R: Keyed> {
    keyset: Keyset<R>,
}

impl<R: Keyed> ValidPage<R> {
    /// The page to read, for the store's list functions.
    pub fn keyset(&self) -> &Keyset<R> {
        &self.keyset
    }

    /// Wraps a page read with [`keyset`](Self::keyset) into a connection, mapping each row
    /// to its GraphQL type; each edge's cursor is its row's position.
    pub fn connection<T: OutputType>(&self, page: Page<R>, map: impl Fn(R) -> T) -> Conn<T>
    where
        R: 'static,
        R::Key: Send + Sync + 'static,
    {
        let mut connection = Connection::with_additional_fields(
            page.has_previous_page,
            page.has_next_page,
            ConnectionFields {
                // `keyset()` pages are always counted.
                total_count: page.total.expect("a connection's page is counted"),
            },
        );
        connection.edges.extend(page.rows.into_iter().map(|row| {
            let cursor = LazyCursor::of::<R>(row.position());
            Edge::new(cursor, map(row))
        }));
        connection
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ingredients::Ingredient;
    use crate::store::keyset::Position;

    fn valid(args: PageArgs) -> async_graphql::Result<ValidPage<Ingredient>> {
        args.validate::<Ingredient>()
    }

    fn cursor(name: &str, id: i64) -> Option<String> {
        Some(cursor::encode::<Ingredient>(&Position {
            key: name.to_string(),
            id,
        }))
    }

    #[test]
    fn arguments_become_a_keyset() {
        let page = valid(PageArgs::default()).unwrap();
        assert_eq!(page.keyset().first, Some(20));
        assert_eq!(page.keyset().last, None);
        let page = valid(PageArgs::new(cursor("b", 2), cursor("x", 9), None, Some(3))).unwrap();
        let keyset = page.keyset();
        assert_eq!(
            keyset.after.as_ref().map(|p| (p.key.as_str(), p.id)),
            Some(("b", 2))
        );
        assert_eq!(
            keyset.before.as_ref().map(|p| (p.key.as_str(), p.id)),
            Some(("x", 9))
        );
        assert_eq!((keyset.first, keyset.last), (None, Some(3)));
        assert!(!keyset.is_forward());
    }

    #[test]
    fn caps_and_rejects_bad_arguments() {
        assert!(valid(PageArgs::new(None, None, Some(101), None)).is_err());
        assert!(valid(PageArgs::new(None, None, None, Some(101))).is_err());
        assert!(valid(PageArgs::new(None, None, None, Some(-1))).is_err());
        assert!(valid(PageArgs::new(Some("nope".into()), None, None, None)).is_err());
        assert!(valid(PageArgs::new(None, Some("nope".into()), None, None)).is_err());
        assert!(valid(PageArgs::new(None, None, Some(100), None)).is_ok());
        let err = valid(PageArgs::new(Some("a".repeat(10_000)), None, None, None))
            .err()
            .unwrap();
        assert!(err
            .message
            .contains("pass a cursor from this list's edges or pageInfo"));
        assert!(err.message.len() < 300, "the message is bounded");
    }
}
