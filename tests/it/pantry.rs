//! Pantry: ingredients, products, purchases, lots and adjustments.

use crate::db_test;
use crate::fixtures::{create_ingredient, purchase, CREATE_INGREDIENT, RECORD_PURCHASE};
use serde_json::{json, Value};

db_test!(ingredients_are_created_read_and_listed, |app| {
    let flour = create_ingredient(
        &app,
        json!({"name": "  All-Purpose   Flour ", "category": "Flour", "unit": "G",
               "density": {"volume": "1", "volumeUnit": "cup", "weight": "4.25", "weightUnit": "oz"}}),
    )
    .await;
    assert_eq!(flour["name"], "All-Purpose Flour");
    assert_eq!(flour["slug"], "all-purpose-flour");
    assert_eq!(flour["unit"], "g");
    assert_eq!(flour["isPackaging"], false);
    assert_eq!(
        flour["density"],
        json!({"volume": "1", "volumeUnit": "cup", "weight": "4.25", "weightUnit": "oz"})
    );
    assert_eq!(flour["densityGramsPerMl"], "0.5092623161");
    assert_eq!(flour["onHand"], "0");
    create_ingredient(
        &app,
        json!({"name": "Gift Box", "unit": "each", "isPackaging": true}),
    )
    .await;
    create_ingredient(&app, json!({"name": "Butter", "unit": "lb"})).await;

    let data = app
        .ok("{ ingredients(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { name } } }", json!({}))
        .await;
    assert_eq!(data["ingredients"]["totalCount"], 3);
    assert_eq!(
        data["ingredients"]["nodes"],
        json!([{"name": "All-Purpose Flour"}, {"name": "Butter"}])
    );
    assert_eq!(data["ingredients"]["pageInfo"]["hasNextPage"], true);
    let cursor = data["ingredients"]["pageInfo"]["endCursor"].clone();
    let data = app
        .ok(
            "query($after: String) { ingredients(first: 2, after: $after) { pageInfo { hasNextPage hasPreviousPage } edges { cursor node { name } } } }",
            json!({"after": cursor}),
        )
        .await;
    assert_eq!(data["ingredients"]["edges"][0]["node"]["name"], "Gift Box");
    assert_eq!(
        data["ingredients"]["pageInfo"],
        json!({"hasNextPage": false, "hasPreviousPage": true})
    );
    let data = app.ok("{ ingredients(last: 1) { nodes { name } } packaging: ingredients(isPackaging: true) { totalCount } search: ingredients(search: \"FLO\") { nodes { slug } } }", json!({})).await;
    assert_eq!(data["ingredients"]["nodes"], json!([{"name": "Gift Box"}]));
    assert_eq!(data["packaging"]["totalCount"], 1);
    assert_eq!(
        data["search"]["nodes"],
        json!([{"slug": "all-purpose-flour"}])
    );

    let node = app
        .ok(
            "query($id: ID!) { node(id: $id) { __typename id ... on Ingredient { name } } }",
            json!({"id": flour["id"]}),
        )
        .await;
    assert_eq!(
        node["node"],
        json!({"__typename": "Ingredient", "id": flour["id"], "name": "All-Purpose Flour"})
    );
    let nodes = app
        .ok(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({"ids": [flour["id"]]}),
        )
        .await;
    assert_eq!(nodes["nodes"][0]["id"], flour["id"]);
});

