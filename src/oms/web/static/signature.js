// The signature pad of the driver's page: the recipient signs with a finger (or a mouse)
// on a canvas; the drawing goes with the "Delivered" form as a PNG data URL. Without this
// script the pad stays hidden and a photo (or the name alone) is the proof.
(function () {
  "use strict";
  var pads = document.querySelectorAll("[data-signature]");
  Array.prototype.forEach.call(pads, function (pad) {
    var canvas = pad.querySelector("canvas");
    var field = pad.querySelector("input[name='signature']");
    var clear = pad.querySelector("[data-clear]");
    var form = pad.closest("form");
    var context = canvas.getContext("2d");
    var drawing = false;
    var signed = false;
    pad.hidden = false;
    context.lineWidth = 4;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#1d2430";

    function at(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height)
      };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      try { canvas.setPointerCapture(event.pointerId); } catch (ignored) { /* not a live pointer */ }
      var p = at(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = at(event);
      context.lineTo(p.x, p.y);
      context.stroke();
      signed = true;
      event.preventDefault();
    });
    function stop() { drawing = false; }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    clear.addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      signed = false;
      field.value = "";
    });
    form.addEventListener("submit", function () {
      field.value = signed ? canvas.toDataURL("image/png") : "";
    });
  });
})();
