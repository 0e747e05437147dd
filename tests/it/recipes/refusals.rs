//! Invalid recipes, cycles and nesting depth are refused and change nothing.

use super::*;

db_test!(invalid_recipes_are_refused_and_change_nothing, |app| {
    let p = pantry(&app).await;
    let (glaze, cookies) = cookies(&app, &p).await;
    let before = snapshot(&app).await;
    let create = create_recipe_doc();
    let missing_ingredient = ids::encode("Ingredient", 999_999);
    let missing_recipe = ids::encode("Recipe", 999_999);
    let ingredient_not_found = format!("Ingredient {} was not found", missing_ingredient.as_str());
    let recipe_not_found = format!("Recipe {} was not found", missing_recipe.as_str());
    let line = |ingredient: &Value, quantity: &str, unit: &str| {
        json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "pan",
               "ingredients": [{"ingredientId": p["flour"], "quantity": "1", "unit": "cup"},
                               {"ingredientId": ingredient, "quantity": quantity, "unit": unit}]})
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            line(&p["butter"], "1", "stone"),
            "BAD_USER_INPUT",
            "ingredient line 2: unknown unit \"stone\"",
        ),
        (
            line(&p["eggs"], "100", "g"),
            "BAD_USER_INPUT",
            "cannot convert g (mass) to each (count) for \"Eggs\"",
        ),
        (
            line(&p["sugar"], "1", "cup"),
            "BAD_USER_INPUT",
            "cannot convert cup to g for \"Sugar\": it has no density",
        ),
        (
            line(&p["sugar"], "0", "g"),
            "BAD_USER_INPUT",
            "ingredient line 2: quantity must be greater than zero (got 0)",
        ),
        (
            line(&p["sugar"], "-5", "g"),
            "BAD_USER_INPUT",
            "ingredient line 2: quantity must be greater than zero (got -5)",
        ),
        (
            line(&p["sugar"], "0.0000001", "g"),
            "BAD_USER_INPUT",
            "quantity must be greater than zero",
        ),
        (
            line(&json!(missing_ingredient), "1", "g"),
            "NOT_FOUND",
            &ingredient_not_found,
        ),
        (
            line(&glaze["id"], "1", "g"),
            "BAD_USER_INPUT",
            "belongs to a Recipe, not to a Ingredient",
        ),
        (
            line(&json!("not-an-id"), "1", "g"),
            "BAD_USER_INPUT",
            "is not a valid id",
        ),
        (
            json!({"name": "sugar COOKIES", "yieldQuantity": "1", "yieldUnit": "x"}),
            "CONFLICT",
            "a recipe named \"sugar COOKIES\" already exists",
        ),
        (
            json!({"name": "  ", "yieldQuantity": "1", "yieldUnit": "x"}),
            "BAD_USER_INPUT",
            "recipe name must not be empty",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "0", "yieldUnit": "x"}),
            "BAD_USER_INPUT",
            "yieldQuantity must be greater than zero",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "-2", "yieldUnit": "x"}),
            "BAD_USER_INPUT",
            "yieldQuantity must be greater than zero",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": " "}),
            "BAD_USER_INPUT",
            "yieldUnit must not be empty",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "x", "estimatedMinutes": -1}),
            "BAD_USER_INPUT",
            "estimatedMinutes must not be negative",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "x",
                "components": [{"recipeId": glaze["id"], "quantity": "0"}]}),
            "BAD_USER_INPUT",
            "component 1: quantity (batches of the sub-recipe) must be greater than zero",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "x",
                "components": [{"recipeId": glaze["id"], "quantity": "-1"}]}),
            "BAD_USER_INPUT",
            "must be greater than zero (got -1)",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "x",
                "components": [{"recipeId": glaze["id"], "quantity": "1"}, {"recipeId": glaze["id"], "quantity": "2"}]}),
            "BAD_USER_INPUT",
            "the sub-recipe \"Vanilla Glaze\" is listed twice",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "x",
                "components": [{"recipeId": missing_recipe, "quantity": "1"}]}),
            "NOT_FOUND",
            &recipe_not_found,
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "x",
                "components": [{"recipeId": p["sugar"], "quantity": "1"}]}),
            "BAD_USER_INPUT",
            "not to a Recipe",
        ),
    ];
    for (input, code, message) in cases {
        app.error(&create, json!({ "input": input }))
            .await
            .expect(code, message);
    }
    assert_eq!(
        snapshot(&app).await,
        before,
        "refused creates change nothing"
    );

    let update = update_recipe_doc();
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"id": cookies["id"], "name": "Vanilla glaze"}),
            "CONFLICT",
            "already exists",
        ),
        (
            json!({"id": cookies["id"], "name": "Iced Cookies",
                "ingredients": [{"ingredientId": p["eggs"], "quantity": "2", "unit": "cup"}]}),
            "BAD_USER_INPUT",
            "cannot convert cup (volume) to each (count) for \"Eggs\"",
        ),
        (
            json!({"id": cookies["id"], "yieldQuantity": "0", "ingredients": []}),
            "BAD_USER_INPUT",
            "yieldQuantity",
        ),
        (
            json!({"id": cookies["id"], "components": [{"recipeId": glaze["id"], "quantity": "0"}]}),
            "BAD_USER_INPUT",
            "greater than zero",
        ),
        (
            json!({"id": missing_recipe, "name": "x"}),
            "NOT_FOUND",
            &recipe_not_found,
        ),
        (
            json!({"id": p["flour"], "name": "x"}),
            "BAD_USER_INPUT",
            "not to a Recipe",
        ),
    ];
    for (input, code, message) in cases {
        app.error(&update, json!({ "input": input }))
            .await
            .expect(code, message);
    }
    assert_eq!(
        snapshot(&app).await,
        before,
        "refused updates change nothing"
    );
    app.error(DELETE_RECIPE, json!({"id": ids::encode("Recipe", 999_999)}))
        .await
        .expect("NOT_FOUND", "was not found");
    app.error(DELETE_RECIPE, json!({"id": p["flour"]}))
        .await
        .expect("BAD_USER_INPUT", "not to a Recipe");
});

