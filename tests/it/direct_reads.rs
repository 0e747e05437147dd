//! The direct read executor (`graphql::direct`) against async-graphql's: the same
//! documents sent to two servers on one database, one with `--direct-reads off`, must get
//! the same status and the same bytes, whether the direct executor answers them or leaves
//! them to async-graphql (which then also reports every error).

use crate::db_test;
use crate::fixtures::{event, production_target, recipe};
use crate::harness::raw_http_full;
use serde_json::{json, Value};
use std::net::SocketAddr;

/// A query, its variables, and whether the direct executor should answer it itself.
struct Case {
    query: String,
    variables: Value,
    direct: bool,
}

fn case(direct: bool, query: &str, variables: Value) -> Case {
    Case {
        query: query.to_string(),
        variables,
        direct,
    }
}

const SPEC_3_3: &str = "{ events(first: 20) { nodes { name eventDate progress { packagesPending productionComplete }
    productionTargets { targetBatches recipe { name } progress { producedBatches progressPercent isComplete }
      productionRuns(first: 5) { totalCount nodes { numBatches actualYield producedAt } } }
    assemblyTargets { targetQuantity finishedGood { name } progress { assembledQuantity isComplete } } } } }";

const EVERY_EVENT_FIELD: &str = "{ events(first: 3) { __typename totalCount
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    edges { __typename cursor node { __typename id name eventDate year notes createdAt updatedAt
      progress { __typename productionTargetsCount productionCompleteCount productionComplete
        assemblyTargetsCount assemblyCompleteCount assemblyComplete packagesPending packagesReady
        packagesDelivered packagesTotal isComplete } } } } }";

const EVERY_TARGET_FIELD: &str = "{ events(first: 2) { nodes {
    productionTargets { __typename id targetBatches notes createdAt updatedAt
      recipe { __typename id uuid name category yieldQuantity yieldUnit yieldDescription
        estimatedMinutes source notes createdAt updatedAt }
      progress { __typename targetBatches producedBatches producedYield remainingBatches
        progressPercent isComplete }
      productionRuns(first: 3) { __typename totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { __typename cursor node { __typename id numBatches expectedYield actualYield
          producedAt notes totalIngredientCost perUnitCost recordedBy createdAt } }
        nodes { id } } }
    assemblyTargets { __typename id targetQuantity notes createdAt updatedAt
      finishedGood { __typename id slug name assemblyType description packagingInstructions
        inventoryCount averageUnitCost notes createdAt updatedAt }
      progress { __typename targetQuantity assembledQuantity remainingQuantity progressPercent
        isComplete } } } } }";

/// The peerbench's page of events with only their targets and run counts.
const NESTED_SMALL: &str = "{ events(first: 20) { nodes { name productionTargets { targetBatches
    recipe { name } productionRuns { totalCount } } } } }";

/// The peerbench's one event's screen.
const ONE_EVENT: &str = "query OneEvent($id: ID!) { node(id: $id) { ... on Event { name eventDate
    progress { productionTargetsCount productionCompleteCount productionComplete
      packagesPending packagesReady packagesDelivered packagesTotal }
    productionTargets { targetBatches recipe { name }
      progress { producedBatches producedYield remainingBatches progressPercent isComplete } } } } }";

