//! Planning an event: recipe needs through nested goods, suggested targets, the shopping
//! list of the remaining batches, and the planned-against-actual cost summary.

use crate::db_test;
use crate::fixtures::{self, cookie_kitchen, create_ingredient, pk_of, purchase, Create};
use crate::harness::TestApp;
use bakeplan::graphql::ids;
use serde_json::{json, Value};

/// Creates a recipient and assigns them `quantity` of a package for an event.
async fn assign(app: &TestApp, event: &Value, recipient: &str, package: &Value, quantity: i32) {
    let recipient = app
        .ok(
            "mutation($input: CreateRecipientInput!) { createRecipient(input: $input) { id } }",
            json!({"input": {"name": recipient}}),
        )
        .await["createRecipient"]["id"]
        .clone();
    app.ok(
        "mutation($input: AssignPackageInput!) { assignPackage(input: $input) { id } }",
        json!({"input": {"eventId": event, "recipientId": recipient, "packageId": package, "quantity": quantity}}),
    )
    .await;
}

async fn produce(app: &TestApp, recipe: &Value, unit: &Value, batches: i32, event: Option<&Value>) {
    fixtures::record_production(
        app,
        json!({"recipeId": recipe, "finishedUnitId": unit, "numBatches": batches,
               "actualYield": 0, "eventId": event}),
    )
    .await;
}

/// A package of two cookie boxes (12 cookies).
async fn cookie_gift(app: &TestApp, k: &Value) -> Value {
    Create::Package
        .returning(
            app,
            "id",
            json!({"name": "Cookie Gift", "items": [{"finishedGoodId": k["box"], "quantity": 2}]}),
        )
        .await["id"]
        .clone()
}

const NEEDS: &str = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Event { name
  recipeNeeds { recipe { name } finishedUnit { name } unitsNeeded batchesNeeded }
  suggestedTargets { recipe { name } batches } } } }";

const APPLY: &str = "mutation($id: ID!) { applySuggestedTargets(eventId: $id) {
  recipe { name } targetBatches notes } }";

