//! How `src/transfer/demo.json` (the data set of `bakeplan demo`) is made: recorded through
//! the GraphQL API like a baker would, then exported. Regenerate it with
//! `cargo test --test it transfer_demo::regenerate -- --ignored` after a format change.

use crate::harness::TestApp;
use serde_json::{json, Value};

async fn create(app: &TestApp, mutation: &str, input: Value) -> Value {
    let field = mutation.to_string();
    let ty = format!("{}{}Input", field[..1].to_uppercase(), &field[1..]);
    let query = format!("mutation($input: {ty}!) {{ {field}(input: $input) {{ id }} }}");
    app.ok(&query, json!({ "input": input })).await[field.as_str()]["id"].clone()
}

async fn run(app: &TestApp, mutation: &str, input: Value) {
    let (ty, pick) = match mutation {
        "recordProduction" => ("RecordProductionInput", "productionRun { id }"),
        "recordAssembly" => ("RecordAssemblyInput", "assemblyRun { id }"),
        "adjustInventoryLot" => ("AdjustInventoryLotInput", "lot { id }"),
        "updateFulfillmentStatus" => ("UpdateFulfillmentStatusInput", "id"),
        "setProductionTarget" | "setAssemblyTarget" => {
            let ty = if mutation == "setProductionTarget" {
                "SetProductionTargetInput"
            } else {
                "SetAssemblyTargetInput"
            };
            (ty, "id")
        }
        other => panic!("unknown mutation {other}"),
    };
    let query = format!("mutation($input: {ty}!) {{ {mutation}(input: $input) {{ {pick} }} }}");
    app.ok(&query, json!({ "input": input })).await;
}

