//! Whether a recipe can be produced or a finished good assembled with the stock as it is.

use crate::graphql::context::db;
use crate::graphql::enums::ComponentKind;
use crate::graphql::goods::FinishedGood;
use crate::graphql::loaders::*;
use crate::graphql::pantry::Ingredient;
use crate::graphql::recipes::FinishedUnit;
use crate::graphql::scalars::Decimal;
use crate::store::availability as availability_store;
use async_graphql::{Context, Object, Result};

/// One ingredient a plan needs, against stock on hand (quantities in `unit`).
pub struct IngredientRequirement(pub availability_store::IngredientRequirement);

#[Object]
impl IngredientRequirement {
    /// The ingredient.
    async fn ingredient(&self, ctx: &Context<'_>) -> Result<Ingredient> {
        require(ctx, IngredientById(self.0.ingredient_id))
            .await
            .map(Ingredient)
    }
    /// What the plan needs.
    async fn needed(&self) -> Decimal {
        Decimal::quantity(self.0.needed)
    }
    /// What the pantry holds.
    async fn available(&self) -> Decimal {
        Decimal::quantity(self.0.available)
    }
    /// What is missing (0 when enough is on hand).
    async fn shortfall(&self) -> Decimal {
        Decimal::quantity((self.0.needed - self.0.available).max(0))
    }
    /// The ingredient's stock unit.
    async fn unit(&self) -> &str {
        &self.0.unit
    }
}

/// Whether a recipe can be produced a number of times with the pantry as it is.
pub struct RecipeAvailability {
    batches: i32,
    requirements: Vec<availability_store::IngredientRequirement>,
}

#[Object]
impl RecipeAvailability {
    /// The batches asked about.
    async fn batches(&self) -> i32 {
        self.batches
    }
    /// True when every ingredient is on hand in the quantity needed.
    async fn can_produce(&self) -> bool {
        self.requirements.iter().all(|r| r.needed <= r.available)
    }
    /// Every ingredient the batches need.
    async fn requirements(&self) -> Vec<IngredientRequirement> {
        self.requirements
            .iter()
            .cloned()
            .map(IngredientRequirement)
            .collect()
    }
    /// Only the ingredients that are short.
    async fn missing(&self) -> Vec<IngredientRequirement> {
        self.requirements
            .iter()
            .filter(|r| r.needed > r.available)
            .cloned()
            .map(IngredientRequirement)
            .collect()
    }
}

/// One component an assembly needs, against inventory (quantities in `unit`).
pub struct ComponentRequirement(pub availability_store::ComponentRequirement);

#[Object]
impl ComponentRequirement {
    /// What kind of component.
    async fn kind(&self) -> ComponentKind {
        self.0.kind.into()
    }
    /// The finished unit (FINISHED_UNIT).
    async fn finished_unit(&self, ctx: &Context<'_>) -> Result<Option<FinishedUnit>> {
        if self.0.kind != crate::domain::kinds::ComponentKind::FinishedUnit {
            return Ok(None);
        }
        Ok(Some(
            require(ctx, FinishedUnitById(self.0.reference))
                .await
                .map(FinishedUnit)?,
        ))
    }
    /// The nested finished good (FINISHED_GOOD).
    async fn finished_good(&self, ctx: &Context<'_>) -> Result<Option<FinishedGood>> {
        if self.0.kind != crate::domain::kinds::ComponentKind::FinishedGood {
            return Ok(None);
        }
        Ok(Some(
            require(ctx, FinishedGoodById(self.0.reference))
                .await
                .map(FinishedGood)?,
        ))
    }
    /// The packaging ingredient (PACKAGING).
    async fn packaging(&self, ctx: &Context<'_>) -> Result<Option<Ingredient>> {
        if self.0.kind != crate::domain::kinds::ComponentKind::Packaging {
            return Ok(None);
        }
        Ok(Some(
            require(ctx, IngredientById(self.0.reference))
                .await
                .map(Ingredient)?,
        ))
    }
    /// The component's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the assembly needs.
    async fn needed(&self) -> Decimal {
        Decimal::quantity(self.0.needed)
    }
    /// What is in inventory (units, goods) or the pantry (packaging).
    async fn available(&self) -> Decimal {
        Decimal::quantity(self.0.available)
    }
    /// What is missing (0 when enough is there).
    async fn shortfall(&self) -> Decimal {
        Decimal::quantity((self.0.needed - self.0.available).max(0))
    }
    /// "each" for finished units and goods; the ingredient's unit for packaging.
    async fn unit(&self) -> &str {
        &self.0.unit
    }
}

/// Whether a finished good can be assembled a number of times from inventory as it is.
pub struct FinishedGoodAvailability {
    quantity: i32,
    requirements: Vec<availability_store::ComponentRequirement>,
}

#[Object]
impl FinishedGoodAvailability {
    /// The quantity asked about.
    async fn quantity(&self) -> i32 {
        self.quantity
    }
    /// True when every component is there in the quantity needed.
    async fn can_assemble(&self) -> bool {
        !self.requirements.is_empty() && self.requirements.iter().all(|r| r.needed <= r.available)
    }
    /// Every component the assembly needs.
    async fn requirements(&self) -> Vec<ComponentRequirement> {
        self.requirements
            .iter()
            .cloned()
            .map(ComponentRequirement)
            .collect()
    }
    /// Only the components that are short.
    async fn missing(&self) -> Vec<ComponentRequirement> {
        self.requirements
            .iter()
            .filter(|r| r.needed > r.available)
            .cloned()
            .map(ComponentRequirement)
            .collect()
    }
}

/// Availability of a recipe (used by `Recipe.availability`).
pub async fn recipe_availability(
    ctx: &Context<'_>,
    recipe_id: i64,
    batches: i32,
) -> Result<RecipeAvailability> {
    let requirements = availability_store::recipe_requirements(db(ctx), recipe_id, batches).await?;
    Ok(RecipeAvailability {
        batches,
        requirements,
    })
}

/// Availability of a finished good (used by `FinishedGood.availability`).
pub async fn good_availability(
    ctx: &Context<'_>,
    good_id: i64,
    quantity: i32,
) -> Result<FinishedGoodAvailability> {
    let requirements = availability_store::good_requirements(db(ctx), good_id, quantity).await?;
    Ok(FinishedGoodAvailability {
        quantity,
        requirements,
    })
}
