-- Progress reads each target's totals row by (event, subject). Carrying the summed columns
-- in the primary key's index lets PostgreSQL read them from the index alone: an event's
-- totals rows lie scattered over the table (runs are recorded over time, for every event
-- at once), and visiting a table page per row was half of what reading one event's
-- targets cost. The price: an update of a total can no longer be heap-only, so recording
-- a run also writes new entries in the totals' two indexes.
ALTER TABLE event_production_totals
    DROP CONSTRAINT event_production_totals_pkey,
    ADD CONSTRAINT event_production_totals_pkey PRIMARY KEY (event_id, recipe_id)
        INCLUDE (run_count, num_batches, actual_yield);
ALTER TABLE event_assembly_totals
    DROP CONSTRAINT event_assembly_totals_pkey,
    ADD CONSTRAINT event_assembly_totals_pkey PRIMARY KEY (event_id, finished_good_id)
        INCLUDE (run_count, quantity);
