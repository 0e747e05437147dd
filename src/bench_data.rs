//! `bakeplan bench-data`: fills an empty database with a large, realistic data set for the
//! benchmark of the §3.3 query (see `docs/benchmarks.md`).
//!
//! Events with production and assembly targets, recipes each with its finished unit, gift
//! boxes made of those units, recipients with package assignments, and many production and
//! assembly runs: most attributed to an event and of a recipe (or finished good) the event
//! targets, some attributed to an event without a target for them, some standalone. The
//! per-event run totals are then rebuilt from the runs
//! ([`rebuild_statements`](crate::store::run_totals::rebuild_statements)), so they are
//! exactly what recording the runs one by one would have left.
//!
//! Rows are written with multi-row `INSERT … VALUES` statements whose SQL text is the same
//! on both backends, in one transaction; generation is deterministic for a given seed.
//! Runs carry their costs but no consumption rows (the benchmarked query does not read
//! them); finished units and goods hold what the runs added (count and moving average
//! cost, as recording would leave them), so an export of the set passes the import's checks.

use crate::db::Db;
use crate::db_write;
use crate::error::{AppError, AppResult};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;

/// How much data to build.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchDataArgs {
    /// Events (each with its targets and assignments).
    #[arg(long, default_value_t = 50)]
    pub events: u32,
    /// Recipes (each with one finished unit).
    #[arg(long, default_value_t = 200)]
    pub recipes: u32,
    /// Finished goods (gift boxes of three finished units each).
    #[arg(long, default_value_t = 100)]
    pub finished_goods: u32,
    /// Production runs.
    #[arg(long, default_value_t = 100_000)]
    pub production_runs: u32,
    /// Assembly runs.
    #[arg(long, default_value_t = 50_000)]
    pub assembly_runs: u32,
    /// Production targets per event (at most the number of recipes).
    #[arg(long, default_value_t = 20)]
    pub production_targets: u32,
    /// Assembly targets per event (at most the number of finished goods).
    #[arg(long, default_value_t = 10)]
    pub assembly_targets: u32,
    /// Seed of the pseudo-random choices (same seed, same data).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

impl Default for BenchDataArgs {
    fn default() -> Self {
        BenchDataArgs {
            events: 50,
            recipes: 200,
            finished_goods: 100,
            production_runs: 100_000,
            assembly_runs: 50_000,
            production_targets: 20,
            assembly_targets: 10,
            seed: 2026,
        }
    }
}

/// What was written, by table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BenchDataSummary {
    /// (table, rows written), in writing order.
    pub rows: Vec<(&'static str, u64)>,
}

/// Rows per `INSERT` statement.
const ROWS_PER_INSERT: usize = 1000;
/// Recipients, and assignments per event.
const RECIPIENTS: u32 = 12;
/// Package templates (each holds two finished goods).
const PACKAGES: u32 = 6;

/// A small deterministic generator (SplitMix64): reproducible data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..bound` (`bound` > 0).
    fn below(&mut self, bound: u32) -> u32 {
        u32::try_from(self.next() % u64::from(bound)).unwrap_or(0)
    }
}

/// Multi-row inserts into one table: rows are appended as SQL value tuples and flushed
/// every [`ROWS_PER_INSERT`] rows.
struct Inserts {
    head: String,
    rows: Vec<String>,
    statements: Vec<String>,
    count: u64,
}

impl Inserts {
    fn new(table: &str, columns: &str) -> Self {
        Inserts {
            head: format!("INSERT INTO {table} ({columns}) VALUES "),
            rows: Vec::with_capacity(ROWS_PER_INSERT),
            statements: Vec::new(),
            count: 0,
        }
    }

    fn push(&mut self, row: String) {
        self.rows.push(row);
        self.count += 1;
        if self.rows.len() == ROWS_PER_INSERT {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.rows.is_empty() {
            let statement = format!("{}{}", self.head, self.rows.join(", "));
            self.statements.push(statement);
            self.rows.clear();
        }
    }

    fn finish(mut self) -> (Vec<String>, u64) {
        self.flush();
        (self.statements, self.count)
    }
}

/// A timestamp as an SQL literal both backends read as `TIMESTAMP`.
fn ts(at: NaiveDateTime) -> String {
    format!("'{}'", at.format("%Y-%m-%d %H:%M:%S"))
}

fn uuid() -> String {
    format!("'{}'", uuid::Uuid::new_v4())
}

/// Every statement that builds the data set, with the rows each table gets.
fn statements(args: &BenchDataArgs, now: NaiveDateTime) -> (Vec<String>, BenchDataSummary) {
    let mut rng = Rng(args.seed);
    let mut all = Vec::new();
    let mut summary = BenchDataSummary::default();
    let now_ts = ts(now);
    let stamp = format!("{now_ts}, {now_ts}");
    let mut add = |table: &'static str, inserts: Inserts, all: &mut Vec<String>| {
        let (statements, count) = inserts.finish();
        all.extend(statements);
        summary.rows.push((table, count));
    };

