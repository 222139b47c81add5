// The case map with Leaflet: pan, zoom, clusters that open as one zooms in, and a popup per case.
// The page already holds the same map drawn on the server (and a table of the cases); this only
// puts the live map in its place on screen, so without JavaScript, or in print, nothing is lost.
// Popups are built from DOM nodes with textContent: case text never becomes HTML.
(function () {
  "use strict";

  function text(parent, tag, value) {
    var node = document.createElement(tag);
    node.textContent = value;
    parent.appendChild(node);
    return node;
  }

  function popup(point) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title = text(box, "p", "");
    title.className = "map-popup-title";
    var link = text(title, "a", point.report);
    link.href = point.url;
    text(box, "p", point.kindLabel);
    var when = text(box, "p", "");
    var time = text(when, "time", point.occurred);
    time.setAttribute("datetime", point.occurred);
    text(box, "p", point.address);
    return box;
  }

  function northArrow() {
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "map-north");
      box.setAttribute("aria-hidden", "true");
      box.textContent = "N";
      return box;
    };
    return control;
  }

  // Lines of latitude and longitude at round values: on a plain background (no tiles) they are
  // what shows where the points are, as on the drawn map.
  function graticule(map) {
    var layer = L.layerGroup().addTo(map);
    function niceStep(span) {
      var power = Math.pow(10, Math.floor(Math.log10(span / 6)));
      var factors = [1, 2, 5, 10];
      for (var i = 0; i < factors.length; i++) {
        if (span / (factors[i] * power) <= 6) {
          return factors[i] * power;
        }
      }
      return 10 * power;
    }
    function draw() {
      layer.clearLayers();
      var b = map.getBounds();
      var style = { color: "#b8bec6", weight: 1, interactive: false };
      var latStep = niceStep(b.getNorth() - b.getSouth());
      for (var lat = Math.ceil(b.getSouth() / latStep) * latStep; lat <= b.getNorth(); lat += latStep) {
        L.polyline([[lat, b.getWest()], [lat, b.getEast()]], style).addTo(layer);
      }
      var lonStep = niceStep(b.getEast() - b.getWest());
      for (var lon = Math.ceil(b.getWest() / lonStep) * lonStep; lon <= b.getEast(); lon += lonStep) {
        L.polyline([[b.getSouth(), lon], [b.getNorth(), lon]], style).addTo(layer);
      }
    }
    map.on("moveend", draw);
    draw();
  }

  function start() {
    var live = document.getElementById("case-map-live");
    if (!live || !window.L || !L.markerClusterGroup) {
      return;
    }
    var data = JSON.parse(live.getAttribute("data-map"));
    if (!data.points.length) {
      return; // the drawn map says there is nothing to show
    }
    live.hidden = false;
    document.getElementById("case-map").classList.add("is-live");
    document.getElementById("case-map-legend").hidden = false;

    // Clusters need a highest zoom, which a tile layer would otherwise give.
    var map = L.map(live, { attributionControl: Boolean(data.tiles.url), zoomSnap: 0.25, maxZoom: 19 });
    if (data.tiles.url) {
      L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
      map.attributionControl.setPrefix(false);
    } else {
      live.classList.add("no-tiles");
    }
    L.control.scale().addTo(map);
    northArrow().addTo(map);

    var clusters = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 40,
      iconCreateFunction: function (cluster) {
        var count = cluster.getChildCount();
        var label = document.createElement("span");
        label.textContent = String(count);
        var words = text(label, "span", " shootings close together; zoom in to separate them");
        words.className = "visually-hidden";
        return L.divIcon({ html: label, className: "map-cluster", iconSize: L.point(34, 34) });
      },
    });
    var markers = data.points.map(function (point) {
      var marker = L.marker([point.lat, point.lon], {
        icon: L.divIcon({
          html: data.icons[point.kind] || "",
          className: "map-marker map-marker-" + point.kind,
          iconSize: L.point(20, 20),
        }),
        title: point.report + " · " + point.kindLabel + " · " + point.occurred,
        riseOnHover: true,
      });
      marker.bindPopup(popup(point));
      marker.caseId = point.id;
      return marker;
    });
    clusters.addLayers(markers);
    map.addLayer(clusters);
    map.fitBounds(clusters.getBounds(), { padding: [28, 28], maxZoom: 16 });
    if (!data.tiles.url) {
      graticule(map);
    }
    // For the browser tests and anyone curious in the console.
    live.caseMap = { map: map, clusters: clusters, markers: markers };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
