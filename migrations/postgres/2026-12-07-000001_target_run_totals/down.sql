ALTER TABLE event_production_targets
    DROP COLUMN run_count,
    DROP COLUMN num_batches,
    DROP COLUMN actual_yield;