db_test!(
    needs_multiply_through_nested_goods_and_round_up_in_both_modes,
    |app| {
        let k = cookie_kitchen(&app).await;
        let cocoa = create_ingredient(&app, json!({"name": "Cocoa", "unit": "g"})).await;
        let brownies = Create::Recipe
            .id(
                &app,
                json!({"name": "Brownies", "yieldQuantity": "1", "yieldUnit": "pan",
                   "ingredients": [{"ingredientId": cocoa["id"], "quantity": "100", "unit": "g"}]}),
            )
            .await;
        let square = Create::FinishedUnit.id(
            &app,
            json!({"name": "Brownie Square", "recipeId": brownies, "yieldMode": "BATCH_PORTION", "batchPercentage": "12.5"}),
        )
        .await;
        let slab = Create::FinishedUnit.id(
            &app,
            json!({"name": "Brownie Slab", "recipeId": brownies, "yieldMode": "BATCH_PORTION", "batchPercentage": "50"}),
        )
        .await;
        let tin = Create::FinishedGood.returning(&app, "id",
            json!({"name": "Brownie Tin", "assemblyType": "GIFT_BOX", "components": [
                {"finishedUnitId": square, "quantity": "3"}, {"finishedUnitId": slab, "quantity": "1"}]}),
        )
        .await["id"]
            .clone();
        // A hamper holds two cookie boxes (6 cookies each), a brownie tin, and a bag.
        let hamper = Create::FinishedGood.returning(&app, "id",
            json!({"name": "Holiday Hamper", "assemblyType": "HOLIDAY_SET", "components": [
                {"finishedGoodId": k["box"], "quantity": "2"}, {"finishedGoodId": tin, "quantity": "1"},
                {"packagingId": k["bag"], "quantity": "1"}]}),
        )
        .await["id"]
            .clone();
        let family = Create::Package
            .returning(
                &app,
                "id",
                json!({"name": "Family", "items": [{"finishedGoodId": hamper, "quantity": 1},
                                                {"finishedGoodId": k["box"], "quantity": 1}]}),
            )
            .await["id"]
            .clone();
        let neighbour = Create::Package.returning(&app, "id",
            json!({"name": "Neighbour", "items": [{"finishedGoodId": k["box"], "quantity": 1}]}),
        )
        .await["id"]
            .clone();
        assign(&app, &k["event"], "Alice", &family, 1).await;
        assign(&app, &k["event"], "Bob", &family, 2).await;
        assign(&app, &k["event"], "Carol", &neighbour, 1).await;
        let easter = fixtures::event(&app, "Easter", "2027-04-04").await["id"].clone();
        assign(&app, &easter, "Dave", &neighbour, 4).await;
        let quiet = fixtures::event(&app, "Quiet Day", "2027-05-01").await["id"].clone();

        let data = app
            .ok(NEEDS, json!({"ids": [k["event"], easter, quiet]}))
            .await;
        // Christmas: 3 hampers and 4 boxes. Cookies 4 × 6 + 3 × 2 × 6 = 60 → ⌈60 / 24⌉ = 3.
        // Squares 3 × 3 = 9 → ⌈9 × 12.5 %⌉ = 2; slabs 3 → ⌈3 × 50 %⌉ = 2; brownies 2 + 2.
        assert_eq!(
            data["nodes"][0],
            json!({"name": "Christmas 2026",
                "recipeNeeds": [
                    {"recipe": {"name": "Brownies"}, "finishedUnit": {"name": "Brownie Slab"}, "unitsNeeded": 3, "batchesNeeded": 2},
                    {"recipe": {"name": "Brownies"}, "finishedUnit": {"name": "Brownie Square"}, "unitsNeeded": 9, "batchesNeeded": 2},
                    {"recipe": {"name": "Sugar Cookies"}, "finishedUnit": {"name": "Sugar Cookie"}, "unitsNeeded": 60, "batchesNeeded": 3}],
                "suggestedTargets": [
                    {"recipe": {"name": "Brownies"}, "batches": 4},
                    {"recipe": {"name": "Sugar Cookies"}, "batches": 3}]})
        );
        // Easter: 4 boxes = 24 cookies, exactly one batch.
        assert_eq!(
            data["nodes"][1],
            json!({"name": "Easter",
                "recipeNeeds": [{"recipe": {"name": "Sugar Cookies"}, "finishedUnit": {"name": "Sugar Cookie"}, "unitsNeeded": 24, "batchesNeeded": 1}],
                "suggestedTargets": [{"recipe": {"name": "Sugar Cookies"}, "batches": 1}]})
        );
        assert_eq!(
            data["nodes"][2],
            json!({"name": "Quiet Day", "recipeNeeds": [], "suggestedTargets": []})
        );

        // Stored data with a cycle (written around the API) is an internal error, not a hang.
        let ts = "'2026-11-01 00:00:00', '2026-11-01 00:00:00'";
        app.execute_sql(&format!(
            "INSERT INTO finished_good_components (uuid, created_at, updated_at, finished_good_id, position, \
             component_good_id, quantity) VALUES ('{}', {ts}, {}, 9, {}, 1000000)",
            uuid::Uuid::new_v4(),
            pk_of(&tin, "FinishedGood"),
            pk_of(&hamper, "FinishedGood")
        ))
        .await
        .expect("insert a cycle");
        let error = app.error(NEEDS, json!({"ids": [k["event"]]})).await;
        assert_eq!(error.code, "INTERNAL_SERVER_ERROR");
    }
);

