//! Finished goods (components, nesting, cycles) and packages (items that add up), with
//! their delete restrictions.

use crate::db_test;
use crate::fixtures::{self, count, pk};
use crate::harness::TestApp;
use crate::pantry::create_ingredient;
use bakeplan::graphql::ids;
use serde_json::{json, Value};

/// An event, a recipient and an assignment of `package` to them, through the API; returns
/// `(event, assignment)`.
async fn assignment(app: &TestApp, package: &Value) -> (Value, Value) {
    let event = fixtures::event(app, "Christmas", "2026-12-24").await;
    let grandma = fixtures::recipient(app, "Grandma").await;
    let assignment = fixtures::assign(
        app,
        json!({"eventId": event["id"], "recipientId": grandma["id"], "packageId": package["id"]}),
    )
    .await;
    (event, assignment)
}

const GOOD_FIELDS: &str = "id slug name assemblyType description packagingInstructions notes
    inventoryCount averageUnitCost
    components { kind quantity notes finishedUnit { id name } finishedGood { id name }
      packaging { id name unit } }";

fn create_good_doc() -> String {
    format!(
        "mutation($input: CreateFinishedGoodInput!) {{ createFinishedGood(input: $input) {{ {GOOD_FIELDS} }} }}"
    )
}

fn update_good_doc() -> String {
    format!(
        "mutation($input: UpdateFinishedGoodInput!) {{ updateFinishedGood(input: $input) {{ {GOOD_FIELDS} }} }}"
    )
}

const DELETE_GOOD: &str = "mutation($id: ID!) { deleteFinishedGood(id: $id) { deletedId } }";

/// Creates a finished good and returns it.
pub async fn create_good(app: &TestApp, input: Value) -> Value {
    app.ok(&create_good_doc(), json!({ "input": input })).await["createFinishedGood"].clone()
}

const PACKAGE_FIELDS: &str =
    "id name description isTemplate notes items { quantity finishedGood { id name } }";

fn create_package_doc() -> String {
    format!(
        "mutation($input: CreatePackageInput!) {{ createPackage(input: $input) {{ {PACKAGE_FIELDS} }} }}"
    )
}

/// Creates a package and returns it.
pub async fn create_package(app: &TestApp, input: Value) -> Value {
    app.ok(&create_package_doc(), json!({ "input": input }))
        .await["createPackage"]
        .clone()
}

/// Everything the API shows about finished goods and packages, plus raw row counts, to
/// prove a refused write left nothing behind.
async fn state(app: &TestApp) -> Value {
    let mut data = app
        .ok(
            &format!(
                "{{ finishedGoods(first: 100) {{ totalCount nodes {{ {GOOD_FIELDS} updatedAt }} }}
                   packages(first: 100) {{ totalCount nodes {{ {PACKAGE_FIELDS} updatedAt }} }} }}"
            ),
            json!({}),
        )
        .await;
    data["rows"] = json!([
        count(app, "finished_goods").await,
        count(app, "finished_good_components").await,
        count(app, "packages").await,
        count(app, "package_items").await,
    ]);
    data
}

/// Pantry and baked items most tests share.
struct Catalog {
    box_: Value,
    tissue: Value,
    flour: Value,
    sugar_cookie: Value,
    gingerbread: Value,
}

async fn catalog(app: &TestApp) -> Catalog {
    Catalog {
        box_: create_ingredient(
            app,
            json!({"name": "Gift Box", "unit": "each", "isPackaging": true}),
        )
        .await,
        tissue: create_ingredient(
            app,
            json!({"name": "Tissue Paper", "unit": "each", "isPackaging": true}),
        )
        .await,
        flour: create_ingredient(app, json!({"name": "Flour", "unit": "g"})).await,
        sugar_cookie: fixtures::baked_item(app, "Sugar Cookie").await["id"].clone(),
        gingerbread: fixtures::baked_item(app, "Gingerbread Man").await["id"].clone(),
    }
}