/// Records the demo bakery: one Christmas event, eight recipes (gingerbread uses royal
/// icing), a pantry bought twice at different prices, three finished goods (one nested),
/// three packages, ten recipients in every fulfillment status, targets, and part of the
/// production and assembly done.
pub async fn build(app: &TestApp) {
    let ing = |name: &'static str, category: &'static str, unit: &'static str| json!({"name": name, "category": category, "unit": unit});
    let flour = create(
        app,
        "createIngredient",
        json!({"name": "All-purpose flour", "category": "Baking", "unit": "g",
        "density": {"volume": "1", "volumeUnit": "cup", "weight": "125", "weightUnit": "g"}}),
    )
    .await;
    let sugar = create(
        app,
        "createIngredient",
        ing("Granulated sugar", "Baking", "g"),
    )
    .await;
    let brown = create(app, "createIngredient", ing("Brown sugar", "Baking", "g")).await;
    let butter = create(
        app,
        "createIngredient",
        ing("Unsalted butter", "Dairy", "g"),
    )
    .await;
    let eggs = create(app, "createIngredient", ing("Eggs", "Dairy", "each")).await;
    let molasses = create(app, "createIngredient", ing("Molasses", "Baking", "ml")).await;
    let spice = create(app, "createIngredient", ing("Ground ginger", "Spices", "g")).await;
    let chips = create(
        app,
        "createIngredient",
        ing("Chocolate chips", "Baking", "g"),
    )
    .await;
    let icing_sugar = create(
        app,
        "createIngredient",
        ing("Powdered sugar", "Baking", "g"),
    )
    .await;
    let almonds = create(app, "createIngredient", ing("Sliced almonds", "Nuts", "g")).await;
    let tin = create(
        app,
        "createIngredient",
        json!({"name": "Cookie tin", "category": "Packaging", "unit": "each", "isPackaging": true}),
    )
    .await;
    let bag = create(app, "createIngredient", json!({"name": "Cellophane bag", "category": "Packaging", "unit": "each", "isPackaging": true})).await;
    let ribbon = create(
        app,
        "createIngredient",
        json!({"name": "Red ribbon", "category": "Packaging", "unit": "each", "isPackaging": true}),
    )
    .await;

    let flour_bag = create(app, "createProduct", json!({"ingredientId": flour, "brand": "Mill Valley", "packageQuantity": "5", "packageUnit": "lb", "preferred": true, "supplier": "Corner Grocery"})).await;
    let butter_pack = create(app, "createProduct", json!({"ingredientId": butter, "brand": "Dairy Gold", "packageQuantity": "1", "packageUnit": "lb", "preferred": true})).await;
    // Two purchases of each staple, weeks apart and at different prices: FIFO costs show.
    let buy = |id: &Value,
               product: Option<&Value>,
               quantity: &str,
               unit: &str,
               cost: &str,
               on: &str| {
        json!({"ingredientId": id, "productId": product, "quantity": quantity, "unit": unit, "totalCost": cost, "purchasedOn": on})
    };
    for input in [
        buy(&flour, Some(&flour_bag), "5", "lb", "4.99", "2026-10-24"),
        buy(&flour, Some(&flour_bag), "5", "lb", "5.79", "2026-11-21"),
        buy(&sugar, None, "4", "kg", "6.40", "2026-10-24"),
        buy(&sugar, None, "2", "kg", "3.90", "2026-11-21"),
        buy(&brown, None, "1", "kg", "3.20", "2026-10-31"),
        buy(
            &butter,
            Some(&butter_pack),
            "4",
            "lb",
            "15.96",
            "2026-11-07",
        ),
        buy(
            &butter,
            Some(&butter_pack),
            "4",
            "lb",
            "18.36",
            "2026-11-28",
        ),
        buy(&eggs, None, "3", "dozen", "11.97", "2026-11-14"),
        buy(&eggs, None, "2", "dozen", "9.38", "2026-11-28"),
        buy(&molasses, None, "355", "ml", "4.49", "2026-10-31"),
        buy(&spice, None, "60", "g", "5.25", "2026-10-31"),
        buy(&chips, None, "1.5", "kg", "17.85", "2026-11-14"),
        buy(&icing_sugar, None, "1", "kg", "2.89", "2026-11-14"),
        buy(&almonds, None, "500", "g", "8.75", "2026-11-14"),
        buy(&tin, None, "12", "each", "30.00", "2026-11-07"),
        buy(&bag, None, "50", "each", "6.50", "2026-11-07"),
        buy(&ribbon, None, "20", "each", "5.00", "2026-11-07"),
    ] {
        create(app, "recordPurchase", input).await;
    }

    let line = |id: &Value, quantity: &str, unit: &str| json!({"ingredientId": id, "quantity": quantity, "unit": unit});
    let recipe = |name: &str, lines: Vec<Value>, components: Vec<Value>| {
        json!({"name": name, "category": "Christmas", "yieldQuantity": "24", "yieldUnit": "cookies",
               "ingredients": lines, "components": components})
    };
    let icing = create(app, "createRecipe", json!({"name": "Royal Icing", "category": "Frostings", "yieldQuantity": "2", "yieldUnit": "cups",
        "ingredients": [line(&icing_sugar, "450", "g"), line(&eggs, "2", "each")]})).await;
    let r_sugar = create(
        app,
        "createRecipe",
        recipe(
            "Sugar Cookies",
            vec![
                line(&flour, "2.75", "cup"),
                line(&sugar, "200", "g"),
                line(&butter, "225", "g"),
                line(&eggs, "1", "each"),
            ],
            vec![],
        ),
    )
    .await;
    let r_ginger = create(
        app,
        "createRecipe",
        recipe(
            "Gingerbread Men",
            vec![
                line(&flour, "3", "cup"),
                line(&brown, "150", "g"),
                line(&molasses, "120", "ml"),
                line(&spice, "8", "g"),
                line(&butter, "115", "g"),
                line(&eggs, "1", "each"),
            ],
            vec![json!({"recipeId": icing, "quantity": "0.5", "notes": "for the faces"})],
        ),
    )
    .await;
    let r_chip = create(
        app,
        "createRecipe",
        recipe(
            "Chocolate Chip Cookies",
            vec![
                line(&flour, "2.25", "cup"),
                line(&brown, "150", "g"),
                line(&butter, "225", "g"),
                line(&eggs, "2", "each"),
                line(&chips, "340", "g"),
            ],
            vec![],
        ),
    )
    .await;
    let r_short = create(
        app,
        "createRecipe",
        recipe(
            "Shortbread",
            vec![
                line(&flour, "2", "cup"),
                line(&sugar, "100", "g"),
                line(&butter, "225", "g"),
            ],
            vec![],
        ),
    )
    .await;
    let r_snick = create(
        app,
        "createRecipe",
        recipe(
            "Snickerdoodles",
            vec![
                line(&flour, "2.75", "cup"),
                line(&sugar, "300", "g"),
                line(&butter, "225", "g"),
                line(&eggs, "2", "each"),
            ],
            vec![],
        ),
    )
    .await;
    let r_biscotti = create(
        app,
        "createRecipe",
        recipe(
            "Almond Biscotti",
            vec![
                line(&flour, "2", "cup"),
                line(&sugar, "200", "g"),
                line(&eggs, "3", "each"),
                line(&almonds, "120", "g"),
            ],
            vec![],
        ),
    )
    .await;
    let r_fudge = create(app, "createRecipe", json!({"name": "Chocolate Fudge", "category": "Candy", "yieldQuantity": "1", "yieldUnit": "pan",
        "ingredients": [line(&chips, "340", "g"), line(&sugar, "100", "g"), line(&butter, "30", "g")]})).await;

    let unit = |name: &str, recipe: &Value, per_batch: i64| json!({"name": name, "recipeId": recipe, "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": per_batch, "itemUnit": "cookie"});
    let u_sugar = create(
        app,
        "createFinishedUnit",
        unit("Sugar Cookie", &r_sugar, 24),
    )
    .await;
    let u_ginger = create(
        app,
        "createFinishedUnit",
        unit("Gingerbread Man", &r_ginger, 18),
    )
    .await;
    let u_chip = create(
        app,
        "createFinishedUnit",
        unit("Chocolate Chip Cookie", &r_chip, 30),
    )
    .await;
    let u_short = create(
        app,
        "createFinishedUnit",
        unit("Shortbread Finger", &r_short, 32),
    )
    .await;
    let u_snick = create(
        app,
        "createFinishedUnit",
        unit("Snickerdoodle", &r_snick, 28),
    )
    .await;
    let u_biscotti = create(app, "createFinishedUnit", unit("Biscotti", &r_biscotti, 20)).await;
    let u_fudge = create(app, "createFinishedUnit", json!({"name": "Fudge Square", "recipeId": r_fudge, "yieldMode": "BATCH_PORTION", "batchPercentage": "6.25", "itemUnit": "square"})).await;

    let c = |key: &str, id: &Value, quantity: &str| json!({key: id, "quantity": quantity});
    let g_tin = create(app, "createFinishedGood", json!({"name": "Christmas Cookie Tin", "assemblyType": "GIFT_BOX", "packagingInstructions": "Gingerbread on top, ribbon tied in a bow.",
        "components": [c("finishedUnitId", &u_sugar, "6"), c("finishedUnitId", &u_ginger, "4"), c("finishedUnitId", &u_short, "4"), c("packagingId", &tin, "1"), c("packagingId", &ribbon, "1")]})).await;
    let g_bag = create(app, "createFinishedGood", json!({"name": "Cookie Sampler Bag", "assemblyType": "VARIETY_PACK",
        "components": [c("finishedUnitId", &u_chip, "4"), c("finishedUnitId", &u_snick, "4"), c("finishedUnitId", &u_biscotti, "2"), c("packagingId", &bag, "1")]})).await;
    let g_set = create(app, "createFinishedGood", json!({"name": "Deluxe Holiday Set", "assemblyType": "HOLIDAY_SET", "description": "The tin plus fudge and a sampler bag.",
        "components": [c("finishedGoodId", &g_tin, "1"), c("finishedGoodId", &g_bag, "1"), c("finishedUnitId", &u_fudge, "4"), c("packagingId", &ribbon, "1")]})).await;

    let item = |id: &Value, quantity: i64| json!({"finishedGoodId": id, "quantity": quantity});
    let p_family = create(app, "createPackage", json!({"name": "Family Box", "description": "For the closest family.", "items": [item(&g_set, 1)]})).await;
    let p_neighbour = create(
        app,
        "createPackage",
        json!({"name": "Neighbour Treat", "items": [item(&g_bag, 1)]}),
    )
    .await;
    let p_teacher = create(
        app,
        "createPackage",
        json!({"name": "Teacher Gift", "isTemplate": true, "items": [item(&g_tin, 1)]}),
    )
    .await;

    let event = create(app, "createEvent", json!({"name": "Christmas 2026", "eventDate": "2026-12-24", "notes": "Deliveries on the 23rd and 24th."})).await;
    let people = [
        ("Grandma Rose", Some("The Hendersons"), &p_family),
        ("Uncle Dave", Some("The Hendersons"), &p_family),
        ("Maria Lopez", Some("Lopez family"), &p_family),
        ("Mr. Patel", None, &p_teacher),
        ("Ms. Okafor", None, &p_teacher),
        ("The Nguyens", Some("Nguyen family"), &p_neighbour),
        ("Sam Carter", None, &p_neighbour),
        ("The Fischers", Some("Fischer family"), &p_neighbour),
        ("Coach Miller", None, &p_teacher),
        ("Aunt June", None, &p_family),
    ];
    let mut assignments = Vec::new();
    for (name, household, package) in people {
        let recipient = create(app, "createRecipient", json!({"name": name, "householdName": household, "address": format!("{} Holly Lane", 10 + assignments.len())})).await;
        let assignment = create(
            app,
            "assignPackage",
            json!({"eventId": event, "recipientId": recipient, "packageId": package}),
        )
        .await;
        assignments.push(assignment);
    }

    for (recipe, batches) in [
        (&r_sugar, 3),
        (&r_ginger, 3),
        (&r_chip, 2),
        (&r_short, 2),
        (&r_snick, 2),
        (&r_biscotti, 1),
        (&r_fudge, 2),
    ] {
        run(
            app,
            "setProductionTarget",
            json!({"eventId": event, "recipeId": recipe, "targetBatches": batches}),
        )
        .await;
    }
    for (good, quantity) in [(&g_tin, 8), (&g_bag, 8), (&g_set, 4)] {
        run(
            app,
            "setAssemblyTarget",
            json!({"eventId": event, "finishedGoodId": good, "targetQuantity": quantity}),
        )
        .await;
    }

    let bake = |recipe: &Value,
                unit: &Value,
                batches: i64,
                made: i64,
                at: &str,
                event: Option<&Value>| {
        json!({"recipeId": recipe, "finishedUnitId": unit, "numBatches": batches, "actualYield": made, "producedAt": at, "eventId": event})
    };
    for input in [
        bake(
            &r_sugar,
            &u_sugar,
            2,
            46,
            "2026-12-05T10:30:00Z",
            Some(&event),
        ),
        bake(
            &r_ginger,
            &u_ginger,
            1,
            17,
            "2026-12-06T09:00:00Z",
            Some(&event),
        ),
        bake(
            &r_short,
            &u_short,
            2,
            64,
            "2026-12-06T14:15:00Z",
            Some(&event),
        ),
        bake(
            &r_chip,
            &u_chip,
            2,
            60,
            "2026-12-07T11:00:00Z",
            Some(&event),
        ),
        bake(
            &r_snick,
            &u_snick,
            1,
            28,
            "2026-12-07T15:45:00Z",
            Some(&event),
        ),
        bake(
            &r_biscotti,
            &u_biscotti,
            1,
            20,
            "2026-12-08T10:00:00Z",
            Some(&event),
        ),
        bake(
            &r_fudge,
            &u_fudge,
            1,
            16,
            "2026-12-08T16:30:00Z",
            Some(&event),
        ),
        bake(&r_sugar, &u_sugar, 1, 24, "2026-12-09T08:30:00Z", None),
    ] {
        run(app, "recordProduction", input).await;
    }
    let assemble = |good: &Value, quantity: i64, at: &str| json!({"finishedGoodId": good, "quantity": quantity, "assembledAt": at, "eventId": event});
    run(
        app,
        "recordAssembly",
        assemble(&g_tin, 3, "2026-12-10T10:00:00Z"),
    )
    .await;
    run(
        app,
        "recordAssembly",
        assemble(&g_bag, 4, "2026-12-10T11:00:00Z"),
    )
    .await;
    run(
        app,
        "recordAssembly",
        assemble(&g_set, 1, "2026-12-10T12:00:00Z"),
    )
    .await;

    // The last of the ginger went stale.
    let lots = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Ingredient { lots { id } } } }",
            json!({"id": spice}),
        )
        .await;
    let lot = lots["node"]["lots"][0]["id"].clone();
    run(app, "adjustInventoryLot", json!({"lotId": lot, "quantityChange": "-10", "reason": "stale", "notes": "smelled of nothing"})).await;

    // Every fulfillment status: four pending, three ready, three delivered.
    for (i, assignment) in assignments.iter().enumerate().skip(4) {
        run(
            app,
            "updateFulfillmentStatus",
            json!({"assignmentId": assignment, "status": "READY"}),
        )
        .await;
        if i >= 7 {
            run(app, "updateFulfillmentStatus", json!({"assignmentId": assignment, "status": "DELIVERED", "deliveredTo": if i == 9 { "left with the neighbour" } else { "in person" }})).await;
        }
    }
}

/// Rebuilds `src/transfer/demo.json` from [`build`].
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes src/transfer/demo.json; run by hand after changing the demo or the format"]
async fn regenerate() {
    let app = TestApp::spawn(bakeplan::db::Backend::Sqlite).await;
    build(&app).await;
    let mut document = bakeplan::transfer::export(&app.db).await.expect("export");
    document.exported_at = "2026-12-10T12:00:00Z".into();
    // Status changes are stamped with the time they were made; move them to the demo's
    // December so packages are ready after their cookies were baked.
    for (i, a) in document.assignments.iter_mut().enumerate() {
        if a.ready_at.is_some() {
            a.ready_at = Some(format!("2026-12-11T{:02}:30:00Z", 8 + i));
        }
        if a.delivered_at.is_some() {
            a.delivered_at = Some(format!("2026-12-12T{:02}:15:00Z", 8 + i));
        }
    }
    let text = bakeplan::transfer::to_pretty_json(&document).expect("json");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/transfer/demo.json");
    std::fs::write(path, text).expect("write demo.json");
    app.finish().await;
}
