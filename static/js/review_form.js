// The review form's decisions: each shows the fields its kind uses (a target and its proposed objective for a
// change of target, a service for a requirement); the others are hidden, not cleared. Without script, all show.
(function () {
  "use strict";

  function update(row) {
    var kind = row.querySelector('select[name$="-kind"]');
    if (!kind) return;
    row.querySelectorAll("[data-for]").forEach(function (part) {
      part.hidden = part.getAttribute("data-for") !== kind.value;
    });
  }

  document.querySelectorAll(".decision-form").forEach(update);
  document.addEventListener("change", function (event) {
    if (event.target.name && /-kind$/.test(event.target.name)) update(event.target.closest(".decision-form"));
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-add-form]")) return;
    // formsets.js adds the new row in its own click handler, registered before this one.
    setTimeout(function () { document.querySelectorAll(".decision-form").forEach(update); }, 0);
  });
})();
