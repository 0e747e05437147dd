-- What the runs attributed to each event add up to, per recipe and per finished good.
-- Recording a run updates its row in the same transaction, so progress reads one small
-- row per target however many runs accumulate (SPEC §3.3). Runs are never updated or
-- deleted, so inserts are the only thing to follow.
CREATE TABLE event_production_totals (
    event_id BIGINT NOT NULL REFERENCES events (id),
    recipe_id BIGINT NOT NULL REFERENCES recipes (id),
    run_count BIGINT NOT NULL CHECK (run_count > 0),
    num_batches BIGINT NOT NULL CHECK (num_batches > 0),
    actual_yield BIGINT NOT NULL CHECK (actual_yield >= 0),
    total_ingredient_cost BIGINT NOT NULL CHECK (total_ingredient_cost >= 0),
    PRIMARY KEY (event_id, recipe_id)
);
CREATE INDEX event_production_totals_recipe_id_idx ON event_production_totals (recipe_id);

INSERT INTO event_production_totals
    (event_id, recipe_id, run_count, num_batches, actual_yield, total_ingredient_cost)
SELECT event_id, recipe_id, COUNT(*), SUM(num_batches), SUM(actual_yield),
       SUM(total_ingredient_cost)
FROM production_runs
WHERE event_id IS NOT NULL
GROUP BY event_id, recipe_id;

CREATE TABLE event_assembly_totals (
    event_id BIGINT NOT NULL REFERENCES events (id),
    finished_good_id BIGINT NOT NULL REFERENCES finished_goods (id),
    run_count BIGINT NOT NULL CHECK (run_count > 0),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (event_id, finished_good_id)
);
CREATE INDEX event_assembly_totals_finished_good_id_idx ON event_assembly_totals (finished_good_id);

INSERT INTO event_assembly_totals (event_id, finished_good_id, run_count, quantity)
SELECT event_id, finished_good_id, COUNT(*), SUM(quantity)
FROM assembly_runs
WHERE event_id IS NOT NULL
GROUP BY event_id, finished_good_id;

-- The latest runs of a target are the first entries of these indexes (newest first, ties
-- by id), so a page of them is read without sorting.
DROP INDEX production_runs_event_recipe_idx;
CREATE INDEX production_runs_event_recipe_idx
    ON production_runs (event_id, recipe_id, produced_at DESC, id DESC);
DROP INDEX assembly_runs_event_good_idx;
CREATE INDEX assembly_runs_event_good_idx
    ON assembly_runs (event_id, finished_good_id, assembled_at DESC, id DESC);
