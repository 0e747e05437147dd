//! Checks of the catalog side of a document: finished units and goods, packages,
//! recipients and events (see [`super::check`]).

use super::check::{
    check_name, check_opt, check_slug, check_uuid, Event, FinishedGood, FinishedUnit, Seen,
};
use super::document::{self as doc, EventRef};
use super::values::{bad, parse_date, parse_decimal, parse_enum, Sign};
use crate::domain::fixed::Scale;
use crate::domain::kinds::{AssemblyType, ComponentKind, YieldMode};
use crate::domain::text;
use crate::error::AppResult;
use chrono::Datelike;

/// Checks the finished units.
pub fn finished_units(rows: &[doc::FinishedUnit]) -> AppResult<Vec<FinishedUnit>> {
    let mut slugs = Seen::new("finished unit slug");
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let path = format!("finishedUnits[{i}]");
        let at = |field: &str| format!("{path}.{field}");
        check_slug(&mut slugs, &at("slug"), &r.slug)?;
        check_name(&at("name"), &r.name)?;
        check_opt(&at("itemUnit"), text::ITEM_UNIT, &r.item_unit)?;
        check_opt(&at("notes"), text::NOTES, &r.notes)?;
        let mode: YieldMode = parse_enum(&at("yieldMode"), &r.yield_mode)?;
        let percentage = r
            .batch_percentage
            .as_deref()
            .map(|p| parse_decimal(&at("batchPercentage"), p, Scale::Quantity, Sign::Positive))
            .transpose()?;
        crate::store::finished_units::validate_yield(
            mode,
            r.items_per_batch,
            percentage.map(|p| crate::domain::fixed::from_scaled(p, Scale::Quantity)),
        )
        .map_err(|e| bad(&path, e))?;
        if r.inventory_count < 0 {
            return Err(bad(&at("inventoryCount"), "must not be negative"));
        }
        out.push(FinishedUnit {
            average_unit_cost: parse_decimal(
                &at("averageUnitCost"),
                &r.average_unit_cost,
                Scale::UnitPrice,
                Sign::NonNegative,
            )?,
            path,
            row: r.clone(),
            mode,
            batch_percentage: percentage,
        });
    }
    Ok(out)
}

/// Checks the finished goods and their components.
pub fn finished_goods(rows: &[doc::FinishedGood]) -> AppResult<Vec<FinishedGood>> {
    let mut slugs = Seen::new("finished good slug");
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let path = format!("finishedGoods[{i}]");
        let at = |field: &str| format!("{path}.{field}");
        check_slug(&mut slugs, &at("slug"), &r.slug)?;
        check_name(&at("name"), &r.name)?;
        let _: AssemblyType = parse_enum(&at("assemblyType"), &r.assembly_type)?;
        check_opt(&at("description"), text::DESCRIPTION, &r.description)?;
        check_opt(
            &at("packagingInstructions"),
            text::PACKAGING_INSTRUCTIONS,
            &r.packaging_instructions,
        )?;
        check_opt(&at("notes"), text::NOTES, &r.notes)?;
        if r.inventory_count < 0 {
            return Err(bad(&at("inventoryCount"), "must not be negative"));
        }
        let mut components = Vec::new();
        for (j, c) in r.components.iter().enumerate() {
            let cpath = format!("{path}.components[{j}]");
            check_opt(&format!("{cpath}.notes"), text::NOTES, &c.notes)?;
            let (kind, key) = match (&c.finished_unit, &c.finished_good, &c.packaging) {
                (Some(k), None, None) => (ComponentKind::FinishedUnit, k),
                (None, Some(k), None) => (ComponentKind::FinishedGood, k),
                (None, None, Some(k)) => (ComponentKind::Packaging, k),
                _ => {
                    return Err(bad(
                        &cpath,
                        "give exactly one of finishedUnit, finishedGood and packaging",
                    ))
                }
            };
            if kind == ComponentKind::FinishedGood && key == &r.slug {
                return Err(bad(
                    &format!("{cpath}.finishedGood"),
                    format!("finished good \"{key}\" cannot contain itself"),
                ));
            }
            let quantity = parse_decimal(
                &format!("{cpath}.quantity"),
                &c.quantity,
                Scale::Quantity,
                Sign::Positive,
            )?;
            if kind != ComponentKind::Packaging && quantity % 1_000_000 != 0 {
                return Err(bad(
                    &format!("{cpath}.quantity"),
                    format!("{} must be a whole number of items", c.quantity),
                ));
            }
            components.push((kind, key.clone(), quantity, c.notes.clone()));
        }
        out.push(FinishedGood {
            average_unit_cost: parse_decimal(
                &at("averageUnitCost"),
                &r.average_unit_cost,
                Scale::UnitPrice,
                Sign::NonNegative,
            )?,
            path,
            row: r.clone(),
            components,
        });
    }
    Ok(out)
}

/// Checks the packages and their items.
pub fn packages(rows: &[doc::Package]) -> AppResult<Vec<doc::Package>> {
    let mut names = Seen::new("package name");
    for (i, r) in rows.iter().enumerate() {
        let path = format!("packages[{i}]");
        check_name(&format!("{path}.name"), &r.name)?;
        names.add(&format!("{path}.name"), format!("\"{}\"", r.name))?;
        check_opt(
            &format!("{path}.description"),
            text::DESCRIPTION,
            &r.description,
        )?;
        check_opt(&format!("{path}.notes"), text::NOTES, &r.notes)?;
        let mut goods = Seen::new("finished good");
        for (j, item) in r.items.iter().enumerate() {
            let ipath = format!("{path}.items[{j}]");
            goods.add(
                &format!("{ipath}.finishedGood"),
                format!("\"{}\"", item.finished_good),
            )?;
            if item.quantity <= 0 {
                return Err(bad(
                    &format!("{ipath}.quantity"),
                    format!("{} must be greater than zero", item.quantity),
                ));
            }
        }
    }
    Ok(rows.to_vec())
}

/// Checks the recipients.
pub fn recipients(rows: &[doc::Recipient]) -> AppResult<Vec<doc::Recipient>> {
    let mut uuids = Seen::new("recipient uuid");
    for (i, r) in rows.iter().enumerate() {
        let path = format!("recipients[{i}]");
        check_uuid(&format!("{path}.uuid"), &r.uuid)?;
        uuids.add(&format!("{path}.uuid"), format!("\"{}\"", r.uuid))?;
        check_name(&format!("{path}.name"), &r.name)?;
        check_opt(
            &format!("{path}.householdName"),
            text::HOUSEHOLD_NAME,
            &r.household_name,
        )?;
        check_opt(&format!("{path}.address"), text::ADDRESS, &r.address)?;
        check_opt(&format!("{path}.notes"), text::NOTES, &r.notes)?;
    }
    Ok(rows.to_vec())
}

/// Checks the events (names unique within a year).
pub fn events(rows: &[doc::Event]) -> AppResult<Vec<Event>> {
    let mut names = Seen::new("event of the year");
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let path = format!("events[{i}]");
        check_name(&format!("{path}.name"), &r.name)?;
        check_opt(&format!("{path}.notes"), text::NOTES, &r.notes)?;
        let date = parse_date(&format!("{path}.eventDate"), &r.event_date)?;
        names.add(
            &format!("{path}.name"),
            format!("\"{}\" of {}", r.name, date.year()),
        )?;
        out.push(Event {
            key: EventRef {
                name: r.name.clone(),
                date: r.event_date.clone(),
            },
            path,
            date,
            notes: r.notes.clone(),
        });
    }
    Ok(out)
}
