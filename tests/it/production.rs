//! Production and assembly: FIFO consumption with exact costs, all-or-nothing recording,
//! idempotency, availability and the run lists.

use crate::harness::{raw_http, TestApp};
use crate::pantry::{create_ingredient, purchase};
use crate::{db_test, db_test_concurrent};
use bakeplan::store::run_totals;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;

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

// ---------------------------------------------------------------------------------------
// Helpers

/// Parses a `Decimal` scalar exactly (never through a float).
fn dec(value: &Value) -> Decimal {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a decimal string: {value}"));
    Decimal::from_str(text).unwrap_or_else(|e| panic!("bad decimal {text:?}: {e}"))
}

/// quantity × unit cost rounded to money (4 places, half away from zero).
fn money(quantity: Decimal, unit_cost: Decimal) -> Decimal {
    (quantity * unit_cost).round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
}

async fn create_recipe(app: &TestApp, input: Value) -> Value {
    app.ok(
        "mutation($input: CreateRecipeInput!) { createRecipe(input: $input) { id } }",
        json!({ "input": input }),
    )
    .await["createRecipe"]["id"]
        .clone()
}

async fn create_unit(app: &TestApp, input: Value) -> Value {
    app.ok(
        "mutation($input: CreateFinishedUnitInput!) { createFinishedUnit(input: $input) { id } }",
        json!({ "input": input }),
    )
    .await["createFinishedUnit"]["id"]
        .clone()
}

async fn create_good(app: &TestApp, input: Value) -> Value {
    app.ok(
        "mutation($input: CreateFinishedGoodInput!) { createFinishedGood(input: $input) { id } }",
        json!({ "input": input }),
    )
    .await["createFinishedGood"]["id"]
        .clone()
}

async fn create_event(app: &TestApp, name: &str, date: &str) -> Value {
    app.ok(
        "mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }",
        json!({"input": {"name": name, "eventDate": date}}),
    )
    .await["createEvent"]["id"]
        .clone()
}

/// Records a production that must succeed; returns the run (with lot ids).
async fn produce(app: &TestApp, input: Value) -> Value {
    app.ok(RUN_WITH_LOTS, json!({ "input": input })).await["recordProduction"].clone()
}

const RUN_WITH_LOTS: &str = "mutation($input: RecordProductionInput!) { recordProduction(input: $input) {
  replayed productionRun { id numBatches expectedYield actualYield totalIngredientCost perUnitCost
    finishedUnit { id inventoryCount averageUnitCost }
    consumptions { ingredient { id } ingredientName quantity unit unitCost cost lot { id unitCost } } } } }";

/// Every ingredient with its stock and every lot (empty ones too): compared before and
/// after a refused request to prove nothing moved (quantities and `updatedAt`).
const STOCK: &str = "{ ingredients(first: 100) { nodes { id name onHand
  lots(includeEmpty: true) { id quantityPurchased quantityRemaining unitCost updatedAt adjustments { quantityChange } } } }
  finishedUnits(first: 100) { nodes { id inventoryCount averageUnitCost updatedAt } }
  finishedGoods(first: 100) { nodes { id inventoryCount averageUnitCost updatedAt } }
  productionRuns { totalCount } assemblyRuns { totalCount } }";

const LOTS: &str = "query($id: ID!) { node(id: $id) { ... on Ingredient { onHand
  lots { id quantityRemaining }
  all: lots(includeEmpty: true) { id purchasedOn quantityPurchased quantityRemaining unitCost } } } }";

/// An ingredient id with the units it is bought in, each with a range of whole amounts.
type Buying = (Value, Vec<(&'static str, u64, u64)>);

/// A tiny deterministic generator (xorshift64*), so the random sequence is the same on
/// every run and both backends.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Posts a GraphQL document to a server by address (for spawned tasks).
async fn post(addr: SocketAddr, query: &str, variables: Value) -> Value {
    let body = json!({"query": query, "variables": variables}).to_string();
    let (status, text) = raw_http(
        addr,
        "POST",
        "/graphql",
        &[("content-type", "application/json")],
        Some(&body),
    )
    .await;
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("status {status}, not JSON: {text}"))
}

/// Sends the same document with each of `inputs` at once, from separate tasks.
/// Sends one mutation per input at the same moment and returns every response.
pub async fn all_at_once(app: &TestApp, query: &'static str, inputs: Vec<Value>) -> Vec<Value> {
    let addr = app.addr;
    let start = Arc::new(tokio::sync::Barrier::new(inputs.len()));
    let tasks: Vec<_> = inputs
        .into_iter()
        .map(|input| {
            let start = start.clone();
            tokio::spawn(async move {
                start.wait().await;
                post(addr, query, json!({ "input": input })).await
            })
        })
        .collect();
    let mut responses = Vec::new();
    for task in tasks {
        responses.push(task.await.expect("request task"));
    }
    responses
}

/// The code of a response's first error, if any.
pub fn error_code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}

// ---------------------------------------------------------------------------------------
// Exactness

