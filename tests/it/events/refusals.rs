//! Deletes refused while referenced, and ids that are dangling or of the wrong type.

use super::*;

db_test!(recipients_with_assignments_cannot_be_deleted, |app| {
    let event = fixtures::event(&app, "Christmas", "2026-12-25").await;
    let ann = fixtures::recipient(&app, "Ann").await;
    let tin = package(&app, "Cookie Tin").await;
    let fudge = package(&app, "Fudge Box").await;
    let a = fixtures::assign(
        &app,
        json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": tin}),
    )
    .await;
    fixtures::assign(
        &app,
        json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": fudge}),
    )
    .await;
    let before = everything(&app).await;
    let error = app.error(DELETE_RECIPIENT, json!({"id": ann["id"]})).await;
    error.expect(
        "DELETE_RESTRICTED",
        "cannot delete recipient \"Ann\": it is referenced by 2 package assignments",
    );
    assert_eq!(
        error.extensions["references"],
        json!([{"kind": "package assignments", "count": 2}])
    );
    assert_eq!(everything(&app).await, before, "nothing changed");
    app.ok(REMOVE_ASSIGNMENT, json!({"id": a["id"]})).await;
    app.error(DELETE_RECIPIENT, json!({"id": ann["id"]}))
        .await
        .expect("DELETE_RESTRICTED", "1 package assignments");
    app.ok(DELETE_EVENT, json!({"id": event["id"], "cascade": true}))
        .await;
    app.ok(DELETE_RECIPIENT, json!({"id": ann["id"]})).await;
    assert_eq!(count(&app, "recipients").await, 0);
});

db_test!(dangling_and_wrong_type_ids_are_refused, |app| {
    let event = fixtures::event(&app, "Christmas", "2026-12-25").await;
    let ann = fixtures::recipient(&app, "Ann").await;
    let tin = package(&app, "Cookie Tin").await;
    fixtures::assign(
        &app,
        json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": tin}),
    )
    .await;
    let before = everything(&app).await;

    let missing_event = ids::encode("Event", 999_999);
    let missing_recipient = ids::encode("Recipient", 999_999);
    let missing_package = ids::encode("Package", 999_999);
    let missing_assignment = ids::encode("EventRecipientPackage", 999_999);
    for (input, needle) in [
        (
            json!({"eventId": missing_event, "recipientId": ann["id"], "packageId": tin}),
            format!("Event {} was not found", missing_event.as_str()),
        ),
        (
            json!({"eventId": event["id"], "recipientId": missing_recipient, "packageId": tin}),
            format!("Recipient {} was not found", missing_recipient.as_str()),
        ),
        (
            json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": missing_package}),
            format!("Package {} was not found", missing_package.as_str()),
        ),
    ] {
        app.error(ASSIGN, json!({ "input": input }))
            .await
            .expect("NOT_FOUND", &needle);
    }
    for input in [
        json!({"eventId": ann["id"], "recipientId": ann["id"], "packageId": tin}),
        json!({"eventId": event["id"], "recipientId": tin, "packageId": tin}),
        json!({"eventId": event["id"], "recipientId": ann["id"], "packageId": event["id"]}),
    ] {
        app.error(ASSIGN, json!({ "input": input }))
            .await
            .expect("BAD_USER_INPUT", "belongs to a");
    }
    app.error(
        ASSIGN,
        json!({"input": {"eventId": "nope", "recipientId": ann["id"], "packageId": tin}}),
    )
    .await
    .expect("BAD_USER_INPUT", "not a valid id");

    app.error(
        SET_STATUS,
        json!({"input": {"assignmentId": missing_assignment, "status": "READY"}}),
    )
    .await
    .expect(
        "NOT_FOUND",
        &format!(
            "EventRecipientPackage {} was not found",
            missing_assignment.as_str()
        ),
    );
    app.error(
        SET_STATUS,
        json!({"input": {"assignmentId": event["id"], "status": "READY"}}),
    )
    .await
    .expect("BAD_USER_INPUT", "not to a EventRecipientPackage");
    app.error(
        UPDATE_ASSIGNMENT,
        json!({"input": {"id": missing_assignment, "quantity": 2}}),
    )
    .await
    .expect("NOT_FOUND", "was not found");
    app.error(REMOVE_ASSIGNMENT, json!({"id": ann["id"]}))
        .await
        .expect("BAD_USER_INPUT", "not to a EventRecipientPackage");
    app.error(
        UPDATE_EVENT,
        json!({"input": {"id": missing_event, "name": "x"}}),
    )
    .await
    .expect(
        "NOT_FOUND",
        &format!("Event {} was not found", missing_event.as_str()),
    );
    app.error(DELETE_EVENT, json!({"id": ann["id"]}))
        .await
        .expect("BAD_USER_INPUT", "not to a Event");
    app.error(
        UPDATE_RECIPIENT,
        json!({"input": {"id": missing_recipient, "name": "x"}}),
    )
    .await
    .expect(
        "NOT_FOUND",
        &format!("Recipient {} was not found", missing_recipient.as_str()),
    );
    app.error(DELETE_RECIPIENT, json!({"id": event["id"]}))
        .await
        .expect("BAD_USER_INPUT", "not to a Recipient");
    assert_eq!(everything(&app).await, before, "nothing changed");

    let data = app
        .ok(
            "query($e: ID!, $r: ID!, $a: ID!) { e: node(id: $e) { id } r: node(id: $r) { id } a: node(id: $a) { id } }",
            json!({"e": missing_event, "r": missing_recipient, "a": missing_assignment}),
        )
        .await;
    assert_eq!(data, json!({"e": null, "r": null, "a": null}));
});
