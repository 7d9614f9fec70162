//! Customers (subscribers).

use crate::geo::GeoPoint;
use crate::ids::CustomerId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// Where the customer is, for the map.
    pub location: Option<GeoPoint>,
}
