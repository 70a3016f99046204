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

// The words scripts say on a map, in the page's language: the map macro writes them into the
// page (templates/macros/map.html, #map-words), as scripts never hold words of their own.
window.assetmapWords = function () {
  "use strict";

  if (!window.assetmapWords.found) {
    const block = document.getElementById("map-words");
    window.assetmapWords.found = block ? JSON.parse(block.textContent) : {};
  }
  return window.assetmapWords.found;
};

// Put a number in a phrase ("{count} strengths"), written as the page's language writes it.
window.assetmapWords.number = function (value) {
  "use strict";

  const lang = window.assetmapWords().lang || document.documentElement.lang || undefined;
  return Number(value).toLocaleString(lang);
};

// Choose the form of a phrase that fits a number: ``forms`` holds the phrase for sample
// numbers, each sample standing for its plural category (one, few, many, other...) in the
// page's language. "{count}" in it becomes the number.
window.assetmapWords.plural = function (forms, count) {
  "use strict";

  const lang = window.assetmapWords().lang || document.documentElement.lang || undefined;
  const rules = new Intl.PluralRules(lang);
  const byCategory = {};
  Object.keys(forms).forEach((sample) => {
    const category = rules.select(Number(sample));
    if (!(category in byCategory)) {
      byCategory[category] = forms[sample];
    }
  });
  const form = byCategory[rules.select(count)] || byCategory.other || Object.values(forms)[0] || "{count}";
  return form.replace("{count}", window.assetmapWords.number(count));
};

// Build a strength's popup, the one way every map does (folium's markers, the explore map,
// the search map), from its data: title, url (its page, where it links to one), kind, themes
// (as people read them), unconfirmed, distance_m, note (a line already in the page's
// language, as a funded project's "Funded: £X from ROUND") and contact, each optional but the
// first. User text goes in as text, never as HTML.
window.assetmapPopup = function (strength) {
  "use strict";

  function element(tag, className, text) {
    const node = document.createElement(tag);
    node.className = className;
    node.textContent = text;
    return node;
  }

  const words = window.assetmapWords();
  const root = element("div", "map-popup", "");
  // The title is bold on every page, whether or not it links to the strength's page. It is
  // written by a person, in their own language, and never translated.
  const title = element("strong", "map-popup__title", strength.title);
  title.setAttribute("translate", "no");
  if (strength.url) {
    const link = element("a", "govuk-link map-popup__title", strength.title);
    link.setAttribute("translate", "no");
    link.href = strength.url;
    title.className = "";
    title.replaceChildren(link);
  }
  root.appendChild(title);
  if (strength.unconfirmed) {
    root.appendChild(element("strong", "govuk-tag govuk-tag--grey", words.unconfirmed || "Unconfirmed"));
  }
  const meta = [];
  if (strength.kind) {
    meta.push(words[strength.kind] || strength.kind.charAt(0).toUpperCase() + strength.kind.slice(1));
  }
  if (strength.themes && strength.themes.length) {
    meta.push(strength.themes.join(", "));
  }
  if (typeof strength.distance_m === "number") {
    const distance = window.assetmapWords.number(Math.round(strength.distance_m));
    meta.push((words.away || "{distance} m away").replace("{distance}", distance));
  }
  if (meta.length) {
    root.appendChild(element("p", "govuk-body-s map-popup__meta", meta.join(" · ")));
  }
  if (strength.note) {
    root.appendChild(element("p", "govuk-body-s map-popup__meta", strength.note));
  }
  if (strength.contact) {
    window.assetmapPopup.addContact(root, strength.contact);
  }
  return root;
};

// Add to a popup the contact a coach may pass on: the search map has it with the strength,
// the explore map asks for it when the popup opens.
window.assetmapPopup.addContact = function (root, contact) {
  "use strict";

  const line = document.createElement("p");
  line.className = "govuk-body-s map-popup__contact";
  line.setAttribute("data-contact", "");
  const label = document.createElement("strong");
  label.textContent = window.assetmapWords().contact || "Contact through you as coach:";
  const written = document.createElement("span");
  written.setAttribute("translate", "no");
  written.textContent = contact;
  line.append(label, " ", written);
  root.appendChild(line);
};

