//! Update inputs to store changes: a nullable field of an `update…` input is absent (keep
//! the stored value), `null` (clear it) or a value (set it), which the store's change
//! structs spell `None`, `Some(None)` and `Some(Some(v))`.

use async_graphql::MaybeUndefined;

/// The store's change of a nullable column from an update input's field.
pub fn nullable<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// [`nullable`], the given value converted by `f` (a scalar to its inner value).
pub fn nullable_map<T, U>(value: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Option<Option<U>> {
    nullable(value.map_value(f))
}

/// [`nullable`], the given value converted by `f`, which may refuse it.
pub fn try_nullable_map<T, U, E>(
    value: MaybeUndefined<T>,
    f: impl FnOnce(T) -> Result<U, E>,
) -> Result<Option<Option<U>>, E> {
    value.map_value(f).transpose().map(nullable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_keeps_null_clears_a_value_sets() {
        assert_eq!(nullable::<i32>(MaybeUndefined::Undefined), None);
        assert_eq!(nullable::<i32>(MaybeUndefined::Null), Some(None));
        assert_eq!(nullable(MaybeUndefined::Value(3)), Some(Some(3)));
        assert_eq!(
            nullable_map(MaybeUndefined::Value(3), |v| v * 2),
            Some(Some(6))
        );
        assert_eq!(
            nullable_map(MaybeUndefined::Null, |v: i32| v * 2),
            Some(None)
        );
        let parse = |v: &str| v.parse::<i32>().map_err(|_| "not a number");
        assert_eq!(
            try_nullable_map(MaybeUndefined::Value("4"), parse),
            Ok(Some(Some(4)))
        );
        assert_eq!(try_nullable_map(MaybeUndefined::Undefined, parse), Ok(None));
        assert_eq!(
            try_nullable_map(MaybeUndefined::Null, parse),
            Ok(Some(None))
        );
        assert_eq!(
            try_nullable_map(MaybeUndefined::Value("x"), parse),
            Err("not a number")
        );
    }
}
