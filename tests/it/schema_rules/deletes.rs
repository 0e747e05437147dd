//! The foreign keys: what a delete takes with it and what it is refused for (SPEC §1.7).

use super::*;

db_test!(deleting_an_event_follows_spec_1_7, |app| {
    // Only targets: the event goes and takes its targets with it.
    let f = fixture(&app, "e").await;
    expect_accepted(&app, &production_target(f.event, f.recipe, "2")).await;
    expect_accepted(&app, &assembly_target(f.event, f.good, "4")).await;
    assert_eq!(expect_accepted(&app, &delete("events", f.event)).await, 1);
    assert_eq!(count(&app, "events", &format!("id = {}", f.event)).await, 0);
    assert_eq!(count(&app, "event_production_targets", "1 = 1").await, 0);
    assert_eq!(count(&app, "event_assembly_targets", "1 = 1").await, 0);

    // A production run attributed to the event blocks its deletion, and the targets stay.
    let f = fixture(&app, "p").await;
    expect_accepted(&app, &production_target(f.event, f.recipe, "2")).await;
    expect_accepted(&app, &production_run(&f, &f.event.to_string(), 1, 24)).await;
    expect_rejected(&app, &delete("events", f.event), ForeignKeyViolation).await;
    assert_eq!(count(&app, "event_production_targets", "1 = 1").await, 1);
    // Once the run is standalone, the delete goes through.
    expect_accepted(&app, "UPDATE production_runs SET event_id = NULL").await;
    assert_eq!(expect_accepted(&app, &delete("events", f.event)).await, 1);
    assert_eq!(count(&app, "event_production_targets", "1 = 1").await, 0);
    assert_eq!(count(&app, "production_runs", "1 = 1").await, 1);

    // An assembly run attributed to the event blocks it as well.
    let f = fixture(&app, "q").await;
    expect_accepted(&app, &assembly_run(f.good, &f.event.to_string(), 1)).await;
    expect_rejected(&app, &delete("events", f.event), ForeignKeyViolation).await;
    expect_accepted(&app, "DELETE FROM assembly_runs").await;
    // Assignments never go with their event implicitly.
    expect_accepted(&app, &assignment(&f, f.package, 1, "PENDING", "NULL")).await;
    expect_rejected(&app, &delete("events", f.event), ForeignKeyViolation).await;
    expect_accepted(&app, "DELETE FROM event_recipient_packages").await;
    assert_eq!(expect_accepted(&app, &delete("events", f.event)).await, 1);
});

