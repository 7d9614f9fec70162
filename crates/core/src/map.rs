//! Street-map tiles: which tile the console's map asks for, where a tile
//! server keeps it, and which tiles cover an area saved for offline use.
//!
//! Tiles follow the slippy-map convention (Web Mercator, `z/x/y`, `y`
//! growing southwards) that OpenStreetMap and every common tile server use.
//! Fetching and caching them is `headend-tiles`'s; this module only counts.

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

/// The deepest zoom a tile server commonly serves (OpenStreetMap's limit).
pub const MAX_ZOOM: u8 = 19;

/// The northern and southern edge of the Web Mercator map, in degrees: the
/// latitude whose tile `y` is 0 (`atan(sinh(π))`). Beyond it there are no
/// tiles.
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// The credit OpenStreetMap's tile usage policy asks to show on the map.
pub const OSM_ATTRIBUTION: &str = "© OpenStreetMap contributors";

/// The tile server used until the operator sets another.
pub const DEFAULT_TILE_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

/// The longest tile address accepted: a template with an API key is well
/// under it.
pub const MAX_TILE_URL_LEN: usize = 512;

/// One map tile: zoom `z`, column `x` from the west, row `y` from the north.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    z: u8,
    x: u32,
    y: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileIdError {
    #[error("zoom {0} is beyond the deepest zoom, {MAX_ZOOM}")]
    Zoom(u8),
    #[error("tile {x}/{y} does not exist at zoom {z}: a zoom-{z} map is {size} tiles wide", size = 1u64 << z)]
    OutOfRange { z: u8, x: u32, y: u32 },
    #[error("a tile is asked for as ZOOM/X/Y.png, like 12/2466/2062.png")]
    Path,
}

/// The longest path [`TileId::from_path`] reads: `/19/524287/524287.png`
/// is 21 characters; anything far longer is not a tile.
const MAX_PATH_LEN: usize = 32;

impl TileId {
    pub fn new(z: u8, x: u32, y: u32) -> Result<Self, TileIdError> {
        if z > MAX_ZOOM {
            return Err(TileIdError::Zoom(z));
        }
        let size = 1u32 << z;
        if x >= size || y >= size {
            return Err(TileIdError::OutOfRange { z, x, y });
        }
        Ok(Self { z, x, y })
    }

    /// The tile the webview asks for: `12/2466/2062.png` or `12/2466/2062`,
    /// with or without one leading `/` (a URL's path has one). Numbers are
    /// plain decimal digits without leading zeros, so each tile has one
    /// spelling. Never panics, whatever the input.
    pub fn from_path(path: &str) -> Result<Self, TileIdError> {
        if path.len() > MAX_PATH_LEN {
            return Err(TileIdError::Path);
        }
        let path = path.strip_prefix('/').unwrap_or(path);
        let path = path.strip_suffix(".png").unwrap_or(path);
        let mut parts = path.split('/');
        let (Some(z), Some(x), Some(y), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(TileIdError::Path);
        };
        let z = number(z).and_then(|z| u8::try_from(z).ok()).ok_or(TileIdError::Path)?;
        let x = number(x).ok_or(TileIdError::Path)?;
        let y = number(y).ok_or(TileIdError::Path)?;
        Self::new(z, x, y)
    }

    pub fn z(self) -> u8 {
        self.z
    }

    pub fn x(self) -> u32 {
        self.x
    }

    pub fn y(self) -> u32 {
        self.y
    }
}

/// A canonical decimal number: digits only, no sign, no leading zero, fits
/// a `u32`.
fn number(text: &str) -> Option<u32> {
    let canonical =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    if canonical { text.parse().ok() } else { None }
}

