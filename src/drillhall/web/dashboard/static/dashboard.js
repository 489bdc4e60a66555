// drillhall dashboard: small progressive enhancements. Every page works without them.
(function () {
  "use strict";

  // Filter forms submit as soon as a choice changes (the Apply button stays for no-JS use).
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.querySelectorAll("select, input[type=checkbox]").forEach(function (input) {
      input.addEventListener("change", function () {
        var page = form.querySelector("input[name=page]");
        if (page) { page.value = "1"; }
        form.requestSubmit();
      });
    });
  });

  // Metric history: draw the JSON in #chart-data with uPlot.
  var holder = document.getElementById("chart");
  var source = document.getElementById("chart-data");
  if (holder && source && window.uPlot) {
    var data = JSON.parse(source.textContent);
    var palette = ["#3346d3", "#e0452b", "#12805c", "#f0a202", "#8a1fa6", "#3b82c4", "#9b1c31"];
    var series = [{}];
    var columns = [data.x];
    data.series.forEach(function (s, i) {
      var colour = palette[i % palette.length];
      series.push({ label: s.label, stroke: colour, width: 2, spanGaps: true,
                    points: { show: true, size: 5, fill: colour } });
      columns.push(s.values);
    });
    var width = function () { return Math.max(320, holder.clientWidth); };
    var plot = new window.uPlot({ width: width(), height: 320, series: series,
                                  scales: { x: { time: true } },
                                  axes: [{}, { size: 60 }] }, columns, holder);
    window.addEventListener("resize", function () { plot.setSize({ width: width(), height: 320 }); });
  }

  // Chaos Day board: reload the board and log every few seconds, unless someone is typing.
  var live = document.getElementById("live");
  if (live && live.dataset.src) {
    var seconds = Math.max(2, parseInt(live.dataset.refresh || "10", 10));
    window.setInterval(function () {
      var active = document.activeElement;
      if (active && live.contains(active) && active.tagName !== "BODY") { return; }
      fetch(live.dataset.src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var parsed = new DOMParser().parseFromString(html, "text/html");
          live.replaceChildren.apply(live, Array.from(parsed.body.childNodes));
          live.dataset.refreshed = String(Date.now());
        })
        .catch(function () { /* the next tick tries again */ });
    }, seconds * 1000);
  }
}());
