//! Finished goods: components, nesting, cycles, delete restrictions and the list.

use super::*;

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
    fixtures::assembly_target(&app, &event["id"], &hamper["id"], 5).await;
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
