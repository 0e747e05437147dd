-- Bakeplan catalog, pantry, planning and production schema.
-- Exact decimals are scaled BIGINTs: quantities in millionths of their unit (1e-6),
-- money amounts in ten-thousandths (1e-4), unit prices in 1e-10 of a currency unit.
-- Timestamps are naive UTC, always set by the application.

CREATE TABLE ingredients (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    unit TEXT NOT NULL,
    is_packaging BOOLEAN NOT NULL,
    density_volume BIGINT,
    density_volume_unit TEXT,
    density_weight BIGINT,
    density_weight_unit TEXT,
    notes TEXT,
    CHECK (name <> ''),
    CHECK ((density_volume IS NULL AND density_volume_unit IS NULL AND density_weight IS NULL AND density_weight_unit IS NULL)
        OR (density_volume > 0 AND density_volume_unit IS NOT NULL AND density_weight > 0 AND density_weight_unit IS NOT NULL))
);

CREATE TABLE products (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    ingredient_id BIGINT NOT NULL REFERENCES ingredients (id) ON DELETE CASCADE,
    brand TEXT NOT NULL,
    package_quantity BIGINT NOT NULL CHECK (package_quantity > 0),
    package_unit TEXT NOT NULL,
    preferred BOOLEAN NOT NULL,
    gtin TEXT UNIQUE,
    supplier TEXT,
    notes TEXT
);
CREATE INDEX products_ingredient_id_idx ON products (ingredient_id);
CREATE UNIQUE INDEX products_one_preferred_idx ON products (ingredient_id) WHERE preferred;

CREATE TABLE inventory_lots (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    ingredient_id BIGINT NOT NULL REFERENCES ingredients (id) ON DELETE CASCADE,
    product_id BIGINT REFERENCES products (id) ON DELETE SET NULL,
    purchased_on DATE NOT NULL,
    quantity_purchased BIGINT NOT NULL CHECK (quantity_purchased > 0),
    quantity_remaining BIGINT NOT NULL CHECK (quantity_remaining >= 0),
    unit_cost BIGINT NOT NULL CHECK (unit_cost >= 0),
    total_cost BIGINT NOT NULL CHECK (total_cost >= 0),
    expires_on DATE,
    location TEXT,
    notes TEXT
);
CREATE INDEX inventory_lots_fifo_idx ON inventory_lots (ingredient_id, purchased_on, id);
CREATE INDEX inventory_lots_product_id_idx ON inventory_lots (product_id);

CREATE TABLE inventory_adjustments (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    lot_id BIGINT NOT NULL REFERENCES inventory_lots (id) ON DELETE CASCADE,
    quantity_before BIGINT NOT NULL CHECK (quantity_before >= 0),
    quantity_after BIGINT NOT NULL CHECK (quantity_after >= 0),
    reason TEXT NOT NULL CHECK (reason <> ''),
    notes TEXT
);
CREATE INDEX inventory_adjustments_lot_id_idx ON inventory_adjustments (lot_id);

CREATE TABLE recipes (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    name TEXT NOT NULL CHECK (name <> ''),
    name_key TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    yield_quantity BIGINT NOT NULL CHECK (yield_quantity > 0),
    yield_unit TEXT NOT NULL,
    yield_description TEXT,
    estimated_minutes INTEGER CHECK (estimated_minutes >= 0),
    source TEXT,
    notes TEXT
);

CREATE TABLE recipe_ingredients (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    recipe_id BIGINT NOT NULL REFERENCES recipes (id) ON DELETE CASCADE,
    ingredient_id BIGINT NOT NULL REFERENCES ingredients (id),
    position INTEGER NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    unit TEXT NOT NULL,
    notes TEXT
);
CREATE INDEX recipe_ingredients_recipe_id_idx ON recipe_ingredients (recipe_id, position);
CREATE INDEX recipe_ingredients_ingredient_id_idx ON recipe_ingredients (ingredient_id);

CREATE TABLE recipe_components (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    recipe_id BIGINT NOT NULL REFERENCES recipes (id) ON DELETE CASCADE,
    component_recipe_id BIGINT NOT NULL REFERENCES recipes (id),
    position INTEGER NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    notes TEXT,
    CHECK (recipe_id <> component_recipe_id),
    UNIQUE (recipe_id, component_recipe_id)
);
CREATE INDEX recipe_components_component_recipe_id_idx ON recipe_components (component_recipe_id);

