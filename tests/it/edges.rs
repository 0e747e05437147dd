//! Exact at the edges (issue #8, item 4): counts and sums that would overflow, unit
//! spellings, text limits and NUL, LIKE metacharacters in searches, and malformed cursors
//! (among them the old offset cursors). Every refused write leaves the database as it was.

use crate::db_test;
use crate::fixtures::{assign, baked_item, event, package, recipient};
use crate::fixtures::{create_ingredient, purchase};
use crate::fixtures::{RECORD_ASSEMBLY, RECORD_PRODUCTION};
use crate::harness::TestApp;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

const CREATE_INGREDIENT: &str = "mutation($input: CreateIngredientInput!) {
  createIngredient(input: $input) { id name unit } }";
const RECORD_PURCHASE: &str = "mutation($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) { id quantityPurchased unit } }";
const ADJUST_LOT: &str = "mutation($input: AdjustInventoryLotInput!) {
  adjustInventoryLot(input: $input) { lot { quantityRemaining } } }";
const CREATE_EVENT: &str =
    "mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }";
const CREATE_RECIPIENT: &str =
    "mutation($input: CreateRecipientInput!) { createRecipient(input: $input) { id } }";
const CREATE_RECIPE: &str =
    "mutation($input: CreateRecipeInput!) { createRecipe(input: $input) { id } }";
const CREATE_PACKAGE: &str =
    "mutation($input: CreatePackageInput!) { createPackage(input: $input) { id } }";
const ASSIGN: &str =
    "mutation($input: AssignPackageInput!) { assignPackage(input: $input) { quantity } }";

const INT_MAX: i64 = i32::MAX as i64;

/// The finished unit's inventory count.
async fn inventory_count(app: &TestApp, id: &Value) -> i64 {
    app.ok(
        "query($id: ID!) { node(id: $id) { ... on FinishedUnit { inventoryCount } } }",
        json!({"id": id}),
    )
    .await["node"]["inventoryCount"]
        .as_i64()
        .expect("a count")
}

db_test!(recording_a_yield_past_the_int_maximum_is_refused, |app| {
    // Seen: actualYield 2,147,483,647 recorded twice saturated inventoryCount.
    let cookie = baked_item(&app, "Sugar cookie").await;
    let recipe = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on FinishedUnit { recipe { id } } } }",
            json!({"id": cookie["id"]}),
        )
        .await["node"]["recipe"]["id"]
        .clone();
    let christmas = event(&app, "Christmas", "2026-12-24").await;
    let input = json!({"input": {"recipeId": recipe, "finishedUnitId": cookie["id"],
        "numBatches": 1, "actualYield": INT_MAX, "eventId": christmas["id"]}});
    app.ok(RECORD_PRODUCTION, input.clone()).await;
    assert_eq!(inventory_count(&app, &cookie["id"]).await, INT_MAX);

    let before = app.snapshot().await;
    app.error(RECORD_PRODUCTION, input.clone()).await.expect(
        "BAD_USER_INPUT",
        "inventoryCount of \"Sugar cookie\" would exceed 2147483647",
    );
    // Without an event, too (the inventory is the limit, not the event's totals).
    let mut no_event = input.clone();
    no_event["input"]["eventId"] = Value::Null;
    no_event["input"]["actualYield"] = json!(1);
    app.error(RECORD_PRODUCTION, no_event)
        .await
        .expect("BAD_USER_INPUT", "would exceed 2147483647");
    app.assert_unchanged(&before, "a yield past the maximum")
        .await;
    assert_eq!(inventory_count(&app, &cookie["id"]).await, INT_MAX);

    // The expected yield (batches × items per batch) has the same limit: 24 per batch.
    let mut many = input;
    many["input"]["numBatches"] = json!(100_000_000);
    many["input"]["actualYield"] = json!(0);
    app.error(RECORD_PRODUCTION, many).await.expect(
        "BAD_USER_INPUT",
        "expected yield of 100000000 batches of \"Sugar cookie\" would exceed 2147483647",
    );
    app.assert_unchanged(&before, "an expected yield past the maximum")
        .await;
});

