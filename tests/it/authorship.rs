//! Who did it (SPEC §4.1, issue #11 item 5): runs, lots, adjustments and fulfillment steps
//! keep the name of the API token that made them (`recordedBy`, `readyBy`, `deliveredBy`),
//! `null` without one; exports carry the names and imports keep them, and older documents
//! without them still import.
//!
//! Requests with authentication off (the test server's default) have no named caller, so
//! they record `null`; named callers send a real baker token over HTTP to an instance with
//! `--auth required` on the same database, through [`TestApp::ok_as`].

use crate::fixtures::cookie_kitchen;
use crate::fixtures::purchase;
use crate::harness::TestApp;
use bakeplan::db::Backend;
use bakeplan::transfer::{self, document::Document, ImportMode};
use serde_json::{json, Value};

const PURCHASE: &str = "mutation($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) { id recordedBy } }";

const ADJUST: &str = "mutation($input: AdjustInventoryLotInput!) {
  adjustInventoryLot(input: $input) { lot { recordedBy } adjustment { id recordedBy } } }";

const PRODUCE: &str = "mutation($input: RecordProductionInput!) {
  recordProduction(input: $input) { replayed productionRun { id recordedBy } } }";

const ASSEMBLE: &str = "mutation($input: RecordAssemblyInput!) {
  recordAssembly(input: $input) { replayed assemblyRun { id recordedBy } } }";

const STATUS: &str = "mutation($input: UpdateFulfillmentStatusInput!) {
  updateFulfillmentStatus(input: $input) { fulfillmentStatus readyBy deliveredBy } }";

/// Every author the database holds, read back over HTTP: lots with their adjustments,
/// runs and assignments, in a stable order.
const AUTHORS: &str = "{
  ingredients(first: 20) { nodes { slug lots { recordedBy adjustments { reason recordedBy } } } }
  productionRuns(first: 20) { nodes { numBatches recordedBy } }
  assemblyRuns(first: 20) { nodes { quantity recordedBy } }
  events(first: 5) { nodes { assignments { recipient { name } fulfillmentStatus readyBy deliveredBy } } }
}";

/// What [`record_with_authors`] leaves, as [`AUTHORS`] reads it.
fn expected_authors() -> Value {
    json!({
        "ingredients": {"nodes": [
            {"slug": "butter", "lots": [{"recordedBy": "anna", "adjustments": []}]},
            {"slug": "cellophane-bag", "lots": [{"recordedBy": null, "adjustments": []}]},
            {"slug": "eggs", "lots": [{"recordedBy": "anna", "adjustments": [{"reason": "cracked", "recordedBy": "ben"}]}]},
            {"slug": "flour", "lots": [{"recordedBy": "anna", "adjustments": []}]},
        ]},
        "productionRuns": {"nodes": [{"numBatches": 1, "recordedBy": "carla"}]},
        "assemblyRuns": {"nodes": [{"quantity": 2, "recordedBy": "dan"}]},
        "events": {"nodes": [{"assignments": [
            {"recipient": {"name": "Aunt Marge"}, "fulfillmentStatus": "DELIVERED", "readyBy": "erin", "deliveredBy": "finn"},
            {"recipient": {"name": "Uncle Bob"}, "fulfillmentStatus": "DELIVERED", "readyBy": "gus", "deliveredBy": null},
            {"recipient": {"name": "Zia"}, "fulfillmentStatus": "PENDING", "readyBy": null, "deliveredBy": null},
        ]}]},
    })
}

