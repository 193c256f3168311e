// The pack bench's scan box: a barcode scanner types each code and Enter. Each scan is
// matched against what the parcel should hold (by SKU or barcode); a wrong or surplus item
// is flagged and beeps and is not counted; when every item is scanned the form is sent.
// The server checks the scans again before it packs: this script only helps the packer.
(function () {
  "use strict";
  var form = document.getElementById("pack-form");
  if (!form) { return; }
  var area = document.getElementById("scan-area");
  var box = document.getElementById("scan");
  var flag = document.getElementById("scan-flag");
  var status = document.getElementById("scan-status");
  var list = document.getElementById("f-scans");
  var rows = Array.prototype.slice.call(form.querySelectorAll("tr[data-sku]"));
  var audio = null;

  function rowOf(code) {
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].dataset.sku === code || (rows[i].dataset.barcode && rows[i].dataset.barcode === code)) {
        return rows[i];
      }
    }
    return null;
  }

  function scanned(row) { return parseInt(row.querySelector("[data-scanned]").textContent, 10); }

  function show(row, count) {
    var left = parseInt(row.dataset.expected, 10) - count;
    row.querySelector("[data-scanned]").textContent = String(count);
    row.querySelector("[data-left]").textContent = String(left);
    row.classList.toggle("done-row", left === 0);
  }

  function beep() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) { return; }
      audio = audio || new Context();
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.type = "square";
      tone.frequency.value = 220;
      gain.gain.value = 0.2;
      tone.connect(gain);
      gain.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
    } catch (e) { /* no sound on this device: the flag still shows */ }
  }

  function wrong(message) {
    flag.textContent = message;
    flag.classList.add("shown");
    box.setAttribute("aria-invalid", "true");
    status.textContent = "";
    beep();
  }

  function complete() {
    return rows.every(function (row) { return scanned(row) === parseInt(row.dataset.expected, 10); });
  }

  function accept(code) {
    var row = rowOf(code);
    if (!row) {
      wrong("Wrong item: " + code + " is not in this parcel. Not counted; put it aside.");
      return;
    }
    var expected = parseInt(row.dataset.expected, 10);
    var count = scanned(row);
    if (count >= expected) {
      wrong("Too many: all " + expected + " of " + row.dataset.sku + " are already scanned. Not counted.");
      return;
    }
    show(row, count + 1);
    list.value = (list.value && !/\n$/.test(list.value) ? list.value + "\n" : list.value) + code + "\n";
    flag.textContent = "";
    flag.classList.remove("shown");
    box.removeAttribute("aria-invalid");
    status.textContent = row.dataset.sku + ": " + (count + 1) + " of " + expected + " scanned.";
    if (complete()) {
      status.textContent = "Everything is scanned: packing.";
      box.disabled = true;
      form.requestSubmit();
    }
  }

  // Lines already in the list (kept after a refused attempt) count as scanned.
  list.value.split("\n").forEach(function (line) {
    var row = rowOf(line.trim());
    if (row && scanned(row) < parseInt(row.dataset.expected, 10)) { show(row, scanned(row) + 1); }
  });

  area.hidden = false;
  list.readOnly = true;
  box.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    event.preventDefault();  // Enter ends a scan; it never sends the form by itself
    var code = box.value.trim();
    box.value = "";
    if (code) { accept(code); }
  });
  document.getElementById("scan-reset").addEventListener("click", function () {
    list.value = "";
    rows.forEach(function (row) { show(row, 0); });
    flag.textContent = "";
    flag.classList.remove("shown");
    status.textContent = "Scans cleared: start again.";
    box.focus();
  });
  box.focus();
})();
