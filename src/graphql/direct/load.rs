//! Loading what a plan selects, level by level: the events, then everything keyed by
//! event, then the run pages keyed by target. Each kind of row is one batched store query
//! for the whole level, and only kinds the plan selects are read. Targets are read joined
//! with their run totals and the recipes or goods they name, and the events' progress is
//! summed from those rows, so a level needs fewer statements than the DataLoaders send
//! (one per kind of row); production targets whose selections show only their batches and
//! their recipes' names are read with just those columns ([`ProductionTargets::Brief`]),
//! and assembly targets likewise ([`AssemblyTargets::Brief`]).
//! One event by id reads its own row beside the first level. On PostgreSQL all of a
//! read's statements share one connection, so those of a level are pipelined
//! ([`SharedReads`]).

use super::json::Json;
use super::plan::Plan;
use super::selection::*;
use super::write;
use crate::db::{Db, Reads, SharedReads};
use crate::domain::progress::{EventProgress, StatusCounts};
use crate::error::AppResult;
use crate::store::keyset::Page;
use crate::store::progress::RunTotals;
use crate::store::runs::{ProductionRun, ProductionRunBrief};
use crate::store::targets::{
    AssemblyTargetBrief, EventAssemblyTarget, EventProductionTarget, ProductionTargetBrief,
    TargetsWithTotals,
};
use crate::store::{event_screen, events, finished_goods, progress, recipes, runs, targets};
use std::collections::HashMap;
use std::future::Future;

/// Runs tally by subject (recipe or finished good), per event.
pub type TotalsByEvent = HashMap<i64, HashMap<i64, RunTotals>>;

/// The rows an answer is written from.
#[derive(Default)]
pub struct Rows {
    /// Overall progress by event (only its selected fields are summed from their rows).
    pub progress: HashMap<i64, EventProgress>,
    /// Production targets by event.
    pub production_targets: ProductionTargets,
    /// Assembly targets by event.
    pub assembly_targets: AssemblyTargets,
    /// Recipes by id.
    pub recipes: HashMap<i64, recipes::Recipe>,
    /// Finished goods by id.
    pub finished_goods: HashMap<i64, finished_goods::FinishedGood>,
    /// Production run totals by event and recipe.
    pub produced: TotalsByEvent,
    /// Assembly run totals by event and finished good.
    pub assembled: TotalsByEvent,
    /// The newest runs of each (event, recipe), by how many were read ([`shown_runs`]).
    pub runs: HashMap<i64, RunPages>,
}

/// Production targets by event, whole or brief.
pub enum ProductionTargets {
    /// Whole targets, with their recipes in [`Rows::recipes`] when those are selected.
    Whole(HashMap<i64, Vec<EventProductionTarget>>),
    /// Brief targets, each with its recipe's name, when no selection shows more of them.
    Brief(HashMap<i64, Vec<ProductionTargetBrief>>),
}

impl Default for ProductionTargets {
    fn default() -> Self {
        ProductionTargets::Whole(HashMap::new())
    }
}

impl ProductionTargets {
    /// The (event, recipe) of every target.
    fn pairs(&self) -> Vec<(i64, i64)> {
        fn of<T>(
            targets: &HashMap<i64, Vec<T>>,
            pair: impl Fn(&T) -> (i64, i64),
        ) -> Vec<(i64, i64)> {
            targets.values().flatten().map(pair).collect()
        }
        match self {
            ProductionTargets::Whole(targets) => of(targets, |t| (t.event_id, t.recipe_id)),
            ProductionTargets::Brief(targets) => of(targets, |t| (t.event_id, t.recipe_id)),
        }
    }
}

/// Assembly targets by event, whole or brief.
pub enum AssemblyTargets {
    /// Whole targets, with their finished goods in [`Rows::finished_goods`] when those are
    /// selected.
    Whole(HashMap<i64, Vec<EventAssemblyTarget>>),
    /// Brief targets, each with its finished good's name, when no selection shows more of
    /// them.
    Brief(HashMap<i64, Vec<AssemblyTargetBrief>>),
}

impl Default for AssemblyTargets {
    fn default() -> Self {
        AssemblyTargets::Whole(HashMap::new())
    }
}

/// Assembly targets as read with their totals, whole or brief (see [`AssemblyTargets`]).
enum AssemblyRead {
    Whole(TargetsWithTotals<EventAssemblyTarget>),
    Brief(TargetsWithTotals<AssemblyTargetBrief>),
}

