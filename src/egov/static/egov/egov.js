// Starts GOV.UK Frontend's components on every page (menu button, error summary, radios,
// checkboxes, tabs, notification banners). A module file, not an inline script, so that a
// Content-Security-Policy without 'unsafe-inline' scripts can be set. Browsers without modules
// never run it and get the pages without these enhancements.
import { initAll } from "./govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
