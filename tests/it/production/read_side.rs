//! The read side: run lists, filters, pages, moving-average costs and availability.

use super::*;

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
        let brownies = Create::Recipe.id(&app, json!({"name": "Brownies", "yieldQuantity": "12", "yieldUnit": "brownies", "ingredients": [
        {"ingredientId": cocoa, "quantity": "100", "unit": "g"}]})).await;
        let cake = Create::Recipe.id(
            &app,
            json!({"name": "Cocoa Cake", "yieldQuantity": "1", "yieldUnit": "cake", "ingredients": [
        {"ingredientId": cocoa, "quantity": "50", "unit": "g"}]}),
        )
        .await;
        let brownie = Create::FinishedUnit.id(&app, json!({"name": "Brownie", "recipeId": brownies, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 12, "itemUnit": "brownie"})).await;
        let slice = Create::FinishedUnit.id(&app, json!({"name": "Cake Slice", "recipeId": cake, "yieldMode": "BATCH_PORTION", "batchPercentage": "12.5"})).await;
        let whole = Create::FinishedUnit.id(&app, json!({"name": "Whole Cake", "recipeId": cake, "yieldMode": "BATCH_PORTION", "batchPercentage": "100"})).await;
        let third = Create::FinishedUnit.id(&app, json!({"name": "Cake Third", "recipeId": cake, "yieldMode": "BATCH_PORTION", "batchPercentage": "30"})).await;
        let sale = fixtures::event(&app, "Bake Sale", "2026-12-05").await["id"].clone();
        let open_house = fixtures::event(&app, "Open House", "2026-12-20").await["id"].clone();
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
        let tray = Create::FinishedGood
            .id(
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
        let praline = Create::Recipe
            .id(
                &app,
                json!({"name": "Praline", "yieldQuantity": "1", "yieldUnit": "cup", "ingredients": [
        {"ingredientId": nuts, "quantity": "50", "unit": "g"}]}),
            )
            .await;
        let nut_cake = Create::Recipe.id(&app, json!({"name": "Nut Cake", "yieldQuantity": "1", "yieldUnit": "cake",
        "ingredients": [{"ingredientId": flour, "quantity": "200", "unit": "g"}, {"ingredientId": nuts, "quantity": "20", "unit": "g"}],
        "components": [{"recipeId": praline, "quantity": "1"}]})).await;
        let vanilla_cake = Create::Recipe
            .id(
                &app,
                json!({"name": "Vanilla Nut Cake", "yieldQuantity": "1", "yieldUnit": "cake",
        "ingredients": [{"ingredientId": vanilla, "quantity": "2", "unit": "tsp"}],
        "components": [{"recipeId": nut_cake, "quantity": "1"}]}),
            )
            .await;
        let cake = Create::FinishedUnit.id(&app, json!({"name": "Nut Cake", "recipeId": nut_cake, "yieldMode": "BATCH_PORTION", "batchPercentage": "100"})).await;
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
        let gift = Create::FinishedGood
            .id(
                &app,
                json!({"name": "Cake Gift", "assemblyType": "GIFT_BOX", "components": [
        {"finishedUnitId": cake, "quantity": "1"}, {"packagingId": carton, "quantity": "1"}]}),
            )
            .await;
        let party = Create::FinishedGood.id(&app, json!({"name": "Party Pack", "assemblyType": "HOLIDAY_SET", "components": [
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
