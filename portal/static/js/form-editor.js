/*
 * The form editor's live preview (designer/forms/edit.html). Without this file the page works with its
 * "Voorbeeld tonen" and list buttons, which post the whole form; with it, typing refreshes the preview
 * (debounced) and the list buttons work in place. The server does all the work (designer.form_preview):
 * it merges the list into the JSON, checks it and draws the preview with the task page's own macros.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-form-editor]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.getAttribute("data-preview-url");
  var preview = document.querySelector("[data-preview]");
  var fields = form.querySelector("[data-fields]");
  var problems = form.querySelector("[data-problems]");
  var status = document.querySelector("[data-preview-status]");
  var source = form.querySelector("textarea[name='editor-bron']");
  var basis = form.querySelector("input[name='editor-basis']");
  var timer = null;
  var sent = 0;      // requests sent
  var typed = 0;     // inputs since the page loaded
  var origin = null; // "source" (the JSON) or "list": what the designer is changing

  function say(text) {
    if (status) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  function rowInputs(index, suffix) {
    return form.querySelector("input[name='editor-velden-" + index + "-" + suffix + "']");
  }

  function refresh(action, focusAfter) {
    var data = new FormData(form);
    data.delete("editor-opslaan");
    data.delete("editor-overschrijven");
    if (action) {
      data.set("editor-actie", action);
    } else {
      data.delete("editor-actie");
    }
    var number = ++sent;
    var typedAtSend = typed;
    var from = action ? "action" : origin;
    return fetch(url, { method: "POST", body: data, credentials: "same-origin",
                        headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok && response.status !== 422) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (answer) {
        if (number !== sent) {
          return; // a newer request is on its way
        }
        preview.innerHTML = answer.preview;
        problems.innerHTML = answer.problems;
        // While typing, the summary must not interrupt as an alert each time: the polite status says it.
        Array.prototype.forEach.call(problems.querySelectorAll("[role=alert]"), function (summary) {
          summary.removeAttribute("role");
        });
        var stillTyping = typed !== typedAtSend;
        if (from === "action" || (from === "source" && !stillTyping)) {
          fields.innerHTML = answer.fields;
          basis.value = answer.basis;
          if (from === "action") {
            source.value = answer.source;
          }
        } else if (from === "list" && !stillTyping) {
          if (answer.basis) {
            source.value = answer.source;
            basis.value = answer.basis;
            (answer.rows || []).forEach(function (row, index) {
              var orig = rowInputs(index, "oorspronkelijk");
              var parent = rowInputs(index, "ouder");
              if (orig) { orig.value = row[0]; }
              if (parent) { parent.value = row[1]; }
            });
          }
        }
        if (focusAfter) {
          focusAfter();
        }
        say(form.getAttribute(answer.ok ? "data-updated-message" : "data-problem-message"));
      })
      .catch(function () {
        say(form.getAttribute("data-failed-message"));
      });
  }

  form.addEventListener("input", function (event) {
    typed += 1;
    origin = event.target === source ? "source" : "list";
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { refresh(null); }, 400);
  });
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT" || event.target.type === "checkbox") {
      typed += 1;
      origin = "list";
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { refresh(null); }, 100);
    }
  });

  // List buttons (add, remove, up, down) in place; the focus goes to the row they concern.
  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-field-action]");
    if (!button) {
      if (event.target.closest("button[name='editor-voorbeeld']")) {
        event.preventDefault();
        window.clearTimeout(timer);
        origin = "source";
        refresh(null);
      }
      return;
    }
    event.preventDefault();
    window.clearTimeout(timer);
    var action = button.value;
    var parts = action.split("-");
    var verb = parts[0];
    var index = parts.length > 1 ? parseInt(parts[1], 10) : null;
    refresh(action, function () {
      var rows = fields.querySelectorAll("[data-field-row]");
      var target = null;
      if (verb === "add") {
        var blank = Array.prototype.filter.call(rows, function (row) {
          var orig = row.querySelector("input[name$='-oorspronkelijk']");
          return orig && !orig.value;
        });
        target = blank.length ? blank[blank.length - 1] : rows[rows.length - 1];
      } else if (verb === "up" && index !== null) {
        target = rows[Math.max(index - 1, 0)];
      } else if (verb === "down" && index !== null) {
        target = rows[Math.min(index + 1, rows.length - 1)];
      } else if (index !== null) {
        target = rows[Math.min(index, rows.length - 1)];
      }
      var input = target ? target.querySelector("input:not([type=hidden]), select, textarea") : null;
      if (input) {
        input.focus();
      }
    });
  });

  // The preview's own buttons belong to a task page: here they send nothing.
  preview.addEventListener("submit", function (event) {
    event.preventDefault();
    say(preview.getAttribute("data-nothing-sent") || "");
  });
  preview.addEventListener("click", function (event) {
    if (event.target.closest("button[type=submit]")) {
      event.preventDefault();
      say(preview.getAttribute("data-nothing-sent") || "");
    }
  });
})();
