-- Progress reads each target's totals row by (event, subject): an index that carries the
-- summed columns after the key lets SQLite read them from the index alone, as the
-- PostgreSQL migration of the same name does with the primary key's index.
CREATE INDEX event_production_totals_covering_idx
    ON event_production_totals (event_id, recipe_id, run_count, num_batches, actual_yield);
CREATE INDEX event_assembly_totals_covering_idx
    ON event_assembly_totals (event_id, finished_good_id, run_count, quantity);
