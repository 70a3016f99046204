// The explore map. Asks the features endpoint for the strengths in view whenever the map
// moves, and draws them: each kind in its own clustered layer, or, when the server answers
// with clusters, numbered bubbles that zoom in when selected. The view is kept in the URL's
// fragment (#zoom/lat/lon) so it can be shared. Served as a file so the page's
// Content-Security-Policy can forbid inline script; user text reaches the page only through
// textContent and DOM properties, never as HTML. Popups are built by maps.js, as every map's.
(function () {
  "use strict";

  const KINDS = ["skill", "group", "space"];
  const box = document.querySelector("[data-explore]");
  const exposed = box && assetmapMap(box);
  if (!exposed || !L.markerClusterGroup) {
    return;
  }
  const map = exposed.map;
  const kindLabels = JSON.parse(box.dataset.kindLabels);
  const themeLabels = JSON.parse(box.dataset.themeLabels);
  // What the map says, in the page's language (templates/explore/map.html).
  const words = JSON.parse(box.dataset.words || "{}");
  const filter = box.dataset.filter || "";
  // Signed in: a popup asks whether its strength has a contact this person may be given.
  const contactUrl = box.dataset.contactUrl || "";
  const status = document.getElementById("explore-status");
  const listLink = document.getElementById("explore-list-link");
  const form = document.querySelector("[data-explore-filters]");
  const clear = document.querySelector("[data-explore-clear]");

  const layers = {};
  const shown = {};
  const icons = {};
  KINDS.forEach((kind) => {
    layers[kind] = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 40,
      chunkedLoading: true,
      iconCreateFunction: kindClusterIcon(kind)
    }).addTo(map);
    shown[kind] = {};
    icons[kind] = L.divIcon({ className: `asset-marker asset-marker--${kind}`, iconSize: [24, 24] });
    exposed.control.addOverlay(
      layers[kind],
      `<span class="map-legend__marker asset-marker--${kind}"></span> ${kindLabels[kind]}`
    );
  });
  // The server's clusters are drawn as bubbles; bubbles that would overlap merge here, with
  // their counts added up.
  const bubbles = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 50,
    iconCreateFunction(group) {
      return bubbleIcon(group.getAllChildMarkers().reduce((sum, child) => sum + child.options.count, 0));
    }
  }).addTo(map);
  let answer = null;
  let pending = null;
  let timer = null;
  // Where a cluster opened by keyboard was: once the map has redrawn, focus stays there.
  let focusAt = null;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function plural(key, count) {
    return window.assetmapWords.plural(words[key] || {}, count);
  }

  // A cluster's icon: its number for the eye, a sentence for a screen reader.
  function clusterHtml(number, sentence) {
    const inner = element("span");
    inner.appendChild(element("span", "", number)).setAttribute("aria-hidden", "true");
    inner.appendChild(element("span", "govuk-visually-hidden", sentence));
    return inner;
  }

  function kindClusterIcon(kind) {
    return function (cluster) {
      const count = cluster.getChildCount();
      const inner = element("div");
      inner.appendChild(clusterHtml(window.assetmapWords.number(count), plural(kind, count)));
      return L.divIcon({
        html: inner,
        className: `marker-cluster kind-cluster kind-cluster--${kind}`,
        iconSize: L.point(40, 40)
      });
    };
  }

  function popup(properties) {
    const themes = (properties.themes || []).map((theme) => themeLabels[theme] || theme);
    const root = window.assetmapPopup({ ...properties, themes });
    if (contactUrl) {
      addContact(root, properties.id);
    }
    return root;
  }

  function addContact(root, id) {
    const url = contactUrl.replace("/0/", `/${encodeURIComponent(id)}/`);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => response.ok ? response.json() : null)
      .then((found) => {
        if (found && found.contact) {
          window.assetmapPopup.addContact(root, found.contact);
        }
      })
      .catch(() => {});
  }

  function marker(feature) {
    const properties = feature.properties;
    const point = L.marker(L.GeoJSON.coordsToLatLng(feature.geometry.coordinates), {
      icon: icons[properties.kind],
      title: properties.title,
      riseOnHover: true
    });
    point.bindPopup(() => popup(properties));
    // Its title, the icon's name, is a person's words: never translated.
    point.on("add", () => {
      const icon = point.getElement();
      if (icon) {
        icon.setAttribute("translate", "no");
      }
    });
    return point;
  }

  function visibleCount(kinds) {
    return KINDS.reduce((sum, kind) => sum + (map.hasLayer(layers[kind]) ? kinds[kind] || 0 : 0), 0);
  }

  function bubbleIcon(count) {
    const size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 44 : count < 10000 ? 52 : 60;
    const number = count < 10000 ? window.assetmapWords.number(count) : `${Math.round(count / 1000)}k`;
    const inner = clusterHtml(number, plural("bubble", count));
    return L.divIcon({ html: inner, className: "map-bubble", iconSize: [size, size] });
  }

  function bubble(feature) {
    const count = visibleCount(feature.properties.kinds);
    if (!count) {
      return null;
    }
    const where = L.GeoJSON.coordsToLatLng(feature.geometry.coordinates);
    const point = L.marker(where, {
      icon: bubbleIcon(count),
      count,
      title: plural("bubble", count),
      riseOnHover: true
    });
    point.on("click", () => {
      map.setView(where, Math.min(map.getZoom() + 2, map.getMaxZoom()));
    });
    // Leaflet opens a marker by keyboard with Enter alone; Enter on a bubble zooms in too.
    point.on("keypress", (event) => {
      if (event.originalEvent && event.originalEvent.keyCode === 13) {
        focusAt = where;
        map.setView(where, Math.min(map.getZoom() + 2, map.getMaxZoom()));
      }
    });
    return point;
  }

  function drawPoints(features) {
    const wanted = {};
    KINDS.forEach((kind) => { wanted[kind] = {}; });
    features.forEach((feature) => {
      const kind = feature.properties.kind;
      if (wanted[kind]) {
        wanted[kind][feature.properties.id] = feature;
      }
    });
    KINDS.forEach((kind) => {
      const gone = [];
      const added = [];
      Object.keys(shown[kind]).forEach((id) => {
        if (!wanted[kind][id]) {
          gone.push(shown[kind][id]);
          delete shown[kind][id];
        }
      });
      Object.keys(wanted[kind]).forEach((id) => {
        if (!shown[kind][id]) {
          shown[kind][id] = marker(wanted[kind][id]);
          added.push(shown[kind][id]);
        }
      });
      layers[kind].removeLayers(gone);
      layers[kind].addLayers(added);
    });
  }

  function draw() {
    bubbles.clearLayers();
    if (answer.clustered) {
      drawPoints([]);
      bubbles.addLayers(answer.features.map(bubble).filter(Boolean));
    } else {
      drawPoints(answer.features);
    }
    describe();
    if (focusAt) {
      const where = focusAt;
      focusAt = null;
      // Clusters settle after their own animation: focus once they have.
      window.setTimeout(() => window.assetmapMap.focusNear(map, where), 400);
    }
  }

  function describe() {
    let text;
    if (answer.clustered) {
      const total = answer.features.reduce((sum, feature) => sum + visibleCount(feature.properties.kinds), 0);
      text = (words.grouped || "{strengths}").replace("{strengths}", plural("strengths", total));
    } else {
      const count = answer.features.filter((feature) => map.hasLayer(layers[feature.properties.kind])).length;
      text = (words.showing || "{strengths}").replace("{strengths}", plural("strengths", count));
    }
    if (status.textContent !== text) {
      status.textContent = text;
    }
  }

  function clamp(value, limit) {
    return Math.max(-limit, Math.min(limit, value)).toFixed(6);
  }

  function currentBox() {
    const bounds = map.getBounds();
    return [
      clamp(bounds.getWest(), 180), clamp(bounds.getSouth(), 90),
      clamp(bounds.getEast(), 180), clamp(bounds.getNorth(), 90)
    ].join(",");
  }

  function remember(bbox) {
    const centre = map.getCenter();
    const hash = `#${map.getZoom()}/${centre.lat.toFixed(5)}/${centre.lng.toFixed(5)}`;
    history.replaceState(null, "", location.pathname + location.search + hash);
    if (form) {
      form.setAttribute("action", form.getAttribute("action").split("#")[0] + hash);
    }
    if (clear) {
      clear.setAttribute("href", clear.getAttribute("href").split("#")[0] + hash);
    }
    if (listLink) {
      const target = new URL(listLink.href);
      target.searchParams.set("bbox", bbox);
      listLink.href = target.pathname + target.search;
    }
  }

  function load() {
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    const bbox = currentBox();
    const query = `${filter ? `${filter}&` : ""}bbox=${bbox}&zoom=${Math.round(map.getZoom())}`;
    const url = `${box.dataset.featuresUrl}?${query}`;
    box.setAttribute("aria-busy", "true");
    remember(bbox);
    fetch(url, { headers: { Accept: "application/geo+json" }, signal: pending.signal })
      .then((response) => {
        if (!response.ok) {
          throw new Error(`features answered ${response.status}`);
        }
        return response.json();
      })
      .then((body) => {
        answer = body;
        draw();
        box.removeAttribute("aria-busy");
      })
      .catch((error) => {
        if (error.name === "AbortError") {
          return;
        }
        box.removeAttribute("aria-busy");
        status.textContent = words.failed || "";
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(load, 120);
  }

  function viewFromHash() {
    const found = /^#(\d{1,2})\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(location.hash);
    if (!found) {
      return false;
    }
    const zoom = Number(found[1]);
    const lat = Number(found[2]);
    const lon = Number(found[3]);
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      return false;
    }
    map.setView([lat, lon], Math.min(zoom, map.getMaxZoom()), { animate: false });
    return true;
  }

  // A cluster opened by keyboard zooms to its strengths (or, when they share a point at the
  // closest zoom, spreads them out), and focus moves to the first of them rather than to the
  // map or the top of the page.
  [bubbles, ...KINDS.map((kind) => layers[kind])].forEach((group) => {
    group.on("clusterkeypress", (event) => {
      if (event.originalEvent && event.originalEvent.keyCode === 13) {
        focusAt = event.layer.getLatLng();
      }
    });
    group.on("spiderfied", (event) => {
      if (focusAt && event.markers.length && event.markers[0].getElement()) {
        focusAt = null;
        event.markers[0].getElement().focus({ preventScroll: true });
      }
    });
  });
  map.on("overlayadd overlayremove", () => {
    if (answer) {
      draw();
    }
  });
  window.addEventListener("hashchange", viewFromHash);
  viewFromHash();
  map.on("moveend", later);
  load();
})();
