// The service worker, served at /sw.js so that it looks after the whole site. The server puts
// self.ASSETMAP before this script (assetmap/web/offline.py): where Workbox and the outbox
// script are, the shell to keep from the start, and where people sign in and out.
//
// What it keeps:
// - the app's shell (styles, scripts, icons, the offline page), precached with revisions;
// - pages visited: from the network first, from the cache when there is no connection (or it
//   takes too long), else the offline page;
// - the app's own static files: from the cache first, for 30 days, in a cache named after the
//   release, which a new release's worker empties.
// What it never keeps: any answer marked Cache-Control: no-store, API answers asked for with
//   a token, and, once someone signs out (or in), the pages kept while someone was signed in:
//   it forgets every kept page and API answer before the sign-out or sign-in form is sent,
//   so the next person on this phone can never open the last person's pages offline.
//   (It is done here rather than by a Clear-Site-Data header, which would also remove the
//   outbox and the worker itself, and rather than by a message from the page, which a
//   person without the page's script would never send.)
// Strengths added offline wait in the outbox (offline-store.js); the worker sends them when the
// browser says the connection is back (Background Sync, where there is one).
(function (config) {
  "use strict";

  importScripts(`${config.workbox}workbox-sw.js`, config.outbox);
  const workbox = self.workbox;
  workbox.setConfig({ modulePathPrefix: config.workbox, debug: false });
  workbox.core.setCacheNameDetails({ prefix: "assetmap" });
  // Modules load now: a worker may only import scripts while it first runs.
  const { precacheAndRoute, cleanupOutdatedCaches } = workbox.precaching;
  const { registerRoute, setCatchHandler } = workbox.routing;
  const { NetworkFirst, CacheFirst, NetworkOnly } = workbox.strategies;
  const { ExpirationPlugin } = workbox.expiration;

  const PAGES = "assetmap-pages";
  const API = "assetmap-api";
  const STATIC = `assetmap-static-${config.staticRevision}`;
  const DAY_S = 24 * 3600;
  const NETWORK_WAIT_S = 6;
  const PUBLISH = /^\/strengths\/new\/[a-z]+\/publish$/;

  self.skipWaiting();
  workbox.core.clientsClaim();
  cleanupOutdatedCaches();
  precacheAndRoute(config.precache);

  // Keep only a whole answer that does not forbid keeping.
  const keepable = {
    cacheWillUpdate: async ({ response }) => {
      const control = response.headers.get("Cache-Control") || "";
      return response.status === 200 && !/no-store/i.test(control) ? response : null;
    },
  };
  const sameSite = (url) => url.origin === self.location.origin;

  // Before a sign-out or sign-in form goes, forget every page and API answer kept so far.
  async function forgetPersonal() {
    await Promise.all([caches.delete(PAGES), caches.delete(API)]);
  }

  self.addEventListener("fetch", (event) => {
    const url = new URL(event.request.url);
    const signing = url.pathname === config.signOut || url.pathname === config.signIn;
    if (event.request.method === "POST" && sameSite(url) && signing) {
      event.respondWith(forgetPersonal().then(() => fetch(event.request)));
    }
  });

  self.addEventListener("activate", (event) => {
    // A new release's static files start in a new cache; the old release's go.
    const old = (name) => name.startsWith("assetmap-static-") && name !== STATIC;
    event.waitUntil(
      caches.keys().then((names) => Promise.all(names.filter(old).map((n) => caches.delete(n)))),
    );
  });

  registerRoute(
    ({ request, url }) => request.mode === "navigate" && sameSite(url),
    new NetworkFirst({
      cacheName: PAGES,
      networkTimeoutSeconds: NETWORK_WAIT_S,
      plugins: [keepable, new ExpirationPlugin({ maxEntries: 60, maxAgeSeconds: 7 * DAY_S })],
    }),
  );

  registerRoute(
    ({ url }) => sameSite(url) && url.pathname.startsWith(config.staticPrefix),
    new CacheFirst({
      cacheName: STATIC,
      plugins: [
        keepable,
        new ExpirationPlugin({
          maxEntries: 150,
          maxAgeSeconds: 30 * DAY_S,
          purgeOnQuotaError: true,
        }),
      ],
    }),
  );

  registerRoute(
    ({ request, url }) =>
      sameSite(url) && url.pathname.startsWith("/api/") && !request.headers.has("Authorization"),
    new NetworkFirst({
      cacheName: API,
      networkTimeoutSeconds: NETWORK_WAIT_S,
      plugins: [keepable, new ExpirationPlugin({ maxEntries: 50, maxAgeSeconds: DAY_S })],
    }),
  );

  // Publishing a strength goes to the network only. The page kept the form in the outbox
  // before sending it, so when there is no connection it waits there, and the person is
  // shown the offline page, which lists what waits.
  registerRoute(
    ({ request, url }) => request.mode === "navigate" && PUBLISH.test(url.pathname),
    new NetworkOnly(),
    "POST",
  );

  setCatchHandler(async ({ request }) => {
    if (request.mode !== "navigate") {
      return Response.error();
    }
    if (request.method === "POST") {
      return Response.redirect(`${config.offline}?kept=1`, 303);
    }
    const kept = await workbox.precaching.matchPrecache(config.offline);
    return kept || Response.error();
  });

  // Send what waits when the browser says the connection is back; a send that finds no
  // connection fails the sync, so the browser tries again later.
  async function sendWaiting() {
    const options = { user: "*", check: config.check, signIn: config.signIn, waitingOnly: true };
    const { offline } = await self.assetmapOutbox.flush(options);
    const windows = await self.clients.matchAll({ type: "window" });
    for (const client of windows) {
      client.postMessage({ type: "assetmap-outbox" });
    }
    if (offline) {
      throw new Error("still offline");
    }
  }

  self.addEventListener("sync", (event) => {
    if (event.tag === config.syncTag) {
      event.waitUntil(sendWaiting());
    }
  });
})(self.ASSETMAP);
