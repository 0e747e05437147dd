// Hand-written diesel schema shared by both backends (see migrations/).
// Types are chosen to mean the same on PostgreSQL and SQLite: BIGINT ids and scaled decimals,
// TEXT enums, naive-UTC TIMESTAMP.

diesel::table! {
    ingredients (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name -> Text,
        name_key -> Text,
        slug -> Text,
        category -> Text,
        unit -> Text,
        is_packaging -> Bool,
        density_volume -> Nullable<BigInt>,
        density_volume_unit -> Nullable<Text>,
        density_weight -> Nullable<BigInt>,
        density_weight_unit -> Nullable<Text>,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    products (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        ingredient_id -> BigInt,
        brand -> Text,
        package_quantity -> BigInt,
        package_unit -> Text,
        preferred -> Bool,
        gtin -> Nullable<Text>,
        supplier -> Nullable<Text>,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    inventory_lots (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        ingredient_id -> BigInt,
        product_id -> Nullable<BigInt>,
        purchased_on -> Date,
        quantity_purchased -> BigInt,
        quantity_remaining -> BigInt,
        unit_cost -> BigInt,
        total_cost -> BigInt,
        expires_on -> Nullable<Date>,
        location -> Nullable<Text>,
        notes -> Nullable<Text>,
        recorded_by -> Nullable<Text>,
    }
}

diesel::table! {
    inventory_adjustments (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        lot_id -> BigInt,
        quantity_before -> BigInt,
        quantity_after -> BigInt,
        reason -> Text,
        notes -> Nullable<Text>,
        recorded_by -> Nullable<Text>,
    }
}

diesel::table! {
    recipes (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name -> Text,
        name_key -> Text,
        category -> Text,
        yield_quantity -> BigInt,
        yield_unit -> Text,
        yield_description -> Nullable<Text>,
        estimated_minutes -> Nullable<Integer>,
        source -> Nullable<Text>,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    recipe_ingredients (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        recipe_id -> BigInt,
        ingredient_id -> BigInt,
        position -> Integer,
        quantity -> BigInt,
        unit -> Text,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    recipe_components (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        recipe_id -> BigInt,
        component_recipe_id -> BigInt,
        position -> Integer,
        quantity -> BigInt,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    finished_units (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        slug -> Text,
        name -> Text,
        recipe_id -> BigInt,
        yield_mode -> Text,
        items_per_batch -> Nullable<Integer>,
        item_unit -> Nullable<Text>,
        batch_percentage -> Nullable<BigInt>,
        inventory_count -> Integer,
        average_unit_cost -> BigInt,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    finished_goods (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        slug -> Text,
        name -> Text,
        assembly_type -> Text,
        description -> Nullable<Text>,
        packaging_instructions -> Nullable<Text>,
        inventory_count -> Integer,
        average_unit_cost -> BigInt,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    finished_good_components (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finished_good_id -> BigInt,
        position -> Integer,
        finished_unit_id -> Nullable<BigInt>,
        component_good_id -> Nullable<BigInt>,
        packaging_ingredient_id -> Nullable<BigInt>,
        quantity -> BigInt,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    packages (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name -> Text,
        description -> Nullable<Text>,
        is_template -> Bool,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    package_items (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        package_id -> BigInt,
        finished_good_id -> BigInt,
        quantity -> Integer,
    }
}

diesel::table! {
    recipients (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name -> Text,
        household_name -> Nullable<Text>,
        address -> Nullable<Text>,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name -> Text,
        event_date -> Date,
        year -> Integer,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    event_recipient_packages (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        event_id -> BigInt,
        recipient_id -> BigInt,
        package_id -> BigInt,
        quantity -> Integer,
        notes -> Nullable<Text>,
        fulfillment_status -> Text,
        delivered_to -> Nullable<Text>,
        ready_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        ready_by -> Nullable<Text>,
        delivered_by -> Nullable<Text>,
    }
}

diesel::table! {
    event_production_targets (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        event_id -> BigInt,
        recipe_id -> BigInt,
        target_batches -> Integer,
        notes -> Nullable<Text>,
        run_count -> BigInt,
        num_batches -> BigInt,
        actual_yield -> BigInt,
    }
}

diesel::table! {
    event_assembly_targets (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        event_id -> BigInt,
        finished_good_id -> BigInt,
        target_quantity -> Integer,
        notes -> Nullable<Text>,
    }
}

diesel::table! {
    production_runs (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        recipe_id -> BigInt,
        finished_unit_id -> BigInt,
        event_id -> Nullable<BigInt>,
        num_batches -> Integer,
        expected_yield -> Integer,
        actual_yield -> Integer,
        produced_at -> Timestamp,
        notes -> Nullable<Text>,
        total_ingredient_cost -> BigInt,
        per_unit_cost -> BigInt,
        recorded_by -> Nullable<Text>,
    }
}

diesel::table! {
    production_consumptions (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        production_run_id -> BigInt,
        ingredient_id -> Nullable<BigInt>,
        ingredient_name -> Text,
        lot_id -> Nullable<BigInt>,
        quantity -> BigInt,
        unit -> Text,
        unit_cost -> BigInt,
        cost -> BigInt,
    }
}

diesel::table! {
    assembly_runs (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finished_good_id -> BigInt,
        event_id -> Nullable<BigInt>,
        quantity -> Integer,
        assembled_at -> Timestamp,
        notes -> Nullable<Text>,
        total_component_cost -> BigInt,
        per_unit_cost -> BigInt,
        recorded_by -> Nullable<Text>,
    }
}

diesel::table! {
    assembly_consumptions (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        assembly_run_id -> BigInt,
        kind -> Text,
        finished_unit_id -> Nullable<BigInt>,
        finished_good_id -> Nullable<BigInt>,
        ingredient_id -> Nullable<BigInt>,
        lot_id -> Nullable<BigInt>,
        component_name -> Text,
        quantity -> BigInt,
        unit -> Text,
        unit_cost -> BigInt,
        cost -> BigInt,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        uuid -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        operation -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        result_id -> BigInt,
    }
}

diesel::table! {
    /// Per event and recipe: what the production runs attributed to the event add up to.
    event_production_totals (event_id, recipe_id) {
        event_id -> BigInt,
        recipe_id -> BigInt,
        run_count -> BigInt,
        num_batches -> BigInt,
        actual_yield -> BigInt,
        total_ingredient_cost -> BigInt,
    }
}

diesel::table! {
    /// Per event and finished good: what the assembly runs attributed to the event add up to.
    event_assembly_totals (event_id, finished_good_id) {
        event_id -> BigInt,
        finished_good_id -> BigInt,
        run_count -> BigInt,
        quantity -> BigInt,
    }
}

diesel::table! {
    /// One row: the data version, raised by every write transaction just before it commits.
    data_version (id) {
        id -> BigInt,
        version -> BigInt,
    }
}

diesel::table! {
    /// API tokens: only the SHA-256 of each token's text is stored.
    api_tokens (id) {
        id -> BigInt,
        name -> Text,
        role -> Text,
        secret_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(products -> ingredients (ingredient_id));
diesel::joinable!(inventory_lots -> ingredients (ingredient_id));
diesel::joinable!(inventory_lots -> products (product_id));
diesel::joinable!(inventory_adjustments -> inventory_lots (lot_id));
diesel::joinable!(recipe_ingredients -> recipes (recipe_id));
diesel::joinable!(recipe_ingredients -> ingredients (ingredient_id));
diesel::joinable!(recipe_components -> recipes (recipe_id));
diesel::joinable!(finished_units -> recipes (recipe_id));
diesel::joinable!(finished_good_components -> finished_goods (finished_good_id));
diesel::joinable!(finished_good_components -> finished_units (finished_unit_id));
diesel::joinable!(finished_good_components -> ingredients (packaging_ingredient_id));
diesel::joinable!(package_items -> packages (package_id));
diesel::joinable!(package_items -> finished_goods (finished_good_id));
diesel::joinable!(event_recipient_packages -> events (event_id));
diesel::joinable!(event_recipient_packages -> recipients (recipient_id));
diesel::joinable!(event_recipient_packages -> packages (package_id));
diesel::joinable!(event_production_targets -> events (event_id));
diesel::joinable!(event_production_targets -> recipes (recipe_id));
diesel::joinable!(event_assembly_targets -> events (event_id));
diesel::joinable!(event_assembly_targets -> finished_goods (finished_good_id));
diesel::joinable!(production_runs -> recipes (recipe_id));
diesel::joinable!(production_runs -> finished_units (finished_unit_id));
diesel::joinable!(production_runs -> events (event_id));
diesel::joinable!(production_consumptions -> production_runs (production_run_id));
diesel::joinable!(production_consumptions -> ingredients (ingredient_id));
diesel::joinable!(production_consumptions -> inventory_lots (lot_id));
diesel::joinable!(assembly_runs -> finished_goods (finished_good_id));
diesel::joinable!(assembly_runs -> events (event_id));
diesel::joinable!(assembly_consumptions -> assembly_runs (assembly_run_id));
diesel::joinable!(assembly_consumptions -> finished_units (finished_unit_id));
diesel::joinable!(assembly_consumptions -> finished_goods (finished_good_id));
diesel::joinable!(assembly_consumptions -> ingredients (ingredient_id));
diesel::joinable!(assembly_consumptions -> inventory_lots (lot_id));

diesel::allow_tables_to_appear_in_same_query!(
    ingredients,
    products,
    inventory_lots,
    inventory_adjustments,
    recipes,
    recipe_ingredients,
    recipe_components,
    finished_units,
    finished_goods,
    finished_good_components,
    packages,
    package_items,
    recipients,
    events,
    event_recipient_packages,
    event_production_targets,
    event_assembly_targets,
    production_runs,
    production_consumptions,
    assembly_runs,
    assembly_consumptions,
    idempotency_keys,
    event_production_totals,
    event_assembly_totals,
    api_tokens,
    data_version,
);
