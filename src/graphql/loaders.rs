//! Per-request DataLoaders: every relation resolves through one of these keys, and each
//! key batches into exactly one store query per request level.

use super::request_wake::RequestWake;
use crate::db::Db;
use crate::store;
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::Context;
use chrono::NaiveDateTime;
use std::collections::HashMap;

/// The loader behind every key type; created per request, so cached rows never leak
/// across requests.
pub struct DbLoader {
    db: Db,
    /// Stock units of the ingredients loaded so far in this request, with when they were
    /// loaded.
    units: std::sync::Mutex<HashMap<i64, (String, NaiveDateTime)>>,
}

impl DbLoader {
    /// The stock unit of an ingredient already loaded in this request, for one of its lots
    /// created before that load: an ingredient's unit cannot change while it has lots, so
    /// the remembered unit is still the lot's. Lets a lot reached through its ingredient tell
    /// its unit without another query; `None` means "load the ingredient".
    pub fn known_unit(&self, ingredient_id: i64, lot_created_at: NaiveDateTime) -> Option<String> {
        let units = self.units.lock().ok()?;
        units
            .get(&ingredient_id)
            .filter(|(_, loaded_at)| lot_created_at <= *loaded_at)
            .map(|(unit, _)| unit.clone())
    }
}

/// The per-request loader type stored in the request data.
pub type Loaders = DataLoader<DbLoader>;

/// A fresh loader set for one request.
///
/// Batches are cut without a timer: the batch task is spawned on the request's one-worker
/// execution runtime (see [`crate::http::gateway`]) when the first key is asked for, and
/// runs only once the request's task has gone as far as it can, so a batch holds every key
/// the request asks for until it must wait. async-graphql's default 1 ms delay made the
/// batches of a level depend on timing (under load a level could be split in two) and
/// added a millisecond of waiting per level.
///
/// A request's batches also take turns (a fair lock per request): a batch collects its
/// keys only after the batch before it has delivered and the request has acted on those
/// rows, which `request` tells (it is woken by the rows and not yet polled while
/// [`RequestWake::is_pending`]); a request whose wakes are not watched (the operations of a
/// WebSocket share one set of loaders) is given one yield. Otherwise a key type asked for
/// under two branches was split when the two branches' rows arrived in different
/// wake-ups, which made the statement count of a request depend on the database's timing.
pub fn new_loaders(db: Db, request: RequestWake) -> Loaders {
    let gate = std::sync::Arc::new(tokio::sync::Mutex::new(()));
    DataLoader::new(
        DbLoader {
            db,
            units: Default::default(),
        },
        move |batch| {
            let (gate, request) = (gate.clone(), request.clone());
            tokio::spawn(async move {
                let _turn = gate.lock().await;
                tokio::task::yield_now().await;
                while request.is_pending() {
                    tokio::task::yield_now().await;
                }
                batch.await
            })
        },
    )
    .delay(std::time::Duration::ZERO)
}

/// The request's loaders.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

/// Declares a key type and the batch store function that answers it.
macro_rules! batch_key {
    ($(#[$doc:meta])* $key:ident => $value:ty, $fetch:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Loader<$key> for DbLoader {
            type Value = $value;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
                let found = $fetch(&self.db, &ids).await?;
                Ok(found.into_iter().map(|(id, value)| ($key(id), value.into())).collect())
            }
        }
    };
}

/// An ingredient by id (its unit is remembered for [`DbLoader::known_unit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IngredientById(pub i64);

