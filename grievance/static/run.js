// A run's progress, refreshed every few seconds from its counts (no worker's data in them).
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-progress-url");
  var states = JSON.parse(box.getAttribute("data-states") || "{}");
  var bar = box.querySelector("progress");
  var status = document.querySelector("[data-run-status]");

  function show(counts) {
    Object.keys(counts).forEach(function (key) {
      var cell = box.querySelector('[data-count="' + key + '"]');
      if (cell) { cell.textContent = counts[key]; }
    });
    bar.max = counts.total || 1;
    bar.value = counts.sent;
    if (status && states[counts.status]) { status.textContent = states[counts.status]; }
    return counts.status === "running" || counts.status === "paused" || counts.left > 0;
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (counts) { if (counts && show(counts)) { window.setTimeout(poll, 3000); } })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
}());
