//! Writing each type's selected fields from the loaded rows, with the same conversions as
//! the schema's resolvers (`graphql::events`, `targets`, `progress`, `recipes`, `goods`,
//! `production`). Each function returns `false` when a row it needs is missing, and the
//! operation then goes to async-graphql, which reports it.

use super::json::Json;
use super::load::{
    shown_runs, AssemblyTargets, ProductionTargets, Root, Rows, RunPages, TotalsByEvent,
};
use super::selection::*;
use crate::domain::kinds;
use crate::domain::progress::{EventProgress, TargetProgress};
use crate::graphql::connection::cursor;
use crate::graphql::enums::stored;
use crate::graphql::ids;
use crate::graphql::progress::int;
use crate::graphql::scalars::{utc, Date, Decimal};
use crate::store::keyset::Keyed;
use crate::store::progress::RunTotals;
use crate::store::runs::{ProductionRun, ProductionRunBrief};
use crate::store::targets::{
    AssemblyTargetBrief, EventAssemblyTarget, EventProductionTarget, ProductionTargetBrief,
};
use crate::store::{events, finished_goods, recipes};

/// Writes one root field's value.
pub fn root(json: &mut Json, field: &RootField, root: &Root) -> bool {
    match (field, root) {
        (RootField::Typename, Root::Typename) => {
            json.str("QueryRoot");
            true
        }
        (RootField::Events { fields, .. }, Root::Events(page, rows)) => {
            let page = PageView {
                rows: &page.rows,
                total: page.total,
                has_previous_page: page.has_previous_page,
                has_next_page: page.has_next_page,
            };
            connection(
                json,
                fields,
                &page,
                "EventConnection",
                "EventEdge",
                |json, f, e| event(json, f, e, rows),
            )
        }
        (RootField::Node { fields, .. }, Root::Node(found, rows)) => {
            event(json, fields, found, rows)
        }
        _ => false,
    }
}

/// A page of a list, as a connection shows it.
struct PageView<'a, R> {
    rows: &'a [R],
    /// `None` when the page was read without its total.
    total: Option<i64>,
    has_previous_page: bool,
    has_next_page: bool,
}

/// A connection over `page`, its nodes written by `node`.
fn connection<R: Keyed, N>(
    json: &mut Json,
    fields: &Fields<ConnectionField<N>>,
    page: &PageView<'_, R>,
    type_name: &str,
    edge_type: &str,
    mut node: impl FnMut(&mut Json, &Fields<N>, &R) -> bool,
) -> bool {
    let mut ok = true;
    json.object(fields, |json, kind| match kind {
        ConnectionField::Typename => json.str(type_name),
        ConnectionField::TotalCount => match page.total {
            Some(total) => json.int(total),
            None => ok = false,
        },
        ConnectionField::Nodes(fields) => {
            json.list(page.rows, |json, row| ok &= node(json, fields, row));
        }
        ConnectionField::Edges(fields) => json.list(page.rows, |json, row| {
            json.object(fields, |json, kind| match kind {
                EdgeField::Typename => json.str(edge_type),
                EdgeField::Cursor => json.str(&cursor::encode::<R>(&row.position())),
                EdgeField::Node(fields) => ok &= node(json, fields, row),
            })
        }),
        ConnectionField::PageInfo(fields) => json.object(fields, |json, kind| match kind {
            PageInfoField::Typename => json.str("PageInfo"),
            PageInfoField::HasPreviousPage => json.bool(page.has_previous_page),
            PageInfoField::HasNextPage => json.bool(page.has_next_page),
            PageInfoField::StartCursor => {
                let start = page
                    .rows
                    .first()
                    .map(|row| cursor::encode::<R>(&row.position()));
                json.opt_str(start.as_deref())
            }
            PageInfoField::EndCursor => {
                let end = page
                    .rows
                    .last()
                    .map(|row| cursor::encode::<R>(&row.position()));
                json.opt_str(end.as_deref())
            }
        }),
    });
    ok
}

