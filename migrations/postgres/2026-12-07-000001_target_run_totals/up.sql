-- Each production target carries its event's run totals for its recipe (a copy of its
-- event_production_totals row, zeros before the first run), kept equal to that row in the
-- transactions that record runs or write targets. A page of events then reads its targets'
-- progress from the targets' own rows: joining the totals cost PostgreSQL four times what
-- reading the targets and their recipes did (every total of the page's events is read, as
-- the totals of the recipes an event has no target for lie among those it has).
ALTER TABLE event_production_targets ADD COLUMN run_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE event_production_targets ADD COLUMN num_batches BIGINT NOT NULL DEFAULT 0;
ALTER TABLE event_production_targets ADD COLUMN actual_yield BIGINT NOT NULL DEFAULT 0;

UPDATE event_production_targets SET
    run_count = COALESCE((SELECT x.run_count FROM event_production_totals x
        WHERE x.event_id = event_production_targets.event_id
          AND x.recipe_id = event_production_targets.recipe_id), 0),
    num_batches = COALESCE((SELECT x.num_batches FROM event_production_totals x
        WHERE x.event_id = event_production_targets.event_id
          AND x.recipe_id = event_production_targets.recipe_id), 0),
    actual_yield = COALESCE((SELECT x.actual_yield FROM event_production_totals x
        WHERE x.event_id = event_production_targets.event_id
          AND x.recipe_id = event_production_targets.recipe_id), 0);