/// Records a pantry, an adjustment, a production and an assembly run and three
/// assignments' fulfillment steps, each by a named token, except the bag purchase and
/// one delivery, made without a caller. Checks what each mutation answers.
pub async fn record_with_authors(app: &TestApp) -> Value {
    let k = cookie_kitchen(app).await;
    let bought = |ingredient: &str, quantity: &str, unit: &str, cost: &str| {
        json!({"input": {"ingredientId": k[ingredient], "quantity": quantity, "unit": unit,
                         "totalCost": cost, "purchasedOn": "2026-11-01"}})
    };
    let flour = app
        .ok_as("anna", PURCHASE, bought("flour", "5", "lb", "6.00"))
        .await;
    assert_eq!(flour["recordPurchase"]["recordedBy"], "anna");
    app.ok_as("anna", PURCHASE, bought("butter", "4", "cup", "8.00"))
        .await;
    let mut eggs = bought("eggs", "2", "dozen", "7.20");
    eggs["input"]["idempotencyKey"] = json!("eggs-1");
    let lot = app.ok_as("anna", PURCHASE, eggs.clone()).await["recordPurchase"].clone();
    assert_eq!(lot["recordedBy"], "anna");
    // A retry by someone else returns the first lot, with its author.
    let replay = app.ok_as("zoe", PURCHASE, eggs).await["recordPurchase"].clone();
    assert_eq!(replay, lot);
    let bag = purchase(
        app,
        json!({"ingredientId": k["bag"], "quantity": "10", "unit": "each",
                                   "totalCost": "2.50", "purchasedOn": "2026-11-01"}),
    )
    .await;

    let adjusted = app
        .ok_as(
            "ben",
            ADJUST,
            json!({"input": {"lotId": lot["id"], "quantityChange": "-1", "reason": "cracked"}}),
        )
        .await;
    // The adjustment has its author; the lot keeps the purchase's.
    assert_eq!(
        adjusted["adjustInventoryLot"],
        json!({"lot": {"recordedBy": "anna"}, "adjustment": {
            "id": adjusted["adjustInventoryLot"]["adjustment"]["id"], "recordedBy": "ben"}})
    );

    let bake = json!({"input": {"recipeId": k["recipe"], "finishedUnitId": k["cookie"], "numBatches": 1,
                                "actualYield": 24, "eventId": k["event"], "idempotencyKey": "bake-1"}});
    let baked = app.ok_as("carla", PRODUCE, bake.clone()).await["recordProduction"].clone();
    assert_eq!(baked["replayed"], false);
    assert_eq!(baked["productionRun"]["recordedBy"], "carla");
    let again = app.ok_as("zoe", PRODUCE, bake).await["recordProduction"].clone();
    assert_eq!(again["replayed"], true);
    assert_eq!(again["productionRun"], baked["productionRun"]);

    let boxed = app
        .ok_as(
            "dan",
            ASSEMBLE,
            json!({"input": {"finishedGoodId": k["box"], "quantity": 2, "eventId": k["event"]}}),
        )
        .await["recordAssembly"]
        .clone();
    assert_eq!(boxed["assemblyRun"]["recordedBy"], "dan");

    let package = crate::fixtures::package(
        app,
        "Cookie Parcel",
        json!([{"finishedGoodId": k["box"], "quantity": 1}]),
    )
    .await;
    let mut assignments = Vec::new();
    for name in ["Aunt Marge", "Uncle Bob", "Zia"] {
        let recipient = crate::fixtures::recipient(app, name).await;
        let assignment = crate::fixtures::assign(
            app,
            json!({"eventId": k["event"], "recipientId": recipient["id"], "packageId": package["id"], "quantity": 1}),
        )
        .await;
        assignments.push(assignment["id"].clone());
    }
    let step = |id: &Value, status: &str| json!({"input": {"assignmentId": id, "status": status}});
    let ready = app
        .ok_as("erin", STATUS, step(&assignments[0], "READY"))
        .await;
    assert_eq!(
        ready["updateFulfillmentStatus"],
        json!({"fulfillmentStatus": "READY", "readyBy": "erin", "deliveredBy": null})
    );
    let delivered = app
        .ok_as("finn", STATUS, step(&assignments[0], "DELIVERED"))
        .await;
    // READY's author stays: statuses only move forward.
    assert_eq!(
        delivered["updateFulfillmentStatus"],
        json!({"fulfillmentStatus": "DELIVERED", "readyBy": "erin", "deliveredBy": "finn"})
    );
    app.ok_as("gus", STATUS, step(&assignments[1], "READY"))
        .await;
    // Delivered without a caller: no author for that step, READY's kept.
    let anonymous = app.ok(STATUS, step(&assignments[1], "DELIVERED")).await;
    assert_eq!(
        anonymous["updateFulfillmentStatus"],
        json!({"fulfillmentStatus": "DELIVERED", "readyBy": "gus", "deliveredBy": null})
    );

    assert_eq!(app.ok(AUTHORS, json!({})).await, expected_authors());
    json!({"kitchen": k, "bag": bag, "assignments": assignments})
}

