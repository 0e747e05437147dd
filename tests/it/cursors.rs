//! Relay cursors that survive writes (issue #9, item 5; SPEC §4.2): every connection is
//! walked forward and backward two items at a time while items are inserted and deleted
//! before and after the cursor — including the cursor's own item — and no item may repeat
//! or be skipped. Also: `first`/`after`/`before`/`last` together, ties of the sort value,
//! filters across pages, the batched per-target run pages, and refused cursors.

use crate::db_test;
use crate::fixtures::create_ingredient;
use crate::fixtures::{
    event, finished_good_with, finished_unit, package, pk, production_target, recipe, recipient,
    sql, sql_number,
};
use crate::harness::TestApp;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

/// The connections walked, each ordered so that a larger label comes later in the list.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Ingredients,
    Recipes,
    FinishedUnits,
    FinishedGoods,
    Packages,
    Recipients,
    Events,
    ProductionRuns,
    AssemblyRuns,
}

impl Kind {
    /// The top-level connection field.
    fn field(self) -> &'static str {
        match self {
            Kind::Ingredients => "ingredients",
            Kind::Recipes => "recipes",
            Kind::FinishedUnits => "finishedUnits",
            Kind::FinishedGoods => "finishedGoods",
            Kind::Packages => "packages",
            Kind::Recipients => "recipients",
            Kind::Events => "events",
            Kind::ProductionRuns => "productionRuns",
            Kind::AssemblyRuns => "assemblyRuns",
        }
    }

    /// The table its items live in.
    fn table(self) -> &'static str {
        match self {
            Kind::Ingredients => "ingredients",
            Kind::Recipes => "recipes",
            Kind::FinishedUnits => "finished_units",
            Kind::FinishedGoods => "finished_goods",
            Kind::Packages => "packages",
            Kind::Recipients => "recipients",
            Kind::Events => "events",
            Kind::ProductionRuns => "production_runs",
            Kind::AssemblyRuns => "assembly_runs",
        }
    }

    /// The text field holding an item's label (runs have no name: their notes).
    fn label_field(self) -> &'static str {
        match self {
            Kind::ProductionRuns | Kind::AssemblyRuns => "notes",
            _ => "name",
        }
    }
}

/// An item's label: its name (or notes), which orders the list.
fn label(n: u32) -> String {
    format!("Item {n:02}")
}

/// Runs are newest first: item `n` is `n` minutes (and a fraction, to round-trip
/// microseconds) older than a base time, so larger labels come later.
fn run_time(n: u32) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(2026, 11, 20)
        .expect("date")
        .and_hms_micro_opt(12, 0, 0, 654_321)
        .expect("time");
    (base - chrono::Duration::minutes(i64::from(n)))
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}

/// One list under test, with the parents its items need.
struct List<'a> {
    app: &'a TestApp,
    kind: Kind,
    /// (recipe pk, finished unit pk) for production runs; (finished good pk) for assembly
    /// runs; the recipe for finished units.
    parents: Vec<Value>,
}

/// One page as the client sees it.
#[derive(Debug)]
struct Seen {
    labels: Vec<String>,
    cursors: Vec<String>,
    total: i64,
    has_next: bool,
    has_previous: bool,
    start: Option<String>,
    end: Option<String>,
}

