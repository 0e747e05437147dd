//! Throughput of `recordProduction`: recorded productions per second with 16 concurrent
//! clients, on SQLite and on PostgreSQL.
//!
//! For each backend it creates a throwaway database (as the integration tests do), starts
//! the real server on 127.0.0.1 with 2 HTTP workers, seeds a recipe of 3 ingredients (two
//! measured in cups through a density) with plenty of stock spread over several lots, then
//! sends `BAKEPLAN_BENCH_RUNS` (default 2000) `recordProduction` mutations over HTTP from
//! 16 concurrent clients, checks that every one succeeded and that the database holds
//! exactly that many runs, and prints runs/second with p50/p99 latency.
//!
//! Run with `cargo bench --bench record_production` (PostgreSQL at 127.0.0.1:5432, or
//! `BAKEPLAN_TEST_POSTGRES_URL`).

#[allow(dead_code, unused_imports)]
#[path = "../tests/it/harness/mod.rs"]
mod harness;

use bakeplan::db::Backend;
use harness::{post_to, TestApp};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 16;

const RECORD_PRODUCTION: &str = "mutation($input: RecordProductionInput!) {
  recordProduction(input: $input) { productionRun { id totalIngredientCost } } }";

/// Posts a document that must succeed and returns its `data`.
async fn post(addr: SocketAddr, query: &str, variables: Value) -> Value {
    let response = post_to(addr, query, variables).await;
    assert!(
        response.get("errors").is_none(),
        "request failed: {response:#}\n{query}"
    );
    response["data"].clone()
}

/// Creates the ingredients, their lots, the recipe and its finished unit; returns the
/// `recordProduction` input.
async fn seed(addr: SocketAddr, runs: usize) -> Value {
    let ingredient = |input: Value| async move {
        post(
            addr,
            "mutation($input: CreateIngredientInput!) { createIngredient(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await["createIngredient"]["id"]
            .clone()
    };
    let flour = ingredient(json!({"name": "Flour", "unit": "g",
        "density": {"volume": "1", "volumeUnit": "cup", "weight": "4.25", "weightUnit": "oz"}}))
    .await;
    let sugar = ingredient(json!({"name": "Sugar", "unit": "g",
        "density": {"volume": "1", "volumeUnit": "cup", "weight": "200", "weightUnit": "g"}}))
    .await;
    let eggs = ingredient(json!({"name": "Eggs", "unit": "each"})).await;
    // Per batch: 2 cups of flour (241 g), half a cup of sugar (100 g), 2 eggs. Ten lots each,
    // together enough for every run with room to spare.
    let lots = 10;
    let per_lot = |per_batch: usize| ((runs + 50) * per_batch).div_ceil(lots) + 1;
    for (id, per_batch, cost) in [
        (&flour, 242, "40.00"),
        (&sugar, 100, "25.00"),
        (&eggs, 2, "90.00"),
    ] {
        for day in 1..=lots {
            post(
                addr,
                "mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { id } }",
                json!({"input": {"ingredientId": id, "quantity": per_lot(per_batch).to_string(), "totalCost": cost,
                                 "purchasedOn": format!("2026-11-{day:02}")}}),
            )
            .await;
        }
    }
    let recipe = post(
        addr,
        "mutation($input: CreateRecipeInput!) { createRecipe(input: $input) { id } }",
        json!({"input": {"name": "Sugar Cookies", "yieldQuantity": "24", "yieldUnit": "cookies", "ingredients": [
            {"ingredientId": flour, "quantity": "2", "unit": "cup"},
            {"ingredientId": sugar, "quantity": "0.5", "unit": "cup"},
            {"ingredientId": eggs, "quantity": "2", "unit": "each"}]}}),
    )
    .await["createRecipe"]["id"]
        .clone();
    let unit = post(
        addr,
        "mutation($input: CreateFinishedUnitInput!) { createFinishedUnit(input: $input) { id } }",
        json!({"input": {"name": "Sugar Cookie", "recipeId": recipe, "yieldMode": "DISCRETE_COUNT",
                         "itemsPerBatch": 24, "itemUnit": "cookie"}}),
    )
    .await["createFinishedUnit"]["id"]
        .clone();
    json!({"recipeId": recipe, "finishedUnitId": unit, "numBatches": 1, "actualYield": 24})
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

async fn bench(backend: Backend, runs: usize) {
    let app = TestApp::spawn_with(backend, 2, 16).await;
    let addr = app.addr;
    let input = seed(addr, runs).await;
    // Warm-up: connections opened, statements prepared.
    let warmup = 20;
    for _ in 0..warmup {
        post(addr, RECORD_PRODUCTION, json!({ "input": input })).await;
    }
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let next = next.clone();
            let input = input.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < runs {
                    let sent = Instant::now();
                    let data = post(addr, RECORD_PRODUCTION, json!({ "input": input })).await;
                    latencies.push(sent.elapsed());
                    assert!(
                        data["recordProduction"]["productionRun"]["id"].is_string(),
                        "no run in {data}"
                    );
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(runs);
    for client in clients {
        latencies.extend(client.await.expect("client task"));
    }
    let elapsed = started.elapsed();
    let recorded = post(addr, "{ productionRuns { totalCount } }", json!({})).await
        ["productionRuns"]["totalCount"]
        .as_u64()
        .expect("count");
    assert_eq!(
        recorded as usize,
        runs + warmup,
        "every request recorded one run"
    );
    latencies.sort();
    println!(
        "{:<10} {runs} runs, {CLIENTS} clients: {:>7.1} runs/s   p50 {:>6.1} ms   p99 {:>6.1} ms",
        backend.name(),
        runs as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 50).as_secs_f64() * 1000.0,
        percentile(&latencies, 99).as_secs_f64() * 1000.0,
    );
    app.finish().await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let runs = std::env::var("BAKEPLAN_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    // `cargo bench` passes `--bench`; anything else (e.g. a filter) is ignored.
    for backend in [Backend::Sqlite, Backend::Postgres] {
        bench(backend, runs).await;
    }
}
