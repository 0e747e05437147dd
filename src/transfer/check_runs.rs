//! Checks of the event side of a document: assignments, targets, production and assembly
//! runs with their consumption records (field by field; cross-entry numbers are in
//! [`super::consistency`]).

use super::check::{check_opt, check_text, Seen};
use super::document::{self as doc, Document, EventRef};
use super::values::{bad, parse_decimal, parse_enum, parse_timestamp, Sign};
use crate::domain::fifo::{cost_of, per_unit};
use crate::domain::fixed::Scale;
use crate::domain::kinds::{ComponentKind, FulfillmentStatus};
use crate::domain::names::name_key;
use crate::domain::text;
use crate::domain::units::Unit;
use crate::error::AppResult;
use chrono::NaiveDateTime;

/// A checked assignment.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// Path, for errors.
    pub path: String,
    /// The document entry.
    pub row: doc::Assignment,
    /// Parsed status.
    pub status: FulfillmentStatus,
    /// Parsed times.
    pub ready_at: Option<NaiveDateTime>,
    /// Parsed times.
    pub delivered_at: Option<NaiveDateTime>,
}

/// A checked consumption record, shared by both kinds of run.
#[derive(Debug, Clone)]
pub struct Consumption {
    /// Path, for errors.
    pub path: String,
    /// Kind (production consumptions are always `PACKAGING`-like lot draws).
    pub kind: ComponentKind,
    /// Referenced finished unit / good / ingredient slug, by kind.
    pub reference: Option<String>,
    /// Ingredient slug for lot draws (production, packaging).
    pub ingredient: Option<String>,
    /// Lot uuid.
    pub lot: Option<String>,
    /// Name as it was.
    pub name: String,
    /// Scaled quantity.
    pub quantity: i64,
    /// Unit as stored (canonical for lot draws, `each` for items).
    pub unit: String,
    /// Scaled unit cost.
    pub unit_cost: i64,
    /// Scaled cost.
    pub cost: i64,
}

/// A checked production run.
#[derive(Debug, Clone)]
pub struct ProductionRun {
    /// Path, for errors.
    pub path: String,
    /// The document entry.
    pub row: doc::ProductionRun,
    /// Parsed time.
    pub produced_at: NaiveDateTime,
    /// Scaled costs (total, per unit).
    pub costs: (i64, i64),
    /// Its consumptions.
    pub consumptions: Vec<Consumption>,
}

/// A checked assembly run.
#[derive(Debug, Clone)]
pub struct AssemblyRun {
    /// Path, for errors.
    pub path: String,
    /// The document entry.
    pub row: doc::AssemblyRun,
    /// Parsed time.
    pub assembled_at: NaiveDateTime,
    /// Scaled costs (total, per unit).
    pub costs: (i64, i64),
    /// Its consumptions.
    pub consumptions: Vec<Consumption>,
}

/// The checked event side of a document.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    /// Assignments.
    pub assignments: Vec<Assignment>,
    /// Production targets.
    pub production_targets: Vec<doc::ProductionTarget>,
    /// Assembly targets.
    pub assembly_targets: Vec<doc::AssemblyTarget>,
    /// Production runs.
    pub production_runs: Vec<ProductionRun>,
    /// Assembly runs.
    pub assembly_runs: Vec<AssemblyRun>,
}

fn event_key(e: &EventRef) -> String {
    format!("{e}")
}

