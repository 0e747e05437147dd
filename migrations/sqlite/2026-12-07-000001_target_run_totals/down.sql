ALTER TABLE event_production_targets DROP COLUMN actual_yield;
ALTER TABLE event_production_targets DROP COLUMN num_batches;
ALTER TABLE event_production_targets DROP COLUMN run_count;