impl<'a> List<'a> {
    async fn new(app: &'a TestApp, kind: Kind) -> List<'a> {
        let parents = match kind {
            Kind::FinishedUnits => vec![recipe(app, "Parent recipe").await["id"].clone()],
            Kind::ProductionRuns => {
                let recipe = recipe(app, "Parent recipe").await;
                let unit = finished_unit(app, &recipe["id"], "Parent unit", 24).await;
                vec![recipe["id"].clone(), unit["id"].clone()]
            }
            Kind::AssemblyRuns => {
                vec![finished_good_with(
                    app,
                    json!({"name": "Parent box", "assemblyType": "GIFT_BOX"}),
                )
                .await["id"]
                    .clone()]
            }
            _ => Vec::new(),
        };
        List { app, kind, parents }
    }

    /// Adds item `n`.
    async fn insert(&self, n: u32) {
        let app = self.app;
        let name = label(n);
        match self.kind {
            Kind::Ingredients => {
                create_ingredient(app, json!({"name": name, "unit": "g"})).await;
            }
            Kind::Recipes => {
                recipe(app, &name).await;
            }
            Kind::FinishedUnits => {
                finished_unit(app, &self.parents[0], &name, 12).await;
            }
            Kind::FinishedGoods => {
                finished_good_with(app, json!({"name": name, "assemblyType": "GIFT_BOX"})).await;
            }
            Kind::Packages => {
                package(app, &name, json!([])).await;
            }
            Kind::Recipients => {
                recipient(app, &name).await;
            }
            Kind::Events => {
                let date = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).expect("date")
                    + chrono::Duration::days(i64::from(n));
                event(app, &name, &date.to_string()).await;
            }
            Kind::ProductionRuns => {
                sql(
                    app,
                    &format!(
                        "INSERT INTO production_runs (uuid, created_at, updated_at, recipe_id, \
                         finished_unit_id, event_id, num_batches, expected_yield, actual_yield, \
                         produced_at, notes, total_ingredient_cost, per_unit_cost) VALUES \
                         ('{}', '{t}', '{t}', {}, {}, NULL, 1, 24, 24, '{t}', '{name}', 0, 0)",
                        uuid::Uuid::new_v4(),
                        pk(&self.parents[0]),
                        pk(&self.parents[1]),
                        t = run_time(n),
                    ),
                )
                .await;
            }
            Kind::AssemblyRuns => {
                sql(
                    app,
                    &format!(
                        "INSERT INTO assembly_runs (uuid, created_at, updated_at, finished_good_id, \
                         event_id, quantity, assembled_at, notes, total_component_cost, \
                         per_unit_cost) VALUES ('{}', '{t}', '{t}', {}, NULL, 1, '{t}', '{name}', 0, 0)",
                        uuid::Uuid::new_v4(),
                        pk(&self.parents[0]),
                        t = run_time(n),
                    ),
                )
                .await;
            }
        }
    }

    /// Deletes item `n` (no other row refers to it).
    async fn delete(&self, n: u32) {
        let (table, column) = (self.kind.table(), self.kind.label_field());
        let where_ = format!("{column} = '{}'", label(n));
        let before = sql_number(
            self.app,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table} WHERE {where_}"),
        )
        .await;
        assert_eq!(before, 1, "item {n} exists before it is deleted");
        sql(self.app, &format!("DELETE FROM {table} WHERE {where_}")).await;
    }

    /// Reads one page.
    async fn page(
        &self,
        first: Option<i64>,
        after: Option<&str>,
        last: Option<i64>,
        before: Option<&str>,
    ) -> Seen {
        let field = self.kind.field();
        let query = format!(
            "query($first: Int, $after: String, $last: Int, $before: String) {{
               list: {field}(first: $first, after: $after, last: $last, before: $before) {{
                 totalCount
                 pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
                 edges {{ cursor node {{ label: {} }} }} }} }}",
            self.kind.label_field()
        );
        let data = self
            .app
            .ok(
                &query,
                json!({"first": first, "after": after, "last": last, "before": before}),
            )
            .await;
        let list = &data["list"];
        let edges = list["edges"].as_array().expect("edges");
        let text = |v: &Value| v.as_str().map(str::to_string);
        Seen {
            labels: edges
                .iter()
                .map(|e| text(&e["node"]["label"]).expect("a label"))
                .collect(),
            cursors: edges
                .iter()
                .map(|e| text(&e["cursor"]).expect("a cursor"))
                .collect(),
            total: list["totalCount"].as_i64().expect("totalCount"),
            has_next: list["pageInfo"]["hasNextPage"] == json!(true),
            has_previous: list["pageInfo"]["hasPreviousPage"] == json!(true),
            start: text(&list["pageInfo"]["startCursor"]),
            end: text(&list["pageInfo"]["endCursor"]),
        }
    }
}

