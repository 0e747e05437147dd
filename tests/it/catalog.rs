//! The catalog end to end, through GraphQL alone: the Christmas bake of the acceptance
//! scenario read back in one nested query (whose SQL statement count does not grow with the
//! data), ingredient changes that would break what depends on them, and absurd numbers.

use crate::db_test;
use crate::fixtures;
use crate::fixtures::{create_ingredient, purchase};
use crate::harness::TestApp;
use serde_json::{json, Value};

/// The whole catalog, from events down to the lots of every ingredient, in one query.
const CATALOG: &str = "{ events(first: 20) { totalCount nodes { name eventDate year
  assignments { quantity fulfillmentStatus recipient { name }
    package { name items { quantity finishedGood { name slug assemblyType
      components { kind quantity
        packaging { name unit isPackaging onHand lots { quantityPurchased quantityRemaining unit unitCost totalCost } }
        finishedUnit { name slug yieldMode itemsPerBatch itemUnit
          recipe { name yieldQuantity yieldUnit
            ingredients { quantity unit notes
              ingredient { name unit densityGramsPerMl
                lots { purchasedOn quantityPurchased quantityRemaining unit unitCost totalCost } } }
            components { quantity
              recipe { name yieldQuantity yieldUnit
                ingredients { quantity unit
                  ingredient { name unit lots { quantityPurchased unitCost totalCost } } } } } } } } } } } } } } }";

/// Ingredients, their purchases, and the recipes, finished unit, gift box and package of
/// a Christmas bake; returns the ids the assertions need.
async fn christmas_catalog(app: &TestApp) -> Value {
    let flour = create_ingredient(
        app,
        json!({"name": "All-Purpose Flour", "category": "Baking", "unit": "g",
               "density": {"volume": "1", "volumeUnit": "cup", "weight": "4.25", "weightUnit": "oz"}}),
    )
    .await;
    let butter = create_ingredient(
        app,
        json!({"name": "Butter", "category": "Dairy", "unit": "g",
               "density": {"volume": "1", "volumeUnit": "tbsp", "weight": "14.2", "weightUnit": "g"}}),
    )
    .await;
    let eggs = create_ingredient(
        app,
        json!({"name": "Eggs", "category": "Dairy", "unit": "each"}),
    )
    .await;
    let sugar = create_ingredient(
        app,
        json!({"name": "Granulated Sugar", "category": "Baking", "unit": "g"}),
    )
    .await;
    let powdered = create_ingredient(
        app,
        json!({"name": "Powdered Sugar", "category": "Baking", "unit": "g"}),
    )
    .await;
    let milk = create_ingredient(
        app,
        json!({"name": "Milk", "category": "Dairy", "unit": "ml"}),
    )
    .await;
    let bags = create_ingredient(
        app,
        json!({"name": "Cellophane Bag", "category": "Packaging", "unit": "each", "isPackaging": true}),
    )
    .await;

    let bought = [
        (&flour, "5", "lb", "4.99"),
        (&butter, "2", "cup", "3.50"),
        (&eggs, "2", "dozen", "6.00"),
        (&sugar, "2", "kg", "2.50"),
        (&powdered, "1", "lb", "1.99"),
        (&milk, "1", "qt", "1.29"),
        (&bags, "50", "each", "5.00"),
    ];
    let mut lots = Vec::new();
    for (ingredient, quantity, unit, cost) in bought {
        lots.push(
            purchase(
                app,
                json!({"ingredientId": ingredient["id"], "quantity": quantity, "unit": unit,
                       "totalCost": cost, "purchasedOn": "2026-12-01", "location": "Pantry"}),
            )
            .await,
        );
    }

    let icing = fixtures::recipe_with(
        app,
        json!({"name": "Royal Icing", "category": "Toppings", "yieldQuantity": "1", "yieldUnit": "cup",
               "ingredients": [
                   {"ingredientId": powdered["id"], "quantity": "250", "unit": "g"},
                   {"ingredientId": milk["id"], "quantity": "2", "unit": "tbsp"}]}),
    )
    .await;
    let cookies = fixtures::recipe_with(
        app,
        json!({"name": "Sugar Cookies", "category": "Cookies", "yieldQuantity": "24", "yieldUnit": "cookies",
               "ingredients": [
                   {"ingredientId": flour["id"], "quantity": "2.5", "unit": "cup", "notes": "sifted"},
                   {"ingredientId": butter["id"], "quantity": "1", "unit": "cup", "notes": "softened"},
                   {"ingredientId": eggs["id"], "quantity": "1", "unit": "each"},
                   {"ingredientId": sugar["id"], "quantity": "200", "unit": "g"}],
               "components": [{"recipeId": icing["id"], "quantity": "0.5"}]}),
    )
    .await;
    let cookie = fixtures::finished_unit(app, &cookies["id"], "Iced Sugar Cookie", 24).await;
    let gift_box = fixtures::gift_box(
        app,
        "Cookie Gift Box",
        json!([{"finishedUnitId": cookie["id"], "quantity": "6"},
               {"packagingId": bags["id"], "quantity": "1"}]),
    )
    .await;
    let package = fixtures::package(
        app,
        "Neighbour Package",
        json!([{"finishedGoodId": gift_box["id"], "quantity": 2}]),
    )
    .await;
    json!({"flour": flour["id"], "butter": butter["id"], "bags": bags["id"], "flour_lot": lots[0]["id"],
           "icing": icing["id"], "cookies": cookies["id"], "cookie": cookie["id"],
           "gift_box": gift_box["id"], "package": package["id"]})
}

