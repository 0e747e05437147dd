//! Progress (SPEC §1.6, §3.3): target and event progress count only the runs attributed to
//! the event, packages are counted by status, the dashboard lists what is left to do, and
//! the nested progress query costs the same number of SQL statements for 2 events as for 40.

use crate::db_test;
use crate::fixtures::{self, cookie_kitchen, create_ingredient, pk_of, purchase, sql};
use crate::harness::TestApp;
use bakeplan::graphql::ids;
use bakeplan::store::run_totals;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde_json::{json, Value};

const DELETE_PRODUCTION_TARGET: &str = "mutation($eventId: ID!, $recipeId: ID!) {
  deleteProductionTarget(eventId: $eventId, recipeId: $recipeId) }";
const ASSIGN: &str =
    "mutation($input: AssignPackageInput!) { assignPackage(input: $input) { id } }";
const SET_STATUS: &str = "mutation($input: UpdateFulfillmentStatusInput!) {
  updateFulfillmentStatus(input: $input) { id fulfillmentStatus } }";

/// What the recording mutations return here: the run, the warnings and the event's
/// progress read after the commit.
const RECORD_PRODUCTION: &str = "mutation($input: RecordProductionInput!) { recordProduction(input: $input) {
  warnings productionRun { id numBatches } eventProgress { productionTargetsCount productionCompleteCount
    productionComplete isComplete } } }";
const RECORD_ASSEMBLY: &str =
    "mutation($input: RecordAssemblyInput!) { recordAssembly(input: $input) {
  warnings assemblyRun { id quantity } eventProgress { assemblyTargetsCount assemblyCompleteCount
    assemblyComplete isComplete } } }";

const EVENT_PROGRESS: &str = "query($id: ID!) { node(id: $id) { ... on Event {
  progress { productionTargetsCount productionCompleteCount productionComplete assemblyTargetsCount
    assemblyCompleteCount assemblyComplete packagesPending packagesReady packagesDelivered packagesTotal isComplete }
  productionProgress { target { id } recipe { name } targetBatches producedBatches producedYield
    remainingBatches progressPercent isComplete }
  assemblyProgress { target { id } finishedGood { name } targetQuantity assembledQuantity remainingQuantity
    progressPercent isComplete }
  productionRuns { totalCount nodes { numBatches } }
  assemblyRuns { totalCount nodes { quantity } } } } }";

/// The shape SPEC §3.3 requires to be fast, word for word.
const NESTED_PROGRESS: &str = "{ events(first: 20) { nodes { name eventDate progress { packagesPending productionComplete }
    productionTargets { targetBatches recipe { name } progress { producedBatches progressPercent isComplete }
      productionRuns(first: 5) { totalCount nodes { numBatches actualYield producedAt } } }
    assemblyTargets { targetQuantity finishedGood { name } progress { assembledQuantity isComplete } } } } }";

/// Stocks the cookie kitchen for many batches and boxes.
async fn stock_up(app: &TestApp, k: &Value) {
    for (ingredient, quantity, unit) in [
        ("flour", "20", "lb"),
        ("butter", "5000", "g"),
        ("eggs", "10", "dozen"),
        ("bag", "50", "each"),
    ] {
        purchase(
            app,
            json!({"ingredientId": k[ingredient], "quantity": quantity, "unit": unit,
                   "totalCost": "10.00", "purchasedOn": "2026-11-01"}),
        )
        .await;
    }
}

/// Records `batches` batches of the kitchen's cookies, for `event` (or standalone).
async fn bake(app: &TestApp, k: &Value, batches: i32, event: Option<&Value>) -> Value {
    let mut input = json!({"recipeId": k["recipe"], "finishedUnitId": k["cookie"],
                           "numBatches": batches, "actualYield": batches * 24 - 1});
    if let Some(event) = event {
        input["eventId"] = event.clone();
    }
    app.ok(RECORD_PRODUCTION, json!({ "input": input })).await["recordProduction"].clone()
}

/// Records `quantity` cookie boxes, for `event` (or standalone).
async fn box_up(app: &TestApp, k: &Value, quantity: i32, event: Option<&Value>) -> Value {
    let mut input = json!({"finishedGoodId": k["box"], "quantity": quantity});
    if let Some(event) = event {
        input["eventId"] = event.clone();
    }
    app.ok(RECORD_ASSEMBLY, json!({ "input": input })).await["recordAssembly"].clone()
}

