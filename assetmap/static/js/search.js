// The search page: typing a place or choosing a neighbourhood or distance picks its option;
// the map numbers the strengths found, in the list's order, and a click on it searches from
// that point. On the print page: the "Print this list" button.
(function () {
  "use strict";

  var printButton = document.querySelector("[data-print-page]");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }

  function picks(fieldId, eventName, optionId) {
    var field = document.getElementById(fieldId);
    var option = document.getElementById(optionId);
    if (field && option) {
      field.addEventListener(eventName, function () { option.checked = true; });
    }
  }

  picks("place", "input", "where");
  picks("neighbourhood", "change", "where-neighbourhood");
  picks("other_radius", "input", "radius-other");

  var element = document.querySelector(".search-map .folium-map");
  var map = element && window[element.id];
  var data = document.getElementById("search-results");
  if (!map || !data || typeof L === "undefined") {
    return;
  }

  function popup(properties) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.className = "govuk-link map-popup__title";
    link.href = properties.url;
    link.textContent = properties.title;
    var meta = document.createElement("div");
    meta.textContent = properties.kind + " · " +
      Math.round(properties.distance_m).toLocaleString("en-GB") + " m away";
    box.append(link, meta);
    if (properties.contact) {
      var contact = document.createElement("div");
      contact.className = "map-popup__contact";
      var label = document.createElement("strong");
      label.textContent = "Contact through you as coach: ";
      contact.append(label, properties.contact);
      box.append(contact);
    }
    return box;
  }

  function marker(feature, latlng) {
    var properties = feature.properties;
    var layer = L.marker(latlng, {
      icon: L.divIcon({
        className: "search-marker search-marker--" + properties.kind,
        html: String(properties.rank),
        iconSize: [28, 28],
        iconAnchor: [14, 14],
        popupAnchor: [0, -14]
      }),
      title: properties.rank + ". " + properties.title,
      riseOnHover: true
    });
    layer.bindPopup(popup(properties));
    layer.on("add", function () {
      var icon = layer.getElement();
      icon.dataset.assetId = properties.id;
      icon.dataset.rank = properties.rank;
    });
    return layer;
  }

  L.geoJSON(JSON.parse(data.textContent), { pointToLayer: marker }).addTo(map);

  var form = document.getElementById("search-form");
  map.on("click", function (event) {
    var point = event.latlng.wrap();
    document.getElementById("at-value").value = point.lng.toFixed(6) + "," + point.lat.toFixed(6);
    document.getElementById("at").checked = true;
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });
})();
