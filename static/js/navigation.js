/* Collapses the main navigation behind a "Menu" button on small screens.
   Without JavaScript the menu simply stays open; the CSS only hides it on narrow screens. */
(function () {
  "use strict";
  function setUp() {
    var button = document.querySelector("[data-menu-bouton]");
    if (!button) { return; }
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) { return; }

    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("navigation__liste--repliee", !open);
    }

    button.hidden = false;
    setOpen(false);
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      var inside = menu.contains(document.activeElement) || document.activeElement === button;
      if (event.key === "Escape" && inside && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