db_test!(gift_box_with_nested_components_reads_back, |app| {
    let c = catalog(&app).await;
    let stack = create_good(
        &app,
        json!({"name": "Cookie Stack", "assemblyType": "VARIETY_PACK",
               "components": [{"finishedUnitId": c.sugar_cookie, "quantity": "6"},
                              {"packagingId": c.tissue["id"], "quantity": "1"}]}),
    )
    .await;
    assert_eq!(stack["slug"], "cookie-stack");
    let gift = create_good(
        &app,
        json!({"name": "  Holiday   Gift Box ", "description": "Our classic",
               "packagingInstructions": "Stack first, then the gingerbread", "notes": "  ",
               "components": [
                   {"finishedUnitId": c.gingerbread, "quantity": "4", "notes": "on top"},
                   {"finishedGoodId": stack["id"], "quantity": 2},
                   {"packagingId": c.box_["id"], "quantity": "1"},
                   {"packagingId": c.tissue["id"], "quantity": "0.5"}]}),
    )
    .await;
    assert_eq!(gift["name"], "Holiday Gift Box");
    assert_eq!(gift["slug"], "holiday-gift-box");
    assert_eq!(
        gift["assemblyType"], "GIFT_BOX",
        "the default assembly type"
    );
    assert_eq!(gift["description"], "Our classic");
    assert_eq!(gift["notes"], Value::Null, "blank text is stored as null");
    assert_eq!(gift["inventoryCount"], 0);
    assert_eq!(gift["averageUnitCost"], "0");
    assert_eq!(
        gift["components"],
        json!([
            {"kind": "FINISHED_UNIT", "quantity": "4", "notes": "on top", "finishedGood": null, "packaging": null,
             "finishedUnit": {"id": c.gingerbread, "name": "Gingerbread Man"}},
            {"kind": "FINISHED_GOOD", "quantity": "2", "notes": null, "finishedUnit": null, "packaging": null,
             "finishedGood": {"id": stack["id"], "name": "Cookie Stack"}},
            {"kind": "PACKAGING", "quantity": "1", "notes": null, "finishedUnit": null, "finishedGood": null,
             "packaging": {"id": c.box_["id"], "name": "Gift Box", "unit": "each"}},
            {"kind": "PACKAGING", "quantity": "0.5", "notes": null, "finishedUnit": null, "finishedGood": null,
             "packaging": {"id": c.tissue["id"], "name": "Tissue Paper", "unit": "each"}},
        ])
    );

    // Nested reads, through node(id:) and nodes(ids:).
    let data = app
        .ok(
            "query($id: ID!) { node(id: $id) { __typename id ... on FinishedGood { name
                components { finishedGood { slug assemblyType components { kind quantity
                  finishedUnit { slug } packaging { name } } } } } } }",
            json!({"id": gift["id"]}),
        )
        .await;
    assert_eq!(data["node"]["__typename"], "FinishedGood");
    assert_eq!(
        data["node"]["components"][1]["finishedGood"],
        json!({"slug": "cookie-stack", "assemblyType": "VARIETY_PACK", "components": [
            {"kind": "FINISHED_UNIT", "quantity": "6", "finishedUnit": {"slug": "sugar-cookie"}, "packaging": null},
            {"kind": "PACKAGING", "quantity": "1", "finishedUnit": null, "packaging": {"name": "Tissue Paper"}}]})
    );
    let data = app
        .ok(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on FinishedGood { name } } }",
            json!({"ids": [stack["id"], gift["id"]]}),
        )
        .await;
    assert_eq!(
        data["nodes"],
        json!([{"id": stack["id"], "name": "Cookie Stack"}, {"id": gift["id"], "name": "Holiday Gift Box"}])
    );
    let missing = ids::encode("FinishedGood", 999_999);
    let data = app
        .ok(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": missing.as_str()}),
        )
        .await;
    assert_eq!(data["node"], Value::Null);

    // Slugs: derived ones are numbered when taken; a given one is kept.
    let again = create_good(&app, json!({"name": "Holiday Gift-Box!"})).await;
    assert_eq!(again["slug"], "holiday-gift-box-2");
    assert_eq!(again["components"], json!([]));
    let chosen = create_good(
        &app,
        json!({"name": "Tin", "slug": "cookie-tin-2026", "assemblyType": "HOLIDAY_SET"}),
    )
    .await;
    assert_eq!(chosen["slug"], "cookie-tin-2026");
    assert_eq!(
        count(&app, "finished_good_components").await,
        6,
        "2 + 4 rows"
    );
});