CREATE TABLE finished_units (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL CHECK (name <> ''),
    recipe_id BIGINT NOT NULL REFERENCES recipes (id),
    yield_mode TEXT NOT NULL CHECK (yield_mode IN ('DISCRETE_COUNT', 'BATCH_PORTION')),
    items_per_batch INTEGER CHECK (items_per_batch > 0),
    item_unit TEXT,
    batch_percentage BIGINT CHECK (batch_percentage > 0 AND batch_percentage <= 100000000),
    inventory_count INTEGER NOT NULL CHECK (inventory_count >= 0),
    average_unit_cost BIGINT NOT NULL CHECK (average_unit_cost >= 0),
    notes TEXT,
    CHECK ((yield_mode = 'DISCRETE_COUNT' AND items_per_batch IS NOT NULL AND batch_percentage IS NULL)
        OR (yield_mode = 'BATCH_PORTION' AND batch_percentage IS NOT NULL AND items_per_batch IS NULL))
);
CREATE INDEX finished_units_recipe_id_idx ON finished_units (recipe_id);

CREATE TABLE finished_goods (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL CHECK (name <> ''),
    assembly_type TEXT NOT NULL CHECK (assembly_type IN ('GIFT_BOX', 'VARIETY_PACK', 'HOLIDAY_SET', 'BULK_PACK', 'CUSTOM_ORDER')),
    description TEXT,
    packaging_instructions TEXT,
    inventory_count INTEGER NOT NULL CHECK (inventory_count >= 0),
    average_unit_cost BIGINT NOT NULL CHECK (average_unit_cost >= 0),
    notes TEXT
);