fn event(json: &mut Json, fields: &Fields<EventField>, row: &events::Event, rows: &Rows) -> bool {
    let mut ok = true;
    json.object(fields, |json, kind| match kind {
        EventField::Typename => json.str("Event"),
        EventField::Id => json.str(&ids::encode("Event", row.id)),
        EventField::Name => json.str(&row.name),
        EventField::EventDate => json.scalar(&Date(row.event_date)),
        EventField::Year => json.int(row.year),
        EventField::Notes => json.opt_str(row.notes.as_deref()),
        EventField::CreatedAt => json.scalar(&utc(row.created_at)),
        EventField::UpdatedAt => json.scalar(&utc(row.updated_at)),
        EventField::Progress(fields) => {
            let progress = rows.progress.get(&row.id).copied().unwrap_or_default();
            event_progress(json, fields, &progress);
        }
        EventField::ProductionTargets(fields) => {
            ok &= match &rows.production_targets {
                ProductionTargets::Whole(targets) => {
                    target_list(json, targets.get(&row.id), |j, t| {
                        production_target(j, fields, t, rows)
                    })
                }
                ProductionTargets::Brief(targets) => {
                    target_list(json, targets.get(&row.id), |j, t| {
                        production_target(j, fields, t, rows)
                    })
                }
            };
        }
        EventField::AssemblyTargets(fields) => {
            ok &= match &rows.assembly_targets {
                AssemblyTargets::Whole(targets) => {
                    target_list(json, targets.get(&row.id), |j, t| {
                        assembly_target(j, fields, t, rows)
                    })
                }
                AssemblyTargets::Brief(targets) => {
                    target_list(json, targets.get(&row.id), |j, t| {
                        assembly_target(j, fields, t, rows)
                    })
                }
            };
        }
    });
    ok
}

fn event_progress(json: &mut Json, fields: &Fields<EventProgressField>, p: &EventProgress) {
    use EventProgressField::*;
    json.object(fields, |json, kind| match kind {
        Typename => json.str("EventProgress"),
        ProductionTargetsCount => json.int(int(p.production_targets)),
        ProductionCompleteCount => json.int(int(p.production_complete)),
        ProductionComplete => json.bool(p.is_production_complete()),
        AssemblyTargetsCount => json.int(int(p.assembly_targets)),
        AssemblyCompleteCount => json.int(int(p.assembly_complete)),
        AssemblyComplete => json.bool(p.is_assembly_complete()),
        PackagesPending => json.int(int(p.packages.pending)),
        PackagesReady => json.int(int(p.packages.ready)),
        PackagesDelivered => json.int(int(p.packages.delivered)),
        PackagesTotal => json.int(int(p.packages.total())),
        IsComplete => json.bool(p.is_complete()),
    });
}

/// The run totals of `subject` among an event's.
fn totals(by_event: &TotalsByEvent, event_id: i64, subject: i64) -> RunTotals {
    by_event
        .get(&event_id)
        .and_then(|by_subject| by_subject.get(&subject).copied())
        .unwrap_or_default()
}

/// A production target as read: whole, or brief with its recipe's name.
trait TargetRead {
    /// Its leading fields.
    fn brief(&self) -> (i64, i64, i64, i32);
    /// The whole target, when it was read whole.
    fn whole(&self) -> Option<&EventProductionTarget>;
    /// Its recipe's name, when it was read with it (else the recipe is in [`Rows`]).
    fn recipe_name(&self) -> Option<&str>;
}

impl TargetRead for EventProductionTarget {
    fn brief(&self) -> (i64, i64, i64, i32) {
        (self.id, self.event_id, self.recipe_id, self.target_batches)
    }
    fn whole(&self) -> Option<&EventProductionTarget> {
        Some(self)
    }
    fn recipe_name(&self) -> Option<&str> {
        None
    }
}

impl TargetRead for ProductionTargetBrief {
    fn brief(&self) -> (i64, i64, i64, i32) {
        (self.id, self.event_id, self.recipe_id, self.target_batches)
    }
    fn whole(&self) -> Option<&EventProductionTarget> {
        None
    }
    fn recipe_name(&self) -> Option<&str> {
        Some(&self.recipe_name)
    }
}

