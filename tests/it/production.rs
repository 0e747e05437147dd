//! Production and assembly: FIFO consumption with exact costs, all-or-nothing recording,
//! idempotency, availability and the run lists.

use crate::db_test;
use crate::harness::TestApp;
use crate::pantry::{create_ingredient, purchase};
use serde_json::{json, Value};

pub const RECORD_PRODUCTION: &str = "mutation($input: RecordProductionInput!) { recordProduction(input: $input) {
  replayed warnings productionRun { id numBatches expectedYield actualYield totalIngredientCost perUnitCost
    event { name } finishedUnit { inventoryCount averageUnitCost }
    consumptions { ingredientName quantity unit unitCost cost lot { purchasedOn } } } } }";

pub const RECORD_ASSEMBLY: &str =
    "mutation($input: RecordAssemblyInput!) { recordAssembly(input: $input) {
  replayed warnings assemblyRun { id quantity totalComponentCost perUnitCost
    finishedGood { inventoryCount averageUnitCost }
    consumptions { kind componentName quantity unit unitCost cost } } } }";

/// The sugar-cookie kitchen: flour (g, with density), butter (g, with density), eggs
/// (each), a cookie recipe, its 24-cookie finished unit, a cellophane bag and a gift box
/// of 6 cookies in a bag. Returns the ids.
pub async fn cookie_kitchen(app: &TestApp) -> Value {
    let flour = create_ingredient(
        app,
        json!({"name": "Flour", "unit": "g", "density": {"volume": "1", "volumeUnit": "cup", "weight": "4.25", "weightUnit": "oz"}}),
    )
    .await;
    let butter = create_ingredient(
        app,
        json!({"name": "Butter", "unit": "g", "density": {"volume": "1", "volumeUnit": "cup", "weight": "227", "weightUnit": "g"}}),
    )
    .await;
    let eggs = create_ingredient(app, json!({"name": "Eggs", "unit": "each"})).await;
    let bag = create_ingredient(
        app,
        json!({"name": "Cellophane Bag", "unit": "each", "isPackaging": true}),
    )
    .await;
    let recipe = app
        .ok(
            "mutation($input: CreateRecipeInput!) { createRecipe(input: $input) { id } }",
            json!({"input": {"name": "Sugar Cookies", "yieldQuantity": "24", "yieldUnit": "cookies", "ingredients": [
                {"ingredientId": flour["id"], "quantity": "2.5", "unit": "cup"},
                {"ingredientId": butter["id"], "quantity": "1", "unit": "cup"},
                {"ingredientId": eggs["id"], "quantity": "2", "unit": "each"}]}}),
        )
        .await["createRecipe"]["id"]
        .clone();
    let cookie = app
        .ok(
            "mutation($input: CreateFinishedUnitInput!) { createFinishedUnit(input: $input) { id } }",
            json!({"input": {"name": "Sugar Cookie", "recipeId": recipe, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 24, "itemUnit": "cookie"}}),
        )
        .await["createFinishedUnit"]["id"]
        .clone();
    let gift_box = app
        .ok(
            "mutation($input: CreateFinishedGoodInput!) { createFinishedGood(input: $input) { id } }",
            json!({"input": {"name": "Cookie Box", "assemblyType": "GIFT_BOX", "components": [
                {"finishedUnitId": cookie, "quantity": "6"}, {"packagingId": bag["id"], "quantity": "1"}]}}),
        )
        .await["createFinishedGood"]["id"]
        .clone();
    let event = app
        .ok(
            "mutation { createEvent(input: {name: \"Christmas 2026\", eventDate: \"2026-12-24\"}) { id } }",
            json!({}),
        )
        .await["createEvent"]["id"]
        .clone();
    json!({"flour": flour["id"], "butter": butter["id"], "eggs": eggs["id"], "bag": bag["id"],
           "recipe": recipe, "cookie": cookie, "box": gift_box, "event": event})
}

