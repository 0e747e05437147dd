//! Recipes created, nested, updated and listed.

use super::*;

db_test!(recipes_are_created_nested_and_read_back, |app| {
    let p = pantry(&app).await;
    let (glaze, cookies) = cookies(&app, &p).await;
    assert_eq!(cookies["name"], "Sugar Cookies");
    assert_eq!(cookies["yieldQuantity"], "36");
    assert_eq!(cookies["yieldUnit"], "cookies");
    assert_eq!(cookies["yieldDescription"], "about three dozen");
    assert_eq!(cookies["estimatedMinutes"], 45);
    assert_eq!(
        cookies["ingredients"],
        json!([
            {"ingredient": {"name": "Flour"}, "quantity": "2", "unit": "cup", "notes": "sifted"},
            {"ingredient": {"name": "Butter"}, "quantity": "8", "unit": "tbsp", "notes": null},
            {"ingredient": {"name": "Eggs"}, "quantity": "0.25", "unit": "dozen", "notes": null}
        ])
    );
    assert_eq!(
        cookies["components"],
        json!([{"recipe": {"name": "Vanilla Glaze"}, "quantity": "0.5", "notes": "for the tops"}])
    );
    assert_eq!(
        glaze["ingredients"][1]["unit"], "tsp",
        "units are canonical"
    );

    let node = app
        .ok(
            "query($id: ID!) { node(id: $id) { __typename id ... on Recipe { name components { recipe { id ingredients { ingredient { name } } } } } } }",
            json!({"id": cookies["id"]}),
        )
        .await;
    assert_eq!(node["node"]["__typename"], "Recipe");
    assert_eq!(node["node"]["components"][0]["recipe"]["id"], glaze["id"]);
    assert_eq!(
        node["node"]["components"][0]["recipe"]["ingredients"],
        json!([{"ingredient": {"name": "Sugar"}}, {"ingredient": {"name": "Vanilla"}}, {"ingredient": {"name": "Butter"}}])
    );

    // One batch: flour 2 cup = 8.5 oz = 240.9709465625 g; butter (8 + 0.5) tbsp × 14.2 g;
    // eggs 0.25 dozen; sugar 0.5 × 100 g; vanilla 0.5 tsp = 2.464460796875 ml.
    let data = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Recipe { aggregatedIngredients { ingredient { name } quantity unit } } } }",
            json!({"id": cookies["id"]}),
        )
        .await;
    assert_eq!(
        data["node"]["aggregatedIngredients"],
        json!([
            {"ingredient": {"name": "Butter"}, "quantity": "120.7", "unit": "g"},
            {"ingredient": {"name": "Eggs"}, "quantity": "3", "unit": "each"},
            {"ingredient": {"name": "Flour"}, "quantity": "240.970947", "unit": "g"},
            {"ingredient": {"name": "Sugar"}, "quantity": "50", "unit": "g"},
            {"ingredient": {"name": "Vanilla"}, "quantity": "2.464461", "unit": "ml"}
        ])
    );
    // Three batches: exact sums, rounded once (6 cup = 25.5 oz = 722.9128396875 g;
    // 1.5 tsp = 7.393382390625 ml).
    assert_eq!(
        aggregated(&app, &cookies["id"], "3").await,
        json!([
            {"ingredient": {"name": "Butter"}, "quantity": "362.1", "unit": "g"},
            {"ingredient": {"name": "Eggs"}, "quantity": "9", "unit": "each"},
            {"ingredient": {"name": "Flour"}, "quantity": "722.91284", "unit": "g"},
            {"ingredient": {"name": "Sugar"}, "quantity": "150", "unit": "g"},
            {"ingredient": {"name": "Vanilla"}, "quantity": "7.393382", "unit": "ml"}
        ])
    );
    // Three levels: a tray of 2 batches of cookies plus its own vanilla; half a tray is one
    // batch of cookies (glaze multiplied through twice) and 1 tsp of vanilla.
    let tray = create_recipe(
        &app,
        json!({"name": "Cookie Tray", "yieldQuantity": "1", "yieldUnit": "tray",
               "ingredients": [{"ingredientId": p["vanilla"], "quantity": "2", "unit": "tsp"}],
               "components": [{"recipeId": cookies["id"], "quantity": "2"}]}),
    )
    .await;
    assert_eq!(
        aggregated(&app, &tray["id"], "0.5").await,
        json!([
            {"ingredient": {"name": "Butter"}, "quantity": "120.7", "unit": "g"},
            {"ingredient": {"name": "Eggs"}, "quantity": "3", "unit": "each"},
            {"ingredient": {"name": "Flour"}, "quantity": "240.970947", "unit": "g"},
            {"ingredient": {"name": "Sugar"}, "quantity": "50", "unit": "g"},
            {"ingredient": {"name": "Vanilla"}, "quantity": "7.393382", "unit": "ml"}
        ])
    );
    let error = app
        .error(AGGREGATE, json!({"id": tray["id"], "batches": "0"}))
        .await;
    error.expect("BAD_USER_INPUT", "batches must be greater than zero");
});

