//! Finished goods (assembled items) and packages (what one recipient receives).

use super::changes::nullable;
use super::connection::{Conn, PageArgs};
use super::context::{db, detached};
use super::enums::{stored, AssemblyType, ComponentKind};
use super::ids;
use super::loaders::{
    loaders, require, ComponentsByFinishedGood, FinishedGoodById, FinishedUnitById, IngredientById,
    ItemsByPackage,
};
use super::pantry::Ingredient;
use super::recipes::FinishedUnit;
use super::scalars::{utc, Decimal};
use super::DeletePayload;
use crate::error::AppError;
use crate::store::finished_goods::{ComponentItem, NewComponent};
use crate::store::packages::NewPackageItem;
use crate::store::{finished_goods as good_store, packages as package_store};
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};
use chrono::{DateTime, Utc};

/// An assembled item: a gift box, a variety pack.
pub struct FinishedGood(pub good_store::FinishedGood);

#[Object]
impl FinishedGood {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("FinishedGood", self.0.id)
    }
    /// Unique URL-safe name.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What kind of assembly it is.
    async fn assembly_type(&self) -> AssemblyType {
        stored::<crate::domain::kinds::AssemblyType>(&self.0.assembly_type).into()
    }
    /// Free text description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// How to pack it.
    async fn packaging_instructions(&self) -> Option<&str> {
        self.0.packaging_instructions.as_deref()
    }
    /// What it is made of, in order: finished units, nested finished goods and packaging.
    async fn components(&self, ctx: &Context<'_>) -> Result<Vec<FinishedGoodComponent>> {
        let rows = loaders(ctx)
            .load_one(ComponentsByFinishedGood(self.0.id))
            .await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(FinishedGoodComponent)
            .collect())
    }
    /// Items in stock.
    async fn inventory_count(&self) -> i32 {
        self.0.inventory_count
    }
    /// Moving weighted average cost of one item over its assembly runs.
    async fn average_unit_cost(&self) -> Decimal {
        Decimal::unit_price(self.0.average_unit_cost)
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Whether `quantity` can be assembled from inventory as it is, and what is missing.
    async fn availability(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 1, desc = "How many to assemble (> 0).")] quantity: i32,
    ) -> Result<super::production::FinishedGoodAvailability> {
        super::production::good_availability(ctx, self.0.id, quantity).await
    }
    /// Assembly runs of this finished good, newest first (optionally only those of one event).
    async fn assembly_runs(
        &self,
        ctx: &Context<'_>,
        event_id: Option<ID>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<super::connection::Conn<super::production::AssemblyRun>> {
        let filter = crate::store::runs::RunFilter {
            event_id: super::ids::decode_opt(event_id.as_ref(), "Event")?,
            subject_id: Some(self.0.id),
            ..Default::default()
        };
        super::production::assembly_run_page(
            ctx,
            filter,
            super::connection::PageArgs::new(after, before, first, last),
        )
        .await
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        utc(self.0.updated_at)
    }
}

/// What one recipient receives: finished goods and how many of each.
pub struct Package(pub package_store::Package);