db_test!(update_changes_given_fields_and_replaces_components, |app| {
    let c = catalog(&app).await;
    let stack = create_good(
        &app,
        json!({"name": "Cookie Stack", "components": [{"finishedUnitId": c.sugar_cookie, "quantity": "6"}]}),
    )
    .await;
    let gift = create_good(
        &app,
        json!({"name": "Gift", "notes": "fragile", "description": "classic",
               "components": [{"finishedUnitId": c.gingerbread, "quantity": "4"},
                              {"packagingId": c.box_["id"], "quantity": "1"}]}),
    )
    .await;
    let update = update_good_doc();

    // Only the given fields change; components stay when not given.
    let data = app
        .ok(
            &update,
            json!({"input": {"id": gift["id"], "name": "Grand Gift", "notes": null, "assemblyType": "CUSTOM_ORDER"}}),
        )
        .await;
    let updated = &data["updateFinishedGood"];
    assert_eq!(updated["name"], "Grand Gift");
    assert_eq!(updated["slug"], "gift", "the slug only changes when given");
    assert_eq!(updated["notes"], Value::Null);
    assert_eq!(updated["description"], "classic");
    assert_eq!(updated["assemblyType"], "CUSTOM_ORDER");
    assert_eq!(updated["components"], gift["components"]);

    // A given component list replaces the whole old one, in the new order.
    let data = app
        .ok(
            &update,
            json!({"input": {"id": gift["id"], "slug": "grand-gift", "components": [
                {"packagingId": c.tissue["id"], "quantity": "2.25", "notes": "folded"},
                {"finishedGoodId": stack["id"], "quantity": "3"}]}}),
        )
        .await;
    let updated = &data["updateFinishedGood"];
    assert_eq!(updated["slug"], "grand-gift");
    assert_eq!(
        updated["components"],
        json!([
            {"kind": "PACKAGING", "quantity": "2.25", "notes": "folded", "finishedUnit": null, "finishedGood": null,
             "packaging": {"id": c.tissue["id"], "name": "Tissue Paper", "unit": "each"}},
            {"kind": "FINISHED_GOOD", "quantity": "3", "notes": null, "finishedUnit": null, "packaging": null,
             "finishedGood": {"id": stack["id"], "name": "Cookie Stack"}},
        ])
    );
    assert_eq!(
        fixtures::sql_number(
            &app,
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM finished_good_components WHERE finished_good_id = {}",
                pk(&gift["id"])
            )
        )
        .await,
        2,
        "the old rows are gone"
    );
    // An empty list empties it.
    let data = app
        .ok(
            &update,
            json!({"input": {"id": gift["id"], "components": []}}),
        )
        .await;
    assert_eq!(data["updateFinishedGood"]["components"], json!([]));
    assert_eq!(count(&app, "finished_good_components").await, 1);
});

db_test!(component_rules_are_enforced_and_nothing_is_written, |app| {
    let c = catalog(&app).await;
    let good = create_good(
        &app,
        json!({"name": "Sampler", "components": [{"finishedUnitId": c.sugar_cookie, "quantity": "2"}]}),
    )
    .await;
    let before = state(&app).await;
    let create = create_good_doc();
    let update = update_good_doc();
    let unit = |q: Value| json!([{"finishedUnitId": c.sugar_cookie, "quantity": q}]);
    let missing_unit_message = format!(
        "FinishedUnit {} was not found",
        ids::encode("FinishedUnit", 999_999).as_str()
    );

    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"name": "X", "components": unit(json!("0"))}),
            "BAD_USER_INPUT",
            "component 1 (a finished unit): quantity must be a whole number greater than zero, got 0",
        ),
        (
            json!({"name": "X", "components": unit(json!("-3"))}),
            "BAD_USER_INPUT",
            "whole number greater than zero, got -3",
        ),
        (
            json!({"name": "X", "components": unit(json!("1.5"))}),
            "BAD_USER_INPUT",
            "whole number greater than zero, got 1.5",
        ),
        (
            json!({"name": "X", "components": [{"finishedGoodId": good["id"], "quantity": "0.25"}]}),
            "BAD_USER_INPUT",
            "component 1 (a finished good): quantity must be a whole number",
        ),
        (
            json!({"name": "X", "components": [{"packagingId": c.box_["id"], "quantity": "0"}]}),
            "BAD_USER_INPUT",
            "component 1 (packaging): quantity must be greater than zero",
        ),
        (
            json!({"name": "X", "components": [{"packagingId": c.box_["id"], "quantity": "-0.5"}]}),
            "BAD_USER_INPUT",
            "greater than zero (at least 0.000001), got -0.5",
        ),
        (
            json!({"name": "X", "components": [{"finishedUnitId": c.sugar_cookie, "quantity": "1"}, {"quantity": "1"}]}),
            "BAD_USER_INPUT",
            "component 2 must name exactly one of finishedUnitId, finishedGoodId and packagingId; it names none",
        ),
        (
            json!({"name": "X", "components": [{"finishedUnitId": c.sugar_cookie, "packagingId": c.box_["id"], "quantity": "1"}]}),
            "BAD_USER_INPUT",
            "it names finishedUnitId and packagingId",
        ),
        (
            json!({"name": "X", "components": [{"packagingId": c.flour["id"], "quantity": "100"}]}),
            "BAD_USER_INPUT",
            "ingredient \"Flour\" is not packaging",
        ),
        (
            json!({"name": "X", "components": [
                {"finishedUnitId": c.sugar_cookie, "quantity": "1"},
                {"packagingId": c.box_["id"], "quantity": "1"},
                {"finishedUnitId": c.sugar_cookie, "quantity": "2"}]}),
            "BAD_USER_INPUT",
            "components 1 and 3 name the same finished unit; list it once with the total quantity",
        ),
        (
            json!({"name": "X", "components": [{"finishedUnitId": ids::encode("FinishedUnit", 999_999).as_str(), "quantity": "1"}]}),
            "NOT_FOUND",
            &missing_unit_message,
        ),
        (
            json!({"name": "X", "components": [{"finishedGoodId": ids::encode("FinishedGood", 999_999).as_str(), "quantity": "1"}]}),
            "NOT_FOUND",
            "was not found",
        ),
        (
            json!({"name": "X", "components": [{"packagingId": ids::encode("Ingredient", 999_999).as_str(), "quantity": "1"}]}),
            "NOT_FOUND",
            "Ingredient",
        ),
        (
            json!({"name": "X", "components": [{"finishedUnitId": c.box_["id"], "quantity": "1"}]}),
            "BAD_USER_INPUT",
            "belongs to a Ingredient, not to a FinishedUnit",
        ),
        (
            json!({"name": "X", "components": [{"packagingId": good["id"], "quantity": "1"}]}),
            "BAD_USER_INPUT",
            "belongs to a FinishedGood, not to a Ingredient",
        ),
        (
            json!({"name": "X", "components": [{"finishedGoodId": "not-an-id", "quantity": "1"}]}),
            "BAD_USER_INPUT",
            "is not a valid id",
        ),
        (
            json!({"name": "   "}),
            "BAD_USER_INPUT",
            "finished good name must not be empty",
        ),
        (
            json!({"name": "X", "slug": "Has Spaces"}),
            "BAD_USER_INPUT",
            "slug \"Has Spaces\" is not valid",
        ),
        (
            json!({"name": "X", "slug": "sampler"}),
            "CONFLICT",
            "a finished good with slug \"sampler\" already exists",
        ),
        (
            json!({"name": "X", "assemblyType": "GIFT_BAG"}),
            "BAD_USER_INPUT",
            "GIFT_BAG",
        ),
    ];
    for (input, code, message) in cases {
        let error = app.error(&create, json!({ "input": input })).await;
        assert_eq!(error.code, code, "{input}: {error:?}");
        error.expect(code, message);
        // The same component lists are refused on update too.
        if let Some(components) = input.get("components") {
            let error = app
                .error(
                    &update,
                    json!({"input": {"id": good["id"], "name": "Changed", "components": components}}),
                )
                .await;
            error.expect(code, message);
        }
    }
    let other = create_good(&app, json!({"name": "Other"})).await;
    let error = app
        .error(
            &update,
            json!({"input": {"id": other["id"], "slug": "sampler"}}),
        )
        .await;
    error.expect("CONFLICT", "slug \"sampler\" already exists");
    let error = app
        .error(
            &update,
            json!({"input": {"id": ids::encode("FinishedGood", 999_999).as_str(), "name": "x"}}),
        )
        .await;
    error.expect("NOT_FOUND", "was not found");
    let error = app
        .error(&update, json!({"input": {"id": c.box_["id"], "name": "x"}}))
        .await;
    error.expect("BAD_USER_INPUT", "not to a FinishedGood");
    app.ok(DELETE_GOOD, json!({"id": other["id"]})).await;
    assert_eq!(state(&app).await, before, "refused writes changed nothing");
});

