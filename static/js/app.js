// Studio Tracker's own script. Behaviour is declared with hx-* attributes; nothing inline (CSP).
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  var target = document.getElementById("main");
  if (target && !document.getElementById("htmx-error")) {
    var note = document.createElement("article");
    note.id = "htmx-error";
    note.className = "message message-error";
    note.setAttribute("role", "alert");
    note.textContent = "That did not work (" + status + "). Nothing was changed; please try again.";
    target.prepend(note);
  }
});

// A search box inside a form looks things up as the user types (htmx); Enter must not submit
// the whole form. Without JavaScript, Enter submits and the page shows the matches instead.
document.addEventListener("keydown", function (event) {
  if (event.key === "Enter" && event.target.matches && event.target.matches("[data-search-box]")) {
    event.preventDefault();
  }
});

// "Tick all listed shots": a button that exists only when JavaScript runs.
function showCheckAllButtons(root) {
  root.querySelectorAll("[data-check-all]").forEach(function (button) {
    button.hidden = false;
  });
}
document.addEventListener("DOMContentLoaded", function () { showCheckAllButtons(document); });
document.addEventListener("htmx:afterSettle", function (event) { showCheckAllButtons(event.target); });
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-check-all]");
  if (!button) { return; }
  var scope = document.querySelector(button.getAttribute("data-check-all"));
  if (scope) {
    scope.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = true; });
  }
});

// htmx copies "style" from an element to its replacement when both have the same id. Something
// (the browser, for form fields) leaves an empty style attribute on inputs, and copying it
// is an inline style the CSP blocks. The app sets no inline styles, so nothing is lost.
if (window.htmx) {
  htmx.config.attributesToSettle = ["class", "width", "height"];
}
