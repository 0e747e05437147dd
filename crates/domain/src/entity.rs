//! The kinds of rows a request can name. The store says which kind it could not find
//! (`AppError::NotFound` in the server crate); how a kind is spelled to
//! a client (a GraphQL type name inside a global id) is decided by the GraphQL layer.

use std::fmt;

/// One kind of stored row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    /// An API token.
    ApiToken,
    /// A recorded assembly run.
    AssemblyRun,
    /// A holiday event.
    Event,
    /// One package assigned to one recipient for an event.
    EventRecipientPackage,
    /// A finished good (gift box, tray…).
    FinishedGood,
    /// A finished unit a recipe yields.
    FinishedUnit,
    /// A pantry ingredient.
    Ingredient,
    /// A purchased lot of an ingredient.
    InventoryLot,
    /// A package of finished goods.
    Package,
    /// One finished good held by a package.
    PackageItem,
    /// A purchasable product of an ingredient.
    Product,
    /// A recorded production run.
    ProductionRun,
    /// A recipe.
    Recipe,
    /// A gift recipient.
    Recipient,
}

impl Entity {
    /// The kind's name in messages: the type's name (`"FinishedGood"`), or `"item"` for a
    /// package item, which has no id of its own.
    pub fn name(self) -> &'static str {
        match self {
            Entity::ApiToken => "ApiToken",
            Entity::AssemblyRun => "AssemblyRun",
            Entity::Event => "Event",
            Entity::EventRecipientPackage => "EventRecipientPackage",
            Entity::FinishedGood => "FinishedGood",
            Entity::FinishedUnit => "FinishedUnit",
            Entity::Ingredient => "Ingredient",
            Entity::InventoryLot => "InventoryLot",
            Entity::Package => "Package",
            Entity::PackageItem => "item",
            Entity::Product => "Product",
            Entity::ProductionRun => "ProductionRun",
            Entity::Recipe => "Recipe",
            Entity::Recipient => "Recipient",
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