/// An event's targets (production or assembly), in the order read, each written by
/// `write`; `false` when any of them was.
fn target_list<T>(
    json: &mut Json,
    targets: Option<&Vec<T>>,
    mut write: impl FnMut(&mut Json, &T) -> bool,
) -> bool {
    let mut ok = true;
    json.list(targets.into_iter().flatten(), |json, target| {
        ok &= write(json, target)
    });
    ok
}

/// A production target; `false` for a field a brief target lacks (the loader reads whole
/// targets for selections that show one).
fn production_target<T: TargetRead>(
    json: &mut Json,
    fields: &Fields<ProductionTargetField>,
    target: &T,
    rows: &Rows,
) -> bool {
    use ProductionTargetField::*;
    let mut ok = true;
    let (id, event_id, recipe_id, target_batches) = target.brief();
    let whole = target.whole();
    json.object(fields, |json, kind| match kind {
        Typename => json.str("EventProductionTarget"),
        Id => json.str(&ids::encode("EventProductionTarget", id)),
        TargetBatches => json.int(target_batches),
        Notes => match whole {
            Some(whole) => json.opt_str(whole.notes.as_deref()),
            None => ok = false,
        },
        CreatedAt => match whole {
            Some(whole) => json.scalar(&utc(whole.created_at)),
            None => ok = false,
        },
        UpdatedAt => match whole {
            Some(whole) => json.scalar(&utc(whole.updated_at)),
            None => ok = false,
        },
        Recipe(fields) => match (target.recipe_name(), rows.recipes.get(&recipe_id)) {
            (Some(name), _) => ok &= recipe_named(json, fields, recipe_id, name),
            (None, Some(found)) => recipe(json, fields, found),
            (None, None) => ok = false,
        },
        Progress(fields) => {
            let done = totals(&rows.produced, event_id, recipe_id);
            let name = "ProductionProgress";
            target_progress(json, fields, name, target_batches, done);
        }
        ProductionRuns { page, fields } => {
            let total = totals(&rows.produced, event_id, recipe_id).runs;
            let shown = shown_runs(page);
            let pair = (event_id, recipe_id);
            let first = usize::try_from(shown).unwrap_or(usize::MAX);
            ok &= match rows.runs.get(&shown) {
                Some(RunPages::Brief(pages)) => {
                    run_page(json, fields, pages.get(&pair), first, total)
                }
                Some(RunPages::Full(pages)) => {
                    run_page(json, fields, pages.get(&pair), first, total)
                }
                None => run_page::<ProductionRun>(json, fields, None, first, total),
            };
        }
    });
    ok
}

/// An assembly target as read: whole, or brief with its finished good's name.
trait AssemblyTargetRead {
    /// Its leading fields: id, event, finished good, quantity.
    fn brief(&self) -> (i64, i64, i64, i32);
    /// The whole target, when it was read whole.
    fn whole(&self) -> Option<&EventAssemblyTarget>;
    /// Its finished good's name, when it was read with it (else the good is in [`Rows`]).
    fn good_name(&self) -> Option<&str>;
}

impl AssemblyTargetRead for EventAssemblyTarget {
    fn brief(&self) -> (i64, i64, i64, i32) {
        let (id, event, good) = (self.id, self.event_id, self.finished_good_id);
        (id, event, good, self.target_quantity)
    }
    fn whole(&self) -> Option<&EventAssemblyTarget> {
        Some(self)
    }
    fn good_name(&self) -> Option<&str> {
        None
    }
}

impl AssemblyTargetRead for AssemblyTargetBrief {
    fn brief(&self) -> (i64, i64, i64, i32) {
        let (id, event, good) = (self.id, self.event_id, self.finished_good_id);
        (id, event, good, self.target_quantity)
    }
    fn whole(&self) -> Option<&EventAssemblyTarget> {
        None
    }
    fn good_name(&self) -> Option<&str> {
        Some(&self.finished_good_name)
    }
}