db_test!(
    suggested_targets_are_applied_in_one_step_and_idempotently,
    |app| {
        let k = cookie_kitchen(&app).await;
        let cocoa = create_ingredient(&app, json!({"name": "Cocoa", "unit": "g"})).await;
        let brownies = Create::Recipe
            .id(
                &app,
                json!({"name": "Brownies", "yieldQuantity": "1", "yieldUnit": "pan",
                   "ingredients": [{"ingredientId": cocoa["id"], "quantity": "100", "unit": "g"}]}),
            )
            .await;
        let gingerbread = Create::Recipe
            .id(
                &app,
                json!({"name": "Gingerbread", "yieldQuantity": "1", "yieldUnit": "house",
                   "ingredients": [{"ingredientId": k["flour"], "quantity": "300", "unit": "g"}]}),
            )
            .await;
        let square = Create::FinishedUnit.id(
            &app,
            json!({"name": "Brownie Square", "recipeId": brownies, "yieldMode": "BATCH_PORTION", "batchPercentage": "12.5"}),
        )
        .await;
        let tin = Create::FinishedGood.returning(&app, "id",
            json!({"name": "Brownie Tin", "assemblyType": "GIFT_BOX", "components": [{"finishedUnitId": square, "quantity": "4"}]}),
        )
        .await["id"]
            .clone();
        let package = Create::Package.returning(&app, "id",
            json!({"name": "Sampler", "items": [{"finishedGoodId": tin, "quantity": 1}, {"finishedGoodId": k["box"], "quantity": 5}]}),
        )
        .await["id"]
            .clone();
        assign(&app, &k["event"], "Alice", &package, 3).await;
        // An existing target of a needed recipe (its notes stay) and one of a recipe without
        // a need (left alone).
        app.ok(
            "mutation($input: SetProductionTargetInput!) { setProductionTarget(input: $input) { id } }",
            json!({"input": {"eventId": k["event"], "recipeId": brownies, "targetBatches": 1, "notes": "from last year"}}),
        )
        .await;
        fixtures::production_target(&app, &k["event"], &gingerbread, 5).await;

        // 12 squares → ⌈12 × 12.5 %⌉ = 2 brownie batches; 90 cookies → ⌈90 / 24⌉ = 4.
        let expected = json!([
            {"recipe": {"name": "Brownies"}, "targetBatches": 2, "notes": "from last year"},
            {"recipe": {"name": "Sugar Cookies"}, "targetBatches": 4, "notes": null}]);
        let first = app.ok(APPLY, json!({"id": k["event"]})).await;
        assert_eq!(first["applySuggestedTargets"], expected);
        let again = app.ok(APPLY, json!({"id": k["event"]})).await;
        assert_eq!(again["applySuggestedTargets"], expected);
        let targets = app
            .ok(
                "query($id: ID!) { node(id: $id) { ... on Event { productionTargets { recipe { name } targetBatches } } } }",
                json!({"id": k["event"]}),
            )
            .await;
        assert_eq!(
            targets["node"]["productionTargets"],
            json!([{"recipe": {"name": "Brownies"}, "targetBatches": 2},
                   {"recipe": {"name": "Gingerbread"}, "targetBatches": 5},
                   {"recipe": {"name": "Sugar Cookies"}, "targetBatches": 4}])
        );

        // An event without needs sets nothing; unknown and malformed ids are refused.
        let empty = fixtures::event(&app, "Quiet Day", "2027-05-01").await["id"].clone();
        let data = app.ok(APPLY, json!({"id": empty})).await;
        assert_eq!(data["applySuggestedTargets"], json!([]));
        let gone = ids::encode("Event", 999_999).to_string();
        app.error(APPLY, json!({"id": gone}))
            .await
            .expect("NOT_FOUND", "Event");
        app.error(APPLY, json!({"id": brownies}))
            .await
            .expect("BAD_USER_INPUT", "");
    }
);

const SHOPPING: &str = "query($id: ID!) { node(id: $id) { ... on Event { shoppingList {
  ingredient { name } needed onHand shortfall unit product { brand } packagesToBuy estimatedCost } } } }";

async fn shopping_list(app: &TestApp, event: &Value) -> Value {
    app.ok(SHOPPING, json!({"id": event})).await["node"]["shoppingList"].clone()
}