async fn event_progress(app: &TestApp, event: &Value) -> Value {
    app.ok(EVENT_PROGRESS, json!({ "id": event })).await["node"].clone()
}

async fn assign(
    app: &TestApp,
    event: &Value,
    recipient: &Value,
    package: &Value,
    quantity: i32,
) -> Value {
    app.ok(
        ASSIGN,
        json!({"input": {"eventId": event, "recipientId": recipient, "packageId": package, "quantity": quantity}}),
    )
    .await["assignPackage"]["id"]
        .clone()
}

/// Moves an assignment along PENDING → READY (→ DELIVERED when `delivered`).
async fn advance(app: &TestApp, assignment: &Value, delivered: bool) {
    app.ok(
        SET_STATUS,
        json!({"input": {"assignmentId": assignment, "status": "READY"}}),
    )
    .await;
    if delivered {
        app.ok(
            SET_STATUS,
            json!({"input": {"assignmentId": assignment, "status": "DELIVERED"}}),
        )
        .await;
    }
}

db_test!(
    production_progress_counts_only_runs_attributed_to_the_event,
    |app| {
        let k = cookie_kitchen(&app).await;
        stock_up(&app, &k).await;
        let easter = fixtures::event(&app, "Easter 2027", "2027-03-28").await["id"].clone();
        let target =
            fixtures::production_target(&app, &k["event"], &k["recipe"], 4).await["id"].clone();

        // 2 of 4 batches → 50%. The payload's progress is read after the run committed.
        let first = bake(&app, &k, 2, Some(&k["event"])).await;
        assert_eq!(first["warnings"], json!([]));
        assert_eq!(
            first["eventProgress"],
            json!({"productionTargetsCount": 1, "productionCompleteCount": 0,
                   "productionComplete": false, "isComplete": false})
        );
        // A standalone run and another event's run never count.
        let standalone = bake(&app, &k, 1, None).await;
        assert_eq!(standalone["eventProgress"], Value::Null);
        let other = bake(&app, &k, 3, Some(&easter)).await;
        assert_eq!(other["warnings"], json!([]), "Easter has no target");
        assert_eq!(
            other["eventProgress"],
            json!({"productionTargetsCount": 0, "productionCompleteCount": 0,
                   "productionComplete": true, "isComplete": true})
        );

        let progress = event_progress(&app, &k["event"]).await;
        assert_eq!(
            progress["productionProgress"],
            json!([{"target": {"id": target}, "recipe": {"name": "Sugar Cookies"}, "targetBatches": 4,
                    "producedBatches": 2, "producedYield": 47, "remainingBatches": 2,
                    "progressPercent": 50.0, "isComplete": false}])
        );
        assert_eq!(
            progress["productionRuns"],
            json!({"totalCount": 1, "nodes": [{"numBatches": 2}]})
        );
        assert_eq!(progress["progress"]["productionComplete"], false);

        // 3 more → 5 of 4: 125%, complete, nothing remaining; exceeding the target is a
        // warning, not an error.
        let exceeded = bake(&app, &k, 3, Some(&k["event"])).await;
        let warnings = exceeded["warnings"].as_array().expect("warnings");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let warning = warnings[0].as_str().unwrap_or_default();
        assert!(
            warning.contains("Sugar Cookies") && warning.contains('4') && warning.contains('5'),
            "{warning}"
        );
        assert_eq!(
            exceeded["eventProgress"],
            json!({"productionTargetsCount": 1, "productionCompleteCount": 1,
                   "productionComplete": true, "isComplete": true})
        );
        let progress = event_progress(&app, &k["event"]).await;
        let line = &progress["productionProgress"][0];
        assert_eq!(line["producedBatches"], 5);
        assert_eq!(line["producedYield"], 47 + 71);
        assert_eq!(line["remainingBatches"], 0);
        assert_eq!(line["progressPercent"], 125.0);
        assert_eq!(line["isComplete"], true);

        // The target's runs: only this event's runs of the recipe, newest first; `last`
        // pages the same list.
        let runs = app
            .ok(
                "query($id: ID!) { node(id: $id) { ... on Event { productionTargets {
                   progress { producedBatches }
                   productionRuns(first: 1) { totalCount pageInfo { hasNextPage } nodes { id numBatches } }
                   oldest: productionRuns(last: 1) { totalCount nodes { id numBatches } } } } } }",
                json!({"id": k["event"]}),
            )
            .await;
        let target_runs = &runs["node"]["productionTargets"][0];
        assert_eq!(
            target_runs["productionRuns"],
            json!({"totalCount": 2, "pageInfo": {"hasNextPage": true},
                   "nodes": [{"id": exceeded["productionRun"]["id"], "numBatches": 3}]})
        );
        assert_eq!(
            target_runs["oldest"],
            json!({"totalCount": 2, "nodes": [{"id": first["productionRun"]["id"], "numBatches": 2}]})
        );
        let easter_progress = event_progress(&app, &easter).await;
        assert_eq!(easter_progress["productionProgress"], json!([]));
        assert_eq!(
            easter_progress["productionRuns"],
            json!({"totalCount": 1, "nodes": [{"numBatches": 3}]})
        );

        // A deleted target is gone from the progress, and the event is production-complete
        // again (no targets left).
        app.ok(
            DELETE_PRODUCTION_TARGET,
            json!({"eventId": k["event"], "recipeId": k["recipe"]}),
        )
        .await;
        let progress = event_progress(&app, &k["event"]).await;
        assert_eq!(progress["productionProgress"], json!([]));
        assert_eq!(progress["progress"]["productionTargetsCount"], 0);
        assert_eq!(progress["progress"]["productionComplete"], true);
    }
);

