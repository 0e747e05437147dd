//! CHECK, unique and closed-vocabulary rules, table by table.

use super::*;

db_test!(targets_must_be_positive_and_unique_per_event, |app| {
    let f = fixture(&app, "t").await;
    let other_recipe = insert_recipe(&app, "t brownies").await;
    let other_good = insert_good(&app, "t-crate", "BULK_PACK").await;
    let (event, recipe, good) = (f.event, f.recipe, f.good);

    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            production_target(event, recipe, "0"),
            production_target(event, recipe, "-1"),
            assembly_target(event, good, "0"),
            assembly_target(event, good, "-1"),
        ],
    )
    .await;
    expect_all_rejected(
        &app,
        NotNullViolation,
        &[
            production_target(event, recipe, "NULL"),
            assembly_target(event, good, "NULL"),
        ],
    )
    .await;
    assert_eq!(
        expect_accepted(&app, &production_target(event, recipe, "1")).await,
        1
    );
    assert_eq!(
        expect_accepted(&app, &assembly_target(event, good, "1")).await,
        1
    );

    // One target per (event, recipe) and per (event, finished good) ...
    expect_all_rejected(
        &app,
        UniqueViolation,
        &[
            production_target(event, recipe, "2"),
            assembly_target(event, good, "2"),
        ],
    )
    .await;
    // ... while another recipe or good for the same event is fine.
    expect_accepted(&app, &production_target(event, other_recipe, "3")).await;
    expect_accepted(&app, &assembly_target(event, other_good, "3")).await;

    // Changing a target to zero or less is refused like inserting one.
    expect_all_rejected(&app, CheckViolation, &[
        format!("UPDATE event_production_targets SET target_batches = 0 WHERE recipe_id = {recipe}"),
        format!("UPDATE event_assembly_targets SET target_quantity = -1 WHERE finished_good_id = {good}"),
    ])
    .await;
    // Targets point at rows that exist.
    expect_all_rejected(
        &app,
        ForeignKeyViolation,
        &[
            production_target(event, 999_999, "1"),
            assembly_target(999_999, good, "1"),
        ],
    )
    .await;
    assert_eq!(
        count(&app, "event_production_targets", "target_batches > 0").await,
        2
    );
    assert_eq!(
        count(&app, "event_assembly_targets", "target_quantity > 0").await,
        2
    );
});

db_test!(runs_need_positive_counts_and_may_stand_alone, |app| {
    let f = fixture(&app, "r").await;
    let event = f.event.to_string();

    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            production_run(&f, &event, 0, 24),
            production_run(&f, &event, -2, 24),
            production_run(&f, &event, 1, -1),
            assembly_run(f.good, &event, 0),
            assembly_run(f.good, &event, -1),
        ],
    )
    .await;
    expect_all_rejected(
        &app,
        ForeignKeyViolation,
        &[
            production_run(&f, "999999", 1, 24),
            assembly_run(999_999, &event, 1),
        ],
    )
    .await;
    expect_accepted(&app, &production_run(&f, &event, 1, 0)).await;
    expect_accepted(&app, &assembly_run(f.good, &event, 1)).await;
    // A standalone run is attributed to no event.
    expect_accepted(&app, &production_run(&f, "NULL", 2, 48)).await;
    expect_accepted(&app, &assembly_run(f.good, "NULL", 3)).await;
    assert_eq!(count(&app, "production_runs", "event_id IS NULL").await, 1);
    assert_eq!(count(&app, "assembly_runs", "event_id IS NULL").await, 1);
    assert_eq!(
        count(&app, "production_runs", &format!("event_id = {event}")).await,
        1
    );
    assert_eq!(
        count(&app, "assembly_runs", &format!("event_id = {event}")).await,
        1
    );

    // An assembly consumption's kind is one of the component kinds and reads back unchanged.
    let run = number(
        &app,
        &format!("SELECT id AS n FROM assembly_runs WHERE event_id = {event}"),
    )
    .await;
    let consumption = |kind: &str, quantity: i64| {
        format!(
            "INSERT INTO assembly_consumptions (uuid, created_at, updated_at, assembly_run_id, kind, \
             component_name, quantity, unit, unit_cost, cost) \
             VALUES ({}, {TS}, {TS}, {run}, '{kind}', '{kind} part', {quantity}, 'each', 0, 0)",
            uid()
        )
    };
    expect_all_rejected(
        &app,
        CheckViolation,
        &[consumption("RIBBON", 1), consumption("PACKAGING", 0)],
    )
    .await;
    for kind in ComponentKind::ALL {
        expect_accepted(&app, &consumption(kind.as_str(), 1_000_000)).await;
        let stored = word(
            &app,
            &format!(
                "SELECT kind AS s FROM assembly_consumptions WHERE component_name = '{kind} part'"
            ),
        )
        .await;
        assert_eq!(stored.parse::<ComponentKind>(), Ok(*kind));
    }
    // Consumptions go with their run.
    assert_eq!(
        expect_accepted(&app, &delete("assembly_runs", run)).await,
        1
    );
    assert_eq!(count(&app, "assembly_consumptions", "1 = 1").await, 0);
});