fn labels(ns: &[u32]) -> Vec<String> {
    ns.iter().map(|n| label(*n)).collect()
}

/// The walk every connection goes through.
async fn walk(app: &TestApp, kind: Kind) {
    let list = List::new(app, kind).await;
    for n in [10, 20, 30, 40, 50, 60] {
        list.insert(n).await;
    }
    let what = format!("{kind:?} on {}", app.backend.name());

    // Forward, two at a time.
    let page = list.page(Some(2), None, None, None).await;
    assert_eq!(page.labels, labels(&[10, 20]), "{what}");
    assert_eq!(
        (page.has_previous, page.has_next, page.total),
        (false, true, 6)
    );
    assert_eq!(page.start.as_ref(), page.cursors.first(), "{what}");
    assert_eq!(page.end.as_ref(), page.cursors.last(), "{what}");
    // Before the cursor: inserts; after it: an insert; and the cursor's own item goes
    // (uneven on purpose: an offset cursor would land elsewhere).
    list.insert(15).await;
    list.insert(17).await;
    list.insert(35).await;
    list.delete(20).await;
    let page = list.page(Some(2), page.end.as_deref(), None, None).await;
    assert_eq!(
        page.labels,
        labels(&[30, 35]),
        "{what}: right after item 20, gone or not"
    );
    assert_eq!(
        (page.has_previous, page.has_next, page.total),
        (true, true, 8)
    );
    list.delete(10).await;
    list.delete(17).await;
    list.delete(50).await;
    let page = list.page(Some(2), page.end.as_deref(), None, None).await;
    assert_eq!(page.labels, labels(&[40, 60]), "{what}");
    assert_eq!(
        (page.has_previous, page.has_next, page.total),
        (true, false, 5)
    );
    let past_end = list.page(Some(2), page.end.as_deref(), None, None).await;
    assert!(past_end.labels.is_empty(), "{what}: {past_end:?}");
    assert_eq!((past_end.has_previous, past_end.has_next), (true, false));
    assert_eq!((past_end.start, past_end.end), (None, None));

    // Backward, two at a time. The list is now 15 30 35 40 60.
    let page = list.page(None, None, Some(2), None).await;
    assert_eq!(page.labels, labels(&[40, 60]), "{what}");
    assert_eq!((page.has_previous, page.has_next), (true, false));
    list.insert(50).await; // behind the cursor (already seen)
    list.insert(25).await; // ahead of it
    list.insert(27).await; // ahead of it
    list.delete(40).await; // the cursor's own item
    let page = list.page(None, None, Some(2), page.start.as_deref()).await;
    assert_eq!(
        page.labels,
        labels(&[30, 35]),
        "{what}: right before item 40, gone or not"
    );
    assert_eq!(
        (page.has_previous, page.has_next, page.total),
        (true, true, 7)
    );
    let page = list.page(None, None, Some(2), page.start.as_deref()).await;
    assert_eq!(page.labels, labels(&[25, 27]), "{what}");
    assert_eq!((page.has_previous, page.has_next), (true, true));
    let page = list.page(None, None, Some(2), page.start.as_deref()).await;
    assert_eq!(page.labels, labels(&[15]), "{what}");
    assert_eq!((page.has_previous, page.has_next), (false, true));

    // Both cursors, then `first`, then `last` (Relay's order).
    let all = list.page(Some(10), None, None, None).await;
    assert_eq!(all.labels, labels(&[15, 25, 27, 30, 35, 50, 60]), "{what}");
    let (c15, c60) = (&all.cursors[0], &all.cursors[6]);
    let page = list.page(Some(3), Some(c15), Some(2), Some(c60)).await;
    assert_eq!(page.labels, labels(&[27, 30]), "{what}");
    assert_eq!(
        (page.has_previous, page.has_next, page.total),
        (true, true, 7)
    );
    let page = list.page(Some(5), Some(c15), Some(2), Some(c60)).await;
    assert_eq!(page.labels, labels(&[35, 50]), "{what}");
    assert_eq!((page.has_previous, page.has_next), (true, false));
    let page = list.page(Some(2), Some(c15), None, Some(c60)).await;
    assert_eq!(page.labels, labels(&[25, 27]), "{what}");
    assert_eq!((page.has_previous, page.has_next), (true, true));
    let page = list.page(None, Some(c15), Some(2), Some(c60)).await;
    assert_eq!(page.labels, labels(&[35, 50]), "{what}");
    assert_eq!((page.has_previous, page.has_next), (true, true));
    let page = list.page(None, Some(c60), Some(2), Some(c15)).await;
    assert!(
        page.labels.is_empty(),
        "{what}: crossed cursors select nothing"
    );

    // Every cursor still works once every item is gone, and the edge cursors agree.
    for n in [15, 25, 27, 30, 35, 50, 60] {
        list.delete(n).await;
    }
    list.insert(45).await;
    let after = list.page(Some(5), Some(c15), None, None).await;
    assert_eq!(after.labels, labels(&[45]), "{what}");
    assert_eq!((after.has_previous, after.has_next), (false, false));
    let before = list.page(None, None, Some(5), Some(c60)).await;
    assert_eq!(before.labels, labels(&[45]), "{what}");
    assert_eq!(
        before.cursors, after.cursors,
        "{what}: one item, one cursor"
    );
}