impl fmt::Display for TileId {
    /// `z/x/y`, as tile servers and the cache spell it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// A tile server's address, with `{z}`, `{x}` and `{y}` where a tile's
/// numbers go: `https://tile.openstreetmap.org/{z}/{x}/{y}.png`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TileUrl {
    template: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileUrlError {
    #[error("the tile address is empty; the usual one is {DEFAULT_TILE_URL}")]
    Empty,
    #[error("the tile address is longer than {MAX_TILE_URL_LEN} characters")]
    TooLong,
    #[error("a tile address starts with https:// or http://, like {DEFAULT_TILE_URL}")]
    Scheme,
    #[error("the tile address has no server name after {0}")]
    NoHost(&'static str),
    #[error("the tile address cannot contain spaces")]
    Whitespace,
    #[error("the tile address contains {0:?}, which a web address cannot carry as is")]
    Character(char),
    #[error("a tile address must contain {{z}}, {{x}} and {{y}}, like {DEFAULT_TILE_URL}")]
    MissingPlaceholder,
    #[error("the tile address contains {{{0}}} twice")]
    RepeatedPlaceholder(char),
    #[error(
        "the tile address contains {0}: only {{z}}, {{x}} and {{y}} are filled in (write one server name instead of {{s}})"
    )]
    UnknownPlaceholder(String),
    #[error("the tile server's name cannot contain {{z}}, {{x}} or {{y}}")]
    PlaceholderInHost,
}

impl TileUrl {
    /// The address of one tile.
    pub fn url_for(&self, id: TileId) -> String {
        self.template
            .replace("{z}", &id.z.to_string())
            .replace("{x}", &id.x.to_string())
            .replace("{y}", &id.y.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.template
    }

    /// The server's name and port, as written (`tile.openstreetmap.org`,
    /// `127.0.0.1:8080`), without any user or password: what errors and
    /// logs name.
    pub fn host(&self) -> &str {
        let rest = self.template.split_once("://").map_or(self.template.as_str(), |(_, rest)| rest);
        let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        authority.rsplit_once('@').map_or(authority, |(_, host)| host)
    }

    /// Whether the tiles are OpenStreetMap's own, whose usage policy asks
    /// for [`OSM_ATTRIBUTION`] on the map.
    pub fn is_openstreetmap(&self) -> bool {
        let host = self.host();
        let name = host.rsplit_once(':').map_or(host, |(name, _)| name).to_ascii_lowercase();
        name == "tile.openstreetmap.org" || name.ends_with(".tile.openstreetmap.org")
    }
}

impl Default for TileUrl {
    fn default() -> Self {
        Self { template: DEFAULT_TILE_URL.to_owned() }
    }
}

impl FromStr for TileUrl {
    type Err = TileUrlError;

    /// An operator's tile address, checked so that every tile's address it
    /// makes is a valid `http(s)` URL; surrounding spaces are ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        if text.is_empty() {
            return Err(TileUrlError::Empty);
        }
        if text.len() > MAX_TILE_URL_LEN {
            return Err(TileUrlError::TooLong);
        }
        let (scheme, rest) = if let Some(rest) = text.strip_prefix("https://") {
            ("https://", rest)
        } else if let Some(rest) = text.strip_prefix("http://") {
            ("http://", rest)
        } else {
            return Err(TileUrlError::Scheme);
        };
        if let Some(c) = text.chars().find(|c| c.is_whitespace()) {
            return Err(if c == ' ' || c == '\t' { TileUrlError::Whitespace } else { TileUrlError::Character(c) });
        }
        // RFC 3986's characters (anything else must be percent-encoded)
        // plus the braces of the placeholders; no `#`: a fragment never
        // reaches the server.
        if let Some(c) = text.chars().find(|&c| !c.is_ascii_graphic() || "\"#<>\\^`|".contains(c)) {
            return Err(TileUrlError::Character(c));
        }
        placeholders(text)?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        if authority.contains('{') {
            return Err(TileUrlError::PlaceholderInHost);
        }
        let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
        if name.is_empty() {
            return Err(TileUrlError::NoHost(scheme));
        }
        Ok(Self { template: text.to_owned() })
    }
}

/// Each of `{z}`, `{x}` and `{y}` exactly once, and no other braces.
fn placeholders(text: &str) -> Result<(), TileUrlError> {
    let mut seen = [false; 3];
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        let after = &rest[open..];
        let name = match after.as_bytes() {
            [b'{', name @ (b'z' | b'x' | b'y'), b'}', ..] => *name,
            _ => {
                let shown = after.find('}').map_or(after, |close| &after[..=close]);
                let shown: String = shown.chars().take(20).collect();
                return Err(TileUrlError::UnknownPlaceholder(shown));
            }
        };
        let slot = match name {
            b'z' => 0,
            b'x' => 1,
            _ => 2,
        };
        if seen[slot] {
            return Err(TileUrlError::RepeatedPlaceholder(char::from(name)));
        }
        seen[slot] = true;
        rest = &after[3..];
    }
    if seen.iter().all(|&s| s) { Ok(()) } else { Err(TileUrlError::MissingPlaceholder) }
}

