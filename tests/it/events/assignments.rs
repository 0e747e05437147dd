//! Assignments and the fulfillment workflow.

use super::*;

db_test!(
    assigning_the_same_package_again_adds_to_its_quantity,
    |app| {
        let event = fixtures::event(&app, "Christmas", "2026-12-25").await;
        let ann = fixtures::recipient(&app, "Ann").await;
        let tin = package(&app, "Cookie Tin").await;

        let first = fixtures::assign(
            &app,
            json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": tin}),
        )
        .await;
        assert_eq!(first["quantity"], 1, "quantity defaults to 1");
        assert_eq!(first["fulfillmentStatus"], "PENDING");
        assert_eq!(first["readyAt"], Value::Null);
        assert_eq!(first["event"]["name"], "Christmas");
        assert_eq!(first["recipient"]["name"], "Ann");
        assert_eq!(first["package"]["name"], "Cookie Tin");
        let again = fixtures::assign(
        &app,
        json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": tin, "quantity": 2, "notes": "extra for the kids"}),
    )
    .await;
        assert_eq!(again["id"], first["id"], "still one assignment");
        assert_eq!(again["quantity"], 3);
        assert_eq!(again["notes"], "extra for the kids");
        let again = fixtures::assign(
        &app,
        json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": tin, "quantity": 1}),
    )
    .await;
        assert_eq!(again["quantity"], 4);
        assert_eq!(
            again["notes"], "extra for the kids",
            "notes are kept when not given"
        );

        // Concurrent assignments never lose a quantity.
        let requests = (0..8).map(|_| {
        app.graphql(
            ASSIGN,
            json!({"input": {"eventId": event["id"], "recipientId": ann["id"], "packageId": tin, "quantity": 2}}),
        )
    });
        for response in futures::future::join_all(requests).await {
            assert!(response.get("errors").is_none(), "{response:#}");
        }
        assert_eq!(count(&app, "event_recipient_packages").await, 1);
        assert_eq!(
            sql_number(
                &app,
                "SELECT CAST(quantity AS BIGINT) AS n FROM event_recipient_packages"
            )
            .await,
            20
        );

        let before = everything(&app).await;
        for quantity in [0, -2] {
            app.error(
            ASSIGN,
            json!({"input": {"eventId": event["id"], "recipientId": ann["id"], "packageId": tin, "quantity": quantity}}),
        )
        .await
        .expect("BAD_USER_INPUT", "at least 1");
            app.error(
                UPDATE_ASSIGNMENT,
                json!({"input": {"id": first["id"], "quantity": quantity}}),
            )
            .await
            .expect("BAD_USER_INPUT", "at least 1");
        }
        app.error(
        ASSIGN,
        json!({"input": {"eventId": event["id"], "recipientId": ann["id"], "packageId": tin, "quantity": i32::MAX}}),
    )
    .await
    .expect("BAD_USER_INPUT", "exceeds");
        assert_eq!(everything(&app).await, before, "nothing changed");

        let data = app
            .ok(
                UPDATE_ASSIGNMENT,
                json!({"input": {"id": first["id"], "quantity": 5}}),
            )
            .await;
        assert_eq!(
            data["updateAssignment"],
            json!({"id": first["id"], "quantity": 5, "notes": "extra for the kids"})
        );
        let data = app
            .ok(
                UPDATE_ASSIGNMENT,
                json!({"input": {"id": first["id"], "notes": null}}),
            )
            .await;
        assert_eq!(
            data["updateAssignment"],
            json!({"id": first["id"], "quantity": 5, "notes": null})
        );
        let data = app.ok(REMOVE_ASSIGNMENT, json!({"id": first["id"]})).await;
        assert_eq!(data["removeAssignment"]["deletedId"], first["id"]);
        assert_eq!(count(&app, "event_recipient_packages").await, 0);
        app.error(REMOVE_ASSIGNMENT, json!({"id": first["id"]}))
            .await
            .expect("NOT_FOUND", "was not found");
    }
);

