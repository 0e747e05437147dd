//! Recording production and assembly end to end, and FIFO: the oldest lot is drawn first,
//! at its own cost.

use super::*;

/// A run's draws as `[lot id, quantity, unit cost, cost]`, in the order it made them.
fn draws(run: &Value) -> Vec<Value> {
    run["productionRun"]["consumptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| json!([c["lot"]["id"], c["quantity"], c["unitCost"], c["cost"]]))
        .collect()
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
        let bark = Create::Recipe
            .id(
                &app,
                json!({"name": "Chocolate Bark", "yieldQuantity": "10", "yieldUnit": "pieces",
        "ingredients": [{"ingredientId": chocolate, "quantity": "120", "unit": "g"}]}),
            )
            .await;
        let piece = Create::FinishedUnit.id(&app, json!({"name": "Bark Piece", "recipeId": bark, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 10, "itemUnit": "piece"})).await;
        let input =
            json!({"recipeId": bark, "finishedUnitId": piece, "numBatches": 1, "actualYield": 10});

        // First batch: all 50 g of B (older date, created later), then 70 g of A; D is empty.
        let run = produce(&app, input.clone()).await;
        assert_eq!(
            draws(&run),
            vec![
                json!([b["id"], "50", "0.02", "1"]),
                json!([a["id"], "70", "0.01", "0.7"])
            ]
        );
        assert_eq!(run["productionRun"]["totalIngredientCost"], "1.7");
        // Second batch: the rest of A, then C (same day as A, created after it).
        let run = produce(&app, input.clone()).await;
        assert_eq!(
            draws(&run),
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