/// The documents compared: what the direct executor answers, then what it must leave to
/// async-graphql (other fields, fragments, directives, bad arguments and variables).
/// `cursor` is the first event's.
fn cases(event_id: &str, cursor: &str) -> Vec<Case> {
    let none = json!({});
    let node = format!(
        "{{ node(id: \"{event_id}\") {{ id __typename ... on Event {{ name notes
          progress {{ isComplete packagesTotal }}
          productionTargets {{ targetBatches progress {{ producedBatches progressPercent }} }}
          assemblyTargets {{ progress {{ assembledQuantity isComplete }} }} }} }} }}"
    );
    vec![
        case(true, SPEC_3_3, none.clone()),
        case(true, EVERY_EVENT_FIELD, none.clone()),
        case(true, EVERY_TARGET_FIELD, none.clone()),
        case(true, &node, none.clone()),
        case(true, NESTED_SMALL, none.clone()),
        // (One event's screens: `screen_cases`.)
        // Progress summed from only the rows its selected fields need.
        case(true, "{ events { nodes { progress { packagesTotal packagesReady } } } }", none.clone()),
        case(true, "{ events { nodes { progress { assemblyCompleteCount assemblyComplete } } } }", none.clone()),
        case(
            true,
            "{ events { nodes { progress { productionTargetsCount productionCompleteCount }
               assemblyTargets { targetQuantity } } } }",
            none.clone(),
        ),
        // Without a total, the page after a cursor still knows what lies behind it.
        case(
            true,
            "query ($after: String) { events(first: 2, after: $after) {
               pageInfo { hasPreviousPage hasNextPage } nodes { id } } }",
            json!({ "after": cursor }),
        ),
        case(
            true,
            "query ($after: String) { events(first: 1, after: $after) {
               pageInfo { hasNextPage endCursor } nodes { name } } }",
            json!({ "after": cursor }),
        ),
        case(
            true,
            "query ($before: String) { events(last: 1, before: $before) {
               pageInfo { hasPreviousPage hasNextPage } edges { cursor } } }",
            json!({ "before": cursor }),
        ),
        case(
            true,
            "query Page($n: Int, $year: Int = 2026, $after: String) {
               __typename a: events(first: $n, year: $year, after: $after) { totalCount nodes { name } }
               b: events(last: 2, upcoming: false) { pageInfo { hasPreviousPage hasNextPage } nodes { id } } }",
            json!({"n": 2}),
        ),
        case(
            true,
            "query One($id: ID!) { node(id: $id) { ... { id } ... on Event { year productionTargets { productionRuns { totalCount } } } } }",
            json!({ "id": event_id }),
        ),
        case(true, "{ events(first: 0) { totalCount nodes { name } pageInfo { hasNextPage } } }", none.clone()),
        // Pages with their targets in brief: backward, after a cursor, filtered, counted,
        // empty, and with the packages counted beside them.
        case(
            true,
            "{ events(last: 3) { totalCount pageInfo { hasPreviousPage hasNextPage }
               nodes { name productionTargets { targetBatches recipe { name } } } } }",
            none.clone(),
        ),
        case(
            true,
            "query ($after: String) { events(first: 2, after: $after) { pageInfo { hasPreviousPage }
               edges { cursor node { id productionTargets { id recipe { id } progress { isComplete } } } } } }",
            json!({ "after": cursor }),
        ),
        case(
            true,
            "{ events(year: 2026, upcoming: true) { nodes { eventDate
               progress { productionComplete packagesPending } productionTargets { targetBatches } } } }",
            none.clone(),
        ),
        case(true, "{ events(first: 0) { nodes { productionTargets { targetBatches } } } }", none.clone()),
        // Assembly targets read brief (their goods' ids and names only), and whole where any
        // selection of them shows more.
        case(
            true,
            "{ events(first: 3) { nodes { assemblyTargets { __typename id targetQuantity
               finishedGood { __typename id name } progress { remainingQuantity isComplete } } } } }",
            none.clone(),
        ),
        case(
            true,
            "{ events(first: 3) { nodes { brief: assemblyTargets { finishedGood { name } }
               whole: assemblyTargets { finishedGood { slug } } } } }",
            none.clone(),
        ),
        case(
            true,
            "{ events(first: 3) { nodes { assemblyTargets { targetQuantity updatedAt } } } }",
            none.clone(),
        ),
        // Runs read brief, whole, and both at one page size.
        case(
            true,
            "{ events(first: 3) { nodes { productionTargets {
               brief: productionRuns(first: 2) { pageInfo { hasNextPage endCursor }
                 edges { cursor node { __typename id numBatches expectedYield actualYield producedAt } } }
               whole: productionRuns(first: 2) { nodes { id notes createdAt } }
               alone: productionRuns(first: 4) { nodes { producedAt } } } } } }",
            none.clone(),
        ),
        // Targets read brief, with their recipes' names, unless a selection shows more.
        case(
            true,
            "{ events(first: 3) { nodes { productionTargets { __typename id targetBatches
               recipe { __typename id name } progress { isComplete } } } } }",
            none.clone(),
        ),
        case(
            true,
            "{ events(first: 3) { nodes { brief: productionTargets { recipe { name } }
               whole: productionTargets { notes createdAt updatedAt } } } }",
            none.clone(),
        ),
        case(
            true,
            "{ events(first: 3) { edges { node { productionTargets { recipe { name category } } } }
               nodes { productionTargets { targetBatches recipe { id } } } } }",
            none.clone(),
        ),
        // Pages around the targets' run counts: whether more follow comes from the totals.
        case(
            true,
            "{ events(first: 4) { nodes { productionTargets {
               none: productionRuns(first: 0) { pageInfo { hasNextPage } nodes { id } }
               some: productionRuns(first: 25) { pageInfo { hasNextPage endCursor } nodes { numBatches } }
               all: productionRuns(first: 100) { pageInfo { hasNextPage } edges { cursor } } } } } }",
            none.clone(),
        ),
        // Left to async-graphql.
        case(false, "{ events { nodes { recipeNeeds { recipe { name } } } } }", none.clone()),
        case(false, "{ events { nodes { name @include(if: true) } } }", none.clone()),
        case(false, "query { events { ...Names } } fragment Names on EventConnection { nodes { name } }", none.clone()),
        case(false, "{ events { nodes { name name } } }", none.clone()),
        case(false, "{ events(first: 101) { totalCount } }", none.clone()),
        case(false, "{ events(first: -1) { totalCount } }", none.clone()),
        case(false, "{ events(after: \"nope\") { totalCount } }", none.clone()),
        case(false, "{ events(first: \"2\") { totalCount } }", none.clone()),
        case(false, "{ events { nodes { nope } } }", none.clone()),
        case(false, "{ events { totalCount { x } } }", none.clone()),
        case(false, "{ events { nodes } }", none.clone()),
        case(false, "query ($n: Int!) { events(first: $n) { totalCount } }", none.clone()),
        case(false, "query ($n: Int) { events(first: 2) { totalCount } }", none.clone()),
        case(false, "query ($n: String) { events(first: $n) { totalCount } }", none.clone()),
        case(false, "query ($n: Int!) { events(first: $n) { totalCount } }", json!({"n": null})),
        case(false, "{ node(id: \"bm9wZQ\") { id } }", none.clone()),
        case(false, &format!("{{ node(id: \"{event_id}\") {{ name }} }}"), none.clone()),
        case(false, &format!("{{ node(id: \"{event_id}\") {{ ... {{ name }} }} }}"), none.clone()),
        case(false, "{ events { nodes { productionTargets { productionRuns(last: 2) { totalCount } } } } }", none.clone()),
        case(false, "mutation { deleteEvent(id: \"x\") { id } }", none.clone()),
        case(false, "query A { events { totalCount } } query B { events { totalCount } }", none.clone()),
    ]
}

