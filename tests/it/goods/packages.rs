//! Packages: items that add up, their rules, delete restrictions and the list; and
//! concurrent good updates that cannot close a cycle together.

use super::*;

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