impl Default for AssemblyRead {
    fn default() -> Self {
        AssemblyRead::Whole(HashMap::new())
    }
}

/// Production targets as read with their totals, whole or brief (see [`ProductionTargets`]).
enum ProductionRead {
    Whole(TargetsWithTotals<EventProductionTarget>),
    Brief(TargetsWithTotals<ProductionTargetBrief>),
}

impl Default for ProductionRead {
    fn default() -> Self {
        ProductionRead::Whole(HashMap::new())
    }
}

/// What hangs off a level's events, as read.
#[derive(Default)]
struct Level {
    production: ProductionRead,
    recipes: HashMap<i64, recipes::Recipe>,
    assembly: AssemblyRead,
    finished_goods: HashMap<i64, finished_goods::FinishedGood>,
    packages: HashMap<i64, StatusCounts>,
}

/// The first pages of the production runs of many targets, by (event, recipe).
pub enum RunPages {
    /// Whole runs.
    Full(HashMap<(i64, i64), Vec<ProductionRun>>),
    /// Only their leading fields, when the pages select no others.
    Brief(HashMap<(i64, i64), Vec<ProductionRunBrief>>),
}

/// What one root field found.
pub enum Root {
    /// `__typename`.
    Typename,
    /// A page of events.
    Events(Page<events::Event>, Rows),
    /// One event.
    Node(events::Event, Rows),
}

/// Runs a plan and gives the response's JSON text, or `None` to leave the operation to
/// async-graphql: a database error, or a row referenced and missing, is reported there.
pub async fn run(plan: &Plan, db: &Db) -> Option<Vec<u8>> {
    let shared = SharedReads::open(db).await.ok()?;
    let mut roots = Vec::with_capacity(plan.fields.len());
    for field in &plan.fields {
        roots.push(
            Box::pin(load_root(shared.reads(), &field.kind))
                .await
                .ok()??,
        );
    }
    drop(shared);
    let mut json = Json::with_capacity(64 * 1024);
    json.raw("{\"data\":");
    let mut roots = roots.iter();
    let mut complete = true;
    json.object(&plan.fields, |json, kind| match roots.next() {
        Some(root) => complete &= write::root(json, kind, root),
        None => complete = false,
    });
    json.raw("}");
    complete.then(|| json.into_bytes())
}

/// Loads one root field; `Ok(None)` when the operation should go to async-graphql.
async fn load_root(db: Reads<'_>, field: &RootField) -> AppResult<Option<Root>> {
    match field {
        RootField::Typename => Ok(Some(Root::Typename)),
        RootField::Events {
            page,
            filter,
            fields,
        } => {
            // The count is a statement of its own: read it only when it is shown.
            let keyset = page.keyset();
            let counted = fields
                .iter()
                .any(|field| matches!(field.kind, ConnectionField::TotalCount));
            let keyset = if counted {
                keyset
            } else {
                &keyset.without_total(shows_opposite_flag(fields, keyset.is_forward()))
            };
            let rows = events::list(db, filter, keyset).await?;
            let mut needs = Needs::default();
            for field in fields {
                match &field.kind {
                    ConnectionField::Nodes(event) => needs.event(event),
                    ConnectionField::Edges(edge) => {
                        for field in edge {
                            if let EdgeField::Node(event) = &field.kind {
                                needs.event(event);
                            }
                        }
                    }
                    _ => {}
                }
            }
            let ids: Vec<i64> = rows.rows.iter().map(|event| event.id).collect();
            let loaded = needs.load(db, &ids).await?;
            Ok(Some(Root::Events(rows, loaded)))
        }
        RootField::Node { id, fields } => {
            let mut needs = Needs::default();
            needs.event(fields);
            let ids = [*id];
            if let Some(count_packages) = needs.one_statement_screen() {
                let Some(screen) = event_screen::event_screen(db, *id, count_packages).await?
                else {
                    return Ok(None);
                };
                let level = Level {
                    production: ProductionRead::Brief(screen.production),
                    packages: screen.packages,
                    ..Level::default()
                };
                let loaded = needs.rows(db, &ids, level).await?;
                return Ok(Some(Root::Node(screen.event, loaded)));
            }
            // The event's id is known, so what hangs off it is read beside it.
            let (mut events, loaded) = futures::try_join!(
                Box::pin(events::by_ids(db, &ids)),
                Box::pin(needs.load(db, &ids))
            )?;
            let Some(event) = events.remove(id) else {
                return Ok(None);
            };
            Ok(Some(Root::Node(event, loaded)))
        }
    }
}