db_test!(
    stock_past_the_limit_is_refused_and_on_hand_stays_readable,
    |app| {
        // Seen: two purchases of 5e12 g made onHand an internal error, for every ingredient
        // read in the same request.
        let sugar = create_ingredient(&app, json!({"name": "Sugar", "unit": "g"})).await;
        let salt = create_ingredient(&app, json!({"name": "Salt", "unit": "g"})).await;
        purchase(
            &app,
            json!({"ingredientId": salt["id"], "quantity": "500", "unit": "g",
        "totalCost": "1", "purchasedOn": "2026-11-01"}),
        )
        .await;
        let huge = json!({"input": {"ingredientId": sugar["id"], "quantity": "5e12", "unit": "g",
        "totalCost": "1", "purchasedOn": "2026-11-01"}});
        let lot = app.ok(RECORD_PURCHASE, huge.clone()).await["recordPurchase"].clone();
        assert_eq!(lot["quantityPurchased"], "5000000000000");

        let before = app.snapshot().await;
        app.error(RECORD_PURCHASE, huge.clone()).await.expect(
            "BAD_USER_INPUT",
            "the stock on hand of \"Sugar\" would exceed 9000000000000 g",
        );
        // In another unit, and with an idempotency key (nothing claimed either).
        let mut in_kg = huge.clone();
        in_kg["input"]["quantity"] = json!("5e9");
        in_kg["input"]["unit"] = json!("kg");
        in_kg["input"]["idempotencyKey"] = json!("big-sugar");
        app.error(RECORD_PURCHASE, in_kg)
            .await
            .expect("BAD_USER_INPUT", "would exceed 9000000000000 g");
        // An adjustment up counts the same stock: past the limit, past what a lot can
        // store at all, and past what a decimal can hold.
        app.error(
            ADJUST_LOT,
            json!({"input": {"lotId": lot["id"], "quantityChange": "4.1e12", "reason": "recount"}}),
        )
        .await
        .expect("BAD_USER_INPUT", "would exceed 9000000000000 g");
        app.error(
            ADJUST_LOT,
            json!({"input": {"lotId": lot["id"], "quantityChange": "4.5e12", "reason": "recount"}}),
        )
        .await
        .expect("BAD_USER_INPUT", "is at most 9000000000000 g");
        app.error(
            ADJUST_LOT,
            json!({"input": {"lotId": lot["id"], "quantityRemaining": "1e20", "reason": "recount"}}),
        )
        .await
        .expect("BAD_USER_INPUT", "is at most 9000000000000 g");
        app.error(
        ADJUST_LOT,
        json!({"input": {"lotId": lot["id"], "quantityChange": "79228162514264337593543950335", "reason": "recount"}}),
    )
    .await
    .expect("BAD_USER_INPUT", "would exceed 9000000000000 g");
        // The money limit of one purchase.
        let mut dear = huge.clone();
        dear["input"]["ingredientId"] = salt["id"].clone();
        dear["input"]["quantity"] = json!("1");
        dear["input"]["totalCost"] = json!("1000000000001");
        app.error(RECORD_PURCHASE, dear)
            .await
            .expect("BAD_USER_INPUT", "totalCost would exceed 1000000000000");
        app.assert_unchanged(&before, "stock past the limit").await;

        let data = app
            .ok(
                "{ ingredients(first: 10) { nodes { name onHand } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            data["ingredients"]["nodes"],
            json!([{"name": "Salt", "onHand": "500"}, {"name": "Sugar", "onHand": "5000000000000"}])
        );
        // Up to the limit exactly is fine.
        let mut rest = huge;
        rest["input"]["quantity"] = json!("4e12");
        app.ok(RECORD_PURCHASE, rest).await;
        let data = app
            .ok("{ ingredients(first: 10) { nodes { onHand } } }", json!({}))
            .await;
        assert_eq!(data["ingredients"]["nodes"][1]["onHand"], "9000000000000");
    }
);

