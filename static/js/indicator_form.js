// The indicator form shows the fields of the chosen kind: each [data-kind-section="kind kind"] is hidden unless the
// kind select ([data-indicator-kind]) names one of its kinds. Without this script every section shows.
(function () {
  "use strict";

  function update() {
    var select = document.querySelector("select[data-indicator-kind]");
    if (!select) return;
    document.querySelectorAll("[data-kind-section]").forEach(function (section) {
      var kinds = section.getAttribute("data-kind-section").split(" ");
      section.hidden = select.value !== "" && kinds.indexOf(select.value) === -1;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-indicator-kind]")) update();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", update);
  else update();
})();
