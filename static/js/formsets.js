// Adds forms to Django formsets from <template> elements, without a framework.
// A button [data-add-form=PREFIX] clones <template data-empty-form=PREFIX>, fills the button's
// data-placeholder (default __prefix__) with the next index and bumps PREFIX-TOTAL_FORMS. Credit tiers nested
// in a target use the placeholder __tier__, so adding a target leaves its own tier template intact.
(function () {
  "use strict";

  function templateFor(prefix) {
    return document.querySelector('template[data-empty-form="' + prefix + '"]');
  }

  function addForm(prefix, placeholderText) {
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = templateFor(prefix);
    var container = document.querySelector('[data-formset="' + prefix + '"]');
    if (!total || !template || !container) return;
    var index = parseInt(total.value, 10);
    var placeholder = new RegExp(placeholderText, "g");
    // A <template> parses what it is given in any context, table rows too (a <div> would drop a bare <tr>).
    var wrapper = document.createElement("template");
    wrapper.innerHTML = template.innerHTML.replace(placeholder, String(index));
    container.appendChild(wrapper.content);
    total.value = String(index + 1);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-form]");
    if (!button) return;
    event.preventDefault();
    addForm(button.getAttribute("data-add-form"), button.getAttribute("data-placeholder") || "__prefix__");
  });

  document.addEventListener("change", function (event) {
    if (event.target.name && /-DELETE$/.test(event.target.name)) {
      var row = event.target.closest(".formset-row");
      if (row) row.classList.toggle("to-delete", event.target.checked);
    }
  });
})();