db_test!(inventory_quantities_are_never_negative, |app| {
    let f = fixture(&app, "i").await;

    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            lot(f.ingredient, 1_000_000, -1),
            lot(f.ingredient, 0, 0),
            lot(f.ingredient, -5, 0),
        ],
    )
    .await;
    expect_accepted(&app, &lot(f.ingredient, 1_000_000, 0)).await;
    let lot_id = number(&app, "SELECT id AS n FROM inventory_lots").await;
    expect_rejected(
        &app,
        &format!("UPDATE inventory_lots SET quantity_remaining = -1 WHERE id = {lot_id}"),
        CheckViolation,
    )
    .await;

    let adjustment = |before: i64, after: i64, reason: &str| {
        format!(
            "INSERT INTO inventory_adjustments (uuid, created_at, updated_at, lot_id, quantity_before, quantity_after, reason) \
             VALUES ({}, {TS}, {TS}, {lot_id}, {before}, {after}, {reason})",
            uid()
        )
    };
    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            adjustment(-1, 0, "'spilled'"),
            adjustment(0, -1, "'spilled'"),
            adjustment(1, 0, "''"),
        ],
    )
    .await;
    expect_rejected(&app, &adjustment(1, 0, "NULL"), NotNullViolation).await;
    expect_accepted(&app, &adjustment(0, 0, "'recount'")).await;
    expect_accepted(&app, &adjustment(1_000_000, 0, "'spilled'")).await;
    assert_eq!(
        count(&app, "inventory_adjustments", &format!("lot_id = {lot_id}")).await,
        2
    );
});

db_test!(assignments_hold_their_status_rules, |app| {
    let f = fixture(&app, "a").await;
    let p = f.package;

    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            assignment(&f, p, 1, "SHIPPED", "NULL"),
            assignment(&f, p, 1, "pending", "NULL"),
            assignment(&f, p, 0, "PENDING", "NULL"),
            assignment(&f, p, 1, "PENDING", "'left with neighbour'"),
            assignment(&f, p, 1, "READY", "'left with neighbour'"),
        ],
    )
    .await;

    // Every status is accepted and reads back unchanged (each on its own package: one
    // assignment per event, recipient and package).
    for (i, status) in FulfillmentStatus::ALL.iter().enumerate() {
        let name = format!("a box {i}");
        expect_accepted(
            &app,
            &format!(
                "INSERT INTO packages (uuid, created_at, updated_at, name, is_template) \
                 VALUES ({}, {TS}, {TS}, '{name}', TRUE)",
                uid()
            ),
        )
        .await;
        let package = number(
            &app,
            &format!("SELECT id AS n FROM packages WHERE name = '{name}'"),
        )
        .await;
        let delivered_to = match status {
            FulfillmentStatus::Delivered => "'porch'",
            _ => "NULL",
        };
        expect_accepted(
            &app,
            &assignment(&f, package, 1, status.as_str(), delivered_to),
        )
        .await;
        let stored = word(
            &app,
            &format!("SELECT fulfillment_status AS s FROM event_recipient_packages WHERE package_id = {package}"),
        )
        .await;
        assert_eq!(stored, status.as_str());
        assert_eq!(stored.parse::<FulfillmentStatus>(), Ok(*status));
    }
    assert_eq!(FulfillmentStatus::ALL.len(), 3);

    // One assignment per (event, recipient, package).
    expect_accepted(&app, &assignment(&f, p, 2, "PENDING", "NULL")).await;
    expect_rejected(
        &app,
        &assignment(&f, p, 1, "PENDING", "NULL"),
        UniqueViolation,
    )
    .await;

    // A status outside the vocabulary, or a recipient named before delivery, is refused.
    let update =
        |set: &str| format!("UPDATE event_recipient_packages SET {set} WHERE package_id = {p}");
    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            update("fulfillment_status = 'LOST'"),
            update("delivered_to = 'door'"),
            update("quantity = 0"),
        ],
    )
    .await;
    expect_rejected(&app, &update("fulfillment_status = NULL"), NotNullViolation).await;
    let delivered = update("fulfillment_status = 'DELIVERED', delivered_to = 'door'");
    assert_eq!(expect_accepted(&app, &delivered).await, 1);

    // An author is stamped with the time of the step: never without it.
    expect_all_rejected(
        &app,
        CheckViolation,
        &[update("ready_by = 'erin'"), update("delivered_by = 'finn'")],
    )
    .await;
    let stamped = update(&format!(
        "ready_at = {TS}, ready_by = 'erin', delivered_at = {TS}, delivered_by = 'finn'"
    ));
    assert_eq!(expect_accepted(&app, &stamped).await, 1);
    assert_eq!(
        word(
            &app,
            &format!("SELECT ready_by || '/' || delivered_by AS s FROM event_recipient_packages WHERE package_id = {p}"),
        )
        .await,
        "erin/finn"
    );
    expect_all_rejected(
        &app,
        CheckViolation,
        &[update("ready_at = NULL"), update("delivered_at = NULL")],
    )
    .await;
});