db_test!(assembly_progress_and_packages_counted_by_status, |app| {
    let k = cookie_kitchen(&app).await;
    stock_up(&app, &k).await;
    // Cookies for the boxes, baked standalone so production progress stays empty.
    bake(&app, &k, 3, None).await;
    let box_target =
        fixtures::assembly_target(&app, &k["event"], &k["box"], 10).await["id"].clone();
    fixtures::production_target(&app, &k["event"], &k["recipe"], 1).await;

    // 6 of 10 boxes → 60%; a standalone box never counts.
    box_up(&app, &k, 1, None).await;
    let assembled = box_up(&app, &k, 6, Some(&k["event"])).await;
    assert_eq!(
        assembled["eventProgress"],
        json!({"assemblyTargetsCount": 1, "assemblyCompleteCount": 0,
                   "assemblyComplete": false, "isComplete": false})
    );

    // Packages: counted per assignment whatever its quantity.
    let hamper = fixtures::package(
        &app,
        "Hamper",
        json!([{"finishedGoodId": &k["box"], "quantity": 1}]),
    )
    .await["id"]
        .clone();
    let mut assignments = Vec::new();
    for (name, quantity) in [("Ann", 5), ("Bob", 1), ("Cy", 2), ("Di", 1)] {
        let recipient = fixtures::recipient(&app, name).await["id"].clone();
        assignments.push(assign(&app, &k["event"], &recipient, &hamper, quantity).await);
    }
    advance(&app, &assignments[1], false).await;
    advance(&app, &assignments[2], true).await;

    let progress = event_progress(&app, &k["event"]).await;
    assert_eq!(
        progress["assemblyProgress"],
        json!([{"target": {"id": box_target}, "finishedGood": {"name": "Cookie Box"},
                    "targetQuantity": 10, "assembledQuantity": 6, "remainingQuantity": 4,
                    "progressPercent": 60.0, "isComplete": false}])
    );
    assert_eq!(
        progress["assemblyRuns"],
        json!({"totalCount": 1, "nodes": [{"quantity": 6}]})
    );
    assert_eq!(
        progress["progress"],
        json!({"productionTargetsCount": 1, "productionCompleteCount": 0, "productionComplete": false,
                   "assemblyTargetsCount": 1, "assemblyCompleteCount": 0, "assemblyComplete": false,
                   "packagesPending": 2, "packagesReady": 1, "packagesDelivered": 1, "packagesTotal": 4,
                   "isComplete": false})
    );

    // Meet both targets: the event is still not complete while packages are undelivered.
    bake(&app, &k, 1, Some(&k["event"])).await;
    let assembled = box_up(&app, &k, 4, Some(&k["event"])).await;
    assert_eq!(
        assembled["eventProgress"],
        json!({"assemblyTargetsCount": 1, "assemblyCompleteCount": 1,
                   "assemblyComplete": true, "isComplete": false})
    );
    advance(&app, &assignments[0], true).await;
    advance(&app, &assignments[3], true).await;
    let progress = event_progress(&app, &k["event"]).await;
    assert_eq!(progress["progress"]["packagesReady"], 1);
    assert_eq!(progress["progress"]["isComplete"], false);
    app.ok(
        SET_STATUS,
        json!({"input": {"assignmentId": assignments[1], "status": "DELIVERED"}}),
    )
    .await;
    let progress = event_progress(&app, &k["event"]).await;
    assert_eq!(
        progress["progress"],
        json!({"productionTargetsCount": 1, "productionCompleteCount": 1, "productionComplete": true,
                   "assemblyTargetsCount": 1, "assemblyCompleteCount": 1, "assemblyComplete": true,
                   "packagesPending": 0, "packagesReady": 0, "packagesDelivered": 4, "packagesTotal": 4,
                   "isComplete": true})
    );
    assert_eq!(progress["assemblyProgress"][0]["progressPercent"], 100.0);
});

