//! Opaque global ids: `base64url("Type:primary key")`. Clients treat them as opaque;
//! the server decodes them to a type name and a row.

use crate::domain::entity::Entity;
use crate::error::AppError;
use async_graphql::ID;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Encodes the global id of a row of a GraphQL type.
pub fn encode(type_name: &str, pk: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{type_name}:{pk}")))
}

/// The GraphQL type whose global ids name rows of `entity`: its message name, except for
/// a package item, whose messages say "item" but whose type is `PackageItem`.
pub fn type_name(entity: Entity) -> &'static str {
    match entity {
        Entity::PackageItem => "PackageItem",
        other => other.name(),
    }
}

/// Decodes any well-formed global id into its type name and primary key.
pub fn decode_any(id: &str) -> Result<(String, i64), AppError> {
    let malformed = || {
        AppError::bad_input(format!(
            "{} is not a valid id",
            crate::domain::text::excerpt(id)
        ))
    };
    let bytes = URL_SAFE_NO_PAD.decode(id.trim()).map_err(|_| malformed())?;
    let text = String::from_utf8(bytes).map_err(|_| malformed())?;
    let (type_name, pk) = text.split_once(':').ok_or_else(malformed)?;
    let pk: i64 = pk.parse().map_err(|_| malformed())?;
    if type_name.is_empty() || pk <= 0 {
        return Err(malformed());
    }
    Ok((type_name.to_string(), pk))
}

/// Decodes a global id that must be of `expected` type; a wrong type is `BAD_USER_INPUT`.
pub fn decode(id: &ID, expected: &str) -> Result<i64, AppError> {
    let (type_name, pk) = decode_any(id)?;
    if type_name != expected {
        return Err(AppError::bad_input(format!(
            "id \"{}\" belongs to a {type_name}, not to a {expected}",
            id.as_str()
        )));
    }
    Ok(pk)
}

/// Decodes an optional id argument.
pub fn decode_opt(id: Option<&ID>, expected: &str) -> Result<Option<i64>, AppError> {
    id.map(|id| decode(id, expected)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_checks_type() {
        let id = encode("Recipe", 42);
        assert_eq!(decode(&id, "Recipe").unwrap(), 42);
        let err = decode(&id, "Event").unwrap_err();
        assert!(err
            .to_string()
            .contains("belongs to a Recipe, not to a Event"));
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in [
            "",
            "!!!",
            "UmVjaXBl",
            &URL_SAFE_NO_PAD.encode("Recipe:x"),
            &URL_SAFE_NO_PAD.encode("Recipe:-1"),
        ] {
            assert!(
                matches!(decode_any(bad), Err(AppError::BadInput(_))),
                "{bad}"
            );
        }
    }
}