/// Whether a connection's selection shows the `has…Page` flag on the side of the cursor
/// it is not read from (`hasPreviousPage` when reading forward), which needs the list
/// counted.
fn shows_opposite_flag<N>(fields: &Fields<ConnectionField<N>>, forward: bool) -> bool {
    fields.iter().any(|field| match &field.kind {
        ConnectionField::PageInfo(info) => info.iter().any(|field| {
            if forward {
                matches!(field.kind, PageInfoField::HasPreviousPage)
            } else {
                matches!(field.kind, PageInfoField::HasNextPage)
            }
        }),
        _ => false,
    })
}

/// Which kinds of rows the selections of events ask for.
#[derive(Default)]
struct Needs {
    progress: ProgressParts,
    production_targets: bool,
    /// Whether a selection of production targets shows a field of theirs, or of their
    /// recipes, that [`ProductionTargetBrief`] lacks.
    whole_production_targets: bool,
    assembly_targets: bool,
    /// Whether a selection of assembly targets shows a field of theirs, or of their
    /// finished goods, that [`AssemblyTargetBrief`] lacks.
    whole_assembly_targets: bool,
    recipes: bool,
    finished_goods: bool,
    /// How many runs per target the run pages read, one query each, and whether
    /// [`ProductionRunBrief`]s hold every field those pages select.
    run_limits: Vec<(i64, bool)>,
}

/// How many runs a target's first page of runs shows: all that are read for it, as the
/// run totals tell whether more follow (where a page read alone reads one more).
pub fn shown_runs(page: &crate::graphql::connection::ValidPage<ProductionRun>) -> i64 {
    page.keyset().first.unwrap_or(0)
}

/// Which rows the selected fields of the events' progress are summed from.
#[derive(Default)]
struct ProgressParts {
    production: bool,
    assembly: bool,
    packages: bool,
}

impl ProgressParts {
    fn any(&self) -> bool {
        self.production || self.assembly || self.packages
    }

    fn field(&mut self, field: EventProgressField) {
        use EventProgressField::*;
        match field {
            Typename => {}
            ProductionTargetsCount | ProductionCompleteCount | ProductionComplete => {
                self.production = true
            }
            AssemblyTargetsCount | AssemblyCompleteCount | AssemblyComplete => self.assembly = true,
            PackagesPending | PackagesReady | PackagesDelivered | PackagesTotal => {
                self.packages = true
            }
            IsComplete => {
                self.production = true;
                self.assembly = true;
                self.packages = true;
            }
        }
    }
}

