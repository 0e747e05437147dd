//! The closed vocabularies of the domain, stored as upper-case text.

use std::fmt;
use std::str::FromStr;

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored (and GraphQL) spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("\"{other}\" is not a valid {}", stringify!($name))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// How a finished unit relates to a batch of its recipe.
    YieldMode {
        /// A batch yields `items_per_batch` pieces.
        DiscreteCount => "DISCRETE_COUNT",
        /// A piece is `batch_percentage` percent of a batch.
        BatchPortion => "BATCH_PORTION",
    }
);

text_enum!(
    /// What kind of assembled item a finished good is.
    AssemblyType {
        /// A gift box.
        GiftBox => "GIFT_BOX",
        /// A variety pack.
        VarietyPack => "VARIETY_PACK",
        /// A holiday set.
        HolidaySet => "HOLIDAY_SET",
        /// A bulk pack.
        BulkPack => "BULK_PACK",
        /// A custom order.
        CustomOrder => "CUSTOM_ORDER",
    }
);

text_enum!(
    /// What a finished good component is.
    ComponentKind {
        /// A finished unit × a whole quantity.
        FinishedUnit => "FINISHED_UNIT",
        /// Another finished good × a whole quantity.
        FinishedGood => "FINISHED_GOOD",
        /// A packaging ingredient × a decimal quantity in its unit.
        Packaging => "PACKAGING",
    }
);

text_enum!(
    /// Where an assignment is in the fulfillment workflow.
    FulfillmentStatus {
        /// Not ready yet.
        Pending => "PENDING",
        /// Packed and ready.
        Ready => "READY",
        /// Delivered (final).
        Delivered => "DELIVERED",
    }
);

impl FulfillmentStatus {
    /// The statuses allowed after this one: PENDING → READY → DELIVERED, nothing after.
    pub fn allowed_next(self) -> &'static [FulfillmentStatus] {
        match self {
            FulfillmentStatus::Pending => &[FulfillmentStatus::Ready],
            FulfillmentStatus::Ready => &[FulfillmentStatus::Delivered],
            FulfillmentStatus::Delivered => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_stored_text() {
        for mode in YieldMode::ALL {
            assert_eq!(mode.as_str().parse::<YieldMode>().unwrap(), *mode);
        }
        for kind in AssemblyType::ALL {
            assert_eq!(kind.as_str().parse::<AssemblyType>().unwrap(), *kind);
        }
        for kind in ComponentKind::ALL {
            assert_eq!(kind.as_str().parse::<ComponentKind>().unwrap(), *kind);
        }
        for status in FulfillmentStatus::ALL {
            assert_eq!(
                status.as_str().parse::<FulfillmentStatus>().unwrap(),
                *status
            );
        }
        assert!("gift_box".parse::<AssemblyType>().is_err());
    }

    #[test]
    fn fulfillment_only_moves_forward_one_step() {
        use FulfillmentStatus::*;
        assert_eq!(Pending.allowed_next(), &[Ready]);
        assert_eq!(Ready.allowed_next(), &[Delivered]);
        assert!(Delivered.allowed_next().is_empty());
    }
}
