// Staff pages: the live preview of edited weekly hours, the print button, and the focus on
// a notice shown next to what was just changed.
(function () {
  "use strict";

  function livePreview() {
    var form = document.getElementById("rules-form");
    var target = document.getElementById("preview");
    if (!form || !target || !window.fetch) return;
    var url = form.getAttribute("data-preview-url");
    var timer = null;
    var running = null;

    function refresh() {
      if (running) running.abort();
      running = new AbortController();
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
        signal: running.signal,
      })
        .then(function (response) {
          if (!response.ok) throw new Error("preview " + response.status);
          return response.text();
        })
        .then(function (html) {
          target.innerHTML = html;
        })
        .catch(function () {
          /* The preview button still works without the live preview. */
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }

  function printButtons() {
    var buttons = document.querySelectorAll(".print-button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () {
        window.print();
      });
    }
  }

  // The page scrolled to the notice by its anchor already; the focus follows, so that
  // keyboard and screen reader users continue from there.
  function focusNotice() {
    var notice = document.querySelector(".part-notices");
    if (notice) notice.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusNotice();
    livePreview();
    printButtons();
  });
})();
