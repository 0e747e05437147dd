//! Trusted documents (`--trusted-documents`, SPEC §4.1) over real HTTP with `--auth
//! required`: viewers and bakers run only the manifest's documents, sent as text (any
//! layout) or by id in the persisted-query extension; managers run anything; an unlisted
//! document is FORBIDDEN before anything is written.

use crate::auth::{as_token, token};
use crate::harness::TestApp;
use bakeplan::auth::trusted::TrustedDocuments;
use bakeplan::auth::{AuthMode, Role};
use bakeplan::db::Backend;
use bakeplan::http::persisted::sha256_hex;
use serde_json::{json, Value};

const VIEWER: &str = "query Me { viewer { name role } }";
const RECORD: &str =
    "mutation Record($input: RecordPurchaseInput!) { recordPurchase(input: $input) { id recordedBy } }";
const CREATE: &str =
    "mutation Create($name: String!) { createIngredient(input: {name: $name, unit: \"g\"}) { id } }";
/// Relay writes MD5 ids by default; any id names its document.
const RELAY_ID: &str = "a3c2f0e1b2d34c5d6e7f8091a2b3c4d5";

/// A server with auth required whose manifest lists the viewer query and the purchase
/// mutation: in Apollo's format by SHA-256, or in Relay's by other ids.
async fn spawn(backend: Backend, relay: bool) -> TestApp {
    let manifest = if relay {
        json!({ RELAY_ID: RECORD, "b1": VIEWER })
    } else {
        json!({
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [
                {"id": sha256_hex(VIEWER), "body": VIEWER, "name": "Me", "type": "query"},
                {"id": sha256_hex(RECORD), "body": RECORD, "name": "Record", "type": "mutation"},
            ],
        })
    };
    let trusted = TrustedDocuments::parse(&manifest.to_string()).expect("manifest");
    TestApp::spawn_custom(backend, 1, 8, move |state| {
        state
            .with_auth(AuthMode::Required)
            .with_trusted_documents(trusted)
    })
    .await
}

/// Posts a request body as the holder of `token`.
async fn post_body(app: &TestApp, token: &str, body: Value) -> Value {
    let authorization = format!("Bearer {token}");
    app.http_full(
        "POST",
        "/graphql",
        &[
            ("content-type", "application/json"),
            ("authorization", &authorization),
        ],
        Some(&body.to_string()),
    )
    .await
    .json()
}

fn by_hash(id: &str) -> Value {
    json!({"version": 1, "sha256Hash": id})
}

fn assert_forbidden(response: &Value) {
    assert_eq!(
        response["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{response}"
    );
    assert_eq!(
        response["errors"][0]["extensions"]["requiredRole"], "manager",
        "{response}"
    );
    assert!(
        response["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("trusted documents"),
        "{response}"
    );
    assert!(response["data"].is_null(), "{response}");
}

/// An ingredient made by the manager, and a purchase input for it.
async fn purchase(app: &TestApp, manager: &str, key: &str) -> Value {
    let created = as_token(
        app,
        manager,
        CREATE,
        json!({"name": format!("Flour {key}")}),
    )
    .await;
    assert!(created["errors"].is_null(), "{created}");
    json!({
        "ingredientId": created["data"]["createIngredient"]["id"],
        "quantity": "1000",
        "totalCost": "1.50",
        "idempotencyKey": key,
    })
}

async fn spawn_apollo(backend: Backend) -> TestApp {
    spawn(backend, false).await
}

async fn spawn_relay(backend: Backend) -> TestApp {
    spawn(backend, true).await
}

crate::db_test!(
    viewers_and_bakers_run_only_listed_documents_by_text_or_hash,
    spawn = spawn_apollo,
    |app| {
        let manager = token(&app, "boss", Role::Manager).await;
        let baker = token(&app, "oven", Role::Baker).await;
        let viewer = token(&app, "screen", Role::Viewer).await;

        // By text, in another layout: allowed for every role.
        let relaid = "query Me {\n  viewer {\n    name,\n    role # who\n  }\n}\n";
        let me = as_token(&app, &viewer, relaid, json!({})).await;
        assert_eq!(
            me["data"]["viewer"],
            json!({"name": "screen", "role": "VIEWER"})
        );
        // By hash alone, known from the manifest with no registration round trip.
        let me = post_body(
            &app,
            &baker,
            json!({"extensions": {"persistedQuery": by_hash(&sha256_hex(VIEWER))}}),
        )
        .await;
        assert_eq!(me["data"]["viewer"]["name"], "oven", "{me}");
        // And over GET.
        let extensions = json!({"persistedQuery": by_hash(&sha256_hex(VIEWER))}).to_string();
        let path = format!("/graphql?extensions={}", url_escape(&extensions));
        let authorization = format!("Bearer {viewer}");
        let got = app
            .http_full("GET", &path, &[("authorization", &authorization)], None)
            .await
            .json();
        assert_eq!(got["data"]["viewer"]["name"], "screen", "{got}");

        // The listed mutation works for a baker, by hash with variables.
        let input = purchase(&app, &manager, "apollo").await;
        let recorded = post_body(
            &app,
            &baker,
            json!({"extensions": {"persistedQuery": by_hash(&sha256_hex(RECORD))}, "variables": {"input": input}}),
        )
        .await;
        assert_eq!(
            recorded["data"]["recordPurchase"]["recordedBy"], "oven",
            "{recorded}"
        );

        // Anything else is FORBIDDEN for viewers and bakers, and writes nothing.
        let before = app.snapshot().await;
        for holder in [&viewer, &baker] {
            assert_forbidden(&as_token(&app, holder, CREATE, json!({"name": "Sneaky"})).await);
            assert_forbidden(
                &as_token(
                    &app,
                    holder,
                    "{ events(first: 1) { totalCount } }",
                    json!({}),
                )
                .await,
            );
            // Registering an unlisted document under its own hash does not make it trusted.
            let unlisted = "{ __typename }";
            let registered = post_body(
                &app,
                holder,
                json!({"query": unlisted, "extensions": {"persistedQuery": by_hash(&sha256_hex(unlisted))}}),
            )
            .await;
            assert_forbidden(&registered);
        }
        app.assert_unchanged(&before, "unlisted documents").await;

        // A manager runs anything.
        let created = as_token(&app, &manager, CREATE, json!({"name": "Managed"})).await;
        assert!(created["errors"].is_null(), "{created}");
    }
);

crate::db_test!(
    relay_manifests_name_documents_by_any_id,
    spawn = spawn_relay,
    |app| {
        let manager = token(&app, "boss", Role::Manager).await;
        let baker = token(&app, "oven", Role::Baker).await;
        let input = purchase(&app, &manager, "relay").await;
        let recorded = post_body(
        &app,
        &baker,
        json!({"extensions": {"persistedQuery": by_hash(RELAY_ID)}, "variables": {"input": input}}),
    )
    .await;
        assert!(recorded["errors"].is_null(), "{recorded}");
        let me = post_body(
            &app,
            &baker,
            json!({"extensions": {"persistedQuery": by_hash("b1")}}),
        )
        .await;
        assert_eq!(me["data"]["viewer"]["role"], "BAKER", "{me}");
        // The id with a different document is refused as a mismatch, not run.
        let mismatch = post_body(
        &app,
        &baker,
        json!({"query": VIEWER.replace("role", ""), "extensions": {"persistedQuery": by_hash("b1")}}),
    )
    .await;
        assert_eq!(
            mismatch["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{mismatch}"
        );
    }
);

/// Percent-escapes a query-string value.
fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
