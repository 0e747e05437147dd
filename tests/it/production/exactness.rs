//! Exactness: after a random sequence of purchases, productions and lot adjustments (the
//! same sequence on every run and both backends), every run drew exactly what its recipe
//! needs at its lots' own costs, and purchased = consumed + remaining − adjusted, per lot
//! and per ingredient, to the last digit.

use super::*;

/// Six ingredients, each with the units it is bought in and a range of whole amounts.
struct Pantry {
    flour: Value,
    sugar: Value,
    butter: Value,
    eggs: Value,
    milk: Value,
    vanilla: Value,
    buying: Vec<Buying>,
}

/// Creates the pantry's ingredients (three with densities, so volumes convert to weight).
async fn pantry(app: &TestApp) -> Pantry {
    let ingredient = |name: &str, unit: &str, density: Value| json!({"name": name, "unit": unit, "density": density});
    let cup_weighs = |weight: &str, unit: &str| json!({"volume": "1", "volumeUnit": "cup", "weight": weight, "weightUnit": unit});
    let flour = create_ingredient(app, ingredient("Flour", "g", cup_weighs("4.25", "oz"))).await
        ["id"]
        .clone();
    let sugar = create_ingredient(app, ingredient("Sugar", "oz", cup_weighs("200", "g"))).await
        ["id"]
        .clone();
    let butter = create_ingredient(app, ingredient("Butter", "g", cup_weighs("227", "g"))).await
        ["id"]
        .clone();
    let eggs = create_ingredient(app, ingredient("Eggs", "each", Value::Null)).await["id"].clone();
    let milk = create_ingredient(app, ingredient("Milk", "ml", cup_weighs("8.6", "oz"))).await
        ["id"]
        .clone();
    let vanilla =
        create_ingredient(app, ingredient("Vanilla", "tsp", Value::Null)).await["id"].clone();
    let buying: Vec<Buying> = vec![
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
    Pantry {
        flour,
        sugar,
        butter,
        eggs,
        milk,
        vanilla,
        buying,
    }
}

/// What the sequence bakes: glazed cookies and half cakes, whose recipes share a dough and
/// a glaze sub-recipe, and the event some runs are attributed to.
struct Bakes {
    cookies: Value,
    cookie: Value,
    cake: Value,
    half_cake: Value,
    event: Value,
}

async fn bakes(app: &TestApp, p: &Pantry) -> Bakes {
    let (flour, sugar, butter, eggs, milk, vanilla) =
        (&p.flour, &p.sugar, &p.butter, &p.eggs, &p.milk, &p.vanilla);
    let dough = Create::Recipe.id(app, json!({"name": "Shortbread Dough", "yieldQuantity": "1", "yieldUnit": "batch", "ingredients": [
        {"ingredientId": flour, "quantity": "2.25", "unit": "cup"},
        {"ingredientId": butter, "quantity": "0.5", "unit": "lb"},
        {"ingredientId": sugar, "quantity": "0.75", "unit": "cup"}]})).await;
    let glaze = Create::Recipe
        .id(
            app,
            json!({"name": "Glaze", "yieldQuantity": "1", "yieldUnit": "cup", "ingredients": [
        {"ingredientId": sugar, "quantity": "1", "unit": "cup"},
        {"ingredientId": milk, "quantity": "3", "unit": "tbsp"},
        {"ingredientId": vanilla, "quantity": "0.5", "unit": "tsp"}]}),
        )
        .await;
    let cookies = Create::Recipe.id(app, json!({"name": "Glazed Cookies", "yieldQuantity": "36", "yieldUnit": "cookies",
        "ingredients": [{"ingredientId": eggs, "quantity": "1", "unit": "each"},
                        {"ingredientId": vanilla, "quantity": "1", "unit": "ml"},
                        {"ingredientId": flour, "quantity": "1.5", "unit": "oz"}],
        "components": [{"recipeId": dough, "quantity": "1.5"}, {"recipeId": glaze, "quantity": "0.5"}]})).await;
    let cake = Create::Recipe.id(app, json!({"name": "Layer Cake", "yieldQuantity": "1", "yieldUnit": "cake",
        "ingredients": [{"ingredientId": eggs, "quantity": "4", "unit": "each"},
                        {"ingredientId": milk, "quantity": "1", "unit": "cup"},
                        {"ingredientId": flour, "quantity": "100", "unit": "g"}],
        "components": [{"recipeId": dough, "quantity": "2"}, {"recipeId": glaze, "quantity": "1"}]})).await;
    let cookie = Create::FinishedUnit.id(app, json!({"name": "Glazed Cookie", "recipeId": cookies, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 36, "itemUnit": "cookie"})).await;
    let half_cake = Create::FinishedUnit.id(app, json!({"name": "Half Cake", "recipeId": cake, "yieldMode": "BATCH_PORTION", "batchPercentage": "50"})).await;
    let event = fixtures::event(app, "Cookie Swap", "2026-12-12").await["id"].clone();
    Bakes {
        cookies,
        cookie,
        cake,
        half_cake,
        event,
    }
}

/// Fractions a random purchase amount may end in.
const FRACTIONS: [&str; 7] = ["", ".25", ".5", ".75", ".125", ".3", ".333"];

/// What the random sequence did, kept by the test to check the server's stock against.
#[derive(Default)]
struct Ledger {
    /// Lots bought, per ingredient id.
    purchases: HashMap<String, usize>,
    /// The net adjustment, per lot id.
    adjustments: HashMap<String, Decimal>,
    /// Items made, per finished unit id.
    yields: HashMap<String, i64>,
    successes: i64,
    failures: i64,
}

impl Ledger {
    /// Buys a random amount of the pantry's `which`th ingredient in one of its units.
    async fn buy(&mut self, app: &TestApp, rng: &mut Rng, pantry: &Pantry, which: usize) {
        let (id, units) = &pantry.buying[which];
        let (unit, low, high) = *rng.pick(units);
        let whole = low + rng.below(high - low + 1);
        let quantity = format!("{whole}{}", rng.pick(&FRACTIONS));
        let cost = format!("{}.{:02}", 1 + rng.below(12), rng.below(100));
        let day = 1 + rng.below(28);
        purchase(
            app,
            json!({"ingredientId": id, "quantity": quantity, "unit": unit, "totalCost": cost,
                   "purchasedOn": format!("2026-11-{day:02}")}),
        )
        .await;
        *self
            .purchases
            .entry(id.as_str().unwrap().to_string())
            .or_default() += 1;
    }

    /// Records 1–3 batches of cookies or cakes, sometimes for the event. A refusal must
    /// name real shortfalls and leave the stock exactly as it was.
    async fn bake(&mut self, app: &TestApp, rng: &mut Rng, bakes: &Bakes) {
        let batches = 1 + rng.below(3) as i64;
        let (recipe, unit, expected) = if rng.below(2) == 0 {
            (&bakes.cookies, &bakes.cookie, 36 * batches)
        } else {
            (&bakes.cake, &bakes.half_cake, 2 * batches)
        };
        let actual = (expected - rng.below(3) as i64).max(0);
        let mut input = json!({"recipeId": recipe, "finishedUnitId": unit, "numBatches": batches, "actualYield": actual});
        if rng.below(3) == 0 {
            input["eventId"] = bakes.event.clone();
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
            self.failures += 1;
        } else {
            let run = &response["data"]["recordProduction"]["productionRun"];
            assert_eq!(run["expectedYield"], expected);
            *self
                .yields
                .entry(unit.as_str().unwrap().to_string())
                .or_default() += actual;
            self.successes += 1;
        }
    }

    /// Adjusts a random lot that still holds stock: down by a third, to zero, or up by
    /// 1.5. Does nothing while every lot is empty.
    async fn adjust(&mut self, app: &TestApp, rng: &mut Rng) {
        let stock = app.ok(STOCK, json!({})).await;
        let lots: Vec<&Value> = stock["ingredients"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|i| i["lots"].as_array().unwrap())
            .filter(|lot| dec(&lot["quantityRemaining"]) > Decimal::ZERO)
            .collect();
        if lots.is_empty() {
            return;
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
        *self
            .adjustments
            .entry(lot["id"].as_str().unwrap().to_string())
            .or_default() += change;
    }
}

/// What the recorded runs consumed, summed per lot id and per ingredient id.
struct Consumed {
    by_lot: HashMap<String, Decimal>,
    by_ingredient: HashMap<String, Decimal>,
}

/// Checks every run: each consumption costs its lot's unit cost times its quantity, the
/// run's total is their sum, and the run drew exactly what its recipe needs for its
/// batches (as `aggregatedIngredients` computes it). Returns what the runs consumed.
async fn check_runs(app: &TestApp, ledger: &Ledger) -> Consumed {
    let runs = app.ok("{ productionRuns(first: 100) { totalCount nodes { id numBatches recipe { id }
        totalIngredientCost consumptions { ingredient { id } lot { id unitCost } quantity unitCost cost } } } }", json!({})).await;
    assert_eq!(runs["productionRuns"]["totalCount"], ledger.successes);
    let mut consumed = Consumed {
        by_lot: HashMap::new(),
        by_ingredient: HashMap::new(),
    };
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
            *consumed.by_ingredient.entry(ingredient).or_default() += quantity;
            *consumed
                .by_lot
                .entry(c["lot"]["id"].as_str().unwrap().to_string())
                .or_default() += quantity;
        }
        assert_eq!(dec(&run["totalIngredientCost"]), total, "run {}", run["id"]);
        let recipe = run["recipe"]["id"].as_str().unwrap().to_string();
        let batches = run["numBatches"].as_i64().unwrap();
        let key = (recipe.clone(), batches);
        let need: HashMap<String, Decimal> = match needs.get(&key) {
            Some(need) => need.clone(),
            None => {
                let need = recipe_needs(app, &recipe, batches).await;
                needs.insert(key, need.clone());
                need
            }
        };
        assert_eq!(per_ingredient, need, "run {}", run["id"]);
    }
    consumed
}