impl Loader<IngredientById> for DbLoader {
    type Value = store::ingredients::Ingredient;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[IngredientById],
    ) -> Result<HashMap<IngredientById, Self::Value>, Self::Error> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let loaded_at = store::now();
        let found = store::ingredients::by_ids(&self.db, &ids).await?;
        if let Ok(mut units) = self.units.lock() {
            units.extend(
                found
                    .iter()
                    .map(|(id, row)| (*id, (row.unit.clone(), loaded_at))),
            );
        }
        Ok(found
            .into_iter()
            .map(|(id, row)| (IngredientById(id), row))
            .collect())
    }
}
batch_key!(
    /// A product by id.
    ProductById => store::products::Product, store::products::by_ids
);
batch_key!(
    /// The products of an ingredient.
    ProductsByIngredient => Vec<store::products::Product>, store::products::by_ingredient_ids
);
batch_key!(
    /// A lot by id.
    LotById => store::lots::InventoryLot, store::lots::by_ids
);
batch_key!(
    /// The lots of an ingredient, FIFO order.
    LotsByIngredient => Vec<store::lots::InventoryLot>, store::lots::by_ingredient_ids
);
batch_key!(
    /// Stock on hand of an ingredient (scaled quantity).
    OnHandByIngredient => i64, store::lots::on_hand_by_ingredient_ids
);
batch_key!(
    /// Adjustment records of a lot.
    AdjustmentsByLot => Vec<store::lots::InventoryAdjustment>, store::lots::adjustments_by_lot_ids
);
batch_key!(
    /// A recipe by id.
    RecipeById => store::recipes::Recipe, store::recipes::by_ids
);
batch_key!(
    /// A finished unit by id.
    FinishedUnitById => store::finished_units::FinishedUnit, store::finished_units::by_ids
);
batch_key!(
    /// A finished good by id.
    FinishedGoodById => store::finished_goods::FinishedGood, store::finished_goods::by_ids
);
batch_key!(
    /// A package by id.
    PackageById => store::packages::Package, store::packages::by_ids
);
batch_key!(
    /// A recipient by id.
    RecipientById => store::recipients::Recipient, store::recipients::by_ids
);
batch_key!(
    /// An event by id.
    EventById => store::events::Event, store::events::by_ids
);
batch_key!(
    /// An assignment by id.
    AssignmentById => store::assignments::EventRecipientPackage, store::assignments::by_ids
);
batch_key!(
    /// The assignments of an event, ordered by recipient name.
    AssignmentsByEvent => Vec<store::assignments::EventRecipientPackage>, store::assignments::by_event_ids
);
batch_key!(
    /// The assignments of a recipient, newest event first.
    AssignmentsByRecipient => Vec<store::assignments::EventRecipientPackage>, store::assignments::by_recipient_ids
);

batch_key!(
    /// The ingredient lines of a recipe, in their given order.
    LinesByRecipe => Vec<store::recipes::RecipeIngredient>, store::recipes::lines_by_recipe_ids
);
batch_key!(
    /// The sub-recipe components of a recipe, in their given order.
    ComponentsByRecipe => Vec<store::recipes::RecipeComponent>, store::recipes::components_by_recipe_ids
);
batch_key!(
    /// The finished units of a recipe, by name.
    FinishedUnitsByRecipe => Vec<store::finished_units::FinishedUnit>, store::finished_units::by_recipe_ids
);
batch_key!(
    /// The recipe tree (lines, sub-recipes, ingredients) under a recipe, for aggregation.
    RecipeTreeByRecipe => std::sync::Arc<crate::domain::aggregate::RecipeTree>, store::recipes::trees_by_recipe_ids
);

batch_key!(
    /// The components of a finished good, in order.
    ComponentsByFinishedGood => Vec<store::finished_goods::FinishedGoodComponent>,
    store::finished_goods::components_by_finished_good_ids
);
batch_key!(
    /// The items of a package, in the order they were added.
    ItemsByPackage => Vec<store::packages::PackageItem>, store::packages::items_by_package_ids
);

/// Loads a row that a foreign key guarantees to exist; a missing one is an internal error.
pub async fn require<K>(
    ctx: &Context<'_>,
    key: K,
) -> async_graphql::Result<<DbLoader as Loader<K>>::Value>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + std::fmt::Debug + 'static,
    DbLoader: Loader<K, Error = async_graphql::Error>,
{
    loaders(ctx).load_one(key.clone()).await?.ok_or_else(|| {
        crate::error::AppError::Internal(format!("{key:?} is referenced but missing")).into()
    })
}

batch_key!(
    /// A production run by id.
    ProductionRunById => store::runs::ProductionRun, store::runs::production_runs_by_ids
);
batch_key!(
    /// An assembly run by id.
    AssemblyRunById => store::runs::AssemblyRun, store::runs::assembly_runs_by_ids
);
batch_key!(
    /// The consumption records of a production run.
    ConsumptionsByProductionRun => Vec<store::runs::ProductionConsumption>, store::runs::production_consumptions_by_run_ids
);
batch_key!(
    /// The consumption records of an assembly run.
    ConsumptionsByAssemblyRun => Vec<store::runs::AssemblyConsumption>, store::runs::assembly_consumptions_by_run_ids
);

batch_key!(
    /// Estimated cost of one batch of a recipe today (scaled money).
    EstimatedBatchCost => i64, store::availability::estimated_batch_costs
);

batch_key!(
    /// A production target by id.
    ProductionTargetById => store::targets::EventProductionTarget, store::targets::production_targets_by_ids
);
batch_key!(
    /// An assembly target by id.
    AssemblyTargetById => store::targets::EventAssemblyTarget, store::targets::assembly_targets_by_ids
);
batch_key!(
    /// The production targets of an event.
    ProductionTargetsByEvent => Vec<store::targets::EventProductionTarget>, store::targets::production_targets_by_event_ids
);
batch_key!(
    /// The assembly targets of an event.
    AssemblyTargetsByEvent => Vec<store::targets::EventAssemblyTarget>, store::targets::assembly_targets_by_event_ids
);

