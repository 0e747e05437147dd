//! The event side of an import: events, assignments, targets and runs with their
//! consumption records, then the per-event run totals rebuilt from the runs (never taken
//! from the document) and checked against the limits recording enforces.

use super::bulk::{AssemblyDraw, BulkTx, NewAssembly, NewRun, CHUNK};
use super::check::Checked;
use super::check_runs::Consumption;
use super::document::EventRef;
use super::import::{at, find, Keys, Row};
use super::values::bad;
use super::Counts;
use crate::db::schema::*;
use crate::domain::kinds::ComponentKind;
use crate::domain::limits::{MAX_COUNT, MAX_MONEY_SCALED};
use crate::domain::names::name_key;
use crate::error::AppResult;
use crate::store::run_totals::TargetTotalsTx;
use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use std::future::Future;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

fn event(keys: &Keys, e: &EventRef, path: &str) -> AppResult<Row> {
    keys.events
        .get(&(e.name.clone(), e.date.clone()))
        .copied()
        .ok_or_else(|| bad(path, format!("no event {e}")))
}

/// Refuses a new run's effect on a row MERGE keeps as it is.
fn refuse_existing(path: &str, what: &str, key: &str) -> crate::error::AppError {
    bad(
        path,
        format!(
            "{what} \"{key}\" is already in the database; MERGE does not change existing rows, so a new run that draws on or adds to it cannot be imported (use REPLACE, or record the run)"
        ),
    )
}