db_test!(
    a_baker_buys_bakes_assembles_and_is_told_what_is_missing,
    |app| {
        let k = cookie_kitchen(&app).await;
        // Flour by the pound (two lots, the older one cheaper), butter by the cup, eggs by the dozen.
        purchase(&app, json!({"ingredientId": k["flour"], "quantity": "1", "unit": "lb", "totalCost": "1.00", "purchasedOn": "2026-11-01"})).await;
        purchase(&app, json!({"ingredientId": k["flour"], "quantity": "5", "unit": "lb", "totalCost": "6.00", "purchasedOn": "2026-11-10"})).await;
        purchase(&app, json!({"ingredientId": k["butter"], "quantity": "4", "unit": "cup", "totalCost": "8.00", "purchasedOn": "2026-11-05"})).await;
        purchase(&app, json!({"ingredientId": k["eggs"], "quantity": "1", "unit": "dozen", "totalCost": "3.60", "purchasedOn": "2026-11-05"})).await;
        purchase(&app, json!({"ingredientId": k["bag"], "quantity": "10", "unit": "each", "totalCost": "2.50", "purchasedOn": "2026-11-05"})).await;

        let data = app
        .ok(RECORD_PRODUCTION, json!({"input": {"recipeId": k["recipe"], "finishedUnitId": k["cookie"], "numBatches": 2,
            "actualYield": 46, "eventId": k["event"], "notes": "first bake"}}))
        .await;
        let run = &data["recordProduction"]["productionRun"];
        assert_eq!(data["recordProduction"]["replayed"], false);
        assert_eq!(run["numBatches"], 2);
        assert_eq!(run["expectedYield"], 48);
        assert_eq!(run["actualYield"], 46);
        assert_eq!(run["event"]["name"], "Christmas 2026");
        // 5 cups of flour = 21.25 oz = 602.427366 g: all 453.59237 g of the first lot, then
        // 148.834996 g of the second. 2 cups of butter = 454 g; 4 eggs.
        assert_eq!(
            run["consumptions"],
            json!([
                {"ingredientName": "Butter", "quantity": "454", "unit": "g", "unitCost": "0.0088105727", "cost": "4",
                 "lot": {"purchasedOn": "2026-11-05"}},
                {"ingredientName": "Eggs", "quantity": "4", "unit": "each", "unitCost": "0.3", "cost": "1.2",
                 "lot": {"purchasedOn": "2026-11-05"}},
                {"ingredientName": "Flour", "quantity": "453.59237", "unit": "g", "unitCost": "0.0022046226", "cost": "1",
                 "lot": {"purchasedOn": "2026-11-01"}},
                {"ingredientName": "Flour", "quantity": "148.834996", "unit": "g", "unitCost": "0.0026455471", "cost": "0.3937",
                 "lot": {"purchasedOn": "2026-11-10"}}
            ])
        );
        assert_eq!(run["totalIngredientCost"], "6.5937");
        assert_eq!(run["perUnitCost"], "0.1433413043");
        assert_eq!(
            run["finishedUnit"],
            json!({"inventoryCount": 46, "averageUnitCost": "0.1433413043"})
        );

        // Assemble 5 boxes of 6 cookies and a bag each.
        let data = app.ok(RECORD_ASSEMBLY, json!({"input": {"finishedGoodId": k["box"], "quantity": 5, "eventId": k["event"]}})).await;
        let run = &data["recordAssembly"]["assemblyRun"];
        assert_eq!(
            run["consumptions"],
            json!([
                {"kind": "FINISHED_UNIT", "componentName": "Sugar Cookie", "quantity": "30", "unit": "each", "unitCost": "0.1433413043", "cost": "4.3002"},
                {"kind": "PACKAGING", "componentName": "Cellophane Bag", "quantity": "5", "unit": "each", "unitCost": "0.25", "cost": "1.25"}
            ])
        );
        assert_eq!(run["totalComponentCost"], "5.5502");
        assert_eq!(run["perUnitCost"], "1.11004");
        assert_eq!(
            run["finishedGood"],
            json!({"inventoryCount": 5, "averageUnitCost": "1.11004"})
        );

        // Not enough for 3 more boxes (16 cookies left) nor 2 batches (8 eggs left, but butter).
        let error = app
            .error(
                RECORD_ASSEMBLY,
                json!({"input": {"finishedGoodId": k["box"], "quantity": 3}}),
            )
            .await;
        error.expect("INSUFFICIENT_INVENTORY", "Sugar Cookie");
        assert_eq!(
            error.extensions["missing"],
            json!([{"component": "Sugar Cookie", "needed": "18", "available": "16", "unit": "each"}])
        );
        let error = app
        .error(RECORD_PRODUCTION, json!({"input": {"recipeId": k["recipe"], "finishedUnitId": k["cookie"], "numBatches": 3, "actualYield": 72}}))
        .await;
        assert_eq!(error.code, "INSUFFICIENT_INVENTORY");
        assert_eq!(
            error.extensions["missing"],
            json!([{"ingredient": "Butter", "needed": "681", "available": "454", "unit": "g"}])
        );
        let availability = app
        .ok("query($id: ID!) { node(id: $id) { ... on Recipe { estimatedBatchCost availability(batches: 3) { canProduce missing { ingredient { name } shortfall unit } } } } }", json!({"id": k["recipe"]}))
        .await;
        assert_eq!(
            availability["node"]["availability"],
            json!({"canProduce": false, "missing": [{"ingredient": {"name": "Butter"}, "shortfall": "227", "unit": "g"}]})
        );
        // One batch today: 301.213683 g of flour from the 2026-11-10 lot, 227 g of butter, 2 eggs.
        assert_eq!(availability["node"]["estimatedBatchCost"], "3.3969");
        let runs = app
        .ok("query($id: ID!) { productionRuns(filter: {eventId: $id}) { totalCount nodes { numBatches } }
                standalone: productionRuns(filter: {standalone: true}) { totalCount }
                assemblyRuns { totalCount nodes { quantity event { name } } } }", json!({"id": k["event"]}))
        .await;
        assert_eq!(
            runs["productionRuns"],
            json!({"totalCount": 1, "nodes": [{"numBatches": 2}]})
        );
        assert_eq!(runs["standalone"]["totalCount"], 0);
        assert_eq!(
            runs["assemblyRuns"],
            json!({"totalCount": 1, "nodes": [{"quantity": 5, "event": {"name": "Christmas 2026"}}]})
        );
    }
);