crate::db_test!(without_a_caller_nothing_names_an_author, |app| {
    let k = cookie_kitchen(&app).await;
    let lot = app
        .ok(
            PURCHASE,
            json!({"input": {"ingredientId": k["eggs"], "quantity": "12", "unit": "each", "totalCost": "3.60"}}),
        )
        .await["recordPurchase"]
        .clone();
    assert_eq!(lot["recordedBy"], Value::Null);
    for (ingredient, quantity) in [("flour", "2000"), ("butter", "500"), ("bag", "5")] {
        purchase(
            &app,
            json!({"ingredientId": k[ingredient], "quantity": quantity, "unit": if ingredient == "bag" { "each" } else { "g" }, "totalCost": "1"}),
        )
        .await;
    }
    let adjusted = app
        .ok(
            ADJUST,
            json!({"input": {"lotId": lot["id"], "quantityChange": "-1", "reason": "cracked"}}),
        )
        .await;
    assert_eq!(
        adjusted["adjustInventoryLot"]["adjustment"]["recordedBy"],
        Value::Null
    );
    let baked = app
        .ok(
            PRODUCE,
            json!({"input": {"recipeId": k["recipe"], "finishedUnitId": k["cookie"], "numBatches": 1, "actualYield": 24}}),
        )
        .await;
    assert_eq!(
        baked["recordProduction"]["productionRun"]["recordedBy"],
        Value::Null
    );
    let boxed = app
        .ok(
            ASSEMBLE,
            json!({"input": {"finishedGoodId": k["box"], "quantity": 1}}),
        )
        .await;
    assert_eq!(
        boxed["recordAssembly"]["assemblyRun"]["recordedBy"],
        Value::Null
    );
    let package = crate::fixtures::package(
        &app,
        "Parcel",
        json!([{"finishedGoodId": k["box"], "quantity": 1}]),
    )
    .await;
    let recipient = crate::fixtures::recipient(&app, "Aunt Marge").await;
    let assignment = crate::fixtures::assign(
        &app,
        json!({"eventId": k["event"], "recipientId": recipient["id"], "packageId": package["id"], "quantity": 1}),
    )
    .await;
    assert_eq!(assignment["fulfillmentStatus"], "PENDING");
    for status in ["READY", "DELIVERED"] {
        let changed = app
            .ok(
                STATUS,
                json!({"input": {"assignmentId": assignment["id"], "status": status}}),
            )
            .await;
        assert_eq!(
            changed["updateFulfillmentStatus"],
            json!({"fulfillmentStatus": status, "readyBy": null, "deliveredBy": null})
        );
    }
    let rows = crate::fixtures::sql_number(
        &app,
        "SELECT CAST((SELECT COUNT(*) FROM inventory_lots WHERE recorded_by IS NOT NULL) + \
         (SELECT COUNT(*) FROM inventory_adjustments WHERE recorded_by IS NOT NULL) + \
         (SELECT COUNT(*) FROM production_runs WHERE recorded_by IS NOT NULL) + \
         (SELECT COUNT(*) FROM assembly_runs WHERE recorded_by IS NOT NULL) + \
         (SELECT COUNT(*) FROM event_recipient_packages WHERE ready_by IS NOT NULL OR delivered_by IS NOT NULL) \
         AS BIGINT) AS n",
    )
    .await;
    assert_eq!(rows, 0);
});

crate::db_test!(a_named_caller_is_recorded_as_the_author, |app| {
    record_with_authors(&app).await;
});

