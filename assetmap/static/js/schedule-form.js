// Show only the questions that fit how often a session happens: the days for every week or
// every other week, the week and day for once a month on a weekday, the date for once a month
// on a date. Without this script every question shows, and the ones that don't fit are ignored.
(function () {
  "use strict";

  const form = document.querySelector("[data-schedule-form]");
  if (!form) {
    return;
  }
  const parts = Array.from(form.querySelectorAll("[data-shown-for]"));
  const radios = Array.from(form.querySelectorAll('input[name="frequency"]'));

  function show() {
    const chosen = radios.find((radio) => radio.checked);
    parts.forEach((part) => {
      const fits = chosen && part.dataset.shownFor.split(" ").includes(chosen.value);
      part.hidden = !fits;
    });
  }

  radios.forEach((radio) => radio.addEventListener("change", show));
  show();
})();
