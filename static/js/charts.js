// Renders every .plotly-chart from the JSON figure next to it (built on the server as plain dicts).
(function () {
  "use strict";
  function render() {
    if (!window.Plotly) return;
    document.querySelectorAll(".plotly-chart").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-figure"));
      if (!source || element.getAttribute("data-rendered")) return;
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(element, figure.data, figure.layout, { displayModeBar: false, responsive: true });
      element.setAttribute("data-rendered", "true");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render);
  else render();
})();