macro_rules! walk_test {
    ($name:ident, $kind:expr) => {
        db_test!($name, |app| {
            walk(&app, $kind).await;
        });
    };
}

walk_test!(ingredients_walk_through_writes, Kind::Ingredients);
walk_test!(recipes_walk_through_writes, Kind::Recipes);
walk_test!(finished_units_walk_through_writes, Kind::FinishedUnits);
walk_test!(finished_goods_walk_through_writes, Kind::FinishedGoods);
walk_test!(packages_walk_through_writes, Kind::Packages);
walk_test!(recipients_walk_through_writes, Kind::Recipients);
walk_test!(events_walk_through_writes, Kind::Events);
walk_test!(production_runs_walk_through_writes, Kind::ProductionRuns);
walk_test!(assembly_runs_walk_through_writes, Kind::AssemblyRuns);

/// Walks a whole list `size` at a time forward and backward and returns both orders seen.
async fn walk_all(list: &List<'_>, size: i64) -> (Vec<String>, Vec<String>) {
    let mut forward = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = list.page(Some(size), cursor.as_deref(), None, None).await;
        forward.extend(page.labels);
        if !page.has_next {
            break;
        }
        cursor = page.end;
    }
    let mut backward = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = list.page(None, None, Some(size), cursor.as_deref()).await;
        backward.splice(0..0, page.labels);
        if !page.has_previous {
            break;
        }
        cursor = page.start;
    }
    (forward, backward)
}

