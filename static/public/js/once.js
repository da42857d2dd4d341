// A form marked data-submit-once is sent once: a second click or Enter while the first
// request is on its way does nothing, so a move or a cancellation is not sent twice. The
// server is idempotent as well; this spares the family a confusing second answer. The
// buttons are not disabled (a disabled button's name and value, such as the chosen time,
// would not be sent); they say aria-disabled, and the form says it is busy.
for (const form of document.querySelectorAll("form[data-submit-once]")) {
  form.addEventListener("submit", (event) => {
    if (form.dataset.sent === "true") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "true";
    form.setAttribute("aria-busy", "true");
    for (const button of form.querySelectorAll("button")) {
      button.setAttribute("aria-disabled", "true");
    }
  });
}

// Coming back with the browser's Back button shows the page as it was left: allow again.
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-submit-once]")) {
    delete form.dataset.sent;
    form.removeAttribute("aria-busy");
    for (const button of form.querySelectorAll("button")) {
      button.removeAttribute("aria-disabled");
    }
  }
});