/// One event's screens that one statement reads (`store::event_screen`), by the event's
/// global id: with and without its packages counted, with targets or only their progress.
fn screen_cases(id: &str) -> Vec<Case> {
    let id = json!({ "id": id });
    [
        ONE_EVENT,
        "query ($id: ID!) { node(id: $id) { ... on Event { progress {
           productionTargetsCount productionCompleteCount productionComplete } } } }",
        "query ($id: ID!) { node(id: $id) { __typename id ... on Event { name year notes
           productionTargets { __typename id targetBatches recipe { id name }
             progress { targetBatches remainingBatches producedYield } } } } }",
        "query ($id: ID!) { node(id: $id) { ... on Event { productionTargets { targetBatches }
           progress { packagesTotal packagesDelivered productionComplete } } } }",
    ]
    .into_iter()
    .map(|query| case(true, query, id.clone()))
    .collect()
}

async fn post(addr: SocketAddr, case: &Case) -> (u16, String) {
    let body = json!({ "query": case.query, "variables": case.variables }).to_string();
    let headers = [("content-type", "application/json")];
    let reply = raw_http_full(addr, "POST", "/graphql", &headers, Some(&body)).await;
    (reply.status, reply.body)
}

/// The value of an unlabelled counter in a `/metrics` text.
fn counter(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0)
}

/// Fills the app's database with a small `bench-data` set of `events` events.
async fn generated(app: &crate::harness::TestApp, events: u32, seed: u64) {
    let args = bakeplan::bench_data::BenchDataArgs {
        events,
        recipes: 12,
        finished_goods: 6,
        production_runs: 400,
        assembly_runs: 150,
        production_targets: 4,
        assembly_targets: 2,
        seed,
    };
    bakeplan::bench_data::fill(&app.db, &args)
        .await
        .expect("bench data");
}

