/* 协商 case page: the version's diagram in the bpmn-js NavigatedViewer, done steps and waiting steps marked. */
(function () {
  "use strict";
  var box = document.querySelector(".diagram[data-xml]");
  if (!box) return;
  var canvasBox = box.querySelector(".diagram-canvas");
  function fail() { box.querySelector(".diagram-error").hidden = false; box.classList.add("failed"); }
  if (!window.BpmnJS) { fail(); return; }
  var viewer = new window.BpmnJS({ container: canvasBox });
  fetch(box.getAttribute("data-xml"), { credentials: "same-origin" })
    .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport", "auto");
      [["data-done", "done"], ["data-active", "active"]].forEach(function (pair) {
        JSON.parse(box.getAttribute(pair[0]) || "[]").forEach(function (id) {
          if (registry.get(id)) canvas.addMarker(id, pair[1]);
        });
      });
      var tools = box.querySelector(".diagram-tools");
      tools.hidden = false;
      tools.addEventListener("click", function (event) {
        var button = event.target.closest("[data-zoom]");
        if (!button) return;
        var how = button.getAttribute("data-zoom");
        if (how === "fit") canvas.zoom("fit-viewport", "auto");
        else canvas.zoom(canvas.zoom() * (how === "in" ? 1.25 : 0.8));
      });
      box.classList.add("loaded");
    })
    .catch(fail);
})();
