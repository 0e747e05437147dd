//! Recipients, events, assignments and the fulfillment workflow.

use crate::db_test;
use crate::fixtures::{
    self, assembly_run_row, assembly_target_row, count, production_run_row, production_target_row,
    sql, sql_number, ASSIGN, CREATE_EVENT, CREATE_RECIPIENT,
};
use crate::harness::TestApp;
use bakeplan::graphql::ids;
use serde_json::{json, Value};

const UPDATE_EVENT: &str = "mutation($input: UpdateEventInput!) {
  updateEvent(input: $input) { id name eventDate year notes } }";
const DELETE_EVENT: &str = "mutation($id: ID!, $cascade: Boolean) {
  deleteEvent(id: $id, cascadeAssignments: $cascade) { deletedId } }";
const UPDATE_RECIPIENT: &str = "mutation($input: UpdateRecipientInput!) {
  updateRecipient(input: $input) { id name householdName address notes } }";
const DELETE_RECIPIENT: &str = "mutation($id: ID!) { deleteRecipient(id: $id) { deletedId } }";
const UPDATE_ASSIGNMENT: &str = "mutation($input: UpdateAssignmentInput!) {
  updateAssignment(input: $input) { id quantity notes } }";
const REMOVE_ASSIGNMENT: &str = "mutation($id: ID!) { removeAssignment(id: $id) { deletedId } }";
const SET_STATUS: &str = "mutation($input: UpdateFulfillmentStatusInput!) {
  updateFulfillmentStatus(input: $input) { id fulfillmentStatus deliveredTo readyAt deliveredAt updatedAt } }";

/// A package without items, through the API; returns its id.
async fn package(app: &TestApp, name: &str) -> Value {
    fixtures::package(app, name, json!([])).await["id"].clone()
}

/// A recipe, one of its finished units and a finished good holding it, through the API.
struct Catalog {
    recipe: Value,
    finished_unit: Value,
    finished_good: Value,
}

async fn catalog(app: &TestApp) -> Catalog {
    let recipe = fixtures::recipe(app, "Shortbread").await;
    let finished_unit = fixtures::finished_unit(app, &recipe["id"], "Shortbread Cookie", 24).await;
    let finished_good = fixtures::gift_box(
        app,
        "Cookie Box",
        json!([{"finishedUnitId": finished_unit["id"], "quantity": "6"}]),
    )
    .await;
    Catalog {
        recipe: recipe["id"].clone(),
        finished_unit: finished_unit["id"].clone(),
        finished_good: finished_good["id"].clone(),
    }
}

/// SQL only: a production target (3 batches) and an assembly target (5 boxes) for `event`.
async fn target_rows(app: &TestApp, catalog: &Catalog, event: &Value) {
    production_target_row(app, event, &catalog.recipe, 3).await;
    assembly_target_row(app, event, &catalog.finished_good, 5).await;
}

/// Everything this area stores, read back through the API, to compare before and after a
/// failed mutation.
async fn everything(app: &TestApp) -> Value {
    app.ok(
        "{ events(first: 100) { totalCount nodes { id name eventDate year notes updatedAt
             assignments { id quantity notes fulfillmentStatus deliveredTo readyAt deliveredAt updatedAt
               recipient { id } package { id } } } }
           recipients(first: 100) { totalCount nodes { id name householdName address notes updatedAt } } }",
        json!({}),
    )
    .await
}

