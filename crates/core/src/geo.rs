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
    #[error(
        "a location is written LAT,LON in decimal degrees (for example -1.2921,36.8219), or pasted as a Google Maps or OpenStreetMap link"
    )]
    Format,
    #[error("latitude {0} is outside -90..90")]
    Latitude(String),
    #[error("longitude {0} is outside -180..180")]
    Longitude(String),
}

/// Both coordinates are range-checked numbers, never NaN, so equality is
/// total.
impl Eq for GeoPoint {}

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

/// `LAT,LON`, or what an operator copies from a map: a Google Maps link
/// (the pin's `!3d…!4d…`, else `q=`/`query=`/`ll=`, else the view's
/// `@LAT,LON`), an OpenStreetMap link (`mlat=`/`mlon=`, else
/// `#map=Z/LAT/LON`) or a `geo:` URI.
impl FromStr for GeoPoint {
    type Err = GeoPointError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (lat, lon) = if s.contains("://") || s.starts_with("geo:") {
            from_link(&s.replace("%2C", ",").replace("%2c", ",")).ok_or(GeoPointError::Format)?
        } else {
            pair(s, ',').ok_or(GeoPointError::Format)?
        };
        Self::new(lat, lon)
    }
}

/// Two decimal numbers separated by `sep`, nothing else.
fn pair(text: &str, sep: char) -> Option<(f64, f64)> {
    let (lat, lon) = text.split_once(sep)?;
    Some((number(lat)?, number(lon)?))
}

/// A decimal number as maps write it: digits, one point, a leading minus.
/// `f64::from_str` alone would take `inf`, `NaN` and `1e3`.
fn number(text: &str) -> Option<f64> {
    let text = text.trim();
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let well_formed = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|&c| c == '.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit());
    if well_formed { text.parse().ok() } else { None }
}

/// The text after `key` up to the next of `ends` (or the end).
fn after<'a>(text: &'a str, key: &str, ends: &[char]) -> Option<&'a str> {
    let start = text.find(key)? + key.len();
    let rest = &text[start..];
    Some(rest.find(ends).map_or(rest, |end| &rest[..end]))
}

/// A query parameter's value (`name=` after `?`, `&` or `#`).
fn param<'a>(link: &'a str, name: &str) -> Option<&'a str> {
    ["?", "&", "#"].iter().find_map(|lead| after(link, &format!("{lead}{name}="), &['&', '#']))
}

fn from_link(link: &str) -> Option<(f64, f64)> {
    if let Some(rest) = link.strip_prefix("geo:") {
        let coords = rest.split([';', '?']).next()?;
        let mut parts = coords.split(',');
        return Some((number(parts.next()?)?, number(parts.next()?)?));
    }
    // Google's place pin, then an explicit query, then the view's centre.
    if let (Some(lat), Some(lon)) = (after(link, "!3d", &['!', '?', '&']), after(link, "!4d", &['!', '?', '&'])) {
        return Some((number(lat)?, number(lon)?));
    }
    for name in ["q", "query", "ll"] {
        if let Some(found) = param(link, name).and_then(|v| pair(v, ',')) {
            return Some(found);
        }
    }
    if let (Some(lat), Some(lon)) = (param(link, "mlat"), param(link, "mlon")) {
        return Some((number(lat)?, number(lon)?));
    }
    if let Some(view) = after(link, "#map=", &['&']) {
        let mut parts = view.split('/').skip(1);
        return Some((number(parts.next()?)?, number(parts.next()?)?));
    }
    let centre = after(link, "/@", &['/', '?', '&'])?;
    let mut parts = centre.split(',');
    Some((number(parts.next()?)?, number(parts.next()?)?))
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
        assert_eq!("NaN,0".parse::<GeoPoint>(), Err(GeoPointError::Format));
        assert_eq!("inf,0".parse::<GeoPoint>(), Err(GeoPointError::Format));
        assert_eq!("1e1,0".parse::<GeoPoint>(), Err(GeoPointError::Format));
        assert_eq!("-,0".parse::<GeoPoint>(), Err(GeoPointError::Format));
        assert_eq!("https://example.com/".parse::<GeoPoint>(), Err(GeoPointError::Format));
        assert_eq!(
            "https://www.google.com/maps/@91,0,15z".parse::<GeoPoint>(),
            Err(GeoPointError::Latitude("91".into()))
        );
    }

    #[test]
    fn reads_the_links_operators_paste() {
        let cases = [
            ("https://www.google.com/maps/@-1.2921,36.8219,15z", (-1.2921, 36.8219)),
            (
                "https://www.google.com/maps/place/Kenyatta+Avenue/@-1.2850,36.8200,17z/data=!3m1!4b1!4m6!3m5!1s0x0:0x0!8m2!3d-1.2864!4d36.8172!16s",
                (-1.2864, 36.8172),
            ),
            ("https://maps.google.com/?q=-1.2921,36.8219", (-1.2921, 36.8219)),
            ("https://www.google.com/maps/search/?api=1&query=-1.2921%2C36.8219", (-1.2921, 36.8219)),
            ("https://maps.google.com/maps?ll=10.5,-66.9&z=12", (10.5, -66.9)),
            ("https://www.openstreetmap.org/#map=15/-1.2921/36.8219", (-1.2921, 36.8219)),
            ("https://www.openstreetmap.org/?mlat=-1.2921&mlon=36.8219#map=15/-1.3/36.8", (-1.2921, 36.8219)),
            ("geo:-1.2921,36.8219;u=35", (-1.2921, 36.8219)),
            ("geo:-1.2921,36.8219?z=18", (-1.2921, 36.8219)),
            ("  -1.2921 , +36.8219 ", (-1.2921, 36.8219)),
        ];
        for (text, (lat, lon)) in cases {
            let p: GeoPoint = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((p.lat(), p.lon()), (lat, lon), "{text}");
        }
    }
}