const DASHBOARD: &str = "query($all: Boolean) { productionDashboard(includeCompleted: $all) {
  event { name eventDate } progress { isComplete packagesPending productionComplete } } }";

db_test!(dashboard_lists_incomplete_events_nearest_first, |app| {
    let k = cookie_kitchen(&app).await; // "Christmas 2026" on 2026-12-24
    stock_up(&app, &k).await;
    let hamper = fixtures::package(
        &app,
        "Hamper",
        json!([{"finishedGoodId": &k["box"], "quantity": 1}]),
    )
    .await["id"]
        .clone();
    let ann = fixtures::recipient(&app, "Ann").await["id"].clone();

    // Christmas: a target not met yet.
    fixtures::production_target(&app, &k["event"], &k["recipe"], 2).await;
    bake(&app, &k, 1, Some(&k["event"])).await;
    // Thanksgiving: no targets, every assignment delivered → complete.
    let thanksgiving = fixtures::event(&app, "Thanksgiving 2026", "2026-11-26").await["id"].clone();
    let delivered = assign(&app, &thanksgiving, &ann, &hamper, 1).await;
    advance(&app, &delivered, true).await;
    // Easter: no targets but a pending assignment → not complete.
    let easter = fixtures::event(&app, "Easter 2027", "2027-03-28").await["id"].clone();
    assign(&app, &easter, &ann, &hamper, 3).await;
    // Halloween: no targets, no assignments → nothing left to do.
    fixtures::event(&app, "Halloween 2026", "2026-10-31").await;

    let incomplete = app.ok(DASHBOARD, json!({})).await;
    assert_eq!(
        incomplete["productionDashboard"],
        json!([
            {"event": {"name": "Christmas 2026", "eventDate": "2026-12-24"},
             "progress": {"isComplete": false, "packagesPending": 0, "productionComplete": false}},
            {"event": {"name": "Easter 2027", "eventDate": "2027-03-28"},
             "progress": {"isComplete": false, "packagesPending": 1, "productionComplete": true}}
        ])
    );
    let all = app.ok(DASHBOARD, json!({"all": true})).await;
    let names: Vec<&str> = all["productionDashboard"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| entry["event"]["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "Halloween 2026",
            "Thanksgiving 2026",
            "Christmas 2026",
            "Easter 2027"
        ]
    );
    assert_eq!(
        all["productionDashboard"][1]["progress"]["isComplete"],
        true
    );

    // Meeting the last target completes Christmas: it leaves the default dashboard.
    bake(&app, &k, 1, Some(&k["event"])).await;
    let incomplete = app.ok(DASHBOARD, json!({"all": false})).await;
    assert_eq!(
        incomplete["productionDashboard"][0]["event"]["name"],
        "Easter 2027"
    );
    assert_eq!(
        incomplete["productionDashboard"].as_array().map(Vec::len),
        Some(1)
    );
});

// ---------------------------------------------------------------------------------------
// SPEC §3.3: the nested progress query on many events.

const RECIPES: usize = 3;
const GOODS: usize = 2;
const RECIPIENTS: usize = 3;

/// The catalog of the large data set: recipes with one finished unit each, finished goods,
/// one package and a few recipients (all through the API).
struct BigCatalog {
    recipes: Vec<(Value, i64)>,
    units: Vec<i64>,
    goods: Vec<(Value, i64)>,
    package: Value,
    recipients: Vec<Value>,
}