db_test!(assignments_are_listed_per_event_and_per_recipient, |app| {
    let christmas = fixtures::event(&app, "Christmas", "2026-12-25").await;
    let thanksgiving = fixtures::event(&app, "Thanksgiving", "2026-11-26").await;
    let bob = fixtures::recipient(&app, "Bob").await;
    let alice = fixtures::recipient(&app, "Alice").await;
    let tin = package(&app, "Cookie Tin").await;
    let box_ = package(&app, "Fudge Box").await;

    let bob_tin = fixtures::assign(
        &app,
        json!({"eventId": christmas["id"], "recipientId": bob["id"], "packageId": tin}),
    )
    .await;
    let alice_box = fixtures::assign(
        &app,
        json!({"eventId": christmas["id"], "recipientId": alice["id"], "packageId": box_, "quantity": 2}),
    )
    .await;
    let alice_tin = fixtures::assign(
        &app,
        json!({"eventId": christmas["id"], "recipientId": alice["id"], "packageId": tin}),
    )
    .await;
    let bob_thanks = fixtures::assign(
        &app,
        json!({"eventId": thanksgiving["id"], "recipientId": bob["id"], "packageId": box_}),
    )
    .await;
    app.ok(
        SET_STATUS,
        json!({"input": {"assignmentId": alice_tin["id"], "status": "READY"}}),
    )
    .await;

    let query = "query($id: ID!) { node(id: $id) { ... on Event { name
        all: assignments { id quantity recipient { name } package { name } event { name } }
        pending: assignments(status: PENDING) { id }
        ready: assignments(status: READY) { id fulfillmentStatus }
        delivered: assignments(status: DELIVERED) { id } } } }";
    let data = app.ok(query, json!({"id": christmas["id"]})).await;
    assert_eq!(
        data["node"]["all"],
        json!([
            {"id": alice_box["id"], "quantity": 2, "recipient": {"name": "Alice"}, "package": {"name": "Fudge Box"}, "event": {"name": "Christmas"}},
            {"id": alice_tin["id"], "quantity": 1, "recipient": {"name": "Alice"}, "package": {"name": "Cookie Tin"}, "event": {"name": "Christmas"}},
            {"id": bob_tin["id"], "quantity": 1, "recipient": {"name": "Bob"}, "package": {"name": "Cookie Tin"}, "event": {"name": "Christmas"}},
        ]),
        "ordered by recipient name, then id"
    );
    assert_eq!(
        data["node"]["pending"],
        json!([{"id": alice_box["id"]}, {"id": bob_tin["id"]}])
    );
    assert_eq!(
        data["node"]["ready"],
        json!([{"id": alice_tin["id"], "fulfillmentStatus": "READY"}])
    );
    assert_eq!(data["node"]["delivered"], json!([]));

    // Per recipient: newest event first; nested reads go through loaders.
    let data = app
        .ok(
            "{ recipients { nodes { name assignments { id event { name } package { name }
                 recipient { name assignments { id } } } } } }",
            json!({}),
        )
        .await;
    let nodes = &data["recipients"]["nodes"];
    assert_eq!(nodes[0]["name"], "Alice");
    assert_eq!(nodes[0]["assignments"].as_array().unwrap().len(), 2);
    assert_eq!(nodes[1]["name"], "Bob");
    assert_eq!(
        nodes[1]["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["id"].clone(), a["event"]["name"].clone()))
            .collect::<Vec<_>>(),
        vec![
            (bob_tin["id"].clone(), json!("Christmas")),
            (bob_thanks["id"].clone(), json!("Thanksgiving")),
        ]
    );
    assert_eq!(
        nodes[1]["assignments"][0]["recipient"]["assignments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let data = app
        .ok(
            "{ events { nodes { name assignments { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["events"]["nodes"],
        json!([{"name": "Thanksgiving", "assignments": [{"id": bob_thanks["id"]}]},
               {"name": "Christmas", "assignments": [{"id": alice_box["id"]}, {"id": alice_tin["id"]}, {"id": bob_tin["id"]}]}])
    );
    let node = app
        .ok(
            "query($id: ID!) { node(id: $id) { __typename ... on EventRecipientPackage { quantity recipient { name } } } }",
            json!({"id": alice_box["id"]}),
        )
        .await;
    assert_eq!(
        node["node"],
        json!({"__typename": "EventRecipientPackage", "quantity": 2, "recipient": {"name": "Alice"}})
    );
});

db_test!(
    fulfillment_moves_pending_ready_delivered_and_nothing_else,
    |app| {
        let event = fixtures::event(&app, "Christmas", "2026-12-25").await;
        let ann = fixtures::recipient(&app, "Ann").await;
        let tin = package(&app, "Cookie Tin").await;
        let a = fixtures::assign(
            &app,
            json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": tin}),
        )
        .await;
        let set = |status: &str, delivered_to: Value| json!({"input": {"assignmentId": a["id"], "status": status, "deliveredTo": delivered_to}});

        let before = everything(&app).await;
        for (status, current, allowed) in [
            ("DELIVERED", "PENDING", json!(["READY"])),
            ("PENDING", "PENDING", json!(["READY"])),
        ] {
            let error = app.error(SET_STATUS, set(status, Value::Null)).await;
            error.expect(
                "INVALID_TRANSITION",
                &format!("from PENDING to {status}; allowed: READY"),
            );
            assert_eq!(error.extensions["current"], current);
            assert_eq!(error.extensions["allowed"], allowed);
        }
        app.error(SET_STATUS, set("READY", json!("porch")))
            .await
            .expect(
                "BAD_USER_INPUT",
                "deliveredTo can only be given with status DELIVERED",
            );
        assert_eq!(everything(&app).await, before, "nothing changed");

        let ready =
            app.ok(SET_STATUS, set("READY", Value::Null)).await["updateFulfillmentStatus"].clone();
        assert_eq!(ready["fulfillmentStatus"], "READY");
        assert!(ready["readyAt"].is_string(), "readyAt is stamped: {ready}");
        assert_eq!(ready["deliveredAt"], Value::Null);
        assert_eq!(ready["deliveredTo"], Value::Null);

        let before = everything(&app).await;
        for status in ["READY", "PENDING"] {
            let error = app.error(SET_STATUS, set(status, Value::Null)).await;
            error.expect("INVALID_TRANSITION", "allowed: DELIVERED");
            assert_eq!(error.extensions["current"], "READY");
            assert_eq!(error.extensions["allowed"], json!(["DELIVERED"]));
        }
        assert_eq!(everything(&app).await, before, "nothing changed");

        let delivered = app
            .ok(SET_STATUS, set("DELIVERED", json!(" left with neighbour ")))
            .await["updateFulfillmentStatus"]
            .clone();
        assert_eq!(delivered["fulfillmentStatus"], "DELIVERED");
        assert_eq!(delivered["deliveredTo"], "left with neighbour");
        assert_eq!(delivered["readyAt"], ready["readyAt"], "readyAt is kept");
        assert!(delivered["deliveredAt"].is_string());
        let time = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
        assert!(time(&delivered["deliveredAt"]) >= time(&ready["readyAt"]));

        let before = everything(&app).await;
        for status in ["PENDING", "READY", "DELIVERED"] {
            let error = app.error(SET_STATUS, set(status, Value::Null)).await;
            error.expect("INVALID_TRANSITION", "none (final)");
            assert_eq!(error.extensions["current"], "DELIVERED");
            assert_eq!(error.extensions["allowed"], json!([]));
        }
        assert_eq!(everything(&app).await, before, "nothing changed");

        // Two concurrent PENDING → READY changes: exactly one wins.
        let b = fixtures::assign(
        &app,
        json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": package(&app, "Fudge Box").await}),
    )
    .await;
        let requests = (0..4).map(|_| {
            app.graphql(
                SET_STATUS,
                json!({"input": {"assignmentId": b["id"], "status": "READY"}}),
            )
        });
        let responses = futures::future::join_all(requests).await;
        let won = responses
            .iter()
            .filter(|r| r.get("errors").is_none())
            .count();
        assert_eq!(won, 1, "{responses:#?}");
        for response in responses.iter().filter(|r| r.get("errors").is_some()) {
            assert_eq!(
                response["errors"][0]["extensions"]["code"],
                "INVALID_TRANSITION"
            );
            assert_eq!(response["errors"][0]["extensions"]["current"], "READY");
        }
    }
);

db_test!(
    deleting_an_event_respects_runs_assignments_and_targets,
    |app| {
        let catalog = catalog(&app).await;
        let ann = fixtures::recipient(&app, "Ann").await;
        let tin = package(&app, "Cookie Tin").await;

        // Targets go with the event.
        let plain = fixtures::event(&app, "Bake Sale", "2026-10-01").await;
        targets(&app, &catalog, &plain["id"]).await;
        assert_eq!(count(&app, "event_production_targets").await, 1);
        let data = app.ok(DELETE_EVENT, json!({"id": plain["id"]})).await;
        assert_eq!(data["deleteEvent"]["deletedId"], plain["id"]);
        assert_eq!(count(&app, "event_production_targets").await, 0);
        assert_eq!(count(&app, "event_assembly_targets").await, 0);
        app.error(DELETE_EVENT, json!({"id": plain["id"]}))
            .await
            .expect("NOT_FOUND", "was not found");

        // Assignments refuse the delete unless cascadeAssignments is true.
        let christmas = fixtures::event(&app, "Christmas", "2026-12-25").await;
        targets(&app, &catalog, &christmas["id"]).await;
        fixtures::assign(
        &app,
        json!({"eventId": christmas["id"], "recipientId": ann["id"], "packageId": tin, "quantity": 2}),
    )
    .await;
        let before = everything(&app).await;
        let error = app
            .error(DELETE_EVENT, json!({"id": christmas["id"]}))
            .await;
        error.expect("DELETE_RESTRICTED", "1 package assignments");
        assert!(error.message.contains("cascadeAssignments"), "{error:?}");
        assert_eq!(error.extensions["references"][0]["count"], 1);
        let error = app
            .error(
                DELETE_EVENT,
                json!({"id": christmas["id"], "cascade": false}),
            )
            .await;
        error.expect("DELETE_RESTRICTED", "package assignments");

        // Runs refuse it even with cascadeAssignments; every blocking kind is counted.
        for _ in 0..2 {
            production_run_row(
                &app,
                &catalog.recipe,
                &catalog.finished_unit,
                Some(&christmas["id"]),
            )
            .await;
        }
        assembly_run_row(&app, &catalog.finished_good, Some(&christmas["id"])).await;
        let error = app
            .error(DELETE_EVENT, json!({"id": christmas["id"]}))
            .await;
        error.expect(
        "DELETE_RESTRICTED",
        "cannot delete event \"Christmas\": it is referenced by 2 production runs, 1 assembly runs, 1 package assignments",
    );
        let error = app
            .error(
                DELETE_EVENT,
                json!({"id": christmas["id"], "cascade": true}),
            )
            .await;
        error.expect("DELETE_RESTRICTED", "2 production runs, 1 assembly runs");
        assert_eq!(
            error.extensions["references"],
            json!([{"kind": "production runs", "count": 2}, {"kind": "assembly runs", "count": 1}])
        );
        assert_eq!(everything(&app).await, before, "nothing changed");
        assert_eq!(count(&app, "event_production_targets").await, 1);
        assert_eq!(count(&app, "event_assembly_targets").await, 1);

        // Without runs, cascadeAssignments deletes the event, its assignments and targets together.
        sql(&app, "DELETE FROM production_runs").await;
        sql(&app, "DELETE FROM assembly_runs").await;
        let data = app
            .ok(
                DELETE_EVENT,
                json!({"id": christmas["id"], "cascade": true}),
            )
            .await;
        assert_eq!(data["deleteEvent"]["deletedId"], christmas["id"]);
        assert_eq!(count(&app, "events").await, 0);
        assert_eq!(count(&app, "event_recipient_packages").await, 0);
        assert_eq!(count(&app, "event_production_targets").await, 0);
        assert_eq!(count(&app, "event_assembly_targets").await, 0);
        assert_eq!(count(&app, "recipients").await, 1, "recipients stay");
        assert_eq!(count(&app, "packages").await, 1, "packages stay");
    }
);
