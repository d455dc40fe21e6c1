/*
 * Draw a BPMN diagram with the vendored bpmn-js NavigatedViewer (global BpmnJS) on designer pages.
 * Data comes from data- attributes of figure[data-bpmn-url] (no inline scripts, CSP with nonces):
 *   data-counts        {node id: number of cases waiting there} -> heat marker + number badge
 *   data-markers       {node id: "added" | "changed" | "active" | "visited"} -> marker + text badge
 *   data-marker-labels {marker: badge text}  (colour is never the only cue)
 *   data-links         {process id: URL}  -> clicking a call activity opens the called process
 * Every page also has a table with the same information: the canvas is an extra, not the only view.
 */
(function () {
  "use strict";

  function json(element, name) {
    try {
      return JSON.parse(element.getAttribute("data-" + name) || "{}") || {};
    } catch (error) {
      return {};
    }
  }

  function badge(text, className) {
    var span = document.createElement("span");
    span.className = "designer-badge " + className;
    span.textContent = text;
    return span;
  }

  function draw(figure) {
    var status = figure.querySelector("[data-canvas-status]");
    var container = figure.querySelector(".designer-canvas__diagram");
    var counts = json(figure, "counts");
    var markers = json(figure, "markers");
    var labels = json(figure, "marker-labels");
    var links = json(figure, "links");
    var viewer = new window.BpmnJS({ container: container });

    fetch(figure.getAttribute("data-bpmn-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (xml) {
        return viewer.importXML(xml);
      })
      .then(function () {
        var canvas = viewer.get("canvas");
        var overlays = viewer.get("overlays");
        var registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport", "auto");
        var max = 0;
        Object.keys(counts).forEach(function (id) { max = Math.max(max, counts[id]); });
        Object.keys(counts).forEach(function (id) {
          var count = counts[id];
          if (!registry.get(id) || !count) {
            return;
          }
          canvas.addMarker(id, "designer-heat-" + Math.max(1, Math.ceil((4 * count) / max)));
          overlays.add(id, "designer-count", {
            position: { top: -12, right: 12 },
            html: badge(String(count), "designer-badge--count")
          });
        });
        Object.keys(markers).forEach(function (id) {
          if (!registry.get(id)) {
            return;
          }
          canvas.addMarker(id, "designer-mark-" + markers[id]);
          if (labels[markers[id]]) {
            overlays.add(id, "designer-mark", {
              position: { bottom: 4, left: -4 },
              html: badge(labels[markers[id]], "designer-badge--" + markers[id])
            });
          }
        });
        viewer.get("eventBus").on("element.click", function (event) {
          var business = event.element.businessObject;
          if (business && business.calledElement && links[business.calledElement]) {
            window.location.href = links[business.calledElement];
          }
        });
        var tools = figure.querySelector("[data-canvas-tools]");
        if (tools) {
          tools.hidden = false;
          tools.addEventListener("click", function (event) {
            var kind = event.target.getAttribute("data-zoom");
            if (kind === "fit") {
              canvas.zoom("fit-viewport", "auto");
            } else if (kind) {
              canvas.zoom(canvas.zoom() * (kind === "in" ? 1.25 : 0.8));
            }
          });
        }
        container.setAttribute("data-rendered", "true");
        if (status) {
          status.textContent = "";
        }
      })
      .catch(function () {
        if (status) {
          status.textContent = figure.getAttribute("data-error-text");
        }
        container.setAttribute("data-rendered", "failed");
      });
  }

  function init() {
    if (!window.BpmnJS) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll("figure[data-bpmn-url]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
