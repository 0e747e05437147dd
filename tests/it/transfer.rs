//! Export and import (SPEC §1.8, issue 12): round trips between the backends on the demo
//! set and on generated data, refused documents that change nothing, MERGE twice, the
//! command line, and the published JSON Schema.

use crate::harness::TestApp;
use bakeplan::db::Backend;
use bakeplan::transfer::{self, document::Document, ImportMode};
use serde_json::{json, Value};

const IMPORT: &str = "mutation($document: JSON!, $mode: ImportMode) {
  importData(document: $document, mode: $mode) { mode created skipped kinds { kind created skipped } } }";

/// Every query a baker reads: the §3.3 shape, the dashboard, lots, inventory and costs.
const READ_BACK: &str = "{
  events(first: 20) { totalCount nodes { name eventDate year notes
    progress { productionTargetsCount productionCompleteCount productionComplete assemblyTargetsCount
      assemblyCompleteCount assemblyComplete packagesPending packagesReady packagesDelivered packagesTotal isComplete }
    productionTargets { targetBatches recipe { name } progress { producedBatches producedYield remainingBatches progressPercent isComplete }
      productionRuns(first: 5) { totalCount nodes { numBatches actualYield producedAt totalIngredientCost perUnitCost } } }
    assemblyTargets { targetQuantity finishedGood { name } progress { assembledQuantity remainingQuantity isComplete } }
    assignments { quantity fulfillmentStatus deliveredTo readyAt deliveredAt recipient { name } package { name } }
    costSummary { plannedCost actualCost variance recipes { recipe { name } batchesPlanned batchesProduced plannedCost actualCost variance } }
    shoppingList { __typename } recipeNeeds { recipe { name } unitsNeeded batchesNeeded } } }
  productionDashboard(includeCompleted: true) { event { name } progress { isComplete packagesTotal } costSummary { actualCost plannedCost } }
  ingredients(first: 100) { nodes { name slug unit onHand densityGramsPerMl
    lots { purchasedOn quantityPurchased quantityRemaining unitCost totalCost product { brand } } } }
  finishedUnits(first: 100) { nodes { slug inventoryCount averageUnitCost } }
  finishedGoods(first: 100) { nodes { slug inventoryCount averageUnitCost components { kind quantity } } }
  recipes(first: 100) { nodes { name estimatedBatchCost aggregatedIngredients(batches: 2) { __typename } } }
  productionRuns(first: 100) { totalCount nodes { recipe { name } event { name } numBatches expectedYield actualYield producedAt
    totalIngredientCost perUnitCost consumptions { ingredientName quantity unit unitCost cost } } }
  assemblyRuns(first: 100) { totalCount nodes { finishedGood { name } quantity assembledAt totalComponentCost perUnitCost
    consumptions { quantity unit unitCost cost } } }
}";

/// A response with every `id` and `cursor` removed (they differ between databases).
fn without_ids(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| k != "id" && k != "cursor")
                .map(|(k, v)| (k, without_ids(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_ids).collect()),
        other => other,
    }
}

fn comparable(document: &Document) -> Value {
    let mut value = serde_json::to_value(document).expect("document to JSON");
    value["exportedAt"] = Value::Null;
    value
}

async fn export(app: &TestApp) -> Document {
    transfer::export(&app.db).await.expect("export")
}