fn comparable(document: &Document) -> Value {
    let mut value = serde_json::to_value(document).expect("document to JSON");
    value["exportedAt"] = Value::Null;
    value
}

/// The authors of an export, in document order.
fn document_authors(document: &Document) -> Value {
    json!({
        "lots": document.lots.iter().map(|l| json!([l.ingredient, l.recorded_by,
            l.adjustments.iter().map(|a| a.recorded_by.clone()).collect::<Vec<_>>()])).collect::<Vec<_>>(),
        "productionRuns": document.production_runs.iter().map(|r| r.recorded_by.clone()).collect::<Vec<_>>(),
        "assemblyRuns": document.assembly_runs.iter().map(|r| r.recorded_by.clone()).collect::<Vec<_>>(),
        "assignments": document.assignments.iter().map(|a| json!([a.ready_by, a.delivered_by])).collect::<Vec<_>>(),
    })
}

crate::db_test!(exports_carry_the_authors_and_imports_keep_them, |app| {
    record_with_authors(&app).await;
    let document = transfer::export(&app.db).await.expect("export");
    assert_eq!(
        document_authors(&document),
        json!({
            "lots": [["flour", "anna", []], ["butter", "anna", []], ["eggs", "anna", ["ben"]],
                     ["cellophane-bag", null, []]],
            "productionRuns": ["carla"],
            "assemblyRuns": ["dan"],
            "assignments": [["erin", "finn"], ["gus", null], [null, null]],
        })
    );
    // Every author field is written, `null` included, so exports stay byte-identical.
    let text = transfer::to_pretty_json(&document).expect("json");
    assert_eq!(text.matches("\"recordedBy\": null").count(), 1);
    assert_eq!(text.matches("\"readyBy\": null").count(), 1);
    assert_eq!(text.matches("\"deliveredBy\": null").count(), 2);

    // Into the other backend, by either mode, and out again the same.
    let other = match app.backend {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    };
    for mode in [ImportMode::Replace, ImportMode::Merge] {
        let to = TestApp::spawn(other).await;
        transfer::import(&to.db, &document, mode)
            .await
            .expect("import of an export");
        assert_eq!(
            comparable(&transfer::export(&to.db).await.unwrap()),
            comparable(&document),
            "{mode:?} into {other:?}"
        );
        assert_eq!(to.ok(AUTHORS, json!({})).await, expected_authors());
        to.finish().await;
    }
    // REPLACE into the same database, over GraphQL.
    let imported = app
        .ok(
            "mutation($document: JSON!) { importData(document: $document, mode: REPLACE) { created } }",
            json!({"document": serde_json::to_value(&document).unwrap()}),
        )
        .await;
    assert!(imported["importData"]["created"].as_i64().unwrap() > 0);
    assert_eq!(app.ok(AUTHORS, json!({})).await, expected_authors());
});

/// Removes every author field, as in an export made before they existed.
fn without_authors(value: &mut Value) -> usize {
    match value {
        Value::Object(map) => {
            let mut removed = 0;
            for key in ["recordedBy", "readyBy", "deliveredBy"] {
                removed += usize::from(map.remove(key).is_some());
            }
            removed + map.values_mut().map(without_authors).sum::<usize>()
        }
        Value::Array(items) => items.iter_mut().map(without_authors).sum(),
        _ => 0,
    }
}

