{% raw %}
(function () {
  "use strict";
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-filter-sev]"));
  var search = document.getElementById("search");
  var sections = Array.prototype.slice.call(document.querySelectorAll("details.drill-findings"));

  function apply() {
    var wanted = {};
    boxes.forEach(function (b) { if (b.checked) { wanted[b.value] = true; } });
    var query = (search && search.value || "").trim().toLowerCase();
    sections.forEach(function (section) {
      var rows = section.querySelectorAll("tr.finding");
      if (!rows.length) { return; }
      var shown = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var ok = wanted[row.getAttribute("data-sev")] === true &&
          (!query || row.getAttribute("data-text").indexOf(query) !== -1);
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      var counter = section.querySelector(".shown");
      if (counter) { counter.textContent = String(shown); }
      var none = section.querySelector(".none");
      if (none) { none.hidden = shown > 0; }
      var table = section.querySelector("table.findings");
      if (table) { table.hidden = shown === 0; }
    });
  }

  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  if (search) { search.addEventListener("input", apply); }
  function setAll(open) { sections.forEach(function (s) { s.open = open; }); }
  var expand = document.getElementById("expand-all");
  var collapse = document.getElementById("collapse-all");
  if (expand) { expand.addEventListener("click", function () { setAll(true); }); }
  if (collapse) { collapse.addEventListener("click", function () { setAll(false); }); }
  // A link may preset the search: report.html#q=aws+key
  var preset = /(?:^#|&)q=([^&]*)/.exec(window.location.hash);
  if (preset && search) {
    search.value = decodeURIComponent(preset[1].replace(/\+/g, " "));
    apply();
  }
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
})();
{% endraw %}
