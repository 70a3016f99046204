// Put a strength's pin on the map built by the maps module: click or tap the map, drag the
// pin, put it in the middle of the map (for keyboards), or use the browser's location.
// The pin writes its point into the form's latitude and longitude fields, which the server
// checks; without this script those fields, and the typed place, do the same job.
//
// This file loads before the map's own script, so the picker is shown (and has its size)
// before Leaflet lays the map out; it starts once every script of the page has run.
(function () {
  "use strict";

  const DECIMALS = 6;
  const pickers = document.querySelectorAll("[data-place-picker]");

  function round(value) {
    return Number(value.toFixed(DECIMALS));
  }

  function fieldValue(form, name) {
    const input = form.elements[name];
    const value = input ? parseFloat(input.value) : NaN;
    return isFinite(value) ? value : null;
  }

  function start(picker) {
    const found = assetmapMap(picker);
    const form = picker.closest("form");
    if (!found || !form) {
      picker.hidden = true;
      return;
    }
    const map = found.map;
    const status = picker.querySelector("[data-pin-status]");
    const locate = picker.querySelector("[data-use-location]");
    const centre = picker.querySelector("[data-pin-centre]");
    let marker = null;

    function place(latlng, message) {
      const lat = round(latlng.lat);
      const lon = round(latlng.lng);
      if (marker) {
        marker.setLatLng([lat, lon]);
      } else {
        marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: "The pin", alt: "The pin" });
        marker.on("dragend", () => {
          place(marker.getLatLng(), "Pin moved to");
        });
        marker.addTo(map);
      }
      form.elements.lat.value = lat;
      form.elements.lon.value = lon;
      status.textContent = `${message} latitude ${lat}, longitude ${lon}.`;
    }

    map.getContainer().setAttribute("aria-label", "Map: tap or click to put the pin");
    map.getContainer().setAttribute("aria-describedby", "map-help");
    const lat = fieldValue(form, "lat");
    const lon = fieldValue(form, "lon");
    if (lat !== null && lon !== null) {
      place(L.latLng(lat, lon), "Pin at");
    }

    map.on("click", (event) => {
      place(event.latlng, "Pin placed at");
    });
    centre.addEventListener("click", () => {
      place(map.getCenter(), "Pin placed at");
    });
    if (locate && "geolocation" in navigator) {
      locate.addEventListener("click", () => {
        status.textContent = "Finding your location…";
        navigator.geolocation.getCurrentPosition(
          (position) => {
            const here = L.latLng(position.coords.latitude, position.coords.longitude);
            place(here, "Pin placed at your location,");
            map.panTo(here, { animate: false });
          },
          () => {
            status.textContent = "Your location is not available. Tap the map or type a place instead.";
          },
          { enableHighAccuracy: true, timeout: 10000 }
        );
      });
    }
  }

  Array.prototype.forEach.call(pickers, (picker) => {
    picker.hidden = false;
    const locate = picker.querySelector("[data-use-location]");
    if (locate && "geolocation" in navigator) {
      locate.hidden = false;
    }
  });
  document.addEventListener("DOMContentLoaded", () => {
    Array.prototype.forEach.call(pickers, start);
  });
})();
