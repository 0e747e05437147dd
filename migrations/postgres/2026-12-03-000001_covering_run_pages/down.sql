DROP INDEX production_runs_event_recipe_idx;
CREATE INDEX production_runs_event_recipe_idx
    ON production_runs (event_id, recipe_id, produced_at DESC, id DESC);