db_test!(ingredient_rules_are_enforced, |app| {
    let flour = create_ingredient(&app, json!({"name": "Flour", "unit": "g"})).await;
    let error = app
        .error(
            CREATE_INGREDIENT,
            json!({"input": {"name": "FLOUR", "unit": "kg"}}),
        )
        .await;
    error.expect("CONFLICT", "already exists");
    let error = app
        .error(
            CREATE_INGREDIENT,
            json!({"input": {"name": "Sugar", "unit": "stone"}}),
        )
        .await;
    error.expect("BAD_USER_INPUT", "unknown unit \"stone\"");
    let error = app
        .error(
            CREATE_INGREDIENT,
            json!({"input": {"name": "   ", "unit": "g"}}),
        )
        .await;
    error.expect("BAD_USER_INPUT", "must not be empty");
    let error = app
        .error(
            CREATE_INGREDIENT,
            json!({"input": {"name": "Milk", "unit": "ml", "density": {"volume": "1", "volumeUnit": "g", "weight": "1", "weightUnit": "g"}}}),
        )
        .await;
    error.expect("BAD_USER_INPUT", "not a volume unit");
    let error = app
        .error(
            CREATE_INGREDIENT,
            json!({"input": {"name": "Milk", "unit": "ml", "density": {"volume": "-1", "volumeUnit": "cup", "weight": "1", "weightUnit": "g"}}}),
        )
        .await;
    error.expect("BAD_USER_INPUT", "greater than zero");
    // A second ingredient whose name slugs the same gets a numbered slug.
    let second = create_ingredient(&app, json!({"name": "Flour!", "unit": "g"})).await;
    assert_eq!(second["slug"], "flour-2");

    let update = "mutation($input: UpdateIngredientInput!) { updateIngredient(input: $input) { name slug notes category density { volume } } }";
    let data = app
        .ok(
            update,
            json!({"input": {"id": flour["id"], "name": "Bread Flour", "notes": "King Arthur"}}),
        )
        .await;
    assert_eq!(data["updateIngredient"]["name"], "Bread Flour");
    assert_eq!(
        data["updateIngredient"]["slug"], "flour",
        "slugs are stable"
    );
    let data = app
        .ok(update, json!({"input": {"id": flour["id"], "notes": null}}))
        .await;
    assert_eq!(data["updateIngredient"]["notes"], Value::Null);
    assert_eq!(
        data["updateIngredient"]["name"], "Bread Flour",
        "absent fields are kept"
    );
    let error = app
        .error(
            update,
            json!({"input": {"id": second["id"], "name": "bread flour"}}),
        )
        .await;
    error.expect("CONFLICT", "already exists");

    let missing = bakeplan::graphql::ids::encode("Ingredient", 999_999);
    let error = app
        .error(update, json!({"input": {"id": missing, "name": "x"}}))
        .await;
    error.expect("NOT_FOUND", "was not found");
    let product_id = bakeplan::graphql::ids::encode("Product", 1);
    let error = app
        .error(update, json!({"input": {"id": product_id, "name": "x"}}))
        .await;
    error.expect("BAD_USER_INPUT", "not to a Ingredient");
    let node = app
        .ok(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": missing}),
        )
        .await;
    assert_eq!(node["node"], Value::Null);
});