db_test!(
    events_derive_their_year_and_names_are_unique_per_year,
    |app| {
        let a = fixtures::event(&app, "  Christmas  ", "2025-12-25").await;
        assert_eq!(a["name"], "Christmas");
        assert_eq!(a["year"], 2025);
        assert_eq!(a["eventDate"], "2025-12-25");
        let b = app
        .ok(
            CREATE_EVENT,
            json!({"input": {"name": "Christmas", "eventDate": "2026-12-24", "notes": " cookies "}}),
        )
        .await["createEvent"]
        .clone();
        assert_eq!(b["year"], 2026);
        assert_eq!(b["notes"], "cookies");

        let before = everything(&app).await;
        app.error(
            CREATE_EVENT,
            json!({"input": {"name": "CHRISTMAS", "eventDate": "2026-01-02"}}),
        )
        .await
        .expect("CONFLICT", "\"CHRISTMAS\" already exists in 2026");
        app.error(
            CREATE_EVENT,
            json!({"input": {"name": "  ", "eventDate": "2026-01-02"}}),
        )
        .await
        .expect("BAD_USER_INPUT", "must not be empty");
        app.error(
            CREATE_EVENT,
            json!({"input": {"name": "Easter", "eventDate": "2026-02-30"}}),
        )
        .await
        .expect("BAD_USER_INPUT", "YYYY-MM-DD");
        // Moving the 2026 event into 2025 collides with the 2025 one.
        app.error(
            UPDATE_EVENT,
            json!({"input": {"id": b["id"], "eventDate": "2025-12-20"}}),
        )
        .await
        .expect("CONFLICT", "already exists in 2025");
        assert_eq!(everything(&app).await, before, "nothing changed");

        // A new date re-derives the year; renaming to its own name (any case) is fine.
        let data = app
            .ok(
                UPDATE_EVENT,
                json!({"input": {"id": b["id"], "eventDate": "2027-01-06", "name": "christmas"}}),
            )
            .await;
        assert_eq!(
            data["updateEvent"],
            json!({"id": b["id"], "name": "christmas", "eventDate": "2027-01-06", "year": 2027, "notes": "cookies"})
        );
        let data = app
            .ok(
                UPDATE_EVENT,
                json!({"input": {"id": b["id"], "notes": null}}),
            )
            .await;
        assert_eq!(data["updateEvent"]["notes"], Value::Null);
        assert_eq!(data["updateEvent"]["year"], 2027, "absent fields are kept");
        // Now "Christmas" is free in 2026 again.
        fixtures::event(&app, "Christmas", "2026-12-25").await;

        let node = app
            .ok(
                "query($id: ID!) { node(id: $id) { __typename id ... on Event { name year } } }",
                json!({"id": a["id"]}),
            )
            .await;
        assert_eq!(
            node["node"],
            json!({"__typename": "Event", "id": a["id"], "name": "Christmas", "year": 2025})
        );
    }
);