db_test!(cycles_are_refused_directly_and_through_nesting, |app| {
    let c = catalog(&app).await;
    let inner = create_good(
        &app,
        json!({"name": "Inner", "components": [{"finishedUnitId": c.sugar_cookie, "quantity": "1"}]}),
    )
    .await;
    let middle = create_good(
        &app,
        json!({"name": "Middle", "components": [{"finishedGoodId": inner["id"], "quantity": "2"}]}),
    )
    .await;
    let outer = create_good(
        &app,
        json!({"name": "Outer", "components": [{"finishedGoodId": middle["id"], "quantity": "1"},
                                                {"packagingId": c.box_["id"], "quantity": "1"}]}),
    )
    .await;
    let before = state(&app).await;
    let update = update_good_doc();

    let error = app
        .error(
            &update,
            json!({"input": {"id": inner["id"], "components": [{"finishedGoodId": inner["id"], "quantity": "1"}]}}),
        )
        .await;
    error.expect(
        "BAD_USER_INPUT",
        "finished good \"Inner\" cannot contain \"Inner\": that would make a cycle (Inner → Inner)",
    );
    let error = app
        .error(
            &update,
            json!({"input": {"id": inner["id"], "name": "Renamed", "components": [
                {"finishedUnitId": c.gingerbread, "quantity": "1"},
                {"finishedGoodId": outer["id"], "quantity": "1"}]}}),
        )
        .await;
    error.expect(
        "BAD_USER_INPUT",
        "finished good \"Renamed\" cannot contain \"Outer\": that would make a cycle (Renamed → Outer → Middle → Renamed)",
    );
    let error = app
        .error(
            &update,
            json!({"input": {"id": middle["id"], "components": [{"finishedGoodId": outer["id"], "quantity": "1"}]}}),
        )
        .await;
    error.expect("BAD_USER_INPUT", "cycle (Middle → Outer → Middle)");
    assert_eq!(state(&app).await, before, "refused updates changed nothing");

    // Sharing a nested good without a cycle is fine: Outer may hold Inner directly as well,
    // and Middle may drop Inner and hold a new good.
    let data = app
        .ok(
            &update,
            json!({"input": {"id": outer["id"], "components": [
                {"finishedGoodId": middle["id"], "quantity": "1"},
                {"finishedGoodId": inner["id"], "quantity": "3"}]}}),
        )
        .await;
    assert_eq!(
        data["updateFinishedGood"]["components"][1]["finishedGood"]["name"],
        "Inner"
    );
    // Once Middle no longer holds Inner, Inner may hold Middle.
    app.ok(
        &update,
        json!({"input": {"id": middle["id"], "components": []}}),
    )
    .await;
    let data = app
        .ok(
            &update,
            json!({"input": {"id": inner["id"], "components": [{"finishedGoodId": middle["id"], "quantity": "1"}]}}),
        )
        .await;
    assert_eq!(
        data["updateFinishedGood"]["components"][0]["finishedGood"]["name"],
        "Middle"
    );
});