    let mut recipes = Inserts::new(
        "recipes",
        "id, uuid, created_at, updated_at, name, name_key, category, yield_quantity, yield_unit",
    );
    let mut units = Inserts::new(
        "finished_units",
        "id, uuid, created_at, updated_at, slug, name, recipe_id, yield_mode, items_per_batch, \
         item_unit, inventory_count, average_unit_cost",
    );
    for r in 1..=args.recipes {
        recipes.push(format!(
            "({r}, {}, {stamp}, 'Bench Recipe {r:04}', 'bench recipe {r:04}', 'Cookies', \
             24000000, 'cookies')",
            uuid()
        ));
        units.push(format!(
            "({r}, {}, {stamp}, 'bench-cookie-{r:04}', 'Bench Cookie {r:04}', {r}, \
             'DISCRETE_COUNT', 24, 'cookie', 0, 0)",
            uuid()
        ));
    }
    add("recipes", recipes, &mut all);
    add("finished_units", units, &mut all);

    let mut goods = Inserts::new(
        "finished_goods",
        "id, uuid, created_at, updated_at, slug, name, assembly_type, inventory_count, \
         average_unit_cost",
    );
    let mut components = Inserts::new(
        "finished_good_components",
        "uuid, created_at, updated_at, finished_good_id, position, finished_unit_id, quantity",
    );
    for g in 1..=args.finished_goods {
        goods.push(format!(
            "({g}, {}, {stamp}, 'bench-box-{g:03}', 'Bench Box {g:03}', 'GIFT_BOX', 0, 0)",
            uuid()
        ));
        for position in 0..3 {
            let unit = (g * 3 + position) % args.recipes + 1;
            components.push(format!(
                "({}, {stamp}, {g}, {position}, {unit}, 6000000)",
                uuid()
            ));
        }
    }
    add("finished_goods", goods, &mut all);
    add("finished_good_components", components, &mut all);

    let mut recipients = Inserts::new("recipients", "id, uuid, created_at, updated_at, name");
    for p in 1..=RECIPIENTS {
        recipients.push(format!(
            "({p}, {}, {stamp}, 'Bench Recipient {p:02}')",
            uuid()
        ));
    }
    add("recipients", recipients, &mut all);
    let mut packages = Inserts::new(
        "packages",
        "id, uuid, created_at, updated_at, name, is_template",
    );
    let mut items = Inserts::new(
        "package_items",
        "uuid, created_at, updated_at, package_id, finished_good_id, quantity",
    );
    for p in 1..=PACKAGES {
        packages.push(format!(
            "({p}, {}, {stamp}, 'Bench Package {p}', TRUE)",
            uuid()
        ));
        for k in 0..2 {
            let good = (p * 2 + k) % args.finished_goods + 1;
            items.push(format!("({}, {stamp}, {p}, {good}, {})", uuid(), k + 1));
        }
    }
    add("packages", packages, &mut all);
    add("package_items", items, &mut all);

    // Each event targets a run of consecutive recipes and goods, starting at a different
    // place, so targets spread over the whole catalog.
    let production_targets = args.production_targets.min(args.recipes);
    let assembly_targets = args.assembly_targets.min(args.finished_goods);
    let target_recipe = |event: u32, j: u32| (event * 7 + j) % args.recipes + 1;
    let target_good = |event: u32, j: u32| (event * 3 + j) % args.finished_goods + 1;
    let first_day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
    let mut events = Inserts::new(
        "events",
        "id, uuid, created_at, updated_at, name, event_date, year, notes",
    );
    let mut production = Inserts::new(
        "event_production_targets",
        "uuid, created_at, updated_at, event_id, recipe_id, target_batches",
    );
    let mut assembly = Inserts::new(
        "event_assembly_targets",
        "uuid, created_at, updated_at, event_id, finished_good_id, target_quantity",
    );
    let mut assignments = Inserts::new(
        "event_recipient_packages",
        "uuid, created_at, updated_at, event_id, recipient_id, package_id, quantity, \
         fulfillment_status",
    );
    for e in 1..=args.events {
        let date = first_day + Duration::days(i64::from((e * 3) % 120));
        events.push(format!(
            "({e}, {}, {stamp}, 'Bench Event {e:03}', '{}', {}, 'generated by bench-data')",
            uuid(),
            date.format("%Y-%m-%d"),
            date.format("%Y"),
        ));
        for j in 0..production_targets {
            production.push(format!(
                "({}, {stamp}, {e}, {}, {})",
                uuid(),
                target_recipe(e, j),
                100 + rng.below(200)
            ));
        }
        for j in 0..assembly_targets {
            assembly.push(format!(
                "({}, {stamp}, {e}, {}, {})",
                uuid(),
                target_good(e, j),
                150 + rng.below(200)
            ));
        }
        for r in 1..=RECIPIENTS {
            let status = ["PENDING", "PENDING", "READY", "DELIVERED"][rng.below(4) as usize];
            assignments.push(format!(
                "({}, {stamp}, {e}, {r}, {}, 1, '{status}')",
                uuid(),
                (e + r) % PACKAGES + 1
            ));
        }
    }
    add("events", events, &mut all);
    add("event_production_targets", production, &mut all);
    add("event_assembly_targets", assembly, &mut all);
    add("event_recipient_packages", assignments, &mut all);

