//! Every write path raises the data version (issue #10). The response cache answers a read
//! from memory for as long as the version has not moved, so a write that forgot to raise it
//! would leave stale answers behind. This file proves, on both backends:
//!
//! - that each mutation field of the served schema, called once successfully in one walk
//!   through the whole API, leaves the version strictly higher than it found it; the walk
//!   is checked against introspection, so a mutation added without a step here fails;
//! - that the commands writing outside the GraphQL API (`bench-data`, `import` in both
//!   modes, `demo`, `token create|revoke`), run as the built binary, raise it too, while
//!   `export`, which only reads, leaves it alone.

use crate::fixtures::{create_ingredient, purchase};
use crate::fixtures::{RECORD_ASSEMBLY, RECORD_PRODUCTION};
use crate::harness::{bakeplan, text, TestApp};
use crate::{db_test, fixtures};
use bakeplan::store::data_version;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::future::Future;

/// The data version as the database holds it now.
async fn version(app: &TestApp) -> i64 {
    data_version::current(&app.db)
        .await
        .expect("the data version is readable")
}

/// The names of the mutation fields of the served schema, by introspection.
async fn mutation_fields(app: &TestApp) -> BTreeSet<String> {
    let data = app
        .ok(
            "{ __schema { mutationType { fields { name } } } }",
            json!({}),
        )
        .await;
    data["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no mutation fields in {data}"))
        .iter()
        .map(|field| field["name"].as_str().expect("a field name").to_string())
        .collect()
}

/// A walk through the mutations: each step runs one mutation and must raise the data
/// version; the names of the mutations run are kept, to compare with the schema at the end.
struct Walk<'a> {
    app: &'a TestApp,
    called: BTreeSet<&'static str>,
}

impl<'a> Walk<'a> {
    fn new(app: &'a TestApp) -> Self {
        Walk {
            app,
            called: BTreeSet::new(),
        }
    }

    /// Awaits `operation`, which runs the mutation `mutation` once and asserts it had no
    /// errors (a fixture builder, or [`TestApp::ok`]), and asserts the data version read
    /// after it is higher than the one read before it.
    async fn raises<T>(&mut self, mutation: &'static str, operation: impl Future<Output = T>) -> T {
        let before = version(self.app).await;
        let outcome = operation.await;
        let after = version(self.app).await;
        assert!(
            after > before,
            "{mutation} did not raise the data version on {:?} (before {before}, after {after})",
            self.app.backend
        );
        self.called.insert(mutation);
        outcome
    }

    /// Runs `document`, whose one root field is `mutation`, with `variables`: it must
    /// succeed and raise the data version. Returns that field's value.
    async fn run(&mut self, mutation: &'static str, document: &str, variables: Value) -> Value {
        let app = self.app;
        let data = self.raises(mutation, app.ok(document, variables)).await;
        match data.get(mutation) {
            Some(value) => value.clone(),
            None => panic!("the document of step {mutation} answered another field: {data}"),
        }
    }
}

/// `{ deletedId }` of a `DeletePayload`, for the deletions by id.
fn delete_document(mutation: &str) -> String {
    format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ deletedId }} }}")
}

