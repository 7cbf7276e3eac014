// 数据驾驶舱: the charts of dashboards/board.html from its JSON (#board-data). A click on a bar opens
// the list or the dashboard behind it; [data-print] prints the page (print rules in app.css).
(function () {
  "use strict";
  var el = document.getElementById("board-data");
  if (!el || !window.echarts) { return; }
  var d = JSON.parse(el.textContent);
  var charts = [];
  function chart(id, option, urls) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var c = echarts.init(node, null, {renderer: "svg"});
    c.setOption(option);
    if (urls) {
      c.on("click", function (p) { var u = urls(p); if (u) { window.location.href = u; } });
    }
    charts.push(c);
  }
  var narrow = window.innerWidth < 576;
  chart("chart-trend", {
    animation: false,
    tooltip: {trigger: "axis"},
    legend: {bottom: 0, data: ["新增诉求", "上期诉求", "走访"]},
    grid: {left: 40, right: 40, top: 20, bottom: 50},
    xAxis: {type: "category", data: d.series.days, axisLabel: {hideOverlap: true}},
    yAxis: [{type: "value", name: "件", minInterval: 1}, {type: "value", name: "次", minInterval: 1}],
    series: [
      {name: "新增诉求", type: "line", data: d.series.demands, itemStyle: {color: "#c62828"}, showSymbol: false},
      {name: "上期诉求", type: "line", data: d.series.prev, lineStyle: {type: "dashed"}, itemStyle: {color: "#999"},
       showSymbol: false},
      {name: "走访", type: "bar", yAxisIndex: 1, data: d.series.visits, itemStyle: {color: "rgba(32,107,196,0.45)"}}
    ]
  });
  var kids = d.children;
  chart("chart-children", {
    animation: false,
    tooltip: {trigger: "axis"},
    legend: {bottom: 0, data: ["新增诉求", "超期未办结"]},
    grid: {left: narrow ? 80 : 110, right: 20, top: 10, bottom: 40},
    xAxis: {type: "value", minInterval: 1},
    yAxis: {type: "category", inverse: true, data: kids.map(function (k) { return k.name; }),
            axisLabel: {width: narrow ? 72 : 100, overflow: "truncate"}},
    series: [
      {name: "新增诉求", type: "bar", data: kids.map(function (k) { return k.demands; }), itemStyle: {color: "#206bc4"}},
      {name: "超期未办结", type: "bar", data: kids.map(function (k) { return k.overdue; }), itemStyle: {color: "#c62828"}}
    ]
  }, function (p) {
    var k = kids[p.dataIndex];
    return k && (p.seriesName === "超期未办结" ? k.overdue_url : k.url);
  });
  var cats = d.categories;
  chart("chart-categories", {
    animation: false,
    tooltip: {},
    grid: {left: narrow ? 80 : 110, right: 20, top: 10, bottom: 20},
    xAxis: {type: "value", minInterval: 1},
    yAxis: {type: "category", inverse: true, data: cats.map(function (c) { return c.name; }),
            axisLabel: {width: narrow ? 72 : 100, overflow: "truncate"}},
    series: [{type: "bar", data: cats.map(function (c) { return c.n; }), itemStyle: {color: "#c62828"}}]
  }, function (p) { var c = cats[p.dataIndex]; return c && c.url; });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) { window.print(); }
  });
})();