db_test!(purchases_convert_exactly_and_price_per_unit, |app| {
    let flour = create_ingredient(
        &app,
        json!({"name": "Flour", "unit": "g", "density": {"volume": "1", "volumeUnit": "cup", "weight": "4.25", "weightUnit": "oz"}}),
    )
    .await;
    let lot = purchase(
        &app,
        json!({"ingredientId": flour["id"], "quantity": "5", "unit": "lb", "totalCost": "4.99",
               "purchasedOn": "2026-11-01", "expiresOn": "2027-05-01", "location": "Pantry"}),
    )
    .await;
    assert_eq!(lot["quantityPurchased"], "2267.96185");
    assert_eq!(lot["quantityRemaining"], "2267.96185");
    assert_eq!(lot["unit"], "g");
    assert_eq!(lot["totalCost"], "4.99");
    assert_eq!(lot["unitCost"], "0.0022002134");
    assert_eq!(lot["purchasedOn"], "2026-11-01");
    assert_eq!(lot["ingredient"]["name"], "Flour");
    // By volume, through the density: 2 cups = 8.5 oz = 240.970947 g (6 places).
    let lot = purchase(
        &app,
        json!({"ingredientId": flour["id"], "quantity": "2", "unit": "cup", "totalCost": "1"}),
    )
    .await;
    assert_eq!(lot["quantityPurchased"], "240.970947");
    let data = app
        .ok("query($id: ID!) { node(id: $id) { ... on Ingredient { onHand lots { quantityRemaining purchasedOn } } } }", json!({"id": flour["id"]}))
        .await;
    assert_eq!(data["node"]["onHand"], "2508.932797");
    assert_eq!(
        data["node"]["lots"][0]["purchasedOn"], "2026-11-01",
        "FIFO order: oldest first"
    );

    let butter = create_ingredient(&app, json!({"name": "Butter", "unit": "g"})).await;
    let error = app
        .error(RECORD_PURCHASE, json!({"input": {"ingredientId": butter["id"], "quantity": "1", "unit": "cup", "totalCost": "3"}}))
        .await;
    error.expect("BAD_USER_INPUT", "cannot convert cup to g for \"Butter\"");
    let error = app
        .error(RECORD_PURCHASE, json!({"input": {"ingredientId": butter["id"], "quantity": "-1", "unit": "g", "totalCost": "3"}}))
        .await;
    error.expect("BAD_USER_INPUT", "greater than zero");
    let error = app
        .error(RECORD_PURCHASE, json!({"input": {"ingredientId": butter["id"], "quantity": "1", "unit": "each", "totalCost": "3"}}))
        .await;
    error.expect("BAD_USER_INPUT", "cannot convert each (count) to g (mass)");
    let error = app
        .error(
            RECORD_PURCHASE,
            json!({"input": {"ingredientId": butter["id"], "quantity": "1", "totalCost": "-3"}}),
        )
        .await;
    error.expect("BAD_USER_INPUT", "must not be negative");
    let data = app
        .ok("{ ingredients { nodes { name onHand } } }", json!({}))
        .await;
    assert_eq!(
        data["ingredients"]["nodes"][0],
        json!({"name": "Butter", "onHand": "0"}),
        "nothing was written"
    );
});

db_test!(products_keep_one_preferred_and_unique_gtins, |app| {
    let sugar = create_ingredient(&app, json!({"name": "Sugar", "unit": "g"})).await;
    let create = "mutation($input: CreateProductInput!) { createProduct(input: $input) { id brand preferred packageQuantity packageUnit gtin ingredient { name } } }";
    let a = app
        .ok(create, json!({"input": {"ingredientId": sugar["id"], "brand": "Domino", "packageQuantity": "4", "packageUnit": "lb", "preferred": true, "gtin": "4006381333931"}}))
        .await["createProduct"]
        .clone();
    assert_eq!(a["packageQuantity"], "4");
    let b = app
        .ok(create, json!({"input": {"ingredientId": sugar["id"], "brand": "C&H", "packageQuantity": "2", "packageUnit": "kg", "preferred": true}}))
        .await["createProduct"]
        .clone();
    let data = app
        .ok("query($id: ID!) { node(id: $id) { ... on Ingredient { products { brand preferred } } } }", json!({"id": sugar["id"]}))
        .await;
    assert_eq!(
        data["node"]["products"],
        json!([{"brand": "C&H", "preferred": true}, {"brand": "Domino", "preferred": false}])
    );
    let error = app
        .error(create, json!({"input": {"ingredientId": sugar["id"], "packageQuantity": "1", "packageUnit": "kg", "gtin": "4006381333931"}}))
        .await;
    error.expect("CONFLICT", "GTIN");
    let error = app
        .error(create, json!({"input": {"ingredientId": sugar["id"], "packageQuantity": "1", "packageUnit": "kg", "gtin": "4006381333932"}}))
        .await;
    error.expect("BAD_USER_INPUT", "check digit");
    let error = app
        .error(create, json!({"input": {"ingredientId": sugar["id"], "packageQuantity": "1", "packageUnit": "cup"}}))
        .await;
    error.expect("BAD_USER_INPUT", "no density");

    let lot = purchase(&app, json!({"ingredientId": sugar["id"], "productId": b["id"], "quantity": "2", "unit": "kg", "totalCost": "3.50"})).await;
    assert_eq!(lot["product"]["brand"], "C&H");
    let data = app
        .ok(
            "mutation($id: ID!) { deleteProduct(id: $id) { deletedId } }",
            json!({"id": b["id"]}),
        )
        .await;
    assert_eq!(data["deleteProduct"]["deletedId"], b["id"]);
    let data = app.ok("query($id: ID!) { node(id: $id) { ... on InventoryLot { product { id } quantityRemaining } } }", json!({"id": lot["id"]})).await;
    assert_eq!(
        data["node"],
        json!({"product": null, "quantityRemaining": "2000"})
    );
    let _ = a;
});

