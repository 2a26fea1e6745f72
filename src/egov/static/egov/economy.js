// The charts of the economic data pages (/data/economy/): each element with data-echart="ID" is
// drawn by ECharts from the JSON script element ID, built by the server from the same rows as the
// table beside the chart (the table is the way to read the figures without the chart). Charts follow
// the width of their column.
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var blue = "#1d70b8";
  var charts = [];
  document.querySelectorAll("[data-echart]").forEach(function (element) {
    var data = JSON.parse(document.getElementById(element.dataset.echart).textContent);
    var chart = echarts.init(element, null, { renderer: "svg" });
    var many = data.labels.length > 5;
    chart.setOption({
      animation: false,
      color: [blue],
      textStyle: { fontFamily: "system-ui, -apple-system, 'PingFang SC', 'Noto Sans CJK SC', sans-serif" },
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: many ? 40 : 0, color: "#0b0c0c" } },
      yAxis: { type: "value", name: data.unit, nameTextStyle: { color: "#0b0c0c", align: "left" }, axisLabel: { color: "#0b0c0c" } },
      series: [{ type: data.kind, name: data.title, data: data.values.map(Number), symbolSize: 8, barMaxWidth: 40 }]
    });
    charts.push(chart);
  });
  if (typeof ResizeObserver !== "undefined") {
    var observer = new ResizeObserver(function () { charts.forEach(function (chart) { chart.resize(); }); });
    charts.forEach(function (chart) { observer.observe(chart.getDom()); });
  } else {
    window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
  }
})();