db_test!(events_are_ordered_by_date_filtered_and_paged, |app| {
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    fixtures::event(&app, "Far Future", "2099-06-01").await;
    fixtures::event(&app, "Long Ago", "2020-12-25").await;
    fixtures::event(&app, "Today", &today).await;
    fixtures::event(&app, "Same Day A", "2099-01-01").await;
    fixtures::event(&app, "Same Day B", "2099-01-01").await;
    fixtures::event(&app, "Earlier Ago", "2020-03-01").await;

    let data = app
        .ok("{ events { totalCount nodes { name } } }", json!({}))
        .await;
    assert_eq!(data["events"]["totalCount"], 6);
    assert_eq!(
        data["events"]["nodes"],
        json!([{"name": "Earlier Ago"}, {"name": "Long Ago"}, {"name": "Today"},
               {"name": "Same Day A"}, {"name": "Same Day B"}, {"name": "Far Future"}])
    );
    let data = app
        .ok(
            "{ y2020: events(year: 2020) { totalCount nodes { name } }
               upcoming: events(upcoming: true) { totalCount nodes { name } }
               past: events(upcoming: false) { nodes { name } }
               both: events(year: 2099, upcoming: false) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data["y2020"]["totalCount"], 2);
    assert_eq!(
        data["y2020"]["nodes"],
        json!([{"name": "Earlier Ago"}, {"name": "Long Ago"}])
    );
    assert_eq!(
        data["upcoming"]["totalCount"], 4,
        "today counts as upcoming"
    );
    assert_eq!(data["upcoming"]["nodes"][0]["name"], "Today");
    assert_eq!(
        data["past"]["nodes"],
        json!([{"name": "Earlier Ago"}, {"name": "Long Ago"}])
    );
    assert_eq!(data["both"]["totalCount"], 0);

    let data = app
        .ok(
            "{ events(first: 2, upcoming: true) { pageInfo { hasNextPage endCursor } nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["events"]["nodes"],
        json!([{"name": "Today"}, {"name": "Same Day A"}])
    );
    assert_eq!(data["events"]["pageInfo"]["hasNextPage"], true);
    let data = app
        .ok(
            "query($after: String) { events(first: 2, after: $after, upcoming: true) {
               pageInfo { hasNextPage hasPreviousPage } nodes { name } } }",
            json!({"after": data["events"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(
        data["events"]["nodes"],
        json!([{"name": "Same Day B"}, {"name": "Far Future"}])
    );
    assert_eq!(
        data["events"]["pageInfo"],
        json!({"hasNextPage": false, "hasPreviousPage": true})
    );
    let data = app
        .ok("{ events(last: 1) { nodes { name } } }", json!({}))
        .await;
    assert_eq!(data["events"]["nodes"], json!([{"name": "Far Future"}]));
    app.error("{ events(first: 101) { totalCount } }", json!({}))
        .await
        .expect("BAD_USER_INPUT", "at most 100");
});

db_test!(recipients_are_created_updated_listed_and_deleted, |app| {
    let smith = app
        .ok(
            CREATE_RECIPIENT,
            json!({"input": {"name": " Grandma ", "householdName": "The Smiths", "address": "1 Elm St", "notes": "no nuts"}}),
        )
        .await["createRecipient"]
        .clone();
    assert_eq!(
        smith,
        json!({"id": smith["id"], "name": "Grandma", "householdName": "The Smiths", "address": "1 Elm St", "notes": "no nuts"})
    );
    let jones = fixtures::recipient(&app, "Grandma").await;
    fixtures::recipient(&app, "Alice").await;
    fixtures::recipient(&app, "Zed").await;

    let data = app
        .ok(
            "{ recipients { totalCount nodes { id name } pageInfo { startCursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["recipients"]["totalCount"], 4);
    let after_alice = data["recipients"]["pageInfo"]["startCursor"].clone();
    assert_eq!(
        data["recipients"]["nodes"],
        json!([{"id": data["recipients"]["nodes"][0]["id"], "name": "Alice"},
               {"id": smith["id"], "name": "Grandma"},
               {"id": jones["id"], "name": "Grandma"},
               {"id": data["recipients"]["nodes"][3]["id"], "name": "Zed"}]),
        "ordered by name, then id"
    );
    let data = app
        .ok(
            "query($after: String) { byName: recipients(search: \"GRAND\") { totalCount }
               byHousehold: recipients(search: \"smiths\") { nodes { name householdName } }
               page: recipients(first: 1, after: $after) { nodes { name } } }",
            json!({"after": after_alice}),
        )
        .await;
    assert_eq!(data["byName"]["totalCount"], 2);
    assert_eq!(
        data["byHousehold"]["nodes"],
        json!([{"name": "Grandma", "householdName": "The Smiths"}])
    );
    assert_eq!(data["page"]["nodes"], json!([{"name": "Grandma"}]));

    let data = app
        .ok(
            UPDATE_RECIPIENT,
            json!({"input": {"id": smith["id"], "householdName": null, "address": "2 Oak Ave"}}),
        )
        .await;
    assert_eq!(
        data["updateRecipient"],
        json!({"id": smith["id"], "name": "Grandma", "householdName": null, "address": "2 Oak Ave", "notes": "no nuts"})
    );
    let before = everything(&app).await;
    app.error(
        UPDATE_RECIPIENT,
        json!({"input": {"id": smith["id"], "name": " "}}),
    )
    .await
    .expect("BAD_USER_INPUT", "must not be empty");
    app.error(CREATE_RECIPIENT, json!({"input": {"name": ""}}))
        .await
        .expect("BAD_USER_INPUT", "must not be empty");
    assert_eq!(everything(&app).await, before, "nothing changed");

    let data = app.ok(DELETE_RECIPIENT, json!({"id": jones["id"]})).await;
    assert_eq!(data["deleteRecipient"]["deletedId"], jones["id"]);
    app.error(DELETE_RECIPIENT, json!({"id": jones["id"]}))
        .await
        .expect("NOT_FOUND", "was not found");
    let node = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Recipient { name assignments { id } } } }",
            json!({"id": smith["id"]}),
        )
        .await;
    assert_eq!(node["node"], json!({"name": "Grandma", "assignments": []}));
    assert_eq!(count(&app, "recipients").await, 3);
});