/// What `batches` batches of a recipe need, per ingredient id, as the server computes it.
async fn recipe_needs(app: &TestApp, recipe: &str, batches: i64) -> HashMap<String, Decimal> {
    let data = app.ok("query($id: ID!, $b: Decimal!) { node(id: $id) { ... on Recipe { aggregatedIngredients(batches: $b) { ingredient { id } quantity } } } }",
        json!({"id": recipe, "b": batches.to_string()})).await;
    data["node"]["aggregatedIngredients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["ingredient"]["id"].as_str().unwrap().to_string(),
                dec(&l["quantity"]),
            )
        })
        .collect()
}

/// Checks the stock against the ledger: purchased + adjusted = consumed + remaining, per
/// lot and per ingredient, exactly; each lot's adjustments are the ledger's; each finished
/// unit holds what was made of it.
async fn check_stock(app: &TestApp, ledger: &Ledger, consumed: &Consumed) {
    let stock = app.ok(STOCK, json!({})).await;
    let mut adjusted_lots = 0;
    for ingredient in stock["ingredients"]["nodes"].as_array().unwrap() {
        let id = ingredient["id"].as_str().unwrap().to_string();
        let lots = ingredient["lots"].as_array().unwrap();
        assert_eq!(
            lots.len(),
            ledger.purchases[&id],
            "lots of {}",
            ingredient["name"]
        );
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
                ledger.adjustments.get(lot_id).copied().unwrap_or_default(),
                "adjustments of lot {lot_id}"
            );
            if ledger.adjustments.contains_key(lot_id) {
                adjusted_lots += 1;
            }
            let lot_consumed = consumed.by_lot.get(lot_id).copied().unwrap_or_default();
            assert!(dec(&lot["quantityRemaining"]) >= Decimal::ZERO);
            assert_eq!(
                dec(&lot["quantityPurchased"]) + changes,
                lot_consumed + dec(&lot["quantityRemaining"]),
                "lot {lot_id}"
            );
            purchased += dec(&lot["quantityPurchased"]);
            remaining += dec(&lot["quantityRemaining"]);
            adjusted += changes;
        }
        assert_eq!(remaining, dec(&ingredient["onHand"]));
        let ingredient_consumed = consumed.by_ingredient.get(&id).copied().unwrap_or_default();
        assert_eq!(
            purchased + adjusted,
            ingredient_consumed + dec(&ingredient["onHand"]),
            "{}",
            ingredient["name"]
        );
    }
    assert_eq!(adjusted_lots, ledger.adjustments.len());
    for unit in stock["finishedUnits"]["nodes"].as_array().unwrap() {
        let id = unit["id"].as_str().unwrap();
        assert_eq!(
            unit["inventoryCount"].as_i64().unwrap(),
            ledger.yields.get(id).copied().unwrap_or(0)
        );
    }
}