db_test!(finished_good_deletes_are_restricted_then_allowed, |app| {
    let c = catalog(&app).await;
    let tin = create_good(
        &app,
        json!({"name": "Cookie Tin", "components": [{"finishedUnitId": c.sugar_cookie, "quantity": "12"},
                                                     {"packagingId": c.box_["id"], "quantity": "1"}]}),
    )
    .await;
    let hamper = create_good(
        &app,
        json!({"name": "Hamper", "components": [{"finishedGoodId": tin["id"], "quantity": "2"}]}),
    )
    .await;
    let package = create_package(
        &app,
        json!({"name": "Family", "items": [{"finishedGoodId": tin["id"], "quantity": 1}]}),
    )
    .await;

    let error = app.error(DELETE_GOOD, json!({"id": tin["id"]})).await;
    error.expect(
        "DELETE_RESTRICTED",
        "cannot delete finished good \"Cookie Tin\": it is referenced by 1 package items, 1 parent finished goods",
    );
    assert_eq!(
        error.extensions["references"],
        json!([{"kind": "package items", "count": 1}, {"kind": "parent finished goods", "count": 1}])
    );
    // An assembly target counts too.
    let (event, _) = assignment(&app, &package).await;
    fixtures::assembly_target_row(&app, &event["id"], &hamper["id"], 5).await;
    let error = app.error(DELETE_GOOD, json!({"id": hamper["id"]})).await;
    assert_eq!(
        error.extensions["references"],
        json!([{"kind": "event assembly targets", "count": 1}])
    );
    assert_eq!(count(&app, "finished_goods").await, 2, "nothing deleted");

    // Free the tin: the package loses it, the hamper no longer holds it.
    app.ok(
        "mutation($input: RemovePackageItemInput!) { removePackageItem(input: $input) { id } }",
        json!({"input": {"packageId": package["id"], "finishedGoodId": tin["id"]}}),
    )
    .await;
    app.ok(
        &update_good_doc(),
        json!({"input": {"id": hamper["id"], "components": []}}),
    )
    .await;
    let data = app.ok(DELETE_GOOD, json!({"id": tin["id"]})).await;
    assert_eq!(data["deleteFinishedGood"]["deletedId"], tin["id"]);
    assert_eq!(
        count(&app, "finished_good_components").await,
        0,
        "its components went with it"
    );
    let data = app
        .ok(
            "query($id: ID!) { node(id: $id) { id } finishedGoods { totalCount nodes { name } } }",
            json!({"id": tin["id"]}),
        )
        .await;
    assert_eq!(data["node"], Value::Null);
    assert_eq!(
        data["finishedGoods"],
        json!({"totalCount": 1, "nodes": [{"name": "Hamper"}]})
    );
    let error = app.error(DELETE_GOOD, json!({"id": tin["id"]})).await;
    error.expect("NOT_FOUND", "was not found");
    // The packaging ingredient and finished unit are free again.
    app.ok(
        "mutation($id: ID!) { deleteIngredient(id: $id) { deletedId } }",
        json!({"id": c.box_["id"]}),
    )
    .await;
});

