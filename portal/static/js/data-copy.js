// "Mijn gegevens": while a copy is being made, check every few seconds and reload the page once it
// is ready (or failed). Without JavaScript the page has a link that does the same.
(function () {
  "use strict";
  var status = document.getElementById("data-copy-status");
  if (!status || !status.hasAttribute("data-refresh")) { return; }
  var seconds = parseInt(status.getAttribute("data-refresh"), 10) || 5;
  var tries = 0;
  function check() {
    tries += 1;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (answer) { return answer.ok ? answer.text() : ""; })
      .then(function (html) {
        if (html && html.indexOf("data-refresh=") === -1) { window.location.reload(); return; }
        if (tries < 60) { window.setTimeout(check, seconds * 1000); }
      })
      .catch(function () { if (tries < 60) { window.setTimeout(check, seconds * 1000); } });
  }
  window.setTimeout(check, seconds * 1000);
}());