    // Which event (if any) a run is attributed to, and whether its subject is one the event
    // targets: 80 % targeted, 10 % attributed but untargeted, 10 % standalone.
    let events_count = args.events.max(1);
    let attribution = |rng: &mut Rng, run: u32| -> (Option<u32>, bool) {
        let event = run % events_count + 1;
        match rng.below(10) {
            0 => (None, false),
            1 => (Some(event), false),
            _ => (Some(event), true),
        }
    };
    let start = NaiveDate::from_ymd_opt(2026, 10, 1)
        .and_then(|d| d.and_hms_opt(6, 0, 0))
        .unwrap_or_default();
    // What the runs leave in stock, as recording them would: (count, moving average) per
    // finished unit and good. Runs carry no consumption records, so nothing is drawn.
    let mut unit_stock: std::collections::HashMap<u32, (i64, i64)> = Default::default();
    let mut good_stock: std::collections::HashMap<u32, (i64, i64)> = Default::default();
    let stock =
        |map: &mut std::collections::HashMap<u32, (i64, i64)>, id: u32, added: u32, cost: i64| {
            let (count, average) = map.entry(id).or_default();
            *average =
                crate::domain::fifo::moving_average(*count, *average, i64::from(added), cost);
            *count += i64::from(added);
        };
    let mut runs = Inserts::new(
        "production_runs",
        "uuid, created_at, updated_at, recipe_id, finished_unit_id, event_id, num_batches, \
         expected_yield, actual_yield, produced_at, total_ingredient_cost, per_unit_cost",
    );
    for n in 0..args.production_runs {
        let (event, targeted) = attribution(&mut rng, n);
        let recipe = match (event, targeted, production_targets) {
            (Some(e), true, t) if t > 0 => target_recipe(e, rng.below(t)),
            _ => rng.below(args.recipes) + 1,
        };
        let batches = 1 + rng.below(3);
        let expected = batches * 24;
        let actual = expected - rng.below(3);
        // Money in ten-thousandths; a unit cost in 1e-10 (cost / yield).
        let cost = i64::from(batches) * (60_000 + i64::from(rng.below(90_000)));
        let per_unit = crate::domain::fifo::per_unit(cost, i64::from(actual)).unwrap_or(0);
        stock(&mut unit_stock, recipe, actual, per_unit);
        let produced_at = start + Duration::seconds(i64::from(n) * 37);
        runs.push(format!(
            "({}, {stamp}, {recipe}, {recipe}, {}, {batches}, {expected}, {actual}, {}, {cost}, \
             {per_unit})",
            uuid(),
            event.map_or_else(|| "NULL".to_string(), |e| e.to_string()),
            ts(produced_at),
        ));
    }
    add("production_runs", runs, &mut all);
    let mut runs = Inserts::new(
        "assembly_runs",
        "uuid, created_at, updated_at, finished_good_id, event_id, quantity, assembled_at, \
         total_component_cost, per_unit_cost",
    );
    for n in 0..args.assembly_runs {
        let (event, targeted) = attribution(&mut rng, n);
        let good = match (event, targeted, assembly_targets) {
            (Some(e), true, t) if t > 0 => target_good(e, rng.below(t)),
            _ => rng.below(args.finished_goods) + 1,
        };
        let quantity = 1 + rng.below(4);
        let cost = i64::from(quantity) * (20_000 + i64::from(rng.below(40_000)));
        let per_unit = crate::domain::fifo::per_unit(cost, i64::from(quantity)).unwrap_or(0);
        stock(&mut good_stock, good, quantity, per_unit);
        let assembled_at = start + Duration::seconds(i64::from(n) * 61 + 30);
        runs.push(format!(
            "({}, {stamp}, {good}, {}, {quantity}, {}, {cost}, {per_unit})",
            uuid(),
            event.map_or_else(|| "NULL".to_string(), |e| e.to_string()),
            ts(assembled_at),
        ));
    }
    add("assembly_runs", runs, &mut all);
    let mut stocked: Vec<_> = unit_stock.into_iter().collect();
    stocked.sort_unstable();
    for (id, (count, average)) in stocked {
        all.push(format!(
            "UPDATE finished_units SET inventory_count = {count}, average_unit_cost = {average} \
             WHERE id = {id}"
        ));
    }
    let mut stocked: Vec<_> = good_stock.into_iter().collect();
    stocked.sort_unstable();
    for (id, (count, average)) in stocked {
        all.push(format!(
            "UPDATE finished_goods SET inventory_count = {count}, average_unit_cost = {average} \
             WHERE id = {id}"
        ));
    }

