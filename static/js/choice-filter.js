// Choices that narrow as the person types or picks a customer (the improvement plan form):
//   form[data-customer-field="#id"]   the select of the customer the form is for; a choice that carries another
//                                     customer's id in data-customer is hidden (none is hidden with no customer)
//   [data-choice-list]                a list of checkboxes ([data-choice] rows) with a filter box:
//   [data-choice-filter]              rows whose text does not contain what is typed are hidden
//   [data-choice-none]                shown when no row is left to choose from
// A ticked row always stays in sight, so nothing chosen is hidden; the server refuses another customer's choices
// whatever the page showed. Loaded as a file (no inline script, as the Content-Security-Policy requires).
(function () {
  "use strict";

  function customerOf(form) {
    var field = form.querySelector(form.getAttribute("data-customer-field"));
    return field ? field.value : "";
  }

  function othersCustomer(element, customer) {
    var own = element.getAttribute("data-customer") || "";
    return customer !== "" && own !== "" && own !== customer;
  }

  function filterList(list, customer) {
    var box = list.querySelector("[data-choice-filter]");
    var words = box ? box.value.trim().toLowerCase() : "";
    var shown = 0;
    list.querySelectorAll("[data-choice]").forEach(function (row) {
      var input = row.querySelector("input");
      var visible =
        input.checked ||
        (!othersCustomer(input, customer) && row.textContent.toLowerCase().indexOf(words) !== -1);
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    var none = list.querySelector("[data-choice-none]");
    if (none) none.hidden = shown > 0;
  }

  function filterSelects(form, customer) {
    form.querySelectorAll("select option[data-customer]").forEach(function (option) {
      option.hidden = !option.selected && othersCustomer(option, customer);
    });
  }

  function refresh(form) {
    var customer = customerOf(form);
    form.querySelectorAll("[data-choice-list]").forEach(function (list) {
      filterList(list, customer);
    });
    filterSelects(form, customer);
  }

  function init() {
    document.querySelectorAll("form[data-customer-field]").forEach(function (form) {
      refresh(form);
      form.addEventListener("input", function (event) {
        if (event.target.matches("[data-choice-filter]")) refresh(form);
      });
      form.addEventListener("change", function (event) {
        if (event.target.matches(form.getAttribute("data-customer-field"))) refresh(form);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
