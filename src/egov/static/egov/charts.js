// The charts of the public pages (/data/economy/, /credit/statistics/): each element with
// data-echart="ID" is drawn by ECharts from the JSON script element ID, built by the server from the
// same rows as the table beside the chart (the table is the way to read the figures without the
// chart). The JSON: {kind: "line" | "bar", title, unit, labels: [...], values: [...], horizontal:
// optional, bars across the page with their labels on the left, for long names}. Charts follow the
// width of their column; a horizontal chart grows with its number of bars.
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var blue = "#1d70b8";
  var ink = "#0b0c0c";
  var charts = [];
  document.querySelectorAll("[data-echart]").forEach(function (element) {
    var data = JSON.parse(document.getElementById(element.dataset.echart).textContent);
    var many = data.labels.length > 5;
    var category = { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: many ? 40 : 0, color: ink } };
    var value = { type: "value", name: data.unit, minInterval: data.integer ? 1 : 0,
                  nameTextStyle: { color: ink, align: "left" }, axisLabel: { color: ink } };
    if (data.horizontal) {
      element.style.height = Math.max(160, 32 * data.labels.length + 64) + "px";
      category = { type: "category", data: data.labels.slice().reverse(),
                   axisLabel: { interval: 0, color: ink, width: 180, overflow: "break" } };
      value.nameTextStyle = { color: ink, align: "right" };
    }
    var chart = echarts.init(element, null, { renderer: "svg" });
    var values = data.values.map(Number);
    chart.setOption({
      animation: false,
      color: [blue],
      textStyle: { fontFamily: "system-ui, -apple-system, 'PingFang SC', 'Noto Sans CJK SC', sans-serif" },
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: data.horizontal ? value : category,
      yAxis: data.horizontal ? category : value,
      series: [{ type: data.kind, name: data.title, data: data.horizontal ? values.reverse() : values,
                 symbolSize: 8, barMaxWidth: 40 }]
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