async fn big_catalog(app: &TestApp) -> BigCatalog {
    let sugar = create_ingredient(app, json!({"name": "Sugar", "unit": "g"})).await;
    let mut recipes = Vec::new();
    let mut units = Vec::new();
    for r in 0..RECIPES {
        let recipe = app
            .ok(
                "mutation($input: CreateRecipeInput!) { createRecipe(input: $input) { id } }",
                json!({"input": {"name": format!("Recipe {r}"), "yieldQuantity": "12", "yieldUnit": "pieces",
                       "ingredients": [{"ingredientId": sugar["id"], "quantity": "100", "unit": "g"}]}}),
            )
            .await["createRecipe"]["id"]
            .clone();
        let unit = app
            .ok(
                "mutation($input: CreateFinishedUnitInput!) { createFinishedUnit(input: $input) { id } }",
                json!({"input": {"name": format!("Piece {r}"), "recipeId": recipe, "yieldMode": "DISCRETE_COUNT",
                       "itemsPerBatch": 12, "itemUnit": "piece"}}),
            )
            .await["createFinishedUnit"]["id"]
            .clone();
        let recipe_pk = pk_of(&recipe, "Recipe");
        recipes.push((recipe, recipe_pk));
        units.push(pk_of(&unit, "FinishedUnit"));
    }
    let mut goods = Vec::new();
    for (g, unit) in units.iter().take(GOODS).enumerate() {
        let unit = ids::encode("FinishedUnit", *unit).to_string();
        let good = app
            .ok(
                "mutation($input: CreateFinishedGoodInput!) { createFinishedGood(input: $input) { id } }",
                json!({"input": {"name": format!("Box {g}"), "assemblyType": "GIFT_BOX",
                       "components": [{"finishedUnitId": unit, "quantity": "4"}]}}),
            )
            .await["createFinishedGood"]["id"]
            .clone();
        let good_pk = pk_of(&good, "FinishedGood");
        goods.push((good, good_pk));
    }
    let package = fixtures::package(
        app,
        "Sampler",
        json!([{"finishedGoodId": &goods[0].0, "quantity": 1}]),
    )
    .await["id"]
        .clone();
    let mut recipients = Vec::new();
    for n in 0..RECIPIENTS {
        recipients.push(fixtures::recipient(app, &format!("Friend {n}")).await["id"].clone());
    }
    BigCatalog {
        recipes,
        units,
        goods,
        package,
        recipients,
    }
}

/// One generated run: batches, yield, produced at.
type GeneratedRun = (i32, i32, NaiveDateTime);

/// What one generated event holds, to compute the expected answer.
struct BigEvent {
    name: String,
    date: NaiveDate,
    /// Per recipe: the target and the runs (batches, yield, produced at), oldest first.
    production: Vec<(i32, Vec<GeneratedRun>)>,
    /// Per finished good: the target and the quantity assembled.
    assembly: Vec<(i32, i32)>,
    pending: i64,
}

