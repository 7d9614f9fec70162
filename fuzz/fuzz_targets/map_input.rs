//! Arbitrary text as what reaches the map: a location an operator types or
//! pastes (coordinates, Google Maps and OpenStreetMap links, `geo:` URIs),
//! a tile path the web view asks the `tile:` protocol for, and a tile
//! server address. Each is accepted or refused, never a panic; what is
//! accepted is in range and reads back the same.

#![no_main]

use headend_core::geo::GeoPoint;
use headend_core::map::{Bounds, TileId, TileUrl, area_tile_count};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(point) = text.parse::<GeoPoint>() {
        assert!((-90.0..=90.0).contains(&point.lat()) && (-180.0..=180.0).contains(&point.lon()));
        assert_eq!(point.to_string().parse::<GeoPoint>(), Ok(point));
    }
    if let Ok(tile) = TileId::from_path(&text) {
        assert!(tile.z() <= headend_core::map::MAX_ZOOM);
        assert!(u64::from(tile.x()) < 1u64 << tile.z() && u64::from(tile.y()) < 1u64 << tile.z());
    }
    if let Ok(url) = text.parse::<TileUrl>() {
        let _ = url.url_for(TileId::new(0, 0, 0).expect("the world's tile"));
        assert_eq!(url.as_str().parse::<TileUrl>(), Ok(url.clone()));
    }
    // Four numbers and two zooms from the bytes: an area is counted or refused.
    if data.len() >= 34 {
        let f = |i: usize| f64::from_le_bytes(data[i..i + 8].try_into().expect("8 bytes"));
        if let Ok(bounds) = Bounds::new(f(0), f(8), f(16), f(24)) {
            let _ = area_tile_count(&bounds, data[32]..=data[33]);
        }
    }
});
