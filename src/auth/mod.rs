//! Who is calling: API tokens, the roles they carry, and what each role may do
//! (SPEC §4.1). The transports authenticate a request once and hand its [`Caller`] to the
//! GraphQL layer as request data; resolvers read it through [`crate::graphql::context`].

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
#[derive(Debug, Clone, PartialEq, Eq)]
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