db_test!(finished_units_and_goods_hold_their_shape, |app| {
    let f = fixture(&app, "g").await;
    let r = f.recipe;

    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            finished_unit(r, "u1", "OTHER", "12", "NULL"),
            // DISCRETE_COUNT needs items_per_batch (> 0) and no batch_percentage.
            finished_unit(r, "u2", "DISCRETE_COUNT", "NULL", "NULL"),
            finished_unit(r, "u3", "DISCRETE_COUNT", "0", "NULL"),
            finished_unit(r, "u4", "DISCRETE_COUNT", "12", "50000000"),
            // BATCH_PORTION needs 0 < batch_percentage <= 100 (scaled 1e-6) and no items_per_batch.
            finished_unit(r, "u5", "BATCH_PORTION", "NULL", "100000001"),
            finished_unit(r, "u6", "BATCH_PORTION", "NULL", "0"),
            finished_unit(r, "u7", "BATCH_PORTION", "NULL", "NULL"),
            finished_unit(r, "u8", "BATCH_PORTION", "4", "25000000"),
        ],
    )
    .await;
    expect_rejected(
        &app,
        &finished_unit(999_999, "u9", "DISCRETE_COUNT", "12", "NULL"),
        ForeignKeyViolation,
    )
    .await;
    // A whole batch as one piece is the upper bound.
    expect_accepted(
        &app,
        &finished_unit(r, "cake", "BATCH_PORTION", "NULL", "100000000"),
    )
    .await;
    expect_accepted(
        &app,
        &finished_unit(r, "bar", "DISCRETE_COUNT", "12", "NULL"),
    )
    .await;
    for (slug, mode) in [
        ("cake", YieldMode::BatchPortion),
        ("bar", YieldMode::DiscreteCount),
    ] {
        let stored = word(
            &app,
            &format!("SELECT yield_mode AS s FROM finished_units WHERE slug = '{slug}'"),
        )
        .await;
        assert_eq!(stored.parse::<YieldMode>(), Ok(mode));
    }
    assert_eq!(YieldMode::ALL.len(), 2);

    expect_rejected(
        &app,
        &format!(
            "INSERT INTO finished_goods (uuid, created_at, updated_at, slug, name, assembly_type, \
             inventory_count, average_unit_cost) VALUES ({}, {TS}, {TS}, 'odd', 'odd', 'HAMPER', 0, 0)",
            uid()
        ),
        CheckViolation,
    )
    .await;
    for (i, kind) in AssemblyType::ALL.iter().enumerate() {
        let good = insert_good(&app, &format!("kind-{i}"), kind.as_str()).await;
        let stored = word(
            &app,
            &format!("SELECT assembly_type AS s FROM finished_goods WHERE id = {good}"),
        )
        .await;
        assert_eq!(stored, kind.as_str());
        assert_eq!(stored.parse::<AssemblyType>(), Ok(*kind));
    }

    let good = f.good;
    let itself = good.to_string();
    let unit = f.unit.to_string();
    let packaging = f.packaging.to_string();
    let other = insert_good(&app, "g-sampler", "VARIETY_PACK")
        .await
        .to_string();
    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            // Exactly one of finished unit, finished good, packaging.
            component(good, "NULL", "NULL", "NULL", 1_000_000),
            component(good, &unit, &other, "NULL", 1_000_000),
            component(good, &unit, "NULL", &packaging, 1_000_000),
            // Finished units and goods come in whole numbers (scaled 1e-6), and never zero.
            component(good, &unit, "NULL", "NULL", 1_500_000),
            component(good, "NULL", &other, "NULL", 500_000),
            component(good, &unit, "NULL", "NULL", 0),
            // A good cannot contain itself.
            component(good, "NULL", &itself, "NULL", 1_000_000),
        ],
    )
    .await;
    expect_accepted(&app, &component(good, &unit, "NULL", "NULL", 2_000_000)).await;
    expect_accepted(&app, &component(good, "NULL", &other, "NULL", 1_000_000)).await;
    // Packaging may be fractional.
    expect_accepted(
        &app,
        &component(good, "NULL", "NULL", &packaging, 1_500_000),
    )
    .await;
    assert_eq!(
        count(
            &app,
            "finished_good_components",
            &format!("finished_good_id = {good}")
        )
        .await,
        3
    );
});
