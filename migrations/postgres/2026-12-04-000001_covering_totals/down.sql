ALTER TABLE event_production_totals
    DROP CONSTRAINT event_production_totals_pkey,
    ADD CONSTRAINT event_production_totals_pkey PRIMARY KEY (event_id, recipe_id);
ALTER TABLE event_assembly_totals
    DROP CONSTRAINT event_assembly_totals_pkey,
    ADD CONSTRAINT event_assembly_totals_pkey PRIMARY KEY (event_id, finished_good_id);
