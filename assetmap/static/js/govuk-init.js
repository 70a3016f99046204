// Start GOV.UK Frontend's components (the service navigation's Menu button among them). Served
// as a file (not inline) so the page's Content-Security-Policy can forbid inline script.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// The explore pages' filter waits behind its "Filters" button on a phone, so the map or the
// list comes first; on a wider screen it is open beside them.
const wide = window.matchMedia("(min-width: 40.0625em)");
document.querySelectorAll("[data-explore-filters-toggle]").forEach((toggle) => {
  if (wide.matches) {
    toggle.open = true;
  }
});
