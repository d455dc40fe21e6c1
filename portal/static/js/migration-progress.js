// A migration run's page while the worker is busy: ask for the progress every two seconds, show it in
// the live region (read out politely) and the progress bar, and reload the page when the run is done.
// Without JavaScript the page has a link that reloads it.
(function () {
  "use strict";
  var box = document.getElementById("migration-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var text = box.querySelector("[data-progress-text]");
  var bar = box.querySelector("progress");
  var template = box.getAttribute("data-progress-template");
  var tries = 0;
  var last = "";
  function show(p) {
    if (p.total === null) { return; }
    bar.max = p.total || 1;
    bar.value = p.done;
    var line = (template || "{done} / {total} ({percent}%), {failed}")
      .replace("{done}", p.done).replace("{total}", p.total)
      .replace("{percent}", p.percent).replace("{failed}", p.failed);
    if (line !== last) { text.textContent = line; last = line; }
  }
  function check() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (p) {
        if (p) {
          show(p);
          if (p.finished) { window.location.reload(); return; }
        }
        if (tries < 1800) { window.setTimeout(check, 2000); }
      })
      .catch(function () { if (tries < 1800) { window.setTimeout(check, 2000); } });
  }
  window.setTimeout(check, 1000);
}());
