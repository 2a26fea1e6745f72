/* Shows a process definition read-only with bpmn-js and marks the current and completed steps. */
(function () {
  "use strict";
  var holder = document.getElementById("bpmn-diagram");
  if (!holder || !window.BpmnJS) { return; }
  function read(id) { return JSON.parse(document.getElementById(id).textContent); }
  var viewer = new window.BpmnJS({ container: holder });
  viewer.importXML(read("bpmn-xml")).then(function () {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    canvas.zoom("fit-viewport");
    read("bpmn-done").forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "step-done"); } });
    read("bpmn-current").forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "step-current"); } });
  }).catch(function () {
    holder.textContent = holder.getAttribute("data-error");
  });
}());