db_test!(
    purchased_equals_consumed_plus_remaining_after_a_random_sequence,
    |app| {
        let ingredient = |name: &str, unit: &str, density: Value| json!({"name": name, "unit": unit, "density": density});
        let flour = create_ingredient(
            &app,
            ingredient(
                "Flour",
                "g",
                json!({"volume": "1", "volumeUnit": "cup", "weight": "4.25", "weightUnit": "oz"}),
            ),
        )
        .await["id"]
            .clone();
        let sugar = create_ingredient(
            &app,
            ingredient(
                "Sugar",
                "oz",
                json!({"volume": "1", "volumeUnit": "cup", "weight": "200", "weightUnit": "g"}),
            ),
        )
        .await["id"]
            .clone();
        let butter = create_ingredient(
            &app,
            ingredient(
                "Butter",
                "g",
                json!({"volume": "1", "volumeUnit": "cup", "weight": "227", "weightUnit": "g"}),
            ),
        )
        .await["id"]
            .clone();
        let eggs =
            create_ingredient(&app, ingredient("Eggs", "each", Value::Null)).await["id"].clone();
        let milk = create_ingredient(
            &app,
            ingredient(
                "Milk",
                "ml",
                json!({"volume": "1", "volumeUnit": "cup", "weight": "8.6", "weightUnit": "oz"}),
            ),
        )
        .await["id"]
            .clone();
        let vanilla =
            create_ingredient(&app, ingredient("Vanilla", "tsp", Value::Null)).await["id"].clone();
        // Each ingredient with the units it is bought in and a range of whole amounts.
        let pantry: Vec<Buying> = vec![
            (
                flour.clone(),
                vec![("lb", 1, 3), ("oz", 6, 30), ("kg", 1, 2), ("cup", 2, 8)],
            ),
            (
                sugar.clone(),
                vec![("lb", 1, 2), ("g", 200, 700), ("cup", 1, 4), ("kg", 1, 1)],
            ),
            (
                butter.clone(),
                vec![("lb", 1, 2), ("oz", 4, 16), ("cup", 1, 3), ("tbsp", 8, 30)],
            ),
            (eggs.clone(), vec![("dozen", 1, 2), ("each", 2, 10)]),
            (
                milk.clone(),
                vec![("qt", 1, 2), ("cup", 1, 6), ("l", 1, 1), ("fl oz", 8, 40)],
            ),
            (
                vanilla.clone(),
                vec![
                    ("fl oz", 1, 2),
                    ("ml", 5, 40),
                    ("tbsp", 1, 6),
                    ("tsp", 3, 12),
                ],
            ),
        ];
        let dough = create_recipe(&app, json!({"name": "Shortbread Dough", "yieldQuantity": "1", "yieldUnit": "batch", "ingredients": [
            {"ingredientId": flour, "quantity": "2.25", "unit": "cup"},
            {"ingredientId": butter, "quantity": "0.5", "unit": "lb"},
            {"ingredientId": sugar, "quantity": "0.75", "unit": "cup"}]})).await;
        let glaze = create_recipe(
            &app,
            json!({"name": "Glaze", "yieldQuantity": "1", "yieldUnit": "cup", "ingredients": [
            {"ingredientId": sugar, "quantity": "1", "unit": "cup"},
            {"ingredientId": milk, "quantity": "3", "unit": "tbsp"},
            {"ingredientId": vanilla, "quantity": "0.5", "unit": "tsp"}]}),
        )
        .await;
        let cookies = create_recipe(&app, json!({"name": "Glazed Cookies", "yieldQuantity": "36", "yieldUnit": "cookies",
            "ingredients": [{"ingredientId": eggs, "quantity": "1", "unit": "each"},
                            {"ingredientId": vanilla, "quantity": "1", "unit": "ml"},
                            {"ingredientId": flour, "quantity": "1.5", "unit": "oz"}],
            "components": [{"recipeId": dough, "quantity": "1.5"}, {"recipeId": glaze, "quantity": "0.5"}]})).await;
        let cake = create_recipe(&app, json!({"name": "Layer Cake", "yieldQuantity": "1", "yieldUnit": "cake",
            "ingredients": [{"ingredientId": eggs, "quantity": "4", "unit": "each"},
                            {"ingredientId": milk, "quantity": "1", "unit": "cup"},
                            {"ingredientId": flour, "quantity": "100", "unit": "g"}],
            "components": [{"recipeId": dough, "quantity": "2"}, {"recipeId": glaze, "quantity": "1"}]})).await;
        let cookie = create_unit(&app, json!({"name": "Glazed Cookie", "recipeId": cookies, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 36, "itemUnit": "cookie"})).await;
        let half_cake = create_unit(&app, json!({"name": "Half Cake", "recipeId": cake, "yieldMode": "BATCH_PORTION", "batchPercentage": "50"})).await;
        let event = create_event(&app, "Cookie Swap", "2026-12-12").await;

        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let fractions = ["", ".25", ".5", ".75", ".125", ".3", ".333"];
        let mut purchases: HashMap<String, usize> = HashMap::new();
        let mut adjustments: HashMap<String, Decimal> = HashMap::new();
        let mut yields: HashMap<String, i64> = HashMap::new();
        let (mut successes, mut failures) = (0, 0);
        let buy = |rng: &mut Rng, which: usize| {
            let (id, units) = &pantry[which];
            let (unit, low, high) = *rng.pick(units);
            let whole = low + rng.below(high - low + 1);
            let quantity = format!("{whole}{}", rng.pick(&fractions));
            let cost = format!("{}.{:02}", 1 + rng.below(12), rng.below(100));
            let day = 1 + rng.below(28);
            json!({"ingredientId": id, "quantity": quantity, "unit": unit, "totalCost": cost,
                   "purchasedOn": format!("2026-11-{day:02}")})
        };
        for (which, (id, _)) in pantry.iter().enumerate() {
            let input = buy(&mut rng, which);
            purchase(&app, input).await;
            *purchases
                .entry(id.as_str().unwrap().to_string())
                .or_default() += 1;
        }
        for _ in 0..70 {
            let roll = rng.below(100);
            if roll < 45 {
                let which = rng.below(pantry.len() as u64) as usize;
                let input = buy(&mut rng, which);
                purchase(&app, input).await;
                *purchases
                    .entry(pantry[which].0.as_str().unwrap().to_string())
                    .or_default() += 1;
            } else if roll < 88 {
                let batches = 1 + rng.below(3) as i64;
                let (recipe, unit, expected) = if rng.below(2) == 0 {
                    (&cookies, &cookie, 36 * batches)
                } else {
                    (&cake, &half_cake, 2 * batches)
                };
                let actual = (expected - rng.below(3) as i64).max(0);
                let mut input = json!({"recipeId": recipe, "finishedUnitId": unit, "numBatches": batches, "actualYield": actual});
                if rng.below(3) == 0 {
                    input["eventId"] = event.clone();
                }
                let before = app.ok(STOCK, json!({})).await;
                let response = app.graphql(RUN_WITH_LOTS, json!({ "input": input })).await;
                if response.get("errors").is_some() {
                    assert_eq!(
                        error_code(&response),
                        Some("INSUFFICIENT_INVENTORY"),
                        "{response:#}"
                    );
                    let missing = response["errors"][0]["extensions"]["missing"]
                        .as_array()
                        .expect("missing list");
                    assert!(!missing.is_empty());
                    for short in missing {
                        assert!(dec(&short["needed"]) > dec(&short["available"]), "{short}");
                    }
                    assert_eq!(
                        app.ok(STOCK, json!({})).await,
                        before,
                        "a refused production moved stock"
                    );
                    failures += 1;
                } else {
                    let run = &response["data"]["recordProduction"]["productionRun"];
                    assert_eq!(run["expectedYield"], expected);
                    *yields
                        .entry(unit.as_str().unwrap().to_string())
                        .or_default() += actual;
                    successes += 1;
                }
            } else {
                let stock = app.ok(STOCK, json!({})).await;
                let lots: Vec<&Value> = stock["ingredients"]["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|i| i["lots"].as_array().unwrap())
                    .filter(|lot| dec(&lot["quantityRemaining"]) > Decimal::ZERO)
                    .collect();
                if lots.is_empty() {
                    continue;
                }
                let lot = *rng.pick(&lots);
                let remaining = dec(&lot["quantityRemaining"]);
                let (input, change) = match rng.below(3) {
                    0 => {
                        let half = (remaining / Decimal::from(3)).round_dp(6);
                        (json!({"quantityChange": (-half).to_string()}), -half)
                    }
                    1 => (json!({"quantityRemaining": "0"}), -remaining),
                    _ => (json!({"quantityChange": "1.5"}), Decimal::new(15, 1)),
                };
                let mut input = input;
                input["lotId"] = lot["id"].clone();
                input["reason"] = json!("counted the shelf");
                let data = app.ok("mutation($input: AdjustInventoryLotInput!) { adjustInventoryLot(input: $input) { lot { quantityRemaining } adjustment { quantityChange } } }", json!({"input": input})).await;
                assert_eq!(
                    dec(&data["adjustInventoryLot"]["adjustment"]["quantityChange"]),
                    change
                );
                assert_eq!(
                    dec(&data["adjustInventoryLot"]["lot"]["quantityRemaining"]),
                    remaining + change
                );
                *adjustments
                    .entry(lot["id"].as_str().unwrap().to_string())
                    .or_default() += change;
            }
        }
        assert!(successes >= 5, "only {successes} productions succeeded");
        assert!(failures >= 3, "only {failures} productions were refused");
        assert!(
            adjustments.len() >= 3,
            "only {} lots adjusted",
            adjustments.len()
        );

        // Every run, with its consumptions.
        let runs = app.ok("{ productionRuns(first: 100) { totalCount nodes { id numBatches recipe { id }
            totalIngredientCost consumptions { ingredient { id } lot { id unitCost } quantity unitCost cost } } } }", json!({})).await;
        assert_eq!(runs["productionRuns"]["totalCount"], successes);
        let mut consumed_by_lot: HashMap<String, Decimal> = HashMap::new();
        let mut consumed_by_ingredient: HashMap<String, Decimal> = HashMap::new();
        let mut needs: HashMap<(String, i64), HashMap<String, Decimal>> = HashMap::new();
        for run in runs["productionRuns"]["nodes"].as_array().unwrap() {
            let mut total = Decimal::ZERO;
            let mut per_ingredient: HashMap<String, Decimal> = HashMap::new();
            for c in run["consumptions"].as_array().unwrap() {
                let quantity = dec(&c["quantity"]);
                assert!(quantity > Decimal::ZERO);
                assert_eq!(
                    c["unitCost"], c["lot"]["unitCost"],
                    "cost of another lot: {c}"
                );
                assert_eq!(dec(&c["cost"]), money(quantity, dec(&c["unitCost"])), "{c}");
                total += dec(&c["cost"]);
                let ingredient = c["ingredient"]["id"].as_str().unwrap().to_string();
                *per_ingredient.entry(ingredient.clone()).or_default() += quantity;
                *consumed_by_ingredient.entry(ingredient).or_default() += quantity;
                *consumed_by_lot
                    .entry(c["lot"]["id"].as_str().unwrap().to_string())
                    .or_default() += quantity;
            }
            assert_eq!(dec(&run["totalIngredientCost"]), total, "run {}", run["id"]);
            // What the run drew is exactly what the recipe needs for its batches.
            let recipe = run["recipe"]["id"].as_str().unwrap().to_string();
            let batches = run["numBatches"].as_i64().unwrap();
            let key = (recipe.clone(), batches);
            let need: HashMap<String, Decimal> = match needs.get(&key) {
                Some(need) => need.clone(),
                None => {
                    let data = app.ok("query($id: ID!, $b: Decimal!) { node(id: $id) { ... on Recipe { aggregatedIngredients(batches: $b) { ingredient { id } quantity } } } }",
                        json!({"id": recipe, "b": batches.to_string()})).await;
                    let need: HashMap<String, Decimal> = data["node"]["aggregatedIngredients"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|l| {
                            (
                                l["ingredient"]["id"].as_str().unwrap().to_string(),
                                dec(&l["quantity"]),
                            )
                        })
                        .collect();
                    needs.insert(key, need.clone());
                    need
                }
            };
            assert_eq!(per_ingredient, need, "run {}", run["id"]);
        }

        // purchased = consumed + remaining − adjustments, per lot and per ingredient, exactly.
        let stock = app.ok(STOCK, json!({})).await;
        let mut adjusted_lots = 0;
        for ingredient in stock["ingredients"]["nodes"].as_array().unwrap() {
            let id = ingredient["id"].as_str().unwrap().to_string();
            let lots = ingredient["lots"].as_array().unwrap();
            assert_eq!(lots.len(), purchases[&id], "lots of {}", ingredient["name"]);
            let (mut purchased, mut remaining, mut adjusted) =
                (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
            for lot in lots {
                let lot_id = lot["id"].as_str().unwrap();
                let changes: Decimal = lot["adjustments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| dec(&a["quantityChange"]))
                    .sum();
                assert_eq!(
                    changes,
                    adjustments.get(lot_id).copied().unwrap_or_default(),
                    "adjustments of lot {lot_id}"
                );
                if adjustments.contains_key(lot_id) {
                    adjusted_lots += 1;
                }
                let consumed = consumed_by_lot.get(lot_id).copied().unwrap_or_default();
                assert!(dec(&lot["quantityRemaining"]) >= Decimal::ZERO);
                assert_eq!(
                    dec(&lot["quantityPurchased"]) + changes,
                    consumed + dec(&lot["quantityRemaining"]),
                    "lot {lot_id}"
                );
                purchased += dec(&lot["quantityPurchased"]);
                remaining += dec(&lot["quantityRemaining"]);
                adjusted += changes;
            }
            assert_eq!(remaining, dec(&ingredient["onHand"]));
            let consumed = consumed_by_ingredient.get(&id).copied().unwrap_or_default();
            assert_eq!(
                purchased + adjusted,
                consumed + dec(&ingredient["onHand"]),
                "{}",
                ingredient["name"]
            );
        }
        assert_eq!(adjusted_lots, adjustments.len());
        for unit in stock["finishedUnits"]["nodes"].as_array().unwrap() {
            let id = unit["id"].as_str().unwrap();
            assert_eq!(
                unit["inventoryCount"].as_i64().unwrap(),
                yields.get(id).copied().unwrap_or(0)
            );
        }
        // The per-event run totals kept while recording equal what the runs add up to.
        assert_eq!(run_totals::mismatches(&app.db).await.unwrap(), 0);
    }
);

// ---------------------------------------------------------------------------------------
// FIFO

db_test!(
    fifo_crosses_lot_boundaries_oldest_first_and_skips_empty_lots,
    |app| {
        let chocolate =
            create_ingredient(&app, json!({"name": "Chocolate", "unit": "g"})).await["id"].clone();
        // Creation order A, B, C, D; FIFO order by purchase date then creation: B, D, A, C.
        let a = purchase(&app, json!({"ingredientId": chocolate, "quantity": "100", "totalCost": "1.00", "purchasedOn": "2026-11-05"})).await;
        let b = purchase(&app, json!({"ingredientId": chocolate, "quantity": "50", "totalCost": "1.00", "purchasedOn": "2026-11-01"})).await;
        let c = purchase(&app, json!({"ingredientId": chocolate, "quantity": "100", "totalCost": "3.00", "purchasedOn": "2026-11-05"})).await;
        let d = purchase(&app, json!({"ingredientId": chocolate, "quantity": "10", "totalCost": "0.50", "purchasedOn": "2026-11-01"})).await;
        app.ok("mutation($input: AdjustInventoryLotInput!) { adjustInventoryLot(input: $input) { lot { quantityRemaining } } }",
        json!({"input": {"lotId": d["id"], "quantityRemaining": "0", "reason": "melted"}})).await;
        let bark = create_recipe(
            &app,
            json!({"name": "Chocolate Bark", "yieldQuantity": "10", "yieldUnit": "pieces",
        "ingredients": [{"ingredientId": chocolate, "quantity": "120", "unit": "g"}]}),
        )
        .await;
        let piece = create_unit(&app, json!({"name": "Bark Piece", "recipeId": bark, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 10, "itemUnit": "piece"})).await;
        let input =
            json!({"recipeId": bark, "finishedUnitId": piece, "numBatches": 1, "actualYield": 10});

        // First batch: all 50 g of B (older date, created later), then 70 g of A; D is empty.
        let run = produce(&app, input.clone()).await;
        let draws: Vec<Value> = run["productionRun"]["consumptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| json!([c["lot"]["id"], c["quantity"], c["unitCost"], c["cost"]]))
            .collect();
        assert_eq!(
            draws,
            vec![
                json!([b["id"], "50", "0.02", "1"]),
                json!([a["id"], "70", "0.01", "0.7"])
            ]
        );
        assert_eq!(run["productionRun"]["totalIngredientCost"], "1.7");
        // Second batch: the rest of A, then C (same day as A, created after it).
        let run = produce(&app, input.clone()).await;
        let draws: Vec<Value> = run["productionRun"]["consumptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| json!([c["lot"]["id"], c["quantity"], c["unitCost"], c["cost"]]))
            .collect();
        assert_eq!(
            draws,
            vec![
                json!([a["id"], "30", "0.01", "0.3"]),
                json!([c["id"], "90", "0.03", "2.7"])
            ]
        );
        assert_eq!(run["productionRun"]["totalIngredientCost"], "3");
        assert_eq!(run["productionRun"]["perUnitCost"], "0.3");
        // Average of 10 at 0.17 and 10 at 0.30.
        assert_eq!(
            run["productionRun"]["finishedUnit"]["averageUnitCost"],
            "0.235"
        );

        let lots = app.ok(LOTS, json!({"id": chocolate})).await;
        assert_eq!(lots["node"]["onHand"], "10");
        assert_eq!(
            lots["node"]["lots"],
            json!([{"id": c["id"], "quantityRemaining": "10"}])
        );
        let all: Vec<Value> = lots["node"]["all"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| json!([l["id"], l["purchasedOn"], l["quantityRemaining"]]))
            .collect();
        assert_eq!(
            all,
            vec![
                json!([b["id"], "2026-11-01", "0"]),
                json!([d["id"], "2026-11-01", "0"]),
                json!([a["id"], "2026-11-05", "0"]),
                json!([c["id"], "2026-11-05", "10"]),
            ]
        );
        let error = app.error(RUN_WITH_LOTS, json!({"input": input})).await;
        assert_eq!(error.code, "INSUFFICIENT_INVENTORY");
        assert_eq!(
            error.extensions["missing"],
            json!([{"ingredient": "Chocolate", "needed": "120", "available": "10", "unit": "g"}])
        );
    }
);

// ---------------------------------------------------------------------------------------
// Concurrency

db_test_concurrent!(
    concurrent_productions_never_draw_the_same_stock_twice,
    workers = 4,
    |app| {
        let chocolate =
            create_ingredient(&app, json!({"name": "Chocolate", "unit": "g"})).await["id"].clone();
        let cream =
            create_ingredient(&app, json!({"name": "Cream", "unit": "ml"})).await["id"].clone();
        let mut lots = Vec::new(); // (id, grams, unit cost) in FIFO order
        for (day, cost, unit_cost) in [
            ("01", "1.00", "0.01"),
            ("02", "2.00", "0.02"),
            ("03", "3.00", "0.03"),
        ] {
            let lot = purchase(&app, json!({"ingredientId": chocolate, "quantity": "100", "totalCost": cost, "purchasedOn": format!("2026-11-{day}")})).await;
            lots.push((
                lot["id"].clone(),
                Decimal::from(100),
                Decimal::from_str(unit_cost).unwrap(),
            ));
        }
        purchase(&app, json!({"ingredientId": cream, "quantity": "1", "unit": "l", "totalCost": "4.00", "purchasedOn": "2026-11-01"})).await;
        let truffles = create_recipe(&app, json!({"name": "Truffles", "yieldQuantity": "20", "yieldUnit": "truffles", "ingredients": [
            {"ingredientId": chocolate, "quantity": "45", "unit": "g"}, {"ingredientId": cream, "quantity": "20", "unit": "ml"}]})).await;
        // Four finished units of one recipe, so the requests do not all wait on one unit's row.
        let mut units = Vec::new();
        for (name, per_batch) in [
            ("Truffle", 20),
            ("Truffle Pair", 10),
            ("Truffle Quad", 5),
            ("Truffle Gift", 4),
        ] {
            units.push(create_unit(&app, json!({"name": name, "recipeId": truffles, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": per_batch, "itemUnit": "piece"})).await);
        }
        let event = crate::fixtures::event(&app, "Rush", "2026-12-20").await["id"].clone();
        // 300 g of chocolate cover 6 batches of 45 g; 16 bakers try at once, for one event.
        let inputs = (0..16)
            .map(|i| json!({"recipeId": truffles, "finishedUnitId": units[i % 4], "numBatches": 1, "actualYield": 1 + i,
                             "producedAt": "2026-11-20T10:00:00Z", "eventId": event}))
            .collect();
        let responses = all_at_once(&app, RUN_WITH_LOTS, inputs).await;
        let mut succeeded = Vec::new();
        for response in &responses {
            match error_code(response) {
                None => {
                    succeeded.push(response["data"]["recordProduction"]["productionRun"].clone())
                }
                Some("INSUFFICIENT_INVENTORY") => assert_eq!(
                    response["errors"][0]["extensions"]["missing"],
                    json!([{"ingredient": "Chocolate", "needed": "45", "available": "30", "unit": "g"}]),
                    "refused before the stock ran out"
                ),
                Some(other) => panic!("unexpected {other}: {response:#}"),
            }
        }
        assert_eq!(succeeded.len(), 6, "exactly the batches the stock covers");

        // In commit order (the same `producedAt`, so newest first is by id, which grows with
        // commit order), each run draws the oldest stock left.
        let runs = app.ok("{ productionRuns(last: 100) { totalCount nodes { id totalIngredientCost consumptions { ingredientName quantity unitCost cost lot { id } } } } }", json!({})).await;
        assert_eq!(runs["productionRuns"]["totalCount"], 6);
        let mut stored: Vec<Value> = runs["productionRuns"]["nodes"].as_array().unwrap().clone();
        stored.reverse(); // oldest first
        let mut left: Vec<Decimal> = lots.iter().map(|l| l.1).collect();
        let mut grand_total = Decimal::ZERO;
        for run in &stored {
            let mut expected = Vec::new();
            let mut need = Decimal::from(45);
            for (i, (id, _, unit_cost)) in lots.iter().enumerate() {
                let take = need.min(left[i]);
                if take > Decimal::ZERO {
                    left[i] -= take;
                    need -= take;
                    expected.push(json!([
                        id,
                        take.to_string(),
                        unit_cost.normalize().to_string(),
                        (take * unit_cost).normalize().to_string()
                    ]));
                }
            }
            let drawn: Vec<Value> = run["consumptions"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["ingredientName"] == "Chocolate")
                .map(|c| json!([c["lot"]["id"], c["quantity"], c["unitCost"], c["cost"]]))
                .collect();
            assert_eq!(drawn, expected, "run {} is not FIFO", run["id"]);
            let total: Decimal = run["consumptions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| dec(&c["cost"]))
                .sum();
            assert_eq!(dec(&run["totalIngredientCost"]), total);
            grand_total += total;
        }
        // 100 × 0.01 + 100 × 0.02 + 70 × 0.03 of chocolate, 120 ml × 0.004 of cream.
        assert_eq!(grand_total, Decimal::from_str("5.58").unwrap());
        let stock = app.ok(LOTS, json!({"id": chocolate})).await;
        let remaining: Vec<&Value> = stock["node"]["all"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| &l["quantityRemaining"])
            .collect();
        assert_eq!(remaining, vec!["0", "0", "30"]);
        assert_eq!(
            app.ok(LOTS, json!({"id": cream})).await["node"]["onHand"],
            "880"
        );
        let yielded: i64 = succeeded
            .iter()
            .map(|r| r["actualYield"].as_i64().unwrap())
            .sum();
        let counts = app
            .ok("{ finishedUnits { nodes { inventoryCount } } }", json!({}))
            .await;
        let in_stock: i64 = counts["finishedUnits"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["inventoryCount"].as_i64().unwrap())
            .sum();
        assert_eq!(in_stock, yielded);
        // The event's run totals, kept by the concurrent transactions, match the runs.
        assert_eq!(run_totals::mismatches(&app.db).await.unwrap(), 0);
        let progress = app
            .ok("query($id: ID!) { node(id: $id) { ... on Event { productionRuns { totalCount } } } }", json!({"id": event}))
            .await;
        assert_eq!(progress["node"]["productionRuns"]["totalCount"], 6);
    }
);

db_test_concurrent!(
    concurrent_assemblies_never_draw_the_same_items_twice,
    workers = 4,
    |app| {
        let sugar =
            create_ingredient(&app, json!({"name": "Sugar", "unit": "g"})).await["id"].clone();
        let box_ = create_ingredient(
            &app,
            json!({"name": "Box", "unit": "each", "isPackaging": true}),
        )
        .await["id"]
            .clone();
        let tin = create_ingredient(
            &app,
            json!({"name": "Tin", "unit": "each", "isPackaging": true}),
        )
        .await["id"]
            .clone();
        purchase(&app, json!({"ingredientId": sugar, "quantity": "1000", "totalCost": "3.00", "purchasedOn": "2026-11-01"})).await;
        purchase(&app, json!({"ingredientId": box_, "quantity": "20", "totalCost": "10.00", "purchasedOn": "2026-11-01"})).await;
        purchase(&app, json!({"ingredientId": tin, "quantity": "20", "totalCost": "40.00", "purchasedOn": "2026-11-01"})).await;
        let fudge = create_recipe(
            &app,
            json!({"name": "Fudge", "yieldQuantity": "30", "yieldUnit": "squares", "ingredients": [
            {"ingredientId": sugar, "quantity": "500", "unit": "g"}]}),
        )
        .await;
        let square = create_unit(&app, json!({"name": "Fudge Square", "recipeId": fudge, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 30, "itemUnit": "square"})).await;
        // 22 squares at 1.50 / 22.
        produce(&app, json!({"recipeId": fudge, "finishedUnitId": square, "numBatches": 1, "actualYield": 22})).await;
        let boxed = create_good(
            &app,
            json!({"name": "Fudge Box", "assemblyType": "GIFT_BOX", "components": [
            {"finishedUnitId": square, "quantity": "4"}, {"packagingId": box_, "quantity": "1"}]}),
        )
        .await;
        let tinned = create_good(
            &app,
            json!({"name": "Fudge Tin", "assemblyType": "GIFT_BOX", "components": [
            {"finishedUnitId": square, "quantity": "4"}, {"packagingId": tin, "quantity": "1"}]}),
        )
        .await;
        let event = crate::fixtures::event(&app, "Rush", "2026-12-20").await["id"].clone();
        // Two goods draw on the same squares: 22 cover 5 assemblies of 4.
        let inputs = (0..16)
            .map(|i| json!({"finishedGoodId": if i % 2 == 0 { &boxed } else { &tinned }, "quantity": 1, "eventId": event}))
            .collect();
        let responses = all_at_once(&app, RECORD_ASSEMBLY, inputs).await;
        let mut succeeded = 0;
        for response in &responses {
            match error_code(response) {
                None => {
                    succeeded += 1;
                    let run = &response["data"]["recordAssembly"]["assemblyRun"];
                    let square_cost = &run["consumptions"][0];
                    assert_eq!(square_cost["quantity"], "4");
                    assert_eq!(square_cost["unitCost"], "0.0681818182");
                    assert_eq!(square_cost["cost"], "0.2727");
                }
                Some("INSUFFICIENT_INVENTORY") => assert_eq!(
                    response["errors"][0]["extensions"]["missing"],
                    json!([{"component": "Fudge Square", "needed": "4", "available": "2", "unit": "each"}])
                ),
                Some(other) => panic!("unexpected {other}: {response:#}"),
            }
        }
        assert_eq!(succeeded, 5);
        let data = app.ok("{ finishedUnits { nodes { inventoryCount } } finishedGoods { nodes { inventoryCount } }
            assemblyRuns { totalCount } }", json!({})).await;
        assert_eq!(data["finishedUnits"]["nodes"][0]["inventoryCount"], 2);
        let goods: i64 = data["finishedGoods"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["inventoryCount"].as_i64().unwrap())
            .sum();
        assert_eq!(goods, 5);
        assert_eq!(data["assemblyRuns"]["totalCount"], 5);
        let boxes = dec(&app.ok(LOTS, json!({"id": box_})).await["node"]["onHand"]);
        let tins = dec(&app.ok(LOTS, json!({"id": tin})).await["node"]["onHand"]);
        assert_eq!(boxes + tins, Decimal::from(35));
        assert_eq!(run_totals::mismatches(&app.db).await.unwrap(), 0);
    }
);

// ---------------------------------------------------------------------------------------
// All or nothing

db_test!(
    a_shortfall_anywhere_records_nothing_and_lists_every_short_item,
    |app| {
        let k = cookie_kitchen(&app).await;
        purchase(&app, json!({"ingredientId": k["flour"], "quantity": "1", "unit": "lb", "totalCost": "1.00", "purchasedOn": "2026-11-01"})).await;
        purchase(&app, json!({"ingredientId": k["butter"], "quantity": "1", "unit": "cup", "totalCost": "2.00", "purchasedOn": "2026-11-01"})).await;
        purchase(&app, json!({"ingredientId": k["butter"], "quantity": "1", "unit": "cup", "totalCost": "2.00", "purchasedOn": "2026-11-02"})).await;
        purchase(&app, json!({"ingredientId": k["eggs"], "quantity": "1", "unit": "dozen", "totalCost": "3.60", "purchasedOn": "2026-11-01"})).await;
        purchase(&app, json!({"ingredientId": k["bag"], "quantity": "1", "totalCost": "0.25", "purchasedOn": "2026-11-01"})).await;
        let before = app.ok(STOCK, json!({})).await;

        // Only the last ingredient (by name) is short: butter and eggs stay untouched too.
        let error = app.error(RUN_WITH_LOTS, json!({"input": {"recipeId": k["recipe"], "finishedUnitId": k["cookie"], "numBatches": 2, "actualYield": 48}})).await;
        error.expect("INSUFFICIENT_INVENTORY", "Flour");
        assert_eq!(
            error.extensions["missing"],
            json!([{"ingredient": "Flour", "needed": "602.427366", "available": "453.59237", "unit": "g"}])
        );
        assert_eq!(app.ok(STOCK, json!({})).await, before);
        // Two short ingredients: both are listed, in the recipe's ingredient order.
        let error = app.error(RUN_WITH_LOTS, json!({"input": {"recipeId": k["recipe"], "finishedUnitId": k["cookie"], "numBatches": 3, "actualYield": 72}})).await;
        assert_eq!(error.code, "INSUFFICIENT_INVENTORY");
        assert_eq!(
            error.extensions["missing"],
            json!([
        {"ingredient": "Butter", "needed": "681", "available": "454", "unit": "g"},
        {"ingredient": "Flour", "needed": "903.64105", "available": "453.59237", "unit": "g"}])
        );
        assert!(
            error.message.contains("Butter") && error.message.contains("Flour"),
            "{}",
            error.message
        );
        assert_eq!(app.ok(STOCK, json!({})).await, before);

        // Assembly: one batch makes 24 cookies, a box takes 6 and a bag.
        produce(&app, json!({"recipeId": k["recipe"], "finishedUnitId": k["cookie"], "numBatches": 1, "actualYield": 24})).await;
        app.ok(
            RECORD_ASSEMBLY,
            json!({"input": {"finishedGoodId": k["box"], "quantity": 1}}),
        )
        .await;
        let ribbon = create_ingredient(
            &app,
            json!({"name": "Ribbon", "unit": "each", "isPackaging": true}),
        )
        .await["id"]
            .clone();
        purchase(&app, json!({"ingredientId": ribbon, "quantity": "1", "totalCost": "0.40", "purchasedOn": "2026-11-01"})).await;
        let hamper = create_good(&app, json!({"name": "Hamper", "assemblyType": "HOLIDAY_SET", "components": [
        {"finishedUnitId": k["cookie"], "quantity": "6"}, {"finishedGoodId": k["box"], "quantity": "2"},
        {"packagingId": k["bag"], "quantity": "1"}, {"packagingId": ribbon, "quantity": "1"}]})).await;
        let before = app.ok(STOCK, json!({})).await;
        // 12 cookies (18 there), 4 boxes (1 there), 2 bags (none left), 2 ribbons (1 there).
        let error = app
            .error(
                RECORD_ASSEMBLY,
                json!({"input": {"finishedGoodId": hamper, "quantity": 2}}),
            )
            .await;
        assert_eq!(error.code, "INSUFFICIENT_INVENTORY");
        assert_eq!(
            error.extensions["missing"],
            json!([
        {"component": "Cookie Box", "needed": "4", "available": "1", "unit": "each"},
        {"component": "Cellophane Bag", "needed": "2", "available": "0", "unit": "each"},
        {"component": "Ribbon", "needed": "2", "available": "1", "unit": "each"}])
        );
        assert_eq!(app.ok(STOCK, json!({})).await, before);
        // Only the last component short: the cookies, the box and the bag stay where they are.
        purchase(&app, json!({"ingredientId": k["bag"], "quantity": "5", "totalCost": "1.25", "purchasedOn": "2026-11-03"})).await;
        app.ok(
            RECORD_ASSEMBLY,
            json!({"input": {"finishedGoodId": k["box"], "quantity": 1}}),
        )
        .await;
        let ribbon_lot = app.ok(LOTS, json!({"id": ribbon})).await["node"]["lots"][0]["id"].clone();
        app.ok("mutation($input: AdjustInventoryLotInput!) { adjustInventoryLot(input: $input) { lot { id } } }",
        json!({"input": {"lotId": ribbon_lot, "quantityRemaining": "0", "reason": "torn"}})).await;
        let before = app.ok(STOCK, json!({})).await;
        let error = app
            .error(
                RECORD_ASSEMBLY,
                json!({"input": {"finishedGoodId": hamper, "quantity": 1}}),
            )
            .await;
        assert_eq!(error.code, "INSUFFICIENT_INVENTORY");
        assert_eq!(
            error.extensions["missing"],
            json!([{"component": "Ribbon", "needed": "1", "available": "0", "unit": "each"}])
        );
        assert_eq!(app.ok(STOCK, json!({})).await, before);
        assert_eq!(before["assemblyRuns"]["totalCount"], 2);
    }
);

// ---------------------------------------------------------------------------------------
// Idempotency

db_test!(
    idempotency_keys_replay_the_first_run_and_refuse_other_requests,
    |app| {
        let k = cookie_kitchen(&app).await;
        purchase(&app, json!({"ingredientId": k["flour"], "quantity": "5", "unit": "lb", "totalCost": "6.00", "purchasedOn": "2026-11-01"})).await;
        purchase(&app, json!({"ingredientId": k["butter"], "quantity": "4", "unit": "cup", "totalCost": "8.00", "purchasedOn": "2026-11-01"})).await;
        // Eggs for exactly two batches.
        purchase(&app, json!({"ingredientId": k["eggs"], "quantity": "4", "totalCost": "1.20", "purchasedOn": "2026-11-01"})).await;
        purchase(&app, json!({"ingredientId": k["bag"], "quantity": "10", "totalCost": "2.50", "purchasedOn": "2026-11-01"})).await;
        let input = json!({"recipeId": k["recipe"], "finishedUnitId": k["cookie"], "numBatches": 1, "actualYield": 24,
                       "notes": "Saturday", "idempotencyKey": "bake-1"});
        let first = produce(&app, input.clone()).await;
        assert_eq!(first["replayed"], false);
        let stock = app.ok(STOCK, json!({})).await;
        let again = produce(&app, input.clone()).await;
        assert_eq!(again["replayed"], true);
        assert_eq!(
            again["productionRun"], first["productionRun"],
            "the same run, as recorded"
        );
        assert_eq!(
            app.ok(STOCK, json!({})).await,
            stock,
            "a replay consumes nothing"
        );
        assert_eq!(stock["finishedUnits"]["nodes"][0]["inventoryCount"], 24);
        // Another request under the same key.
        let mut other = input.clone();
        other["actualYield"] = json!(23);
        app.error(RUN_WITH_LOTS, json!({"input": other}))
            .await
            .expect("CONFLICT", "bake-1");
        let mut blank = input.clone();
        blank["idempotencyKey"] = json!("  ");
        app.error(RUN_WITH_LOTS, json!({"input": blank}))
            .await
            .expect("BAD_USER_INPUT", "idempotencyKey");
        assert_eq!(app.ok(STOCK, json!({})).await, stock);

        // Eight retries of one request at once, with eggs for just one batch: one run, and
        // every request gets it back.
        let mut retry = input.clone();
        retry["idempotencyKey"] = json!("bake-2");
        let responses = all_at_once(&app, RUN_WITH_LOTS, vec![retry; 8]).await;
        let runs: Vec<&Value> = responses
            .iter()
            .map(|r| {
                assert!(r.get("errors").is_none(), "{r:#}");
                &r["data"]["recordProduction"]
            })
            .collect();
        assert_eq!(runs.iter().filter(|r| r["replayed"] == false).count(), 1);
        assert!(runs
            .iter()
            .all(|r| r["productionRun"]["id"] == runs[0]["productionRun"]["id"]));
        let after = app.ok(STOCK, json!({})).await;
        assert_eq!(after["productionRuns"]["totalCount"], 2);
        assert_eq!(after["finishedUnits"]["nodes"][0]["inventoryCount"], 48);
        let eggs = app.ok(LOTS, json!({"id": k["eggs"]})).await;
        assert_eq!(eggs["node"]["onHand"], "0");

        // Assembly: the same rules.
        let boxes = json!({"finishedGoodId": k["box"], "quantity": 2, "idempotencyKey": "box-1"});
        let first =
            app.ok(RECORD_ASSEMBLY, json!({"input": boxes})).await["recordAssembly"].clone();
        let again =
            app.ok(RECORD_ASSEMBLY, json!({"input": boxes})).await["recordAssembly"].clone();
        assert_eq!(
            (first["replayed"].clone(), again["replayed"].clone()),
            (json!(false), json!(true))
        );
        assert_eq!(again["assemblyRun"], first["assemblyRun"]);
        let mut other = boxes.clone();
        other["quantity"] = json!(3);
        app.error(RECORD_ASSEMBLY, json!({"input": other}))
            .await
            .expect("CONFLICT", "box-1");
        // A production key does not collide with an assembly key of the same text.
        let mut shared = boxes.clone();
        shared["idempotencyKey"] = json!("bake-1");
        let data = app.ok(RECORD_ASSEMBLY, json!({"input": shared})).await;
        assert_eq!(data["recordAssembly"]["replayed"], false);
        // 48 − 12 − 12 = 24 cookies left: enough for exactly one assembly of 4 boxes.
        let many = json!({"finishedGoodId": k["box"], "quantity": 4, "idempotencyKey": "box-2"});
        let responses = all_at_once(&app, RECORD_ASSEMBLY, vec![many; 8]).await;
        let runs: Vec<&Value> = responses
            .iter()
            .map(|r| {
                assert!(r.get("errors").is_none(), "{r:#}");
                &r["data"]["recordAssembly"]
            })
            .collect();
        assert_eq!(runs.iter().filter(|r| r["replayed"] == false).count(), 1);
        assert!(runs
            .iter()
            .all(|r| r["assemblyRun"]["id"] == runs[0]["assemblyRun"]["id"]));
        let after = app.ok(STOCK, json!({})).await;
        assert_eq!(after["assemblyRuns"]["totalCount"], 3);
        assert_eq!(after["finishedUnits"]["nodes"][0]["inventoryCount"], 0);
        assert_eq!(after["finishedGoods"]["nodes"][0]["inventoryCount"], 8);
        assert_eq!(
            app.ok(LOTS, json!({"id": k["bag"]})).await["node"]["onHand"],
            "2"
        );
    }
);

const PURCHASE: &str = "mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { id quantityPurchased totalCost } }";

db_test!(purchases_with_an_idempotency_key_are_recorded_once, |app| {
    let flour = create_ingredient(&app, json!({"name": "Flour", "unit": "g"})).await["id"].clone();
    let input = json!({"ingredientId": flour, "quantity": "2", "unit": "lb", "totalCost": "3.50",
                       "purchasedOn": "2026-11-01", "idempotencyKey": "receipt-17"});
    let first = app.ok(PURCHASE, json!({"input": input})).await["recordPurchase"].clone();
    assert_eq!(first["quantityPurchased"], "907.18474");
    let again = app.ok(PURCHASE, json!({"input": input})).await["recordPurchase"].clone();
    assert_eq!(again, first);
    let mut other = input.clone();
    other["totalCost"] = json!("3.60");
    app.error(PURCHASE, json!({"input": other}))
        .await
        .expect("CONFLICT", "receipt-17");
    let mut blank = input.clone();
    blank["idempotencyKey"] = json!("");
    app.error(PURCHASE, json!({"input": blank}))
        .await
        .expect("BAD_USER_INPUT", "idempotencyKey");
    // Without a key, the same purchase twice is two lots.
    let mut plain = input.clone();
    plain.as_object_mut().unwrap().remove("idempotencyKey");
    app.ok(PURCHASE, json!({"input": plain})).await;
    app.ok(PURCHASE, json!({"input": plain})).await;
    // Eight retries at once: one lot.
    let mut retry = input.clone();
    retry["idempotencyKey"] = json!("receipt-18");
    let responses = all_at_once(&app, PURCHASE, vec![retry; 8]).await;
    for r in &responses {
        assert!(r.get("errors").is_none(), "{r:#}");
        assert_eq!(
            r["data"]["recordPurchase"]["id"],
            responses[0]["data"]["recordPurchase"]["id"]
        );
    }
    let lots = app.ok(LOTS, json!({"id": flour})).await;
    assert_eq!(lots["node"]["all"].as_array().unwrap().len(), 4);
    assert_eq!(lots["node"]["onHand"], "3628.73896");
});

// ---------------------------------------------------------------------------------------
// Validation

db_test!(
    invalid_recording_requests_are_refused_and_write_nothing,
    |app| {
        let k = cookie_kitchen(&app).await;
        purchase(&app, json!({"ingredientId": k["flour"], "quantity": "5", "unit": "lb", "totalCost": "6.00", "purchasedOn": "2026-11-01"})).await;
        purchase(&app, json!({"ingredientId": k["butter"], "quantity": "4", "unit": "cup", "totalCost": "8.00", "purchasedOn": "2026-11-01"})).await;
        purchase(&app, json!({"ingredientId": k["eggs"], "quantity": "1", "unit": "dozen", "totalCost": "3.60", "purchasedOn": "2026-11-01"})).await;
        let ginger = create_recipe(&app, json!({"name": "Gingerbread", "yieldQuantity": "12", "yieldUnit": "men", "ingredients": [
        {"ingredientId": k["flour"], "quantity": "300", "unit": "g"}]})).await;
        let man = create_unit(&app, json!({"name": "Gingerbread Man", "recipeId": ginger, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 12, "itemUnit": "man"})).await;
        let gone_event = create_event(&app, "Cancelled Party", "2026-12-01").await;
        app.ok(
            "mutation($id: ID!) { deleteEvent(id: $id) { deletedId } }",
            json!({"id": gone_event}),
        )
        .await;
        let gone_unit = create_unit(&app, json!({"name": "Cookie Crumb", "recipeId": k["recipe"], "yieldMode": "BATCH_PORTION", "batchPercentage": "100"})).await;
        app.ok(
            "mutation($id: ID!) { deleteFinishedUnit(id: $id) { deletedId } }",
            json!({"id": gone_unit}),
        )
        .await;
        let before = app.ok(STOCK, json!({})).await;
        let valid = json!({"recipeId": k["recipe"], "finishedUnitId": k["cookie"], "numBatches": 1, "actualYield": 24});
        let with = |field: &str, value: Value| {
            let mut input = valid.clone();
            input[field] = value;
            json!({ "input": input })
        };
        let cases = [
            (
                with("finishedUnitId", man.clone()),
                "BAD_USER_INPUT",
                "not yielded by recipe",
            ),
            (with("numBatches", json!(0)), "BAD_USER_INPUT", "numBatches"),
            (
                with("numBatches", json!(-2)),
                "BAD_USER_INPUT",
                "numBatches",
            ),
            (
                with("actualYield", json!(-1)),
                "BAD_USER_INPUT",
                "actualYield",
            ),
            (with("eventId", gone_event.clone()), "NOT_FOUND", "Event"),
            (
                with("finishedUnitId", gone_unit.clone()),
                "NOT_FOUND",
                "FinishedUnit",
            ),
            (
                with("recipeId", k["flour"].clone()),
                "BAD_USER_INPUT",
                "Recipe",
            ),
            (
                with("finishedUnitId", k["recipe"].clone()),
                "BAD_USER_INPUT",
                "FinishedUnit",
            ),
            (
                with("eventId", k["cookie"].clone()),
                "BAD_USER_INPUT",
                "Event",
            ),
            (with("recipeId", json!("not-an-id")), "BAD_USER_INPUT", ""),
            (
                with("idempotencyKey", json!("x".repeat(201))),
                "BAD_USER_INPUT",
                "idempotencyKey",
            ),
        ];
        for (variables, code, needle) in cases {
            app.error(RUN_WITH_LOTS, variables)
                .await
                .expect(code, needle);
        }
        // The recipe measures flour in cups; the API refuses to clear the density it needs…
        app.error(
            "mutation($input: UpdateIngredientInput!) { updateIngredient(input: $input) { id } }",
            json!({"input": {"id": k["flour"], "density": null}}),
        )
        .await
        .expect("BAD_USER_INPUT", "density");
        // …so take it away behind the API's back: recording must still refuse cleanly.
        app.execute_sql(
            "UPDATE ingredients SET density_volume = NULL, density_volume_unit = NULL, \
             density_weight = NULL, density_weight_unit = NULL WHERE name = 'Flour'",
        )
        .await
        .expect("density removed");
        let before_conversion = app.ok(STOCK, json!({})).await;
        app.error(RUN_WITH_LOTS, json!({"input": valid}))
            .await
            .expect("BAD_USER_INPUT", "Flour");
        assert_eq!(app.ok(STOCK, json!({})).await, before_conversion);
        let mut unchanged = before.clone();
        unchanged["ingredients"] = before_conversion["ingredients"].clone();
        assert_eq!(before_conversion, unchanged, "only the ingredient changed");
        assert_eq!(before_conversion["productionRuns"]["totalCount"], 0);

        // Assembly.
        let empty = create_good(
            &app,
            json!({"name": "Empty Basket", "assemblyType": "CUSTOM_ORDER", "components": []}),
        )
        .await;
        let before = app.ok(STOCK, json!({})).await;
        let assembly = |good: &Value, quantity: i32| json!({"input": {"finishedGoodId": good, "quantity": quantity}});
        app.error(RECORD_ASSEMBLY, assembly(&empty, 1))
            .await
            .expect("BAD_USER_INPUT", "no components");
        app.error(RECORD_ASSEMBLY, assembly(&k["box"], 0))
            .await
            .expect("BAD_USER_INPUT", "quantity");
        app.error(RECORD_ASSEMBLY, assembly(&k["box"], -3))
            .await
            .expect("BAD_USER_INPUT", "quantity");
        app.error(RECORD_ASSEMBLY, assembly(&k["cookie"], 1))
            .await
            .expect("BAD_USER_INPUT", "FinishedGood");
        app.error(
            RECORD_ASSEMBLY,
            json!({"input": {"finishedGoodId": k["box"], "quantity": 1, "eventId": gone_event}}),
        )
        .await
        .expect("NOT_FOUND", "Event");
        assert_eq!(app.ok(STOCK, json!({})).await, before);
    }
);

// ---------------------------------------------------------------------------------------
// Read side

fn notes_of(connection: &Value) -> Vec<String> {
    connection["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("not a connection: {connection}"))
        .iter()
        .map(|n| n["notes"].as_str().unwrap_or_default().to_string())
        .collect()
}

db_test!(
    runs_are_listed_filtered_and_paged_newest_first_with_moving_average_costs,
    |app| {
        let cocoa =
            create_ingredient(&app, json!({"name": "Cocoa", "unit": "g"})).await["id"].clone();
        purchase(&app, json!({"ingredientId": cocoa, "quantity": "100", "totalCost": "2.40", "purchasedOn": "2026-11-01"})).await;
        purchase(&app, json!({"ingredientId": cocoa, "quantity": "100", "totalCost": "3.60", "purchasedOn": "2026-11-02"})).await;
        purchase(&app, json!({"ingredientId": cocoa, "quantity": "1", "unit": "kg", "totalCost": "12.00", "purchasedOn": "2026-11-03"})).await;
        let brownies = create_recipe(&app, json!({"name": "Brownies", "yieldQuantity": "12", "yieldUnit": "brownies", "ingredients": [
        {"ingredientId": cocoa, "quantity": "100", "unit": "g"}]})).await;
        let cake = create_recipe(
            &app,
            json!({"name": "Cocoa Cake", "yieldQuantity": "1", "yieldUnit": "cake", "ingredients": [
        {"ingredientId": cocoa, "quantity": "50", "unit": "g"}]}),
        )
        .await;
        let brownie = create_unit(&app, json!({"name": "Brownie", "recipeId": brownies, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 12, "itemUnit": "brownie"})).await;
        let slice = create_unit(&app, json!({"name": "Cake Slice", "recipeId": cake, "yieldMode": "BATCH_PORTION", "batchPercentage": "12.5"})).await;
        let whole = create_unit(&app, json!({"name": "Whole Cake", "recipeId": cake, "yieldMode": "BATCH_PORTION", "batchPercentage": "100"})).await;
        let third = create_unit(&app, json!({"name": "Cake Third", "recipeId": cake, "yieldMode": "BATCH_PORTION", "batchPercentage": "30"})).await;
        let sale = create_event(&app, "Bake Sale", "2026-12-05").await;
        let open_house = create_event(&app, "Open House", "2026-12-20").await;
        // (notes, recipe, unit, batches, yield, event, day) → (expected yield, total cost, per unit)
        let plan = [
            (
                "r1",
                &brownies,
                &brownie,
                1,
                12,
                Some(&sale),
                "01",
                12,
                "2.4",
                "0.2",
            ),
            ("r2", &cake, &slice, 2, 15, None, "02", 16, "3.6", "0.24"),
            (
                "r3",
                &brownies,
                &brownie,
                1,
                12,
                Some(&open_house),
                "03",
                12,
                "1.2",
                "0.1",
            ),
            (
                "r4",
                &cake,
                &whole,
                3,
                3,
                Some(&sale),
                "04",
                3,
                "1.8",
                "0.6",
            ),
            (
                "r5", &brownies, &brownie, 2, 20, None, "05", 24, "2.4", "0.12",
            ),
            ("r6", &cake, &third, 2, 0, None, "06", 6, "1.2", "0"),
        ];
        for (notes, recipe, unit, batches, actual, event, day, expected, total, per_unit) in plan {
            let run = produce(&app, json!({"recipeId": recipe, "finishedUnitId": unit, "numBatches": batches, "actualYield": actual,
            "eventId": event, "producedAt": format!("2026-11-{day}T10:00:00Z"), "notes": notes})).await;
            let run = &run["productionRun"];
            assert_eq!(
                (
                    run["expectedYield"].clone(),
                    run["totalIngredientCost"].clone(),
                    run["perUnitCost"].clone()
                ),
                (json!(expected), json!(total), json!(per_unit)),
                "{notes}"
            );
        }
        // Brownies: 12 at 0.20, 12 at 0.10, 20 at 0.12 → 6.00 / 44.
        let units = app.ok("query($ids: [ID!]!) { nodes(ids: $ids) { ... on FinishedUnit { name inventoryCount averageUnitCost } } }",
        json!({"ids": [brownie, slice, whole, third]})).await;
        assert_eq!(
            units["nodes"],
            json!([
        {"name": "Brownie", "inventoryCount": 44, "averageUnitCost": "0.1363636364"},
        {"name": "Cake Slice", "inventoryCount": 15, "averageUnitCost": "0.24"},
        {"name": "Whole Cake", "inventoryCount": 3, "averageUnitCost": "0.6"},
        {"name": "Cake Third", "inventoryCount": 0, "averageUnitCost": "0"}])
        );

        let data = app.ok("query($sale: ID!, $brownies: ID!, $cake: ID!) {
        all: productionRuns(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { notes } }
        sale: productionRuns(filter: {eventId: $sale}) { totalCount nodes { notes } }
        brownies: productionRuns(filter: {recipeId: $brownies}) { totalCount nodes { notes } }
        saleCake: productionRuns(filter: {eventId: $sale, recipeId: $cake}) { nodes { notes } }
        standalone: productionRuns(filter: {standalone: true}) { nodes { notes } }
        attributed: productionRuns(filter: {standalone: false}) { nodes { notes } }
        window: productionRuns(filter: {producedAfter: \"2026-11-02T10:00:00Z\", producedBefore: \"2026-11-05T10:00:00Z\"}) { nodes { notes } }
        oldest: productionRuns(last: 1) { nodes { notes } }
        node(id: $brownies) { ... on Recipe { productionRuns { totalCount nodes { notes } } } } }",
        json!({"sale": sale, "brownies": brownies, "cake": cake})).await;
        assert_eq!(data["all"]["totalCount"], 6);
        assert_eq!(notes_of(&data["all"]), ["r6", "r5"]);
        assert_eq!(data["all"]["pageInfo"]["hasNextPage"], true);
        assert_eq!(notes_of(&data["sale"]), ["r4", "r1"]);
        assert_eq!(notes_of(&data["brownies"]), ["r5", "r3", "r1"]);
        assert_eq!(notes_of(&data["saleCake"]), ["r4"]);
        assert_eq!(notes_of(&data["standalone"]), ["r6", "r5", "r2"]);
        assert_eq!(notes_of(&data["attributed"]), ["r4", "r3", "r1"]);
        assert_eq!(notes_of(&data["window"]), ["r4", "r3", "r2"]);
        assert_eq!(notes_of(&data["oldest"]), ["r1"]);
        assert_eq!(
            notes_of(&data["node"]["productionRuns"]),
            ["r5", "r3", "r1"]
        );
        let page = app.ok("query($after: String) { productionRuns(first: 2, after: $after) { pageInfo { hasNextPage hasPreviousPage } nodes { notes } } }",
        json!({"after": data["all"]["pageInfo"]["endCursor"]})).await;
        assert_eq!(notes_of(&page["productionRuns"]), ["r4", "r3"]);
        assert_eq!(
            page["productionRuns"]["pageInfo"],
            json!({"hasNextPage": true, "hasPreviousPage": true})
        );
        let of_event = app.ok("query($id: ID!, $event: ID!) { node(id: $id) { ... on Recipe { productionRuns(eventId: $event) { nodes { notes event { name } } } } } }",
        json!({"id": brownies, "event": open_house})).await;
        assert_eq!(
            of_event["node"]["productionRuns"]["nodes"],
            json!([{"notes": "r3", "event": {"name": "Open House"}}])
        );
        app.error("{ productionRuns(first: 101) { totalCount } }", json!({}))
            .await
            .expect("BAD_USER_INPUT", "100");

        // Assembly runs of a finished good; its average over runs with different costs.
        let tray = create_good(
            &app,
            json!({"name": "Brownie Tray", "assemblyType": "BULK_PACK", "components": [
        {"finishedUnitId": brownie, "quantity": "4"}]}),
        )
        .await;
        for (notes, quantity, event, day) in [("a1", 2, Some(&sale), "10"), ("a2", 1, None, "11")] {
            app.ok(
                RECORD_ASSEMBLY,
                json!({"input": {"finishedGoodId": tray, "quantity": quantity, "eventId": event,
            "assembledAt": format!("2026-11-{day}T09:00:00Z"), "notes": notes}}),
            )
            .await;
        }
        let data = app.ok("query($id: ID!, $sale: ID!) { node(id: $id) { ... on FinishedGood { inventoryCount averageUnitCost
            assemblyRuns { totalCount nodes { notes quantity perUnitCost } }
            forSale: assemblyRuns(eventId: $sale) { nodes { notes } } } }
        standalone: assemblyRuns(filter: {finishedGoodId: $id, standalone: true}) { nodes { notes } }
        early: assemblyRuns(filter: {assembledBefore: \"2026-11-11T00:00:00Z\"}) { nodes { notes } } }",
        json!({"id": tray, "sale": sale})).await;
        // Brownies at 0.1363636364: 8 cost 1.0909 (0.54545 a tray), 4 cost 0.5455; the tray's
        // average is (2 × 0.54545 + 0.5455) / 3.
        assert_eq!(
            data["node"]["assemblyRuns"],
            json!({"totalCount": 2, "nodes": [
        {"notes": "a2", "quantity": 1, "perUnitCost": "0.5455"},
        {"notes": "a1", "quantity": 2, "perUnitCost": "0.54545"}]})
        );
        assert_eq!(
            (
                data["node"]["inventoryCount"].clone(),
                data["node"]["averageUnitCost"].clone()
            ),
            (json!(3), json!("0.5454666667"))
        );
        assert_eq!(notes_of(&data["node"]["forSale"]), ["a1"]);
        assert_eq!(notes_of(&data["standalone"]), ["a2"]);
        assert_eq!(notes_of(&data["early"]), ["a1"]);
    }
);

db_test!(
    estimated_batch_cost_and_availability_answer_without_side_effects,
    |app| {
        let flour =
            create_ingredient(&app, json!({"name": "Flour", "unit": "g"})).await["id"].clone();
        let nuts =
            create_ingredient(&app, json!({"name": "Nuts", "unit": "g"})).await["id"].clone();
        let vanilla =
            create_ingredient(&app, json!({"name": "Vanilla", "unit": "tsp"})).await["id"].clone();
        let carton = create_ingredient(
            &app,
            json!({"name": "Cake Box", "unit": "each", "isPackaging": true}),
        )
        .await["id"]
            .clone();
        purchase(&app, json!({"ingredientId": flour, "quantity": "500", "totalCost": "1.00", "purchasedOn": "2026-11-01"})).await;
        // The latest purchase (by date) is recorded first, at the higher price.
        purchase(&app, json!({"ingredientId": nuts, "quantity": "20", "totalCost": "1.00", "purchasedOn": "2026-11-10"})).await;
        purchase(&app, json!({"ingredientId": nuts, "quantity": "100", "totalCost": "2.00", "purchasedOn": "2026-11-05"})).await;
        purchase(&app, json!({"ingredientId": carton, "quantity": "3", "totalCost": "1.50", "purchasedOn": "2026-11-01"})).await;
        let praline = create_recipe(
            &app,
            json!({"name": "Praline", "yieldQuantity": "1", "yieldUnit": "cup", "ingredients": [
        {"ingredientId": nuts, "quantity": "50", "unit": "g"}]}),
        )
        .await;
        let nut_cake = create_recipe(&app, json!({"name": "Nut Cake", "yieldQuantity": "1", "yieldUnit": "cake",
        "ingredients": [{"ingredientId": flour, "quantity": "200", "unit": "g"}, {"ingredientId": nuts, "quantity": "20", "unit": "g"}],
        "components": [{"recipeId": praline, "quantity": "1"}]})).await;
        let vanilla_cake = create_recipe(
            &app,
            json!({"name": "Vanilla Nut Cake", "yieldQuantity": "1", "yieldUnit": "cake",
        "ingredients": [{"ingredientId": vanilla, "quantity": "2", "unit": "tsp"}],
        "components": [{"recipeId": nut_cake, "quantity": "1"}]}),
        )
        .await;
        let cake = create_unit(&app, json!({"name": "Nut Cake", "recipeId": nut_cake, "yieldMode": "BATCH_PORTION", "batchPercentage": "100"})).await;
        const COST: &str = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Recipe { name estimatedBatchCost } } }";
        // 70 g of nuts from the 2026-11-05 lot at 0.02, 200 g of flour at 0.002; vanilla was never bought.
        let costs = app.ok(COST, json!({"ids": [nut_cake, vanilla_cake]})).await;
        assert_eq!(
            costs["nodes"],
            json!([{"name": "Nut Cake", "estimatedBatchCost": "1.8"}, {"name": "Vanilla Nut Cake", "estimatedBatchCost": "1.8"}])
        );
        let run = produce(&app, json!({"recipeId": nut_cake, "finishedUnitId": cake, "numBatches": 1, "actualYield": 1})).await;
        assert_eq!(run["productionRun"]["totalIngredientCost"], "1.8");
        // Left: 30 g at 0.02 and 20 g at 0.05; the missing 20 g are priced at the latest
        // purchase's 0.05: 0.60 + 1.00 + 1.00, plus 0.40 of flour.
        let stock = app.ok(STOCK, json!({})).await;
        let costs = app
            .ok(COST, json!({"ids": [nut_cake, vanilla_cake, praline]}))
            .await;
        assert_eq!(
            costs["nodes"],
            json!([{"name": "Nut Cake", "estimatedBatchCost": "3"}, {"name": "Vanilla Nut Cake", "estimatedBatchCost": "3"},
        {"name": "Praline", "estimatedBatchCost": "1.6"}])
        );

        const RECIPE_AVAILABILITY: &str = "query($id: ID!, $n: Int!) { node(id: $id) { ... on Recipe { availability(batches: $n) {
        batches canProduce requirements { ingredient { name } needed available shortfall unit } missing { ingredient { name } shortfall } } } } }";
        let a = app
            .ok(RECIPE_AVAILABILITY, json!({"id": vanilla_cake, "n": 2}))
            .await;
        assert_eq!(
            a["node"]["availability"],
            json!({"batches": 2, "canProduce": false, "requirements": [
        {"ingredient": {"name": "Flour"}, "needed": "400", "available": "300", "shortfall": "100", "unit": "g"},
        {"ingredient": {"name": "Nuts"}, "needed": "140", "available": "50", "shortfall": "90", "unit": "g"},
        {"ingredient": {"name": "Vanilla"}, "needed": "4", "available": "0", "shortfall": "4", "unit": "tsp"}],
        "missing": [{"ingredient": {"name": "Flour"}, "shortfall": "100"}, {"ingredient": {"name": "Nuts"}, "shortfall": "90"},
                    {"ingredient": {"name": "Vanilla"}, "shortfall": "4"}]})
        );
        let a = app
            .ok(RECIPE_AVAILABILITY, json!({"id": nut_cake, "n": 1}))
            .await;
        assert_eq!(a["node"]["availability"]["canProduce"], false);
        assert_eq!(
            a["node"]["availability"]["missing"],
            json!([{"ingredient": {"name": "Nuts"}, "shortfall": "20"}])
        );
        let a = app
            .ok(RECIPE_AVAILABILITY, json!({"id": praline, "n": 1}))
            .await;
        assert_eq!(
            (
                a["node"]["availability"]["canProduce"].clone(),
                a["node"]["availability"]["missing"].clone()
            ),
            (json!(true), json!([]))
        );
        app.error(RECIPE_AVAILABILITY, json!({"id": praline, "n": 0}))
            .await
            .expect("BAD_USER_INPUT", "batches");

        // Finished goods: a finished unit, a nested finished good and packaging.
        let gift = create_good(
            &app,
            json!({"name": "Cake Gift", "assemblyType": "GIFT_BOX", "components": [
        {"finishedUnitId": cake, "quantity": "1"}, {"packagingId": carton, "quantity": "1"}]}),
        )
        .await;
        let party = create_good(&app, json!({"name": "Party Pack", "assemblyType": "HOLIDAY_SET", "components": [
        {"finishedGoodId": gift, "quantity": "2"}, {"finishedUnitId": cake, "quantity": "1"}, {"packagingId": carton, "quantity": "1"}]})).await;
        const GOOD_AVAILABILITY: &str = "query($id: ID!, $n: Int!) { node(id: $id) { ... on FinishedGood { availability(quantity: $n) {
        quantity canAssemble requirements { kind name needed available shortfall unit finishedUnit { name } finishedGood { name } packaging { name } }
        missing { name shortfall } } } } }";
        let a = app.ok(GOOD_AVAILABILITY, json!({"id": gift, "n": 1})).await;
        assert_eq!(
            a["node"]["availability"],
            json!({"quantity": 1, "canAssemble": true, "requirements": [
        {"kind": "FINISHED_UNIT", "name": "Nut Cake", "needed": "1", "available": "1", "shortfall": "0", "unit": "each",
         "finishedUnit": {"name": "Nut Cake"}, "finishedGood": null, "packaging": null},
        {"kind": "PACKAGING", "name": "Cake Box", "needed": "1", "available": "3", "shortfall": "0", "unit": "each",
         "finishedUnit": null, "finishedGood": null, "packaging": {"name": "Cake Box"}}], "missing": []})
        );
        app.ok(
            RECORD_ASSEMBLY,
            json!({"input": {"finishedGoodId": gift, "quantity": 1}}),
        )
        .await;
        let a = app
            .ok(GOOD_AVAILABILITY, json!({"id": party, "n": 2}))
            .await;
        assert_eq!(
            a["node"]["availability"],
            json!({"quantity": 2, "canAssemble": false, "requirements": [
        {"kind": "FINISHED_GOOD", "name": "Cake Gift", "needed": "4", "available": "1", "shortfall": "3", "unit": "each",
         "finishedUnit": null, "finishedGood": {"name": "Cake Gift"}, "packaging": null},
        {"kind": "FINISHED_UNIT", "name": "Nut Cake", "needed": "2", "available": "0", "shortfall": "2", "unit": "each",
         "finishedUnit": {"name": "Nut Cake"}, "finishedGood": null, "packaging": null},
        {"kind": "PACKAGING", "name": "Cake Box", "needed": "2", "available": "2", "shortfall": "0", "unit": "each",
         "finishedUnit": null, "finishedGood": null, "packaging": {"name": "Cake Box"}}],
        "missing": [{"name": "Cake Gift", "shortfall": "3"}, {"name": "Nut Cake", "shortfall": "2"}]})
        );
        // None of these questions changed anything but the one assembly.
        let after = app.ok(STOCK, json!({})).await;
        assert_eq!(after["productionRuns"], stock["productionRuns"]);
        assert_eq!(after["assemblyRuns"]["totalCount"], 1);
        assert_eq!(
            after["ingredients"]["nodes"][1], stock["ingredients"]["nodes"][1],
            "the flour lots did not move"
        );
    }
);
