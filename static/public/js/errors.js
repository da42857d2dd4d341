// After a form comes back with errors, move focus to the list of errors, so that keyboard
// and screen reader users start from it; its links lead to each field.
const summary = document.getElementById("error-summary");
if (summary) {
  summary.focus();
}