db_test!(deleting_catalog_rows_follows_spec_1_7, |app| {
    let f = fixture(&app, "c").await;

    // A recipe with a production target is kept.
    let shortbread = insert_recipe(&app, "c shortbread").await;
    expect_accepted(&app, &production_target(f.event, shortbread, "1")).await;
    expect_rejected(&app, &delete("recipes", shortbread), ForeignKeyViolation).await;

    // A recipe used as a component of another is kept.
    let icing = insert_recipe(&app, "c icing").await;
    let uses = |parent: i64, part: i64| {
        format!(
            "INSERT INTO recipe_components (uuid, created_at, updated_at, recipe_id, component_recipe_id, position, quantity) \
             VALUES ({}, {TS}, {TS}, {parent}, {part}, 1, 1000000)",
            uid()
        )
    };
    expect_accepted(&app, &uses(f.recipe, icing)).await;
    expect_rejected(&app, &delete("recipes", icing), ForeignKeyViolation).await;
    // A recipe with a finished unit is kept.
    expect_rejected(&app, &delete("recipes", f.recipe), ForeignKeyViolation).await;

    // A finished good with an assembly target, or in a package, is kept.
    let basket = insert_good(&app, "c-basket", "HOLIDAY_SET").await;
    expect_accepted(&app, &assembly_target(f.event, basket, "2")).await;
    expect_rejected(&app, &delete("finished_goods", basket), ForeignKeyViolation).await;
    expect_accepted(
        &app,
        &format!(
            "INSERT INTO package_items (uuid, created_at, updated_at, package_id, finished_good_id, quantity) \
             VALUES ({}, {TS}, {TS}, {}, {}, 1)",
            uid(),
            f.package,
            f.good
        ),
    )
    .await;
    expect_rejected(&app, &delete("finished_goods", f.good), ForeignKeyViolation).await;

    // A finished good inside another, or with an assembly run, is kept.
    let sampler = insert_good(&app, "c-sampler", "VARIETY_PACK").await;
    expect_accepted(
        &app,
        &component(basket, "NULL", &sampler.to_string(), "NULL", 1_000_000),
    )
    .await;
    expect_rejected(
        &app,
        &delete("finished_goods", sampler),
        ForeignKeyViolation,
    )
    .await;
    let tin = insert_good(&app, "c-tin2", "GIFT_BOX").await;
    expect_accepted(&app, &assembly_run(tin, "NULL", 1)).await;
    expect_rejected(&app, &delete("finished_goods", tin), ForeignKeyViolation).await;

    // A finished unit inside a finished good is kept.
    expect_accepted(
        &app,
        &component(basket, &f.unit.to_string(), "NULL", "NULL", 1_000_000),
    )
    .await;
    expect_rejected(&app, &delete("finished_units", f.unit), ForeignKeyViolation).await;

    // A package or recipient with an assignment is kept.
    expect_accepted(&app, &assignment(&f, f.package, 1, "PENDING", "NULL")).await;
    expect_rejected(&app, &delete("packages", f.package), ForeignKeyViolation).await;
    expect_rejected(
        &app,
        &delete("recipients", f.recipient),
        ForeignKeyViolation,
    )
    .await;

    // A recipe's lines go with it, and so do its own component lines; the ingredient on a
    // line is kept.
    let fudge = insert_recipe(&app, "c fudge").await;
    expect_accepted(
        &app,
        &format!(
            "INSERT INTO recipe_ingredients (uuid, created_at, updated_at, recipe_id, ingredient_id, position, quantity, unit) \
             VALUES ({}, {TS}, {TS}, {fudge}, {}, 1, 250000000, 'g')",
            uid(),
            f.ingredient
        ),
    )
    .await;
    expect_accepted(&app, &uses(fudge, icing)).await;
    expect_rejected(
        &app,
        &delete("ingredients", f.ingredient),
        ForeignKeyViolation,
    )
    .await;
    assert_eq!(
        count(&app, "recipe_ingredients", &format!("recipe_id = {fudge}")).await,
        1
    );
    assert_eq!(
        count(&app, "recipe_components", &format!("recipe_id = {fudge}")).await,
        1
    );
    assert_eq!(expect_accepted(&app, &delete("recipes", fudge)).await, 1);
    assert_eq!(count(&app, "recipe_ingredients", "1 = 1").await, 0);
    assert_eq!(count(&app, "recipe_components", "1 = 1").await, 1);

    // Products, lots and their adjustments go with their ingredient.
    let sugar = insert_ingredient(&app, "c sugar", false).await;
    let product = |ingredient: i64, brand: &str| {
        format!(
            "INSERT INTO products (uuid, created_at, updated_at, ingredient_id, brand, package_quantity, package_unit, preferred) \
             VALUES ({}, {TS}, {TS}, {ingredient}, '{brand}', 1000000000, 'g', TRUE)",
            uid()
        )
    };
    expect_accepted(&app, &product(sugar, "Domino")).await;
    expect_accepted(&app, &lot(sugar, 1_000_000_000, 0)).await;
    let lot_id = number(
        &app,
        &format!("SELECT id AS n FROM inventory_lots WHERE ingredient_id = {sugar}"),
    )
    .await;
    expect_accepted(
        &app,
        &format!(
            "INSERT INTO inventory_adjustments (uuid, created_at, updated_at, lot_id, quantity_before, quantity_after, reason) \
             VALUES ({}, {TS}, {TS}, {lot_id}, 1000000000, 0, 'used up')",
            uid()
        ),
    )
    .await;
    assert_eq!(
        expect_accepted(&app, &delete("ingredients", sugar)).await,
        1
    );
    assert_eq!(count(&app, "products", "1 = 1").await, 0);
    assert_eq!(count(&app, "inventory_lots", "1 = 1").await, 0);
    assert_eq!(count(&app, "inventory_adjustments", "1 = 1").await, 0);

    // Deleting a product keeps its lots, which only lose the link.
    let butter = insert_ingredient(&app, "c butter", false).await;
    expect_accepted(&app, &product(butter, "Kerrygold")).await;
    let brand = number(
        &app,
        &format!("SELECT id AS n FROM products WHERE ingredient_id = {butter}"),
    )
    .await;
    expect_accepted(
        &app,
        &format!(
            "INSERT INTO inventory_lots (uuid, created_at, updated_at, ingredient_id, product_id, purchased_on, \
             quantity_purchased, quantity_remaining, unit_cost, total_cost) \
             VALUES ({}, {TS}, {TS}, {butter}, {brand}, '2026-11-01', 227000000, 227000000, 0, 0)",
            uid()
        ),
    )
    .await;
    assert_eq!(expect_accepted(&app, &delete("products", brand)).await, 1);
    assert_eq!(count(&app, "inventory_lots", "product_id IS NULL").await, 1);
});
