// The reply's cost while she types: characters, GSM-7 or UCS-2, SMS segments, counted as
// grievance/channels/segments.py counts them (the signature included), and a warning past the limit.
(function () {
  "use strict";
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENSION = "\f^{}\\[~]|€";

  function segments(text) {
    var chars = Array.from(text), gsm = chars.every(function (c) {
      return BASIC.indexOf(c) >= 0 || EXTENSION.indexOf(c) >= 0;
    });
    var weights = chars.map(function (c) {
      if (gsm) { return EXTENSION.indexOf(c) >= 0 ? 2 : 1; }
      return c.codePointAt(0) > 0xFFFF ? 2 : 1;
    });
    var units = weights.reduce(function (a, b) { return a + b; }, 0);
    var single = gsm ? 160 : 70, multi = gsm ? 153 : 67, count = 1, used = 0;
    if (units > single) {
      weights.forEach(function (w) { if (used + w > multi) { count += 1; used = 0; } used += w; });
    }
    return { encoding: gsm ? "GSM-7" : "UCS-2", segments: count };
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)[ds]/g, function (_, name) { return String(values[name]); });
  }

  function watch(area) {
    var output = document.getElementById(area.getAttribute("aria-describedby"));
    if (!output) { return; }
    var limit = parseInt(area.getAttribute("data-limit"), 10);
    var update = function () {
      var own = area.value.trim();
      if (!own) { output.textContent = ""; output.classList.remove("over"); return; }
      var signed = own + (area.getAttribute("data-signature") || ""), info = segments(signed);
      var text = fill(output.getAttribute("data-template"),
        { count: Array.from(signed).length, encoding: info.encoding, segments: info.segments });
      var over = Array.from(own).length > limit;
      if (over) { text += " " + fill(output.getAttribute("data-over"), { limit: limit }); }
      output.textContent = text;
      output.classList.toggle("over", over);
    };
    area.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-signature]"), watch);
  });
}());