/// Event-side steps of an import on one connection, inside its transaction.
pub trait ActivityTx: BulkTx {
    /// Events, assignments and targets.
    fn import_events(
        &mut self,
        c: &Checked,
        keys: &mut Keys,
        counts: &mut Counts,
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<()>> + Send;
    /// Production and assembly runs with their consumptions, then the totals.
    fn import_runs(
        &mut self,
        c: &Checked,
        keys: &mut Keys,
        counts: &mut Counts,
        ts: NaiveDateTime,
        progress: &super::Progress,
    ) -> impl Future<Output = AppResult<()>> + Send;
}

crate::impl_for_backends! {
    impl ActivityTx {
        async fn import_events(&mut self, c: &Checked, keys: &mut Keys, counts: &mut Counts, ts: NaiveDateTime) -> AppResult<()> {
            for e in &c.events {
                let key = (e.key.name.clone(), e.key.date.clone());
                if keys.events.contains_key(&key) {
                    counts.skip("events");
                    continue;
                }
                let year = e.date.year();
                if let Some(date) = keys.event_years.get(&(year, e.key.name.clone())) {
                    return Err(bad(&format!("{}.name", e.path), format!("an event named \"{}\" already exists in {year} (on {date}); names are unique within a year", e.key.name)));
                }
                let id: i64 = diesel::insert_into(events::table)
                    .values((
                        events::uuid.eq(crate::store::new_uuid()),
                        events::created_at.eq(ts),
                        events::updated_at.eq(ts),
                        events::name.eq(&e.key.name),
                        events::event_date.eq(e.date),
                        events::year.eq(year),
                        events::notes.eq(&e.notes),
                    ))
                    .returning(events::id)
                    .get_result(self)
                    .await
                    .map_err(at(&e.path))?;
                keys.event_years.insert((year, e.key.name.clone()), e.key.date.clone());
                keys.events.insert(key, Row { id, created: true });
                counts.create("events");
            }
            for a in &c.activity.assignments {
                let r = &a.row;
                let event = event(keys, &r.event, &format!("{}.event", a.path))?;
                let recipient = find(&keys.recipients, &r.recipient, &format!("{}.recipient", a.path), "recipient", &r.recipient)?;
                let package = find(&keys.packages, &r.package, &format!("{}.package", a.path), "package", &r.package)?;
                if !keys.assignments.insert((event.id, recipient.id, package.id)) {
                    counts.skip("assignments");
                    continue;
                }
                diesel::insert_into(event_recipient_packages::table)
                    .values((
                        event_recipient_packages::uuid.eq(crate::store::new_uuid()),
                        event_recipient_packages::created_at.eq(ts),
                        event_recipient_packages::updated_at.eq(ts),
                        event_recipient_packages::event_id.eq(event.id),
                        event_recipient_packages::recipient_id.eq(recipient.id),
                        event_recipient_packages::package_id.eq(package.id),
                        event_recipient_packages::quantity.eq(r.quantity),
                        event_recipient_packages::notes.eq(&r.notes),
                        event_recipient_packages::fulfillment_status.eq(a.status.as_str()),
                        event_recipient_packages::delivered_to.eq(&r.delivered_to),
                        event_recipient_packages::ready_at.eq(a.ready_at),
                        event_recipient_packages::delivered_at.eq(a.delivered_at),
                        event_recipient_packages::ready_by.eq(&r.ready_by),
                        event_recipient_packages::delivered_by.eq(&r.delivered_by),
                    ))
                    .execute(self)
                    .await
                    .map_err(at(&a.path))?;
                counts.create("assignments");
            }
            for (i, t) in c.activity.production_targets.iter().enumerate() {
                let path = format!("productionTargets[{i}]");
                let event = event(keys, &t.event, &format!("{path}.event"))?;
                let recipe = find(&keys.recipes, &name_key(&t.recipe), &format!("{path}.recipe"), "recipe", &t.recipe)?;
                if !keys.production_targets.insert((event.id, recipe.id)) {
                    counts.skip("productionTargets");
                    continue;
                }
                diesel::insert_into(event_production_targets::table)
                    .values((
                        event_production_targets::uuid.eq(crate::store::new_uuid()),
                        event_production_targets::created_at.eq(ts),
                        event_production_targets::updated_at.eq(ts),
                        event_production_targets::event_id.eq(event.id),
                        event_production_targets::recipe_id.eq(recipe.id),
                        event_production_targets::target_batches.eq(t.target_batches),
                        event_production_targets::notes.eq(&t.notes),
                    ))
                    .execute(self)
                    .await
                    .map_err(at(&path))?;
                // The runs already recorded for this event and recipe, if any.
                self.refresh_target_totals(event.id, recipe.id).await?;
                counts.create("productionTargets");
            }
            for (i, t) in c.activity.assembly_targets.iter().enumerate() {
                let path = format!("assemblyTargets[{i}]");
                let event = event(keys, &t.event, &format!("{path}.event"))?;
                let good = find(&keys.goods, &t.finished_good, &format!("{path}.finishedGood"), "finished good", &t.finished_good)?;
                if !keys.assembly_targets.insert((event.id, good.id)) {
                    counts.skip("assemblyTargets");
                    continue;
                }
                diesel::insert_into(event_assembly_targets::table)
                    .values((
                        event_assembly_targets::uuid.eq(crate::store::new_uuid()),
                        event_assembly_targets::created_at.eq(ts),
                        event_assembly_targets::updated_at.eq(ts),
                        event_assembly_targets::event_id.eq(event.id),
                        event_assembly_targets::finished_good_id.eq(good.id),
                        event_assembly_targets::target_quantity.eq(t.target_quantity),
                        event_assembly_targets::notes.eq(&t.notes),
                    ))
                    .execute(self)
                    .await
                    .map_err(at(&path))?;
                counts.create("assemblyTargets");
            }
            Ok(())
        }

        async fn import_runs(&mut self, c: &Checked, keys: &mut Keys, counts: &mut Counts, ts: NaiveDateTime, progress: &super::Progress) -> AppResult<()> {
            let total = c.activity.production_runs.len() + c.activity.assembly_runs.len();
            let mut done = 0usize;
            let mut any = false;
            let mut pending: Vec<NewRun<'_>> = Vec::with_capacity(CHUNK);
            for r in &c.activity.production_runs {
                done += 1;
                progress(done, total);
                // References are resolved even for a run MERGE skips: a dangling one is an error in either mode.
                let row = &r.row;
                let recipe = find(&keys.recipes, &name_key(&row.recipe), &format!("{}.recipe", r.path), "recipe", &row.recipe)?;
                let unit = find(&keys.units, &row.finished_unit, &format!("{}.finishedUnit", r.path), "finished unit", &row.finished_unit)?;
                let event = row.event.as_ref().map(|e| event(keys, e, &format!("{}.event", r.path))).transpose()?;
                if keys.runs.contains(&r.row.uuid) {
                    counts.skip("productionRuns");
                    continue;
                }
                if !unit.row.created {
                    return Err(refuse_existing(&format!("{}.finishedUnit", r.path), "finished unit", &row.finished_unit));
                }
                if unit.recipe_id != recipe.id {
                    return Err(bad(&format!("{}.finishedUnit", r.path), format!("finished unit \"{}\" is not yielded by recipe \"{}\"", row.finished_unit, row.recipe)));
                }
                let draws = r
                    .consumptions
                    .iter()
                    .map(|d| lot_draw(keys, d).map(|(ingredient, lot)| (d, ingredient, lot)))
                    .collect::<AppResult<Vec<_>>>()?;
                pending.push(NewRun { run: r, recipe_id: recipe.id, unit_id: unit.row.id, event_id: event.map(|e| e.id), draws });
                if pending.len() == CHUNK {
                    self.write_production(&pending, ts).await?;
                    pending.clear();
                }
                keys.runs.insert(row.uuid.clone());
                counts.create("productionRuns");
                any = true;
            }
            self.write_production(&pending, ts).await?;
            drop(pending);
            let mut assemblies: Vec<NewAssembly<'_>> = Vec::with_capacity(CHUNK);
            for r in &c.activity.assembly_runs {
                done += 1;
                progress(done, total);
                let row = &r.row;
                let good = find(&keys.goods, &row.finished_good, &format!("{}.finishedGood", r.path), "finished good", &row.finished_good)?;
                let event = row.event.as_ref().map(|e| event(keys, e, &format!("{}.event", r.path))).transpose()?;
                if keys.runs.contains(&r.row.uuid) {
                    counts.skip("assemblyRuns");
                    continue;
                }
                if !good.created {
                    return Err(refuse_existing(&format!("{}.finishedGood", r.path), "finished good", &row.finished_good));
                }
                let mut draws = Vec::with_capacity(r.consumptions.len());
                for d in &r.consumptions {
                    let (unit, other, ingredient, lot) = match d.kind {
                        ComponentKind::FinishedUnit => {
                            let key = d.reference.clone().unwrap_or_default();
                            let path = format!("{}.finishedUnit", d.path);
                            let unit = find(&keys.units, &key, &path, "finished unit", &key)?;
                            if !unit.row.created {
                                return Err(refuse_existing(&path, "finished unit", &key));
                            }
                            (Some(unit.row.id), None, None, None)
                        }
                        ComponentKind::FinishedGood => {
                            let key = d.reference.clone().unwrap_or_default();
                            let path = format!("{}.finishedGood", d.path);
                            let other = find(&keys.goods, &key, &path, "finished good", &key)?;
                            if !other.created {
                                return Err(refuse_existing(&path, "finished good", &key));
                            }
                            (None, Some(other.id), None, None)
                        }
                        ComponentKind::Packaging => {
                            let (ingredient, lot) = lot_draw(keys, d)?;
                            (None, None, ingredient, lot)
                        }
                    };
                    draws.push(AssemblyDraw { consumption: d, unit, good: other, ingredient, lot });
                }
                assemblies.push(NewAssembly { run: r, good_id: good.id, event_id: event.map(|e| e.id), draws });
                if assemblies.len() == CHUNK {
                    self.write_assembly(&assemblies, ts).await?;
                    assemblies.clear();
                }
                keys.runs.insert(row.uuid.clone());
                counts.create("assemblyRuns");
                any = true;
            }
            self.write_assembly(&assemblies, ts).await?;
            drop(assemblies);
            if any {
                for statement in crate::store::run_totals::rebuild_statements() {
                    diesel::sql_query(statement).execute(self).await?;
                }
                let over: Count = diesel::sql_query(format!(
                    "SELECT CAST((SELECT COUNT(*) FROM event_production_totals WHERE num_batches > {MAX_COUNT} \
                     OR actual_yield > {MAX_COUNT} OR total_ingredient_cost > {MAX_MONEY_SCALED}) + \
                     (SELECT COUNT(*) FROM event_assembly_totals WHERE quantity > {MAX_COUNT}) AS BIGINT) AS count"
                ))
                .get_result(self)
                .await?;
                if over.count > 0 {
                    return Err(bad("productionRuns", "the runs of one event add up to more batches, items or cost than can be counted; split them over events"));
                }
            }
            Ok(())
        }
    }
}

/// The ingredient and lot ids of a draw from a lot (either may be gone: null).
fn lot_draw(keys: &Keys, d: &Consumption) -> AppResult<(Option<i64>, Option<i64>)> {
    let ingredient = d
        .ingredient
        .as_ref()
        .map(|slug| {
            find(
                &keys.ingredients,
                slug,
                &format!("{}.ingredient", d.path),
                "ingredient",
                slug,
            )
        })
        .transpose()?;
    let lot = match &d.lot {
        Some(uuid) => {
            let path = format!("{}.lot", d.path);
            let lot = find(&keys.lots, uuid, &path, "lot", uuid)?;
            if !lot.created {
                return Err(refuse_existing(&path, "lot", uuid));
            }
            Some(lot.id)
        }
        None => None,
    };
    Ok((ingredient.map(|i| i.id), lot))
}