/// Checks the event side of `document`.
pub fn check(document: &Document) -> AppResult<Activity> {
    let mut activity = Activity::default();
    let mut seen = Seen::new("assignment of event, recipient and package");
    for (i, r) in document.assignments.iter().enumerate() {
        let path = format!("assignments[{i}]");
        let at = |f: &str| format!("{path}.{f}");
        seen.add(
            &path,
            format!(
                "{} / {} / \"{}\"",
                event_key(&r.event),
                r.recipient,
                r.package
            ),
        )?;
        if r.quantity < 1 {
            return Err(bad(
                &at("quantity"),
                format!("{} must be at least 1", r.quantity),
            ));
        }
        check_opt(&at("notes"), text::NOTES, &r.notes)?;
        check_opt(&at("deliveredTo"), text::DELIVERED_TO, &r.delivered_to)?;
        check_opt(&at("readyBy"), text::READY_BY, &r.ready_by)?;
        check_opt(&at("deliveredBy"), text::DELIVERED_BY, &r.delivered_by)?;
        let status: FulfillmentStatus =
            parse_enum(&at("fulfillmentStatus"), &r.fulfillment_status)?;
        let ready_at = r
            .ready_at
            .as_deref()
            .map(|t| parse_timestamp(&at("readyAt"), t))
            .transpose()?;
        let delivered_at = r
            .delivered_at
            .as_deref()
            .map(|t| parse_timestamp(&at("deliveredAt"), t))
            .transpose()?;
        if r.delivered_to.is_some() && status != FulfillmentStatus::Delivered {
            return Err(bad(
                &at("deliveredTo"),
                format!("only a DELIVERED assignment has deliveredTo (this one is {status})"),
            ));
        }
        if status == FulfillmentStatus::Pending && (ready_at.is_some() || delivered_at.is_some()) {
            return Err(bad(
                &path,
                "a PENDING assignment cannot have readyAt or deliveredAt",
            ));
        }
        if status == FulfillmentStatus::Ready && delivered_at.is_some() {
            return Err(bad(
                &at("deliveredAt"),
                "a READY assignment has not been delivered",
            ));
        }
        // Authors are stamped with the time of their step, never without it.
        if r.ready_by.is_some() && ready_at.is_none() {
            return Err(bad(&at("readyBy"), "is only given with readyAt"));
        }
        if r.delivered_by.is_some() && delivered_at.is_none() {
            return Err(bad(&at("deliveredBy"), "is only given with deliveredAt"));
        }
        if let (Some(ready), Some(delivered)) = (ready_at, delivered_at) {
            if delivered < ready {
                return Err(bad(&at("deliveredAt"), "is before readyAt"));
            }
        }
        activity.assignments.push(Assignment {
            path,
            row: r.clone(),
            status,
            ready_at,
            delivered_at,
        });
    }
    let mut seen = Seen::new("production target of event and recipe");
    for (i, r) in document.production_targets.iter().enumerate() {
        let path = format!("productionTargets[{i}]");
        seen.add(
            &path,
            format!("{} / \"{}\"", event_key(&r.event), name_key(&r.recipe)),
        )?;
        if r.target_batches <= 0 {
            return Err(bad(
                &format!("{path}.targetBatches"),
                format!("{} must be greater than zero", r.target_batches),
            ));
        }
        check_opt(&format!("{path}.notes"), text::NOTES, &r.notes)?;
        activity.production_targets.push(r.clone());
    }
    let mut seen = Seen::new("assembly target of event and finished good");
    for (i, r) in document.assembly_targets.iter().enumerate() {
        let path = format!("assemblyTargets[{i}]");
        seen.add(
            &path,
            format!("{} / \"{}\"", event_key(&r.event), r.finished_good),
        )?;
        if r.target_quantity <= 0 {
            return Err(bad(
                &format!("{path}.targetQuantity"),
                format!("{} must be greater than zero", r.target_quantity),
            ));
        }
        check_opt(&format!("{path}.notes"), text::NOTES, &r.notes)?;
        activity.assembly_targets.push(r.clone());
    }
    let mut uuids = Seen::new("run uuid");
    for (i, r) in document.production_runs.iter().enumerate() {
        let path = format!("productionRuns[{i}]");
        let at = |f: &str| format!("{path}.{f}");
        uuid(&at("uuid"), &r.uuid)?;
        uuids.add(&at("uuid"), format!("\"{}\"", r.uuid))?;
        if r.num_batches <= 0 {
            return Err(bad(
                &at("numBatches"),
                format!("{} must be greater than zero", r.num_batches),
            ));
        }
        if r.actual_yield < 0 || r.expected_yield < 0 {
            return Err(bad(&at("actualYield"), "yields must not be negative"));
        }
        check_opt(&at("notes"), text::NOTES, &r.notes)?;
        check_opt(&at("recordedBy"), text::RECORDED_BY, &r.recorded_by)?;
        let mut consumptions = Vec::new();
        for (j, c) in r.consumptions.iter().enumerate() {
            let cpath = format!("{path}.consumptions[{j}]");
            check_text(
                &format!("{cpath}.ingredientName"),
                text::NAME,
                &c.ingredient_name,
            )?;
            consumptions.push(draw(
                &cpath,
                ComponentKind::Packaging,
                c.ingredient.clone(),
                c.ingredient.clone(),
                c.lot.clone(),
                &c.ingredient_name,
                &c.quantity,
                &c.unit,
                &c.unit_cost,
                &c.cost,
            )?);
        }
        let costs = run_costs(
            &path,
            "totalIngredientCost",
            &r.total_ingredient_cost,
            &r.per_unit_cost,
            r.actual_yield,
            &consumptions,
        )?;
        activity.production_runs.push(ProductionRun {
            produced_at: parse_timestamp(&at("producedAt"), &r.produced_at)?,
            path,
            row: r.clone(),
            costs,
            consumptions,
        });
    }
    for (i, r) in document.assembly_runs.iter().enumerate() {
        let path = format!("assemblyRuns[{i}]");
        let at = |f: &str| format!("{path}.{f}");
        uuid(&at("uuid"), &r.uuid)?;
        uuids.add(&at("uuid"), format!("\"{}\"", r.uuid))?;
        if r.quantity <= 0 {
            return Err(bad(
                &at("quantity"),
                format!("{} must be greater than zero", r.quantity),
            ));
        }
        check_opt(&at("notes"), text::NOTES, &r.notes)?;
        check_opt(&at("recordedBy"), text::RECORDED_BY, &r.recorded_by)?;
        let mut consumptions = Vec::new();
        for (j, c) in r.consumptions.iter().enumerate() {
            let cpath = format!("{path}.consumptions[{j}]");
            check_text(
                &format!("{cpath}.componentName"),
                text::NAME,
                &c.component_name,
            )?;
            let kind: ComponentKind = parse_enum(&format!("{cpath}.kind"), &c.kind)?;
            let (reference, ingredient, lot) = match kind {
                ComponentKind::FinishedUnit
                    if c.finished_good.is_none() && c.ingredient.is_none() && c.lot.is_none() =>
                {
                    (
                        c.finished_unit.clone().ok_or_else(|| {
                            bad(&cpath, "a FINISHED_UNIT consumption names its finishedUnit")
                        })?,
                        None,
                        None,
                    )
                }
                ComponentKind::FinishedGood
                    if c.finished_unit.is_none() && c.ingredient.is_none() && c.lot.is_none() =>
                {
                    (
                        c.finished_good.clone().ok_or_else(|| {
                            bad(&cpath, "a FINISHED_GOOD consumption names its finishedGood")
                        })?,
                        None,
                        None,
                    )
                }
                ComponentKind::Packaging
                    if c.finished_unit.is_none() && c.finished_good.is_none() =>
                {
                    (String::new(), c.ingredient.clone(), c.lot.clone())
                }
                _ => {
                    return Err(bad(
                        &cpath,
                        format!("a {kind} consumption refers only to its own kind of component"),
                    ))
                }
            };
            let reference = (kind != ComponentKind::Packaging).then_some(reference);
            let record = draw(
                &cpath,
                kind,
                reference,
                ingredient,
                lot,
                &c.component_name,
                &c.quantity,
                &c.unit,
                &c.unit_cost,
                &c.cost,
            )?;
            if kind != ComponentKind::Packaging && record.quantity % 1_000_000 != 0 {
                return Err(bad(
                    &format!("{cpath}.quantity"),
                    format!("{} must be a whole number of items", c.quantity),
                ));
            }
            consumptions.push(record);
        }
        let costs = run_costs(
            &path,
            "totalComponentCost",
            &r.total_component_cost,
            &r.per_unit_cost,
            r.quantity,
            &consumptions,
        )?;
        activity.assembly_runs.push(AssemblyRun {
            assembled_at: parse_timestamp(&at("assembledAt"), &r.assembled_at)?,
            path,
            row: r.clone(),
            costs,
            consumptions,
        });
    }
    Ok(activity)
}

