// Filter the strengths a decision involves as the planner types or picks a kind, without
// reloading the page (and so without losing what was written in the rest of the form).
// Without this script the same filter works through the page's address (?q=...&kind=...).
// It says what it shows in the page's words (the status element's data attributes).
(function () {
  "use strict";

  const filter = document.querySelector("[data-strength-filter]");
  const words = document.getElementById("filter-q");
  const kind = document.getElementById("filter-kind");
  const status = document.querySelector("[data-filter-status]");
  if (!filter || !words || !kind || !status) {
    return;
  }
  const items = Array.from(document.querySelectorAll("[data-filter-text]"));
  const decision = document.querySelector("[data-decision-form]");
  const language = document.documentElement.lang || undefined;

  // The words are the page's, in its language: the status element carries them with {shown}
  // and {found} to fill in (data-showing-some, data-showing-all).
  function said(name, shown) {
    const words = status.dataset[name] || "{shown} / {found}";
    return words
      .replace("{shown}", shown.toLocaleString(language))
      .replace("{found}", items.length.toLocaleString(language));
  }

  function apply() {
    const wanted = words.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    items.forEach((item) => {
      const chosen = item.querySelector("input").checked;
      const ofKind = !kind.value || item.dataset.kind === kind.value;
      const matches = ofKind && wanted.every((word) => item.dataset.filterText.includes(word));
      item.hidden = !(matches || chosen);
      shown += item.hidden ? 0 : 1;
    });
    status.textContent = said(shown < items.length ? "showingSome" : "showingAll", shown);
    const address = new URL(window.location.href);
    for (const [name, value] of [["q", words.value.trim()], ["kind", kind.value]]) {
      if (value) {
        address.searchParams.set(name, value);
      } else {
        address.searchParams.delete(name);
      }
    }
    window.history.replaceState(null, "", address);
    if (decision) {
      decision.action = address.pathname + address.search;
    }
  }

  filter.addEventListener("submit", (event) => {
    event.preventDefault();
    apply();
  });
  words.addEventListener("input", apply);
  kind.addEventListener("change", apply);
})();
