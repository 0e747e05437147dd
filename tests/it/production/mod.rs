//! Production and assembly: FIFO consumption with exact costs, all-or-nothing recording,
//! idempotency, availability and the run lists. The helpers here are shared by the
//! modules below; the rows come from [`crate::fixtures`].

mod all_or_nothing;
mod concurrency;
mod exactness;
mod fifo;
mod idempotency;
mod read_side;
mod validation;

use crate::fixtures::{
    self, cookie_kitchen, create_ingredient, purchase, Create, RECORD_ASSEMBLY, RECORD_PRODUCTION,
};
use crate::harness::{error_code, TestApp};
use crate::{db_test, db_test_concurrent};
use bakeplan::store::run_totals;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::str::FromStr;

/// Parses a `Decimal` scalar exactly (never through a float).
fn dec(value: &Value) -> Decimal {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a decimal string: {value}"));
    Decimal::from_str(text).unwrap_or_else(|e| panic!("bad decimal {text:?}: {e}"))
}

/// quantity × unit cost rounded to money (4 places, half away from zero).
fn money(quantity: Decimal, unit_cost: Decimal) -> Decimal {
    (quantity * unit_cost).round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
}

/// Records a production that must succeed; returns the run (with lot ids).
async fn produce(app: &TestApp, input: Value) -> Value {
    app.ok(RUN_WITH_LOTS, json!({ "input": input })).await["recordProduction"].clone()
}

const RUN_WITH_LOTS: &str = "mutation($input: RecordProductionInput!) { recordProduction(input: $input) {
  replayed productionRun { id numBatches expectedYield actualYield totalIngredientCost perUnitCost
    finishedUnit { id inventoryCount averageUnitCost }
    consumptions { ingredient { id } ingredientName quantity unit unitCost cost lot { id unitCost } } } } }";

/// Every ingredient with its stock and every lot (empty ones too): compared before and
/// after a refused request to prove nothing moved (quantities and `updatedAt`).
const STOCK: &str = "{ ingredients(first: 100) { nodes { id name onHand
  lots(includeEmpty: true) { id quantityPurchased quantityRemaining unitCost updatedAt adjustments { quantityChange } } } }
  finishedUnits(first: 100) { nodes { id inventoryCount averageUnitCost updatedAt } }
  finishedGoods(first: 100) { nodes { id inventoryCount averageUnitCost updatedAt } }
  productionRuns { totalCount } assemblyRuns { totalCount } }";

const LOTS: &str = "query($id: ID!) { node(id: $id) { ... on Ingredient { onHand
  lots { id quantityRemaining }
  all: lots(includeEmpty: true) { id purchasedOn quantityPurchased quantityRemaining unitCost } } } }";

/// An ingredient id with the units it is bought in, each with a range of whole amounts.
type Buying = (Value, Vec<(&'static str, u64, u64)>);

/// A tiny deterministic generator (xorshift64*), so the random sequence is the same on
/// every run and both backends.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}