fn timestamp(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Builds event `i`: targets and assignments through the API; its runs (and a standalone
/// run and a run of a recipe without a target, which must not count) with SQL.
async fn big_event(app: &TestApp, catalog: &BigCatalog, i: usize) -> BigEvent {
    let date = NaiveDate::from_ymd_opt(2026, 1, 5).expect("date") + Duration::days(7 * i as i64);
    let name = format!("Event {i:02}");
    let event = fixtures::event(app, &name, &date.to_string()).await["id"].clone();
    let event_pk = pk_of(&event, "Event");
    let base = date.and_hms_opt(8, 0, 0).expect("time");

    let mut production = Vec::new();
    let mut rows = Vec::new();
    for (r, (recipe, recipe_pk)) in catalog.recipes.iter().enumerate() {
        let target = 4 + ((i + r) % 5) as i32;
        fixtures::production_target(app, &event, recipe, target).await;
        let mut runs = Vec::new();
        for j in 0..(6 + r + i % 3) {
            let batches = 1 + ((i + j) % 2) as i32;
            let yielded = 12 * batches - (j % 3) as i32;
            let at = base + Duration::minutes((j * 37 + r * 5) as i64);
            rows.push(format!(
                "('big-{i}-{r}-{j}', {ts}, {ts}, {recipe_pk}, {unit}, {event_pk}, {batches}, {expected}, {yielded}, {ts}, NULL, 0, 0)",
                ts = format!("'{}'", timestamp(at)),
                unit = catalog.units[r],
                expected = 12 * batches,
            ));
            runs.push((batches, yielded, at));
        }
        production.push((target, runs));
    }
    // Noise that must never count: a standalone run of recipe 0.
    rows.push(format!(
        "('big-{i}-standalone', '{ts}', '{ts}', {recipe}, {unit}, NULL, 9, 108, 108, '{ts}', NULL, 0, 0)",
        ts = timestamp(base + Duration::days(1)),
        recipe = catalog.recipes[0].1,
        unit = catalog.units[0],
    ));
    sql(
        app,
        &format!(
            "INSERT INTO production_runs (uuid, created_at, updated_at, recipe_id, finished_unit_id, event_id, \
             num_batches, expected_yield, actual_yield, produced_at, notes, total_ingredient_cost, per_unit_cost) \
             VALUES {}",
            rows.join(", ")
        ),
    )
    .await;

    let mut assembly = Vec::new();
    let mut rows = Vec::new();
    for (g, (good, good_pk)) in catalog.goods.iter().enumerate() {
        let target = 3 + ((i + g) % 4) as i32;
        fixtures::assembly_target(app, &event, good, target).await;
        let mut assembled = 0;
        for j in 0..(2 + (i + g) % 3) {
            let quantity = 1 + (j % 2) as i32;
            let at = base + Duration::hours(2 + j as i64);
            rows.push(format!(
                "('big-{i}-g{g}-{j}', '{ts}', '{ts}', {good_pk}, {event_pk}, {quantity}, '{ts}', NULL, 0, 0)",
                ts = timestamp(at),
            ));
            assembled += quantity;
        }
        assembly.push((target, assembled));
    }
    sql(
        app,
        &format!(
            "INSERT INTO assembly_runs (uuid, created_at, updated_at, finished_good_id, event_id, quantity, \
             assembled_at, notes, total_component_cost, per_unit_cost) VALUES {}",
            rows.join(", ")
        ),
    )
    .await;

    // Assignments in mixed statuses: PENDING, READY, DELIVERED, rotating with the event.
    let mut pending = 0;
    for (n, recipient) in catalog.recipients.iter().enumerate() {
        let assignment = assign(app, &event, recipient, &catalog.package, 1 + n as i32).await;
        match (i + n) % 3 {
            0 => pending += 1,
            1 => advance(app, &assignment, false).await,
            _ => advance(app, &assignment, true).await,
        }
    }
    BigEvent {
        name,
        date,
        production,
        assembly,
        pending,
    }
}

/// The answer the §3.3 query must give for these events (the first `page` of them).
fn expected_answer(
    catalog_names: (&[String], &[String]),
    events: &[BigEvent],
    page: usize,
) -> Value {
    let (recipe_names, good_names) = catalog_names;
    let nodes: Vec<Value> = events
        .iter()
        .take(page)
        .map(|event| {
            let production_complete = event
                .production
                .iter()
                .all(|(target, runs)| runs.iter().map(|r| r.0).sum::<i32>() >= *target);
            let targets: Vec<Value> = event
                .production
                .iter()
                .enumerate()
                .map(|(r, (target, runs))| {
                    let produced: i32 = runs.iter().map(|run| run.0).sum();
                    let mut newest: Vec<&GeneratedRun> = runs.iter().collect();
                    newest.sort_by_key(|run| std::cmp::Reverse(run.2));
                    json!({
                        "targetBatches": target,
                        "recipe": {"name": recipe_names[r]},
                        "progress": {"producedBatches": produced,
                                     "progressPercent": f64::from(produced) * 100.0 / f64::from(*target),
                                     "isComplete": produced >= *target},
                        "productionRuns": {"totalCount": runs.len(), "nodes": newest.iter().take(5).map(|run| json!({
                            "numBatches": run.0, "actualYield": run.1,
                            "producedAt": run.2.and_utc().to_rfc3339()})).collect::<Vec<_>>()}
                    })
                })
                .collect();
            let assembly: Vec<Value> = event
                .assembly
                .iter()
                .enumerate()
                .map(|(g, (target, assembled))| {
                    json!({"targetQuantity": target, "finishedGood": {"name": good_names[g]},
                           "progress": {"assembledQuantity": assembled, "isComplete": assembled >= target}})
                })
                .collect();
            json!({
                "name": event.name,
                "eventDate": event.date.to_string(),
                "progress": {"packagesPending": event.pending, "productionComplete": production_complete},
                "productionTargets": targets,
                "assemblyTargets": assembly,
            })
        })
        .collect();
    json!({"events": {"nodes": nodes}})
}

/// The first place where two answers differ (path, got, expected), for a readable failure.
fn first_difference(got: &Value, expected: &Value, path: String) -> Option<String> {
    match (got, expected) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|key| {
                first_difference(
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                    format!("{path}.{key}"),
                )
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(x, y, format!("{path}[{i}]"))),
        // serde_json's default float parser may be one ulp off: compare floats closely.
        (Value::Number(a), Value::Number(b)) if a.is_f64() || b.is_f64() => {
            let (a, b) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            ((a - b).abs() > 1e-9 * b.abs().max(1.0))
                .then(|| format!("{path}: got {a}, expected {b}"))
        }
        _ if got == expected => None,
        _ => Some(format!("{path}: got {got}, expected {expected}")),
    }
}

fn assert_answer(got: &Value, expected: &Value) {
    if let Some(difference) = first_difference(got, expected, String::new()) {
        panic!("the answer differs at {difference}");
    }
}

/// Runs a query and returns its answer and how many SQL statements it issued.
async fn measured(app: &TestApp, query: &str) -> (Value, u64) {
    let before = app.statements();
    let data = app.ok(query, json!({})).await;
    (data, app.statements() - before)
}

db_test!(
    nested_progress_query_costs_the_same_for_2_and_40_events,
    |app| {
        let catalog = big_catalog(&app).await;
        let recipe_names: Vec<String> = (0..RECIPES).map(|r| format!("Recipe {r}")).collect();
        let good_names: Vec<String> = (0..GOODS).map(|g| format!("Box {g}")).collect();
        let names = (recipe_names.as_slice(), good_names.as_slice());

        let mut events = Vec::new();
        for i in 0..2 {
            events.push(big_event(&app, &catalog, i).await);
        }
        // The runs were loaded with SQL, behind the recording path that keeps the totals.
        run_totals::rebuild(&app.db).await.expect("totals rebuilt");
        let (small, small_count) = measured(&app, NESTED_PROGRESS).await;
        assert_answer(&small, &expected_answer(names, &events, 20));

        for i in 2..40 {
            events.push(big_event(&app, &catalog, i).await);
        }
        run_totals::rebuild(&app.db).await.expect("totals rebuilt");
        assert_eq!(run_totals::mismatches(&app.db).await.expect("checked"), 0);
        let (large, large_count) = measured(&app, NESTED_PROGRESS).await;
        assert_answer(&large, &expected_answer(names, &events, 20));
        // The second page of 20: the other half of the 40 events, at the same cost.
        let cursor = app
            .ok(
                "{ events(first: 20) { pageInfo { endCursor } } }",
                json!({}),
            )
            .await["events"]["pageInfo"]["endCursor"]
            .as_str()
            .expect("a cursor")
            .to_string();
        let second_page = NESTED_PROGRESS.replace(
            "events(first: 20)",
            &format!("events(first: 20, after: \"{cursor}\")"),
        );
        let (rest, rest_count) = measured(&app, &second_page).await;
        assert_answer(&rest, &expected_answer(names, &events[20..], 20));

        eprintln!(
            "[{}] §3.3 statements: 2 events {small_count}, first 20 of 40 events {large_count}, \
             last 20 of 40 events {rest_count}",
            app.backend.name()
        );
        assert_eq!(
            small_count, large_count,
            "the §3.3 query must issue as many statements for 2 events as for 40"
        );
        assert_eq!(
            small_count, rest_count,
            "every page of the §3.3 query costs the same number of statements"
        );
        // Sanity: the answers really cover the large data set.
        let nodes = rest["events"]["nodes"].as_array().expect("nodes");
        assert_eq!(nodes.len(), 20);
        assert_eq!(nodes[19]["name"], "Event 39");
        assert_eq!(
            nodes[19]["productionTargets"][2]["productionRuns"]["totalCount"],
            json!(8) // 6 runs, + 2 for the third recipe, + 39 % 3 = 0 for event 39
        );
    }
);
