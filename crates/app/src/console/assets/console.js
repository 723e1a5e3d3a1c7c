// MadeInPK Administration: progressive enhancement only; every page works without it.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 900px)");

  // Navigation: the no-JS "Menu" link (#sidenav, opened by :target) becomes a real toggle button.
  var link = document.querySelector("a.nav-toggle");
  var nav = document.getElementById("sidenav");
  if (link && nav) {
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "nav-toggle";
    toggle.textContent = link.textContent;
    toggle.setAttribute("aria-controls", "sidenav");
    toggle.setAttribute("aria-expanded", "false");
    link.replaceWith(toggle);
    var setOpen = function (open) {
      nav.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", String(open));
    };
    toggle.addEventListener("click", function () { setOpen(!nav.classList.contains("open")); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && nav.classList.contains("open") && narrow.matches) { setOpen(false); toggle.focus(); }
    });
  }

  // Filters start folded on narrow screens so the table stays in view.
  var filters = document.querySelector("details.filter-box");
  if (filters && narrow.matches) filters.open = false;

  // Bulk actions: select-all (with shift-click ranges) and a live "n selected" count.
  var all = document.getElementById("select-all");
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[type="checkbox"][name="ids"]'));
  var count = document.querySelector("[data-selected-count]");
  if (all && boxes.length) {
    var last = null;
    var sync = function () {
      var n = boxes.filter(function (b) { return b.checked; }).length;
      all.checked = n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
      boxes.forEach(function (b) { b.closest("tr").classList.toggle("selected", b.checked); });
      if (count) count.textContent = n ? n + " of " + boxes.length + " selected" : "";
    };
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      sync();
    });
    boxes.forEach(function (box, i) {
      box.addEventListener("click", function (e) {
        if (e.shiftKey && last !== null) {
          for (var j = Math.min(i, last); j <= Math.max(i, last); j++) boxes[j].checked = box.checked;
        }
        last = i;
        sync();
      });
    });
    sync();
  }
})();