impl fmt::Display for TileUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.template)
    }
}

/// An area of the map, in WGS 84 degrees: what the operator saves for use
/// without network. It does not cross the 180th meridian.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    south: f64,
    west: f64,
    north: f64,
    east: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoundsError {
    #[error("latitude {0} is outside -90..90")]
    Latitude(String),
    #[error("longitude {0} is outside -180..180")]
    Longitude(String),
    #[error("the southern edge ({south}) is north of the northern edge ({north})")]
    SouthOfNorth { south: String, north: String },
    #[error("the western edge ({west}) is east of the eastern edge ({east}); an area cannot cross the 180th meridian")]
    WestOfEast { west: String, east: String },
}

impl Bounds {
    /// Latitudes are clamped to the Web Mercator map's edges
    /// ([`MAX_LATITUDE`]): a box drawn up to the pole saves the tiles that
    /// exist.
    pub fn new(south: f64, west: f64, north: f64, east: f64) -> Result<Self, BoundsError> {
        for lat in [south, north] {
            if !(-90.0..=90.0).contains(&lat) {
                return Err(BoundsError::Latitude(lat.to_string()));
            }
        }
        for lon in [west, east] {
            if !(-180.0..=180.0).contains(&lon) {
                return Err(BoundsError::Longitude(lon.to_string()));
            }
        }
        if south > north {
            return Err(BoundsError::SouthOfNorth { south: south.to_string(), north: north.to_string() });
        }
        if west > east {
            return Err(BoundsError::WestOfEast { west: west.to_string(), east: east.to_string() });
        }
        let clamp = |lat: f64| lat.clamp(-MAX_LATITUDE, MAX_LATITUDE);
        Ok(Self { south: clamp(south), west, north: clamp(north), east })
    }

    pub fn south(&self) -> f64 {
        self.south
    }

    pub fn west(&self) -> f64 {
        self.west
    }

    pub fn north(&self) -> f64 {
        self.north
    }

    pub fn east(&self) -> f64 {
        self.east
    }

    /// The first and last column and row of the tiles covering the area at
    /// zoom `z` (at most [`MAX_ZOOM`]).
    fn tile_span(&self, z: u8) -> (RangeInclusive<u32>, RangeInclusive<u32>) {
        (tile_x(self.west, z)..=tile_x(self.east, z), tile_y(self.north, z)..=tile_y(self.south, z))
    }
}

/// The column of longitude `lon` at zoom `z`; the eastern edge (180°) falls
/// in the last column.
fn tile_x(lon: f64, z: u8) -> u32 {
    let size = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * size).floor();
    // In range by construction: lon is within ±180 and the cast saturates.
    (x as u32).min((1u32 << z) - 1)
}

/// The row of latitude `lat` at zoom `z` (Web Mercator, row 0 in the
/// north).
fn tile_y(lat: f64, z: u8) -> u32 {
    let size = f64::from(1u32 << z);
    let lat = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    let y = ((1.0 - lat.tan().asinh() / std::f64::consts::PI) / 2.0 * size).floor();
    // A negative float casts to 0; the southern edge falls in the last row.
    (y as u32).min((1u32 << z) - 1)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaError {
    #[error("zoom {0} is beyond the deepest zoom, {MAX_ZOOM}")]
    Zoom(u8),
    #[error(
        "the area needs {count} tiles, more than the {cap} allowed at once: choose a smaller area or fewer zoom levels"
    )]
    TooMany { count: u64, cap: usize },
}

/// How many tiles cover `bounds` at the `zooms`: what the console shows
/// before the operator saves an area.
pub fn area_tile_count(bounds: &Bounds, zooms: RangeInclusive<u8>) -> Result<u64, AreaError> {
    check_zooms(&zooms)?;
    Ok(zooms
        .map(|z| {
            let (xs, ys) = bounds.tile_span(z);
            u64::from(xs.end() - xs.start() + 1) * u64::from(ys.end() - ys.start() + 1)
        })
        .sum())
}