db_test!(cycles_and_nesting_depth_are_refused, |app| {
    let alpha = create_recipe(&app, simple("Alpha")).await;
    let mut beta = simple("Beta");
    beta["components"] = json!([{"recipeId": alpha["id"], "quantity": "1"}]);
    let beta = create_recipe(&app, beta).await;
    let mut gamma = simple("Gamma");
    gamma["components"] = json!([{"recipeId": beta["id"], "quantity": "2"}]);
    let gamma = create_recipe(&app, gamma).await;
    let leaf = create_recipe(&app, simple("Leaf")).await;
    let before = snapshot(&app).await;
    let update = update_recipe_doc();
    let with = |id: &Value, components: &[&Value]| json!({"input": {"id": id, "components": components.iter().map(|c| json!({"recipeId": c, "quantity": "1"})).collect::<Vec<_>>()}});

    let error = app.error(&update, with(&beta["id"], &[&beta["id"]])).await;
    error.expect(
        "BAD_USER_INPUT",
        "a recipe cannot contain itself: Beta → Beta is a cycle",
    );
    let error = app.error(&update, with(&alpha["id"], &[&beta["id"]])).await;
    error.expect("BAD_USER_INPUT", "Alpha → Beta → Alpha is a cycle");
    let error = app
        .error(&update, with(&alpha["id"], &[&leaf["id"], &gamma["id"]]))
        .await;
    error.expect("BAD_USER_INPUT", "Alpha → Gamma → Beta → Alpha is a cycle");

    // Four levels below a new recipe, and four levels through existing parents.
    let mut delta = simple("Delta");
    delta["components"] = json!([{"recipeId": gamma["id"], "quantity": "1"}]);
    let error = app
        .error(&create_recipe_doc(), json!({ "input": delta }))
        .await;
    error.expect(
        "BAD_USER_INPUT",
        "recipes nest at most 3 levels deep, but Delta → Gamma → Beta → Alpha would be 4 levels",
    );
    let error = app.error(&update, with(&alpha["id"], &[&leaf["id"]])).await;
    error.expect(
        "BAD_USER_INPUT",
        "Gamma → Beta → Alpha → Leaf would be 4 levels",
    );
    assert_eq!(
        snapshot(&app).await,
        before,
        "refused writes change nothing"
    );

    // Three levels are fine: Beta swaps Alpha for Leaf, and Alpha may then join Gamma.
    let data = app.ok(&update, with(&beta["id"], &[&leaf["id"]])).await;
    assert_eq!(
        data["updateRecipe"]["components"],
        json!([{"recipe": {"name": "Leaf"}, "quantity": "1", "notes": null}])
    );
    let data = app
        .ok(&update, with(&gamma["id"], &[&beta["id"], &alpha["id"]]))
        .await;
    assert_eq!(
        data["updateRecipe"]["components"].as_array().unwrap().len(),
        2
    );
});

db_test!(concurrent_edits_cannot_build_a_cycle, |app| {
    // Each round, two requests race to make X contain Y and Y contain X: exactly one wins.
    let update = update_recipe_doc();
    for round in 0..5 {
        let x = create_recipe(&app, simple(&format!("X{round}"))).await;
        let y = create_recipe(&app, simple(&format!("Y{round}"))).await;
        let link = |from: &Value, to: &Value| json!({"input": {"id": from, "components": [{"recipeId": to, "quantity": "1"}]}});
        let (a, b) = tokio::join!(
            app.graphql(&update, link(&x["id"], &y["id"])),
            app.graphql(&update, link(&y["id"], &x["id"]))
        );
        let failed: Vec<&Value> = [&a, &b]
            .into_iter()
            .filter(|r| r.get("errors").is_some())
            .collect();
        assert_eq!(failed.len(), 1, "exactly one edit wins: {a:#} {b:#}");
        assert_eq!(
            failed[0]["errors"][0]["extensions"]["code"],
            "BAD_USER_INPUT"
        );
        assert!(failed[0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("is a cycle"));
    }
});