db_test!(recipes_are_updated_replacing_lines, |app| {
    let p = pantry(&app).await;
    let (glaze, cookies) = cookies(&app, &p).await;
    let data = app
        .ok(
            &update_recipe_doc(),
            json!({"input": {"id": cookies["id"], "name": "Butter Cookies", "yieldDescription": null,
                   "ingredients": [
                       {"ingredientId": p["butter"], "quantity": "250", "unit": "g"},
                       {"ingredientId": p["flour"], "quantity": "0.5", "unit": "kg", "notes": "cold"}]}}),
        )
        .await;
    let updated = &data["updateRecipe"];
    assert_eq!(updated["name"], "Butter Cookies");
    assert_eq!(updated["yieldDescription"], Value::Null, "null clears");
    assert_eq!(updated["source"], "Grandma", "absent fields are kept");
    assert_eq!(updated["estimatedMinutes"], 45);
    assert_eq!(
        updated["ingredients"],
        json!([
            {"ingredient": {"name": "Butter"}, "quantity": "250", "unit": "g", "notes": null},
            {"ingredient": {"name": "Flour"}, "quantity": "0.5", "unit": "kg", "notes": "cold"}
        ])
    );
    assert_eq!(
        updated["components"],
        json!([{"recipe": {"name": "Vanilla Glaze"}, "quantity": "0.5", "notes": "for the tops"}]),
        "components not given are kept"
    );
    assert_eq!(
        aggregated(&app, &cookies["id"], "2").await,
        json!([
            {"ingredient": {"name": "Butter"}, "quantity": "514.2", "unit": "g"},
            {"ingredient": {"name": "Flour"}, "quantity": "1000", "unit": "g"},
            {"ingredient": {"name": "Sugar"}, "quantity": "100", "unit": "g"},
            {"ingredient": {"name": "Vanilla"}, "quantity": "4.928922", "unit": "ml"}
        ])
    );
    // Replacing the components with an empty list removes them; the glaze can then go.
    let data = app
        .ok(
            &update_recipe_doc(),
            json!({"input": {"id": cookies["id"], "components": [], "estimatedMinutes": null}}),
        )
        .await;
    assert_eq!(data["updateRecipe"]["components"], json!([]));
    assert_eq!(data["updateRecipe"]["estimatedMinutes"], Value::Null);
    assert_eq!(
        data["updateRecipe"]["ingredients"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let data = app.ok(DELETE_RECIPE, json!({"id": glaze["id"]})).await;
    assert_eq!(data["deleteRecipe"]["deletedId"], glaze["id"]);
    // Renaming to the same name in another case is not a conflict with itself.
    let data = app
        .ok(
            &update_recipe_doc(),
            json!({"input": {"id": cookies["id"], "name": "BUTTER cookies"}}),
        )
        .await;
    assert_eq!(data["updateRecipe"]["name"], "BUTTER cookies");
});

db_test!(recipe_lists_page_filter_and_load_in_batches, |app| {
    let p = pantry(&app).await;
    let (glaze, _cookies) = cookies(&app, &p).await;
    for (name, category) in [
        ("Apple Pie", "Pies"),
        ("pecan pie", "Pies"),
        ("Brownies", "Bars"),
    ] {
        create_recipe(
            &app,
            json!({"name": name, "category": category, "yieldQuantity": "1", "yieldUnit": "pie",
                   "ingredients": [{"ingredientId": p["sugar"], "quantity": "200", "unit": "g"}]}),
        )
        .await;
    }
    let data = app
        .ok("{ recipes(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { name } } }", json!({}))
        .await;
    assert_eq!(data["recipes"]["totalCount"], 5);
    assert_eq!(
        data["recipes"]["nodes"],
        json!([{"name": "Apple Pie"}, {"name": "Brownies"}])
    );
    let data = app
        .ok(
            "query($after: String) { recipes(first: 2, after: $after) { pageInfo { hasNextPage hasPreviousPage } nodes { name } } }",
            json!({"after": data["recipes"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(
        data["recipes"]["nodes"],
        json!([{"name": "pecan pie"}, {"name": "Sugar Cookies"}]),
        "ordered by name ignoring case"
    );
    assert_eq!(
        data["recipes"]["pageInfo"],
        json!({"hasNextPage": true, "hasPreviousPage": true})
    );
    let data = app
        .ok(
            "{ last: recipes(last: 1) { nodes { name } } pies: recipes(category: \"Pies\") { totalCount nodes { name } }
               search: recipes(search: \"PIE\") { nodes { name } } none: recipes(search: \"zzz\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data["last"]["nodes"], json!([{"name": "Vanilla Glaze"}]));
    assert_eq!(data["pies"]["totalCount"], 2);
    assert_eq!(
        data["search"]["nodes"],
        json!([{"name": "Apple Pie"}, {"name": "pecan pie"}])
    );
    assert_eq!(data["none"]["totalCount"], 0);
    app.error("{ recipes(first: 101) { totalCount } }", json!({}))
        .await
        .expect("BAD_USER_INPUT", "at most 100");

    // Relations load per level, not per recipe (each loader is asked from one place, so
    // its keys always arrive in one batch): the same statements for 5 recipes as for 7
    // (of the same nesting depth).
    let nested = "{ recipes(first: 50) { nodes { name ingredients { quantity ingredient { name } }
        components { quantity recipe { name } } finishedUnits { name }
        aggregatedIngredients(batches: \"2\") { quantity unit } } } }";
    // (Once first, so the pool has opened its connections: their setup is counted too.)
    app.ok(nested, json!({})).await;
    let before = app.statements();
    app.ok(nested, json!({})).await;
    let five = app.statements() - before;
    for name in ["Fudge", "Toffee"] {
        create_recipe(
            &app,
            json!({"name": name, "yieldQuantity": "1", "yieldUnit": "box",
                   "ingredients": [{"ingredientId": p["butter"], "quantity": "1", "unit": "cup"}],
                   "components": [{"recipeId": glaze["id"], "quantity": "1"}]}),
        )
        .await;
    }
    app.ok(nested, json!({})).await;
    let before = app.statements();
    let data = app.ok(nested, json!({})).await;
    let seven = app.statements() - before;
    assert_eq!(data["recipes"]["nodes"].as_array().unwrap().len(), 7);
    assert_eq!(
        five, seven,
        "statements must not grow with the number of recipes"
    );
});