db_test!(
    every_mutation_of_the_schema_raises_the_data_version,
    |app| {
        let mut walk = Walk::new(&app);

        // The pantry: an ingredient bought as a product, a packaging, one more to delete.
        let flour = walk
            .raises(
                "createIngredient",
                create_ingredient(
                    &app,
                    json!({"name": "Oat Flour", "category": "Flour", "unit": "g"}),
                ),
            )
            .await["id"]
            .clone();
        let paper_box = walk
            .raises(
                "createIngredient",
                create_ingredient(
                    &app,
                    json!({"name": "Paper Box", "unit": "each", "isPackaging": true}),
                ),
            )
            .await["id"]
            .clone();
        let honey = walk
            .raises(
                "createIngredient",
                create_ingredient(&app, json!({"name": "Heather Honey", "unit": "g"})),
            )
            .await["id"]
            .clone();
        let product = walk
        .run(
            "createProduct",
            "mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }",
            json!({"input": {"ingredientId": flour, "brand": "Hill Mill", "packageQuantity": "1",
                             "packageUnit": "kg"}}),
        )
        .await["id"]
        .clone();
        let lot = walk
        .raises(
            "recordPurchase",
            purchase(
                &app,
                json!({"ingredientId": flour, "productId": product, "quantity": "5", "unit": "kg",
                       "totalCost": "12.50", "purchasedOn": "2026-11-01"}),
            ),
        )
        .await["id"]
        .clone();
        walk.raises(
            "recordPurchase",
            purchase(
                &app,
                json!({"ingredientId": paper_box, "quantity": "10", "totalCost": "5.00",
                   "purchasedOn": "2026-11-01"}),
            ),
        )
        .await;
        walk.run(
            "adjustInventoryLot",
            "mutation($input: AdjustInventoryLotInput!) { adjustInventoryLot(input: $input) {
           adjustment { quantityBefore quantityAfter } } }",
            json!({"input": {"lotId": lot, "quantityChange": "-100", "reason": "spilled"}}),
        )
        .await;

        // The catalog: a recipe with its finished unit and a gift box of it, each with a spare
        // twin that nothing references, to delete at the end.
        let recipe = walk
            .raises(
                "createRecipe",
                fixtures::recipe_with(
                    &app,
                    json!({"name": "Oat Biscuits", "yieldQuantity": "24", "yieldUnit": "biscuits",
                       "ingredients": [{"ingredientId": flour, "quantity": "250", "unit": "g"}]}),
                ),
            )
            .await["id"]
            .clone();
        let spare_recipe = walk
            .raises("createRecipe", fixtures::recipe(&app, "Spare Crumble"))
            .await["id"]
            .clone();
        let biscuit = walk
            .raises(
                "createFinishedUnit",
                fixtures::finished_unit(&app, &recipe, "Oat Biscuit", 24),
            )
            .await["id"]
            .clone();
        let spare_unit = walk
            .raises(
                "createFinishedUnit",
                fixtures::finished_unit(&app, &spare_recipe, "Spare Crumb", 12),
            )
            .await["id"]
            .clone();
        let biscuit_box = walk
            .raises(
                "createFinishedGood",
                fixtures::gift_box(
                    &app,
                    "Biscuit Box",
                    json!([{"finishedUnitId": biscuit, "quantity": "6"},
                       {"packagingId": paper_box, "quantity": "1"}]),
                ),
            )
            .await["id"]
            .clone();
        let spare_good = walk
            .raises(
                "createFinishedGood",
                fixtures::gift_box(&app, "Spare Box", json!([])),
            )
            .await["id"]
            .clone();
        let hamper = walk
            .raises(
                "createPackage",
                fixtures::package(
                    &app,
                    "Oat Hamper",
                    json!([{"finishedGoodId": biscuit_box, "quantity": 1}]),
                ),
            )
            .await["id"]
            .clone();
        let spare_hamper = walk
            .raises(
                "createPackage",
                fixtures::package(&app, "Spare Hamper", json!([])),
            )
            .await["id"]
            .clone();
        walk.run(
            "addPackageItem",
            "mutation($input: AddPackageItemInput!) { addPackageItem(input: $input) { id } }",
            json!({"input": {"packageId": hamper, "finishedGoodId": spare_good, "quantity": 1}}),
        )
        .await;
        walk.run(
            "removePackageItem",
            "mutation($input: RemovePackageItemInput!) { removePackageItem(input: $input) { id } }",
            json!({"input": {"packageId": hamper, "finishedGoodId": spare_good}}),
        )
        .await;

        // Events: a fair with a recipient, and a spare fair and recipient assigned the spare
        // hamper (removed and deleted at the end).
        let ada = walk
            .raises("createRecipient", fixtures::recipient(&app, "Ada"))
            .await["id"]
            .clone();
        let ben = walk
            .raises("createRecipient", fixtures::recipient(&app, "Ben"))
            .await["id"]
            .clone();
        let fair = walk
            .raises(
                "createEvent",
                fixtures::event(&app, "Winter Fair", "2026-12-05"),
            )
            .await["id"]
            .clone();
        let spare_fair = walk
            .raises(
                "createEvent",
                fixtures::event(&app, "Spare Fair", "2026-12-06"),
            )
            .await["id"]
            .clone();
        let ada_hamper = walk
        .raises(
            "assignPackage",
            fixtures::assign(
                &app,
                json!({"eventId": fair, "recipientId": ada, "packageId": hamper, "quantity": 2}),
            ),
        )
        .await["id"]
        .clone();
        let ben_hamper = walk
            .raises(
                "assignPackage",
                fixtures::assign(
                    &app,
                    json!({"eventId": spare_fair, "recipientId": ben, "packageId": spare_hamper}),
                ),
            )
            .await["id"]
            .clone();
        walk.run(
            "updateAssignment",
            "mutation($input: UpdateAssignmentInput!) { updateAssignment(input: $input) { id } }",
            json!({"input": {"id": ada_hamper, "quantity": 1, "notes": "ring twice"}}),
        )
        .await;
        walk.run(
        "setProductionTarget",
        "mutation($input: SetProductionTargetInput!) { setProductionTarget(input: $input) { id } }",
        json!({"input": {"eventId": fair, "recipeId": recipe, "targetBatches": 2}}),
    )
    .await;
        walk.run(
            "setAssemblyTarget",
            "mutation($input: SetAssemblyTargetInput!) { setAssemblyTarget(input: $input) { id } }",
            json!({"input": {"eventId": fair, "finishedGoodId": biscuit_box, "targetQuantity": 2}}),
        )
        .await;

        // The kitchen: bake, box up, hand over.
        walk.run(
            "recordProduction",
            RECORD_PRODUCTION,
            json!({"input": {"recipeId": recipe, "finishedUnitId": biscuit, "numBatches": 1,
                         "actualYield": 24, "eventId": fair}}),
        )
        .await;
        walk.run(
            "recordAssembly",
            RECORD_ASSEMBLY,
            json!({"input": {"finishedGoodId": biscuit_box, "quantity": 2, "eventId": fair}}),
        )
        .await;
        let status = "mutation($input: UpdateFulfillmentStatusInput!) {
      updateFulfillmentStatus(input: $input) { fulfillmentStatus } }";
        walk.run(
            "updateFulfillmentStatus",
            status,
            json!({"input": {"assignmentId": ada_hamper, "status": "READY"}}),
        )
        .await;
        walk.run(
            "updateFulfillmentStatus",
            status,
            json!({"input": {"assignmentId": ada_hamper, "status": "DELIVERED",
                         "deliveredTo": "in person"}}),
        )
        .await;
        walk.run(
            "applySuggestedTargets",
            "mutation($id: ID!) { applySuggestedTargets(eventId: $id) { targetBatches } }",
            json!({"id": fair}),
        )
        .await;

        // The demo set merged in (its names are not the walk's), and a token made and revoked.
        let demo: Value =
            serde_json::from_str(bakeplan::transfer::demo::DEMO_JSON).expect("demo JSON");
        let imported = walk
        .run(
            "importData",
            "mutation($document: JSON!) { importData(document: $document, mode: MERGE) { created } }",
            json!({"document": demo}),
        )
        .await;
        assert!(
            imported["created"].as_i64().unwrap_or(0) > 0,
            "the demo set added rows: {imported}"
        );
        walk.run(
            "createApiToken",
            "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }",
            json!({"input": {"name": "kitchen phone", "role": "BAKER"}}),
        )
        .await;
        walk.run(
            "revokeApiToken",
            "mutation($name: String!) { revokeApiToken(name: $name) { revokedAt } }",
            json!({"name": "kitchen phone"}),
        )
        .await;

        // Every update, on the rows made above.
        for (mutation, input_type, input) in [
            (
                "updateIngredient",
                "UpdateIngredientInput",
                json!({"id": flour, "notes": "stone-ground"}),
            ),
            (
                "updateProduct",
                "UpdateProductInput",
                json!({"id": product, "brand": "Valley Mill"}),
            ),
            (
                "updateRecipe",
                "UpdateRecipeInput",
                json!({"id": recipe, "notes": "chill the dough"}),
            ),
            (
                "updateFinishedUnit",
                "UpdateFinishedUnitInput",
                json!({"id": biscuit, "notes": "crisp"}),
            ),
            (
                "updateFinishedGood",
                "UpdateFinishedGoodInput",
                json!({"id": biscuit_box, "description": "six biscuits"}),
            ),
            (
                "updatePackage",
                "UpdatePackageInput",
                json!({"id": hamper, "notes": "tie with twine"}),
            ),
            (
                "updateRecipient",
                "UpdateRecipientInput",
                json!({"id": ada, "householdName": "The Lovelaces"}),
            ),
            (
                "updateEvent",
                "UpdateEventInput",
                json!({"id": fair, "notes": "stall 12"}),
            ),
        ] {
            let document =
                format!("mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ id }} }}");
            walk.run(mutation, &document, json!({ "input": input }))
                .await;
        }

        // Every deletion: the targets, then the spare rows, each once nothing references it.
        let deleted = walk
            .run(
                "deleteProductionTarget",
                "mutation($e: ID!, $r: ID!) { deleteProductionTarget(eventId: $e, recipeId: $r) }",
                json!({"e": fair, "r": recipe}),
            )
            .await;
        assert_eq!(deleted, json!(true), "the production target existed");
        let deleted = walk
        .run(
            "deleteAssemblyTarget",
            "mutation($e: ID!, $g: ID!) { deleteAssemblyTarget(eventId: $e, finishedGoodId: $g) }",
            json!({"e": fair, "g": biscuit_box}),
        )
        .await;
        assert_eq!(deleted, json!(true), "the assembly target existed");
        for (mutation, id) in [
            ("removeAssignment", &ben_hamper),
            ("deleteRecipient", &ben),
            ("deletePackage", &spare_hamper),
            ("deleteEvent", &spare_fair),
            ("deleteFinishedGood", &spare_good),
            ("deleteFinishedUnit", &spare_unit),
            ("deleteRecipe", &spare_recipe),
            ("deleteProduct", &product),
            ("deleteIngredient", &honey),
        ] {
            walk.run(mutation, &delete_document(mutation), json!({ "id": id }))
                .await;
        }

        // The walk covered the schema: a new mutation needs a step above.
        let served = mutation_fields(&app).await;
        let called: BTreeSet<String> = walk.called.iter().map(|name| name.to_string()).collect();
        let missing: Vec<&String> = served.difference(&called).collect();
        assert!(
            missing.is_empty(),
            "mutations of the schema this walk never calls (add a step for each): {missing:?}"
        );
        assert_eq!(called, served);
    }
);

