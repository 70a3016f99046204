// Start GOV.UK Frontend's components. Served as a file (not inline) so the page's
// Content-Security-Policy can forbid inline script.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
