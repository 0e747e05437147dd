//! Who is calling: API tokens, the roles they carry, and what each role may do
//! (SPEC §4.1). The transports authenticate a request once and hand its [`Caller`] to the
//! GraphQL layer as request data; resolvers read it through [`crate::graphql::context`].

pub mod roles;
pub mod secret;
pub mod trusted;

use serde::{Deserialize, Serialize};

/// What a token may do. Ordered: a stronger role may do everything a weaker one may.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[serde(rename_all = "lowercase")]
#[graphql(name = "Role")]
pub enum Role {
    /// Reads and subscribes.
    Viewer,
    /// A viewer who also records purchases, adjustments, production, assembly and
    /// fulfillment changes.
    Baker,
    /// Does everything: catalog, events, assignments, targets, import/export, tokens.
    Manager,
}

impl Role {
    /// Every role, weakest first.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Baker, Role::Manager];

    /// Reads a role as written on the command line and in the database.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// The role as written on the command line, in the database and in `extensions.requiredRole`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Baker => "baker",
            Role::Manager => "manager",
        }
    }
}

/// The caller of one request or WebSocket connection.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caller {
    /// The token's name; `None` when authentication is off (`--auth off`), where every
    /// caller acts as a nameless manager.
    pub name: Option<String>,
    /// What the caller may do.
    pub role: Role,
}

impl Caller {
    /// The caller when authentication is off: a nameless manager.
    pub fn unauthenticated_manager() -> Caller {
        Caller {
            name: None,
            role: Role::Manager,
        }
    }
}

/// Whether requests must carry a token (`--auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Every request needs a valid token; its role decides what it may do.
    Required,
    /// No tokens: every caller is a nameless manager.
    Off,
}

impl AuthMode {
    /// The mode as written in logs and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::Required => "required",
            AuthMode::Off => "off",
        }
    }

    /// The mode `--auth auto` means for a server listening on `bind`: off when it listens
    /// only on a loopback address (`127.0.0.0/8`, `::1`, `localhost`), where only this
    /// machine can reach it; required for anything else, including `0.0.0.0` and host
    /// names that would need resolving.
    pub fn auto_for(bind: &str) -> AuthMode {
        let loopback = match bind.parse::<std::net::SocketAddr>() {
            Ok(address) => address.ip().is_loopback(),
            Err(_) => {
                let host = bind.rsplit_once(':').map_or(bind, |(host, _)| host);
                match host.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
                    Ok(ip) => ip.is_loopback(),
                    Err(_) => host.eq_ignore_ascii_case("localhost"),
                }
            }
        };
        if loopback {
            AuthMode::Off
        } else {
            AuthMode::Required
        }
    }
}

/// Why a request could not be authenticated. Each is `UNAUTHENTICATED` (HTTP 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// No token was sent.
    #[error("this server requires an API token: send the header Authorization: Bearer <token> (make one with `bakeplan token create`)")]
    Missing,
    /// The `Authorization` value is not `Bearer <token>`.
    #[error("the Authorization header must be \"Bearer <token>\"")]
    Malformed,
    /// No token has this text.
    #[error("the API token is not valid")]
    Unknown,
    /// The token's expiry has passed.
    #[error("the API token has expired; ask a manager for a new one")]
    Expired,
    /// The token was revoked.
    #[error("the API token was revoked; ask a manager for a new one")]
    Revoked,
}

impl AuthFailure {
    /// Whether a token was sent (and refused), as opposed to none or an unreadable header:
    /// `WWW-Authenticate` then says `error="invalid_token"` (RFC 6750 §3.1).
    pub fn token_given(self) -> bool {
        matches!(
            self,
            AuthFailure::Unknown | AuthFailure::Expired | AuthFailure::Revoked
        )
    }

    /// The `WWW-Authenticate` value of a 401 for this failure.
    pub fn challenge(self) -> &'static str {
        match self {
            AuthFailure::Missing => "Bearer",
            AuthFailure::Malformed => "Bearer error=\"invalid_request\"",
            _ => "Bearer error=\"invalid_token\"",
        }
    }
}

/// The token of an `Authorization` value: `Bearer <token>` (scheme case-insensitive).
/// `None` is a missing header; an error is a value that is not a bearer token.
pub fn bearer_token(value: Option<&str>) -> Result<Option<&str>, AuthFailure> {
    let Some(value) = value else {
        return Ok(None);
    };
    let value = value.trim();
    let (scheme, token) = value.split_once(' ').ok_or(AuthFailure::Malformed)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(' ') {
        return Err(AuthFailure::Malformed);
    }
    Ok(Some(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_mode_is_off_only_on_loopback() {
        for bind in [
            "127.0.0.1:8080",
            "127.1.2.3:80",
            "[::1]:8080",
            "localhost:8080",
            "LOCALHOST:1",
        ] {
            assert_eq!(AuthMode::auto_for(bind), AuthMode::Off, "{bind}");
        }
        for bind in [
            "0.0.0.0:8080",
            "[::]:8080",
            "192.168.1.20:8080",
            "bakery.example:8080",
            "10.0.0.1:80",
        ] {
            assert_eq!(AuthMode::auto_for(bind), AuthMode::Required, "{bind}");
        }
    }

    #[test]
    fn bearer_values_are_read_strictly() {
        assert_eq!(bearer_token(None), Ok(None));
        assert_eq!(bearer_token(Some("Bearer bp_abc")), Ok(Some("bp_abc")));
        assert_eq!(bearer_token(Some("bearer  bp_abc ")), Ok(Some("bp_abc")));
        for bad in [
            "Basic dXNlcjpwYXNz",
            "Bearer",
            "Bearer ",
            "bp_abc",
            "Bearer a b",
        ] {
            assert_eq!(
                bearer_token(Some(bad)),
                Err(AuthFailure::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn roles_are_ordered_and_round_trip() {
        assert!(Role::Viewer < Role::Baker && Role::Baker < Role::Manager);
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