/// An event and new recipients, recipient `i` (from 0) assigned `i + 1` of `package`.
async fn event_with_recipients(
    app: &TestApp,
    name: &str,
    date: &str,
    recipients: &[&str],
    package: &Value,
) -> (Value, Vec<Value>) {
    let event = fixtures::event(app, name, date).await;
    let mut assignments = Vec::new();
    for (i, who) in recipients.iter().enumerate() {
        let recipient = fixtures::recipient(app, who).await;
        assignments.push(
            fixtures::assign(
                app,
                json!({"eventId": event["id"], "recipientId": recipient["id"], "packageId": package,
                       "quantity": i + 1}),
            )
            .await,
        );
    }
    (event, assignments)
}

/// Runs the nested catalog query and returns its data and how many SQL statements it took.
async fn catalog_query(app: &TestApp) -> (Value, u64) {
    let before = app.statements();
    let data = app.ok(CATALOG, json!({})).await;
    (data, app.statements() - before)
}

db_test!(
    christmas_bake_is_built_and_read_back_through_graphql_alone,
    |app| {
        let c = christmas_catalog(&app).await;
        let (christmas, assignments) = event_with_recipients(
            &app,
            "Christmas 2026",
            "2026-12-24",
            &["Ann", "Ben", "Cleo"],
            &c["package"],
        )
        .await;

        // One query, from the events down to the lots of every ingredient.
        let (data, statements) = catalog_query(&app).await;
        let lot = |on: &str, quantity: &str, unit: &str, unit_cost: &str, total: &str| {
            json!({"purchasedOn": on, "quantityPurchased": quantity, "quantityRemaining": quantity,
               "unit": unit, "unitCost": unit_cost, "totalCost": total})
        };
        let icing = json!({"name": "Royal Icing", "yieldQuantity": "1", "yieldUnit": "cup", "ingredients": [
        {"quantity": "250", "unit": "g", "ingredient": {"name": "Powdered Sugar", "unit": "g",
            "lots": [{"quantityPurchased": "453.59237", "unitCost": "0.004387199", "totalCost": "1.99"}]}},
        {"quantity": "2", "unit": "tbsp", "ingredient": {"name": "Milk", "unit": "ml",
            "lots": [{"quantityPurchased": "946.352946", "unitCost": "0.0013631278", "totalCost": "1.29"}]}}]});
        let cookies = json!({"name": "Sugar Cookies", "yieldQuantity": "24", "yieldUnit": "cookies",
        "ingredients": [
            {"quantity": "2.5", "unit": "cup", "notes": "sifted", "ingredient": {
                "name": "All-Purpose Flour", "unit": "g", "densityGramsPerMl": "0.5092623161",
                "lots": [lot("2026-12-01", "2267.96185", "g", "0.0022002134", "4.99")]}},
            {"quantity": "1", "unit": "cup", "notes": "softened", "ingredient": {
                "name": "Butter", "unit": "g", "densityGramsPerMl": "0.9603182447",
                "lots": [lot("2026-12-01", "454.4", "g", "0.0077024648", "3.5")]}},
            {"quantity": "1", "unit": "each", "notes": null, "ingredient": {
                "name": "Eggs", "unit": "each", "densityGramsPerMl": null,
                "lots": [lot("2026-12-01", "24", "each", "0.25", "6")]}},
            {"quantity": "200", "unit": "g", "notes": null, "ingredient": {
                "name": "Granulated Sugar", "unit": "g", "densityGramsPerMl": null,
                "lots": [lot("2026-12-01", "2000", "g", "0.00125", "2.5")]}}],
        "components": [{"quantity": "0.5", "recipe": icing}]});
        let package = json!({"name": "Neighbour Package", "items": [{"quantity": 2, "finishedGood": {
        "name": "Cookie Gift Box", "slug": "cookie-gift-box", "assemblyType": "GIFT_BOX", "components": [
            {"kind": "FINISHED_UNIT", "quantity": "6", "packaging": null, "finishedUnit": {
                "name": "Iced Sugar Cookie", "slug": "iced-sugar-cookie", "yieldMode": "DISCRETE_COUNT",
                "itemsPerBatch": 24, "itemUnit": "cookie", "recipe": cookies}},
            {"kind": "PACKAGING", "quantity": "1", "finishedUnit": null, "packaging": {
                "name": "Cellophane Bag", "unit": "each", "isPackaging": true, "onHand": "50",
                "lots": [{"quantityPurchased": "50", "quantityRemaining": "50", "unit": "each",
                          "unitCost": "0.1", "totalCost": "5"}]}}]}}]});
        let assignment = |who: &str, quantity: i64| {
            json!({"quantity": quantity, "fulfillmentStatus": "PENDING", "recipient": {"name": who},
               "package": package})
        };
        assert_eq!(
            data,
            json!({"events": {"totalCount": 1, "nodes": [{"name": "Christmas 2026", "eventDate": "2026-12-24",
            "year": 2026, "assignments": [assignment("Ann", 1), assignment("Ben", 2), assignment("Cleo", 3)]}]}})
        );

        // Single objects by global id, of every kind built above.
        let data = app
        .ok(
            "query($event: ID!, $lot: ID!, $cookie: ID!, $box: ID!) {
               event: node(id: $event) { __typename ... on Event { name year assignments { recipient { name } } } }
               lot: node(id: $lot) { __typename ... on InventoryLot { quantityRemaining unit ingredient { name } } }
               cookie: node(id: $cookie) { __typename ... on FinishedUnit { name recipe { name components { recipe { name } } } } }
               box: node(id: $box) { __typename ... on FinishedGood { name components { kind quantity } } } }",
            json!({"event": christmas["id"], "lot": c["flour_lot"], "cookie": c["cookie"], "box": c["gift_box"]}),
        )
        .await;
        assert_eq!(
            data,
            json!({
                "event": {"__typename": "Event", "name": "Christmas 2026", "year": 2026,
                          "assignments": [{"recipient": {"name": "Ann"}}, {"recipient": {"name": "Ben"}}, {"recipient": {"name": "Cleo"}}]},
                "lot": {"__typename": "InventoryLot", "quantityRemaining": "2267.96185", "unit": "g",
                        "ingredient": {"name": "All-Purpose Flour"}},
                "cookie": {"__typename": "FinishedUnit", "name": "Iced Sugar Cookie",
                           "recipe": {"name": "Sugar Cookies", "components": [{"recipe": {"name": "Royal Icing"}}]}},
                "box": {"__typename": "FinishedGood", "name": "Cookie Gift Box",
                        "components": [{"kind": "FINISHED_UNIT", "quantity": "6"}, {"kind": "PACKAGING", "quantity": "1"}]}
            })
        );
        let ids = json!([
            c["package"],
            c["cookies"],
            c["flour"],
            assignments[2]["id"],
            c["icing"]
        ]);
        let data = app
            .ok(
                "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
               ... on Package { name } ... on Recipe { name } ... on Ingredient { name unit }
               ... on EventRecipientPackage { quantity recipient { name } event { name } } } }",
                json!({ "ids": ids }),
            )
            .await;
        assert_eq!(
            data["nodes"],
            json!([
                {"__typename": "Package", "id": c["package"], "name": "Neighbour Package"},
                {"__typename": "Recipe", "id": c["cookies"], "name": "Sugar Cookies"},
                {"__typename": "Ingredient", "id": c["flour"], "name": "All-Purpose Flour", "unit": "g"},
                {"__typename": "EventRecipientPackage", "id": assignments[2]["id"], "quantity": 3,
                 "recipient": {"name": "Cleo"}, "event": {"name": "Christmas 2026"}},
                {"__typename": "Recipe", "id": c["icing"], "name": "Royal Icing"}
            ])
        );

        // Three times the events and recipients, with a second package of a second gift box,
        // finished unit and recipe: the same query costs the same number of statements.
        let molasses = create_ingredient(&app, json!({"name": "Molasses", "unit": "ml"})).await;
        purchase(
        &app,
        json!({"ingredientId": molasses["id"], "quantity": "12", "unit": "fl oz", "totalCost": "4.49",
               "purchasedOn": "2026-12-02"}),
    )
    .await;
        let gingerbread = fixtures::recipe_with(
            &app,
            json!({"name": "Gingerbread", "yieldQuantity": "12", "yieldUnit": "cookies",
               "ingredients": [
                   {"ingredientId": c["flour"], "quantity": "3", "unit": "cup"},
                   {"ingredientId": molasses["id"], "quantity": "0.5", "unit": "cup"}],
               "components": [{"recipeId": c["icing"], "quantity": "1"}]}),
        )
        .await;
        let man = fixtures::finished_unit(&app, &gingerbread["id"], "Gingerbread Man", 12).await;
        let tin = fixtures::gift_box(
            &app,
            "Gingerbread Tin",
            json!([{"finishedUnitId": man["id"], "quantity": "4"},
               {"packagingId": c["bags"], "quantity": "2"}]),
        )
        .await;
        let teacher = fixtures::package(
            &app,
            "Teacher Package",
            json!([{"finishedGoodId": tin["id"], "quantity": 1},
               {"finishedGoodId": c["gift_box"], "quantity": 1}]),
        )
        .await;
        event_with_recipients(
            &app,
            "New Year 2027",
            "2026-12-31",
            &["Dan", "Eve", "Finn"],
            &teacher["id"],
        )
        .await;
        event_with_recipients(
            &app,
            "Bake Sale",
            "2026-12-10",
            &["Gus", "Hana", "Ivy"],
            &c["package"],
        )
        .await;
        let (data, more_statements) = catalog_query(&app).await;
        let events = data["events"]["nodes"].as_array().unwrap();
        assert_eq!(data["events"]["totalCount"], 3);
        assert_eq!(
            events.iter().map(|e| e["name"].clone()).collect::<Vec<_>>(),
            vec!["Bake Sale", "Christmas 2026", "New Year 2027"],
            "events by date"
        );
        assert_eq!(
            events
                .iter()
                .map(|e| e["assignments"].as_array().unwrap().len())
                .sum::<usize>(),
            9
        );
        assert_eq!(events[1]["assignments"][0], assignment("Ann", 1));
        assert_eq!(
            events[2]["assignments"][2]["package"]["items"][0]["finishedGood"]["components"][0]
                ["finishedUnit"]["recipe"]["ingredients"][1],
            json!({"quantity": "0.5", "unit": "cup", "notes": null, "ingredient": {
            "name": "Molasses", "unit": "ml", "densityGramsPerMl": null,
            "lots": [lot("2026-12-02", "354.882355", "ml", "0.0126520802", "4.49")]}})
        );
        assert_eq!(
        more_statements, statements,
        "the nested query batches every relation: {statements} statements for 1 event and 3 recipients, {more_statements} for 3 events and 9"
    );
    }
);

