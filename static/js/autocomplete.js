/* Accessible autocomplete (ARIA 1.2 combobox with a listbox popup) that progressively enhances
   a plain text input. Without JavaScript the input stays a text field and the server resolves
   what was typed with the referential search.

   Markup (the form macro turns data_autocomplete=… into data-autocomplete=…):
     <input type="text" id="commune" name="commune" data-autocomplete="communes"
            data-autocomplete-target="commune_insee">
     <input type="hidden" id="commune_insee" name="commune_insee">
     <script src="/static/js/autocomplete.js" defer></script>
   data-autocomplete: "appellations" or "communes" (the /referentiel JSON endpoints), or a URL
     answering {"results": [{"value": "...", "label": "..."}]} to ?q=…
   data-autocomplete-target (optional): id of a hidden input that receives the chosen value; it
     is emptied as soon as the text no longer is the chosen label.

   Keyboard: Down/Up move through suggestions (Alt+Down opens the list), Enter picks the active
   one, Escape closes the list (a second Escape empties the field), Tab leaves. A polite live
   region announces how many suggestions there are. */
(function () {
  "use strict";

  var MIN_CHARS = 2;
  var DELAY_MS = 200;
  var counter = 0;

  function sourceUrl(source) {
    return source.indexOf("/") === -1 ? "/referentiel/" + source : source;
  }

  function announce(region, count) {
    if (count === 0) {
      region.textContent = "Aucune suggestion.";
    } else {
      region.textContent = (count === 1 ? "1 suggestion disponible" : count + " suggestions disponibles") +
        ". Utilisez les flèches haut et bas pour parcourir, Entrée pour choisir.";
    }
  }

  function enhance(input) {
    counter += 1;
    var listId = (input.id || "autocomplete-" + counter) + "-suggestions";
    var target = input.getAttribute("data-autocomplete-target");
    var hidden = target ? document.getElementById(target) : null;
    var url = sourceUrl(input.getAttribute("data-autocomplete"));
    var results = [];
    var active = -1;
    var timer = null;
    var controller = null;
    var picked = hidden && hidden.value ? input.value : null;

    var wrapper = document.createElement("div");
    wrapper.className = "autocomplete";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "autocomplete__liste";
    list.setAttribute("role", "listbox");
    var label = input.labels && input.labels.length ?
      input.labels[0].textContent.replace(/\s*\(obligatoire\)\s*$/, "").trim() : "";
    list.setAttribute("aria-label", "Suggestions" + (label ? " : " + label : ""));
    list.hidden = true;
    wrapper.appendChild(list);

    var status = document.createElement("div");
    status.className = "visuellement-cache";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    wrapper.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    function open() {
      if (!results.length) { return; }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      setActive(-1);
    }

    function setActive(index) {
      var options = list.children;
      for (var i = 0; i < options.length; i += 1) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var result = results[index];
      if (!result) { return; }
      input.value = result.label;
      picked = result.label;
      if (hidden) { hidden.value = result.value; }
      close();
      status.textContent = result.label + " choisi.";
      input.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function render(items) {
      results = items;
      list.textContent = "";
      items.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = listId + "-" + index;
        option.className = "autocomplete__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = item.label;
        // mousedown would move the focus out of the input before the click lands.
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { choose(index); input.focus(); });
        list.appendChild(option);
      });
      active = -1;
      announce(status, items.length);
      if (items.length) { open(); } else { close(); }
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (query.length < MIN_CHARS) { results = []; list.textContent = ""; close(); return; }
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var separator = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + separator + "q=" + encodeURIComponent(query),
            {headers: {"Accept": "application/json"}, signal: controller ? controller.signal : undefined})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (data) {
          if (input.value.trim() === query) { render(data.results || []); }
        })
        .catch(function () { /* network error or aborted: the server resolves the text */ });
    }

    input.addEventListener("input", function () {
      if (hidden && input.value !== picked) { hidden.value = ""; picked = null; }
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var count = results.length;
      var expanded = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "Down") {
        if (!count) { return; }
        event.preventDefault();
        if (!expanded) { open(); if (event.altKey) { return; } }
        setActive(active + 1 >= count ? 0 : active + 1);
      } else if (event.key === "ArrowUp" || event.key === "Up") {
        if (!count) { return; }
        event.preventDefault();
        if (!expanded) { open(); }
        setActive(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (expanded && active >= 0) { event.preventDefault(); choose(active); }
      } else if (event.key === "Escape" || event.key === "Esc") {
        if (expanded) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          picked = null;
          if (hidden) { hidden.value = ""; }
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-autocomplete]");
    if (!inputs.length || !window.fetch) { return; }
    Array.prototype.forEach.call(inputs, enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