/// An assembly target; `false` for a field a brief target lacks (the loader reads whole
/// targets for selections that show one).
fn assembly_target<T: AssemblyTargetRead>(
    json: &mut Json,
    fields: &Fields<AssemblyTargetField>,
    target: &T,
    rows: &Rows,
) -> bool {
    use AssemblyTargetField::*;
    let mut ok = true;
    let (id, event_id, good_id, quantity) = target.brief();
    let whole = target.whole();
    json.object(fields, |json, kind| match kind {
        Typename => json.str("EventAssemblyTarget"),
        Id => json.str(&ids::encode("EventAssemblyTarget", id)),
        TargetQuantity => json.int(quantity),
        Notes => match whole {
            Some(whole) => json.opt_str(whole.notes.as_deref()),
            None => ok = false,
        },
        CreatedAt => match whole {
            Some(whole) => json.scalar(&utc(whole.created_at)),
            None => ok = false,
        },
        UpdatedAt => match whole {
            Some(whole) => json.scalar(&utc(whole.updated_at)),
            None => ok = false,
        },
        FinishedGood(fields) => match (target.good_name(), rows.finished_goods.get(&good_id)) {
            (Some(name), _) => ok &= finished_good_named(json, fields, good_id, name),
            (None, Some(found)) => finished_good(json, fields, found),
            (None, None) => ok = false,
        },
        Progress(fields) => {
            let done = totals(&rows.assembled, event_id, good_id);
            let name = "AssemblyProgress";
            target_progress(json, fields, name, quantity, done);
        }
    });
    ok
}

fn target_progress(
    json: &mut Json,
    fields: &Fields<TargetProgressField>,
    type_name: &str,
    target: i32,
    totals: RunTotals,
) {
    use TargetProgressField::*;
    let maths = TargetProgress {
        target: i64::from(target),
        done: totals.amount,
    };
    json.object(fields, |json, kind| match kind {
        Typename => json.str(type_name),
        Target => json.int(target),
        Done => json.int(int(totals.amount)),
        Yielded => json.int(int(totals.yielded)),
        Remaining => json.int(int(maths.remaining())),
        ProgressPercent => json.float(maths.percent()),
        IsComplete => json.bool(maths.is_complete()),
    });
}

fn recipe(json: &mut Json, fields: &Fields<RecipeField>, row: &recipes::Recipe) {
    use RecipeField::*;
    json.object(fields, |json, kind| match kind {
        Typename => json.str("Recipe"),
        Id => json.str(&ids::encode("Recipe", row.id)),
        Uuid => json.str(&row.uuid),
        Name => json.str(&row.name),
        Category => json.str(&row.category),
        YieldQuantity => json.scalar(&Decimal::quantity(row.yield_quantity)),
        YieldUnit => json.str(&row.yield_unit),
        YieldDescription => json.opt_str(row.yield_description.as_deref()),
        EstimatedMinutes => json.opt_int(row.estimated_minutes),
        Source => json.opt_str(row.source.as_deref()),
        Notes => json.opt_str(row.notes.as_deref()),
        CreatedAt => json.scalar(&utc(row.created_at)),
        UpdatedAt => json.scalar(&utc(row.updated_at)),
    });
}

/// A recipe known only by its id and name; `false` for any other field (the loader reads
/// whole recipes for selections that show one).
fn recipe_named(json: &mut Json, fields: &Fields<RecipeField>, id: i64, name: &str) -> bool {
    let mut ok = true;
    json.object(fields, |json, kind| match kind {
        RecipeField::Typename => json.str("Recipe"),
        RecipeField::Id => json.str(&ids::encode("Recipe", id)),
        RecipeField::Name => json.str(name),
        _ => ok = false,
    });
    ok
}

/// A finished good known only by its id and name; `false` for any other field (the loader
/// reads whole goods for selections that show one).
fn finished_good_named(
    json: &mut Json,
    fields: &Fields<FinishedGoodField>,
    id: i64,
    name: &str,
) -> bool {
    let mut ok = true;
    json.object(fields, |json, kind| match kind {
        FinishedGoodField::Typename => json.str("FinishedGood"),
        FinishedGoodField::Id => json.str(&ids::encode("FinishedGood", id)),
        FinishedGoodField::Name => json.str(name),
        _ => ok = false,
    });
    ok
}