db_test!(
    assembly_and_assignment_counts_stop_at_the_int_maximum,
    |app| {
        // A box made of one packaging item: 2,147,483,648 bags are within the stock limit.
        let bag = create_ingredient(
            &app,
            json!({"name": "Bag", "unit": "each", "isPackaging": true}),
        )
        .await;
        purchase(
            &app,
            json!({"ingredientId": bag["id"], "quantity": "2147483648", "unit": "each",
        "totalCost": "10", "purchasedOn": "2026-11-01"}),
        )
        .await;
        let good = app
        .ok(
            "mutation($input: CreateFinishedGoodInput!) { createFinishedGood(input: $input) { id } }",
            json!({"input": {"name": "Bag of nothing", "components": [{"packagingId": bag["id"], "quantity": "1"}]}}),
        )
        .await["createFinishedGood"]["id"]
        .clone();
        app.ok(
            RECORD_ASSEMBLY,
            json!({"input": {"finishedGoodId": good, "quantity": INT_MAX}}),
        )
        .await;
        let before = app.snapshot().await;
        app.error(
            RECORD_ASSEMBLY,
            json!({"input": {"finishedGoodId": good, "quantity": 1}}),
        )
        .await
        .expect(
            "BAD_USER_INPUT",
            "inventoryCount of \"Bag of nothing\" would exceed 2147483647",
        );
        app.assert_unchanged(&before, "an assembly past the maximum")
            .await;

        // Assigning again adds: the sum has the same limit.
        let gift = package(
            &app,
            "Gift",
            json!([{"finishedGoodId": good, "quantity": 1}]),
        )
        .await;
        let christmas = event(&app, "Christmas", "2026-12-24").await;
        let ann = recipient(&app, "Ann").await;
        let input = json!({"eventId": christmas["id"], "recipientId": ann["id"], "packageId": gift["id"], "quantity": INT_MAX});
        assign(&app, input.clone()).await;
        let before = app.snapshot().await;
        let mut one = input;
        one["quantity"] = json!(1);
        app.error(ASSIGN, json!({ "input": one }))
            .await
            .expect("BAD_USER_INPUT", "2147483647");
        app.assert_unchanged(&before, "an assignment past the maximum")
            .await;
    }
);

db_test!(costs_past_the_money_limits_are_refused, |app| {
    // 1000 g at 900,000,000 per gram: near the dearest unit cost a lot can store.
    let saffron = create_ingredient(&app, json!({"name": "Saffron", "unit": "g"})).await;
    purchase(
        &app,
        json!({"ingredientId": saffron["id"], "quantity": "1000", "unit": "g",
        "totalCost": "900000000000", "purchasedOn": "2026-11-01"}),
    )
    .await;
    let recipe = app
        .ok(
            CREATE_RECIPE,
            json!({"input": {"name": "Gold bun", "yieldQuantity": "1", "yieldUnit": "bun",
                "ingredients": [{"ingredientId": saffron["id"], "quantity": "1000", "unit": "g"}]}}),
        )
        .await["createRecipe"]["id"]
        .clone();
    let bun = crate::fixtures::finished_unit(&app, &recipe, "Gold bun", 1).await;
    let before = app.snapshot().await;
    // 900,000,000,000 for one bun is beyond a stored unit price.
    app.error(
        RECORD_PRODUCTION,
        json!({"input": {"recipeId": recipe, "finishedUnitId": bun["id"], "numBatches": 1, "actualYield": 1}}),
    )
    .await
    .expect("BAD_USER_INPUT", "the cost per item of this run (900000000000 for 1 items) would exceed 922337203");
    // A unit price beyond what a lot stores.
    app.error(
        RECORD_PURCHASE,
        json!({"input": {"ingredientId": saffron["id"], "quantity": "0.001", "unit": "g",
            "totalCost": "1000000", "purchasedOn": "2026-11-01"}}),
    )
    .await
    .expect("BAD_USER_INPUT", "at most 922337203 per g");
    app.assert_unchanged(&before, "costs past the limits").await;
    // The same run yielding 1000 buns is fine.
    let data = app
        .ok(
            RECORD_PRODUCTION,
            json!({"input": {"recipeId": recipe, "finishedUnitId": bun["id"], "numBatches": 1, "actualYield": 1000}}),
        )
        .await;
    let run = &data["recordProduction"]["productionRun"];
    assert_eq!(run["totalIngredientCost"], "900000000000");
    assert_eq!(run["perUnitCost"], "900000000");
});

