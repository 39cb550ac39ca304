// A map wider than its box scrolls sideways: show the hint under it while part of it is hidden.
(function () {
  "use strict";
  var maps = Array.prototype.slice.call(document.querySelectorAll(".diagram"));

  function update() {
    maps.forEach(function (map) {
      var hint = map.nextElementSibling;
      if (hint && hint.classList.contains("scroll-hint")) {
        var clipped = map.scrollWidth > map.clientWidth + 1;
        hint.classList.toggle("clipped", clipped);
        hint.classList.toggle("fits", !clipped);
      }
    });
  }

  window.addEventListener("resize", update);
  update();
})();

// The channel filter of the docs index: typing hides the rows that do not match every word.
// No network, no inline script (the page's CSP allows only this file), text only (no innerHTML).
(function () {
  "use strict";
  var input = document.getElementById("filter");
  var table = document.getElementById("channels");
  if (!input || !table) {
    return;
  }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-search]"));
  var count = document.getElementById("filter-count");
  var empty = document.getElementById("filter-empty");

  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search") || "";
      var match = words.every(function (word) {
        return text.indexOf(word) !== -1;
      });
      row.hidden = !match;
      if (match) {
        shown += 1;
      }
    });
    if (count) {
      count.textContent = shown + " of " + rows.length + " channels";
    }
    if (empty) {
      empty.hidden = shown !== 0;
    }
  }

  // index.html#q=opa-risk-engine opens the list filtered (the services table links so)
  function fromHash() {
    var match = /^#q=(.*)$/.exec(window.location.hash);
    if (match) {
      try {
        input.value = decodeURIComponent(match[1]);
      } catch (error) {
        input.value = match[1];
      }
    }
    apply();
  }

  document.getElementById("filter-box").hidden = false;
  input.addEventListener("input", apply);
  window.addEventListener("hashchange", function () {
    fromHash();
    table.scrollIntoView();
  });
  fromHash();
})();