fn uuid(path: &str, value: &str) -> AppResult<()> {
    uuid::Uuid::parse_str(value)
        .map(|_| ())
        .map_err(|_| bad(path, format!("\"{value}\" is not a UUID")))
}

/// One consumption record: amounts parsed, `cost` = quantity × unit cost checked.
#[allow(clippy::too_many_arguments)]
fn draw(
    path: &str,
    kind: ComponentKind,
    reference: Option<String>,
    ingredient: Option<String>,
    lot: Option<String>,
    name: &str,
    quantity: &str,
    unit: &str,
    unit_cost: &str,
    cost: &str,
) -> AppResult<Consumption> {
    let at = |f: &str| format!("{path}.{f}");
    let parsed_unit: Unit = unit.parse().map_err(|e| bad(&at("unit"), e))?;
    let quantity = parse_decimal(&at("quantity"), quantity, Scale::Quantity, Sign::Positive)?;
    let unit_cost = parse_decimal(
        &at("unitCost"),
        unit_cost,
        Scale::UnitPrice,
        Sign::NonNegative,
    )?;
    let cost_raw = parse_decimal(&at("cost"), cost, Scale::Money, Sign::NonNegative)?;
    let expected = cost_of(quantity, unit_cost);
    if cost_raw != expected {
        return Err(bad(
            &at("cost"),
            format!(
                "{cost} is not quantity × unitCost ({})",
                super::values::decimal(expected, Scale::Money)
            ),
        ));
    }
    Ok(Consumption {
        path: path.to_string(),
        kind,
        reference,
        ingredient,
        lot,
        name: name.to_string(),
        quantity,
        unit: parsed_unit.name().to_string(),
        unit_cost,
        cost: cost_raw,
    })
}

