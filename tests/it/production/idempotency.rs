//! Idempotency keys: a repeated recording is replayed, never recorded twice.

use super::*;

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
        let responses = app.all_at_once(RUN_WITH_LOTS, vec![retry; 8]).await;
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
        let first = fixtures::record_assembly(&app, boxes.clone()).await;
        let again = fixtures::record_assembly(&app, boxes.clone()).await;
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
        let responses = app.all_at_once(RECORD_ASSEMBLY, vec![many; 8]).await;
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
    let responses = app.all_at_once(PURCHASE, vec![retry; 8]).await;
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
