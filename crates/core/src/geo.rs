//! Site coordinates, for the router map and technician dispatch.

use std::fmt;
use std::str::FromStr;

/// A WGS 84 position in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeoPointError {
    #[error("a location is written LAT,LON in decimal degrees, for example -1.2921,36.8219")]
    Format,
    #[error("latitude {0} is outside -90..90")]
    Latitude(String),
    #[error("longitude {0} is outside -180..180")]
    Longitude(String),
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Result<Self, GeoPointError> {
        if !(-90.0..=90.0).contains(&lat) {
            return Err(GeoPointError::Latitude(lat.to_string()));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(GeoPointError::Longitude(lon.to_string()));
        }
        Ok(Self { lat, lon })
    }

    pub fn lat(&self) -> f64 {
        self.lat
    }

    pub fn lon(&self) -> f64 {
        self.lon
    }
}

impl FromStr for GeoPoint {
    type Err = GeoPointError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (lat, lon) = s.split_once(',').ok_or(GeoPointError::Format)?;
        let lat: f64 = lat.trim().parse().map_err(|_| GeoPointError::Format)?;
        let lon: f64 = lon.trim().parse().map_err(|_| GeoPointError::Format)?;
        Self::new(lat, lon)
    }
}

impl fmt::Display for GeoPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}", self.lat, self.lon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lat_lon() {
        let p: GeoPoint = " -1.2921, 36.8219".parse().unwrap();
        assert_eq!((p.lat(), p.lon()), (-1.2921, 36.8219));
        assert_eq!(p.to_string(), "-1.2921,36.8219");
    }

    #[test]
    fn rejects_out_of_range_and_garbage() {
        assert_eq!("91,0".parse::<GeoPoint>(), Err(GeoPointError::Latitude("91".into())));
        assert_eq!("0,181".parse::<GeoPoint>(), Err(GeoPointError::Longitude("181".into())));
        assert_eq!("north".parse::<GeoPoint>(), Err(GeoPointError::Format));
        assert_eq!("NaN,0".parse::<GeoPoint>(), Err(GeoPointError::Latitude("NaN".into())));
    }
}