/// A run's total (= the sum of its consumption costs, when it lists any) and per-unit cost
/// (= total / items, rounded as recording rounds it).
fn run_costs(
    path: &str,
    total_field: &str,
    total: &str,
    per_unit_text: &str,
    items: i32,
    consumptions: &[Consumption],
) -> AppResult<(i64, i64)> {
    let total_raw = parse_decimal(
        &format!("{path}.{total_field}"),
        total,
        Scale::Money,
        Sign::NonNegative,
    )?;
    let per_unit_raw = parse_decimal(
        &format!("{path}.perUnitCost"),
        per_unit_text,
        Scale::UnitPrice,
        Sign::NonNegative,
    )?;
    if !consumptions.is_empty() {
        let sum: i64 = consumptions
            .iter()
            .try_fold(0i64, |acc, c| acc.checked_add(c.cost))
            .ok_or_else(|| {
                bad(
                    &format!("{path}.consumptions"),
                    "costs add up beyond what can be stored",
                )
            })?;
        if sum != total_raw {
            return Err(bad(
                &format!("{path}.{total_field}"),
                format!(
                    "{total} is not the sum of the consumption costs ({})",
                    super::values::decimal(sum, Scale::Money)
                ),
            ));
        }
    }
    let expected = per_unit(total_raw, i64::from(items))
        .ok_or_else(|| bad(&format!("{path}.perUnitCost"), "is too large to be stored"))?;
    if per_unit_raw != expected {
        return Err(bad(
            &format!("{path}.perUnitCost"),
            format!(
                "{per_unit_text} is not {total_field} / items ({})",
                super::values::decimal(expected, Scale::UnitPrice)
            ),
        ));
    }
    Ok((total_raw, per_unit_raw))
}