db_test!(
    assigning_the_same_package_again_adds_to_its_quantity,
    |app| {
        let event = fixtures::event(&app, "Christmas", "2026-12-25").await;
        let ann = fixtures::recipient(&app, "Ann").await;
        let tin = package(&app, "Cookie Tin").await;

        let first = fixtures::assign(
            &app,
            json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": tin}),
        )
        .await;
        assert_eq!(first["quantity"], 1, "quantity defaults to 1");
        assert_eq!(first["fulfillmentStatus"], "PENDING");
        assert_eq!(first["readyAt"], Value::Null);
        assert_eq!(first["event"]["name"], "Christmas");
        assert_eq!(first["recipient"]["name"], "Ann");
        assert_eq!(first["package"]["name"], "Cookie Tin");
        let again = fixtures::assign(
        &app,
        json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": tin, "quantity": 2, "notes": "extra for the kids"}),
    )
    .await;
        assert_eq!(again["id"], first["id"], "still one assignment");
        assert_eq!(again["quantity"], 3);
        assert_eq!(again["notes"], "extra for the kids");
        let again = fixtures::assign(
        &app,
        json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": tin, "quantity": 1}),
    )
    .await;
        assert_eq!(again["quantity"], 4);
        assert_eq!(
            again["notes"], "extra for the kids",
            "notes are kept when not given"
        );

        // Concurrent assignments never lose a quantity.
        let requests = (0..8).map(|_| {
        app.graphql(
            ASSIGN,
            json!({"input": {"eventId": event["id"], "recipientId": ann["id"], "packageId": tin, "quantity": 2}}),
        )
    });
        for response in futures::future::join_all(requests).await {
            assert!(response.get("errors").is_none(), "{response:#}");
        }
        assert_eq!(count(&app, "event_recipient_packages").await, 1);
        assert_eq!(
            sql_number(
                &app,
                "SELECT CAST(quantity AS BIGINT) AS n FROM event_recipient_packages"
            )
            .await,
            20
        );

        let before = everything(&app).await;
        for quantity in [0, -2] {
            app.error(
            ASSIGN,
            json!({"input": {"eventId": event["id"], "recipientId": ann["id"], "packageId": tin, "quantity": quantity}}),
        )
        .await
        .expect("BAD_USER_INPUT", "at least 1");
            app.error(
                UPDATE_ASSIGNMENT,
                json!({"input": {"id": first["id"], "quantity": quantity}}),
            )
            .await
            .expect("BAD_USER_INPUT", "at least 1");
        }
        app.error(
        ASSIGN,
        json!({"input": {"eventId": event["id"], "recipientId": ann["id"], "packageId": tin, "quantity": i32::MAX}}),
    )
    .await
    .expect("BAD_USER_INPUT", "exceeds");
        assert_eq!(everything(&app).await, before, "nothing changed");

        let data = app
            .ok(
                UPDATE_ASSIGNMENT,
                json!({"input": {"id": first["id"], "quantity": 5}}),
            )
            .await;
        assert_eq!(
            data["updateAssignment"],
            json!({"id": first["id"], "quantity": 5, "notes": "extra for the kids"})
        );
        let data = app
            .ok(
                UPDATE_ASSIGNMENT,
                json!({"input": {"id": first["id"], "notes": null}}),
            )
            .await;
        assert_eq!(
            data["updateAssignment"],
            json!({"id": first["id"], "quantity": 5, "notes": null})
        );
        let data = app.ok(REMOVE_ASSIGNMENT, json!({"id": first["id"]})).await;
        assert_eq!(data["removeAssignment"]["deletedId"], first["id"]);
        assert_eq!(count(&app, "event_recipient_packages").await, 0);
        app.error(REMOVE_ASSIGNMENT, json!({"id": first["id"]}))
            .await
            .expect("NOT_FOUND", "was not found");
    }
);