db_test!(the_shopping_list_covers_the_remaining_batches, |app| {
    let k = cookie_kitchen(&app).await;
    // A cookie batch: 2.5 cups of flour (301.213683203125 g), 1 cup of butter (227 g), 2 eggs.
    let package = cookie_gift(&app, &k).await;
    assign(&app, &k["event"], "Alice", &package, 4).await;
    // Flour: a 1 kg product first, then the preferred 5 lb bag.
    Create::Product.id(&app, json!({"ingredientId": k["flour"], "brand": "Mill", "packageQuantity": "1", "packageUnit": "kg"})).await;
    Create::Product.id(&app, json!({"ingredientId": k["flour"], "brand": "King", "packageQuantity": "5", "packageUnit": "lb", "preferred": true})).await;
    Create::Product.id(&app, json!({"ingredientId": k["eggs"], "brand": "Farm", "packageQuantity": "1", "packageUnit": "dozen"})).await;
    purchase(&app, json!({"ingredientId": k["flour"], "quantity": "1", "unit": "lb", "totalCost": "1.00", "purchasedOn": "2026-11-01"})).await;
    purchase(&app, json!({"ingredientId": k["flour"], "quantity": "5", "unit": "lb", "totalCost": "6.00", "purchasedOn": "2026-11-10"})).await;
    purchase(&app, json!({"ingredientId": k["butter"], "quantity": "227", "unit": "g", "totalCost": "2.00", "purchasedOn": "2026-11-05"})).await;

    // No target: the need (48 cookies = 2 batches). Flour (602.427366 g of 2721.55422 g)
    // is covered; butter has no product (shortfall × 2/227 per g); eggs were never bought.
    assert_eq!(
        shopping_list(&app, &k["event"]).await,
        json!([
                {"ingredient": {"name": "Butter"}, "needed": "454", "onHand": "227", "shortfall": "227", "unit": "g",
                 "product": null, "packagesToBuy": null, "estimatedCost": "2"},
                {"ingredient": {"name": "Eggs"}, "needed": "4", "onHand": "0", "shortfall": "4", "unit": "each",
                 "product": {"brand": "Farm"}, "packagesToBuy": 1, "estimatedCost": null}])
    );

    // A target of 20 batches wins over the need.
    fixtures::production_target(&app, &k["event"], &k["recipe"], 20).await;
    assert_eq!(
        shopping_list(&app, &k["event"]).await,
        json!([
                {"ingredient": {"name": "Butter"}, "needed": "4540", "onHand": "227", "shortfall": "4313", "unit": "g",
                 "product": null, "packagesToBuy": null, "estimatedCost": "38"},
                {"ingredient": {"name": "Eggs"}, "needed": "40", "onHand": "0", "shortfall": "40", "unit": "each",
                 "product": {"brand": "Farm"}, "packagesToBuy": 4, "estimatedCost": null},
                // 3302.719444 g short: two 5 lb bags (2 × 2267.96185 g at 0.0026455471 per g).
                {"ingredient": {"name": "Flour"}, "needed": "6024.273664", "onHand": "2721.55422", "shortfall": "3302.719444",
                 "unit": "g", "product": {"brand": "King"}, "packagesToBuy": 2, "estimatedCost": "12"}])
    );

    // Bake 2 batches for the event (and 1 standalone, which does not count): 18 remain.
    purchase(&app, json!({"ingredientId": k["butter"], "quantity": "454", "unit": "g", "totalCost": "4.00", "purchasedOn": "2026-11-12"})).await;
    purchase(&app, json!({"ingredientId": k["eggs"], "quantity": "3", "unit": "dozen", "totalCost": "10.80", "purchasedOn": "2026-11-12"})).await;
    produce(&app, &k["recipe"], &k["cookie"], 2, Some(&k["event"])).await;
    produce(&app, &k["recipe"], &k["cookie"], 1, None).await;
    // Stock left: flour 2721.55422 − 3 × 301.213683 g, butter 0, eggs 36 − 6 = 30.
    assert_eq!(
        shopping_list(&app, &k["event"]).await,
        json!([
                {"ingredient": {"name": "Butter"}, "needed": "4086", "onHand": "0", "shortfall": "4086", "unit": "g",
                 "product": null, "packagesToBuy": null, "estimatedCost": "36"},
                {"ingredient": {"name": "Eggs"}, "needed": "36", "onHand": "30", "shortfall": "6", "unit": "each",
                 "product": {"brand": "Farm"}, "packagesToBuy": 1, "estimatedCost": "3.6"},
                {"ingredient": {"name": "Flour"}, "needed": "5421.846298", "onHand": "1817.913171", "shortfall": "3603.933127",
                 "unit": "g", "product": {"brand": "King"}, "packagesToBuy": 2, "estimatedCost": "12"}])
    );

    // Once the target is met (2 of 2 batches) nothing is left to buy.
    fixtures::production_target(&app, &k["event"], &k["recipe"], 2).await;
    assert_eq!(shopping_list(&app, &k["event"]).await, json!([]));
});

const COST: &str = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Event { name costSummary {
  plannedCost actualCost variance variancePercent
  recipes { recipe { name } batchesPlanned batchesProduced plannedCost actualCost variance variancePercent } } } } }";