/// The tiles covering `bounds` at the `zooms`, zoom by zoom, then column by
/// column. Counted first: more than `cap` is refused before anything is
/// listed, since a careless box at zoom 19 is billions of tiles.
pub fn area_tiles(bounds: &Bounds, zooms: RangeInclusive<u8>, cap: usize) -> Result<Vec<TileId>, AreaError> {
    let count = area_tile_count(bounds, zooms.clone())?;
    let fits = usize::try_from(count).ok().filter(|&count| count <= cap);
    let Some(count) = fits else {
        return Err(AreaError::TooMany { count, cap });
    };
    let mut tiles = Vec::with_capacity(count);
    for z in zooms {
        let (xs, ys) = bounds.tile_span(z);
        for x in xs {
            tiles.extend(ys.clone().map(|y| TileId { z, x, y }));
        }
    }
    Ok(tiles)
}

fn check_zooms(zooms: &RangeInclusive<u8>) -> Result<(), AreaError> {
    // An empty range (5..=3) covers no tiles and is fine.
    if zooms.start() <= zooms.end() && *zooms.end() > MAX_ZOOM {
        return Err(AreaError::Zoom(*zooms.end()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tile(z: u8, x: u32, y: u32) -> TileId {
        TileId::new(z, x, y).unwrap()
    }

    #[test]
    fn tile_ids_stay_on_the_map() {
        let cases: &[(u8, u32, u32, Result<(), TileIdError>)] = &[
            (0, 0, 0, Ok(())),
            (0, 1, 0, Err(TileIdError::OutOfRange { z: 0, x: 1, y: 0 })),
            (1, 1, 1, Ok(())),
            (1, 0, 2, Err(TileIdError::OutOfRange { z: 1, x: 0, y: 2 })),
            (19, 524_287, 524_287, Ok(())),
            (19, 524_288, 0, Err(TileIdError::OutOfRange { z: 19, x: 524_288, y: 0 })),
            (20, 0, 0, Err(TileIdError::Zoom(20))),
            (255, 0, 0, Err(TileIdError::Zoom(255))),
        ];
        for &(z, x, y, ref want) in cases {
            assert_eq!(TileId::new(z, x, y).map(|_| ()), *want, "{z}/{x}/{y}");
        }
        assert_eq!(
            TileIdError::OutOfRange { z: 1, x: 0, y: 2 }.to_string(),
            "tile 0/2 does not exist at zoom 1: a zoom-1 map is 2 tiles wide"
        );
    }

    #[test]
    fn tile_paths_parse() {
        let good: &[(&str, (u8, u32, u32))] = &[
            ("12/2466/2062.png", (12, 2466, 2062)),
            ("12/2466/2062", (12, 2466, 2062)),
            ("/12/2466/2062.png", (12, 2466, 2062)),
            ("0/0/0.png", (0, 0, 0)),
            ("19/524287/524287.png", (19, 524_287, 524_287)),
        ];
        for &(path, (z, x, y)) in good {
            assert_eq!(TileId::from_path(path), Ok(tile(z, x, y)), "{path}");
        }
        assert_eq!(tile(12, 2466, 2062).to_string(), "12/2466/2062");
    }

    #[test]
    fn tile_paths_reject_everything_else() {
        let path = Err(TileIdError::Path);
        let bad: &[(&str, Result<TileId, TileIdError>)] = &[
            ("", path.clone()),
            ("/", path.clone()),
            ("12/2466", path.clone()),
            ("12/2466/2062/1.png", path.clone()),
            ("a/12/2466/2062.png", path.clone()),
            ("//12/2466/2062.png", path.clone()),
            ("12/2466/2062.png/", path.clone()),
            ("12/2466/2062.jpg", path.clone()),
            ("12/2466/2062.png.png", path.clone()),
            ("12/2466/2062.PNG", path.clone()),
            ("12/../2062.png", path.clone()),
            ("../12/2466/2062.png", path.clone()),
            ("12/-1/2062.png", path.clone()),
            ("12/+1/2062.png", path.clone()),
            ("12/ 1/2062.png", path.clone()),
            ("12/1 /2062.png", path.clone()),
            ("12/0x1/2062.png", path.clone()),
            ("12/01/2062.png", path.clone()),
            ("12//2062.png", path.clone()),
            ("12/2466/2062?x=1", path.clone()),
            ("12\\2466\\2062.png", path.clone()),
            ("１２/2466/2062.png", path.clone()),
            ("256/0/0.png", path.clone()),
            ("1/4294967296/0.png", path.clone()),
            ("1/99999999999999999999/0.png", path.clone()),
            ("1/0/0.png\0", path.clone()),
            ("20/0/0.png", Err(TileIdError::Zoom(20))),
            ("1/2/0.png", Err(TileIdError::OutOfRange { z: 1, x: 2, y: 0 })),
        ];
        for (path, want) in bad {
            assert_eq!(TileId::from_path(path), *want, "{path:?}");
        }
        assert_eq!(TileId::from_path(&"1/".repeat(10_000)), Err(TileIdError::Path));
    }

    #[test]
    fn tile_urls_are_checked() {
        let good: &[(&str, &str)] = &[
            (DEFAULT_TILE_URL, "https://tile.openstreetmap.org/12/2466/2062.png"),
            ("  http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png ", "http://127.0.0.1:8080/tiles/12/2466/2062.png"),
            ("https://maps.example/{z}/{y}/{x}?key=abc%20d", "https://maps.example/12/2062/2466?key=abc%20d"),
            ("https://maps.example/tile?z={z}&x={x}&y={y}", "https://maps.example/tile?z=12&x=2466&y=2062"),
            ("https://user:pw@maps.example/{z}/{x}/{y}", "https://user:pw@maps.example/12/2466/2062"),
        ];
        for &(text, want) in good {
            let url: TileUrl = text.parse().unwrap_or_else(|err| panic!("{text}: {err}"));
            assert_eq!(url.url_for(tile(12, 2466, 2062)), want);
            assert_eq!(url.to_string(), text.trim());
        }

        use TileUrlError as E;
        let bad: &[(&str, TileUrlError)] = &[
            ("", E::Empty),
            ("   ", E::Empty),
            ("tile.openstreetmap.org/{z}/{x}/{y}.png", E::Scheme),
            ("ftp://tiles.example/{z}/{x}/{y}.png", E::Scheme),
            ("HTTPS://tiles.example/{z}/{x}/{y}.png", E::Scheme),
            ("https:///{z}/{x}/{y}.png", E::NoHost("https://")),
            ("https://:8080/{z}/{x}/{y}.png", E::NoHost("https://")),
            ("https://tiles.example/{z}/{x} /{y}.png", E::Whitespace),
            ("https://tiles.example/{z}/{x}\n/{y}.png", E::Character('\n')),
            ("https://tiles.example/{z}/{x}/{y}.png?q=\"a\"", E::Character('"')),
            ("https://tiles.example/ñ/{z}/{x}/{y}.png", E::Character('ñ')),
            ("https://tiles.example/{z}/{x}/{y}.png#top", E::Character('#')),
            ("https://tiles.example/{z}/{x}.png", E::MissingPlaceholder),
            ("https://tiles.example/tiles.png", E::MissingPlaceholder),
            ("https://tiles.example/{z}/{x}/{y}/{z}.png", E::RepeatedPlaceholder('z')),
            ("https://{s}.tile.example/{z}/{x}/{y}.png", E::UnknownPlaceholder("{s}".into())),
            ("https://tiles.example/{z}/{x}/{y}{r}.png", E::UnknownPlaceholder("{r}".into())),
            ("https://tiles.example/{Z}/{x}/{y}.png", E::UnknownPlaceholder("{Z}".into())),
            ("https://tiles.example/{ z}/{x}/{y}.png", E::Whitespace),
            ("https://tiles.example/{z}/{x}/{y}.png}", E::UnknownPlaceholder("}".into())),
            ("https://tiles.example/{z}/{x}/{y}.png{", E::UnknownPlaceholder("{".into())),
            ("https://tiles.example/{{z}}/{x}/{y}.png", E::UnknownPlaceholder("{{z}".into())),
            ("https://{z}.example/{x}/{y}.png", E::PlaceholderInHost),
        ];
        for (text, want) in bad {
            assert_eq!(text.parse::<TileUrl>().as_ref(), Err(want), "{text:?}");
        }
        let long = format!("https://tiles.example/{}/{{z}}/{{x}}/{{y}}.png", "a".repeat(MAX_TILE_URL_LEN));
        assert_eq!(long.parse::<TileUrl>(), Err(E::TooLong));
        assert_eq!(
            E::MissingPlaceholder.to_string(),
            "a tile address must contain {z}, {x} and {y}, like https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        );
        assert_eq!(
            E::UnknownPlaceholder("{s}".into()).to_string(),
            "the tile address contains {s}: only {z}, {x} and {y} are filled in (write one server name instead of {s})"
        );
    }

    #[test]
    fn the_default_is_openstreetmap() {
        let url = TileUrl::default();
        assert_eq!(DEFAULT_TILE_URL.parse::<TileUrl>(), Ok(url.clone()));
        assert_eq!(url.as_str(), DEFAULT_TILE_URL);
        assert_eq!(url.host(), "tile.openstreetmap.org");
        assert!(url.is_openstreetmap());
        let hosts: &[(&str, &str, bool)] = &[
            ("https://a.tile.openstreetmap.org/{z}/{x}/{y}.png", "a.tile.openstreetmap.org", true),
            ("https://TILE.openstreetmap.org:443/{z}/{x}/{y}.png", "TILE.openstreetmap.org:443", true),
            (
                "https://tile.openstreetmap.org.evil.example/{z}/{x}/{y}.png",
                "tile.openstreetmap.org.evil.example",
                false,
            ),
            ("https://tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png", "tile.openstreetmap.fr", false),
            ("http://u:p@127.0.0.1:8080/{z}/{x}/{y}.png", "127.0.0.1:8080", false),
            ("https://maps.example?z={z}&x={x}&y={y}", "maps.example", false),
        ];
        for &(text, host, osm) in hosts {
            let url: TileUrl = text.parse().unwrap();
            assert_eq!((url.host(), url.is_openstreetmap()), (host, osm), "{text}");
        }
    }

    #[test]
    fn bounds_are_checked_and_clamped() {
        let b = Bounds::new(-90.0, -180.0, 90.0, 180.0).unwrap();
        assert_eq!((b.south(), b.west(), b.north(), b.east()), (-MAX_LATITUDE, -180.0, MAX_LATITUDE, 180.0));
        let b = Bounds::new(-1.4, 36.6, -1.1, 37.1).unwrap();
        assert_eq!((b.south(), b.west(), b.north(), b.east()), (-1.4, 36.6, -1.1, 37.1));

        type Edges = (f64, f64, f64, f64);
        let bad: &[(Edges, BoundsError)] = &[
            ((-91.0, 0.0, 0.0, 0.0), BoundsError::Latitude("-91".into())),
            ((0.0, 0.0, f64::NAN, 0.0), BoundsError::Latitude("NaN".into())),
            ((0.0, -180.5, 0.0, 0.0), BoundsError::Longitude("-180.5".into())),
            ((0.0, 0.0, 0.0, f64::INFINITY), BoundsError::Longitude("inf".into())),
            ((1.0, 0.0, 0.5, 0.0), BoundsError::SouthOfNorth { south: "1".into(), north: "0.5".into() }),
            ((0.0, 170.0, 0.0, -170.0), BoundsError::WestOfEast { west: "170".into(), east: "-170".into() }),
        ];
        for &((s, w, n, e), ref want) in bad {
            assert_eq!(Bounds::new(s, w, n, e).as_ref(), Err(want), "{s},{w},{n},{e}");
        }
    }

    #[test]
    fn points_fall_in_known_tiles() {
        // (lat, lon, zoom, x, y): the slippy-map formulas of the
        // OpenStreetMap wiki, with the map's corners and centre.
        let cases: &[(f64, f64, u8, u32, u32)] = &[
            (0.0, 0.0, 0, 0, 0),
            (0.0, 0.0, 1, 1, 1),
            (MAX_LATITUDE, -180.0, 1, 0, 0),
            (-MAX_LATITUDE, 180.0, 1, 1, 1),
            (MAX_LATITUDE, 180.0, 19, 524_287, 0),
            (-MAX_LATITUDE, -180.0, 19, 0, 524_287),
            (-1.2921, 36.8219, 12, 2466, 2062),      // Nairobi
            (51.5074, -0.1278, 12, 2046, 1362),      // London
            (40.7128, -74.0060, 10, 301, 385),       // New York
            (-33.8688, 151.2093, 14, 15_073, 9_831), // Sydney
        ];
        for &(lat, lon, z, x, y) in cases {
            let b = Bounds::new(lat, lon, lat, lon).unwrap();
            assert_eq!(area_tiles(&b, z..=z, 10), Ok(vec![tile(z, x, y)]), "{lat},{lon} at {z}");
        }
    }

    #[test]
    fn areas_are_counted_then_listed() {
        let world = Bounds::new(-90.0, -180.0, 90.0, 180.0).unwrap();
        assert_eq!(area_tile_count(&world, 0..=0), Ok(1));
        assert_eq!(area_tile_count(&world, 0..=2), Ok(1 + 4 + 16));
        assert_eq!(area_tile_count(&world, 19..=19), Ok(1 << 38));
        assert_eq!(area_tile_count(&world, 0..=19), Ok(((1u64 << 40) - 1) / 3));
        let none = RangeInclusive::new(3, 2);
        assert_eq!(area_tile_count(&world, none.clone()), Ok(0));
        assert_eq!(area_tiles(&world, none, 0), Ok(vec![]));
        assert_eq!(
            area_tiles(&world, 0..=1, 10),
            Ok(vec![tile(0, 0, 0), tile(1, 0, 0), tile(1, 0, 1), tile(1, 1, 0), tile(1, 1, 1)])
        );
        assert_eq!(area_tiles(&world, 0..=1, 5).map(|t| t.len()), Ok(5));
        assert_eq!(area_tiles(&world, 0..=1, 4), Err(AreaError::TooMany { count: 5, cap: 4 }));
        // Refused from the count alone: the list would not fit in memory.
        assert_eq!(area_tiles(&world, 19..=19, 1000), Err(AreaError::TooMany { count: 1 << 38, cap: 1000 }));
        assert_eq!(area_tile_count(&world, 0..=20), Err(AreaError::Zoom(20)));
        assert_eq!(area_tiles(&world, 20..=20, 10), Err(AreaError::Zoom(20)));

        // Nairobi and its outskirts: 2x2 tiles at zoom 10, 4x3 at 11, 7x4 at 12.
        let nairobi = Bounds::new(-1.45, 36.65, -1.15, 37.1).unwrap();
        assert_eq!(area_tile_count(&nairobi, 10..=12), Ok(4 + 12 + 28));
        let tiles = area_tiles(&nairobi, 10..=12, 44).unwrap();
        assert_eq!(tiles.len(), 44);
        assert_eq!(tiles.first(), Some(&tile(10, 616, 515)));
        assert_eq!(tiles.last(), Some(&tile(12, 2470, 2064)));
        assert!(tiles.contains(&tile(12, 2466, 2062)));
        assert!(tiles.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
        assert!(tiles.iter().all(|t| (10..=12).contains(&t.z())));
    }

    proptest! {
        #[test]
        fn from_path_never_panics(path in "\\PC{0,40}") {
            let _ = TileId::from_path(&path);
        }

        #[test]
        fn tile_paths_round_trip(z in 0..=MAX_ZOOM, x in any::<u32>(), y in any::<u32>()) {
            let id = tile(z, x % (1 << z), y % (1 << z));
            prop_assert_eq!(TileId::from_path(&format!("{id}.png")), Ok(id));
        }

        #[test]
        fn template_parsing_never_panics(text in "\\PC{0,80}") {
            if let Ok(url) = text.parse::<TileUrl>() {
                let _ = (url.host(), url.is_openstreetmap(), url.url_for(tile(0, 0, 0)));
            }
        }

        #[test]
        fn listed_tiles_match_the_count_and_contain_the_corners(
            lat in -85.0f64..85.0, lon in -180.0f64..179.0, dlat in 0.0f64..0.5, dlon in 0.0f64..1.0, z in 0u8..=14,
        ) {
            let b = Bounds::new(lat, lon, (lat + dlat).min(85.0), lon + dlon).unwrap();
            let tiles = area_tiles(&b, z..=z, 100_000).unwrap();
            prop_assert_eq!(tiles.len() as u64, area_tile_count(&b, z..=z).unwrap());
            for (la, lo) in [(b.south(), b.west()), (b.north(), b.east())] {
                let corner = area_tiles(&Bounds::new(la, lo, la, lo).unwrap(), z..=z, 1).unwrap();
                prop_assert!(tiles.contains(&corner[0]));
            }
        }
    }
}
