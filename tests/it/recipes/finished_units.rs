//! Finished units of both yield modes, and deletes refused while a row is referenced.

use super::*;

db_test!(finished_units_of_both_modes, |app| {
    let p = pantry(&app).await;
    let (glaze, cookies) = cookies(&app, &p).await;
    let cake = create_recipe(&app, simple("Pound Cake")).await;
    let cookie = app
        .ok(
            CREATE_UNIT,
            json!({"input": {"name": " Sugar  Cookie ", "recipeId": cookies["id"], "yieldMode": "DISCRETE_COUNT",
                   "itemsPerBatch": 36, "itemUnit": "cookie", "notes": "iced"}}),
        )
        .await["createFinishedUnit"]
        .clone();
    assert_eq!(
        cookie,
        json!({"id": cookie["id"], "slug": "sugar-cookie", "name": "Sugar Cookie", "yieldMode": "DISCRETE_COUNT",
               "itemsPerBatch": 36, "itemUnit": "cookie", "batchPercentage": null, "inventoryCount": 0,
               "averageUnitCost": "0", "notes": "iced", "recipe": {"name": "Sugar Cookies"}})
    );
    let second = app
        .ok(
            CREATE_UNIT,
            json!({"input": {"name": "Sugar Cookie!", "recipeId": cookies["id"], "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 12}}),
        )
        .await["createFinishedUnit"]
        .clone();
    assert_eq!(
        second["slug"], "sugar-cookie-2",
        "derived slugs are numbered"
    );
    let whole = app
        .ok(
            CREATE_UNIT,
            json!({"input": {"name": "Whole Cake", "slug": "pound-cake-whole", "recipeId": cake["id"],
                   "yieldMode": "BATCH_PORTION", "batchPercentage": "100"}}),
        )
        .await["createFinishedUnit"]
        .clone();
    assert_eq!(whole["slug"], "pound-cake-whole");
    assert_eq!(whole["batchPercentage"], "100");
    assert_eq!(whole["itemsPerBatch"], Value::Null);

    let data = app
        .ok(
            "query($id: ID!, $unit: ID!) { node(id: $id) { ... on Recipe { finishedUnits { slug recipe { id } } } }
               unit: node(id: $unit) { __typename ... on FinishedUnit { name } } }",
            json!({"id": cookies["id"], "unit": whole["id"]}),
        )
        .await;
    assert_eq!(
        data["node"]["finishedUnits"],
        json!([{"slug": "sugar-cookie", "recipe": {"id": cookies["id"]}}, {"slug": "sugar-cookie-2", "recipe": {"id": cookies["id"]}}])
    );
    assert_eq!(
        data["unit"],
        json!({"__typename": "FinishedUnit", "name": "Whole Cake"})
    );

    // Switching the mode drops the other mode's field; the recipe may change while no
    // production run recorded the unit.
    let data = app
        .ok(
            UPDATE_UNIT,
            json!({"input": {"id": second["id"], "yieldMode": "BATCH_PORTION", "batchPercentage": "12.5",
                   "recipeId": cake["id"], "name": "Cake Slice", "slug": "cake-slice", "itemUnit": "slice"}}),
        )
        .await;
    assert_eq!(
        data["updateFinishedUnit"],
        json!({"id": second["id"], "slug": "cake-slice", "name": "Cake Slice", "yieldMode": "BATCH_PORTION",
               "itemsPerBatch": null, "itemUnit": "slice", "batchPercentage": "12.5", "notes": null,
               "recipe": {"name": "Pound Cake"}})
    );
    let data = app
        .ok(
            UPDATE_UNIT,
            json!({"input": {"id": cookie["id"], "itemsPerBatch": 40, "notes": null}}),
        )
        .await;
    assert_eq!(data["updateFinishedUnit"]["itemsPerBatch"], 40);
    assert_eq!(data["updateFinishedUnit"]["notes"], Value::Null);
    assert_eq!(
        data["updateFinishedUnit"]["slug"], "sugar-cookie",
        "absent fields are kept"
    );

    // The connection, ordered by name, with paging and a recipe filter.
    let data = app
        .ok(
            "query($recipe: ID!) { all: finishedUnits(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { name } }
               cake: finishedUnits(recipeId: $recipe) { totalCount nodes { slug } } }",
            json!({"recipe": cake["id"]}),
        )
        .await;
    assert_eq!(data["all"]["totalCount"], 3);
    assert_eq!(
        data["all"]["nodes"],
        json!([{"name": "Cake Slice"}, {"name": "Sugar Cookie"}])
    );
    assert_eq!(
        data["cake"]["nodes"],
        json!([{"slug": "cake-slice"}, {"slug": "pound-cake-whole"}])
    );
    let data = app
        .ok(
            "query($after: String) { finishedUnits(first: 2, after: $after) { pageInfo { hasNextPage } nodes { name } } }",
            json!({"after": data["all"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(
        data["finishedUnits"]["nodes"],
        json!([{"name": "Whole Cake"}])
    );
    assert_eq!(data["finishedUnits"]["pageInfo"]["hasNextPage"], false);
    app.error(
        "query($id: ID!) { finishedUnits(recipeId: $id) { totalCount } }",
        json!({"id": p["sugar"]}),
    )
    .await
    .expect("BAD_USER_INPUT", "not to a Recipe");

    // Invalid inputs, each refused with nothing written.
    let before = snapshot(&app).await;
    let missing_recipe = ids::encode("Recipe", 999_999);
    let recipe_not_found = format!("Recipe {} was not found", missing_recipe.as_str());
    let missing_unit = ids::encode("FinishedUnit", 999_999);
    let unit_not_found = format!("FinishedUnit {} was not found", missing_unit.as_str());
    let unit = |extra: Value| {
        let mut input = json!({"name": "Glaze Cup", "recipeId": glaze["id"]});
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "input": input })
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            unit(json!({"yieldMode": "DISCRETE_COUNT"})),
            "BAD_USER_INPUT",
            "DISCRETE_COUNT needs itemsPerBatch",
        ),
        (
            unit(json!({"yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 0})),
            "BAD_USER_INPUT",
            "itemsPerBatch must be greater than zero (got 0)",
        ),
        (
            unit(
                json!({"yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 4, "batchPercentage": "50"}),
            ),
            "BAD_USER_INPUT",
            "batchPercentage applies only to BATCH_PORTION",
        ),
        (
            unit(json!({"yieldMode": "BATCH_PORTION"})),
            "BAD_USER_INPUT",
            "BATCH_PORTION needs batchPercentage",
        ),
        (
            unit(json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "0"})),
            "BAD_USER_INPUT",
            "greater than 0 and at most 100 (got 0)",
        ),
        (
            unit(json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "150"})),
            "BAD_USER_INPUT",
            "greater than 0 and at most 100 (got 150)",
        ),
        (
            unit(
                json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "50", "itemsPerBatch": 2}),
            ),
            "BAD_USER_INPUT",
            "itemsPerBatch applies only to DISCRETE_COUNT",
        ),
        (
            unit(
                json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "50", "slug": "Glaze Cup"}),
            ),
            "BAD_USER_INPUT",
            "slug \"Glaze Cup\" is not valid",
        ),
        (
            unit(
                json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "50", "slug": "glaze--cup"}),
            ),
            "BAD_USER_INPUT",
            "is not valid",
        ),
        (
            unit(
                json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "50", "slug": "cake-slice"}),
            ),
            "CONFLICT",
            "slug \"cake-slice\" already exists",
        ),
        (
            unit(json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "50", "name": " "})),
            "BAD_USER_INPUT",
            "name must not be empty",
        ),
        (
            unit(
                json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "50", "recipeId": missing_recipe}),
            ),
            "NOT_FOUND",
            &recipe_not_found,
        ),
        (
            unit(
                json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "50", "recipeId": p["eggs"]}),
            ),
            "BAD_USER_INPUT",
            "not to a Recipe",
        ),
    ];
    for (variables, code, message) in cases {
        app.error(CREATE_UNIT, variables)
            .await
            .expect(code, message);
    }
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"id": cookie["id"], "slug": "cake-slice"}),
            "CONFLICT",
            "already exists",
        ),
        (
            json!({"id": cookie["id"], "slug": "Cake_Slice"}),
            "BAD_USER_INPUT",
            "is not valid",
        ),
        (
            json!({"id": cookie["id"], "batchPercentage": "50"}),
            "BAD_USER_INPUT",
            "batchPercentage applies only to BATCH_PORTION",
        ),
        (
            json!({"id": cookie["id"], "itemsPerBatch": null}),
            "BAD_USER_INPUT",
            "DISCRETE_COUNT needs itemsPerBatch",
        ),
        (
            json!({"id": cookie["id"], "yieldMode": "BATCH_PORTION"}),
            "BAD_USER_INPUT",
            "BATCH_PORTION needs batchPercentage",
        ),
        (
            json!({"id": whole["id"], "batchPercentage": "100.5"}),
            "BAD_USER_INPUT",
            "at most 100",
        ),
        (
            json!({"id": whole["id"], "recipeId": missing_recipe}),
            "NOT_FOUND",
            &recipe_not_found,
        ),
        (
            json!({"id": missing_unit, "name": "x"}),
            "NOT_FOUND",
            &unit_not_found,
        ),
        (
            json!({"id": cookies["id"], "name": "x"}),
            "BAD_USER_INPUT",
            "not to a FinishedUnit",
        ),
    ];
    for (input, code, message) in cases {
        app.error(UPDATE_UNIT, json!({ "input": input }))
            .await
            .expect(code, message);
    }
    assert_eq!(
        snapshot(&app).await,
        before,
        "refused writes change nothing"
    );
});

