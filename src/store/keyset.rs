//! Keyset pagination: a page of a list starts strictly after (or ends strictly before) a
//! position — the row's sort value and id — rather than at a row number, so rows inserted
//! or deleted elsewhere in the list never shift a page, and a position stays usable after
//! its own row is deleted (the comparison does not need the row).
//!
//! Every list is ordered by one sort value and then by id, so the order is total and a
//! position names exactly one place in it. The comparison is the expanded form
//! `sort > v OR (sort = v AND id > i)` (or `<` for the other side, and the other way round
//! for lists ordered newest first), built by [`keyset_page!`](crate::keyset_page) with
//! diesel's query builder on both backends, with the same expressions the list orders by,
//! so the database compares exactly as it sorts.
//!
//! Pages follow the Relay algorithm: `after`/`before` narrow the whole ordered list, then
//! `first` keeps the start of what is left, then `last` keeps the end of that.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use std::marker::PhantomData;

/// A list's sort value as it travels inside a cursor: written as text and read back
/// exactly, refusing any text it did not write.
pub trait SortValue: Clone + Sized {
    /// The value as text (canonical: [`from_text`](Self::from_text) gives it back).
    fn to_text(&self) -> String;
    /// Reads a value written by [`to_text`](Self::to_text); `None` for anything else.
    fn from_text(text: &str) -> Option<Self>;
}

impl SortValue for String {
    fn to_text(&self) -> String {
        self.clone()
    }

    /// Any text but NUL, which no stored text holds and PostgreSQL refuses to compare.
    fn from_text(text: &str) -> Option<Self> {
        (!text.contains('\0')).then(|| text.to_string())
    }
}

/// Years a date or time in a cursor may have: what both backends store and compare.
const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

impl SortValue for NaiveDate {
    fn to_text(&self) -> String {
        self.format("%Y-%m-%d").to_string()
    }

    fn from_text(text: &str) -> Option<Self> {
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
        (YEARS.contains(&date.year()) && date.to_text() == text).then_some(date)
    }
}

impl SortValue for NaiveDateTime {
    /// ISO 8601 with as many fraction digits as the value needs (0, 3, 6 or 9), so a
    /// stored time comes back to the nanosecond.
    fn to_text(&self) -> String {
        self.format("%Y-%m-%dT%H:%M:%S%.f").to_string()
    }

    fn from_text(text: &str) -> Option<Self> {
        let time = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
        (YEARS.contains(&time.year()) && time.to_text() == text).then_some(time)
    }
}

/// A place in an ordered list: a row's sort value and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position<K> {
    /// The sort value of the row.
    pub key: K,
    /// The row's id (ties of the sort value are ordered by it).
    pub id: i64,
}

/// A row of a list that pages by keyset.
pub trait Keyed {
    /// The type of the sort value.
    type Key: SortValue;
    /// Names the list and its order, so a position of one list is not taken for another's.
    const LIST: &'static str;
    /// Where this row is in its list.
    fn position(&self) -> Position<Self::Key>;
}

/// Which page of a list of `R` to read, as the Relay arguments give it.
pub struct Keyset<R: Keyed> {
    /// Only rows strictly after this position.
    pub after: Option<Position<R::Key>>,
    /// Only rows strictly before this position.
    pub before: Option<Position<R::Key>>,
    /// At most this many rows from the start of what the positions leave.
    pub first: Option<i64>,
    /// At most this many rows from the end of that.
    pub last: Option<i64>,
    /// Whether the page's [`total`](Page::total) is wanted (one more statement).
    counted: bool,
    /// Whether the `has…Page` flag on the opposite cursor's side is wanted (it needs the
    /// count too).
    flagged: bool,
    rows: PhantomData<fn() -> R>,
}

impl<R: Keyed> std::fmt::Debug for Keyset<R>
where
    R::Key: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyset")
            .field("list", &R::LIST)
            .field("after", &self.after)
            .field("before", &self.before)
            .field("first", &self.first)
            .field("last", &self.last)
            .field("counted", &self.counted)
            .field("flagged", &self.flagged)
            .finish()
    }
}

/// A page of rows, the size of the whole list and whether rows lie beyond the page.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows of this page, in list order.
    pub rows: Vec<T>,
    /// How many rows the whole list has (its filters applied, not the cursors); `None`
    /// when the page was read [`without_total`](Keyset::without_total).
    pub total: Option<i64>,
    /// Relay's `hasPreviousPage`.
    pub has_previous_page: bool,
    /// Relay's `hasNextPage`.
    pub has_next_page: bool,
}

