// Draw a strength check's catchment on the folium map of the form. With "Draw an area" chosen,
// each click adds a corner; with "A point and a radius" chosen, a click sets the centre. The
// drawing is written into the form's own fields (GeoJSON, or longitude and latitude), so the
// form works the same when they are typed or pasted, and without this script.
(function () {
  "use strict";

  const form = document.querySelector("[data-catchment-form]");
  if (!form) {
    return;
  }
  const choices = form.querySelectorAll('input[name="catchment"]');

  // Show only the fields of the chosen way to give the catchment.
  function reveal() {
    choices.forEach((choice) => {
      const section = document.getElementById(choice.dataset.reveals);
      if (section) {
        section.hidden = !choice.checked;
      }
    });
  }
  choices.forEach((choice) => choice.addEventListener("change", reveal));
  reveal();

  const found = assetmapMap(form);
  if (!found) {
    return;
  }
  const map = found.map;
  const field = form.querySelector("#polygon");
  const lon = form.querySelector("#lon");
  const lat = form.querySelector("#lat");
  const radius = form.querySelector("#radius_m");
  const tools = form.querySelector("[data-catchment-tools]");
  const status = form.querySelector("[data-catchment-status]");
  const words = {
    none: status.dataset.none || "",
    more: status.dataset.more || "",
    corners: JSON.parse(status.dataset.corners || "{}"),
  };
  const plurals = new Intl.PluralRules(document.documentElement.lang || "en");
  const colour = "#1d70b8";
  const area = L.polygon([], { color: colour, weight: 3, fillOpacity: 0.1 }).addTo(map);
  const corners = L.layerGroup().addTo(map);
  let circle = null;
  let points = [];

  function how() {
    const chosen = form.querySelector('input[name="catchment"]:checked');
    return chosen ? chosen.value : "";
  }

  function round(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  function write() {
    if (field) {
      const ring = points.concat([points[0]]);
      field.value = points.length >= 3 ? JSON.stringify({ type: "Polygon", coordinates: [ring] }) : "";
    }
  }

  function drawArea() {
    area.setLatLngs(points.map(([x, y]) => [y, x]));
    corners.clearLayers();
    points.forEach(([x, y]) => {
      L.circleMarker([y, x], {
        radius: 5, color: "#0b0c0c", weight: 2, fillColor: "#ffffff", fillOpacity: 1,
      }).addTo(corners);
    });
    const count = points.length;
    if (count === 0) {
      status.textContent = words.none;
    } else {
      const more = count < 3 ? ` ${words.more.replace("{more}", String(3 - count))}` : "";
      status.textContent = `${cornersDrawn(count)}${more}`;
    }
  }

  // "3 corners drawn.", in the page's language: the page gives the message for each plural
  // category of its language, and the browser says which category a number falls in.
  function cornersDrawn(count) {
    const category = plurals.select(count);
    const message = words.corners[category] || words.corners.other || "{count}";
    return message.replace("{count}", String(count));
  }

  function readField() {
    points = [];
    if (!field || !field.value.trim()) {
      return;
    }
    try {
      const value = JSON.parse(field.value);
      const geometry = value.type === "Feature" ? value.geometry : value;
      if (geometry && geometry.type === "Polygon" && Array.isArray(geometry.coordinates[0])) {
        points = geometry.coordinates[0].map((p) => [Number(p[0]), Number(p[1])]);
        const first = points[0];
        const last = points[points.length - 1];
        if (points.length > 1 && first[0] === last[0] && first[1] === last[1]) {
          points.pop();
        }
      }
    } catch (error) {
      points = [];
    }
  }

  function drawCircle() {
    const x = parseFloat(lon && lon.value);
    const y = parseFloat(lat && lat.value);
    const metres = parseFloat(radius && radius.value);
    const usable = Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(metres) && metres > 0;
    if (!usable) {
      if (circle) {
        circle.remove();
        circle = null;
      }
      return;
    }
    if (!circle) {
      circle = L.circle([y, x], { radius: metres, color: colour, weight: 3, fillOpacity: 0.1 }).addTo(map);
    } else {
      circle.setLatLng([y, x]);
      circle.setRadius(metres);
    }
  }

  map.on("click", (event) => {
    const where = event.latlng.wrap();
    if (how() === "polygon") {
      points.push([round(where.lng), round(where.lat)]);
      write();
      drawArea();
    } else if (how() === "radius" && lon && lat) {
      lon.value = round(where.lng);
      lat.value = round(where.lat);
      drawCircle();
    }
  });

  form.querySelector("[data-catchment-undo]").addEventListener("click", () => {
    points.pop();
    write();
    drawArea();
  });
  form.querySelector("[data-catchment-clear]").addEventListener("click", () => {
    points = [];
    write();
    drawArea();
  });
  if (field) {
    field.addEventListener("change", () => {
      readField();
      drawArea();
    });
  }
  [lon, lat, radius].forEach((input) => input && input.addEventListener("input", drawCircle));

  tools.hidden = false;
  readField();
  drawArea();
  drawCircle();
}());