db_test!(finished_goods_are_listed_by_name_with_filters, |app| {
    for (name, kind) in [
        ("variety box", "VARIETY_PACK"),
        ("Bulk Cookies", "BULK_PACK"),
        ("Advent Set", "HOLIDAY_SET"),
        ("Cookie Tin", "GIFT_BOX"),
    ] {
        create_good(&app, json!({"name": name, "assemblyType": kind})).await;
    }
    let data = app
        .ok(
            "{ all: finishedGoods { totalCount nodes { name } }
               page: finishedGoods(first: 2) { pageInfo { hasNextPage endCursor } nodes { name } }
               tail: finishedGoods(last: 1) { pageInfo { hasPreviousPage } nodes { name } }
               packs: finishedGoods(assemblyType: BULK_PACK) { totalCount nodes { name } }
               search: finishedGoods(search: \"COOKIE\") { totalCount nodes { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["all"],
        json!({"totalCount": 4, "nodes": [{"name": "Advent Set"}, {"name": "Bulk Cookies"},
                                          {"name": "Cookie Tin"}, {"name": "variety box"}]}),
        "ordered by name, case-insensitively"
    );
    assert_eq!(data["page"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(data["tail"]["nodes"], json!([{"name": "variety box"}]));
    assert_eq!(data["tail"]["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(
        data["packs"],
        json!({"totalCount": 1, "nodes": [{"name": "Bulk Cookies"}]})
    );
    assert_eq!(
        data["search"],
        json!({"totalCount": 2, "nodes": [{"slug": "bulk-cookies"}, {"slug": "cookie-tin"}]})
    );
    let data = app
        .ok(
            "query($after: String) { finishedGoods(first: 2, after: $after) { nodes { name } } }",
            json!({"after": data["page"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(
        data["finishedGoods"]["nodes"],
        json!([{"name": "Cookie Tin"}, {"name": "variety box"}])
    );
    let error = app
        .error("{ finishedGoods(first: 101) { totalCount } }", json!({}))
        .await;
    error.expect("BAD_USER_INPUT", "at most 100");
});

const ADD_ITEM: &str = "mutation($input: AddPackageItemInput!) { addPackageItem(input: $input) {
    id items { quantity finishedGood { id name } } } }";
const REMOVE_ITEM: &str =
    "mutation($input: RemovePackageItemInput!) { removePackageItem(input: $input) {
    id items { quantity finishedGood { name } } } }";

db_test!(packages_hold_items_that_add_up, |app| {
    let tin = create_good(&app, json!({"name": "Cookie Tin"})).await;
    let box_ = create_good(&app, json!({"name": "Fudge Box"})).await;
    let bag = create_good(&app, json!({"name": "Candy Bag"})).await;
    let package = create_package(
        &app,
        json!({"name": " Family  Package ", "description": "for the whole family", "notes": "",
               "items": [{"finishedGoodId": tin["id"], "quantity": 2},
                         {"finishedGoodId": box_["id"], "quantity": 1},
                         {"finishedGoodId": tin["id"], "quantity": 3}]}),
    )
    .await;
    assert_eq!(package["name"], "Family Package");
    assert_eq!(package["description"], "for the whole family");
    assert_eq!(package["isTemplate"], false);
    assert_eq!(package["notes"], Value::Null);
    assert_eq!(
        package["items"],
        json!([{"quantity": 5, "finishedGood": {"id": tin["id"], "name": "Cookie Tin"}},
               {"quantity": 1, "finishedGood": {"id": box_["id"], "name": "Fudge Box"}}]),
        "the same finished good given twice adds up"
    );
    assert_eq!(count(&app, "package_items").await, 2);

    // addPackageItem adds to an existing item, or creates one.
    let data = app
        .ok(
            ADD_ITEM,
            json!({"input": {"packageId": package["id"], "finishedGoodId": box_["id"], "quantity": 4}}),
        )
        .await;
    assert_eq!(data["addPackageItem"]["items"][1]["quantity"], 5);
    let data = app
        .ok(
            ADD_ITEM,
            json!({"input": {"packageId": package["id"], "finishedGoodId": bag["id"], "quantity": 1}}),
        )
        .await;
    assert_eq!(
        data["addPackageItem"]["items"],
        json!([{"quantity": 5, "finishedGood": {"id": tin["id"], "name": "Cookie Tin"}},
               {"quantity": 5, "finishedGood": {"id": box_["id"], "name": "Fudge Box"}},
               {"quantity": 1, "finishedGood": {"id": bag["id"], "name": "Candy Bag"}}])
    );

    // removePackageItem drops the whole item.
    let data = app
        .ok(
            REMOVE_ITEM,
            json!({"input": {"packageId": package["id"], "finishedGoodId": box_["id"]}}),
        )
        .await;
    assert_eq!(
        data["removePackageItem"]["items"],
        json!([{"quantity": 5, "finishedGood": {"name": "Cookie Tin"}},
               {"quantity": 1, "finishedGood": {"name": "Candy Bag"}}])
    );

    // updatePackage changes only what is given; items, when given, replace the list.
    let update = format!(
        "mutation($input: UpdatePackageInput!) {{ updatePackage(input: $input) {{ {PACKAGE_FIELDS} }} }}"
    );
    let data = app
        .ok(
            &update,
            json!({"input": {"id": package["id"], "isTemplate": true, "description": null}}),
        )
        .await;
    let updated = &data["updatePackage"];
    assert_eq!(updated["isTemplate"], true);
    assert_eq!(updated["description"], Value::Null);
    assert_eq!(updated["name"], "Family Package");
    assert_eq!(updated["items"].as_array().unwrap().len(), 2);
    let data = app
        .ok(
            &update,
            json!({"input": {"id": package["id"], "name": "Big Family", "items": [
                {"finishedGoodId": bag["id"], "quantity": 2}, {"finishedGoodId": bag["id"], "quantity": 2}]}}),
        )
        .await;
    assert_eq!(data["updatePackage"]["name"], "Big Family");
    assert_eq!(
        data["updatePackage"]["items"],
        json!([{"quantity": 4, "finishedGood": {"id": bag["id"], "name": "Candy Bag"}}])
    );
    assert_eq!(count(&app, "package_items").await, 1);

    // Read back through node(id:).
    let data = app
        .ok(
            "query($id: ID!) { node(id: $id) { __typename ... on Package { name isTemplate items { quantity finishedGood { slug } } } } }",
            json!({"id": package["id"]}),
        )
        .await;
    assert_eq!(
        data["node"],
        json!({"__typename": "Package", "name": "Big Family", "isTemplate": true,
               "items": [{"quantity": 4, "finishedGood": {"slug": "candy-bag"}}]})
    );
});

db_test!(package_rules_are_enforced_and_nothing_is_written, |app| {
    let tin = create_good(&app, json!({"name": "Cookie Tin"})).await;
    let other = create_good(&app, json!({"name": "Other"})).await;
    let package = create_package(
        &app,
        json!({"name": "Family", "items": [{"finishedGoodId": tin["id"], "quantity": 1}]}),
    )
    .await;
    let second = create_package(&app, json!({"name": "Neighbours"})).await;
    let before = state(&app).await;
    let create = create_package_doc();
    let missing_good = ids::encode("FinishedGood", 999_999);
    let missing_good_message = format!("FinishedGood {} was not found", missing_good.as_str());
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"name": "Family"}),
            "CONFLICT",
            "a package named \"Family\" already exists",
        ),
        (
            json!({"name": "  "}),
            "BAD_USER_INPUT",
            "package name must not be empty",
        ),
        (
            json!({"name": "New", "items": [{"finishedGoodId": tin["id"], "quantity": 0}]}),
            "BAD_USER_INPUT",
            "item 1: quantity must be a whole number greater than zero, got 0",
        ),
        (
            json!({"name": "New", "items": [{"finishedGoodId": tin["id"], "quantity": 1},
                                            {"finishedGoodId": other["id"], "quantity": -2}]}),
            "BAD_USER_INPUT",
            "item 2: quantity must be a whole number greater than zero, got -2",
        ),
        (
            json!({"name": "New", "items": [{"finishedGoodId": tin["id"], "quantity": 1.5}]}),
            "BAD_USER_INPUT",
            "quantity",
        ),
        (
            json!({"name": "New", "items": [{"finishedGoodId": tin["id"], "quantity": 2147483647},
                                            {"finishedGoodId": tin["id"], "quantity": 1}]}),
            "BAD_USER_INPUT",
            "cannot exceed",
        ),
        (
            json!({"name": "New", "items": [{"finishedGoodId": missing_good.as_str(), "quantity": 1}]}),
            "NOT_FOUND",
            &missing_good_message,
        ),
        (
            json!({"name": "New", "items": [{"finishedGoodId": package["id"], "quantity": 1}]}),
            "BAD_USER_INPUT",
            "belongs to a Package, not to a FinishedGood",
        ),
    ];
    for (input, code, message) in cases {
        let error = app.error(&create, json!({ "input": input })).await;
        error.expect(code, message);
    }
    let update = "mutation($input: UpdatePackageInput!) { updatePackage(input: $input) { id } }";
    let error = app
        .error(
            update,
            json!({"input": {"id": second["id"], "name": "Family"}}),
        )
        .await;
    error.expect("CONFLICT", "a package named \"Family\" already exists");
    let error = app
        .error(
            update,
            json!({"input": {"id": package["id"], "name": "Renamed", "items": [{"finishedGoodId": missing_good.as_str(), "quantity": 1}]}}),
        )
        .await;
    error.expect("NOT_FOUND", "was not found");
    let error = app
        .error(
            update,
            json!({"input": {"id": ids::encode("Package", 999_999).as_str(), "name": "x"}}),
        )
        .await;
    error.expect("NOT_FOUND", "was not found");

    let error = app
        .error(
            ADD_ITEM,
            json!({"input": {"packageId": package["id"], "finishedGoodId": tin["id"], "quantity": 0}}),
        )
        .await;
    error.expect(
        "BAD_USER_INPUT",
        "quantity must be a whole number greater than zero, got 0",
    );
    let error = app
        .error(
            ADD_ITEM,
            json!({"input": {"packageId": package["id"], "finishedGoodId": tin["id"], "quantity": 2147483647}}),
        )
        .await;
    error.expect("BAD_USER_INPUT", "cannot exceed 2147483647");
    let error = app
        .error(
            ADD_ITEM,
            json!({"input": {"packageId": package["id"], "finishedGoodId": missing_good.as_str(), "quantity": 1}}),
        )
        .await;
    error.expect("NOT_FOUND", "FinishedGood");
    let error = app
        .error(
            ADD_ITEM,
            json!({"input": {"packageId": tin["id"], "finishedGoodId": tin["id"], "quantity": 1}}),
        )
        .await;
    error.expect("BAD_USER_INPUT", "not to a Package");
    let error = app
        .error(
            REMOVE_ITEM,
            json!({"input": {"packageId": package["id"], "finishedGoodId": other["id"]}}),
        )
        .await;
    error.expect(
        "NOT_FOUND",
        "item \"Other\" of package \"Family\" (the package does not hold it) was not found",
    );
    let error = app
        .error(
            REMOVE_ITEM,
            json!({"input": {"packageId": ids::encode("Package", 999_999).as_str(), "finishedGoodId": tin["id"]}}),
        )
        .await;
    error.expect("NOT_FOUND", "Package");
    assert_eq!(state(&app).await, before, "refused writes changed nothing");
});

