DROP INDEX assembly_runs_event_good_idx;
CREATE INDEX assembly_runs_event_good_idx ON assembly_runs (event_id, finished_good_id, assembled_at);
DROP INDEX production_runs_event_recipe_idx;
CREATE INDEX production_runs_event_recipe_idx ON production_runs (event_id, recipe_id, produced_at);
DROP TABLE event_assembly_totals;
DROP TABLE event_production_totals;
