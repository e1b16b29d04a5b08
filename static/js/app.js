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
