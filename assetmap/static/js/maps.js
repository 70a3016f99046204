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

// Build a strength's popup, the one way every map does (folium's markers, the explore map,
// the search map), from its data: title, url (its page, where it links to one), kind, themes
// (as people read them), unconfirmed, distance_m and contact, each optional but the first.
// User text goes in as text, never as HTML.
window.assetmapPopup = function (strength) {
  "use strict";

  function element(tag, className, text) {
    const node = document.createElement(tag);
    node.className = className;
    node.textContent = text;
    return node;
  }

  const root = element("div", "map-popup", "");
  // The title is bold on every page, whether or not it links to the strength's page.
  const title = element("strong", "map-popup__title", strength.title);
  if (strength.url) {
    const link = element("a", "govuk-link map-popup__title", strength.title);
    link.href = strength.url;
    title.className = "";
    title.replaceChildren(link);
  }
  root.appendChild(title);
  if (strength.unconfirmed) {
    root.appendChild(element("strong", "govuk-tag govuk-tag--grey", "Unconfirmed"));
  }
  const meta = [strength.kind.charAt(0).toUpperCase() + strength.kind.slice(1)];
  if (strength.themes && strength.themes.length) {
    meta.push(strength.themes.join(", "));
  }
  if (typeof strength.distance_m === "number") {
    meta.push(`${Math.round(strength.distance_m).toLocaleString("en-GB")} m away`);
  }
  root.appendChild(element("p", "govuk-body-s map-popup__meta", meta.join(" · ")));
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
  label.textContent = "Contact through you as coach:";
  line.append(label, ` ${contact}`);
  root.appendChild(line);
};
