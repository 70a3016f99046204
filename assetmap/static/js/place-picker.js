// Put a strength's pin on the map built by the maps module: click or tap the map, drag the
// pin, move the focused pin with the arrow keys, put it in the middle of the map, or use the
// browser's location. Nothing needs dragging: every way but the drag works from a keyboard.
// The pin writes its point into the form's latitude and longitude fields, which the server
// checks; without this script those fields, and the typed place, do the same job.
//
// What the picker says comes from the page, in the reader's language: the picker's data-*
// attributes hold whole sentences with {lat} and {lon} where the point goes.
//
// This file loads before the map's own script, so the picker is shown (and has its size)
// before Leaflet lays the map out; it starts once every script of the page has run.
(function () {
  "use strict";

  const DECIMALS = 6;
  // How far an arrow key moves the pin, in screen pixels (with Shift, further).
  const STEP_PX = 10;
  const BIG_STEP_PX = 50;
  const ARROWS = {
    ArrowUp: [0, -1],
    ArrowDown: [0, 1],
    ArrowLeft: [-1, 0],
    ArrowRight: [1, 0],
  };
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
    const words = picker.dataset;
    const status = picker.querySelector("[data-pin-status]");
    const locate = picker.querySelector("[data-use-location]");
    const centre = picker.querySelector("[data-pin-centre]");
    let marker = null;

    function say(sentence, lat, lon) {
      return (sentence || "").replace("{lat}", lat).replace("{lon}", lon);
    }

    function nudge(event) {
      const step = ARROWS[event.key];
      if (!step || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      // The map pans with the arrow keys too: the focused pin keeps them for itself.
      event.preventDefault();
      event.stopPropagation();
      const size = event.shiftKey ? BIG_STEP_PX : STEP_PX;
      const point = map.latLngToContainerPoint(marker.getLatLng());
      const moved = map.containerPointToLatLng(point.add([step[0] * size, step[1] * size]));
      place(moved, words.pinMoved);
      if (!map.getBounds().pad(-0.1).contains(moved)) {
        map.panTo(moved, { animate: false });
      }
    }

    function place(latlng, sentence) {
      const lat = round(latlng.lat);
      const lon = round(latlng.lng);
      if (marker) {
        marker.setLatLng([lat, lon]);
      } else {
        const name = words.pinName || "";
        marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: name, alt: name });
        marker.on("dragend", () => {
          place(marker.getLatLng(), words.pinMoved);
        });
        marker.addTo(map);
        const icon = marker.getElement();
        if (icon) {
          icon.setAttribute("data-pin", "");
          icon.addEventListener("keydown", nudge);
        }
      }
      form.elements.lat.value = lat;
      form.elements.lon.value = lon;
      status.textContent = say(sentence, lat, lon);
    }

    map.getContainer().setAttribute("aria-label", words.mapName || "");
    map.getContainer().setAttribute("aria-describedby", "map-help");
    const lat = fieldValue(form, "lat");
    const lon = fieldValue(form, "lon");
    if (lat !== null && lon !== null) {
      place(L.latLng(lat, lon), words.pinAt);
    }

    map.on("click", (event) => {
      place(event.latlng, words.pinPlaced);
    });
    centre.addEventListener("click", () => {
      place(map.getCenter(), words.pinPlaced);
    });
    if (locate && "geolocation" in navigator) {
      locate.addEventListener("click", () => {
        status.textContent = words.locating || "";
        navigator.geolocation.getCurrentPosition(
          (position) => {
            const here = L.latLng(position.coords.latitude, position.coords.longitude);
            place(here, words.pinLocated);
            map.panTo(here, { animate: false });
          },
          () => {
            status.textContent = words.locationFailed || "";
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
