/* Adds what is picked in an autocomplete to a list typed in a textarea (the directory profile's
   ROME codes and communes served). Progressive enhancement: without JavaScript the picker stays
   hidden and the textarea is typed as before; the server reads the textarea only.

   Markup (inside a container with the `hidden` attribute, shown here):
     <div class="champ" data-append-picker hidden>
       <label for="rome-picker">…</label>
       <input type="text" id="rome-picker" data-autocomplete="appellations"
              data-append-to="rome_codes" data-append-pattern="[A-N][0-9]{4}" data-append-separator=", ">
     </div>
   data-append-to: id of the textarea the picked value is added to (once).
   data-append-pattern (optional): the part of the picked label that is added (the ROME code of
     "Maçon (F1703 Maçonnerie)"); without it, the whole label.
   data-append-separator: between two values (", " or a line break "\n").
   autocomplete.js fires "change" on the picker when a suggestion is chosen. */
(function () {
  "use strict";

  function enhance(picker) {
    var input = picker.querySelector("input[data-append-to]");
    var target = input && document.getElementById(input.getAttribute("data-append-to"));
    if (!target) { return; }
    var pattern = input.getAttribute("data-append-pattern");
    var separator = (input.getAttribute("data-append-separator") || ", ").replace("\\n", "\n");
    var status = document.createElement("div");
    status.className = "visuellement-cache";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    picker.appendChild(status);
    picker.hidden = false;

    input.addEventListener("change", function (event) {
      // Only a suggestion chosen in the list (autocomplete.js's event), not text typed and left.
      if (event.isTrusted) { return; }
      var picked = input.value.trim();
      var match = pattern ? picked.match(new RegExp("\\b" + pattern + "\\b")) : null;
      var value = pattern ? (match ? match[0] : "") : picked;
      if (!value) { return; }
      var items = target.value.split(separator.trim() || separator).map(function (item) { return item.trim(); })
        .filter(function (item) { return item; });
      if (items.indexOf(value) === -1) {
        items.push(value);
        target.value = items.join(separator);
        status.textContent = value + " ajouté à « " + target.labels[0].textContent.trim() + " ».";
      } else {
        status.textContent = value + " figure déjà dans la liste.";
      }
      input.value = "";
    });
  }

  function init() {
    if (!window.fetch) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-append-picker]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