// A map by keyboard. Its outlines and lines are not stops of their own: what they say is in
// the page beside the map (the neighbourhoods' table, the list of ties). Its markers are
// reached in reading order, top to bottom and left to right, whatever order they were drawn
// in. A skip link before each map passes it (templates/macros/map.html).
window.assetmapMap.keyboard = function (map) {
  "use strict";

  if (map.assetmapKeyboard) {
    return;
  }
  map.assetmapKeyboard = true;
  const container = map.getContainer();
  const ROW_PX = 32;
  let queued = false;

  function quietPaths() {
    container.querySelectorAll(".leaflet-overlay-pane .leaflet-interactive").forEach((path) => {
      path.setAttribute("tabindex", "-1");
      path.setAttribute("focusable", "false");
    });
  }

  function orderMarkers() {
    const pane = map.getPane("markerPane");
    if (!pane) {
      return;
    }
    const stops = Array.from(pane.children).filter((icon) => icon.hasAttribute("tabindex"));
    const placed = stops.map((icon) => {
      const box = icon.getBoundingClientRect();
      return { icon, row: Math.round((box.top + box.height / 2) / ROW_PX), x: box.left + box.width / 2 };
    });
    placed.sort((a, b) => a.row - b.row || a.x - b.x);
    if (placed.every((stop, n) => stop.icon === stops[n])) {
      return;
    }
    const focused = document.activeElement;
    placed.forEach((stop) => pane.appendChild(stop.icon));
    if (focused && pane.contains(focused) && document.activeElement !== focused) {
      focused.focus({ preventScroll: true });
    }
  }

  function tidy() {
    if (queued) {
      return;
    }
    queued = true;
    window.requestAnimationFrame(() => {
      queued = false;
      quietPaths();
      orderMarkers();
    });
  }

  // Leaflet's controls speak the page's language; its attribution is the tiles' licence, as
  // written, and is not translated.
  const words = window.assetmapWords();
  [[".leaflet-control-zoom-in", words.zoomIn], [".leaflet-control-zoom-out", words.zoomOut],
    [".leaflet-control-layers-toggle", words.layers]].forEach(([selector, said]) => {
    container.querySelectorAll(selector).forEach((control) => {
      if (said) {
        control.setAttribute("title", said);
        control.setAttribute("aria-label", said);
      }
    });
  });
  container.querySelectorAll(".leaflet-control-attribution").forEach((attribution) => {
    attribution.setAttribute("translate", "no");
  });

  // A marker is a button, so Space presses it as Enter does (Leaflet answers Enter alone).
  container.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key !== " " || !target.matches || !target.matches(".leaflet-marker-icon[role='button']")) {
      return;
    }
    event.preventDefault();
    target.dispatchEvent(new KeyboardEvent("keypress", {
      key: "Enter", code: "Enter", keyCode: 13, which: 13, charCode: 13, bubbles: true, cancelable: true
    }));
  });

  map.on("layeradd moveend zoomend", tidy);
  tidy();
};

// Focus the marker drawn nearest a place (a cluster just opened by keyboard), else the map:
// a keyboard's place is kept on the map rather than lost to the top of the page.
window.assetmapMap.focusNear = function (map, latlng) {
  "use strict";

  const pane = map.getPane("markerPane");
  const at = map.latLngToContainerPoint(latlng);
  const origin = map.getContainer().getBoundingClientRect();
  let best = null;
  let bestDistance = Infinity;
  Array.from(pane ? pane.children : []).forEach((icon) => {
    if (!icon.hasAttribute("tabindex") || icon.style.opacity === "0") {
      return;
    }
    const box = icon.getBoundingClientRect();
    const dx = box.left + box.width / 2 - origin.left - at.x;
    const dy = box.top + box.height / 2 - origin.top - at.y;
    const distance = dx * dx + dy * dy;
    if (distance < bestDistance) {
      best = icon;
      bestDistance = distance;
    }
  });
  (best || map.getContainer()).focus({ preventScroll: true });
};

document.addEventListener("DOMContentLoaded", () => {
  "use strict";

  Object.values(window.assetmapMaps || {}).forEach((published) => {
    window.assetmapMap.keyboard(published.map);
  });
});