/// Stock at one price per ingredient, so a batch costs the same from any lot: flour
/// 0.002 per g, butter 0.01 per g, eggs 0.3 each. A cookie batch then costs
/// 301.213683 g × 0.002 (0.6024) + 227 g × 0.01 + 2 × 0.3 = 3.4724.
async fn stock_up(app: &TestApp, k: &Value) {
    purchase(app, json!({"ingredientId": k["flour"], "quantity": "10000", "unit": "g", "totalCost": "20.00", "purchasedOn": "2026-11-01"})).await;
    purchase(app, json!({"ingredientId": k["butter"], "quantity": "2270", "unit": "g", "totalCost": "22.70", "purchasedOn": "2026-11-01"})).await;
    purchase(app, json!({"ingredientId": k["eggs"], "quantity": "60", "unit": "each", "totalCost": "18.00", "purchasedOn": "2026-11-01"})).await;
}

db_test!(
    the_cost_summary_plans_from_targets_or_needs_and_counts_attributed_runs,
    |app| {
        let k = cookie_kitchen(&app).await;
        stock_up(&app, &k).await;
        let shortbread = Create::Recipe.id(
            &app,
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "tray", "ingredients": [
                {"ingredientId": k["flour"], "quantity": "200", "unit": "g"},
                {"ingredientId": k["butter"], "quantity": "100", "unit": "g"}]}),
        )
        .await;
        let test_bake = Create::Recipe.id(
            &app,
            json!({"name": "Test Bake", "yieldQuantity": "1", "yieldUnit": "loaf", "ingredients": [
                {"ingredientId": k["flour"], "quantity": "50", "unit": "g"}]}),
        )
        .await;
        let loaf = Create::FinishedUnit.id(
            &app,
            json!({"name": "Test Loaf", "recipeId": test_bake, "yieldMode": "BATCH_PORTION", "batchPercentage": "100"}),
        )
        .await;
        let package = cookie_gift(&app, &k).await;
        // Christmas needs 48 cookies (2 batches, no target) and targets 3 shortbread trays.
        assign(&app, &k["event"], "Alice", &package, 4).await;
        fixtures::production_target(&app, &k["event"], &shortbread, 3).await;
        let boxing = fixtures::event(&app, "Boxing Day", "2026-12-26").await["id"].clone();
        produce(&app, &k["recipe"], &k["cookie"], 1, Some(&k["event"])).await;
        produce(&app, &test_bake, &loaf, 1, Some(&k["event"])).await;
        produce(&app, &k["recipe"], &k["cookie"], 1, None).await;
        produce(&app, &k["recipe"], &k["cookie"], 2, Some(&boxing)).await;

        let data = app.ok(COST, json!({"ids": [k["event"], boxing]})).await;
        let christmas = &data["nodes"][0]["costSummary"];
        assert_eq!(
            christmas["recipes"],
            json!([
                // 3 trays × (200 g × 0.002 + 100 g × 0.01) = 4.2 planned, nothing baked.
                {"recipe": {"name": "Shortbread"}, "batchesPlanned": 3, "batchesProduced": 0,
                 "plannedCost": "4.2", "actualCost": "0", "variance": "-4.2", "variancePercent": -100.0},
                {"recipe": {"name": "Sugar Cookies"}, "batchesPlanned": 2, "batchesProduced": 1,
                 "plannedCost": "6.9448", "actualCost": "3.4724", "variance": "-3.4724", "variancePercent": -50.0},
                // Only an attributed run: nothing planned, so no percent.
                {"recipe": {"name": "Test Bake"}, "batchesPlanned": 0, "batchesProduced": 1,
                 "plannedCost": "0", "actualCost": "0.1", "variance": "0.1", "variancePercent": null}])
        );
        assert_eq!(christmas["plannedCost"], "11.1448");
        assert_eq!(christmas["actualCost"], "3.5724");
        assert_eq!(christmas["variance"], "-7.5724");
        let percent = christmas["variancePercent"].as_f64().expect("a percent");
        assert!(
            (percent - (-7.5724 / 11.1448 * 100.0)).abs() < 1e-9,
            "{percent}"
        );
        // The other event sees only its own run (2 batches: 1.2049 + 4.54 + 1.2).
        assert_eq!(
            data["nodes"][1]["costSummary"],
            json!({"plannedCost": "0", "actualCost": "6.9449", "variance": "6.9449", "variancePercent": null,
                   "recipes": [{"recipe": {"name": "Sugar Cookies"}, "batchesPlanned": 0, "batchesProduced": 2,
                    "plannedCost": "0", "actualCost": "6.9449", "variance": "6.9449", "variancePercent": null}]})
        );

        // A target wins over the need: 5 batches planned.
        fixtures::production_target(&app, &k["event"], &k["recipe"], 5).await;
        let data = app.ok(COST, json!({"ids": [k["event"]]})).await;
        let christmas = &data["nodes"][0]["costSummary"];
        assert_eq!(
            christmas["recipes"][1],
            json!({"recipe": {"name": "Sugar Cookies"}, "batchesPlanned": 5, "batchesProduced": 1,
                   "plannedCost": "17.362", "actualCost": "3.4724", "variance": "-13.8896", "variancePercent": -80.0})
        );
        assert_eq!(christmas["plannedCost"], "21.562");
    }
);

