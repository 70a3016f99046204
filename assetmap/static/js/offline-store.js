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

  // Send one kept form as the browser would have, with a fresh CSRF token. Resolves with what
  // happened: "sent" (and the address of the page the server answered with), "offline" (no
  // connection: try again later), "signed-out" (the session ended), "refused" (the server said
  // 400), or "later" (the server failed: try again later). Only "sent" forgets the entry.
  async function send(entry, csrf, signIn) {
    const body = new URLSearchParams();
    for (const [name, value] of entry.fields) {
      body.append(name, name === "csrf_token" && csrf ? csrf : value);
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
    if (response.redirected && new URL(response.url).pathname === signIn) {
      return { outcome: "signed-out" };
    }
    if (response.ok) {
      await forget(entry.key);
      return { outcome: "sent", url: response.url };
    }
    return { outcome: response.status === 400 ? "refused" : "later" };
  }

  // Ask the server who is signed in now, and for a fresh CSRF token: the page that kept a form
  // (or the kept copy of a page) may be older than the session.
  async function signedIn(check) {
    const response = await fetch(check, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) {
      throw new Error(`the session check answered ${response.status}`);
    }
    return response.json();
  }

  // Send what waits of the person signed in now, one at a time. ``options.user`` narrows it to
  // one person's (a page's), or "*" (the worker) to whoever is signed in. Another person's
  // forms are never sent: they wait for their author, marked "signed-out" when the page they
  // were kept from finds its person signed out. ``options.skip`` holds the keys of forms the
  // page is sending itself this moment, never sent twice at once; ``options.waitingOnly`` (the
  // worker) leaves forms a page sent with a connection to the pages, which alone know whether
  // that navigation went. Resolves with {offline, results}.
  async function flush(options) {
    let now;
    try {
      now = await signedIn(options.check);
    } catch (error) {
      return { offline: true, results: [] };
    }
    const results = [];
    for (const entry of await all()) {
      const wanted = options.user === "*" || entry.user === options.user;
      const skipped =
        entry.status === "refused" ||
        (options.skip && options.skip.has(entry.key)) ||
        (options.waitingOnly && entry.status === "submitted");
      if (!wanted || skipped) {
        continue;
      }
      if (entry.user !== now.user) {
        if (!now.user && options.user === entry.user) {
          await mark(entry.key, "signed-out");
        }
        continue;
      }
      const result = await send(entry, now.csrf, options.signIn);
      results.push({ entry, ...result });
      if (result.outcome === "refused" || result.outcome === "signed-out") {
        await mark(entry.key, result.outcome);
      } else if (result.outcome !== "sent" && entry.status === "signed-out") {
        await mark(entry.key, "waiting");
      }
      if (result.outcome === "offline") {
        return { offline: true, results };
      }
    }
    return { offline: false, results };
  }

  scope.assetmapOutbox = { keep, all, get, forget, mark, send, signedIn, flush };
})(self);