db_test!(ties_of_the_sort_value_are_ordered_by_id, |app| {
    // Five recipients of one name, and five runs of one instant: the id decides.
    let people = List::new(&app, Kind::Recipients).await;
    let runs = List::new(&app, Kind::ProductionRuns).await;
    for n in 1..=5 {
        app.ok(
            "mutation($input: CreateRecipientInput!) { createRecipient(input: $input) { id } }",
            json!({"input": {"name": "Same Name", "notes": label(n)}}),
        )
        .await;
        let (recipe_id, unit_id) = (pk(&runs.parents[0]), pk(&runs.parents[1]));
        sql(
            &app,
            &format!(
                "INSERT INTO production_runs (uuid, created_at, updated_at, recipe_id, \
                 finished_unit_id, event_id, num_batches, expected_yield, actual_yield, \
                 produced_at, notes, total_ingredient_cost, per_unit_cost) VALUES \
                 ('{}', '{t}', '{t}', {recipe_id}, {unit_id}, NULL, 1, 24, 24, '{t}', '{}', 0, 0)",
                uuid::Uuid::new_v4(),
                label(n),
                t = run_time(0),
            ),
        )
        .await;
    }
    let notes = |kind: Kind| {
        let app = &app;
        async move {
            let data = app
                .ok(
                    &format!(
                        "{{ list: {}(first: 100) {{ nodes {{ notes }} }} }}",
                        kind.field()
                    ),
                    json!({}),
                )
                .await;
            data["list"]["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .map(|n| n["notes"].as_str().unwrap_or_default().to_string())
                .collect::<Vec<_>>()
        }
    };
    let oldest_first = labels(&[1, 2, 3, 4, 5]);
    let mut newest_first = oldest_first.clone();
    newest_first.reverse();
    assert_eq!(
        notes(Kind::Recipients).await,
        oldest_first,
        "ties by id, ascending"
    );
    assert_eq!(
        notes(Kind::ProductionRuns).await,
        newest_first,
        "newest first: id descending"
    );
    for size in [1, 2, 3] {
        let (forward, backward) = walk_all_notes(&people, size).await;
        assert_eq!(forward, oldest_first, "recipients forward by {size}");
        assert_eq!(backward, oldest_first, "recipients backward by {size}");
        let (forward, backward) = walk_all(&runs, size).await;
        assert_eq!(forward, newest_first, "runs forward by {size}");
        assert_eq!(backward, newest_first, "runs backward by {size}");
    }
});

/// [`walk_all`] for recipients of one name, told apart by their notes.
async fn walk_all_notes(list: &List<'_>, size: i64) -> (Vec<String>, Vec<String>) {
    let page = |after: Option<String>, before: Option<String>, forward: bool| {
        let app = list.app;
        async move {
            let (first, last) = if forward {
                (Some(size), None)
            } else {
                (None, Some(size))
            };
            let data = app
                .ok(
                    "query($first: Int, $after: String, $last: Int, $before: String) {
                       recipients(first: $first, after: $after, last: $last, before: $before) {
                         pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
                         nodes { notes } } }",
                    json!({"first": first, "after": after, "last": last, "before": before}),
                )
                .await;
            data["recipients"].clone()
        }
    };
    let notes = |page: &Value| -> Vec<String> {
        page["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["notes"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let mut forward = Vec::new();
    let mut cursor = None;
    loop {
        let p = page(cursor, None, true).await;
        forward.extend(notes(&p));
        if p["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        cursor = p["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
    let mut backward = Vec::new();
    let mut cursor = None;
    loop {
        let p = page(None, cursor, false).await;
        backward.splice(0..0, notes(&p));
        if p["pageInfo"]["hasPreviousPage"] != json!(true) {
            break;
        }
        cursor = p["pageInfo"]["startCursor"].as_str().map(str::to_string);
    }
    (forward, backward)
}

db_test!(filters_hold_across_pages, |app| {
    for n in [1, 2, 3, 4, 5, 6] {
        let name = if n % 2 == 0 {
            format!("Keep {n}")
        } else {
            format!("Drop {n}")
        };
        create_ingredient(&app, json!({"name": name, "unit": "g"})).await;
    }
    let query = "query($after: String) { ingredients(first: 2, after: $after, search: \"keep\") {
        totalCount pageInfo { hasNextPage endCursor } nodes { name } } }";
    let data = app.ok(query, json!({"after": null})).await;
    assert_eq!(
        data["ingredients"]["nodes"],
        json!([{"name": "Keep 2"}, {"name": "Keep 4"}])
    );
    assert_eq!(data["ingredients"]["totalCount"], 3);
    // Matching and non-matching items on both sides of the cursor.
    for name in ["Keep 1", "Keep 5", "Drop 45", "Drop 0"] {
        create_ingredient(&app, json!({"name": name, "unit": "g"})).await;
    }
    let cursor = data["ingredients"]["pageInfo"]["endCursor"].clone();
    let data = app.ok(query, json!({"after": cursor})).await;
    assert_eq!(
        data["ingredients"]["nodes"],
        json!([{"name": "Keep 5"}, {"name": "Keep 6"}])
    );
    assert_eq!(data["ingredients"]["totalCount"], 5);
    assert_eq!(data["ingredients"]["pageInfo"]["hasNextPage"], false);
});

db_test!(nested_run_connections_page_by_keyset, |app| {
    // An event with a production target; its runs, and runs that must not show.
    let recipe = recipe(&app, "Gingerbread").await;
    let unit = finished_unit(&app, &recipe["id"], "Gingerbread man", 24).await;
    let party = event(&app, "Party", "2026-12-20").await;
    let other = event(&app, "Other", "2026-12-21").await;
    production_target(&app, &party["id"], &recipe["id"], 10).await;
    let run = |n: u32, event: Option<&Value>| {
        let app = &app;
        let (recipe, unit) = (pk(&recipe["id"]), pk(&unit["id"]));
        let event = event
            .map(|e| pk(&e["id"]).to_string())
            .unwrap_or("NULL".into());
        async move {
            sql(
                app,
                &format!(
                    "INSERT INTO production_runs (uuid, created_at, updated_at, recipe_id, \
                     finished_unit_id, event_id, num_batches, expected_yield, actual_yield, \
                     produced_at, notes, total_ingredient_cost, per_unit_cost) VALUES \
                     ('{}', '{t}', '{t}', {recipe}, {unit}, {event}, 1, 24, 24, '{t}', '{}', 0, 0)",
                    uuid::Uuid::new_v4(),
                    label(n),
                    t = run_time(n),
                ),
            )
            .await;
        }
    };
    for n in [10, 20, 30, 40, 50] {
        run(n, Some(&party)).await;
    }
    run(25, Some(&other)).await;
    run(35, None).await;
    let rebuild = || async {
        bakeplan::store::run_totals::rebuild(&app.db)
            .await
            .expect("totals rebuilt");
    };
    rebuild().await;
    let query = "query($id: ID!, $after: String) { node(id: $id) { ... on Event {
        productionTargets { productionRuns(first: 2, after: $after) {
          totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { notes } } }
        productionRuns(first: 2, after: $after) {
          totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { notes } } } } }";
    let pages = |after: Option<String>| {
        let app = &app;
        let id = party["id"].clone();
        async move {
            let data = app.ok(query, json!({"id": id, "after": after})).await;
            let node = &data["node"];
            (
                node["productionTargets"][0]["productionRuns"].clone(),
                node["productionRuns"].clone(),
            )
        }
    };
    let notes = |page: &Value| -> Vec<String> {
        page["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["notes"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    // The target's first page is the batched one; the event's is a plain list.
    let (target, of_event) = pages(None).await;
    for page in [&target, &of_event] {
        assert_eq!(notes(page), labels(&[10, 20]), "{page}");
        assert_eq!(page["totalCount"], 5);
        assert_eq!(
            page["pageInfo"]["hasNextPage"]
                .as_bool()
                .zip(page["pageInfo"]["hasPreviousPage"].as_bool()),
            Some((true, false))
        );
    }
    // The cursor of one is a cursor of the other (same list, same order).
    assert_eq!(
        target["pageInfo"]["endCursor"],
        of_event["pageInfo"]["endCursor"]
    );
    run(15, Some(&party)).await;
    run(17, Some(&party)).await;
    run(27, Some(&party)).await;
    sql(
        &app,
        &format!("DELETE FROM production_runs WHERE notes = '{}'", label(20)),
    )
    .await;
    rebuild().await;
    let cursor = target["pageInfo"]["endCursor"].as_str().map(str::to_string);
    let (target, of_event) = pages(cursor).await;
    for page in [&target, &of_event] {
        assert_eq!(notes(page), labels(&[27, 30]), "{page}");
        assert_eq!(page["totalCount"], 7);
        assert_eq!(
            page["pageInfo"]["hasNextPage"]
                .as_bool()
                .zip(page["pageInfo"]["hasPreviousPage"].as_bool()),
            Some((true, true))
        );
    }
});

db_test!(
    cursors_of_other_lists_and_malformed_cursors_are_refused,
    |app| {
        let list = List::new(&app, Kind::ProductionRuns).await;
        list.insert(1).await;
        event(&app, "Party", "2026-12-20").await;
        create_ingredient(&app, json!({"name": "Flour", "unit": "g"})).await;
        let cursor_of = |field: &'static str| {
            let app = &app;
            async move {
                app.ok(
                    &format!("{{ {field}(first: 1) {{ pageInfo {{ endCursor }} }} }}"),
                    json!({}),
                )
                .await[field]["pageInfo"]["endCursor"]
                    .as_str()
                    .expect("a cursor")
                    .to_string()
            }
        };
        let run_cursor = cursor_of("productionRuns").await;
        let event_cursor = cursor_of("events").await;
        let ingredient_cursor = cursor_of("ingredients").await;
        let before = app.snapshot().await;
        let refused = [
            ("assemblyRuns", run_cursor.clone()),
            ("ingredients", event_cursor.clone()),
            ("recipes", ingredient_cursor.clone()),
            ("events", ingredient_cursor.clone()),
            ("ingredients", "b2Zmc2V0OjE".to_string()), // "offset:1"
            ("ingredients", "not a cursor".to_string()),
            (
                "ingredients",
                URL_SAFE_NO_PAD.encode("k1|ingredients:name|0|flour"),
            ),
            (
                "ingredients",
                URL_SAFE_NO_PAD.encode("k1|ingredients:name|1|fl\0our"),
            ),
            (
                "ingredients",
                URL_SAFE_NO_PAD.encode("k2|ingredients:name|1|flour"),
            ),
            ("ingredients", "A".repeat(5_000)),
        ];
        for (field, cursor) in refused {
            for (after, before) in [(Some(&cursor), None), (None, Some(&cursor))] {
                let error = app
                .error(
                    &format!(
                        "query($a: String, $b: String) {{ {field}(after: $a, before: $b) {{ totalCount }} }}"
                    ),
                    json!({"a": after, "b": before}),
                )
                .await;
                error.expect(
                    "BAD_USER_INPUT",
                    "pass a cursor from this list's edges or pageInfo",
                );
                assert!(
                    error.message.len() < 400,
                    "{field}: the message stays short"
                );
            }
        }
        app.assert_unchanged(&before, "refused cursors").await;
        // The same cursors are fine on their own lists.
        for (field, cursor) in [
            ("productionRuns", &run_cursor),
            ("events", &event_cursor),
            ("ingredients", &ingredient_cursor),
        ] {
            app.ok(
                &format!("query($a: String) {{ {field}(before: $a) {{ totalCount }} }}"),
                json!({"a": cursor}),
            )
            .await;
        }
    }
);

db_test!(a_page_at_a_cursor_costs_no_more_statements, |app| {
    for n in 1..=5 {
        create_ingredient(&app, json!({"name": label(n), "unit": "g"})).await;
    }
    let query = "query($first: Int, $after: String, $last: Int, $before: String) {
        ingredients(first: $first, after: $after, last: $last, before: $before) {
          totalCount pageInfo { endCursor startCursor } nodes { name } } }";
    let measured = |variables: Value| {
        let app = &app;
        async move {
            let before = app.statements();
            let data = app.ok(query, variables).await;
            (data, app.statements() - before)
        }
    };
    let (first, plain) = measured(json!({"first": 2})).await;
    let cursor = first["ingredients"]["pageInfo"]["endCursor"].clone();
    let (_, after) = measured(json!({"first": 2, "after": cursor})).await;
    let (_, before) = measured(json!({"last": 2, "before": cursor})).await;
    let (_, both) =
        measured(json!({"first": 2, "after": cursor, "before": cursor, "last": 1})).await;
    assert!(
        plain <= 2,
        "a page is at most the count and the rows: {plain}"
    );
    assert_eq!((after, before, both), (plain, plain, plain));
});