    // The maintained totals, from the runs.
    all.extend(crate::store::run_totals::rebuild_statements());
    (all, summary)
}

/// `COUNT(*)` of a table, for the emptiness check.
#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Tables whose ids are written explicitly (PostgreSQL's sequences are moved past them).
const EXPLICIT_ID_TABLES: [&str; 6] = [
    "recipes",
    "finished_units",
    "finished_goods",
    "recipients",
    "packages",
    "events",
];

/// Builds the data set in one transaction. Refuses a database that already has events,
/// recipes or finished goods, so it never mixes with real data.
pub async fn fill(db: &Db, args: &BenchDataArgs) -> AppResult<BenchDataSummary> {
    if args.events == 0 || args.recipes == 0 || args.finished_goods == 0 {
        return Err(AppError::BadInput(
            "bench-data needs at least one event, recipe and finished good".into(),
        ));
    }
    let (statements, summary) = statements(args, crate::store::now());
    let backend = db.backend();
    db_write!(db, |conn| {
        let existing: Count = diesel::sql_query(
            "SELECT CAST((SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM recipes) \
             + (SELECT COUNT(*) FROM finished_goods) AS BIGINT) AS count",
        )
        .get_result(conn)
        .await?;
        if existing.count > 0 {
            return Err(AppError::BadInput(
                "bench-data fills an empty database; this one already has events, recipes \
                 or finished goods"
                    .into(),
            ));
        }
        for statement in &statements {
            diesel::sql_query(statement).execute(conn).await?;
        }
        if backend == crate::db::Backend::Postgres {
            for table in EXPLICIT_ID_TABLES {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     (SELECT MAX(id) FROM {table}))"
                );
                diesel::sql_query(sql).execute(conn).await?;
            }
        }
        Ok(())
    })?;
    // Fresh statistics, so the planners see the bulk-loaded tables as they are (PostgreSQL's
    // autovacuum would get there too, a minute later).
    crate::db_run!(db, |conn| diesel::sql_query("ANALYZE")
        .execute(conn)
        .await
        .map_err(AppError::from))?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> BenchDataArgs {
        BenchDataArgs {
            events: 3,
            recipes: 30,
            finished_goods: 12,
            production_runs: 2500,
            assembly_runs: 40,
            ..BenchDataArgs::default()
        }
    }

    #[test]
    fn rows_are_counted_and_batched() {
        let (statements, summary) = statements(&small(), NaiveDateTime::default());
        let rows: std::collections::HashMap<_, _> = summary.rows.into_iter().collect();
        assert_eq!(rows["events"], 3);
        assert_eq!(rows["event_production_targets"], 60);
        assert_eq!(rows["event_assembly_targets"], 30);
        assert_eq!(rows["production_runs"], 2500);
        assert_eq!(rows["finished_good_components"], 36);
        // 2500 runs need three statements of at most 1000 rows.
        let run_inserts = statements
            .iter()
            .filter(|s| s.starts_with("INSERT INTO production_runs"))
            .count();
        assert_eq!(run_inserts, 3);
    }

    #[test]
    fn the_same_seed_gives_the_same_choices() {
        let strip = |statements: Vec<String>| -> Vec<String> {
            statements
                .into_iter()
                .map(|s| {
                    // uuids differ on every run; everything else is seeded.
                    s.split('\'')
                        .filter(|part| part.len() != 36)
                        .collect::<String>()
                })
                .collect()
        };
        let (a, _) = statements(&small(), NaiveDateTime::default());
        let (b, _) = statements(&small(), NaiveDateTime::default());
        assert_eq!(strip(a), strip(b));
    }
}
