//! Events and recipients: created, ordered, filtered, paged, updated and deleted; names
//! unique per year even under simultaneous creates.

use super::*;

db_test!(
    events_derive_their_year_and_names_are_unique_per_year,
    |app| {
        let a = fixtures::event(&app, "  Christmas  ", "2025-12-25").await;
        assert_eq!(a["name"], "Christmas");
        assert_eq!(a["year"], 2025);
        assert_eq!(a["eventDate"], "2025-12-25");
        let b = app
        .ok(
            CREATE_EVENT,
            json!({"input": {"name": "Christmas", "eventDate": "2026-12-24", "notes": " cookies "}}),
        )
        .await["createEvent"]
        .clone();
        assert_eq!(b["year"], 2026);
        assert_eq!(b["notes"], "cookies");

        let before = everything(&app).await;
        app.error(
            CREATE_EVENT,
            json!({"input": {"name": "CHRISTMAS", "eventDate": "2026-01-02"}}),
        )
        .await
        .expect("CONFLICT", "\"CHRISTMAS\" already exists in 2026");
        app.error(
            CREATE_EVENT,
            json!({"input": {"name": "  ", "eventDate": "2026-01-02"}}),
        )
        .await
        .expect("BAD_USER_INPUT", "must not be empty");
        app.error(
            CREATE_EVENT,
            json!({"input": {"name": "Easter", "eventDate": "2026-02-30"}}),
        )
        .await
        .expect("BAD_USER_INPUT", "YYYY-MM-DD");
        // Moving the 2026 event into 2025 collides with the 2025 one.
        app.error(
            UPDATE_EVENT,
            json!({"input": {"id": b["id"], "eventDate": "2025-12-20"}}),
        )
        .await
        .expect("CONFLICT", "already exists in 2025");
        assert_eq!(everything(&app).await, before, "nothing changed");

        // A new date re-derives the year; renaming to its own name (any case) is fine.
        let data = app
            .ok(
                UPDATE_EVENT,
                json!({"input": {"id": b["id"], "eventDate": "2027-01-06", "name": "christmas"}}),
            )
            .await;
        assert_eq!(
            data["updateEvent"],
            json!({"id": b["id"], "name": "christmas", "eventDate": "2027-01-06", "year": 2027, "notes": "cookies"})
        );
        let data = app
            .ok(
                UPDATE_EVENT,
                json!({"input": {"id": b["id"], "notes": null}}),
            )
            .await;
        assert_eq!(data["updateEvent"]["notes"], Value::Null);
        assert_eq!(data["updateEvent"]["year"], 2027, "absent fields are kept");
        // Now "Christmas" is free in 2026 again.
        fixtures::event(&app, "Christmas", "2026-12-25").await;

        let node = app
            .ok(
                "query($id: ID!) { node(id: $id) { __typename id ... on Event { name year } } }",
                json!({"id": a["id"]}),
            )
            .await;
        assert_eq!(
            node["node"],
            json!({"__typename": "Event", "id": a["id"], "name": "Christmas", "year": 2025})
        );
    }
);