#[Object]
impl Package {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Package", self.0.id)
    }
    /// Unique name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Free text description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// A template to copy from rather than a package given as is.
    async fn is_template(&self) -> bool {
        self.0.is_template
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// The finished goods it holds and how many of each, in the order they were added.
    async fn items(&self, ctx: &Context<'_>) -> Result<Vec<PackageItem>> {
        let rows = loaders(ctx).load_one(ItemsByPackage(self.0.id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(PackageItem)
            .collect())
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        utc(self.0.updated_at)
    }
}

/// One component of a finished good: exactly one of `finishedUnit`, `finishedGood` and
/// `packaging` is set, as `kind` says.
pub struct FinishedGoodComponent(pub good_store::FinishedGoodComponent);

#[Object]
impl FinishedGoodComponent {
    /// What the component is.
    async fn kind(&self) -> ComponentKind {
        good_store::component_item(&self.0).kind().into()
    }
    /// The finished unit (kind FINISHED_UNIT).
    async fn finished_unit(&self, ctx: &Context<'_>) -> Result<Option<FinishedUnit>> {
        match self.0.finished_unit_id {
            Some(id) => Ok(Some(FinishedUnit(
                require(ctx, FinishedUnitById(id)).await?,
            ))),
            None => Ok(None),
        }
    }
    /// The nested finished good (kind FINISHED_GOOD).
    async fn finished_good(&self, ctx: &Context<'_>) -> Result<Option<FinishedGood>> {
        match self.0.component_good_id {
            Some(id) => Ok(Some(FinishedGood(
                require(ctx, FinishedGoodById(id)).await?,
            ))),
            None => Ok(None),
        }
    }
    /// The packaging ingredient (kind PACKAGING).
    async fn packaging(&self, ctx: &Context<'_>) -> Result<Option<Ingredient>> {
        match self.0.packaging_ingredient_id {
            Some(id) => Ok(Some(Ingredient(require(ctx, IngredientById(id)).await?))),
            None => Ok(None),
        }
    }
    /// How many pieces (a whole number for finished units and goods), or how much packaging
    /// in the ingredient's unit, one finished good takes.
    async fn quantity(&self) -> Decimal {
        Decimal::quantity(self.0.quantity)
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
}

/// A finished good in a package and how many of it.
pub struct PackageItem(pub package_store::PackageItem);

#[Object]
impl PackageItem {
    /// The finished good.
    async fn finished_good(&self, ctx: &Context<'_>) -> Result<FinishedGood> {
        require(ctx, FinishedGoodById(self.0.finished_good_id))
            .await
            .map(FinishedGood)
    }
    /// How many of it the package holds.
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
}

/// One component of a finished good as given: exactly one of `finishedUnitId`,
/// `finishedGoodId` and `packagingId`.
#[derive(InputObject)]
pub struct FinishedGoodComponentInput {
    /// A finished unit; `quantity` is a whole number of pieces.
    pub finished_unit_id: Option<ID>,
    /// Another finished good; `quantity` is a whole number of pieces.
    pub finished_good_id: Option<ID>,
    /// A packaging ingredient (marked `isPackaging`); `quantity` is in the ingredient's unit.
    pub packaging_id: Option<ID>,
    /// How many or how much one finished good takes (> 0).
    pub quantity: Decimal,
    /// Free text.
    pub notes: Option<String>,
}

/// Input of `createFinishedGood`.
#[derive(InputObject)]
pub struct CreateFinishedGoodInput {
    /// Display name.
    pub name: String,
    /// Unique URL-safe name (lower-case letters, digits, single dashes); derived from the
    /// name when absent.
    pub slug: Option<String>,
    /// What kind of assembly it is.
    #[graphql(default_with = "AssemblyType::GiftBox")]
    pub assembly_type: AssemblyType,
    /// Free text description.
    pub description: Option<String>,
    /// How to pack it.
    pub packaging_instructions: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// Its components, in order; each item at most once.
    #[graphql(default)]
    pub components: Vec<FinishedGoodComponentInput>,
}

/// Input of `updateFinishedGood`: only the fields given change; `null` clears a nullable field.
#[derive(InputObject)]
pub struct UpdateFinishedGoodInput {
    /// The finished good.
    pub id: ID,
    /// New name.
    pub name: Option<String>,
    /// New slug (must be valid and unused).
    pub slug: Option<String>,
    /// New assembly type.
    pub assembly_type: Option<AssemblyType>,
    /// New description, or `null` to clear it.
    pub description: MaybeUndefined<String>,
    /// New packaging instructions, or `null` to clear them.
    pub packaging_instructions: MaybeUndefined<String>,
    /// New notes, or `null` to clear them.
    pub notes: MaybeUndefined<String>,
    /// A new component list, replacing the whole old one.
    pub components: Option<Vec<FinishedGoodComponentInput>>,
}

/// One item of a package as given.
#[derive(InputObject)]
pub struct PackageItemInput {
    /// The finished good.
    pub finished_good_id: ID,
    /// How many (> 0).
    pub quantity: i32,
}

/// Input of `createPackage`.
#[derive(InputObject)]
pub struct CreatePackageInput {
    /// Unique name.
    pub name: String,
    /// Free text description.
    pub description: Option<String>,
    /// A template to copy from rather than a package given as is.
    #[graphql(default = false)]
    pub is_template: bool,
    /// Free text.
    pub notes: Option<String>,
    /// Its items; the same finished good given twice adds up.
    #[graphql(default)]
    pub items: Vec<PackageItemInput>,
}

/// Input of `updatePackage`: only the fields given change; `null` clears a nullable field.
#[derive(InputObject)]
pub struct UpdatePackageInput {
    /// The package.
    pub id: ID,
    /// New name.
    pub name: Option<String>,
    /// New description, or `null` to clear it.
    pub description: MaybeUndefined<String>,
    /// New template flag.
    pub is_template: Option<bool>,
    /// New notes, or `null` to clear them.
    pub notes: MaybeUndefined<String>,
    /// A new item list, replacing the whole old one (repeated finished goods add up).
    pub items: Option<Vec<PackageItemInput>>,
}

/// Input of `addPackageItem`.
#[derive(InputObject)]
pub struct AddPackageItemInput {
    /// The package.
    pub package_id: ID,
    /// The finished good to add.
    pub finished_good_id: ID,
    /// How many to add (> 0); added to the quantity the package already holds.
    pub quantity: i32,
}

/// Input of `removePackageItem`.
#[derive(InputObject)]
pub struct RemovePackageItemInput {
    /// The package.
    pub package_id: ID,
    /// The finished good to remove from it.
    pub finished_good_id: ID,
}

fn components(input: Vec<FinishedGoodComponentInput>) -> Result<Vec<NewComponent>, AppError> {
    input
        .into_iter()
        .enumerate()
        .map(|(index, c)| {
            let item = ComponentItem::from_references(
                index + 1,
                ids::decode_opt(c.finished_unit_id.as_ref(), "FinishedUnit")?,
                ids::decode_opt(c.finished_good_id.as_ref(), "FinishedGood")?,
                ids::decode_opt(c.packaging_id.as_ref(), "Ingredient")?,
            )?;
            Ok(NewComponent {
                item,
                quantity: c.quantity.0,
                notes: c.notes,
            })
        })
        .collect()
}

fn items(input: Vec<PackageItemInput>) -> Result<Vec<NewPackageItem>, AppError> {
    input
        .into_iter()
        .map(|item| {
            Ok(NewPackageItem {
                finished_good_id: ids::decode(&item.finished_good_id, "FinishedGood")?,
                quantity: item.quantity,
            })
        })
        .collect()
}

/// Finished good and package queries.
#[derive(Default)]
pub struct GoodsQuery;

#[Object]
impl GoodsQuery {
    /// Finished goods ordered by name.
    #[allow(clippy::too_many_arguments)]
    async fn finished_goods(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(desc = "Only this assembly type.")] assembly_type: Option<AssemblyType>,
        #[graphql(
            desc = "Case-insensitive part of the name (at most 200 characters; `%` and `_` match themselves)."
        )]
        search: Option<String>,
    ) -> Result<Conn<FinishedGood>> {
        let page = PageArgs::new(after, before, first, last).validate()?;
        let filter = good_store::FinishedGoodFilter {
            assembly_type: assembly_type.map(Into::into),
            search,
        };
        let rows = good_store::list(db(ctx), &filter, page.keyset()).await?;
        Ok(page.connection(rows, FinishedGood))
    }

    /// Packages ordered by name.
    #[allow(clippy::too_many_arguments)]
    async fn packages(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(desc = "Only templates (true) or only non-templates (false).")]
        is_template: Option<bool>,
        #[graphql(
            desc = "Case-insensitive part of the name (at most 200 characters; `%` and `_` match themselves)."
        )]
        search: Option<String>,
    ) -> Result<Conn<Package>> {
        let page = PageArgs::new(after, before, first, last).validate()?;
        let filter = package_store::PackageFilter {
            is_template,
            search,
        };
        let rows = package_store::list(db(ctx), &filter, page.keyset()).await?;
        Ok(page.connection(rows, Package))
    }
}