db_test!(units_are_only_the_ascii_spellings, |app| {
    let before = app.snapshot().await;
    // U+212A KELVIN SIGN lower-cases to 'k' in Unicode; it is not "kg".
    app.error(
        CREATE_INGREDIENT,
        json!({"input": {"name": "Flour", "unit": "\u{212A}g"}}),
    )
    .await
    .expect("BAD_USER_INPUT", "unknown unit");
    app.error(
        CREATE_INGREDIENT,
        json!({"input": {"name": "Milk", "unit": "fl\u{00A0}oz"}}),
    )
    .await
    .expect("BAD_USER_INPUT", "unknown unit");
    app.error(
        CREATE_INGREDIENT,
        json!({"input": {"name": "Milk", "unit": "ｍｌ"}}),
    )
    .await
    .expect("BAD_USER_INPUT", "unknown unit");
    app.assert_unchanged(&before, "non-ASCII units").await;

    let flour = create_ingredient(&app, json!({"name": "Flour", "unit": " KG "})).await;
    assert_eq!(flour["unit"], "kg");
    let milk = create_ingredient(&app, json!({"name": "Milk", "unit": "ml"})).await;
    let before = app.snapshot().await;
    app.error(
        RECORD_PURCHASE,
        json!({"input": {"ingredientId": milk["id"], "quantity": "1", "unit": "fl\u{00A0}oz",
            "totalCost": "1", "purchasedOn": "2026-11-01"}}),
    )
    .await
    .expect("BAD_USER_INPUT", "unknown unit");
    app.assert_unchanged(&before, "a purchase in a non-ASCII unit")
        .await;
    let lot = purchase(
        &app,
        json!({"ingredientId": milk["id"], "quantity": "2", "unit": "Fl Oz",
        "totalCost": "1", "purchasedOn": "2026-11-01"}),
    )
    .await;
    assert_eq!(lot["quantityPurchased"], "59.147059");
    purchase(
        &app,
        json!({"ingredientId": flour["id"], "quantity": "500", "unit": "G",
        "totalCost": "1", "purchasedOn": "2026-11-01"}),
    )
    .await;
});

/// Sends `document` with `input` and expects `BAD_USER_INPUT` mentioning every needle.
async fn refused(app: &TestApp, document: &str, input: Value, needles: &[&str]) {
    let error = app.error(document, json!({ "input": input })).await;
    for needle in needles {
        error.expect("BAD_USER_INPUT", needle);
    }
}

