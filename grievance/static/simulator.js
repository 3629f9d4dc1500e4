// Refreshes the simulated phone's thread while replies arrive; the page works without it.
(function () {
  var list = document.getElementById("thread");
  if (!list || !window.fetch) return;
  function render(messages) {
    list.textContent = "";
    messages.forEach(function (m) {
      var item = document.createElement("li");
      item.className = "bubble " + m.direction;
      var body = document.createElement("div");
      body.className = "body";
      body.textContent = m.body;
      item.appendChild(body);
      list.appendChild(item);
    });
  }
  var last = "";
  function poll() {
    fetch(list.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var key = JSON.stringify(data.messages);
        if (key !== last) { last = key; render(data.messages); }
      })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