/// An event like every other of the batching test: 40 gifts (480 cookies, 20 batches), a
/// shortbread target and one cookie batch baked for it.
async fn busy_event(
    app: &TestApp,
    k: &Value,
    event: &Value,
    package: &Value,
    shortbread: &Value,
    n: usize,
) {
    assign(app, event, &format!("Recipient {n}"), package, 40).await;
    fixtures::production_target(app, event, shortbread, 2).await;
    produce(app, &k["recipe"], &k["cookie"], 1, Some(event)).await;
}

db_test!(planning_of_many_events_costs_the_statements_of_one, |app| {
    let k = cookie_kitchen(&app).await;
    stock_up(&app, &k).await;
    Create::Product.id(&app, json!({"ingredientId": k["butter"], "brand": "Dairy", "packageQuantity": "1", "packageUnit": "lb"})).await;
    let shortbread = Create::Recipe
        .id(
            &app,
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "tray", "ingredients": [
                {"ingredientId": k["flour"], "quantity": "200", "unit": "g"},
                {"ingredientId": k["butter"], "quantity": "100", "unit": "g"}]}),
        )
        .await;
    let package = cookie_gift(&app, &k).await;
    busy_event(&app, &k, &k["event"], &package, &shortbread, 1).await;

    let cost = "{ events(first: 10) { nodes { costSummary { plannedCost actualCost variancePercent
            recipes { recipe { name } batchesPlanned plannedCost actualCost } } } } }";
    let plans = "{ events(first: 10) { nodes { recipeNeeds { unitsNeeded batchesNeeded }
            suggestedTargets { batches } shoppingList { shortfall packagesToBuy estimatedCost } } } }";
    let measure = |query: &'static str| {
        let app = &app;
        async move {
            // Once first, so the pool has opened its connections (their setup counts too).
            app.ok(query, json!({})).await;
            let before = app.statements();
            let data = app.ok(query, json!({})).await;
            (app.statements() - before, data)
        }
    };
    let (cost_one, one) = measure(cost).await;
    let (plans_one, _) = measure(plans).await;
    for n in 2..=3 {
        let event = fixtures::event(&app, &format!("Party {n}"), &format!("2027-0{n}-01")).await
            ["id"]
            .clone();
        busy_event(&app, &k, &event, &package, &shortbread, n).await;
    }
    let (cost_three, three) = measure(cost).await;
    let (plans_three, plan_data) = measure(plans).await;
    assert_eq!(three["events"]["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(
        cost_one, cost_three,
        "the cost summary of 3 events must cost the statements of 1"
    );
    assert_eq!(
        plans_one, plans_three,
        "needs and shopping lists of 3 events must cost the statements of 1"
    );
    // Every event has the same plan; the first summary did not change with the others.
    assert_eq!(
        three["events"]["nodes"][0]["costSummary"]["recipes"],
        one["events"]["nodes"][0]["costSummary"]["recipes"]
    );
    for node in three["events"]["nodes"].as_array().unwrap() {
        assert_eq!(
            node["costSummary"]["recipes"][1],
            json!({"recipe": {"name": "Sugar Cookies"}, "batchesPlanned": 20, "plannedCost": "69.448", "actualCost": "3.4724"})
        );
    }
    for node in plan_data["events"]["nodes"].as_array().unwrap() {
        assert_eq!(
            node["recipeNeeds"],
            json!([{"unitsNeeded": 480, "batchesNeeded": 20}])
        );
        assert_eq!(node["suggestedTargets"], json!([{"batches": 20}]));
        assert!(!node["shoppingList"].as_array().unwrap().is_empty());
    }
});
