// Page behaviour that would otherwise be inline event handlers, which the content security policy
// refuses (docs/security.md). Delegated from the document, so it also covers htmx-swapped content.
(function () {
  "use strict";
  // htmx requests carry the CSRF token that base.html puts on <body data-csrf-token>.
  document.body.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRFToken"] = document.body.dataset.csrfToken;
  });
  // <form data-confirm="..."> and <button data-confirm="...">: ask before submitting.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.matches("form[data-no-submit]")) { e.preventDefault(); return; }
    var submitter = e.submitter;
    var message = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);
  // <select data-autosubmit>: submit its form on change.
  document.addEventListener("change", function (e) {
    if (e.target.matches("select[data-autosubmit]") && e.target.form) { e.target.form.submit(); }
  });
  // Tree toggles (＋/－): expanding lets htmx load the children; collapsing empties them.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-tree-toggle]");
    if (!btn) { return; }
    if (btn.textContent.trim() === "＋") { btn.textContent = "－"; return; }
    btn.textContent = "＋";
    var children = document.getElementById(btn.dataset.treeToggle);
    if (children) { children.innerHTML = ""; }
    e.preventDefault();
    e.stopPropagation();
  }, true);
})();