impl<R: Keyed> Keyset<R> {
    /// A page; `first` and `last` must not be negative (the caller checked them and
    /// chose a default when neither is given; with neither, the page is empty).
    pub fn new(
        after: Option<Position<R::Key>>,
        before: Option<Position<R::Key>>,
        first: Option<i64>,
        last: Option<i64>,
    ) -> Self {
        Keyset {
            after,
            before,
            first: first.map(|n| n.max(0)),
            last: last.map(|n| n.max(0)),
            counted: true,
            flagged: true,
            rows: PhantomData,
        }
    }

    /// The same page for a reader that shows no total and, unless `flag`, not the
    /// `has…Page` flag on the [`opposite`](Self::opposite) cursor's side either (that flag
    /// then reads `false`): the list is counted, one statement, only when what is shown
    /// needs it.
    pub fn without_total(&self, flag: bool) -> Self {
        Keyset {
            after: self.after.clone(),
            before: self.before.clone(),
            first: self.first,
            last: self.last,
            counted: false,
            flagged: flag,
            rows: PhantomData,
        }
    }

    /// Whether the list must be counted to finish the page: its total is wanted, or
    /// the opposite cursor's `has…Page` flag is, which compares it.
    pub fn needs_count(&self) -> bool {
        self.counted || (self.flagged && self.opposite().is_some())
    }

    /// The first `n` rows of the list.
    pub fn first(n: i64) -> Self {
        Self::new(None, None, Some(n), None)
    }

    /// Whether the page is read from the start of the narrowed list (`first` given, or
    /// neither) rather than from its end (`last` alone).
    pub fn is_forward(&self) -> bool {
        self.first.is_some() || self.last.is_none()
    }

    /// The cursor on the side the page is not read from, whose far side decides the
    /// other `has…Page` flag: `after` when reading forward, `before` backward.
    pub fn opposite(&self) -> Option<&Position<R::Key>> {
        if self.is_forward() {
            self.after.as_ref()
        } else {
            self.before.as_ref()
        }
    }

    /// How many rows to read in the paging direction: one more than the page can hold,
    /// to learn whether more follow. Reading forward with `last` too, at least `last + 1`,
    /// so that Relay's `hasPreviousPage` (more than `last` rows between the cursors) is
    /// known.
    pub fn limit(&self) -> i64 {
        let rows = match (self.first, self.last) {
            (Some(first), Some(last)) => first.max(last),
            (Some(first), None) => first,
            (None, Some(last)) => last,
            (None, None) => 0,
        };
        rows.saturating_add(1)
    }

    /// Cuts the rows read (in paging direction, at most [`limit`](Self::limit)) to the
    /// page, in list order. `total` counts the whole list (`None` when not
    /// [`needs_count`](Self::needs_count)); `beyond`, when [`opposite`](Self::opposite) is
    /// set, counts the rows past that cursor in the paging direction, so `total - beyond`
    /// rows lie on its other side.
    pub fn finish(&self, mut rows: Vec<R>, total: Option<i64>, beyond: Option<i64>) -> Page<R> {
        let read = rows.len() as i64;
        let behind = match (self.opposite(), total, beyond) {
            (Some(_), Some(total), Some(beyond)) => total > beyond,
            _ => false,
        };
        let (has_previous_page, has_next_page) = if self.is_forward() {
            let first = self.first.unwrap_or(0);
            rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
            let has_previous = match self.last {
                Some(last) => {
                    let keep = usize::try_from(last).unwrap_or(usize::MAX);
                    if rows.len() > keep {
                        rows.drain(..rows.len() - keep);
                    }
                    read > last
                }
                None => behind,
            };
            (has_previous, read > first)
        } else {
            let last = self.last.unwrap_or(0);
            rows.truncate(usize::try_from(last).unwrap_or(usize::MAX));
            rows.reverse();
            (read > last, behind)
        };
        Page {
            rows,
            total: total.filter(|_| self.counted),
            has_previous_page,
            has_next_page,
        }
    }
}

