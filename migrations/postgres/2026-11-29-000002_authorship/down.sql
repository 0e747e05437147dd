ALTER TABLE event_recipient_packages DROP COLUMN delivered_by;
ALTER TABLE event_recipient_packages DROP COLUMN ready_by;
ALTER TABLE inventory_adjustments DROP COLUMN recorded_by;
ALTER TABLE inventory_lots DROP COLUMN recorded_by;
ALTER TABLE assembly_runs DROP COLUMN recorded_by;
ALTER TABLE production_runs DROP COLUMN recorded_by;
