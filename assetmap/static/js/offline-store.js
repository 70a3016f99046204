// The outbox: strengths added on this device that have not reached the server yet, kept in
// IndexedDB so that closing the tab (or the phone going to sleep) loses nothing. Pages
// (offline.js) and the service worker (offline-worker.js, through importScripts) share it, so
// it is a plain script that sets self.assetmapOutbox.
//
// Each entry is the form as it was sent: its address, its fields (with the CSRF token and the
// submission_key the server made when it showed the form), whose it is, and its title to show.
// The key is what makes sending it exactly once safe: the server records it with the strength,
// and the same key sent again is answered with the strength already added. So a page and the
// worker may both send an entry; only one strength is ever added.
(function (scope) {
  "use strict";

  const DATABASE = "assetmap";
  const STORE = "outbox";
  const VERSION = 1;

  function open() {
    return new Promise((resolve, reject) => {
      const request = scope.indexedDB.open(DATABASE, VERSION);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  // Run one request in a transaction, resolving with its result once the transaction is done
  // (so a write is on disk before anything goes on).
  function run(mode, work) {
    return open().then(
      (database) =>
        new Promise((resolve, reject) => {
          const transaction = database.transaction(STORE, mode);
          const request = work(transaction.objectStore(STORE));
          transaction.oncomplete = () => {
            database.close();
            resolve(request.result);
          };
          transaction.onerror = () => {
            database.close();
            reject(transaction.error);
          };
          transaction.onabort = transaction.onerror;
        }),
    );
  }

  const keep = (entry) => run("readwrite", (store) => store.put(entry));
  const all = () => run("readonly", (store) => store.getAll());
  const get = (key) => run("readonly", (store) => store.get(key));
  const forget = (key) => run("readwrite", (store) => store.delete(key));

  async function mark(key, status) {
    const entry = await get(key);
    if (entry && entry.status !== status) {
      entry.status = status;
      await keep(entry);
    }
  }

  // Send one kept form as the browser would have. Resolves with what happened:
  // "sent" (and the address of the page the server answered with), "offline" (no connection:
  // try again later), "signed-out" (the session ended), "refused" (the server said 400), or
  // "later" (the server failed: try again later). Only "sent" forgets the entry.
  async function send(entry, options) {
    const body = new URLSearchParams();
    for (const [name, value] of entry.fields) {
      const fresh = name === "csrf_token" && options.csrf;
      body.append(name, fresh ? options.csrf : value);
    }
    let response;
    try {
      response = await fetch(entry.action, {
        method: "POST",
        body,
        credentials: "same-origin",
        redirect: "follow",
      });
    } catch (error) {
      return { outcome: "offline" };
    }
    const landed = new URL(response.url);
    if (response.redirected && landed.pathname === options.signIn) {
      return { outcome: "signed-out" };
    }
    if (response.ok) {
      await forget(entry.key);
      return { outcome: "sent", url: response.url };
    }
    return { outcome: response.status === 400 ? "refused" : "later" };
  }

  // Send every waiting entry of ``options.user`` (all of them when it is "*"), one at a time.
  // A page passes its own fresh CSRF token and records refusals; the worker sends as kept.
  async function flush(options) {
    const results = [];
    for (const entry of await all()) {
      const theirs = options.user === "*" || entry.user === options.user;
      if (!theirs || entry.status === "refused") {
        continue;
      }
      const result = await send(entry, options);
      results.push({ entry, ...result });
      if (options.record && (result.outcome === "refused" || result.outcome === "signed-out")) {
        await mark(entry.key, result.outcome);
      } else if (options.record && result.outcome !== "sent" && entry.status !== "waiting") {
        await mark(entry.key, "waiting");
      }
      if (result.outcome === "offline") {
        break;
      }
    }
    return results;
  }

  scope.assetmapOutbox = { keep, all, get, forget, mark, send, flush };
})(self);
