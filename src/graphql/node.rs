//! The `Node` interface and `node(id)` / `nodes(ids)` lookups of any entity.

use super::events::{Event, EventRecipientPackage, Recipient};
use super::goods::{FinishedGood, Package};
use super::ids;
use super::loaders::*;
use super::pantry::{Ingredient, InventoryLot, Product};
use super::production::{AssemblyRun, ProductionRun};
use super::recipes::{FinishedUnit, Recipe};
use super::targets::{EventAssemblyTarget, EventProductionTarget};
use async_graphql::{Context, Interface, Object, Result, ID};

/// Any stored entity, fetchable by its opaque global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque, stable global id."))]
#[allow(clippy::large_enum_variant)]
pub enum Node {
    /// An ingredient.
    Ingredient(Ingredient),
    /// A product.
    Product(Product),
    /// An inventory lot.
    InventoryLot(InventoryLot),
    /// A recipe.
    Recipe(Recipe),
    /// A finished unit.
    FinishedUnit(FinishedUnit),
    /// A finished good.
    FinishedGood(FinishedGood),
    /// A package.
    Package(Package),
    /// A recipient.
    Recipient(Recipient),
    /// An event.
    Event(Event),
    /// An assignment.
    EventRecipientPackage(EventRecipientPackage),
    /// A production run.
    ProductionRun(ProductionRun),
    /// An assembly run.
    AssemblyRun(AssemblyRun),
    /// An event production target.
    EventProductionTarget(EventProductionTarget),
    /// An event assembly target.
    EventAssemblyTarget(EventAssemblyTarget),
}

/// Loads the entity behind a decoded id; `None` when the row does not exist.
async fn load_node(ctx: &Context<'_>, type_name: &str, pk: i64) -> Result<Option<Node>> {
    let l = loaders(ctx);
    Ok(match type_name {
        "Ingredient" => l
            .load_one(IngredientById(pk))
            .await?
            .map(|r| Node::Ingredient(Ingredient(r))),
        "Product" => l
            .load_one(ProductById(pk))
            .await?
            .map(|r| Node::Product(Product(r))),
        "InventoryLot" => l
            .load_one(LotById(pk))
            .await?
            .map(|r| Node::InventoryLot(InventoryLot(r))),
        "Recipient" => l
            .load_one(RecipientById(pk))
            .await?
            .map(|r| Node::Recipient(Recipient(r))),
        "Event" => l
            .load_one(EventById(pk))
            .await?
            .map(|r| Node::Event(Event(r))),
        "EventRecipientPackage" => l
            .load_one(AssignmentById(pk))
            .await?
            .map(|r| Node::EventRecipientPackage(EventRecipientPackage(r))),
        "Recipe" => l
            .load_one(RecipeById(pk))
            .await?
            .map(|r| Node::Recipe(Recipe(r))),
        "FinishedUnit" => l
            .load_one(FinishedUnitById(pk))
            .await?
            .map(|r| Node::FinishedUnit(FinishedUnit(r))),
        "ProductionRun" => l
            .load_one(ProductionRunById(pk))
            .await?
            .map(|r| Node::ProductionRun(ProductionRun(r))),
        "AssemblyRun" => l
            .load_one(AssemblyRunById(pk))
            .await?
            .map(|r| Node::AssemblyRun(AssemblyRun(r))),
        "EventProductionTarget" => l
            .load_one(ProductionTargetById(pk))
            .await?
            .map(|r| Node::EventProductionTarget(EventProductionTarget(r))),
        "EventAssemblyTarget" => l
            .load_one(AssemblyTargetById(pk))
            .await?
            .map(|r| Node::EventAssemblyTarget(EventAssemblyTarget(r))),
        "FinishedGood" => l
            .load_one(FinishedGoodById(pk))
            .await?
            .map(|r| Node::FinishedGood(FinishedGood(r))),
        "Package" => l
            .load_one(PackageById(pk))
            .await?
            .map(|r| Node::Package(Package(r))),
        other => {
            return Err(crate::error::AppError::bad_input(format!(
                "ids of type {other} cannot be fetched with node()"
            ))
            .into())
        }
    })
}

/// `node` and `nodes`.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Fetches any entity by its global id; `null` when it does not exist.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let (type_name, pk) = ids::decode_any(&id)?;
        load_node(ctx, &type_name, pk).await
    }

    /// Fetches many entities by global id, in the order given (`null` for missing ones).
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        if ids.len() > super::connection::MAX_PAGE as usize {
            return Err(crate::error::AppError::bad_input(format!(
                "at most {} ids can be fetched at once",
                super::connection::MAX_PAGE
            ))
            .into());
        }
        let decoded = ids
            .iter()
            .map(|id| ids::decode_any(id))
            .collect::<Result<Vec<_>, _>>()?;
        let lookups = decoded
            .iter()
            .map(|(type_name, pk)| load_node(ctx, type_name, *pk));
        futures::future::try_join_all(lookups).await
    }
}
