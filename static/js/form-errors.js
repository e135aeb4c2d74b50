/* A refused form: the error summary (macros/forms.html, errors_summary) receives the focus when
   the page loads, so that a screen reader reads it first and the keyboard starts from it; its
   links move the focus to their field (not only the scroll position). Without JavaScript the
   summary is still the first thing of the form, announced by its role="alert". */
(function () {
  "use strict";
  function setUp() {
    var summary = document.querySelector("[data-resume-erreurs]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var control = target.matches("input, select, textarea, button") ? target
        : target.querySelector("input, select, textarea, button");
      (control || target).focus();
      target.scrollIntoView({block: "center"});
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
