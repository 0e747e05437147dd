//! Storing a finished good's component list inside a write transaction: what the
//! components reference is checked against the database, then the list replaces the old one.

use super::components::{CheckedComponent, ComponentItem};
use super::cycles::GoodCycles;
use crate::db::models::FinishedGood;
use crate::db::schema::{finished_good_components, finished_goods, finished_units, ingredients};
use crate::domain::entity::Entity;
use crate::error::{AppError, AppResult};
use crate::store::new_uuid;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::collections::HashMap;
use std::future::Future;

/// The ids of the components' items of one kind, in list order.
fn ids_of(components: &[CheckedComponent], pick: fn(ComponentItem) -> Option<i64>) -> Vec<i64> {
    components.iter().filter_map(|c| pick(c.item)).collect()
}

/// Component steps inside a write transaction.
pub trait ComponentWrites: Send {
    /// Checks what the components reference — every finished unit, finished good and
    /// ingredient exists (`NOT_FOUND` names the first missing one, in list order) and every
    /// ingredient is packaging — and that no cycle would run through `good` (see
    /// [`GoodCycles`]), then replaces `good`'s components with `components`.
    fn write_components(
        &mut self,
        good: &FinishedGood,
        components: &[CheckedComponent],
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// The reference checks of [`write_components`](ComponentWrites::write_components): one
    /// query per kind of item the list holds.
    fn check_component_items(
        &mut self,
        components: &[CheckedComponent],
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// Deletes `good_id`'s components and inserts `components` in their order (positions
    /// from 1), without checks.
    fn replace_components(
        &mut self,
        good_id: i64,
        components: &[CheckedComponent],
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<()>> + Send;
}

crate::impl_for_backends! {
    impl ComponentWrites {
        async fn write_components(&mut self, good: &FinishedGood, components: &[CheckedComponent], ts: NaiveDateTime) -> AppResult<()> {
            self.check_component_items(components).await?;
            let good_ids = ids_of(components, |item| match item {
                ComponentItem::FinishedGood(id) => Some(id),
                _ => None,
            });
            if !good_ids.is_empty() {
                self.refuse_cycles(good, &good_ids).await?;
            }
            self.replace_components(good.id, components, ts).await
        }

        async fn check_component_items(&mut self, components: &[CheckedComponent]) -> AppResult<()> {
            let unit_ids = ids_of(components, |item| match item {
                ComponentItem::FinishedUnit(id) => Some(id),
                _ => None,
            });
            let good_ids = ids_of(components, |item| match item {
                ComponentItem::FinishedGood(id) => Some(id),
                _ => None,
            });
            let packaging_ids = ids_of(components, |item| match item {
                ComponentItem::Packaging(id) => Some(id),
                _ => None,
            });
            let units: HashMap<i64, String> = if unit_ids.is_empty() {
                HashMap::new()
            } else {
                finished_units::table
                    .filter(finished_units::id.eq_any(&unit_ids))
                    .select((finished_units::id, finished_units::name))
                    .load::<(i64, String)>(self)
                    .await?
                    .into_iter()
                    .collect()
            };
            let goods: HashMap<i64, String> = if good_ids.is_empty() {
                HashMap::new()
            } else {
                finished_goods::table
                    .filter(finished_goods::id.eq_any(&good_ids))
                    .select((finished_goods::id, finished_goods::name))
                    .load::<(i64, String)>(self)
                    .await?
                    .into_iter()
                    .collect()
            };
            let packaging: HashMap<i64, (String, bool)> = if packaging_ids.is_empty() {
                HashMap::new()
            } else {
                ingredients::table
                    .filter(ingredients::id.eq_any(&packaging_ids))
                    .select((ingredients::id, ingredients::name, ingredients::is_packaging))
                    .load::<(i64, String, bool)>(self)
                    .await?
                    .into_iter()
                    .map(|(id, name, flag)| (id, (name, flag)))
                    .collect()
            };
            for component in components {
                match component.item {
                    ComponentItem::FinishedUnit(id) if !units.contains_key(&id) => {
                        return Err(AppError::not_found(Entity::FinishedUnit, id));
                    }
                    ComponentItem::FinishedGood(id) if !goods.contains_key(&id) => {
                        return Err(AppError::not_found(Entity::FinishedGood, id));
                    }
                    ComponentItem::Packaging(id) => match packaging.get(&id) {
                        None => return Err(AppError::not_found(Entity::Ingredient, id)),
                        Some((name, false)) => {
                            return Err(AppError::bad_input(format!(
                                "ingredient \"{name}\" is not packaging: only ingredients marked \
                                 isPackaging can be finished good components (mark it with \
                                 updateIngredient first)"
                            )));
                        }
                        Some(_) => {}
                    },
                    _ => {}
                }
            }
            Ok(())
        }

        async fn replace_components(&mut self, good_id: i64, components: &[CheckedComponent], ts: NaiveDateTime) -> AppResult<()> {
            diesel::delete(
                finished_good_components::table
                    .filter(finished_good_components::finished_good_id.eq(good_id)),
            )
            .execute(self)
            .await?;
            // One INSERT per component: diesel-async cannot batch inserts on SQLite, and a
            // finished good has a handful of components.
            for (index, c) in components.iter().enumerate() {
                let (unit, child, packaging) = match c.item {
                    ComponentItem::FinishedUnit(id) => (Some(id), None, None),
                    ComponentItem::FinishedGood(id) => (None, Some(id), None),
                    ComponentItem::Packaging(id) => (None, None, Some(id)),
                };
                diesel::insert_into(finished_good_components::table)
                    .values((
                        finished_good_components::uuid.eq(new_uuid()),
                        finished_good_components::created_at.eq(ts),
                        finished_good_components::updated_at.eq(ts),
                        finished_good_components::finished_good_id.eq(good_id),
                        finished_good_components::position.eq(index as i32 + 1),
                        finished_good_components::finished_unit_id.eq(unit),
                        finished_good_components::component_good_id.eq(child),
                        finished_good_components::packaging_ingredient_id.eq(packaging),
                        finished_good_components::quantity.eq(c.quantity),
                        finished_good_components::notes.eq(c.notes.clone()),
                    ))
                    .execute(self)
                    .await?;
            }
            Ok(())
        }
    }
}
