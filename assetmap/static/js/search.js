// The search page: typing a place or choosing a neighbourhood or distance picks its option;
// the map numbers the strengths found, in the list's order, and a click on it searches from
// that point. On the print page: the "Print this list" button.
(function () {
  "use strict";

  const printButton = document.querySelector("[data-print-page]");
  if (printButton) {
    printButton.addEventListener("click", () => { window.print(); });
  }

  function picks(fieldId, eventName, optionId) {
    const field = document.getElementById(fieldId);
    const option = document.getElementById(optionId);
    if (field && option) {
      field.addEventListener(eventName, () => { option.checked = true; });
    }
  }

  picks("place", "input", "where");
  picks("neighbourhood", "change", "where-neighbourhood");
  picks("other_radius", "input", "radius-other");

  // The print page shows no map, and loads no maps.js.
  const found = window.assetmapMap ? assetmapMap(document.querySelector(".search-map")) : null;
  const data = document.getElementById("search-results");
  if (!found || !data) {
    return;
  }
  const map = found.map;

  // The page has no theme labels to show: the list beside the map names each one's themes.
  function popup(properties) {
    return window.assetmapPopup({ ...properties, themes: [] });
  }

  function marker(feature, latlng) {
    const properties = feature.properties;
    const layer = L.marker(latlng, {
      icon: L.divIcon({
        className: `search-marker search-marker--${properties.kind}`,
        html: String(properties.rank),
        iconSize: [28, 28],
        iconAnchor: [14, 14],
        popupAnchor: [0, -14]
      }),
      title: `${properties.rank}. ${properties.title}`,
      riseOnHover: true
    });
    layer.bindPopup(popup(properties));
    layer.on("add", () => {
      const icon = layer.getElement();
      icon.dataset.assetId = properties.id;
      icon.dataset.rank = properties.rank;
      // Its title holds the strength's name as its owner wrote it: never translated.
      icon.setAttribute("translate", "no");
    });
    return layer;
  }

  L.geoJSON(JSON.parse(data.textContent), { pointToLayer: marker }).addTo(map);

  const form = document.getElementById("search-form");
  map.on("click", (event) => {
    const point = event.latlng.wrap();
    document.getElementById("at-value").value = `${point.lng.toFixed(6)},${point.lat.toFixed(6)}`;
    document.getElementById("at").checked = true;
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });
})();