/// Ingredients with everything that depends on them, as the API shows it, and raw counts.
async fn pantry_state(app: &TestApp) -> Value {
    let mut data = app
        .ok(
            "{ ingredients(first: 100) { nodes { id name unit updatedAt densityGramsPerMl
                 density { volume volumeUnit weight weightUnit }
                 products { brand packageQuantity packageUnit } lots(includeEmpty: true) { quantityPurchased unit } } }
               recipes(first: 100) { nodes { name updatedAt ingredients { quantity unit ingredient { name } } } }
               finishedGoods(first: 100) { nodes { name updatedAt components { kind quantity packaging { name } } } } }",
            json!({}),
        )
        .await;
    data["rows"] = json!([
        fixtures::count(app, "ingredients").await,
        fixtures::count(app, "products").await,
        fixtures::count(app, "inventory_lots").await,
        fixtures::count(app, "recipe_ingredients").await,
        fixtures::count(app, "finished_good_components").await,
    ]);
    data
}

const UPDATE_INGREDIENT: &str = "mutation($input: UpdateIngredientInput!) {
  updateIngredient(input: $input) { name unit densityGramsPerMl density { volume volumeUnit weight weightUnit } } }";
const CREATE_PRODUCT: &str =
    "mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }";

db_test!(
    unit_changes_are_refused_while_anything_depends_on_the_unit,
    |app| {
        let flour = create_ingredient(
        &app,
        json!({"name": "Flour", "unit": "g", "density": {"volume": "1", "volumeUnit": "cup", "weight": "4.25", "weightUnit": "oz"}}),
    )
    .await;
        let bag = create_ingredient(
            &app,
            json!({"name": "Cellophane Bag", "unit": "each", "isPackaging": true}),
        )
        .await;
        let change = |id: &Value, unit: &str| json!({"input": {"id": id, "unit": unit}});

        // Nothing depends on it yet: the unit may change, and change back.
        let data = app.ok(UPDATE_INGREDIENT, change(&flour["id"], "KG")).await;
        assert_eq!(data["updateIngredient"]["unit"], "kg");
        app.ok(UPDATE_INGREDIENT, change(&flour["id"], "g")).await;

        // In one document: read an ingredient through a relation, free it, change its unit and
        // buy some; the new lot reports the new unit, not the one read earlier in the document.
        let rye = create_ingredient(&app, json!({"name": "Rye", "unit": "g"})).await;
        let product = app
        .ok(
            CREATE_PRODUCT,
            json!({"input": {"ingredientId": rye["id"], "packageQuantity": "1", "packageUnit": "kg"}}),
        )
        .await["createProduct"]["id"]
        .clone();
        let data = app
        .ok(
            "mutation($rye: ID!, $product: ID!) {
               seen: updateProduct(input: {id: $product, brand: \"Bulk\"}) { ingredient { unit } }
               gone: deleteProduct(id: $product) { deletedId }
               change: updateIngredient(input: {id: $rye, unit: \"kg\"}) { unit }
               buy: recordPurchase(input: {ingredientId: $rye, quantity: \"1\", unit: \"kg\", totalCost: \"1\", purchasedOn: \"2026-12-01\"}) {
                 unit quantityPurchased ingredient { unit } }
             }",
            json!({"rye": rye["id"], "product": product}),
        )
        .await;
        assert_eq!(data["seen"]["ingredient"]["unit"], "g");
        assert_eq!(data["change"]["unit"], "kg");
        assert_eq!(
            data["buy"],
            json!({"unit": "kg", "quantityPurchased": "1", "ingredient": {"unit": "kg"}})
        );

        // Each kind of dependent blocks it, and the message counts every kind present.
        app.ok(
        CREATE_PRODUCT,
        json!({"input": {"ingredientId": flour["id"], "brand": "King Arthur", "packageQuantity": "5", "packageUnit": "lb"}}),
    )
    .await;
        let before = pantry_state(&app).await;
        app.error(UPDATE_INGREDIENT, change(&flour["id"], "kg"))
            .await
            .expect(
                "BAD_USER_INPUT",
                "cannot change the unit of \"Flour\" from g to kg: 1 products depend on g",
            );
        assert_eq!(pantry_state(&app).await, before, "nothing changed");

        fixtures::recipe_with(
            &app,
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "tray",
               "ingredients": [{"ingredientId": flour["id"], "quantity": "2", "unit": "cup"}]}),
        )
        .await;
        purchase(
        &app,
        json!({"ingredientId": flour["id"], "quantity": "5", "unit": "lb", "totalCost": "4.99", "purchasedOn": "2026-12-01"}),
    )
    .await;
        let before = pantry_state(&app).await;
        app.error(UPDATE_INGREDIENT, change(&flour["id"], "cup"))
        .await
        .expect(
            "BAD_USER_INPUT",
            "cannot change the unit of \"Flour\" from g to cup: 1 inventory lots, 1 recipe lines, 1 products depend on g; remove them first, or create a new ingredient in cup",
        );
        // A refused unit change refuses the whole update: the name stays too.
        app.error(
            UPDATE_INGREDIENT,
            json!({"input": {"id": flour["id"], "unit": "oz", "name": "Bread Flour"}}),
        )
        .await
        .expect(
            "BAD_USER_INPUT",
            "1 inventory lots, 1 recipe lines, 1 products",
        );
        assert_eq!(pantry_state(&app).await, before, "nothing changed");
        // The same unit, however spelled, is no change at all.
        let data = app.ok(UPDATE_INGREDIENT, change(&flour["id"], " G ")).await;
        assert_eq!(data["updateIngredient"]["unit"], "g");

        // Packaging in a finished good counts its quantity in the bag's unit.
        let cookie = fixtures::baked_item(&app, "Sugar Cookie").await;
        fixtures::gift_box(
        &app,
        "Cookie Box",
        json!([{"finishedUnitId": cookie["id"], "quantity": "6"}, {"packagingId": bag["id"], "quantity": "1"}]),
    )
    .await;
        let before = pantry_state(&app).await;
        app.error(UPDATE_INGREDIENT, change(&bag["id"], "dozen"))
        .await
        .expect(
            "BAD_USER_INPUT",
            "cannot change the unit of \"Cellophane Bag\" from each to dozen: 1 finished-good packaging components depend on each",
        );
        assert_eq!(pantry_state(&app).await, before, "nothing changed");
    }
);

db_test!(
    density_changes_are_refused_when_a_use_would_stop_converting,
    |app| {
        let density = |volume: &str, unit: &str, weight: &str, weight_unit: &str| json!({"volume": volume, "volumeUnit": unit, "weight": weight, "weightUnit": weight_unit});
        let flour = create_ingredient(
            &app,
            json!({"name": "Flour", "unit": "g", "density": density("1", "cup", "4.25", "oz")}),
        )
        .await;
        let butter = create_ingredient(
            &app,
            json!({"name": "Butter", "unit": "g", "density": density("1", "tbsp", "14.2", "g")}),
        )
        .await;
        let sugar = create_ingredient(
            &app,
            json!({"name": "Sugar", "unit": "g", "density": density("1", "cup", "200", "g")}),
        )
        .await;
        // Flour is used by weight in one recipe and by volume in another (listed second by name).
        fixtures::recipe_with(
            &app,
            json!({"name": "Bread", "yieldQuantity": "1", "yieldUnit": "loaf",
               "ingredients": [{"ingredientId": flour["id"], "quantity": "500", "unit": "g"},
                               {"ingredientId": sugar["id"], "quantity": "10", "unit": "g"}]}),
        )
        .await;
        fixtures::recipe_with(
            &app,
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "tray",
               "ingredients": [{"ingredientId": flour["id"], "quantity": "2", "unit": "cup"},
                               {"ingredientId": butter["id"], "quantity": "200", "unit": "g"}]}),
        )
        .await;
        // Butter is sold by volume.
        app.ok(
        CREATE_PRODUCT,
        json!({"input": {"ingredientId": butter["id"], "brand": "Stick", "packageQuantity": "0.5", "packageUnit": "cup"}}),
    )
    .await;
        purchase(
        &app,
        json!({"ingredientId": butter["id"], "quantity": "1", "unit": "cup", "totalCost": "2", "purchasedOn": "2026-12-01"}),
    )
    .await;

        let before = pantry_state(&app).await;
        let clear = |id: &Value| json!({"input": {"id": id, "density": null}});
        app.error(UPDATE_INGREDIENT, clear(&flour["id"]))
        .await
        .expect(
            "BAD_USER_INPUT",
            "cannot clear the density of \"Flour\": recipe \"Shortbread\" uses 2 cup of it, which would no longer convert to g",
        );
        app.error(UPDATE_INGREDIENT, clear(&butter["id"]))
        .await
        .expect(
            "BAD_USER_INPUT",
            "cannot clear the density of \"Butter\": product \"Stick\" uses 0.5 cup of it, which would no longer convert to g",
        );
        // Together with other changes, nothing of the update is kept.
        app.error(
        UPDATE_INGREDIENT,
        json!({"input": {"id": flour["id"], "density": null, "name": "Plain Flour", "notes": "x"}}),
    )
    .await
    .expect("BAD_USER_INPUT", "recipe \"Shortbread\"");
        assert_eq!(pantry_state(&app).await, before, "nothing changed");

        // A new density keeps every use convertible; clearing one nobody measures by volume is fine.
        let data = app
            .ok(
                UPDATE_INGREDIENT,
                json!({"input": {"id": flour["id"], "density": density("1", "cup", "125", "g")}}),
            )
            .await;
        assert_eq!(
            data["updateIngredient"]["densityGramsPerMl"],
            "0.5283441047"
        );
        let data = app.ok(UPDATE_INGREDIENT, clear(&sugar["id"])).await;
        assert_eq!(data["updateIngredient"]["density"], Value::Null);

        // A density so extreme that a recipe's quantity would overflow the conversion is refused
        // like a missing one, naming the recipe.
        let bulk = create_ingredient(
        &app,
        json!({"name": "Bulk Flour", "unit": "g", "density": density("1", "cup", "4.25", "oz")}),
    )
    .await;
        fixtures::recipe_with(
        &app,
        json!({"name": "Silo", "yieldQuantity": "1", "yieldUnit": "silo",
               "ingredients": [{"ingredientId": bulk["id"], "quantity": "9000000000000", "unit": "cup"}]}),
    )
    .await;
        let before = pantry_state(&app).await;
        app.error(
        UPDATE_INGREDIENT,
        json!({"input": {"id": bulk["id"], "density": density("1", "ml", "9000000000000", "lb")}}),
    )
    .await
    .expect(
        "BAD_USER_INPUT",
        "cannot change the density of \"Bulk Flour\": recipe \"Silo\" uses 9000000000000 cup of it, which would no longer convert to g (9000000000000 cup of \"Bulk Flour\" is too large to convert to g",
    );
        assert_eq!(pantry_state(&app).await, before, "nothing changed");
    }
);

