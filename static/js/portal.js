// Behaviour the templates ask for with data attributes, so that no page needs an inline on*= handler, which the
// Content-Security-Policy (script-src 'self') forbids:
//   data-print                  a button that prints the page
//   data-confirm="question"     a form that asks before it is submitted
//   data-autosubmit             a select that submits its form when it changes
//   data-copy-target="#id"      a button that copies the value (or text) of the element #id to the clipboard
// Listeners sit on the document, so elements added after load work too.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var print = event.target.closest("[data-print]");
    if (print) {
      event.preventDefault();
      window.print();
      return;
    }
    var copy = event.target.closest("[data-copy-target]");
    if (copy) {
      var source = document.querySelector(copy.getAttribute("data-copy-target"));
      if (!source) return;
      var text = "value" in source ? source.value : source.textContent;
      if (navigator.clipboard) {
        navigator.clipboard.writeText(text);
      } else if (typeof source.select === "function") {
        // Plain HTTP outside localhost has no navigator.clipboard: select the text so that Ctrl+C copies it.
        source.select();
      }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });
})();