CREATE TABLE finished_good_components (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    finished_good_id BIGINT NOT NULL REFERENCES finished_goods (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    finished_unit_id BIGINT REFERENCES finished_units (id),
    component_good_id BIGINT REFERENCES finished_goods (id),
    packaging_ingredient_id BIGINT REFERENCES ingredients (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    notes TEXT,
    CHECK ((CASE WHEN finished_unit_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN component_good_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN packaging_ingredient_id IS NULL THEN 0 ELSE 1 END) = 1),
    CHECK (component_good_id IS NULL OR component_good_id <> finished_good_id),
    CHECK (packaging_ingredient_id IS NOT NULL OR quantity % 1000000 = 0)
);
CREATE INDEX finished_good_components_finished_good_id_idx ON finished_good_components (finished_good_id, position);
CREATE INDEX finished_good_components_finished_unit_id_idx ON finished_good_components (finished_unit_id);
CREATE INDEX finished_good_components_component_good_id_idx ON finished_good_components (component_good_id);
CREATE INDEX finished_good_components_packaging_ingredient_id_idx ON finished_good_components (packaging_ingredient_id);

CREATE TABLE packages (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    name TEXT NOT NULL UNIQUE CHECK (name <> ''),
    description TEXT,
    is_template BOOLEAN NOT NULL,
    notes TEXT
);

CREATE TABLE package_items (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    package_id BIGINT NOT NULL REFERENCES packages (id) ON DELETE CASCADE,
    finished_good_id BIGINT NOT NULL REFERENCES finished_goods (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    UNIQUE (package_id, finished_good_id)
);
CREATE INDEX package_items_finished_good_id_idx ON package_items (finished_good_id);

CREATE TABLE recipients (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    name TEXT NOT NULL CHECK (name <> ''),
    household_name TEXT,
    address TEXT,
    notes TEXT
);
CREATE INDEX recipients_name_idx ON recipients (name, id);

CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    name TEXT NOT NULL CHECK (name <> ''),
    event_date DATE NOT NULL,
    year INTEGER NOT NULL,
    notes TEXT,
    UNIQUE (year, name)
);
CREATE INDEX events_event_date_idx ON events (event_date, id);

CREATE TABLE event_recipient_packages (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    event_id BIGINT NOT NULL REFERENCES events (id),
    recipient_id BIGINT NOT NULL REFERENCES recipients (id),
    package_id BIGINT NOT NULL REFERENCES packages (id),
    quantity INTEGER NOT NULL CHECK (quantity >= 1),
    notes TEXT,
    fulfillment_status TEXT NOT NULL CHECK (fulfillment_status IN ('PENDING', 'READY', 'DELIVERED')),
    delivered_to TEXT,
    ready_at TIMESTAMP,
    delivered_at TIMESTAMP,
    CHECK (delivered_to IS NULL OR fulfillment_status = 'DELIVERED'),
    UNIQUE (event_id, recipient_id, package_id)
);
CREATE INDEX event_recipient_packages_recipient_id_idx ON event_recipient_packages (recipient_id);
CREATE INDEX event_recipient_packages_package_id_idx ON event_recipient_packages (package_id);

CREATE TABLE event_production_targets (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    recipe_id BIGINT NOT NULL REFERENCES recipes (id),
    target_batches INTEGER NOT NULL CHECK (target_batches > 0),
    notes TEXT,
    UNIQUE (event_id, recipe_id)
);
CREATE INDEX event_production_targets_recipe_id_idx ON event_production_targets (recipe_id);

CREATE TABLE event_assembly_targets (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    finished_good_id BIGINT NOT NULL REFERENCES finished_goods (id),
    target_quantity INTEGER NOT NULL CHECK (target_quantity > 0),
    notes TEXT,
    UNIQUE (event_id, finished_good_id)
);
CREATE INDEX event_assembly_targets_finished_good_id_idx ON event_assembly_targets (finished_good_id);

CREATE TABLE production_runs (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    recipe_id BIGINT NOT NULL REFERENCES recipes (id),
    finished_unit_id BIGINT NOT NULL REFERENCES finished_units (id),
    event_id BIGINT REFERENCES events (id),
    num_batches INTEGER NOT NULL CHECK (num_batches > 0),
    expected_yield INTEGER NOT NULL CHECK (expected_yield >= 0),
    actual_yield INTEGER NOT NULL CHECK (actual_yield >= 0),
    produced_at TIMESTAMP NOT NULL,
    notes TEXT,
    total_ingredient_cost BIGINT NOT NULL CHECK (total_ingredient_cost >= 0),
    per_unit_cost BIGINT NOT NULL CHECK (per_unit_cost >= 0)
);
CREATE INDEX production_runs_event_recipe_idx ON production_runs (event_id, recipe_id, produced_at);
CREATE INDEX production_runs_recipe_id_idx ON production_runs (recipe_id, produced_at);
CREATE INDEX production_runs_finished_unit_id_idx ON production_runs (finished_unit_id);
CREATE INDEX production_runs_produced_at_idx ON production_runs (produced_at, id);

CREATE TABLE production_consumptions (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    production_run_id BIGINT NOT NULL REFERENCES production_runs (id) ON DELETE CASCADE,
    ingredient_id BIGINT REFERENCES ingredients (id) ON DELETE SET NULL,
    ingredient_name TEXT NOT NULL,
    lot_id BIGINT REFERENCES inventory_lots (id) ON DELETE SET NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    unit TEXT NOT NULL,
    unit_cost BIGINT NOT NULL CHECK (unit_cost >= 0),
    cost BIGINT NOT NULL CHECK (cost >= 0)
);
CREATE INDEX production_consumptions_run_id_idx ON production_consumptions (production_run_id);
CREATE INDEX production_consumptions_ingredient_id_idx ON production_consumptions (ingredient_id);
CREATE INDEX production_consumptions_lot_id_idx ON production_consumptions (lot_id);

CREATE TABLE assembly_runs (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    finished_good_id BIGINT NOT NULL REFERENCES finished_goods (id),
    event_id BIGINT REFERENCES events (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    assembled_at TIMESTAMP NOT NULL,
    notes TEXT,
    total_component_cost BIGINT NOT NULL CHECK (total_component_cost >= 0),
    per_unit_cost BIGINT NOT NULL CHECK (per_unit_cost >= 0)
);
CREATE INDEX assembly_runs_event_good_idx ON assembly_runs (event_id, finished_good_id, assembled_at);
CREATE INDEX assembly_runs_finished_good_id_idx ON assembly_runs (finished_good_id, assembled_at);
CREATE INDEX assembly_runs_assembled_at_idx ON assembly_runs (assembled_at, id);

CREATE TABLE assembly_consumptions (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    assembly_run_id BIGINT NOT NULL REFERENCES assembly_runs (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('FINISHED_UNIT', 'FINISHED_GOOD', 'PACKAGING')),
    finished_unit_id BIGINT REFERENCES finished_units (id),
    finished_good_id BIGINT REFERENCES finished_goods (id),
    ingredient_id BIGINT REFERENCES ingredients (id) ON DELETE SET NULL,
    lot_id BIGINT REFERENCES inventory_lots (id) ON DELETE SET NULL,
    component_name TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    unit TEXT NOT NULL,
    unit_cost BIGINT NOT NULL CHECK (unit_cost >= 0),
    cost BIGINT NOT NULL CHECK (cost >= 0)
);
CREATE INDEX assembly_consumptions_run_id_idx ON assembly_consumptions (assembly_run_id);
CREATE INDEX assembly_consumptions_finished_unit_id_idx ON assembly_consumptions (finished_unit_id);
CREATE INDEX assembly_consumptions_finished_good_id_idx ON assembly_consumptions (finished_good_id);
CREATE INDEX assembly_consumptions_ingredient_id_idx ON assembly_consumptions (ingredient_id);
CREATE INDEX assembly_consumptions_lot_id_idx ON assembly_consumptions (lot_id);

CREATE TABLE idempotency_keys (
    id BIGSERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    operation TEXT NOT NULL,
    idempotency_key TEXT NOT NULL CHECK (idempotency_key <> ''),
    request_hash TEXT NOT NULL,
    result_id BIGINT NOT NULL,
    UNIQUE (operation, idempotency_key)
);