db_test!(package_deletes_are_restricted_while_assigned, |app| {
    let tin = create_good(&app, json!({"name": "Cookie Tin"})).await;
    let package = create_package(
        &app,
        json!({"name": "Family", "items": [{"finishedGoodId": tin["id"], "quantity": 2}]}),
    )
    .await;
    let (_, assigned) = assignment(&app, &package).await;
    let delete = "mutation($id: ID!) { deletePackage(id: $id) { deletedId } }";
    let error = app.error(delete, json!({"id": package["id"]})).await;
    error.expect(
        "DELETE_RESTRICTED",
        "cannot delete package \"Family\": it is referenced by 1 event assignments",
    );
    assert_eq!(
        error.extensions["references"],
        json!([{"kind": "event assignments", "count": 1}])
    );
    assert_eq!(count(&app, "package_items").await, 1, "nothing deleted");

    app.ok(
        "mutation($id: ID!) { removeAssignment(id: $id) { deletedId } }",
        json!({"id": assigned["id"]}),
    )
    .await;
    let data = app.ok(delete, json!({"id": package["id"]})).await;
    assert_eq!(data["deletePackage"]["deletedId"], package["id"]);
    assert_eq!(
        count(&app, "package_items").await,
        0,
        "its items went with it"
    );
    let data = app
        .ok(
            "query($id: ID!) { node(id: $id) { id } packages { totalCount } }",
            json!({"id": package["id"]}),
        )
        .await;
    assert_eq!(data["node"], Value::Null);
    assert_eq!(data["packages"]["totalCount"], 0);
    let error = app.error(delete, json!({"id": package["id"]})).await;
    error.expect("NOT_FOUND", "was not found");
    // The finished good is free to go now.
    app.ok(DELETE_GOOD, json!({"id": tin["id"]})).await;
});

