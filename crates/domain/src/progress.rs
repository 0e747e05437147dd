//! Progress maths (SPEC §1.6): how far a target is, and when an event is complete.
//!
//! Everything here is plain arithmetic over counts already summed by the store, so the
//! rules are unit-tested without a database.

/// How far one target is: production batches or assembled quantity against the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetProgress {
    /// What the target asks for (> 0 by the database's check constraint).
    pub target: i64,
    /// What the runs attributed to the event have done so far.
    pub done: i64,
}

impl TargetProgress {
    /// What is still to do: `max(0, target − done)`.
    pub fn remaining(&self) -> i64 {
        self.target.saturating_sub(self.done).max(0)
    }

    /// `done / target × 100`; may exceed 100. A target of zero or less (which the database
    /// refuses) counts as fully done.
    pub fn percent(&self) -> f64 {
        if self.target <= 0 {
            return 100.0;
        }
        // Multiply first: integer × 100 is exact, so 6 of 10 gives exactly 60.0.
        (self.done as f64 * 100.0) / self.target as f64
    }

    /// True once `done ≥ target`.
    pub fn is_complete(&self) -> bool {
        self.done >= self.target
    }
}

/// How many of an event's assignments are in each fulfillment status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    /// Assignments still PENDING.
    pub pending: i64,
    /// Assignments READY.
    pub ready: i64,
    /// Assignments DELIVERED.
    pub delivered: i64,
}

impl StatusCounts {
    /// All assignments.
    pub fn total(&self) -> i64 {
        self.pending + self.ready + self.delivered
    }
}

/// The overall progress of an event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventProgress {
    /// Production targets of the event.
    pub production_targets: i64,
    /// Production targets that are complete.
    pub production_complete: i64,
    /// Assembly targets of the event.
    pub assembly_targets: i64,
    /// Assembly targets that are complete.
    pub assembly_complete: i64,
    /// Assignments by fulfillment status.
    pub packages: StatusCounts,
}

impl EventProgress {
    /// Sums up the progress of every target of an event and its assignment counts.
    pub fn new(
        production: impl IntoIterator<Item = TargetProgress>,
        assembly: impl IntoIterator<Item = TargetProgress>,
        packages: StatusCounts,
    ) -> Self {
        let count = |targets: &mut dyn Iterator<Item = TargetProgress>| {
            targets.fold((0, 0), |(all, done), t| {
                (all + 1, done + i64::from(t.is_complete()))
            })
        };
        let (production_targets, production_complete) = count(&mut production.into_iter());
        let (assembly_targets, assembly_complete) = count(&mut assembly.into_iter());
        EventProgress {
            production_targets,
            production_complete,
            assembly_targets,
            assembly_complete,
            packages,
        }
    }

    /// Every production target is complete (true when there are none).
    pub fn is_production_complete(&self) -> bool {
        self.production_complete == self.production_targets
    }

    /// Every assembly target is complete (true when there are none).
    pub fn is_assembly_complete(&self) -> bool {
        self.assembly_complete == self.assembly_targets
    }

    /// Both kinds of targets are complete and every assignment is delivered.
    pub fn is_complete(&self) -> bool {
        self.is_production_complete()
            && self.is_assembly_complete()
            && self.packages.delivered == self.packages.total()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(target: i64, done: i64) -> TargetProgress {
        TargetProgress { target, done }
    }

    #[test]
    fn spec_examples_hold() {
        assert_eq!(p(4, 2).percent(), 50.0);
        assert_eq!(p(4, 2).remaining(), 2);
        assert!(!p(4, 2).is_complete());

        assert_eq!(p(4, 5).percent(), 125.0);
        assert_eq!(p(4, 5).remaining(), 0);
        assert!(p(4, 5).is_complete());

        assert_eq!(p(10, 6).percent(), 60.0);
        assert_eq!(p(10, 6).remaining(), 4);
        assert!(!p(10, 6).is_complete());
    }

    #[test]
    fn exactly_reached_is_complete_and_nothing_done_is_zero() {
        assert!(p(3, 3).is_complete());
        assert_eq!(p(3, 3).percent(), 100.0);
        assert_eq!(p(3, 0).percent(), 0.0);
        assert_eq!(p(3, 0).remaining(), 3);
        assert!((p(3, 1).percent() - 33.333_333_333_333_336).abs() < 1e-12);
        assert_eq!(p(0, 0).percent(), 100.0);
    }

    #[test]
    fn event_counts_targets_and_packages() {
        let packages = StatusCounts {
            pending: 1,
            ready: 2,
            delivered: 3,
        };
        let progress = EventProgress::new([p(4, 2), p(4, 5), p(1, 1)], [p(10, 6)], packages);
        assert_eq!(progress.production_targets, 3);
        assert_eq!(progress.production_complete, 2);
        assert!(!progress.is_production_complete());
        assert_eq!(progress.assembly_targets, 1);
        assert_eq!(progress.assembly_complete, 0);
        assert!(!progress.is_assembly_complete());
        assert_eq!(progress.packages.total(), 6);
        assert!(!progress.is_complete());
    }

    #[test]
    fn an_event_without_targets_is_complete_once_everything_is_delivered() {
        let none: [TargetProgress; 0] = [];
        let delivered = StatusCounts {
            delivered: 2,
            ..StatusCounts::default()
        };
        let progress = EventProgress::new(none, none, delivered);
        assert!(progress.is_production_complete());
        assert!(progress.is_assembly_complete());
        assert!(progress.is_complete());

        let one_ready = StatusCounts {
            ready: 1,
            ..delivered
        };
        assert!(!EventProgress::new(none, none, one_ready).is_complete());
        assert!(EventProgress::new(none, none, StatusCounts::default()).is_complete());
    }

    #[test]
    fn complete_targets_still_wait_for_deliveries() {
        let progress = EventProgress::new(
            [p(2, 2)],
            [p(1, 3)],
            StatusCounts {
                pending: 1,
                ..StatusCounts::default()
            },
        );
        assert!(progress.is_production_complete() && progress.is_assembly_complete());
        assert!(!progress.is_complete());
    }
}
