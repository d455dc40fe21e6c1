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

  // Repeating groups (macros/forms.html, _rows): "Nog een … toevoegen" and "Verwijderen" are submit
  // buttons that make the server render the form again; here they change the page without a reload.
  function ownRows(list) {
    return Array.prototype.filter.call(list.querySelectorAll("[data-row]"), function (row) {
      return row.parentNode === list;
    });
  }

  function renumberRows(list) {
    var name = list.getAttribute("data-rows");
    var pattern = new RegExp("^" + name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "-\\d+");
    ownRows(list).forEach(function (row, index) {
      var prefix = name + "-" + index;
      row.id = prefix + "-group";
      Array.prototype.forEach.call(row.querySelectorAll("[name], [id], [for], [aria-describedby], [data-row-remove]"),
        function (element) {
          ["name", "id", "for"].forEach(function (attribute) {
            var value = element.getAttribute(attribute);
            if (value) {
              element.setAttribute(attribute, value.replace(pattern, prefix));
            }
          });
          var describedby = element.getAttribute("aria-describedby");
          if (describedby) {
            element.setAttribute("aria-describedby", describedby.split(" ").map(function (id) {
              return id.replace(pattern, prefix);
            }).join(" "));
          }
          if (element.hasAttribute("data-row-remove")) {
            element.value = prefix;
          }
        });
      Array.prototype.forEach.call(row.querySelectorAll("[data-row-number]"), function (number) {
        number.textContent = String(index + 1);
      });
    });
  }

  function updateRowButtons(list) {
    var count = ownRows(list).length;
    var min = parseInt(list.getAttribute("data-rows-min"), 10) || 0;
    var max = parseInt(list.getAttribute("data-rows-max"), 10) || 50;
    var add = list.querySelector("[data-row-add]");
    if (add) {
      add.hidden = count >= max;
    }
    ownRows(list).forEach(function (row) {
      var remove = row.querySelector("[data-row-remove]");
      if (remove) {
        remove.hidden = !(count > min && (count > 1 || min === 0));
      }
    });
  }

  // An empty copy of a row: no values, no error messages, no invalid marks.
  function clearRow(row) {
    Array.prototype.forEach.call(row.querySelectorAll("input, select, textarea"), function (field) {
      if (field.type === "radio" || field.type === "checkbox") {
        field.checked = false;
        field.removeAttribute("checked");
      } else if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (option) {
          option.removeAttribute("selected");
        });
        field.selectedIndex = 0;
      } else if (field.type !== "submit" && field.type !== "hidden") {
        field.value = "";
        field.removeAttribute("value");
      }
      field.removeAttribute("aria-invalid");
      var describedby = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && !/-error$/.test(id);
      });
      if (describedby.length) {
        field.setAttribute("aria-describedby", describedby.join(" "));
      } else {
        field.removeAttribute("aria-describedby");
      }
    });
    Array.prototype.forEach.call(row.querySelectorAll(".utrecht-form-field__error-message"), function (message) {
      message.parentNode.removeChild(message);
    });
    Array.prototype.forEach.call(row.querySelectorAll("[class*='--invalid']"), function (element) {
      element.className = element.className.split(" ").filter(function (name) {
        return !/--invalid$/.test(name);
      }).join(" ");
    });
  }

  function announce(list, key, row) {
    var status = list.querySelector("[data-rows-status]");
    var legend = row.querySelector("legend");
    if (status && legend) {
      status.textContent = (list.getAttribute(key) || "{row}").replace("{row}", legend.textContent.trim());
    }
  }

  function firstField(row) {
    return row.querySelector("input:not([type=hidden]), select, textarea");
  }

  function enhanceRows() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-rows]"), function (list) {
      list.addEventListener("click", function (event) {
        var button = event.target.closest("[data-row-add], [data-row-remove]");
        if (!button || button.closest("[data-rows]") !== list) {
          return;
        }
        event.preventDefault();
        var rows = ownRows(list);
        if (button.hasAttribute("data-row-add")) {
          var last = rows[rows.length - 1];
          var copy = last.cloneNode(true);
          clearRow(copy);
          last.parentNode.insertBefore(copy, last.nextSibling);
          renumberRows(list);
          updateRowButtons(list);
          var field = firstField(copy);
          if (field) {
            field.focus();
          }
          announce(list, "data-added-message", copy);
          return;
        }
        var row = button.closest("[data-row]");
        var label = row.querySelector("legend").textContent.trim();
        var next = rows[rows.indexOf(row) + 1] || rows[rows.indexOf(row) - 1];
        if (rows.length === 1) {
          clearRow(row);  // the last row of an array that may be empty: emptied, as the server does
          next = row;
        } else {
          row.parentNode.removeChild(row);
        }
        renumberRows(list);
        updateRowButtons(list);
        var focus = next ? firstField(next) : list.querySelector("[data-row-add]");
        if (focus) {
          focus.focus();
        }
        var status = list.querySelector("[data-rows-status]");
        if (status) {
          status.textContent = (list.getAttribute("data-removed-message") || "{row}").replace("{row}", label);
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    linkErrorsToFields();
    enhanceRows();
  });
})();