db_test!(deletes_are_refused_while_referenced, |app| {
    let p = pantry(&app).await;
    let (glaze, cookies) = cookies(&app, &p).await;
    let unit = app
        .ok(
            CREATE_UNIT,
            json!({"input": {"name": "Sugar Cookie", "recipeId": cookies["id"], "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 36}}),
        )
        .await["createFinishedUnit"]
        .clone();
    let glaze_unit = app
        .ok(
            CREATE_UNIT,
            json!({"input": {"name": "Glaze Jar", "recipeId": glaze["id"], "yieldMode": "BATCH_PORTION", "batchPercentage": "100"}}),
        )
        .await["createFinishedUnit"]
        .clone();

    // The glaze is used by the cookies and has a finished unit.
    let error = app.error(DELETE_RECIPE, json!({"id": glaze["id"]})).await;
    error.expect(
        "DELETE_RESTRICTED",
        "cannot delete recipe \"Vanilla Glaze\": it is referenced by 1 finished units, 1 parent recipes",
    );
    assert_eq!(
        error.extensions["references"],
        json!([{"kind": "finished units", "count": 1}, {"kind": "parent recipes", "count": 1}])
    );

    // A production target and a bare run row (one batch, nothing consumed).
    let christmas = fixtures::event(&app, "Christmas", "2026-12-24").await;
    fixtures::production_target(&app, &christmas["id"], &cookies["id"], 3).await;
    fixtures::production_run_row(&app, &cookies["id"], &unit["id"], None).await;
    let before = snapshot(&app).await;
    let error = app.error(DELETE_RECIPE, json!({"id": cookies["id"]})).await;
    error.expect(
        "DELETE_RESTRICTED",
        "1 production targets, 1 production runs, 1 finished units",
    );
    assert_eq!(
        error.extensions["references"],
        json!([{"kind": "production targets", "count": 1}, {"kind": "production runs", "count": 1}, {"kind": "finished units", "count": 1}])
    );
    let error = app.error(DELETE_UNIT, json!({"id": unit["id"]})).await;
    error.expect(
        "DELETE_RESTRICTED",
        "cannot delete finished unit \"Sugar Cookie\": it is referenced by 1 production runs",
    );
    assert_eq!(
        error.extensions["references"],
        json!([{"kind": "production runs", "count": 1}])
    );
    let error = app
        .error(
            UPDATE_UNIT,
            json!({"input": {"id": unit["id"], "recipeId": glaze["id"]}}),
        )
        .await;
    error.expect(
        "BAD_USER_INPUT",
        "cannot move finished unit \"Sugar Cookie\" to another recipe: 1 production run(s) recorded it",
    );
    assert_eq!(
        snapshot(&app).await,
        before,
        "refused deletes change nothing"
    );

    // Once unreferenced, deletes go through, taking lines and components along.
    app.ok(DELETE_UNIT, json!({"id": glaze_unit["id"]})).await;
    app.error(DELETE_RECIPE, json!({"id": glaze["id"]}))
        .await
        .expect("DELETE_RESTRICTED", "1 parent recipes");
    app.ok(
        &update_recipe_doc(),
        json!({"input": {"id": cookies["id"], "components": []}}),
    )
    .await;
    let data = app.ok(DELETE_RECIPE, json!({"id": glaze["id"]})).await;
    assert_eq!(data["deleteRecipe"]["deletedId"], glaze["id"]);
    let data = app
        .ok(
            "query($id: ID!) { node(id: $id) { id } recipes { totalCount } }",
            json!({"id": glaze["id"]}),
        )
        .await;
    assert_eq!(data["node"], Value::Null);
    assert_eq!(data["recipes"]["totalCount"], 1);
    // The pantry's ingredients are free again except where the cookies still use them.
    app.ok(
        "mutation($id: ID!) { deleteIngredient(id: $id) { deletedId } }",
        json!({"id": p["sugar"]}),
    )
    .await;
    app.error(
        "mutation($id: ID!) { deleteIngredient(id: $id) { deletedId } }",
        json!({"id": p["flour"]}),
    )
    .await
    .expect("DELETE_RESTRICTED", "recipe lines");
});
