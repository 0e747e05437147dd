-- Who did it (SPEC §4.1): the name of the API token that recorded a run, a purchase or an
-- adjustment, or moved an assignment to READY or DELIVERED. NULL when authentication was
-- off (or for rows from before this migration): the author is not known.
ALTER TABLE production_runs ADD COLUMN recorded_by TEXT;
ALTER TABLE assembly_runs ADD COLUMN recorded_by TEXT;
ALTER TABLE inventory_lots ADD COLUMN recorded_by TEXT;
ALTER TABLE inventory_adjustments ADD COLUMN recorded_by TEXT;
-- Set together with ready_at / delivered_at, so never without them.
ALTER TABLE event_recipient_packages ADD COLUMN ready_by TEXT
    CHECK (ready_by IS NULL OR ready_at IS NOT NULL);
ALTER TABLE event_recipient_packages ADD COLUMN delivered_by TEXT
    CHECK (delivered_by IS NULL OR delivered_at IS NOT NULL);
