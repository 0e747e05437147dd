//! Cursor text. A cursor is the base64url (unpadded) form of
//! `k1|<list>|<id>|<sort value>`: a version, the list and order it belongs to
//! ([`Keyed::LIST`]), the row id and the row's sort value as [`SortValue`] writes it (last,
//! so it may hold any character but NUL). Clients treat it as opaque; decoding accepts
//! only what [`encode`] writes for the same list.

use crate::error::AppError;
use crate::store::keyset::{Keyed, Position, SortValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The version tag every cursor starts with.
const VERSION: &str = "k1";
/// The longest cursor accepted, in bytes. A valid one holds a sort value of at most a few
/// hundred characters (names are at most 200), so it stays well under this.
pub const MAX_CURSOR_LEN: usize = 2048;

/// The cursor of a row's position in list `R`.
pub fn encode<R: Keyed>(position: &Position<R::Key>) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "{VERSION}|{}|{}|{}",
        R::LIST,
        position.id,
        position.key.to_text()
    ))
}

/// Reads a cursor of list `R`. Anything [`encode`] did not write for this list — too long,
/// not base64url, another version, another list, an id that is not a positive canonical
/// number, a sort value that does not read back exactly — is `BAD_USER_INPUT`.
pub fn decode<R: Keyed>(cursor: &str) -> Result<Position<R::Key>, AppError> {
    let bad = |why: &str| {
        AppError::bad_input(format!(
            "{} is not a valid cursor{why}; pass a cursor from this list's edges or pageInfo",
            crate::domain::text::excerpt(cursor)
        ))
    };
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(bad(&format!(" (longer than {MAX_CURSOR_LEN} bytes)")));
    }
    let text = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| bad(""))?;
    let mut parts = text.splitn(4, '|');
    let (Some(VERSION), Some(list), Some(id), Some(key)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(""));
    };
    if list != R::LIST {
        return Err(bad(" for this list (it belongs to another list or order)"));
    }
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0 && n.to_string() == id)
        .ok_or_else(|| bad(""))?;
    let key = R::Key::from_text(key).ok_or_else(|| bad(""))?;
    Ok(Position { key, id })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{events::Event, ingredients::Ingredient, runs::ProductionRun};
    use chrono::{NaiveDate, NaiveDateTime};

    fn raw(text: &str) -> String {
        URL_SAFE_NO_PAD.encode(text)
    }

    #[test]
    fn positions_round_trip_for_every_kind_of_sort_value() {
        let name = Position {
            key: "crème | brûlée: 100% \"x\"".to_string(),
            id: 7,
        };
        assert_eq!(
            decode::<Ingredient>(&encode::<Ingredient>(&name)).unwrap(),
            name
        );
        let date = Position {
            key: NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
            id: i64::MAX,
        };
        assert_eq!(decode::<Event>(&encode::<Event>(&date)).unwrap(), date);
        let time: Position<NaiveDateTime> = Position {
            key: NaiveDate::from_ymd_opt(2026, 11, 29)
                .unwrap()
                .and_hms_micro_opt(6, 30, 1, 5)
                .unwrap(),
            id: 1,
        };
        assert_eq!(
            decode::<ProductionRun>(&encode::<ProductionRun>(&time)).unwrap(),
            time
        );
        let longest = Position {
            key: "\u{10FFFF}".repeat(crate::domain::text::NAME_MAX),
            id: i64::MAX,
        };
        assert!(encode::<Ingredient>(&longest).len() <= MAX_CURSOR_LEN);
    }

    #[test]
    fn other_lists_and_malformed_cursors_are_refused() {
        let event = encode::<Event>(&Position {
            key: NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
            id: 1,
        });
        let err = decode::<Ingredient>(&event).unwrap_err().to_string();
        assert!(err.contains("another list"), "{err}");
        for bad in [
            raw("offset:1"),
            raw("k1|ingredients:name|1"),
            raw("k2|ingredients:name|1|flour"),
            raw("k1|ingredients:name|0|flour"),
            raw("k1|ingredients:name|-1|flour"),
            raw("k1|ingredients:name|01|flour"),
            raw("k1|ingredients:name|+1|flour"),
            raw("k1|ingredients:name|99999999999999999999|flour"),
            raw("k1|ingredients:name|1|flo\0ur"),
            "not base64!".to_string(),
            "a".repeat(MAX_CURSOR_LEN + 1),
            String::new(),
        ] {
            let err = decode::<Ingredient>(&bad).unwrap_err().to_string();
            assert!(err.contains("cursor"), "{bad:?}: {err}");
            assert!(err.len() < 300, "{bad:?}: the message is bounded");
        }
        for bad in [
            "k1|events:date|1|2026-12-4",
            "k1|events:date|1|2026-02-30",
            "k1|events:date|1|",
        ] {
            assert!(decode::<Event>(&raw(bad)).is_err(), "{bad}");
        }
        assert!(
            decode::<ProductionRun>(&raw("k1|production_runs:newest|1|2026-11-29 06:30:01"))
                .is_err()
        );
    }
}