db_test!(direct_reads_give_the_bytes_async_graphql_gives, |app| {
    generated(&app, 4, 11).await;
    // Text that must be escaped, and notes on an event with no targets.
    let odd = event(&app, "Nöel \"Big\" Bake\\\n\u{1}", "2026-12-24").await;
    app.ok(
        "mutation($id: ID!) { updateEvent(input: { id: $id, notes: \"tab\\there\" }) { id } }",
        json!({ "id": odd["id"] }),
    )
    .await;
    // Targets that no run has worked towards yet (no totals row).
    let quiet = event(&app, "Quiet Bake", "2026-12-26").await;
    let untouched = recipe(&app, "Untouched Shortbread").await;
    production_target(&app, &quiet["id"], &untouched["id"], 3).await;
    let first = app
        .ok(
            "{ events(first: 1) { edges { cursor node { id } } } }",
            json!({}),
        )
        .await;
    let edge = &first["events"]["edges"][0];
    let event_id = edge["node"]["id"].as_str().expect("an id").to_string();
    let cursor = edge["cursor"].as_str().expect("a cursor").to_string();

    let (generic, generic_handle) = app.twin(|state| state.with_direct_reads(false));
    let mut cases = cases(&event_id, &cursor);
    for id in [&odd["id"], &quiet["id"]].map(|id| id.as_str().expect("an id")) {
        cases.extend(screen_cases(id));
    }
    cases.extend(screen_cases(&event_id));
    // (Each document once: a repeated one would be answered from the response cache.)
    // An event that does not exist: async-graphql answers null.
    let missing = bakeplan::graphql::ids::encode("Event", 999_999).to_string();
    cases.push(case(false, ONE_EVENT, json!({ "id": missing })));
    let direct_reads = || async {
        let (_, metrics) = app.http("GET", "/metrics", &[], None).await;
        counter(&metrics, "bakeplan_graphql_direct_reads_total")
    };
    for case in &cases {
        let before = direct_reads().await;
        let direct = post(app.addr, case).await;
        assert_eq!(
            direct_reads().await - before,
            u64::from(case.direct),
            "the direct executor answers {:?} itself: {}",
            case.query,
            case.direct
        );
        let through_async_graphql = post(generic, case).await;
        assert_eq!(
            direct, through_async_graphql,
            "both executors answer {:?} alike",
            case.query
        );
        assert!(
            direct.0 == 200 || !case.direct,
            "{}: {}",
            case.query,
            direct.1
        );
    }
    let metrics = raw_http_full(generic, "GET", "/metrics", &[], None)
        .await
        .body;
    assert_eq!(counter(&metrics, "bakeplan_graphql_direct_reads_total"), 0);
    generic_handle.stop(false).await;
});

db_test!(direct_reads_cost_no_more_statements, |app| {
    generated(&app, 6, 5).await;
    let first = app
        .ok("{ events(first: 1) { nodes { id } } }", json!({}))
        .await;
    let event_id = first["events"]["nodes"][0]["id"].clone();
    let (generic, generic_handle) = app.twin(|state| state.with_direct_reads(false));
    // Each shape, and the statements the direct executor needs for it:
    let shapes = [
        // The page (not counted: no totalCount); targets of each kind joined with their
        // totals and their recipes or goods; the packages by status; the run windows.
        ("§3.3", case(true, SPEC_3_3, json!({})), 5),
        // The page; production targets in brief with their totals and recipes' names.
        ("nested-small", case(true, NESTED_SMALL, json!({})), 2),
        // The event with its production targets in brief (with totals and recipes' names)
        // and its packages by status, in one statement; no assembly targets, as no
        // selected field sums them.
        (
            "one-event",
            case(true, ONE_EVENT, json!({ "id": event_id })),
            1,
        ),
    ];
    for (name, shape, expected) in shapes {
        let before = app.statements();
        let checkouts_before = app.checkouts();
        let direct = post(app.addr, &shape).await;
        let direct_statements = app.statements() - before;
        let direct_checkouts = app.checkouts() - checkouts_before;
        let before = app.statements();
        let through_async_graphql = post(generic, &shape).await;
        let generic_statements = app.statements() - before;
        assert_eq!(direct, through_async_graphql);
        eprintln!(
            "[{}] {name} statements: direct {direct_statements}, async-graphql {generic_statements}",
            app.backend.name()
        );
        assert!(direct_statements < generic_statements, "{name}");
        assert_eq!(
            direct_statements, expected,
            "{name} in {expected} statements"
        );
        // On PostgreSQL a read's statements share one connection, pipelined; on SQLite
        // each takes its own.
        let connections = match app.backend {
            bakeplan::db::Backend::Postgres => 1,
            bakeplan::db::Backend::Sqlite => expected,
        };
        assert_eq!(
            direct_checkouts, connections,
            "{name} on {connections} connection(s)"
        );
    }
    generic_handle.stop(false).await;
});