/// Finished good and package mutations.
#[derive(Default)]
pub struct GoodsMutation;

#[Object]
impl GoodsMutation {
    /// Creates a finished good with its components. Its slug is derived from the name when
    /// not given; it cannot contain itself, directly or through nested finished goods.
    async fn create_finished_good(
        &self,
        ctx: &Context<'_>,
        input: CreateFinishedGoodInput,
    ) -> Result<FinishedGood> {
        let new = good_store::NewFinishedGood {
            name: input.name,
            slug: input.slug,
            assembly_type: input.assembly_type.into(),
            description: input.description,
            packaging_instructions: input.packaging_instructions,
            notes: input.notes,
            components: components(input.components)?,
        };
        let db = db(ctx).clone();
        detached(async move { good_store::create(&db, new).await })
            .await
            .map(FinishedGood)
    }

    /// Changes a finished good; `components`, when given, replace the whole list.
    async fn update_finished_good(
        &self,
        ctx: &Context<'_>,
        input: UpdateFinishedGoodInput,
    ) -> Result<FinishedGood> {
        let id = ids::decode(&input.id, "FinishedGood")?;
        let changes = good_store::FinishedGoodChanges {
            name: input.name,
            slug: input.slug,
            assembly_type: input.assembly_type.map(Into::into),
            description: nullable(input.description),
            packaging_instructions: nullable(input.packaging_instructions),
            notes: nullable(input.notes),
            components: input.components.map(components).transpose()?,
        };
        let db = db(ctx).clone();
        detached(async move { good_store::update(&db, id, changes).await })
            .await
            .map(FinishedGood)
    }

