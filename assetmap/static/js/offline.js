// Strengths added with no connection: keep the form on this device, show it as waiting to send,
// and send it when the connection returns (the online event, the next page load, and the
// service worker's Background Sync where the browser has it). What it says comes from the
// page's JSON (templates/_offline_head.html), translated there; the outbox is offline-store.js.
//
// A form marked data-offline-form (the last step of adding a strength) is kept in the outbox
// before it is sent, every time: with a connection it then goes as usual, and the next page
// sends it again, which the server answers with the strength already added (the form's
// submission_key), so the copy is dropped; with none it waits. Without this script the form
// simply goes as before.
(function () {
  "use strict";

  const data = document.getElementById("assetmap-offline");
  const outbox = window.assetmapOutbox;
  if (!data || !outbox || !window.indexedDB) {
    return;
  }
  const settings = JSON.parse(data.textContent);
  const words = settings.words;
  const user = settings.user;
  const sentNow = [];
  // Forms this page is sending itself: a flush that started before the submit must not send
  // the same form beside it, or the person would be told it had been sent before.
  const submittedHere = new Set();
  let flushing = null;

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) {
      made.className = className;
    }
    if (text) {
      made.textContent = text;
    }
    return made;
  }

  // A strength's title is what a person wrote: it keeps its own language, never translated.
  function title(entry, id) {
    const span = element("span", "outbox__title", entry.title);
    if (entry.language) {
      span.lang = entry.language;
    }
    span.setAttribute("translate", "no");
    if (id) {
      span.id = id;
    }
    return span;
  }

  // A whole translated sentence with the title put in its place, never glued from pieces.
  function sentence(text, entry) {
    const paragraph = element("p", "govuk-notification-banner__heading");
    for (const part of text.split(/(%\(title\)s)/)) {
      if (part === "%(title)s") {
        paragraph.append(title(entry));
      } else if (part) {
        paragraph.append(document.createTextNode(part));
      }
    }
    return paragraph;
  }

  function freshToken() {
    const field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  function holder() {
    let found = document.querySelector("[data-outbox]");
    if (!found) {
      const main = document.getElementById("main-content");
      if (!main) {
        return null;
      }
      found = element("div");
      found.setAttribute("data-outbox", "");
      main.prepend(found);
    }
    return found;
  }

  function banner(heading, success) {
    const box = element(
      "div",
      `govuk-notification-banner${success ? " govuk-notification-banner--success" : ""}`,
    );
    const id = `outbox-title-${success ? "sent" : "waiting"}`;
    box.setAttribute("role", success ? "status" : "region");
    box.setAttribute("aria-labelledby", id);
    const top = element("div", "govuk-notification-banner__header");
    const h2 = element("h2", "govuk-notification-banner__title", heading);
    h2.id = id;
    top.append(h2);
    const content = element("div", "govuk-notification-banner__content");
    box.append(top, content);
    return [box, content];
  }

  function button(text, describedBy, action) {
    const made = element("button", "govuk-button govuk-button--secondary", text);
    made.type = "button";
    made.setAttribute("aria-describedby", describedBy);
    made.addEventListener("click", action);
    return made;
  }

  // Open a refused form again at its details step, with what was typed, to check and change.
  async function reopen(entry) {
    const csrf = await outbox.signedIn(settings.check).then(
      (now) => now.csrf,
      () => freshToken(),
    );
    const form = element("form");
    form.method = "post";
    form.action = entry.reopen;
    const values = new Map(entry.fields);
    const fields = { csrf_token: csrf || values.get("csrf_token") || "" };
    fields.draft = values.get("draft") || "";
    fields.action = "change";
    for (const [name, value] of Object.entries(fields)) {
      const input = element("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.append(input);
    }
    document.body.append(form);
    outbox.forget(entry.key).finally(() => form.submit());
  }

  function item(entry, index) {
    const li = element("li", "outbox__item");
    li.dataset.outboxEntry = entry.key;
    li.dataset.status = entry.status;
    const id = `outbox-entry-${index}`;
    const name = element("p", "govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1");
    name.append(title(entry, id));
    li.append(name);
    const says = {
      refused: words.refused,
      "signed-out": words.signedOut,
    }[entry.status];
    const tag = element("strong", "govuk-tag govuk-tag--yellow", words.waiting);
    li.append(says ? element("p", "govuk-body", says) : element("p", "govuk-body"));
    if (!says) {
      li.lastChild.append(tag);
    }
    const actions = element("div", "govuk-button-group");
    if (entry.status === "refused" && entry.reopen) {
      actions.append(button(words.open, id, () => reopen(entry)));
    }
    actions.append(
      button(words.discard, id, () => {
        outbox.forget(entry.key).then(render);
      }),
    );
    li.append(actions);
    return li;
  }

  async function render() {
    const place = holder();
    if (!place) {
      return;
    }
    let entries;
    try {
      entries = await outbox.all();
    } catch (error) {
      return;
    }
    const anyone = user === "*";
    const mine = entries.filter(
      (entry) => (anyone || (user && entry.user === user)) && entry.status !== "submitted",
    );
    const others = !anyone && entries.some((entry) => entry.user !== user);
    place.replaceChildren();
    if (sentNow.length) {
      const [box, content] = banner(words.heading, true);
      box.querySelector("h2").textContent = words.sentHeading || words.heading;
      for (const entry of sentNow) {
        content.append(sentence(words.sent, entry));
      }
      place.append(box);
    }
    if (!mine.length && !others) {
      return;
    }
    const [box, content] = banner(words.heading, false);
    if (mine.length) {
      content.append(element("p", "govuk-body", words.intro));
      const list = element("ul", "govuk-list outbox");
      mine.forEach((entry, index) => list.append(item(entry, index)));
      content.append(list);
    }
    if (others) {
      content.append(element("p", "govuk-body", words.others));
    }
    place.append(box);
  }

  async function flush() {
    if (!user || user === "*" || !navigator.onLine) {
      return;
    }
    const options = { user, check: settings.check, signIn: settings.signIn, skip: submittedHere };
    const { results } = await outbox.flush(options);
    for (const result of results) {
      // A form this page's own submit sent is on its way already: drop the copy quietly.
      if (result.outcome === "sent" && result.entry.status !== "submitted") {
        sentNow.push(result.entry);
      }
    }
  }

  function sendAndShow() {
    if (!flushing) {
      flushing = flush()
        .catch(() => undefined)
        .then(render)
        .finally(() => {
          flushing = null;
        });
    }
    return flushing;
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) {
      return;
    }
    navigator.serviceWorker.ready
      .then((registration) => registration.sync && registration.sync.register(settings.syncTag))
      .catch(() => undefined);
  }

  function keepOnSubmit(form) {
    form.addEventListener("submit", (event) => {
      const fields = [...new FormData(form).entries()].filter(
        ([, value]) => typeof value === "string",
      );
      const key = new Map(fields).get("submission_key");
      if (!key || !user || user === "*") {
        return;
      }
      event.preventDefault();
      const online = navigator.onLine;
      if (online) {
        submittedHere.add(key);
      }
      const entry = {
        key,
        user,
        action: form.action,
        reopen: form.dataset.reopen || "",
        title: form.dataset.title || "",
        language: form.dataset.language || "",
        fields,
        status: online ? "submitted" : "waiting",
        keptAt: new Date().toISOString(),
      };
      outbox.keep(entry).then(
        () => {
          if (online) {
            form.submit();
            return;
          }
          askForSync();
          render().then(() => {
            const heading = document.getElementById("outbox-title-waiting");
            if (heading) {
              heading.tabIndex = -1;
              heading.focus();
            }
          });
        },
        () => form.submit(),
      );
    });
  }

  document.querySelectorAll("form[data-offline-form]").forEach(keepOnSubmit);

  // The offline page after a form found no connection: what was on its way waits instead.
  const kept = new URLSearchParams(window.location.search).has("kept");
  const start = kept
    ? outbox.all().then((entries) =>
        Promise.all(
          entries
            .filter((entry) => entry.status === "submitted")
            .map((entry) => outbox.mark(entry.key, "waiting")),
        ),
      )
    : Promise.resolve();
  start.catch(() => undefined).then(sendAndShow);

  window.addEventListener("online", sendAndShow);
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) {
      sendAndShow();
    }
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "assetmap-outbox") {
        render();
      }
    });
  }
})();
