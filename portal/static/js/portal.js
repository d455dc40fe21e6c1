/*
 * Small progressive enhancements; every page works without this file.
 * Loaded as an external file with the CSP nonce (no inline scripts).
 */
(function () {
  "use strict";

  // Move keyboard and screen-reader focus to the error summary after a failed submit
  // (GOV.UK pattern), so the list of problems is read out first.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // The summary links point at field ids; also move focus into the field, not just scroll to it.
  function linkErrorsToFields() {
    var links = document.querySelectorAll("[data-error-summary] a[href^='#']");
    Array.prototype.forEach.call(links, function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) {
          return;
        }
        event.preventDefault();
        var focusable = target.matches("input, select, textarea, button") ? target
          : target.querySelector("input:not([type=hidden]), select, textarea");
        // Scroll so the question (legend of a radio/checkbox group, else the label) stays in view.
        var group = focusable && focusable.closest(".portal-choices") ? focusable.closest("fieldset") : null;
        var legend = group ? group.querySelector("legend") : null;
        var label = document.querySelector("label[for='" + CSS.escape(target.id) + "']");
        (legend || label || target).scrollIntoView({ block: "start" });
        (focusable || target).focus({ preventScroll: true });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    linkErrorsToFields();
  });
})();