    /// Deletes a finished good and its components (refused while assembly targets, assembly
    /// runs, package items or parent finished goods reference it).
    async fn delete_finished_good(&self, ctx: &Context<'_>, id: ID) -> Result<DeletePayload> {
        let pk = ids::decode(&id, "FinishedGood")?;
        let db = db(ctx).clone();
        detached(async move { good_store::delete(&db, pk).await }).await?;
        Ok(DeletePayload { deleted_id: id })
    }

    /// Creates a package with its items; the same finished good given twice adds up.
    async fn create_package(
        &self,
        ctx: &Context<'_>,
        input: CreatePackageInput,
    ) -> Result<Package> {
        let new = package_store::NewPackage {
            name: input.name,
            description: input.description,
            is_template: input.is_template,
            notes: input.notes,
            items: items(input.items)?,
        };
        let db = db(ctx).clone();
        detached(async move { package_store::create(&db, new).await })
            .await
            .map(Package)
    }

    /// Changes a package; `items`, when given, replace the whole list.
    async fn update_package(
        &self,
        ctx: &Context<'_>,
        input: UpdatePackageInput,
    ) -> Result<Package> {
        let id = ids::decode(&input.id, "Package")?;
        let changes = package_store::PackageChanges {
            name: input.name,
            description: nullable(input.description),
            is_template: input.is_template,
            notes: nullable(input.notes),
            items: input.items.map(items).transpose()?,
        };
        let db = db(ctx).clone();
        detached(async move { package_store::update(&db, id, changes).await })
            .await
            .map(Package)
    }

    /// Adds a finished good to a package; when the package already holds it, its quantity grows.
    async fn add_package_item(
        &self,
        ctx: &Context<'_>,
        input: AddPackageItemInput,
    ) -> Result<Package> {
        let package_id = ids::decode(&input.package_id, "Package")?;
        let item = NewPackageItem {
            finished_good_id: ids::decode(&input.finished_good_id, "FinishedGood")?,
            quantity: input.quantity,
        };
        let db = db(ctx).clone();
        detached(async move { package_store::add_item(&db, package_id, item).await })
            .await
            .map(Package)
    }

    /// Removes a finished good from a package (`NOT_FOUND` when the package does not hold it).
    async fn remove_package_item(
        &self,
        ctx: &Context<'_>,
        input: RemovePackageItemInput,
    ) -> Result<Package> {
        let package_id = ids::decode(&input.package_id, "Package")?;
        let good_id = ids::decode(&input.finished_good_id, "FinishedGood")?;
        let db = db(ctx).clone();
        detached(async move { package_store::remove_item(&db, package_id, good_id).await })
            .await
            .map(Package)
    }

    /// Deletes a package and its items (refused while event assignments reference it).
    async fn delete_package(&self, ctx: &Context<'_>, id: ID) -> Result<DeletePayload> {
        let pk = ids::decode(&id, "Package")?;
        let db = db(ctx).clone();
        detached(async move { package_store::delete(&db, pk).await }).await?;
        Ok(DeletePayload { deleted_id: id })
    }
}
