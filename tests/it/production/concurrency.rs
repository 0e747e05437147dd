//! Concurrent recording: simultaneous runs never draw the same stock twice.

use super::*;

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
        let truffles = Create::Recipe.id(&app, json!({"name": "Truffles", "yieldQuantity": "20", "yieldUnit": "truffles", "ingredients": [
            {"ingredientId": chocolate, "quantity": "45", "unit": "g"}, {"ingredientId": cream, "quantity": "20", "unit": "ml"}]})).await;
        // Four finished units of one recipe, so the requests do not all wait on one unit's row.
        let mut units = Vec::new();
        for (name, per_batch) in [
            ("Truffle", 20),
            ("Truffle Pair", 10),
            ("Truffle Quad", 5),
            ("Truffle Gift", 4),
        ] {
            units.push(Create::FinishedUnit.id(&app, json!({"name": name, "recipeId": truffles, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": per_batch, "itemUnit": "piece"})).await);
        }
        let event = crate::fixtures::event(&app, "Rush", "2026-12-20").await["id"].clone();
        // 300 g of chocolate cover 6 batches of 45 g; 16 bakers try at once, for one event.
        let inputs = (0..16)
            .map(|i| json!({"recipeId": truffles, "finishedUnitId": units[i % 4], "numBatches": 1, "actualYield": 1 + i,
                             "producedAt": "2026-11-20T10:00:00Z", "eventId": event}))
            .collect();
        let responses = app.all_at_once(RUN_WITH_LOTS, inputs).await;
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
        let fudge = Create::Recipe.id(
            &app,
            json!({"name": "Fudge", "yieldQuantity": "30", "yieldUnit": "squares", "ingredients": [
            {"ingredientId": sugar, "quantity": "500", "unit": "g"}]}),
        )
        .await;
        let square = Create::FinishedUnit.id(&app, json!({"name": "Fudge Square", "recipeId": fudge, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 30, "itemUnit": "square"})).await;
        // 22 squares at 1.50 / 22.
        produce(&app, json!({"recipeId": fudge, "finishedUnitId": square, "numBatches": 1, "actualYield": 22})).await;
        let boxed = Create::FinishedGood
            .id(
                &app,
                json!({"name": "Fudge Box", "assemblyType": "GIFT_BOX", "components": [
            {"finishedUnitId": square, "quantity": "4"}, {"packagingId": box_, "quantity": "1"}]}),
            )
            .await;
        let tinned = Create::FinishedGood
            .id(
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
        let responses = app.all_at_once(RECORD_ASSEMBLY, inputs).await;
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

db_test_concurrent!(
    targets_set_while_their_first_runs_are_recorded_count_every_run,
    workers = 4,
    |app| {
        let flour =
            create_ingredient(&app, json!({"name": "Flour", "unit": "g"})).await["id"].clone();
        purchase(&app, json!({"ingredientId": flour, "quantity": "10000", "totalCost": "10.00", "purchasedOn": "2026-11-01"})).await;
        let bread = Create::Recipe
            .id(
                &app,
                json!({"name": "Bread", "yieldQuantity": "1", "yieldUnit": "loaf", "ingredients": [
            {"ingredientId": flour, "quantity": "100", "unit": "g"}]}),
            )
            .await;
        let loaf = Create::FinishedUnit.id(&app, json!({"name": "Loaf", "recipeId": bread, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 1, "itemUnit": "loaf"})).await;
        let mut events = Vec::new();
        for i in 0..8 {
            events.push(
                fixtures::event(&app, &format!("Rush {i}"), "2026-12-20").await["id"].clone(),
            );
        }
        // For each event at once: its target for the recipe is set while the recipe's first
        // run for it is recorded. A target copies its totals when it is written, and a run
        // adds to its target: whichever commits first, the target counts the run.
        let requests: Vec<(&str, Value)> = events
            .iter()
            .flat_map(|event| {
                [
                    (
                        "mutation($input: SetProductionTargetInput!) { setProductionTarget(input: $input) { id } }",
                        json!({"input": {"eventId": event, "recipeId": bread, "targetBatches": 3}}),
                    ),
                    (
                        RECORD_PRODUCTION,
                        json!({"input": {"recipeId": bread, "finishedUnitId": loaf, "numBatches": 2,
                            "actualYield": 2, "producedAt": "2026-11-20T10:00:00Z", "eventId": event}}),
                    ),
                ]
            })
            .collect();
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(requests.len()));
        let tasks: Vec<_> = requests
            .into_iter()
            .map(|(query, variables)| {
                let (start, addr) = (start.clone(), app.addr);
                tokio::spawn(async move {
                    start.wait().await;
                    crate::harness::post_to(addr, query, variables).await
                })
            })
            .collect();
        for task in tasks {
            let response = task.await.expect("request task");
            assert_eq!(error_code(&response), None, "{response:#}");
        }
        assert_eq!(run_totals::mismatches(&app.db).await.unwrap(), 0);
        let page = app
            .ok(
                "{ events { nodes { productionTargets { productionRuns { totalCount }
                   progress { producedBatches } } } } }",
                json!({}),
            )
            .await;
        for event in page["events"]["nodes"].as_array().unwrap() {
            assert_eq!(
                event["productionTargets"],
                json!([{"productionRuns": {"totalCount": 1}, "progress": {"producedBatches": 2}}])
            );
        }
    }
);
