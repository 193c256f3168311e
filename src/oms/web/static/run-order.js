// The dispatcher's stop order: drag a row of the stops table to move it, and the stop
// numbers are written again from 1 in the new order. The numbers are what the form sends,
// so without this script (or without a mouse) typing them does the same.
(function () {
  "use strict";
  var body = document.querySelector("tbody[data-reorder='on']");
  if (!body) { return; }
  document.documentElement.classList.add("js");
  var dragged = null;

  function renumber() {
    var rows = body.querySelectorAll("tr[data-shipment]");
    for (var i = 0; i < rows.length; i++) {
      var box = rows[i].querySelector("input.seq");
      if (box) { box.value = String(i + 1); }
    }
  }

  body.addEventListener("dragstart", function (event) {
    dragged = event.target.closest("tr[data-shipment]");
    if (!dragged) { return; }
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.shipment);
  });
  body.addEventListener("dragover", function (event) {
    var over = event.target.closest("tr[data-shipment]");
    if (!dragged || !over || over === dragged) { return; }
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    body.insertBefore(dragged, after ? over.nextSibling : over);
  });
  body.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    renumber();
  });
})();
