//! Newtype ids, so a router id can never be passed where a service id is due.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A point of presence: a site that hosts one or more routers.
    PopId
);
id_type!(
    /// A MikroTik router in the inventory.
    RouterId
);
id_type!(
    /// A service plan (package): rates and price.
    PlanId
);
id_type!(
    /// A customer (subscriber), who may have several services.
    CustomerId
);
id_type!(
    /// One connection of a customer: a PPPoE account or a static IP.
    ServiceId
);
id_type!(
    /// A GPON OLT in the inventory.
    OltId
);
id_type!(
    /// An ONU registered on an OLT, as the database knows it (not its id
    /// on the PON port, which the OLT gives).
    OnuId
);
id_type!(
    /// An optical distribution point: a splitter box in the street.
    OdpId
);
id_type!(
    /// An issued invoice or credit note (its printed number is separate).
    InvoiceId
);
id_type!(
    /// A recorded payment (its receipt number is separate).
    PaymentId
);
id_type!(
    /// A message in the outbox.
    MessageId
);