batch_key!(
    /// The recipe needs of an event (what its assignments imply).
    RecipeNeedsByEvent => Vec<store::planning::RecipeNeed>, store::planning::needs_by_event_ids
);
batch_key!(
    /// The production targets an event's needs suggest.
    SuggestedTargetsByEvent => Vec<store::planning::SuggestedTarget>, store::planning::suggested_targets_by_event_ids
);
batch_key!(
    /// The shopping list of an event.
    ShoppingListByEvent => Vec<store::planning::ShoppingItem>, store::planning::shopping_lists
);
batch_key!(
    /// The cost summary of an event.
    CostSummaryByEvent => store::planning::CostSummary, store::planning::cost_summaries
);
batch_key!(
    /// Per recipe: the sums of the production runs attributed to an event (one query for
    /// all the events asked about; shared, as every target of the event reads it).
    ProducedByEvent => std::sync::Arc<HashMap<i64, store::progress::RunTotals>>, store::progress::produced_by_event_ids
);
batch_key!(
    /// Per finished good: the sums of the assembly runs attributed to an event.
    AssembledByEvent => std::sync::Arc<HashMap<i64, store::progress::RunTotals>>, store::progress::assembled_by_event_ids
);
batch_key!(
    /// The overall progress of an event (targets complete, assignments by status).
    EventProgressByEvent => crate::domain::progress::EventProgress, store::progress::event_progress_by_event_ids
);

/// The first runs (newest first) of one recipe attributed to one event: the first page of
/// a target's runs. The limit is part of the key, so each distinct limit is one windowed
/// query for all the (event, recipe) pairs asking for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProductionRunsOfTarget {
    /// The event.
    pub event_id: i64,
    /// The recipe.
    pub recipe_id: i64,
    /// Runs to return at most.
    pub limit: i64,
}

/// A page of the assembly runs of one finished good attributed to one event, newest
/// first; batched like [`ProductionRunsOfTarget`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AssemblyRunsOfTarget {
    /// The event.
    pub event_id: i64,
    /// The finished good.
    pub finished_good_id: i64,
    /// Runs to return at most.
    pub limit: i64,
}

/// The (event, subject) pairs asking for one limit of runs.
type LimitGroup = (i64, Vec<(i64, i64)>);

/// Groups keys by their limit, so each distinct limit is one query.
fn by_limit<K: Copy>(keys: &[K], split: impl Fn(K) -> ((i64, i64), i64)) -> Vec<LimitGroup> {
    let mut groups: Vec<LimitGroup> = Vec::new();
    for key in keys {
        let (pair, limit) = split(*key);
        match groups.iter_mut().find(|(l, _)| *l == limit) {
            Some((_, pairs)) => pairs.push(pair),
            None => groups.push((limit, vec![pair])),
        }
    }
    groups
}

impl Loader<ProductionRunsOfTarget> for DbLoader {
    type Value = Vec<store::runs::ProductionRun>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ProductionRunsOfTarget],
    ) -> Result<HashMap<ProductionRunsOfTarget, Self::Value>, Self::Error> {
        let mut found = HashMap::new();
        for (limit, pairs) in by_limit(keys, |k| ((k.event_id, k.recipe_id), k.limit)) {
            let mut pages = store::runs::production_run_windows(&self.db, &pairs, limit).await?;
            for (event_id, recipe_id) in pairs {
                let rows = pages.remove(&(event_id, recipe_id)).unwrap_or_default();
                let key = ProductionRunsOfTarget {
                    event_id,
                    recipe_id,
                    limit,
                };
                found.insert(key, rows);
            }
        }
        Ok(found)
    }
}

impl Loader<AssemblyRunsOfTarget> for DbLoader {
    type Value = Vec<store::runs::AssemblyRun>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[AssemblyRunsOfTarget],
    ) -> Result<HashMap<AssemblyRunsOfTarget, Self::Value>, Self::Error> {
        let mut found = HashMap::new();
        for (limit, pairs) in by_limit(keys, |k| ((k.event_id, k.finished_good_id), k.limit)) {
            let mut pages = store::runs::assembly_run_windows(&self.db, &pairs, limit).await?;
            for (event_id, finished_good_id) in pairs {
                let rows = pages
                    .remove(&(event_id, finished_good_id))
                    .unwrap_or_default();
                let key = AssemblyRunsOfTarget {
                    event_id,
                    finished_good_id,
                    limit,
                };
                found.insert(key, rows);
            }
        }
        Ok(found)
    }
}
