//! All or nothing: a refused run moves no stock and writes no row.

use super::*;

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
        let hamper = Create::FinishedGood.id(&app, json!({"name": "Hamper", "assemblyType": "HOLIDAY_SET", "components": [
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
