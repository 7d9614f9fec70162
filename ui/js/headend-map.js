// Headend's map: a thin layer over Leaflet and Leaflet.markercluster
// (ui/vendor), driven from Rust (ui/src/leaflet.rs). It knows markers,
// layers, popups and clicks; what a marker means (its state, its lines, the
// page it opens) comes from Rust as plain data.
//
// Markers are vector circles: their colours come from CSS classes
// (`marker kind-router state-down`), so the theme styles them and no image
// is fetched. Tiles come through the app's `tile:` protocol (its Rust side
// fetches and caches them), never straight from the internet.
(function () {
  "use strict";

  // States that need the operator, worst first: a cluster holding one
  // takes its colour; otherwise a cluster takes its most common state's.
  const PROBLEMS = ["down", "alert", "los", "weak", "degraded"];

  function clusterState(markers) {
    let worst = PROBLEMS.length;
    const counts = new Map();
    for (const m of markers) {
      const state = m.feature.state;
      const problem = PROBLEMS.indexOf(state);
      if (problem >= 0 && problem < worst) worst = problem;
      counts.set(state, (counts.get(state) || 0) + 1);
    }
    if (worst < PROBLEMS.length) return PROBLEMS[worst];
    let common = "unknown";
    let most = 0;
    for (const [state, n] of counts) {
      if (n > most) {
        common = state;
        most = n;
      }
    }
    return common;
  }
  const RADIUS = { router: 9, olt: 9, odp: 6, customer: 5 };

  function markerClass(f) {
    return "marker kind-" + f.kind + " state-" + f.state;
  }

  function popupContent(f, open) {
    const box = document.createElement("div");
    box.className = "map-popup";
    box.dataset.kind = f.kind;
    box.dataset.id = String(f.id);
    const title = document.createElement("strong");
    title.textContent = f.name;
    box.appendChild(title);
    const state = document.createElement("div");
    state.className = "map-popup-state state-" + f.state;
    state.textContent = f.state_label;
    box.appendChild(state);
    for (const line of f.lines) {
      const p = document.createElement("div");
      p.className = "map-popup-line";
      p.textContent = line;
      box.appendChild(p);
    }
    if (f.page) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "map-popup-open";
      button.textContent = f.page;
      button.addEventListener("click", () => open(f.kind, f.id));
      box.appendChild(button);
    }
    return box;
  }

  class HeadendMap {
    // `el`: the element to fill. `options`: { tileUrl, attribution,
    // center: [lat, lon], zoom }. `handlers`: { open(kind, id),
    // picked(lat, lon), moved(), tileFailed() }.
    constructor(el, options, handlers) {
      this.handlers = handlers;
      this.map = L.map(el, { zoomControl: true, worldCopyJump: true, preferCanvas: false });
      // Routers, OLTs and ODPs above the customers' clusters (the marker
      // pane is 600).
      this.map.createPane("devices").style.zIndex = "650";
      // Text, not links: a link would navigate the app's own window away.
      this.map.attributionControl.setPrefix("Leaflet");
      const attribution = document.createElement("span");
      attribution.textContent = options.attribution;
      this.tiles = L.tileLayer(options.tileUrl, { maxZoom: 19, attribution: attribution.innerHTML });
      this.tiles.on("tileerror", () => handlers.tileFailed());
      this.tiles.addTo(this.map);
      this.map.setView(options.center, options.zoom);
      this.map.on("moveend", () => handlers.moved());
      this.map.on("click", (e) => {
        if (this.picking) {
          // Past the antimeridian the map repeats: the point's own longitude.
          const at = e.latlng.wrap();
          this.showPick(at.lat, at.lng);
          handlers.picked(at.lat, at.lng);
        }
      });
      this.layers = {
        router: L.layerGroup(),
        olt: L.layerGroup(),
        odp: L.layerGroup(),
        customer: L.markerClusterGroup({
          chunkedLoading: true,
          showCoverageOnHover: false,
          maxClusterRadius: 50,
          iconCreateFunction: (cluster) => {
            const state = clusterState(cluster.getAllChildMarkers());
            const count = cluster.getChildCount();
            const size = count < 100 ? "small" : count < 1000 ? "medium" : "large";
            return L.divIcon({
              html: "<span>" + count + "</span>",
              className: "map-cluster cluster-" + size + " state-" + state,
              iconSize: L.point(40, 40),
            });
          },
        }),
        lines: L.layerGroup(),
      };
      this.byKey = new Map();
      for (const name of ["lines", "customer", "odp", "olt", "router"]) {
        this.layers[name].addTo(this.map);
      }
      this.picking = false;
      this.pickMarker = null;
    }

    // Replaces the markers of `kind` with `features` ([{ kind, id, name,
    // lat, lon, state, state_label, lines, page }]); a marker already shown
    // keeps its place and only changes what changed, so a live update does
    // not redraw the map.
    setFeatures(kind, features) {
      const layer = this.layers[kind];
      const seen = new Set();
      const added = [];
      const changed = [];
      for (const f of features) {
        const key = kind + ":" + f.id;
        seen.add(key);
        const old = this.byKey.get(key);
        if (old) {
          const moved = old.feature.lat !== f.lat || old.feature.lon !== f.lon;
          const restyled = old.feature.state !== f.state;
          old.feature = f;
          if (moved) old.setLatLng([f.lat, f.lon]);
          if (restyled) {
            old.options.className = markerClass(f);
            const el = old.getElement && old.getElement();
            if (el) el.setAttribute("class", markerClass(f) + " leaflet-interactive");
            changed.push(old);
          }
          continue;
        }
        const marker = L.circleMarker([f.lat, f.lon], {
          pane: kind === "customer" ? "overlayPane" : "devices",
          radius: RADIUS[kind] || 6,
          className: markerClass(f),
          weight: 2,
          fillOpacity: 0.9,
        });
        marker.feature = f;
        // Built when opened, from the marker's latest data: a refresh of
        // 10,000 markers builds no popup.
        marker.bindPopup(() => popupContent(marker.feature, this.handlers.open));
        this.byKey.set(key, marker);
        added.push(marker);
      }
      const gone = [];
      for (const [key, marker] of this.byKey) {
        if (key.startsWith(kind + ":") && !seen.has(key)) {
          gone.push(marker);
          this.byKey.delete(key);
        }
      }
      if (layer.addLayers) {
        if (gone.length) layer.removeLayers(gone);
        if (added.length) layer.addLayers(added);
        if (changed.length) layer.refreshClusters(changed);
      } else {
        for (const m of gone) layer.removeLayer(m);
        for (const m of added) layer.addLayer(m);
      }
    }

    // Drop lines: [[fromLat, fromLon, toLat, toLon], ...].
    setLines(lines) {
      this.layers.lines.clearLayers();
      for (const l of lines) {
        L.polyline([[l[0], l[1]], [l[2], l[3]]], { className: "map-drop-line", weight: 1, interactive: false }).addTo(
          this.layers.lines,
        );
      }
    }

    // Shows or hides a layer ("router", "olt", "odp", "customer", "lines").
    showLayer(name, on) {
      const layer = this.layers[name];
      if (on && !this.map.hasLayer(layer)) layer.addTo(this.map);
      if (!on && this.map.hasLayer(layer)) this.map.removeLayer(layer);
    }

    fitAll() {
      // The element may have been laid out since the map was made.
      this.map.invalidateSize();
      const points = [];
      for (const marker of this.byKey.values()) points.push(marker.getLatLng());
      if (points.length === 1) this.map.setView(points[0], 16);
      else if (points.length > 1) this.map.fitBounds(L.latLngBounds(points), { padding: [30, 30], maxZoom: 17 });
    }

    // Opens the popup of one marker, zooming into its cluster if needed.
    focus(kind, id) {
      const marker = this.byKey.get(kind + ":" + id);
      if (!marker) return false;
      const layer = this.layers[kind];
      if (layer.zoomToShowLayer) layer.zoomToShowLayer(marker, () => marker.openPopup());
      else {
        this.map.setView(marker.getLatLng(), Math.max(this.map.getZoom(), 16));
        marker.openPopup();
      }
      return true;
    }

    setView(lat, lon, zoom) {
      this.map.setView([lat, lon], zoom);
    }

    // { south, west, north, east, zoom } of what is on screen.
    view() {
      const b = this.map.getBounds();
      return { south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast(), zoom: this.map.getZoom() };
    }

    // While on, a click on the map is a location: `handlers.picked`.
    setPicking(on) {
      this.picking = on;
      this.map.getContainer().classList.toggle("map-picking", on);
    }

    showPick(lat, lon) {
      if (this.pickMarker) this.pickMarker.setLatLng([lat, lon]);
      else
        this.pickMarker = L.circleMarker([lat, lon], { pane: "devices", radius: 8, className: "marker map-pick", weight: 3 })
          .addTo(this.map);
    }

    destroy() {
      this.map.remove();
      this.byKey.clear();
    }
  }

  window.HeadendMap = HeadendMap;
})();