db_test!(lots_are_adjusted_with_a_kept_record, |app| {
    let eggs = create_ingredient(&app, json!({"name": "Eggs", "unit": "each"})).await;
    let lot = purchase(
        &app,
        json!({"ingredientId": eggs["id"], "quantity": "2", "unit": "dozen", "totalCost": "7.20"}),
    )
    .await;
    assert_eq!(lot["quantityPurchased"], "24");
    assert_eq!(lot["unitCost"], "0.3");
    let adjust = "mutation($input: AdjustInventoryLotInput!) { adjustInventoryLot(input: $input) {
        lot { quantityRemaining adjustments { quantityBefore quantityAfter quantityChange reason } }
        adjustment { reason quantityChange } } }";
    let data = app
        .ok(
            adjust,
            json!({"input": {"lotId": lot["id"], "quantityChange": "-3", "reason": "dropped"}}),
        )
        .await;
    assert_eq!(data["adjustInventoryLot"]["lot"]["quantityRemaining"], "21");
    assert_eq!(
        data["adjustInventoryLot"]["adjustment"],
        json!({"reason": "dropped", "quantityChange": "-3"})
    );
    let data = app
        .ok(
            adjust,
            json!({"input": {"lotId": lot["id"], "quantityRemaining": "20", "reason": "recount"}}),
        )
        .await;
    assert_eq!(
        data["adjustInventoryLot"]["lot"]["adjustments"],
        json!([
            {"quantityBefore": "24", "quantityAfter": "21", "quantityChange": "-3", "reason": "dropped"},
            {"quantityBefore": "21", "quantityAfter": "20", "quantityChange": "-1", "reason": "recount"}
        ])
    );
    let error = app
        .error(
            adjust,
            json!({"input": {"lotId": lot["id"], "quantityChange": "-21", "reason": "x"}}),
        )
        .await;
    error.expect("BAD_USER_INPUT", "below zero");
    let error = app
        .error(
            adjust,
            json!({"input": {"lotId": lot["id"], "quantityChange": "-1", "reason": " "}}),
        )
        .await;
    error.expect("BAD_USER_INPUT", "reason");
    let error = app
        .error(
            adjust,
            json!({"input": {"lotId": lot["id"], "reason": "x"}}),
        )
        .await;
    error.expect("BAD_USER_INPUT", "exactly one");

    // An ingredient with stock cannot be deleted; once empty it can, lots and all.
    let delete = "mutation($id: ID!) { deleteIngredient(id: $id) { deletedId } }";
    let error = app.error(delete, json!({"id": eggs["id"]})).await;
    error.expect("DELETE_RESTRICTED", "1 inventory lots with stock");
    assert_eq!(
        error.extensions["references"],
        json!([{"kind": "inventory lots with stock", "count": 1}])
    );
    app.ok(
        adjust,
        json!({"input": {"lotId": lot["id"], "quantityRemaining": "0", "reason": "used up"}}),
    )
    .await;
    app.ok(delete, json!({"id": eggs["id"]})).await;
    let data = app.ok("{ ingredients { totalCount } }", json!({})).await;
    assert_eq!(data["ingredients"]["totalCount"], 0);
});