fn finished_good(
    json: &mut Json,
    fields: &Fields<FinishedGoodField>,
    row: &finished_goods::FinishedGood,
) {
    use FinishedGoodField::*;
    json.object(fields, |json, kind| match kind {
        Typename => json.str("FinishedGood"),
        Id => json.str(&ids::encode("FinishedGood", row.id)),
        Slug => json.str(&row.slug),
        Name => json.str(&row.name),
        AssemblyType => {
            let stored: kinds::AssemblyType = stored(&row.assembly_type);
            json.enumeration(&crate::graphql::enums::AssemblyType::from(stored))
        }
        Description => json.opt_str(row.description.as_deref()),
        PackagingInstructions => json.opt_str(row.packaging_instructions.as_deref()),
        InventoryCount => json.int(row.inventory_count),
        AverageUnitCost => json.scalar(&Decimal::unit_price(row.average_unit_cost)),
        Notes => json.opt_str(row.notes.as_deref()),
        CreatedAt => json.scalar(&utc(row.created_at)),
        UpdatedAt => json.scalar(&utc(row.updated_at)),
    });
}

/// A target's first page of production runs (`first` rows, of `total`) as a connection,
/// from the rows read for it (at most `first`): more follow when the target has more runs
/// than the page shows.
fn run_page<R: RunRead>(
    json: &mut Json,
    fields: &Fields<ConnectionField<ProductionRunField>>,
    read: Option<&Vec<R>>,
    first: usize,
    total: i64,
) -> bool {
    let read = read.map_or(&[][..], |read| read);
    let runs = PageView {
        rows: &read[..read.len().min(first)],
        total: Some(total),
        has_previous_page: false,
        has_next_page: usize::try_from(total).is_ok_and(|total| total > first),
    };
    let (connection_type, edge_type) = ("ProductionRunConnection", "ProductionRunEdge");
    connection(
        json,
        fields,
        &runs,
        connection_type,
        edge_type,
        production_run,
    )
}

/// A production run as a run page read it: whole, or only its leading fields.
trait RunRead: Keyed {
    /// Its leading fields.
    fn brief(&self) -> ProductionRunBrief;
    /// The whole run, when it was read whole.
    fn whole(&self) -> Option<&ProductionRun>;
}

impl RunRead for ProductionRun {
    fn brief(&self) -> ProductionRunBrief {
        ProductionRunBrief::from(self)
    }
    fn whole(&self) -> Option<&ProductionRun> {
        Some(self)
    }
}

impl RunRead for ProductionRunBrief {
    fn brief(&self) -> ProductionRunBrief {
        self.clone()
    }
    fn whole(&self) -> Option<&ProductionRun> {
        None
    }
}

/// A production run; `false` for a field a brief run lacks (the loader reads whole runs
/// for pages that select one).
fn production_run<R: RunRead>(
    json: &mut Json,
    fields: &Fields<ProductionRunField>,
    run: &R,
) -> bool {
    use ProductionRunField::*;
    let brief = run.brief();
    let whole = run.whole();
    let mut ok = true;
    json.object(fields, |json, kind| match (kind, whole) {
        (Typename, _) => json.str("ProductionRun"),
        (Id, _) => json.str(&ids::encode("ProductionRun", brief.id)),
        (NumBatches, _) => json.int(brief.num_batches),
        (ExpectedYield, _) => json.int(brief.expected_yield),
        (ActualYield, _) => json.int(brief.actual_yield),
        (ProducedAt, _) => json.scalar(&utc(brief.produced_at)),
        (Notes, Some(run)) => json.opt_str(run.notes.as_deref()),
        (TotalIngredientCost, Some(run)) => json.scalar(&Decimal::money(run.total_ingredient_cost)),
        (PerUnitCost, Some(run)) => json.scalar(&Decimal::unit_price(run.per_unit_cost)),
        (RecordedBy, Some(run)) => json.opt_str(run.recorded_by.as_deref()),
        (CreatedAt, Some(run)) => json.scalar(&utc(run.created_at)),
        (Notes | TotalIngredientCost | PerUnitCost | RecordedBy | CreatedAt, None) => ok = false,
    });
    ok
}