db_test!(assignments_are_listed_per_event_and_per_recipient, |app| {
    let christmas = fixtures::event(&app, "Christmas", "2026-12-25").await;
    let thanksgiving = fixtures::event(&app, "Thanksgiving", "2026-11-26").await;
    let bob = fixtures::recipient(&app, "Bob").await;
    let alice = fixtures::recipient(&app, "Alice").await;
    let tin = package(&app, "Cookie Tin").await;
    let box_ = package(&app, "Fudge Box").await;

    let bob_tin = fixtures::assign(
        &app,
        json!({"eventId": christmas["id"], "recipientId": bob["id"], "packageId": tin}),
    )
    .await;
    let alice_box = fixtures::assign(
        &app,
        json!({"eventId": christmas["id"], "recipientId": alice["id"], "packageId": box_, "quantity": 2}),
    )
    .await;
    let alice_tin = fixtures::assign(
        &app,
        json!({"eventId": christmas["id"], "recipientId": alice["id"], "packageId": tin}),
    )
    .await;
    let bob_thanks = fixtures::assign(
        &app,
        json!({"eventId": thanksgiving["id"], "recipientId": bob["id"], "packageId": box_}),
    )
    .await;
    app.ok(
        SET_STATUS,
        json!({"input": {"assignmentId": alice_tin["id"], "status": "READY"}}),
    )
    .await;

    let query = "query($id: ID!) { node(id: $id) { ... on Event { name
        all: assignments { id quantity recipient { name } package { name } event { name } }
        pending: assignments(status: PENDING) { id }
        ready: assignments(status: READY) { id fulfillmentStatus }
        delivered: assignments(status: DELIVERED) { id } } } }";
    let data = app.ok(query, json!({"id": christmas["id"]})).await;
    assert_eq!(
        data["node"]["all"],
        json!([
            {"id": alice_box["id"], "quantity": 2, "recipient": {"name": "Alice"}, "package": {"name": "Fudge Box"}, "event": {"name": "Christmas"}},
            {"id": alice_tin["id"], "quantity": 1, "recipient": {"name": "Alice"}, "package": {"name": "Cookie Tin"}, "event": {"name": "Christmas"}},
            {"id": bob_tin["id"], "quantity": 1, "recipient": {"name": "Bob"}, "package": {"name": "Cookie Tin"}, "event": {"name": "Christmas"}},
        ]),
        "ordered by recipient name, then id"
    );
    assert_eq!(
        data["node"]["pending"],
        json!([{"id": alice_box["id"]}, {"id": bob_tin["id"]}])
    );
    assert_eq!(
        data["node"]["ready"],
        json!([{"id": alice_tin["id"], "fulfillmentStatus": "READY"}])
    );
    assert_eq!(data["node"]["delivered"], json!([]));

    // Per recipient: newest event first; nested reads go through loaders.
    let data = app
        .ok(
            "{ recipients { nodes { name assignments { id event { name } package { name }
                 recipient { name assignments { id } } } } } }",
            json!({}),
        )
        .await;
    let nodes = &data["recipients"]["nodes"];
    assert_eq!(nodes[0]["name"], "Alice");
    assert_eq!(nodes[0]["assignments"].as_array().unwrap().len(), 2);
    assert_eq!(nodes[1]["name"], "Bob");
    assert_eq!(
        nodes[1]["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["id"].clone(), a["event"]["name"].clone()))
            .collect::<Vec<_>>(),
        vec![
            (bob_tin["id"].clone(), json!("Christmas")),
            (bob_thanks["id"].clone(), json!("Thanksgiving")),
        ]
    );
    assert_eq!(
        nodes[1]["assignments"][0]["recipient"]["assignments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let data = app
        .ok(
            "{ events { nodes { name assignments { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["events"]["nodes"],
        json!([{"name": "Thanksgiving", "assignments": [{"id": bob_thanks["id"]}]},
               {"name": "Christmas", "assignments": [{"id": alice_box["id"]}, {"id": alice_tin["id"]}, {"id": bob_tin["id"]}]}])
    );
    let node = app
        .ok(
            "query($id: ID!) { node(id: $id) { __typename ... on EventRecipientPackage { quantity recipient { name } } } }",
            json!({"id": alice_box["id"]}),
        )
        .await;
    assert_eq!(
        node["node"],
        json!({"__typename": "EventRecipientPackage", "quantity": 2, "recipient": {"name": "Alice"}})
    );
});

db_test!(
    fulfillment_moves_pending_ready_delivered_and_nothing_else,
    |app| {
        let event = fixtures::event(&app, "Christmas", "2026-12-25").await;
        let ann = fixtures::recipient(&app, "Ann").await;
        let tin = package(&app, "Cookie Tin").await;
        let a = fixtures::assign(
            &app,
            json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": tin}),
        )
        .await;
        let set = |status: &str, delivered_to: Value| json!({"input": {"assignmentId": a["id"], "status": status, "deliveredTo": delivered_to}});

        let before = everything(&app).await;
        for (status, current, allowed) in [
            ("DELIVERED", "PENDING", json!(["READY"])),
            ("PENDING", "PENDING", json!(["READY"])),
        ] {
            let error = app.error(SET_STATUS, set(status, Value::Null)).await;
            error.expect(
                "INVALID_TRANSITION",
                &format!("from PENDING to {status}; allowed: READY"),
            );
            assert_eq!(error.extensions["current"], current);
            assert_eq!(error.extensions["allowed"], allowed);
        }
        app.error(SET_STATUS, set("READY", json!("porch")))
            .await
            .expect(
                "BAD_USER_INPUT",
                "deliveredTo can only be given with status DELIVERED",
            );
        assert_eq!(everything(&app).await, before, "nothing changed");

        let ready =
            app.ok(SET_STATUS, set("READY", Value::Null)).await["updateFulfillmentStatus"].clone();
        assert_eq!(ready["fulfillmentStatus"], "READY");
        assert!(ready["readyAt"].is_string(), "readyAt is stamped: {ready}");
        assert_eq!(ready["deliveredAt"], Value::Null);
        assert_eq!(ready["deliveredTo"], Value::Null);

        let before = everything(&app).await;
        for status in ["READY", "PENDING"] {
            let error = app.error(SET_STATUS, set(status, Value::Null)).await;
            error.expect("INVALID_TRANSITION", "allowed: DELIVERED");
            assert_eq!(error.extensions["current"], "READY");
            assert_eq!(error.extensions["allowed"], json!(["DELIVERED"]));
        }
        assert_eq!(everything(&app).await, before, "nothing changed");

        let delivered = app
            .ok(SET_STATUS, set("DELIVERED", json!(" left with neighbour ")))
            .await["updateFulfillmentStatus"]
            .clone();
        assert_eq!(delivered["fulfillmentStatus"], "DELIVERED");
        assert_eq!(delivered["deliveredTo"], "left with neighbour");
        assert_eq!(delivered["readyAt"], ready["readyAt"], "readyAt is kept");
        assert!(delivered["deliveredAt"].is_string());
        let time = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
        assert!(time(&delivered["deliveredAt"]) >= time(&ready["readyAt"]));

        let before = everything(&app).await;
        for status in ["PENDING", "READY", "DELIVERED"] {
            let error = app.error(SET_STATUS, set(status, Value::Null)).await;
            error.expect("INVALID_TRANSITION", "none (final)");
            assert_eq!(error.extensions["current"], "DELIVERED");
            assert_eq!(error.extensions["allowed"], json!([]));
        }
        assert_eq!(everything(&app).await, before, "nothing changed");

        // Two concurrent PENDING → READY changes: exactly one wins.
        let b = fixtures::assign(
        &app,
        json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": package(&app, "Fudge Box").await}),
    )
    .await;
        let requests = (0..4).map(|_| {
            app.graphql(
                SET_STATUS,
                json!({"input": {"assignmentId": b["id"], "status": "READY"}}),
            )
        });
        let responses = futures::future::join_all(requests).await;
        let won = responses
            .iter()
            .filter(|r| r.get("errors").is_none())
            .count();
        assert_eq!(won, 1, "{responses:#?}");
        for response in responses.iter().filter(|r| r.get("errors").is_some()) {
            assert_eq!(
                response["errors"][0]["extensions"]["code"],
                "INVALID_TRANSITION"
            );
            assert_eq!(response["errors"][0]["extensions"]["current"], "READY");
        }
    }
);

db_test!(
    deleting_an_event_respects_runs_assignments_and_targets,
    |app| {
        let catalog = catalog(&app).await;
        let ann = fixtures::recipient(&app, "Ann").await;
        let tin = package(&app, "Cookie Tin").await;

        // Targets go with the event.
        let plain = fixtures::event(&app, "Bake Sale", "2026-10-01").await;
        target_rows(&app, &catalog, &plain["id"]).await;
        assert_eq!(count(&app, "event_production_targets").await, 1);
        let data = app.ok(DELETE_EVENT, json!({"id": plain["id"]})).await;
        assert_eq!(data["deleteEvent"]["deletedId"], plain["id"]);
        assert_eq!(count(&app, "event_production_targets").await, 0);
        assert_eq!(count(&app, "event_assembly_targets").await, 0);
        app.error(DELETE_EVENT, json!({"id": plain["id"]}))
            .await
            .expect("NOT_FOUND", "was not found");

        // Assignments refuse the delete unless cascadeAssignments is true.
        let christmas = fixtures::event(&app, "Christmas", "2026-12-25").await;
        target_rows(&app, &catalog, &christmas["id"]).await;
        fixtures::assign(
        &app,
        json!({"eventId": christmas["id"], "recipientId": ann["id"], "packageId": tin, "quantity": 2}),
    )
    .await;
        let before = everything(&app).await;
        let error = app
            .error(DELETE_EVENT, json!({"id": christmas["id"]}))
            .await;
        error.expect("DELETE_RESTRICTED", "1 package assignments");
        assert!(error.message.contains("cascadeAssignments"), "{error:?}");
        assert_eq!(error.extensions["references"][0]["count"], 1);
        let error = app
            .error(
                DELETE_EVENT,
                json!({"id": christmas["id"], "cascade": false}),
            )
            .await;
        error.expect("DELETE_RESTRICTED", "package assignments");

        // Runs refuse it even with cascadeAssignments; every blocking kind is counted.
        for _ in 0..2 {
            production_run_row(
                &app,
                &catalog.recipe,
                &catalog.finished_unit,
                Some(&christmas["id"]),
            )
            .await;
        }
        assembly_run_row(&app, &catalog.finished_good, Some(&christmas["id"])).await;
        let error = app
            .error(DELETE_EVENT, json!({"id": christmas["id"]}))
            .await;
        error.expect(
        "DELETE_RESTRICTED",
        "cannot delete event \"Christmas\": it is referenced by 2 production runs, 1 assembly runs, 1 package assignments",
    );
        let error = app
            .error(
                DELETE_EVENT,
                json!({"id": christmas["id"], "cascade": true}),
            )
            .await;
        error.expect("DELETE_RESTRICTED", "2 production runs, 1 assembly runs");
        assert_eq!(
            error.extensions["references"],
            json!([{"kind": "production runs", "count": 2}, {"kind": "assembly runs", "count": 1}])
        );
        assert_eq!(everything(&app).await, before, "nothing changed");
        assert_eq!(count(&app, "event_production_targets").await, 1);
        assert_eq!(count(&app, "event_assembly_targets").await, 1);

        // Without runs, cascadeAssignments deletes the event, its assignments and targets together.
        sql(&app, "DELETE FROM production_runs").await;
        sql(&app, "DELETE FROM assembly_runs").await;
        let data = app
            .ok(
                DELETE_EVENT,
                json!({"id": christmas["id"], "cascade": true}),
            )
            .await;
        assert_eq!(data["deleteEvent"]["deletedId"], christmas["id"]);
        assert_eq!(count(&app, "events").await, 0);
        assert_eq!(count(&app, "event_recipient_packages").await, 0);
        assert_eq!(count(&app, "event_production_targets").await, 0);
        assert_eq!(count(&app, "event_assembly_targets").await, 0);
        assert_eq!(count(&app, "recipients").await, 1, "recipients stay");
        assert_eq!(count(&app, "packages").await, 1, "packages stay");
    }
);

db_test!(recipients_with_assignments_cannot_be_deleted, |app| {
    let event = fixtures::event(&app, "Christmas", "2026-12-25").await;
    let ann = fixtures::recipient(&app, "Ann").await;
    let tin = package(&app, "Cookie Tin").await;
    let fudge = package(&app, "Fudge Box").await;
    let a = fixtures::assign(
        &app,
        json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": tin}),
    )
    .await;
    fixtures::assign(
        &app,
        json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": fudge}),
    )
    .await;
    let before = everything(&app).await;
    let error = app.error(DELETE_RECIPIENT, json!({"id": ann["id"]})).await;
    error.expect(
        "DELETE_RESTRICTED",
        "cannot delete recipient \"Ann\": it is referenced by 2 package assignments",
    );
    assert_eq!(
        error.extensions["references"],
        json!([{"kind": "package assignments", "count": 2}])
    );
    assert_eq!(everything(&app).await, before, "nothing changed");
    app.ok(REMOVE_ASSIGNMENT, json!({"id": a["id"]})).await;
    app.error(DELETE_RECIPIENT, json!({"id": ann["id"]}))
        .await
        .expect("DELETE_RESTRICTED", "1 package assignments");
    app.ok(DELETE_EVENT, json!({"id": event["id"], "cascade": true}))
        .await;
    app.ok(DELETE_RECIPIENT, json!({"id": ann["id"]})).await;
    assert_eq!(count(&app, "recipients").await, 0);
});

db_test!(dangling_and_wrong_type_ids_are_refused, |app| {
    let event = fixtures::event(&app, "Christmas", "2026-12-25").await;
    let ann = fixtures::recipient(&app, "Ann").await;
    let tin = package(&app, "Cookie Tin").await;
    fixtures::assign(
        &app,
        json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": tin}),
    )
    .await;
    let before = everything(&app).await;

    let missing_event = ids::encode("Event", 999_999);
    let missing_recipient = ids::encode("Recipient", 999_999);
    let missing_package = ids::encode("Package", 999_999);
    let missing_assignment = ids::encode("EventRecipientPackage", 999_999);
    for (input, needle) in [
        (
            json!({"eventId": missing_event, "recipientId": ann["id"], "packageId": tin}),
            format!("Event {} was not found", missing_event.as_str()),
        ),
        (
            json!({"eventId": event["id"], "recipientId": missing_recipient, "packageId": tin}),
            format!("Recipient {} was not found", missing_recipient.as_str()),
        ),
        (
            json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": missing_package}),
            format!("Package {} was not found", missing_package.as_str()),
        ),
    ] {
        app.error(ASSIGN, json!({ "input": input }))
            .await
            .expect("NOT_FOUND", &needle);
    }
    for input in [
        json!({"eventId": ann["id"], "recipientId": ann["id"], "packageId": tin}),
        json!({"eventId": event["id"], "recipientId": tin, "packageId": tin}),
        json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": event["id"]}),
    ] {
        app.error(ASSIGN, json!({ "input": input }))
            .await
            .expect("BAD_USER_INPUT", "belongs to a");
    }
    app.error(
        ASSIGN,
        json!({"input": {"eventId": "nope", "recipientId": ann["id"], "packageId": tin}}),
    )
    .await
    .expect("BAD_USER_INPUT", "not a valid id");

    app.error(
        SET_STATUS,
        json!({"input": {"assignmentId": missing_assignment, "status": "READY"}}),
    )
    .await
    .expect(
        "NOT_FOUND",
        &format!(
            "EventRecipientPackage {} was not found",
            missing_assignment.as_str()
        ),
    );
    app.error(
        SET_STATUS,
        json!({"input": {"assignmentId": event["id"], "status": "READY"}}),
    )
    .await
    .expect("BAD_USER_INPUT", "not to a EventRecipientPackage");
    app.error(
        UPDATE_ASSIGNMENT,
        json!({"input": {"id": missing_assignment, "quantity": 2}}),
    )
    .await
    .expect("NOT_FOUND", "was not found");
    app.error(REMOVE_ASSIGNMENT, json!({"id": ann["id"]}))
        .await
        .expect("BAD_USER_INPUT", "not to a EventRecipientPackage");
    app.error(
        UPDATE_EVENT,
        json!({"input": {"id": missing_event, "name": "x"}}),
    )
    .await
    .expect(
        "NOT_FOUND",
        &format!("Event {} was not found", missing_event.as_str()),
    );
    app.error(DELETE_EVENT, json!({"id": ann["id"]}))
        .await
        .expect("BAD_USER_INPUT", "not to a Event");
    app.error(
        UPDATE_RECIPIENT,
        json!({"input": {"id": missing_recipient, "name": "x"}}),
    )
    .await
    .expect(
        "NOT_FOUND",
        &format!("Recipient {} was not found", missing_recipient.as_str()),
    );
    app.error(DELETE_RECIPIENT, json!({"id": event["id"]}))
        .await
        .expect("BAD_USER_INPUT", "not to a Recipient");
    assert_eq!(everything(&app).await, before, "nothing changed");

    let data = app
        .ok(
            "query($e: ID!, $r: ID!, $a: ID!) { e: node(id: $e) { id } r: node(id: $r) { id } a: node(id: $a) { id } }",
            json!({"e": missing_event, "r": missing_recipient, "a": missing_assignment}),
        )
        .await;
    assert_eq!(data, json!({"e": null, "r": null, "a": null}));
});

crate::db_test_concurrent!(
    simultaneous_creates_differing_only_in_case_make_one_event,
    workers = 4,
    |app| {
        let names = [
            "Christmas",
            "CHRISTMAS",
            "christmas",
            "ChristMas",
            "cHRISTMAS",
            " Christmas ",
            "christMAS",
            "CHRISTmas",
        ];
        let inputs = names
            .iter()
            .map(|name| json!({"name": name, "eventDate": "2026-12-24"}))
            .collect();
        let responses = crate::production::all_at_once(&app, CREATE_EVENT, inputs).await;
        let created = responses
            .iter()
            .filter(|r| crate::production::error_code(r).is_none())
            .count();
        assert_eq!(created, 1, "{responses:#?}");
        for response in &responses {
            if let Some(code) = crate::production::error_code(response) {
                assert_eq!(code, "CONFLICT", "{response:#}");
            }
        }
        assert_eq!(count(&app, "events").await, 1);
    }
);