/// Reads one keyset page of a list, inside a `db_run!` body, in two statements: the count
/// (with, when an opposite cursor is set, how many rows lie past it) and the page; the
/// count is left out when the keyset does not [`need`](Keyset::needs_count) it.
///
/// `build` makes the filtered boxed query; `sort` is the expression the list is ordered by
/// and `key` turns a position's sort value (bound to the given name) into an expression
/// compared with it; the list is ordered by `(sort, id)` ascending (`asc`) or descending
/// (`desc`). Evaluates to a [`Page`].
#[macro_export]
macro_rules! keyset_page {
    ($conn:ident, $keyset:expr, $build:ident, $row:ty,
     sort: $sort:expr, key: |$k:ident| $key:expr, id: $id:expr, asc) => {
        $crate::keyset_page!(@page $conn, $keyset, $build, $row, $sort, |$k| $key, $id,
            asc, desc, gt, lt)
    };
    ($conn:ident, $keyset:expr, $build:ident, $row:ty,
     sort: $sort:expr, key: |$k:ident| $key:expr, id: $id:expr, desc) => {
        $crate::keyset_page!(@page $conn, $keyset, $build, $row, $sort, |$k| $key, $id,
            desc, asc, lt, gt)
    };
    (@page $conn:ident, $keyset:expr, $build:ident, $row:ty, $sort:expr, |$k:ident| $key:expr,
     $id:expr, $forward:ident, $backward:ident, $past:ident, $short:ident) => {{
        let keyset: &$crate::store::keyset::Keyset<$row> = $keyset;
        // Strictly after / before a position, in list order.
        let after = |p: &$crate::store::keyset::Position<<$row as $crate::store::keyset::Keyed>::Key>| {
            let $k = &p.key;
            diesel::BoolExpressionMethods::or(
                $sort.$past($key),
                diesel::BoolExpressionMethods::and($sort.eq($key), $id.$past(p.id)),
            )
        };
        let before = |p: &$crate::store::keyset::Position<<$row as $crate::store::keyset::Keyed>::Key>| {
            let $k = &p.key;
            diesel::BoolExpressionMethods::or(
                $sort.$short($key),
                diesel::BoolExpressionMethods::and($sort.eq($key), $id.$short(p.id)),
            )
        };
        let (total, beyond): (Option<i64>, Option<i64>) = match keyset.opposite() {
            Some(p) if keyset.needs_count() => {
                let (total, beyond) = if keyset.is_forward() {
                    $build()
                        .select((
                            diesel::dsl::count_star(),
                            diesel::dsl::count(diesel::dsl::case_when(after(p), $id)),
                        ))
                        .get_result::<(i64, i64)>($conn)
                        .await?
                } else {
                    $build()
                        .select((
                            diesel::dsl::count_star(),
                            diesel::dsl::count(diesel::dsl::case_when(before(p), $id)),
                        ))
                        .get_result::<(i64, i64)>($conn)
                        .await?
                };
                (Some(total), Some(beyond))
            }
            None if keyset.needs_count() => {
                (Some($build().count().get_result::<i64>($conn).await?), None)
            }
            _ => (None, None),
        };
        let mut query = $build();
        if let Some(p) = &keyset.after {
            query = query.filter(after(p));
        }
        if let Some(p) = &keyset.before {
            query = query.filter(before(p));
        }
        let query = if keyset.is_forward() {
            query.order(($sort.$forward(), $id.$forward()))
        } else {
            query.order(($sort.$backward(), $id.$backward()))
        };
        // `(row,)`: see `rows_by_ids!`.
        let rows: Vec<($row,)> = query
            .limit(keyset.limit())
            .select((<$row>::as_select(),))
            .load($conn)
            .await?;
        keyset.finish(rows.into_iter().map(|(row,)| row).collect(), total, beyond)
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Row(i64);

    impl Keyed for Row {
        type Key = String;
        const LIST: &'static str = "test";
        fn position(&self) -> Position<String> {
            Position {
                key: String::new(),
                id: self.0,
            }
        }
    }

    fn rows(ids: std::ops::RangeInclusive<i64>) -> Vec<Row> {
        ids.map(Row).collect()
    }

    fn at(id: i64) -> Option<Position<String>> {
        Some(Position {
            key: String::new(),
            id,
        })
    }

    #[test]
    fn forward_pages_cut_and_flag() {
        let keyset = Keyset::<Row>::new(None, None, Some(2), None);
        assert_eq!(keyset.limit(), 3);
        let page = keyset.finish(rows(1..=3), Some(10), None);
        assert_eq!(page.rows, rows(1..=2));
        assert!(page.has_next_page && !page.has_previous_page);

        // After a cursor: rows behind it exist when fewer than all rows lie past it.
        let keyset = Keyset::<Row>::new(at(2), None, Some(2), None);
        let page = keyset.finish(rows(3..=4), Some(10), Some(8));
        assert!(page.has_previous_page && !page.has_next_page);
        let page = keyset.finish(rows(3..=4), Some(8), Some(8));
        assert!(!page.has_previous_page, "nothing lies before the cursor");
    }

    #[test]
    fn a_page_without_total_is_counted_only_when_its_opposite_cursor_needs_it() {
        let keyset = Keyset::<Row>::new(None, None, Some(2), None).without_total(true);
        assert!(!keyset.needs_count());
        let page = keyset.finish(rows(1..=3), None, None);
        assert_eq!(page.total, None);
        assert!(page.has_next_page && !page.has_previous_page);
        let keyset = Keyset::<Row>::new(at(2), None, Some(2), None).without_total(true);
        assert!(keyset.needs_count(), "hasPreviousPage compares the count");
        let page = keyset.finish(rows(3..=4), Some(10), Some(8));
        assert_eq!(page.total, None, "the count is not shown");
        assert!(page.has_previous_page);
        let keyset = Keyset::<Row>::new(at(2), None, Some(2), None).without_total(false);
        assert!(
            !keyset.needs_count(),
            "neither the total nor hasPreviousPage is shown"
        );
        let page = keyset.finish(rows(3..=5), None, None);
        assert!(
            page.has_next_page,
            "the flag on the paging side needs no count"
        );
        assert!(Keyset::<Row>::first(2).needs_count());
    }

    #[test]
    fn backward_pages_come_back_in_list_order() {
        let keyset = Keyset::<Row>::new(None, at(9), None, Some(2));
        assert!(!keyset.is_forward());
        assert_eq!(keyset.limit(), 3);
        let page = keyset.finish(vec![Row(8), Row(7), Row(6)], Some(10), Some(8));
        assert_eq!(page.rows, rows(7..=8));
        assert!(page.has_previous_page && page.has_next_page);
        let page = keyset.finish(vec![Row(2), Row(1)], Some(2), Some(2));
        assert_eq!(page.rows, rows(1..=2));
        assert!(!page.has_previous_page && !page.has_next_page);
    }

    #[test]
    fn first_then_last_keeps_the_end_of_the_start() {
        let keyset = Keyset::<Row>::new(None, None, Some(4), Some(2));
        assert_eq!(keyset.limit(), 5);
        let page = keyset.finish(rows(1..=5), Some(10), None);
        assert_eq!(page.rows, rows(3..=4));
        assert!(page.has_previous_page && page.has_next_page);
        // `last` larger than `first`: more than `last` rows between the cursors is known.
        let keyset = Keyset::<Row>::new(None, None, Some(1), Some(3));
        let page = keyset.finish(rows(1..=4), Some(10), None);
        assert_eq!(page.rows, rows(1..=1));
        assert!(page.has_previous_page && page.has_next_page);
        let page = keyset.finish(rows(1..=2), Some(2), None);
        assert!(!page.has_previous_page && page.has_next_page);
    }

    #[test]
    fn sort_values_round_trip_exactly_and_refuse_other_text() {
        let time = NaiveDate::from_ymd_opt(2026, 11, 29)
            .unwrap()
            .and_hms_nano_opt(7, 5, 3, 123_456_000)
            .unwrap();
        assert_eq!(NaiveDateTime::from_text(&time.to_text()), Some(time));
        let whole = time.with_nanosecond_zero();
        assert_eq!(whole.to_text(), "2026-11-29T07:05:03");
        assert_eq!(NaiveDateTime::from_text(&whole.to_text()), Some(whole));
        for bad in [
            "2026-11-29 07:05:03",
            "2026-11-29T07:05:03.12",
            "2026-11-29T07:05:03.000",
            "2026-11-29T25:05:03",
            "0000-01-01T00:00:00",
            "",
        ] {
            assert_eq!(NaiveDateTime::from_text(bad), None, "{bad}");
        }
        let date = NaiveDate::from_ymd_opt(2026, 12, 24).unwrap();
        assert_eq!(NaiveDate::from_text("2026-12-24"), Some(date));
        for bad in ["2026-12-4", "+2026-12-24", "2026-02-30", "10000-01-01"] {
            assert_eq!(NaiveDate::from_text(bad), None, "{bad}");
        }
        assert_eq!(String::from_text("a|b:c"), Some("a|b:c".to_string()));
        assert_eq!(String::from_text("a\0"), None);
    }

    trait ZeroNanos {
        fn with_nanosecond_zero(self) -> Self;
    }

    impl ZeroNanos for NaiveDateTime {
        fn with_nanosecond_zero(self) -> Self {
            use chrono::Timelike;
            self.with_nanosecond(0).unwrap()
        }
    }
}
