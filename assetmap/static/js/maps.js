// Find the map a page embeds, the one way every script does. The map macro names the map in
// its element's data-map attribute, and the map's own script publishes it under that name
// (maps/builder.py, Publish): the Leaflet map, its layer control (or null), its overlays.
window.assetmapMap = function (scope) {
  "use strict";

  const root = scope || document;
  const element = root.matches && root.matches("[data-map]") ? root : root.querySelector("[data-map]");
  const published = window.assetmapMaps || {};
  return (element && window.L && published[element.dataset.map]) || null;
};
