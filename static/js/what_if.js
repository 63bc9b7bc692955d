// While a service manager types a target's objective, shows how its last closed periods would have ended.
(function () {
  "use strict";
  var LABELS = { met: "✓", breached: "✗", no_data: "–", at_risk: "!" };
  function show(box, answer) {
    var list = box.querySelector(".what-if-periods");
    list.innerHTML = "";
    (answer.periods || []).forEach(function (period) {
      var item = document.createElement("li");
      item.className = "list-inline-item badge text-bg-" + (period.tone || "secondary");
      item.setAttribute("data-period", period.period);
      item.setAttribute("data-would-be", period.would_be);
      item.title = period.period + ": " + (period.attainment || "–") + " % (" + period.was + " → " + period.would_be + ")";
      item.textContent = period.period + " " + (LABELS[period.would_be] || "");
      list.appendChild(item);
    });
  }
  document.querySelectorAll("[data-what-if-url]").forEach(function (box) {
    var input = document.getElementById(box.getAttribute("data-objective-input"));
    if (!input) return;
    var timer = null;
    function ask() {
      var url = box.getAttribute("data-what-if-url") + "?objective=" + encodeURIComponent(input.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { periods: [] }; })
        .then(function (answer) { show(box, answer); });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 300); });
    ask();
  });
})();