db_test!(packages_are_listed_by_name_with_filters, |app| {
    create_package(&app, json!({"name": "neighbours"})).await;
    create_package(&app, json!({"name": "Family Template", "isTemplate": true})).await;
    create_package(&app, json!({"name": "Coworkers"})).await;
    let data = app
        .ok(
            "{ all: packages { totalCount nodes { name } }
               templates: packages(isTemplate: true) { totalCount nodes { name } }
               given: packages(isTemplate: false, first: 1) { totalCount pageInfo { hasNextPage } nodes { name } }
               search: packages(search: \"TEMPL\") { nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["all"],
        json!({"totalCount": 3, "nodes": [{"name": "Coworkers"}, {"name": "Family Template"}, {"name": "neighbours"}]})
    );
    assert_eq!(
        data["templates"],
        json!({"totalCount": 1, "nodes": [{"name": "Family Template"}]})
    );
    assert_eq!(
        data["given"],
        json!({"totalCount": 2, "pageInfo": {"hasNextPage": true}, "nodes": [{"name": "Coworkers"}]})
    );
    assert_eq!(
        data["search"]["nodes"],
        json!([{"name": "Family Template"}])
    );
});

db_test!(concurrent_updates_cannot_close_a_cycle_together, |app| {
    let update = update_good_doc();
    for round in 0..5 {
        let a = create_good(&app, json!({"name": format!("A{round}")})).await;
        let b = create_good(&app, json!({"name": format!("B{round}")})).await;
        let a_holds_b = json!({"input": {"id": a["id"], "components": [{"finishedGoodId": b["id"], "quantity": "1"}]}});
        let b_holds_a = json!({"input": {"id": b["id"], "components": [{"finishedGoodId": a["id"], "quantity": "1"}]}});
        let (first, second) = tokio::join!(
            app.graphql(&update, a_holds_b),
            app.graphql(&update, b_holds_a)
        );
        let refused: Vec<&Value> = [&first, &second]
            .into_iter()
            .filter(|r| r.get("errors").is_some())
            .collect();
        assert_eq!(
            refused.len(),
            1,
            "exactly one of the two must be refused: {first:#} {second:#}"
        );
        assert_eq!(
            refused[0]["errors"][0]["extensions"]["code"],
            "BAD_USER_INPUT"
        );
        assert!(refused[0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cycle"));
    }
    assert_eq!(count(&app, "finished_good_components").await, 5);
});