db_test!(text_inputs_have_limits_and_refuse_nul, |app| {
    let flour = create_ingredient(&app, json!({"name": "Flour", "unit": "g"})).await;
    let before = app.snapshot().await;
    let name_201 = "n".repeat(201);
    let notes_10001 = "x".repeat(10_001);
    let big = "y".repeat(20_000);
    let too_long = "at most 200 are allowed";
    let nul = "must not contain the NUL character";

    // Names.
    for name in [name_201.as_str(), big.as_str()] {
        refused(
            &app,
            CREATE_INGREDIENT,
            json!({"name": name, "unit": "g"}),
            &["name is", too_long],
        )
        .await;
        refused(
            &app,
            CREATE_EVENT,
            json!({"name": name, "eventDate": "2026-12-24"}),
            &["name is", too_long],
        )
        .await;
        refused(
            &app,
            CREATE_RECIPIENT,
            json!({"name": name}),
            &["name is", too_long],
        )
        .await;
        refused(
            &app,
            CREATE_PACKAGE,
            json!({"name": name}),
            &["name is", too_long],
        )
        .await;
        refused(
            &app,
            CREATE_RECIPE,
            json!({"name": name, "yieldQuantity": "1", "yieldUnit": "loaf"}),
            &["name is", too_long],
        )
        .await;
    }
    refused(
        &app,
        CREATE_INGREDIENT,
        json!({"name": "Su\u{0}gar", "unit": "g"}),
        &["name", nul],
    )
    .await;
    refused(
        &app,
        CREATE_EVENT,
        json!({"name": "Party\u{0}", "eventDate": "2026-12-24"}),
        &["name", nul],
    )
    .await;
    refused(
        &app,
        CREATE_RECIPIENT,
        json!({"name": "\u{0}"}),
        &["name", nul],
    )
    .await;

    // Notes and other free text.
    refused(
        &app,
        CREATE_EVENT,
        json!({"name": "Party", "eventDate": "2026-12-24", "notes": notes_10001}),
        &["notes is 10001 characters long; at most 10000 are allowed"],
    )
    .await;
    refused(
        &app,
        CREATE_RECIPIENT,
        json!({"name": "Ann", "notes": "a\u{0}b"}),
        &["notes", nul],
    )
    .await;
    refused(
        &app,
        CREATE_RECIPIENT,
        json!({"name": "Ann", "address": "z".repeat(1_001)}),
        &["address is 1001 characters long; at most 1000"],
    )
    .await;
    refused(
        &app,
        CREATE_RECIPIENT,
        json!({"name": "Ann", "householdName": "h\u{0}"}),
        &["householdName", nul],
    )
    .await;
    refused(
        &app,
        CREATE_INGREDIENT,
        json!({"name": "Salt", "unit": "g", "category": "c".repeat(101)}),
        &["category is 101 characters long; at most 100"],
    )
    .await;
    refused(&app, CREATE_RECIPE, json!({"name": "Bread", "yieldQuantity": "1", "yieldUnit": "loaf", "source": "s".repeat(1_001)}),
        &["source is", "at most 1000"]).await;
    refused(
        &app,
        CREATE_RECIPE,
        json!({"name": "Bread", "yieldQuantity": "1", "yieldUnit": "l".repeat(51)}),
        &["yieldUnit is 51 characters long; at most 50"],
    )
    .await;
    refused(
        &app,
        CREATE_PACKAGE,
        json!({"name": "Box", "description": big.clone()}),
        &["description is", "at most 10000"],
    )
    .await;
    let purchase_input = json!({"ingredientId": flour["id"], "quantity": "1", "unit": "g",
        "totalCost": "1", "purchasedOn": "2026-11-01"});
    let mut located = purchase_input.clone();
    located["location"] = json!("l".repeat(201));
    refused(
        &app,
        RECORD_PURCHASE,
        located,
        &["location is 201 characters long"],
    )
    .await;
    let mut keyed = purchase_input.clone();
    keyed["idempotencyKey"] = json!("k\u{0}");
    refused(&app, RECORD_PURCHASE, keyed, &["idempotencyKey", nul]).await;
    let mut noted = purchase_input;
    noted["notes"] = json!("\u{0}");
    refused(&app, RECORD_PURCHASE, noted, &["notes", nul]).await;
    app.assert_unchanged(&before, "text past its limit or with NUL")
        .await;

    // Updates are checked the same way.
    let party = app
        .ok(
            CREATE_EVENT,
            json!({"input": {"name": "Party", "eventDate": "2026-12-24"}}),
        )
        .await["createEvent"]["id"]
        .clone();
    let before = app.snapshot().await;
    app.error(
        "mutation($input: UpdateEventInput!) { updateEvent(input: $input) { id } }",
        json!({"input": {"id": party, "notes": "n\u{0}"}}),
    )
    .await
    .expect("BAD_USER_INPUT", nul);
    app.error(
        "mutation($input: UpdateEventInput!) { updateEvent(input: $input) { id } }",
        json!({"input": {"id": party, "name": name_201}}),
    )
    .await
    .expect("BAD_USER_INPUT", too_long);
    app.assert_unchanged(&before, "updates past the limits")
        .await;

    // Exactly at the limits is fine, and the values come back whole.
    let name_200 = "é".repeat(200);
    let data = app
        .ok(
            "mutation($input: CreateEventInput!) { createEvent(input: $input) { name notes } }",
            json!({"input": {"name": name_200, "eventDate": "2027-12-24", "notes": "x".repeat(10_000)}}),
        )
        .await;
    assert_eq!(data["createEvent"]["name"], name_200);
    assert_eq!(
        data["createEvent"]["notes"].as_str().map(str::len),
        Some(10_000)
    );
});

