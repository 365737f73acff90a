/* 协商 提案统计: draw each chart from the figures in its data-chart attribute (the tables below hold the same). */
(function () {
  "use strict";
  if (!window.echarts) return;
  var palette = ["#1f5fa8", "#c2410c", "#15803d", "#7c3aed"];
  document.querySelectorAll(".chart[data-chart]").forEach(function (box) {
    var data = JSON.parse(box.getAttribute("data-chart"));
    if (!data.labels.length) { box.hidden = true; return; }
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      color: palette,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.values, stack: data.stack ? "total" : undefined };
      })
    });
    box.classList.add("drawn");
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
