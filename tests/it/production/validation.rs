//! Validation: bad recording input is refused with a code and a message saying what to fix.

use super::*;

db_test!(
    invalid_recording_requests_are_refused_and_write_nothing,
    |app| {
        let k = cookie_kitchen(&app).await;
        purchase(&app, json!({"ingredientId": k["flour"], "quantity": "5", "unit": "lb", "totalCost": "6.00", "purchasedOn": "2026-11-01"})).await;
        purchase(&app, json!({"ingredientId": k["butter"], "quantity": "4", "unit": "cup", "totalCost": "8.00", "purchasedOn": "2026-11-01"})).await;
        purchase(&app, json!({"ingredientId": k["eggs"], "quantity": "1", "unit": "dozen", "totalCost": "3.60", "purchasedOn": "2026-11-01"})).await;
        let ginger = Create::Recipe.id(&app, json!({"name": "Gingerbread", "yieldQuantity": "12", "yieldUnit": "men", "ingredients": [
        {"ingredientId": k["flour"], "quantity": "300", "unit": "g"}]})).await;
        let man = Create::FinishedUnit.id(&app, json!({"name": "Gingerbread Man", "recipeId": ginger, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 12, "itemUnit": "man"})).await;
        let gone_event = fixtures::event(&app, "Cancelled Party", "2026-12-01").await["id"].clone();
        app.ok(
            "mutation($id: ID!) { deleteEvent(id: $id) { deletedId } }",
            json!({"id": gone_event}),
        )
        .await;
        let gone_unit = Create::FinishedUnit.id(&app, json!({"name": "Cookie Crumb", "recipeId": k["recipe"], "yieldMode": "BATCH_PORTION", "batchPercentage": "100"})).await;
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
        let empty = Create::FinishedGood
            .id(
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