db_test!(events_are_ordered_by_date_filtered_and_paged, |app| {
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    fixtures::event(&app, "Far Future", "2099-06-01").await;
    fixtures::event(&app, "Long Ago", "2020-12-25").await;
    fixtures::event(&app, "Today", &today).await;
    fixtures::event(&app, "Same Day A", "2099-01-01").await;
    fixtures::event(&app, "Same Day B", "2099-01-01").await;
    fixtures::event(&app, "Earlier Ago", "2020-03-01").await;

    let data = app
        .ok("{ events { totalCount nodes { name } } }", json!({}))
        .await;
    assert_eq!(data["events"]["totalCount"], 6);
    assert_eq!(
        data["events"]["nodes"],
        json!([{"name": "Earlier Ago"}, {"name": "Long Ago"}, {"name": "Today"},
               {"name": "Same Day A"}, {"name": "Same Day B"}, {"name": "Far Future"}])
    );
    let data = app
        .ok(
            "{ y2020: events(year: 2020) { totalCount nodes { name } }
               upcoming: events(upcoming: true) { totalCount nodes { name } }
               past: events(upcoming: false) { nodes { name } }
               both: events(year: 2099, upcoming: false) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data["y2020"]["totalCount"], 2);
    assert_eq!(
        data["y2020"]["nodes"],
        json!([{"name": "Earlier Ago"}, {"name": "Long Ago"}])
    );
    assert_eq!(
        data["upcoming"]["totalCount"], 4,
        "today counts as upcoming"
    );
    assert_eq!(data["upcoming"]["nodes"][0]["name"], "Today");
    assert_eq!(
        data["past"]["nodes"],
        json!([{"name": "Earlier Ago"}, {"name": "Long Ago"}])
    );
    assert_eq!(data["both"]["totalCount"], 0);

    let data = app
        .ok(
            "{ events(first: 2, upcoming: true) { pageInfo { hasNextPage endCursor } nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["events"]["nodes"],
        json!([{"name": "Today"}, {"name": "Same Day A"}])
    );
    assert_eq!(data["events"]["pageInfo"]["hasNextPage"], true);
    let data = app
        .ok(
            "query($after: String) { events(first: 2, after: $after, upcoming: true) {
               pageInfo { hasNextPage hasPreviousPage } nodes { name } } }",
            json!({"after": data["events"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(
        data["events"]["nodes"],
        json!([{"name": "Same Day B"}, {"name": "Far Future"}])
    );
    assert_eq!(
        data["events"]["pageInfo"],
        json!({"hasNextPage": false, "hasPreviousPage": true})
    );
    let data = app
        .ok("{ events(last: 1) { nodes { name } } }", json!({}))
        .await;
    assert_eq!(data["events"]["nodes"], json!([{"name": "Far Future"}]));
    app.error("{ events(first: 101) { totalCount } }", json!({}))
        .await
        .expect("BAD_USER_INPUT", "at most 100");
});

db_test!(recipients_are_created_updated_listed_and_deleted, |app| {
    let smith = app
        .ok(
            CREATE_RECIPIENT,
            json!({"input": {"name": " Grandma ", "householdName": "The Smiths", "address": "1 Elm St", "notes": "no nuts"}}),
        )
        .await["createRecipient"]
        .clone();
    assert_eq!(
        smith,
        json!({"id": smith["id"], "name": "Grandma", "householdName": "The Smiths", "address": "1 Elm St", "notes": "no nuts"})
    );
    let jones = fixtures::recipient(&app, "Grandma").await;
    fixtures::recipient(&app, "Alice").await;
    fixtures::recipient(&app, "Zed").await;

    let data = app
        .ok(
            "{ recipients { totalCount nodes { id name } pageInfo { startCursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["recipients"]["totalCount"], 4);
    let after_alice = data["recipients"]["pageInfo"]["startCursor"].clone();
    assert_eq!(
        data["recipients"]["nodes"],
        json!([{"id": data["recipients"]["nodes"][0]["id"], "name": "Alice"},
               {"id": smith["id"], "name": "Grandma"},
               {"id": jones["id"], "name": "Grandma"},
               {"id": data["recipients"]["nodes"][3]["id"], "name": "Zed"}]),
        "ordered by name, then id"
    );
    let data = app
        .ok(
            "query($after: String) { byName: recipients(search: \"GRAND\") { totalCount }
               byHousehold: recipients(search: \"smiths\") { nodes { name householdName } }
               page: recipients(first: 1, after: $after) { nodes { name } } }",
            json!({"after": after_alice}),
        )
        .await;
    assert_eq!(data["byName"]["totalCount"], 2);
    assert_eq!(
        data["byHousehold"]["nodes"],
        json!([{"name": "Grandma", "householdName": "The Smiths"}])
    );
    assert_eq!(data["page"]["nodes"], json!([{"name": "Grandma"}]));

    let data = app
        .ok(
            UPDATE_RECIPIENT,
            json!({"input": {"id": smith["id"], "householdName": null, "address": "2 Oak Ave"}}),
        )
        .await;
    assert_eq!(
        data["updateRecipient"],
        json!({"id": smith["id"], "name": "Grandma", "householdName": null, "address": "2 Oak Ave", "notes": "no nuts"})
    );
    let before = everything(&app).await;
    app.error(
        UPDATE_RECIPIENT,
        json!({"input": {"id": smith["id"], "name": " "}}),
    )
    .await
    .expect("BAD_USER_INPUT", "must not be empty");
    app.error(CREATE_RECIPIENT, json!({"input": {"name": ""}}))
        .await
        .expect("BAD_USER_INPUT", "must not be empty");
    assert_eq!(everything(&app).await, before, "nothing changed");

    let data = app.ok(DELETE_RECIPIENT, json!({"id": jones["id"]})).await;
    assert_eq!(data["deleteRecipient"]["deletedId"], jones["id"]);
    app.error(DELETE_RECIPIENT, json!({"id": jones["id"]}))
        .await
        .expect("NOT_FOUND", "was not found");
    let node = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Recipient { name assignments { id } } } }",
            json!({"id": smith["id"]}),
        )
        .await;
    assert_eq!(node["node"], json!({"name": "Grandma", "assignments": []}));
    assert_eq!(count(&app, "recipients").await, 3);
});

crate::db_test_concurrent!(
    simultaneous_creates_differing_only_in_case_make_one_event,
    workers = 4,
    |app| {
        let names = [
            "Christmas",
            "CHRISTMAS",
            "christmas",
            "ChristMas",
            "cHRISTMAS",
            " Christmas ",
            "christMAS",
            "CHRISTmas",
        ];
        let inputs = names
            .iter()
            .map(|name| json!({"name": name, "eventDate": "2026-12-24"}))
            .collect();
        let responses = app.all_at_once(CREATE_EVENT, inputs).await;
        let created = responses
            .iter()
            .filter(|r| crate::harness::error_code(r).is_none())
            .count();
        assert_eq!(created, 1, "{responses:#?}");
        for response in &responses {
            if let Some(code) = crate::harness::error_code(response) {
                assert_eq!(code, "CONFLICT", "{response:#}");
            }
        }
        assert_eq!(count(&app, "events").await, 1);
    }
);