/// Exports `from`, imports into a fresh database of each backend in turn (SQLite →
/// PostgreSQL → SQLite), and checks each export and every read-back query is the same.
async fn round_trip(from: &TestApp) {
    let original = export(from).await;
    let reads = without_ids(from.ok(READ_BACK, json!({})).await);
    let mut document = original.clone();
    for backend in [Backend::Postgres, Backend::Sqlite] {
        let to = TestApp::spawn(backend).await;
        let counts = transfer::import(&to.db, &document, ImportMode::Merge)
            .await
            .expect("import of an export");
        assert_eq!(counts.skipped(), 0);
        let again = export(&to).await;
        assert_eq!(
            comparable(&again),
            comparable(&original),
            "export after import on {backend:?}"
        );
        assert_eq!(
            without_ids(to.ok(READ_BACK, json!({})).await),
            reads,
            "queries after import on {backend:?}"
        );
        assert_eq!(
            bakeplan::store::run_totals::mismatches(&to.db)
                .await
                .expect("totals"),
            0
        );
        document = again;
        to.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_set_round_trips_between_backends() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    transfer::demo::load(&app.db, false).await.expect("demo");
    round_trip(&app).await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_set_round_trips_between_backends() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let args = bakeplan::bench_data::BenchDataArgs {
        events: 4,
        recipes: 20,
        finished_goods: 8,
        production_runs: 400,
        assembly_runs: 120,
        production_targets: 5,
        assembly_targets: 3,
        seed: 7,
    };
    bakeplan::bench_data::fill(&app.db, &args)
        .await
        .expect("bench data");
    // The demo on top: lots, consumptions and adjustments next to the generated runs.
    transfer::demo::load(&app.db, false)
        .await
        .expect_err("the demo refuses a database with data");
    let demo = transfer::parse(transfer::demo::DEMO_JSON).expect("demo parses");
    transfer::import(&app.db, &demo, ImportMode::Merge)
        .await
        .expect("merge demo");
    round_trip(&app).await;
    app.finish().await;
}

crate::db_test!(exports_are_deterministic_and_graphql_agrees, |app| {
    transfer::demo::load(&app.db, false).await.expect("demo");
    let a = transfer::to_pretty_json(&export(&app).await).expect("json");
    let b = transfer::to_pretty_json(&export(&app).await).expect("json");
    let strip = |text: &str| {
        text.lines()
            .filter(|l| !l.contains("exportedAt"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&a), strip(&b), "same data, same bytes");
    let over_graphql = app.ok("{ exportData }", json!({})).await["exportData"].clone();
    let mut over_graphql: Document = serde_json::from_value(over_graphql).expect("a document");
    over_graphql.exported_at.clear();
    let mut direct = export(&app).await;
    direct.exported_at.clear();
    assert_eq!(over_graphql, direct);
});

crate::db_test!(merge_of_the_same_document_twice_changes_nothing, |app| {
    let document: Value = serde_json::from_str(transfer::demo::DEMO_JSON).expect("json");
    let first = app.ok(IMPORT, json!({"document": document})).await["importData"].clone();
    assert_eq!(first["mode"], "MERGE");
    assert_eq!(first["skipped"], 0);
    let runs = first["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "productionRuns")
        .unwrap()
        .clone();
    assert_eq!(runs["created"], 8);
    let before = app.snapshot().await;
    let second = app
        .ok(IMPORT, json!({"document": document, "mode": "MERGE"}))
        .await["importData"]
        .clone();
    assert_eq!(second["created"], 0);
    assert_eq!(second["skipped"], first["created"]);
    app.assert_unchanged(&before, "a second MERGE").await;
    // REPLACE of the same document gives the same data again.
    let third = app
        .ok(IMPORT, json!({"document": document, "mode": "REPLACE"}))
        .await["importData"]
        .clone();
    assert_eq!(third["created"], first["created"]);
    let mut exported = export(&app).await;
    exported.exported_at.clear();
    let mut shipped = transfer::parse(transfer::demo::DEMO_JSON).unwrap();
    shipped.exported_at.clear();
    assert_eq!(exported, shipped);
});

/// Applies `edit` to the demo document.
fn broken(edit: impl FnOnce(&mut Value)) -> Value {
    let mut document: Value = serde_json::from_str(transfer::demo::DEMO_JSON).expect("json");
    edit(&mut document);
    document
}

crate::db_test!(broken_documents_import_nothing_and_name_the_entry, |app| {
    transfer::demo::load(&app.db, false).await.expect("demo");
    let before = app.snapshot().await;
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "dangling reference",
            broken(|d| d["productionRuns"][3]["recipe"] = json!("Gingerbread")),
            "productionRuns[3].recipe: no recipe \"Gingerbread\"",
        ),
        (
            "duplicate natural key",
            broken(|d| {
                let copy = d["ingredients"][0].clone();
                d["ingredients"].as_array_mut().unwrap().push(copy);
            }),
            "duplicate ingredient slug",
        ),
        (
            "negative quantity",
            broken(|d| d["lots"][0]["quantityRemaining"] = json!("-1")),
            "lots[0].quantityRemaining: -1 must not be negative",
        ),
        (
            "unknown unit",
            broken(|d| d["recipes"][0]["ingredients"][0]["unit"] = json!("handful")),
            "recipes[0].ingredients[0].unit: unknown unit",
        ),
        (
            "wrong version",
            broken(|d| d["version"] = json!(2)),
            "version: this server reads version 1",
        ),
        (
            "wrong format",
            broken(|d| d["format"] = json!("other")),
            "format: this is not a Bakeplan export",
        ),
        (
            "wrong shape",
            broken(|d| d["events"][0]["eventDate"] = json!(20261224)),
            "events[0].eventDate",
        ),
        (
            "contradicting inventory",
            broken(|d| d["finishedUnits"][0]["inventoryCount"] = json!(999)),
            "finishedUnits[0].inventoryCount",
        ),
        (
            "contradicting lot",
            broken(|d| d["lots"][0]["quantityRemaining"] = json!("1")),
            "lots[0].quantityRemaining",
        ),
        (
            "contradicting cost",
            broken(|d| d["productionRuns"][0]["totalIngredientCost"] = json!("1")),
            "productionRuns[0].totalIngredientCost",
        ),
        (
            "too precise",
            broken(|d| d["lots"][0]["totalCost"] = json!("1.000001")),
            "lots[0].totalCost",
        ),
    ];
    for mode in ["MERGE", "REPLACE"] {
        for (what, document, needle) in &cases {
            let error = app
                .error(IMPORT, json!({"document": document, "mode": mode}))
                .await;
            assert_eq!(error.code, "BAD_USER_INPUT", "{what} ({mode}): {error:?}");
            assert!(
                error.message.contains(needle),
                "{what} ({mode}): {:?} lacks {needle:?}",
                error.message
            );
            app.assert_unchanged(&before, what).await;
        }
    }
    // MERGE refuses what would change an existing row: a new run of an existing unit.
    let document =
        broken(|d| d["productionRuns"][0]["uuid"] = json!(uuid::Uuid::new_v4().to_string()));
    let error = app.error(IMPORT, json!({"document": document})).await;
    error.expect("BAD_USER_INPUT", "productionRuns[0].finishedUnit");
    app.assert_unchanged(&before, "a new run of an existing unit")
        .await;
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_data_has_its_own_size_limit() {
    let schema = bakeplan::graphql::build_schema(
        None,
        bakeplan::graphql::Limits {
            max_import_bytes: 100,
            ..Default::default()
        },
    );
    let document: Value = serde_json::from_str(transfer::demo::DEMO_JSON).unwrap();
    let request = async_graphql::Request::new(IMPORT).variables(
        async_graphql::Variables::from_json(json!({"document": document})),
    );
    let response = schema.execute(request).await;
    let message = response
        .errors
        .first()
        .map(|e| e.message.clone())
        .unwrap_or_default();
    assert!(message.contains("--max-import-bytes"), "{message}");
}

crate::db_test!(
    an_import_may_exceed_the_body_limit_and_nothing_else_may,
    |app| {
        let source = TestApp::spawn(Backend::Sqlite).await;
        let args = bakeplan::bench_data::BenchDataArgs {
            events: 2,
            recipes: 10,
            finished_goods: 4,
            production_runs: 6000,
            assembly_runs: 10,
            production_targets: 3,
            assembly_targets: 2,
            seed: 3,
        };
        bakeplan::bench_data::fill(&source.db, &args)
            .await
            .expect("bench data");
        let document = serde_json::to_value(export(&source).await).unwrap();
        source.finish().await;

        let body = json!({"query": IMPORT, "variables": {"document": document}}).to_string();
        assert!(
            body.len() > 1_048_576,
            "the import must exceed the default body limit"
        );
        let (status, reply) = app
            .http(
                "POST",
                "/graphql",
                &[("content-type", "application/json")],
                Some(&body),
            )
            .await;
        assert_eq!(status, 200, "{}", &reply[..reply.len().min(500)]);
        assert!(
            reply.contains("\"created\""),
            "{}",
            &reply[..reply.len().min(500)]
        );

        let padded = json!({"query": "query($x: String) { __typename }",
                        "variables": {"x": "a".repeat(body.len())}})
        .to_string();
        let (status, reply) = app
            .http(
                "POST",
                "/graphql",
                &[("content-type", "application/json")],
                Some(&padded),
            )
            .await;
        assert_eq!(status, 413, "{reply}");
        assert!(reply.contains("--max-body-bytes"), "{reply}");
    }
);

crate::db_test!(
    a_run_recorded_with_nanoseconds_exports_and_imports_exactly,
    |app| {
        let unit = crate::fixtures::baked_item(&app, "Plain Cookie").await;
        let recipes = app
            .ok("{ recipes(first: 5) { nodes { id } } }", json!({}))
            .await;
        let recipe = recipes["recipes"]["nodes"][0]["id"].clone();
        let recorded = app
        .ok(
            "mutation($input: RecordProductionInput!) { recordProduction(input: $input) { productionRun { producedAt } } }",
            json!({"input": {"recipeId": recipe, "finishedUnitId": unit["id"], "numBatches": 1,
                             "actualYield": 24, "producedAt": "2026-12-05T10:30:00.123456789Z"}}),
        )
        .await;
        // Stored to the microsecond on both backends, so the export imports anywhere.
        assert_eq!(
            recorded["recordProduction"]["productionRun"]["producedAt"],
            "2026-12-05T10:30:00.123456+00:00"
        );
        let document = export(&app).await;
        assert_eq!(
            document.production_runs[0].produced_at,
            "2026-12-05T10:30:00.123456Z"
        );
        let other = TestApp::spawn(match app.backend {
            Backend::Sqlite => Backend::Postgres,
            Backend::Postgres => Backend::Sqlite,
        })
        .await;
        transfer::import(&other.db, &document, ImportMode::Replace)
            .await
            .expect("import");
        assert_eq!(comparable(&export(&other).await), comparable(&document));
        other.finish().await;
    }
);
