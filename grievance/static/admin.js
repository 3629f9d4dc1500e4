// Live SMS cost of a template as it is typed: GSM-7 or UCS-2, and how many segments.
// The same rules as grievance/channels/segments.py, which the page shows when it is rendered.
(function () {
  "use strict";
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENSION = "\f^{}\\[~]|€";

  function cost(text) {
    var chars = Array.from(text);
    var gsm = chars.every(function (c) { return BASIC.indexOf(c) >= 0 || EXTENSION.indexOf(c) >= 0; });
    var weights = chars.map(function (c) {
      if (gsm) { return EXTENSION.indexOf(c) >= 0 ? 2 : 1; }
      return c.codePointAt(0) > 0xFFFF ? 2 : 1;
    });
    var units = weights.reduce(function (a, b) { return a + b; }, 0);
    var single = gsm ? 160 : 70, multi = gsm ? 153 : 67, segments = 1, used = 0;
    if (units > single) {
      weights.forEach(function (w) {
        if (used + w > multi) { segments += 1; used = 0; }
        used += w;
      });
    }
    return {encoding: gsm ? "GSM-7" : "UCS-2", units: units, segments: segments};
  }

  function attach(area) {
    var out = document.getElementById(area.getAttribute("data-segments"));
    if (!out) { return; }
    function update() {
      var info = cost(area.value);
      var template = info.segments === 1 ? out.dataset.one : out.dataset.many;
      out.textContent = (template || "{encoding} · {n}")
        .replace("{encoding}", info.encoding).replace("{n}", String(info.segments));
    }
    area.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-segments]"), attach);
  });
})();
