/*
 * The BPMN modeler for one file of a draft (vendored bpmn-js Modeler, global BpmnJS) with a focused
 * properties panel for what the portal reads: name and id, lane, form file, dueIn, portalAction,
 * showSteps, pre/post scripts, script text, called process, timers and conditions.
 *
 * Plain JavaScript, no bundler: the panel is an ordinary labelled form beside the canvas that changes
 * the selected element through bpmn-js's modeling service (updateProperties / updateModdleProperties),
 * so every change is on the command stack (undo/redo) and in the exported XML.
 *
 * Configuration comes from data-config on #modeler-root, texts from data-texts (no inline scripts).
 * Save: POST {xml, revision} with the X-CSRFToken header; the answer is the new revision and the lint
 * messages of the whole draft, marked on the canvas and listed as file:line [process/element] message.
 * A 409 (somebody else saved in between) overwrites nothing and offers reload or download.
 */
(function () {
  "use strict";

  /* The spiffworkflow namespace as far as the portal reads it. Unknown spiffworkflow elements are kept
     as generic elements by bpmn-moddle, so files from spiff-arena keep them too. */
  var SPIFF = {
    name: "SpiffWorkflow",
    prefix: "spiffworkflow",
    uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
    xml: { tagAlias: "lowerCase" },
    associations: [],
    types: [
      { name: "Properties", superClass: ["Element"],
        properties: [{ name: "properties", type: "Property", isMany: true }] },
      { name: "Property", superClass: ["Element"],
        properties: [{ name: "name", type: "String", isAttr: true }, { name: "value", type: "String", isAttr: true }] },
      { name: "PreScript", superClass: ["Element"], properties: [{ name: "value", type: "String", isBody: true }] },
      { name: "PostScript", superClass: ["Element"], properties: [{ name: "value", type: "String", isBody: true }] }
    ]
  };
  var TIMER_KINDS = ["timeDuration", "timeDate", "timeCycle"];

  function json(element, name) {
    try {
      return JSON.parse(element.getAttribute("data-" + name) || "{}") || {};
    } catch (error) {
      return {};
    }
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") {
        node.textContent = attrs[key];
      } else if (attrs[key] !== null && attrs[key] !== undefined && attrs[key] !== false) {
        node.setAttribute(key, attrs[key] === true ? "" : attrs[key]);
      }
    });
    (children || []).forEach(function (child) {
      if (child) {
        node.appendChild(child);
      }
    });
    return node;
  }

  function is(bo, type) {
    return bo && bo.$instanceOf && bo.$instanceOf(type);
  }

  function start(root) {
    var config = json(root, "config");
    var t = json(root, "texts");
    var container = document.getElementById("diagram");
    var panel = document.getElementById("modeler-panel");
    var status = document.getElementById("modeler-status");
    var saveButton = document.getElementById("modeler-save");
    var lintBox = document.getElementById("modeler-lint");
    var lintSummary = document.getElementById("modeler-lint-summary");
    var conflictBox = document.getElementById("modeler-conflict");
    var modeler = new window.BpmnJS({ container: container, moddleExtensions: { spiffworkflow: SPIFF } });
    var revision = null;
    var dirty = false;
    var saving = false;
    var lintMarked = [];
    var current = null;
    window.portalModeler = modeler; // the browser test drives the modeling API through this

    function service(name) {
      return modeler.get(name);
    }

    function say(text) {
      status.textContent = text;
    }

    function setDirty(value) {
      dirty = value;
      root.setAttribute("data-dirty", value ? "true" : "false");
      if (value) {
        say(t.unsaved);
      }
    }

    /* ---- lint: markers on the canvas, the list below it ---- */

    function clearLint() {
      var canvas = service("canvas");
      lintMarked.forEach(function (id) {
        if (service("elementRegistry").get(id)) {
          canvas.removeMarker(id, "designer-lint-error");
        }
      });
      service("overlays").remove({ type: "designer-lint" });
      lintMarked = [];
    }

    function focusElement(id) {
      var element = service("elementRegistry").get(id);
      if (!element) {
        return false;
      }
      service("selection").select(element);
      if (!element.waypoints) {
        service("canvas").scrollToElement(element);
      }
      var first = panel.querySelector("input, select, textarea");
      if (first) {
        first.focus();
      }
      return true;
    }

    function showLint(messages) {
      clearLint();
      var here = messages.filter(function (m) { return m.path === config.file; });
      var counts = {};
      here.forEach(function (m) {
        if (m.element && service("elementRegistry").get(m.element)) {
          counts[m.element] = (counts[m.element] || 0) + 1;
        }
      });
      Object.keys(counts).forEach(function (id) {
        service("canvas").addMarker(id, "designer-lint-error");
        lintMarked.push(id);
        service("overlays").add(id, "designer-lint", {
          position: { top: -14, left: -10 },
          html: el("span", { "class": "designer-badge designer-badge--lint",
                             title: t.problem, text: "! " + counts[id] })
        });
      });
      lintBox.textContent = "";
      if (!messages.length) {
        lintSummary.textContent = t.lintClean;
        return;
      }
      lintSummary.textContent = (messages.length === 1 ? t.lintOne : t.lintMany).replace("%(num)d", messages.length);
      var list = el("ul", { "class": "designer-lint", id: "lint-list" });
      messages.forEach(function (m) {
        var code = el("code", { text: m.text });
        var item = el("li", { "class": "designer-lint__item" });
        if (m.path === config.file && m.element) {
          var link = el("a", { "class": "utrecht-link utrecht-link--html-a", href: "?element=" + encodeURIComponent(m.element),
                               "data-element": m.element }, [code]);
          item.appendChild(link);
        } else if (m.path.indexOf("bpmn/") === 0 && config.otherFiles && config.otherFiles[m.path]) {
          item.appendChild(el("a", { "class": "utrecht-link utrecht-link--html-a",
                                     href: config.otherFiles[m.path] + (m.element ? "?element=" + encodeURIComponent(m.element) : "") }, [code]));
        } else {
          item.appendChild(code);
        }
        list.appendChild(item);
      });
      lintBox.appendChild(list);
    }

    lintBox.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-element]");
      if (link && focusElement(link.getAttribute("data-element"))) {
        event.preventDefault();
      }
    });

    /* ---- the properties panel ---- */

    var fieldCount = 0;

    function field(label, control, hint) {
      var id = "prop-" + (++fieldCount);
      control.id = id;
      var children = [el("label", { "class": "utrecht-form-label", "for": id, text: label })];
      if (hint) {
        var hintId = id + "-hint";
        children.push(el("p", { "class": "utrecht-form-field-description", id: hintId, text: hint }));
        control.setAttribute("aria-describedby", hintId);
      }
      children.push(control);
      return el("div", { "class": "utrecht-form-field designer-prop" }, children);
    }

    function input(value, onChange, attrs) {
      var node = el("input", Object.assign({ type: "text", "class": "utrecht-textbox utrecht-textbox--html-input",
                                             autocomplete: "off", spellcheck: "false" }, attrs || {}));
      node.value = value || "";
      node.readOnly = !!config.readonly;
      node.addEventListener("change", function () { onChange(node.value.trim(), node); });
      return node;
    }

    function textarea(value, onChange) {
      var node = el("textarea", { "class": "utrecht-textarea utrecht-textarea--html-textarea designer-code",
                                  rows: "4", spellcheck: "false" });
      node.value = value || "";
      node.readOnly = !!config.readonly;
      node.addEventListener("change", function () { onChange(node.value); });
      return node;
    }

    function select(options, value, onChange) {
      var node = el("select", { "class": "utrecht-select utrecht-select--html-select" });
      options.forEach(function (option) {
        var opt = el("option", { value: option[0], text: option[1] });
        opt.selected = option[0] === value;
        node.appendChild(opt);
      });
      node.disabled = !!config.readonly;
      node.addEventListener("change", function () { onChange(node.value); });
      return node;
    }

    function extension(bo, type) {
      var ext = bo.extensionElements;
      return ext && (ext.get("values") || []).filter(function (v) { return v.$type === type; })[0];
    }

    function property(bo, name) {
      var props = extension(bo, "spiffworkflow:Properties");
      var found = props && (props.get("properties") || []).filter(function (p) { return p.name === name; })[0];
      return found ? found.value || "" : "";
    }

    function ensureExtensions(element) {
      var bo = element.businessObject;
      if (!bo.extensionElements) {
        service("modeling").updateProperties(element, {
          extensionElements: service("moddle").create("bpmn:ExtensionElements", { values: [] })
        });
      }
      return bo.extensionElements;
    }

    function setProperty(element, name, value) {
      var modeling = service("modeling");
      var moddle = service("moddle");
      var bo = element.businessObject;
      var props = extension(bo, "spiffworkflow:Properties");
      var existing = props && (props.get("properties") || []).filter(function (p) { return p.name === name; })[0];
      if (!value) {
        if (existing) {
          modeling.updateModdleProperties(element, props, {
            properties: props.get("properties").filter(function (p) { return p !== existing; })
          });
        }
        return;
      }
      if (existing) {
        modeling.updateModdleProperties(element, existing, { value: value });
        return;
      }
      var ext = ensureExtensions(element);
      if (!props) {
        props = moddle.create("spiffworkflow:Properties", { properties: [] });
        props.$parent = ext;
        modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([props]) });
      }
      var created = moddle.create("spiffworkflow:Property", { name: name, value: value });
      created.$parent = props;
      modeling.updateModdleProperties(element, props, { properties: props.get("properties").concat([created]) });
    }

    function setScriptExtension(element, type, value) {
      var bo = element.businessObject;
      var existing = extension(bo, type);
      var modeling = service("modeling");
      if (!value.trim()) {
        if (existing) {
          modeling.updateModdleProperties(element, bo.extensionElements, {
            values: bo.extensionElements.get("values").filter(function (v) { return v !== existing; })
          });
        }
        return;
      }
      if (existing) {
        modeling.updateModdleProperties(element, existing, { value: value });
        return;
      }
      var ext = ensureExtensions(element);
      var created = service("moddle").create(type, { value: value });
      created.$parent = ext;
      modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([created]) });
    }

    function lanesFor(element) {
      var lanes = [];
      var root = element.parent;
      while (root && !is(root.businessObject, "bpmn:Participant") && !is(root.businessObject, "bpmn:Process")) {
        if (is(root.businessObject, "bpmn:SubProcess")) {
          return [];
        }
        root = root.parent;
      }
      service("elementRegistry").filter(function (e) { return is(e.businessObject, "bpmn:Lane"); }).forEach(function (lane) {
        var top = lane;
        while (top && top.parent && is(top.businessObject, "bpmn:Lane")) {
          top = top.parent;
        }
        var childLanes = (lane.businessObject.childLaneSet && lane.businessObject.childLaneSet.lanes) || [];
        if (top === root && !childLanes.length) {
          lanes.push(lane);
        }
      });
      return lanes;
    }

    function laneOf(element, lanes) {
      var bo = element.businessObject;
      return lanes.filter(function (lane) {
        return (lane.businessObject.flowNodeRef || []).indexOf(bo) !== -1;
      })[0];
    }

    function moveToLane(element, lane) {
      var mid = element.y + element.height / 2;
      var target = lane.y + lane.height / 2;
      var dx = 0;
      if (element.x < lane.x + 40) {
        dx = lane.x + 40 - element.x;
      }
      service("modeling").moveShape(element, { x: dx, y: Math.round(target - mid) });
      if (element.attachers) {
        // boundary events travel with their activity (bpmn-js moves them)
      }
    }

    function timerDefinition(bo) {
      return (bo.eventDefinitions || []).filter(function (d) { return is(d, "bpmn:TimerEventDefinition"); })[0];
    }

    function formal(body) {
      return service("moddle").create("bpmn:FormalExpression", { body: body });
    }

    function render(element) {
      current = element;
      panel.textContent = "";
      fieldCount = 0;
      if (!element || element.type === "label") {
        panel.appendChild(el("p", { "class": "utrecht-paragraph", text: t.chooseElement }));
        return;
      }
      var bo = element.businessObject;
      var modeling = service("modeling");
      var parts = [el("p", { "class": "utrecht-paragraph designer-prop__type", text: t.type + ": " + bo.$type.replace("bpmn:", "") })];

      parts.push(field(t.id, input(bo.id, function (value, node) {
        if (value === bo.id) {
          return;
        }
        if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(value) || service("elementRegistry").get(value)) {
          node.setAttribute("aria-invalid", "true");
          say(t.badId);
          node.value = bo.id;
          return;
        }
        node.removeAttribute("aria-invalid");
        modeling.updateProperties(element, { id: value });
      }), t.idHint));

      if (!is(bo, "bpmn:Process") && !is(bo, "bpmn:Collaboration")) {
        parts.push(field(t.name, input(bo.name, function (value) {
          modeling.updateLabel(element, value);
        })));
      }

      if (is(bo, "bpmn:FlowNode") && !is(bo, "bpmn:BoundaryEvent")) {
        var lanes = lanesFor(element);
        if (lanes.length) {
          var currentLane = laneOf(element, lanes);
          var options = currentLane ? [] : [["", t.noLane]];
          lanes.forEach(function (lane) { options.push([lane.id, lane.businessObject.name || lane.id]); });
          parts.push(field(t.lane, select(options, currentLane ? currentLane.id : "", function (value) {
            var lane = service("elementRegistry").get(value);
            if (lane) {
              moveToLane(element, lane);
              render(element);
            }
          }), t.laneHint));
        }
      }

      if (is(bo, "bpmn:UserTask")) {
        var formInput = input(property(bo, "formJsonSchemaFilename"), function (value) {
          setProperty(element, "formJsonSchemaFilename", value);
        }, { list: "modeler-forms", placeholder: bo.id + ".json" });
        parts.push(field(t.form, formInput, t.formHint.replace("%(file)s", bo.id + ".json")));
        parts.push(field(t.dueIn, input(property(bo, "dueIn"), function (value) {
          setProperty(element, "dueIn", value);
        }, { placeholder: "P2W" }), t.dueInHint));
        var actions = [["", t.noAction]];
        (config.actions || []).forEach(function (a) { actions.push([a, a]); });
        var action = property(bo, "portalAction");
        if (action && (config.actions || []).indexOf(action) === -1) {
          actions.push([action, action + " (" + t.unknown + ")"]);
        }
        parts.push(field(t.action, select(actions, action, function (value) {
          setProperty(element, "portalAction", value);
        }), t.actionHint));
        parts.push(field(t.showSteps, input(property(bo, "showSteps"), function (value) {
          setProperty(element, "showSteps", value);
        }), t.showStepsHint));
      }

      if (is(bo, "bpmn:ScriptTask")) {
        parts.push(field(t.script, textarea(bo.script, function (value) {
          modeling.updateProperties(element, { script: value, scriptFormat: bo.scriptFormat || "python" });
        }), t.scriptHint));
      }

      if (is(bo, "bpmn:CallActivity")) {
        parts.push(field(t.called, input(bo.calledElement, function (value) {
          modeling.updateProperties(element, { calledElement: value || undefined });
        })));
      }

      var timer = timerDefinition(bo);
      if (timer) {
        var kind = TIMER_KINDS.filter(function (k) { return timer[k]; })[0] || "timeDuration";
        var expression = timer[kind] ? timer[kind].body : "";
        var kindSelect = select([["timeDuration", t.timeDuration], ["timeDate", t.timeDate], ["timeCycle", t.timeCycle]],
                                kind, function (value) {
          var props = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
          props[value] = formal(timer[kind] ? timer[kind].body : "");
          modeling.updateModdleProperties(element, timer, props);
          render(element);
        });
        parts.push(field(t.timerKind, kindSelect));
        parts.push(field(t.timerExpression, input(expression, function (value) {
          var props = {};
          props[kind] = formal(value);
          modeling.updateModdleProperties(element, timer, props);
        }), t.timerHint));
      }

      if (is(bo, "bpmn:Activity")) {
        parts.push(field(t.preScript, textarea(extension(bo, "spiffworkflow:PreScript") ? extension(bo, "spiffworkflow:PreScript").value : "",
          function (value) { setScriptExtension(element, "spiffworkflow:PreScript", value); }), t.preScriptHint));
        parts.push(field(t.postScript, textarea(extension(bo, "spiffworkflow:PostScript") ? extension(bo, "spiffworkflow:PostScript").value : "",
          function (value) { setScriptExtension(element, "spiffworkflow:PostScript", value); })));
      }

      if (is(bo, "bpmn:SequenceFlow")) {
        var source = element.source && element.source.businessObject;
        parts.push(field(t.condition, textarea(bo.conditionExpression ? bo.conditionExpression.body : "", function (value) {
          modeling.updateProperties(element, { conditionExpression: value.trim() ? formal(value.trim()) : undefined });
        }), t.conditionHint));
        if (source && (is(source, "bpmn:ExclusiveGateway") || is(source, "bpmn:InclusiveGateway"))) {
          var box = el("input", { type: "checkbox", "class": "utrecht-checkbox utrecht-checkbox--html-input" });
          box.checked = source.default === bo;
          box.disabled = !!config.readonly;
          box.addEventListener("change", function () {
            modeling.updateProperties(element.source, { "default": box.checked ? bo : undefined });
          });
          var id = "prop-default";
          box.id = id;
          parts.push(el("div", { "class": "utrecht-form-field utrecht-form-field--checkbox designer-prop" }, [
            box, el("label", { "class": "utrecht-form-label utrecht-form-label--checkbox", "for": id, text: t.defaultFlow })]));
        }
      }
      parts.forEach(function (part) { panel.appendChild(part); });
    }

    /* ---- load and save ---- */

    function download(xml) {
      var link = el("a", { href: URL.createObjectURL(new Blob([xml], { type: "application/xml" })),
                           download: config.file.replace("bpmn/", "") });
      document.body.appendChild(link);
      link.click();
      link.remove();
    }

    function conflict(answer) {
      conflictBox.hidden = false;
      conflictBox.querySelector("[data-conflict-text]").textContent = answer.error;
      conflictBox.focus();
      say(t.notSaved);
    }

    function save() {
      if (saving || config.readonly) {
        return;
      }
      saving = true;
      saveButton.disabled = true;
      say(t.saving);
      modeler.saveXML({ format: true }).then(function (result) {
        return fetch(config.saveUrl, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrf, "Accept": "application/json" },
          body: JSON.stringify({ xml: result.xml, revision: revision })
        }).then(function (response) {
          return response.json().catch(function () { return { error: t.saveFailed + " (HTTP " + response.status + ")" }; })
            .then(function (answer) { return { status: response.status, answer: answer }; });
        });
      }).then(function (reply) {
        if (reply.status === 200) {
          revision = reply.answer.revision;
          root.setAttribute("data-revision", String(revision));
          setDirty(false);
          showLint(reply.answer.messages || []);
          say(t.saved.replace("%(revision)d", revision) + " " +
              (reply.answer.messages.length ? lintSummary.textContent : t.lintClean));
        } else if (reply.status === 409 && reply.answer.conflict) {
          conflict(reply.answer);
        } else {
          say(reply.answer.error || t.saveFailed);
        }
      }).catch(function () {
        say(t.saveFailed);
      }).then(function () {
        saving = false;
        saveButton.disabled = false;
        root.setAttribute("data-saves", String(Number(root.getAttribute("data-saves") || 0) + 1));
      });
    }

    saveButton.addEventListener("click", save);
    conflictBox.querySelector("[data-conflict-reload]").addEventListener("click", function () {
      dirty = false;
      window.location.reload();
    });
    conflictBox.querySelector("[data-conflict-download]").addEventListener("click", function () {
      modeler.saveXML({ format: true }).then(function (result) { download(result.xml); });
    });
    /* ---- the keyboard tools: choose, append, connect and remove without the mouse ---- */

    var keyboardBox = document.getElementById("modeler-keyboard");
    var elementSelect = document.getElementById("modeler-element");
    var connectSelect = document.getElementById("modeler-connect-target");

    function fill(text, values) {
      return text.replace(/%\((\w+)\)s/g, function (match, key) { return values[key]; });
    }

    function labelOf(element) {
      var bo = element.businessObject;
      return (bo.name ? bo.name + " – " : "") + bo.id + " (" + bo.$type.replace("bpmn:", "") + ")";
    }

    function fillChoosers() {
      var root = service("canvas").getRootElement();
      var all = service("elementRegistry").filter(function (e) {
        return e !== root && e.type !== "label" && e.businessObject && e.businessObject.id;
      }).sort(function (a, b) { return labelOf(a).localeCompare(labelOf(b)); });
      var target = connectSelect.value;
      [elementSelect, connectSelect].forEach(function (select) {
        select.textContent = "";
        select.appendChild(el("option", { value: "", text: t.noElement }));
        all.forEach(function (e) {
          if (select === connectSelect && (e.waypoints || !is(e.businessObject, "bpmn:FlowNode") ||
                                           (current && e.id === current.id))) {
            return;
          }
          select.appendChild(el("option", { value: e.id, text: labelOf(e) }));
        });
      });
      elementSelect.value = current ? current.id : "";
      connectSelect.value = service("elementRegistry").get(target) ? target : "";
    }

    elementSelect.addEventListener("change", function () {
      var element = service("elementRegistry").get(elementSelect.value);
      if (element) {
        service("selection").select(element);  // focus stays here: arrow keys may walk on through the list
        if (!element.waypoints) {
          service("canvas").scrollToElement(element);
        }
      } else {
        service("selection").select(null);
      }
    });
    document.getElementById("modeler-append").addEventListener("click", function () {
      if (!current) {
        say(t.chooseFirst);
        return;
      }
      var bo = current.businessObject;
      if (current.waypoints || !is(bo, "bpmn:FlowNode") || is(bo, "bpmn:EndEvent")) {
        say(t.cannotAppend);
        return;
      }
      var choice = document.getElementById("modeler-append-type");
      var kind = choice.value.split("|");
      var attrs = { type: kind[0] };
      if (kind[1]) {
        attrs.eventDefinitionType = kind[1];
      }
      var source = current;
      var made = service("autoPlace").append(source, service("elementFactory").createShape(attrs));
      focusElement(made.id);
      say(fill(t.appended, { type: choice.options[choice.selectedIndex].text, source: labelOf(source) }));
    });
    document.getElementById("modeler-connect").addEventListener("click", function () {
      var target = service("elementRegistry").get(connectSelect.value);
      if (!current || !target) {
        say(t.chooseFirst);
        return;
      }
      var allowed = service("bpmnRules").canConnect(current, target);
      if (!allowed) {
        say(t.cannotConnect);
        return;
      }
      service("modeling").connect(current, target, typeof allowed === "object" ? allowed : undefined);
      say(fill(t.connected, { source: labelOf(current), target: labelOf(target) }));
    });
    document.getElementById("modeler-remove").addEventListener("click", function () {
      if (!current) {
        say(t.chooseFirst);
        return;
      }
      var name = labelOf(current);
      service("modeling").removeElements([current]);
      say(fill(t.removed, { name: name }));
    });

    document.getElementById("modeler-tools").addEventListener("click", function (event) {
      var kind = event.target.getAttribute("data-zoom");
      var canvas = service("canvas");
      if (kind === "fit") {
        canvas.zoom("fit-viewport", "auto");
      } else if (kind) {
        canvas.zoom(canvas.zoom() * (kind === "in" ? 1.25 : 0.8));
      } else if (event.target.hasAttribute("data-undo")) {
        service("commandStack").undo();
      } else if (event.target.hasAttribute("data-redo")) {
        service("commandStack").redo();
      }
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });

    fetch(config.xmlUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        revision = data.revision;
        root.setAttribute("data-revision", String(revision));
        return modeler.importXML(data.xml);
      })
      .then(function () {
        var canvas = service("canvas");
        canvas.zoom("fit-viewport", "auto");
        service("eventBus").on("selection.changed", function (event) {
          render(event.newSelection.length === 1 ? event.newSelection[0] : null);
          fillChoosers();
        });
        service("eventBus").on("commandStack.changed", function () {
          setDirty(true);
          if (current && !panel.contains(document.activeElement)) {
            render(service("elementRegistry").get(current.id) || null);
          }
          fillChoosers();
        });
        showLint(config.messages || []);
        render(null);
        if (config.select) {
          focusElement(config.select);
        }
        saveButton.hidden = !!config.readonly;
        document.getElementById("modeler-tools").hidden = false;
        fillChoosers();
        keyboardBox.hidden = false;
        if (config.readonly) {
          keyboardBox.querySelectorAll("[data-edit]").forEach(function (node) { node.hidden = true; });
        }
        container.setAttribute("data-rendered", "true");
        say("");
      })
      .catch(function () {
        say(t.loadFailed);
        container.setAttribute("data-rendered", "failed");
      });
  }

  function init() {
    var root = document.getElementById("modeler-root");
    if (root && window.BpmnJS) {
      start(root);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