db_test!(searches_match_percent_and_underscore_literally, |app| {
    for name in [
        "100% Cocoa",
        "1000 Cocoa",
        "a_b sugar",
        "axb sugar",
        "back\\slash",
    ] {
        create_ingredient(&app, json!({"name": name, "unit": "g"})).await;
        app.ok(CREATE_PACKAGE, json!({"input": {"name": name}}))
            .await;
        app.ok(CREATE_RECIPIENT, json!({"input": {"name": name}}))
            .await;
    }
    let search = |field: &'static str, text: &'static str| {
        let app = &app;
        async move {
            let data = app
                .ok(
                    &format!("query($s: String) {{ {field}(search: $s) {{ nodes {{ name }} }} }}"),
                    json!({"s": text}),
                )
                .await;
            data[field]["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .map(|n| n["name"].as_str().expect("a name").to_string())
                .collect::<Vec<_>>()
        }
    };
    for field in ["ingredients", "packages", "recipients"] {
        assert_eq!(search(field, "%").await, ["100% Cocoa"], "{field}");
        assert_eq!(search(field, "0% c").await, ["100% Cocoa"], "{field}");
        assert_eq!(search(field, "_").await, ["a_b sugar"], "{field}");
        assert_eq!(search(field, "A_B").await, ["a_b sugar"], "{field}");
        assert_eq!(search(field, "\\").await, ["back\\slash"], "{field}");
        assert_eq!(search(field, "cocoa").await.len(), 2, "{field}");
    }

    let before = app.snapshot().await;
    for field in [
        "ingredients",
        "packages",
        "recipients",
        "recipes",
        "finishedGoods",
    ] {
        for text in ["s".repeat(201), "s".repeat(900_000 / 9)] {
            app.error(
                &format!("query($s: String) {{ {field}(search: $s) {{ totalCount }} }}"),
                json!({"s": text}),
            )
            .await
            .expect("BAD_USER_INPUT", "search is");
        }
        app.error(
            &format!("query($s: String) {{ {field}(search: $s) {{ totalCount }} }}"),
            json!({"s": "co\u{0}coa"}),
        )
        .await
        .expect(
            "BAD_USER_INPUT",
            "search must not contain the NUL character",
        );
    }
    app.assert_unchanged(&before, "refused searches").await;
});

db_test!(cursors_out_of_range_or_malformed_are_refused, |app| {
    for name in ["A", "B", "C"] {
        create_ingredient(&app, json!({"name": name, "unit": "g"})).await;
    }
    let cursor = |text: &str| URL_SAFE_NO_PAD.encode(text);
    let page = |after: Option<String>, before: Option<String>| {
        let app = &app;
        async move {
            app.graphql(
                "query($a: String, $b: String) { ingredients(after: $a, before: $b, first: 2) { nodes { name } } }",
                json!({"a": after, "b": before}),
            )
            .await
        }
    };
    // Seen: an offset at i64::MAX returned the first page (SQLite), an internal error
    // (PostgreSQL).
    let before = app.snapshot().await;
    for bad in [
        cursor(&format!("offset:{}", i64::MAX)),
        cursor(&format!("offset:{}", i64::from(i32::MAX) + 1)),
        cursor("offset:-1"),
        cursor("offset:+1"),
        cursor("offset:"),
        cursor("offset:99999999999999999999999999"),
        cursor("row:1"),
        "not base64!".to_string(),
        "x".repeat(10_000),
        cursor("offset:1\u{0}"),
    ] {
        for response in [
            page(Some(bad.clone()), None).await,
            page(None, Some(bad.clone())).await,
        ] {
            let error = &response["errors"][0];
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "{bad:?}: {response}"
            );
            assert!(
                error["message"].as_str().unwrap_or("").contains("cursor"),
                "{response}"
            );
            assert!(
                error["message"].as_str().unwrap_or("").len() < 400,
                "the message stays short"
            );
        }
    }
    app.assert_unchanged(&before, "refused cursors").await;

    // The old offset cursors are refused above; the cursors the list hands out work at
    // both ends: after the last item an empty page, before it the items ahead of it.
    let all = app
        .ok(
            "{ ingredients { edges { cursor node { name } } } }",
            json!({}),
        )
        .await;
    let cursor_of = |i: usize| {
        all["ingredients"]["edges"][i]["cursor"]
            .as_str()
            .map(str::to_string)
    };
    let data = page(cursor_of(2), None).await;
    assert_eq!(data["data"]["ingredients"]["nodes"], json!([]), "{data}");
    let data = page(None, cursor_of(2)).await;
    assert_eq!(
        data["data"]["ingredients"]["nodes"],
        json!([{"name": "A"}, {"name": "B"}]),
        "{data}"
    );
    let data = page(cursor_of(0), None).await;
    assert_eq!(
        data["data"]["ingredients"]["nodes"],
        json!([{"name": "B"}, {"name": "C"}])
    );
});
