// Stacked bars of ratings per level (5 → 1) for each organization or item (Apache ECharts).
(function () {
  var colours = {"5": "#1a7f37", "4": "#4caf50", "3": "#9e9d24", "2": "#ef6c00", "1": "#c62828"};
  function draw(elementId, dataId) {
    var element = document.getElementById(elementId);
    var source = document.getElementById(dataId);
    if (!element || !source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    if (!data.names.length) { element.style.display = "none"; return; }
    var series = ["5", "4", "3", "2", "1"].map(function (level) {
      return {name: data.labels[level], type: "bar", stack: "all", data: data.levels[level],
              itemStyle: {color: colours[level]}};
    });
    var chart = echarts.init(element);
    chart.setOption({
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {top: 0},
      grid: {left: 8, right: 8, bottom: 8, top: 40, containLabel: true},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", data: data.names, inverse: true},
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  draw("chart-organization", "data-organization");
  draw("chart-item", "data-item");
})();