crate::db_test!(older_documents_without_authors_still_import, |app| {
    record_with_authors(&app).await;
    let mut older = serde_json::to_value(transfer::export(&app.db).await.unwrap()).unwrap();
    // 4 lots, 1 adjustment, 1 + 1 runs, 3 assignments × 2.
    assert_eq!(without_authors(&mut older), 13);
    for mode in ["REPLACE", "MERGE"] {
        let to = TestApp::spawn(app.backend).await;
        to.ok(
            "mutation($document: JSON!, $mode: ImportMode) { importData(document: $document, mode: $mode) { created } }",
            json!({"document": older, "mode": mode}),
        )
        .await;
        let mut expected = expected_authors();
        null_authors(&mut expected);
        assert_eq!(to.ok(AUTHORS, json!({})).await, expected, "{mode}");
        let exported = transfer::export(&to.db).await.unwrap();
        let mut shown = serde_json::to_value(&exported).unwrap();
        shown["exportedAt"] = Value::Null;
        let mut written = older.clone();
        written["exportedAt"] = Value::Null;
        // The export writes the fields again, as null; nothing else differs.
        assert_eq!(without_authors(&mut shown), 13);
        assert_eq!(shown, written, "{mode}");
        to.finish().await;
    }
    // The shipped demo is such a document too.
    assert!(!transfer::demo::DEMO_JSON.contains("recordedBy"));
    let demo = TestApp::spawn(app.backend).await;
    transfer::demo::load(&demo.db, false).await.expect("demo");
    let exported = transfer::export(&demo.db).await.unwrap();
    assert!(exported
        .lots
        .iter()
        .all(|l| l.recorded_by.is_none() && l.adjustments.iter().all(|a| a.recorded_by.is_none())));
    assert!(exported
        .production_runs
        .iter()
        .all(|r| r.recorded_by.is_none()));
    assert!(exported
        .assembly_runs
        .iter()
        .all(|r| r.recorded_by.is_none()));
    assert!(exported
        .assignments
        .iter()
        .all(|a| a.ready_by.is_none() && a.delivered_by.is_none()));
    demo.finish().await;
});

/// Sets every string author in an [`AUTHORS`] answer to null.
fn null_authors(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if ["recordedBy", "readyBy", "deliveredBy"].contains(&key.as_str()) {
                    *v = Value::Null;
                } else {
                    null_authors(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(null_authors),
        _ => {}
    }
}

crate::db_test!(imports_refuse_authors_that_break_the_rules, |app| {
    transfer::demo::load(&app.db, false).await.expect("demo");
    let before = app.snapshot().await;
    let demo: Value = serde_json::from_str(transfer::demo::DEMO_JSON).unwrap();
    let edited = |edit: &dyn Fn(&mut Value)| {
        let mut document = demo.clone();
        edit(&mut document);
        document
    };
    assert_eq!(demo["assignments"][0]["fulfillmentStatus"], "PENDING");
    assert_eq!(demo["assignments"][4]["fulfillmentStatus"], "READY");
    let cases: Vec<(Value, &str)> = vec![
        (
            edited(&|d| d["assignments"][0]["readyBy"] = json!("erin")),
            "assignments[0].readyBy: is only given with readyAt",
        ),
        (
            edited(&|d| d["assignments"][4]["deliveredBy"] = json!("finn")),
            "assignments[4].deliveredBy: is only given with deliveredAt",
        ),
        (
            edited(&|d| d["productionRuns"][0]["recordedBy"] = json!("x".repeat(201))),
            "productionRuns[0].recordedBy: recordedBy is 201 characters long; at most 200 are allowed",
        ),
        (
            edited(&|d| d["assemblyRuns"][0]["recordedBy"] = json!("a\u{0}b")),
            "assemblyRuns[0].recordedBy: recordedBy must not contain the NUL character",
        ),
        (
            edited(&|d| d["lots"][0]["recordedBy"] = json!(7)),
            "lots[0].recordedBy",
        ),
        (
            edited(&|d| d["lots"][4]["adjustments"][0]["recordedBy"] = json!("y".repeat(201))),
            "lots[4].adjustments[0].recordedBy: recordedBy is 201 characters long",
        ),
        (
            edited(&|d| d["assignments"][7]["deliveredBy"] = json!("\u{0}")),
            "assignments[7].deliveredBy: deliveredBy must not contain the NUL character",
        ),
    ];
    for mode in ["MERGE", "REPLACE"] {
        for (document, needle) in &cases {
            let error = app
                .error(
                    "mutation($document: JSON!, $mode: ImportMode) { importData(document: $document, mode: $mode) { created } }",
                    json!({"document": document, "mode": mode}),
                )
                .await;
            error.expect("BAD_USER_INPUT", needle);
            app.assert_unchanged(&before, needle).await;
        }
    }
});