db_test!(
    purchased_equals_consumed_plus_remaining_after_a_random_sequence,
    |app| {
        let pantry = pantry(&app).await;
        let bakes = bakes(&app, &pantry).await;
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut ledger = Ledger::default();
        for which in 0..pantry.buying.len() {
            ledger.buy(&app, &mut rng, &pantry, which).await;
        }
        for _ in 0..70 {
            let roll = rng.below(100);
            if roll < 45 {
                let which = rng.below(pantry.buying.len() as u64) as usize;
                ledger.buy(&app, &mut rng, &pantry, which).await;
            } else if roll < 88 {
                ledger.bake(&app, &mut rng, &bakes).await;
            } else {
                ledger.adjust(&app, &mut rng).await;
            }
        }
        assert!(
            ledger.successes >= 5,
            "only {} productions succeeded",
            ledger.successes
        );
        assert!(
            ledger.failures >= 3,
            "only {} productions were refused",
            ledger.failures
        );
        assert!(
            ledger.adjustments.len() >= 3,
            "only {} lots adjusted",
            ledger.adjustments.len()
        );

        let consumed = check_runs(&app, &ledger).await;
        check_stock(&app, &ledger, &consumed).await;
        // The per-event run totals kept while recording equal what the runs add up to.
        assert_eq!(run_totals::mismatches(&app.db).await.unwrap(), 0);
    }
);