/// Runs the `bakeplan` binary on the app's database with `args`, asserts it succeeded, and
/// returns the data version before and after it.
async fn command(app: &TestApp, args: &[&str]) -> (i64, i64) {
    let before = version(app).await;
    let out = bakeplan(app.db.url(), args);
    assert!(
        out.status.success(),
        "bakeplan {args:?} failed on {:?}: {}",
        app.backend,
        text(&out.stderr)
    );
    (before, version(app).await)
}

/// [`command`], asserting the data version rose across it.
async fn command_raises(app: &TestApp, args: &[&str]) {
    let (before, after) = command(app, args).await;
    assert!(
        after > before,
        "bakeplan {args:?} did not raise the data version on {:?} (before {before}, after {after})",
        app.backend
    );
}

db_test!(
    the_import_command_and_bench_data_raise_the_data_version,
    |app| {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("bench.json");
        let file = file.to_str().expect("a UTF-8 path");

        // bench-data fills only an empty database: this one, first.
        command_raises(
            &app,
            &[
                "bench-data",
                "--events",
                "2",
                "--recipes",
                "3",
                "--finished-goods",
                "2",
                "--production-runs",
                "20",
                "--assembly-runs",
                "10",
                "--production-targets",
                "2",
                "--assembly-targets",
                "1",
            ],
        )
        .await;

        // Exporting only reads.
        let (before, after) = command(&app, &["export", file]).await;
        assert_eq!(after, before, "export moved the data version");

        // The export back over everything, the demo over that, and the export merged next to
        // the demo.
        command_raises(&app, &["import", file, "--mode", "replace"]).await;
        command_raises(&app, &["demo", "--force"]).await;
        command_raises(&app, &["import", file, "--mode", "merge"]).await;
        assert_eq!(
            fixtures::count(&app, "events").await,
            3,
            "the demo's event and the two bench events"
        );

        // Tokens made and revoked on the command line.
        command_raises(
            &app,
            &["token", "create", "--name", "phone", "--role", "baker"],
        )
        .await;
        command_raises(&app, &["token", "revoke", "phone"]).await;
    }
);