impl Needs {
    fn event(&mut self, fields: &Fields<EventField>) {
        for field in fields {
            match &field.kind {
                EventField::Progress(fields) => {
                    for field in fields {
                        self.progress.field(field.kind);
                    }
                }
                EventField::ProductionTargets(target) => {
                    self.production_targets = true;
                    for field in target {
                        match &field.kind {
                            ProductionTargetField::Notes
                            | ProductionTargetField::CreatedAt
                            | ProductionTargetField::UpdatedAt => {
                                self.whole_production_targets = true
                            }
                            ProductionTargetField::Recipe(recipe) => {
                                self.recipes = true;
                                self.whole_production_targets |= !recipe.iter().all(|field| {
                                    matches!(
                                        field.kind,
                                        RecipeField::Typename | RecipeField::Id | RecipeField::Name
                                    )
                                });
                            }
                            ProductionTargetField::ProductionRuns { page, fields } => {
                                let reads_rows = fields.iter().any(|f| {
                                    !matches!(
                                        f.kind,
                                        ConnectionField::TotalCount | ConnectionField::Typename
                                    )
                                });
                                let limit = shown_runs(page);
                                if reads_rows {
                                    let brief = brief_suffices(fields);
                                    match self.run_limits.iter_mut().find(|(l, _)| *l == limit) {
                                        Some((_, all_brief)) => *all_brief &= brief,
                                        None => self.run_limits.push((limit, brief)),
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                EventField::AssemblyTargets(target) => {
                    self.assembly_targets = true;
                    for field in target {
                        match &field.kind {
                            AssemblyTargetField::Notes
                            | AssemblyTargetField::CreatedAt
                            | AssemblyTargetField::UpdatedAt => self.whole_assembly_targets = true,
                            AssemblyTargetField::FinishedGood(good) => {
                                self.finished_goods = true;
                                self.whole_assembly_targets |= !good.iter().all(|field| {
                                    matches!(
                                        field.kind,
                                        FinishedGoodField::Typename
                                            | FinishedGoodField::Id
                                            | FinishedGoodField::Name
                                    )
                                });
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Whether one event's selections are all one statement can read
    /// ([`event_screen`](event_screen::event_screen)): production targets shown only in
    /// brief, or production progress, or both, and nothing of assembly or of runs; with
    /// whether the assignments are to be counted too.
    fn one_statement_screen(&self) -> Option<bool> {
        let production = self.production_targets || self.progress.production;
        let assembly = self.assembly_targets || self.progress.assembly;
        (production && !self.whole_production_targets && !assembly && self.run_limits.is_empty())
            .then_some(self.progress.packages)
    }

    /// Reads the rows these events need: what hangs off the events (targets joined with
    /// their run totals and, when shown, their recipes or goods; assignments by status),
    /// then the run pages of their targets, the queries of a level side by side. The
    /// events' progress is summed here from those rows; a part of it whose fields are not
    /// selected is summed from no rows, as nothing writes it.
    async fn load(&self, db: Reads<'_>, event_ids: &[i64]) -> AppResult<Rows> {
        let level = self.level(db, event_ids).await?;
        self.rows(db, event_ids, level).await
    }

    /// Reads what hangs off the events, the queries side by side.
    async fn level(&self, db: Reads<'_>, event_ids: &[i64]) -> AppResult<Level> {
        let parts = &self.progress;
        let brief = self.production_targets && !self.whole_production_targets;
        let production = || async move {
            if brief {
                let targets = targets::production_target_briefs_by_event_ids(db, event_ids);
                return Ok((ProductionRead::Brief(targets.await?), HashMap::new()));
            }
            let (targets, recipes) = targets_and_subjects(
                self.recipes
                    .then(|| targets::production_targets_with_recipes_by_event_ids(db, event_ids)),
                targets::production_targets_with_totals_by_event_ids(db, event_ids),
            )
            .await?;
            Ok((ProductionRead::Whole(targets), recipes))
        };
        let brief_assembly = self.assembly_targets && !self.whole_assembly_targets;
        let assembly = || async move {
            if brief_assembly {
                let targets = targets::assembly_target_briefs_by_event_ids(db, event_ids);
                return Ok((AssemblyRead::Brief(targets.await?), HashMap::new()));
            }
            let (targets, goods) = targets_and_subjects(
                self.finished_goods
                    .then(|| targets::assembly_targets_with_goods_by_event_ids(db, event_ids)),
                targets::assembly_targets_with_totals_by_event_ids(db, event_ids),
            )
            .await?;
            Ok((AssemblyRead::Whole(targets), goods))
        };
        let ((production, recipes), (assembly, finished_goods), packages) = futures::try_join!(
            when(self.production_targets || parts.production, production),
            when(self.assembly_targets || parts.assembly, assembly),
            when(parts.packages, || {
                progress::package_status_by_event_ids(db, event_ids)
            }),
        )?;
        Ok(Level {
            production,
            recipes,
            assembly,
            finished_goods,
            packages,
        })
    }

    /// Sums the events' progress from what was read of them, and reads their targets' run
    /// pages.
    async fn rows(&self, db: Reads<'_>, event_ids: &[i64], level: Level) -> AppResult<Rows> {
        let parts = &self.progress;
        let Level {
            production,
            recipes,
            assembly,
            finished_goods,
            packages,
        } = level;
        use progress::progress_of_events as of;
        let progress = match (&production, &assembly) {
            _ if !parts.any() => HashMap::new(),
            (ProductionRead::Whole(p), AssemblyRead::Whole(a)) => of(event_ids, p, a, &packages),
            (ProductionRead::Whole(p), AssemblyRead::Brief(a)) => of(event_ids, p, a, &packages),
            (ProductionRead::Brief(p), AssemblyRead::Whole(a)) => of(event_ids, p, a, &packages),
            (ProductionRead::Brief(p), AssemblyRead::Brief(a)) => of(event_ids, p, a, &packages),
        };
        let (production_targets, produced) = match production {
            ProductionRead::Whole(rows) => {
                let (targets, produced) = split_totals(rows, |target| target.recipe_id);
                (ProductionTargets::Whole(targets), produced)
            }
            ProductionRead::Brief(rows) => {
                let (targets, produced) = split_totals(rows, |target| target.recipe_id);
                (ProductionTargets::Brief(targets), produced)
            }
        };
        let (assembly_targets, assembled) = match assembly {
            AssemblyRead::Whole(rows) => {
                let (targets, assembled) = split_totals(rows, |target| target.finished_good_id);
                (AssemblyTargets::Whole(targets), assembled)
            }
            AssemblyRead::Brief(rows) => {
                let (targets, assembled) = split_totals(rows, |target| target.finished_good_id);
                (AssemblyTargets::Brief(targets), assembled)
            }
        };
        let pairs = production_targets.pairs();
        let windows = futures::future::try_join_all(
            self.run_limits
                .iter()
                .map(|&(limit, brief)| run_pages(db, &pairs, limit, brief)),
        )
        .await?;
        Ok(Rows {
            progress,
            production_targets,
            assembly_targets,
            recipes,
            finished_goods,
            produced,
            assembled,
            runs: self
                .run_limits
                .iter()
                .map(|(limit, _)| *limit)
                .zip(windows)
                .collect(),
        })
    }
}

/// Targets with their totals and, when `joined` is given, the subjects they name read in
/// the same statement; otherwise `plain`, with no subjects. Only the one run is awaited.
async fn targets_and_subjects<T, S>(
    joined: Option<impl Future<Output = AppResult<(T, HashMap<i64, S>)>>>,
    plain: impl Future<Output = AppResult<T>>,
) -> AppResult<(T, HashMap<i64, S>)> {
    match joined {
        Some(joined) => joined.await,
        None => Ok((plain.await?, HashMap::new())),
    }
}

/// Splits targets read with their totals into the targets by event and the totals by
/// event and subject (`subject` of a target: its recipe or finished good).
fn split_totals<T>(
    rows: TargetsWithTotals<T>,
    subject: impl Fn(&T) -> i64,
) -> (HashMap<i64, Vec<T>>, TotalsByEvent) {
    let mut totals_by_event = TotalsByEvent::new();
    let targets = rows
        .into_iter()
        .map(|(event_id, rows)| {
            let targets = rows
                .into_iter()
                .map(|(target, totals)| {
                    if let Some(totals) = totals {
                        totals_by_event
                            .entry(event_id)
                            .or_default()
                            .insert(subject(&target), totals);
                    }
                    target
                })
                .collect();
            (event_id, targets)
        })
        .collect();
    (targets, totals_by_event)
}

/// Whether every run field a page of production runs selects is one of
/// [`ProductionRunBrief`]'s.
fn brief_suffices(fields: &Fields<ConnectionField<ProductionRunField>>) -> bool {
    let brief = |fields: &Fields<ProductionRunField>| {
        fields.iter().all(|field| {
            use ProductionRunField::*;
            matches!(
                field.kind,
                Typename | Id | NumBatches | ExpectedYield | ActualYield | ProducedAt
            )
        })
    };
    fields.iter().all(|field| match &field.kind {
        ConnectionField::Nodes(run) => brief(run),
        ConnectionField::Edges(edge) => edge.iter().all(|field| match &field.kind {
            EdgeField::Node(run) => brief(run),
            _ => true,
        }),
        _ => true,
    })
}

/// The first `limit` runs of each pair, brief or whole.
async fn run_pages(
    db: Reads<'_>,
    pairs: &[(i64, i64)],
    limit: i64,
    brief: bool,
) -> AppResult<RunPages> {
    Ok(if brief {
        RunPages::Brief(runs::production_run_brief_windows(db, pairs, limit).await?)
    } else {
        RunPages::Full(runs::production_run_windows(db, pairs, limit).await?)
    })
}

/// The result of `load` when `needed`, else an empty map without a query. The load is
/// made only when needed, and boxed: these futures are large, and each move of one copies
/// it whole (callgrind showed those copies as a third of one event's instructions).
async fn when<T: Default, F: Future<Output = AppResult<T>>>(
    needed: bool,
    load: impl FnOnce() -> F,
) -> AppResult<T> {
    if needed {
        Box::pin(load()).await
    } else {
        Ok(T::default())
    }
}
