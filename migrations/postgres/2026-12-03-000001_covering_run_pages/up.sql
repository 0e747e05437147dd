-- A target's first page of runs shows their batches and yields: carrying them in the
-- index that orders the page lets PostgreSQL read the page from the index alone, without
-- visiting the table for each run.
DROP INDEX production_runs_event_recipe_idx;
CREATE INDEX production_runs_event_recipe_idx
    ON production_runs (event_id, recipe_id, produced_at DESC, id DESC)
    INCLUDE (num_batches, expected_yield, actual_yield);