db_test!(absurd_quantities_are_bad_input_not_server_errors, |app| {
    let flour = create_ingredient(
        &app,
        json!({"name": "Flour", "unit": "g", "density": {"volume": "1", "volumeUnit": "cup", "weight": "4.25", "weightUnit": "oz"}}),
    )
    .await;
    let milk = create_ingredient(
        &app,
        json!({"name": "Milk", "unit": "cup", "density": {"volume": "1", "volumeUnit": "cup", "weight": "240", "weightUnit": "g"}}),
    )
    .await;
    let before = pantry_state(&app).await;
    let buy = |ingredient: &Value, quantity: &str, unit: &str, cost: &str| {
        json!({"input": {"ingredientId": ingredient, "quantity": quantity, "unit": unit,
                         "totalCost": cost, "purchasedOn": "2026-12-01"}})
    };
    const RECORD: &str =
        "mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { id } }";
    // The largest decimal, in kg: converting to grams overflows.
    app.error(
        RECORD,
        buy(&flour["id"], "79228162514264337593543950335", "kg", "1"),
    )
    .await
    .expect(
        "BAD_USER_INPUT",
        "79228162514264337593543950335 kg of \"Flour\" is too large to convert to g",
    );
    // 10^20 kg converts (through the density) but cannot be stored.
    app.error(RECORD, buy(&milk["id"], "100000000000000000000", "kg", "1"))
        .await
        .expect("BAD_USER_INPUT", "too large to be stored");
    // Absurd costs, and literals beyond any decimal, are refused the same way.
    app.error(
        RECORD,
        buy(&flour["id"], "1", "g", "79228162514264337593543950335"),
    )
    .await
    .expect("BAD_USER_INPUT", "too large");
    app.error(RECORD, buy(&flour["id"], "1e40", "g", "1"))
        .await
        .expect("BAD_USER_INPUT", "\"1e40\" is out of range");
    let error = app
        .error(
            "mutation { recordPurchase(input: {ingredientId: \"x\", quantity: 1e400, unit: \"g\", totalCost: \"1\", purchasedOn: \"2026-12-01\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error.code, "BAD_USER_INPUT", "{error:?}");

    const CREATE_RECIPE: &str =
        "mutation($input: CreateRecipeInput!) { createRecipe(input: $input) { id } }";
    let recipe = |quantity: &str, unit: &str, yield_quantity: &str| {
        json!({"input": {"name": "Absurd", "yieldQuantity": yield_quantity, "yieldUnit": "batch",
                         "ingredients": [{"ingredientId": flour["id"], "quantity": quantity, "unit": unit}]}})
    };
    app.error(
        CREATE_RECIPE,
        recipe("79228162514264337593543950335", "gal", "1"),
    )
    .await
    .expect("BAD_USER_INPUT", "too large");
    app.error(
        CREATE_RECIPE,
        recipe("1", "cup", "79228162514264337593543950335"),
    )
    .await
    .expect("BAD_USER_INPUT", "too large");
    app.error(
        CREATE_RECIPE,
        recipe("-79228162514264337593543950335", "lb", "1"),
    )
    .await
    .expect("BAD_USER_INPUT", "");
    assert_eq!(pantry_state(&app).await, before, "nothing was written");

    // A recipe within range, aggregated for an absurd number of batches.
    let shortbread = fixtures::recipe_with(
        &app,
        json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "tray",
               "ingredients": [{"ingredientId": flour["id"], "quantity": "9000000000000", "unit": "gal"}]}),
    )
    .await;
    let error = app
        .error(
            "query($id: ID!) { node(id: $id) { ... on Recipe { aggregatedIngredients(batches: \"79228162514264337593543950335\") { quantity } } } }",
            json!({"id": shortbread["id"]}),
        )
        .await;
    assert_eq!(error.code, "BAD_USER_INPUT", "{error:?}");
});

db_test!(concurrent_ingredient_updates_keep_both_changes, |app| {
    let flour = create_ingredient(&app, json!({"name": "Flour", "unit": "g"})).await;
    for round in 0..8 {
        let (notes, category) = futures::future::join(
            app.graphql(
                UPDATE_INGREDIENT,
                json!({"input": {"id": flour["id"], "notes": format!("note {round}")}}),
            ),
            app.graphql(
                UPDATE_INGREDIENT,
                json!({"input": {"id": flour["id"], "category": format!("shelf {round}")}}),
            ),
        )
        .await;
        assert!(notes.get("errors").is_none(), "{notes:#}");
        assert!(category.get("errors").is_none(), "{category:#}");
        let data = app
            .ok(
                "query($id: ID!) { node(id: $id) { ... on Ingredient { notes category } } }",
                json!({"id": flour["id"]}),
            )
            .await;
        assert_eq!(
            data["node"],
            json!({"notes": format!("note {round}"), "category": format!("shelf {round}")}),
            "neither update overwrote the other"
        );
    }
});
