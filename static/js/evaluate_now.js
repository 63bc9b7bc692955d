// After "Evaluate now": asks every two seconds whether the worker has written the target's evaluation, then shows
// the page again without the notice (for up to three minutes; the notice's Refresh link does the same by hand).
(function () {
  "use strict";
  var notice = document.querySelector("[data-evaluation-status-url]");
  if (!notice) return;
  var url = notice.getAttribute("data-evaluation-status-url");
  var tries = 0;
  function ask() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { done: false }; })
      .then(function (answer) {
        if (answer.done) {
          window.location.replace(window.location.pathname);
        } else if (tries < 90) {
          setTimeout(ask, 2000);
        }
      });
  }
  setTimeout(ask, 1000);
})();
