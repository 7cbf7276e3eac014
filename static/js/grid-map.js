// 一张图 (dashboards/map.html): the base (an intranet XYZ tile service, the deployment's PMTiles file drawn
// by protomaps-leaflet, or the base drawn from the grids), the grids coloured by a figure, the point layers
// (facilities by state, Party positions, open demands by urgency) clustered below grid zoom, labels that
// never overlap (street names at county zoom, community names at street zoom, 社区·网格 at grid zoom),
// a layer switcher, a legend of the classes present and a card with the object's actions on a click.
(function () {
  "use strict";
  var el = document.getElementById("grid-map");
  var cfgNode = document.getElementById("map-config");
  if (!el || !cfgNode || !window.L) { return; }
  var cfg = JSON.parse(cfgNode.textContent);
  var narrow = window.innerWidth < 576;
  var status = document.getElementById("map-status");
  var regionSel = document.getElementById("map-region");
  var metricSel = document.getElementById("map-metric");

  var map = L.map(el, {minZoom: 4, maxZoom: cfg.max_zoom, zoomSnap: 1, preferCanvas: false})
    .setView([47.0, 89.5], 10);
  window.dangjianMap = map;  // the browser tests read the zoom and the layers
  map.attributionControl.setPrefix(false);
  map.createPane("land").style.zIndex = 250;
  map.createPane("lines").style.zIndex = 450;
  map.getPane("lines").style.pointerEvents = "none";
  var labelPane = map.createPane("labels");
  labelPane.style.zIndex = 640;  // above the markers (which stay clickable through it)
  labelPane.style.pointerEvents = "none";

  // ------------------------------------------------------------------------------------ the base
  var base;
  if (cfg.base === "tiles") {
    base = L.tileLayer(cfg.tiles.url, {maxZoom: cfg.max_zoom, attribution: cfg.tiles.attribution || "",
                                       subdomains: "abc"});
  } else if (cfg.base === "pmtiles" && window.protomapsL) {
    base = protomapsL.leafletLayer({url: cfg.pmtiles, flavor: "light", lang: "zh", maxDataZoom: 15,
                                    attribution: "底图：© OpenStreetMap 贡献者"});
  } else {
    base = L.layerGroup();  // filled from /grid/map/layer/base/ (the land of each grid)
  }
  base.addTo(map);
  var outlines = L.layerGroup();   // street and community boundaries (on any base)
  var labels = null;               // the label layer (defined below)

  // --------------------------------------------------------------------------- grid colouring
  var RAMP_UP = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  var RAMP_GOOD = ["#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"];
  var gridLayer = L.geoJSON(null);
  var gridClasses = [];  // [{lo, hi, color, count, label}]
  var gridData = null;

  function fmt(v, unit) {
    var r = unit === "%" ? Math.round(v * 10) / 10 : Math.round(v);
    return String(r);
  }
  // Classes of the metric: each distinct value when there are five or fewer, else five equal ranges;
  // only the classes that hold a grid are kept (never an empty range, never "0–0").
  function classify(values, unit, good) {
    var ramp = good ? RAMP_GOOD : RAMP_UP;
    var distinct = Array.from(new Set(values.map(function (v) { return Number(fmt(v, unit)); })))
      .sort(function (a, b) { return a - b; });
    var classes = [];
    if (!distinct.length) { return classes; }
    if (distinct.length <= 5) {
      distinct.forEach(function (v, i) {
        var c = distinct.length === 1 ? (good ? 4 : 2) : Math.round(i * 4 / (distinct.length - 1));
        classes.push({lo: v, hi: v, color: ramp[c], count: 0, label: fmt(v, unit) + unit});
      });
    } else {
      var min = distinct[0], max = distinct[distinct.length - 1];
      for (var i = 0; i < 5; i++) {
        var lo = min + (max - min) * i / 5, hi = min + (max - min) * (i + 1) / 5;
        classes.push({lo: lo, hi: hi, color: ramp[i], count: 0, label: fmt(lo, unit) + "–" + fmt(hi, unit) + unit});
      }
    }
    values.forEach(function (v) {
      var k = classOf(classes, v, unit);
      if (k) { k.count += 1; }
    });
    return classes.filter(function (k) { return k.count > 0; });
  }
  function classOf(classes, v, unit) {
    if (v === null || v === undefined) { return null; }
    var r = Number(fmt(v, unit));
    for (var i = 0; i < classes.length; i++) {
      var k = classes[i];
      if (k.lo === k.hi ? r === k.lo : (r >= k.lo && (r < k.hi || i === classes.length - 1))) { return k; }
    }
    return null;
  }

  // ------------------------------------------------------------------------------- the labels
  // One candidate per street, community and grid. Each zoom shows one tier; within it candidates are
  // placed in order and a candidate whose box would overlap a placed one is hidden.
  var tiers = {commZoom: 12, gridZoom: 15};

  var LabelLayer = L.Layer.extend({
    initialize: function () { this._items = []; },
    setItems: function (items) {
      this._items.forEach(function (it) { if (it.el) { it.el.remove(); } });
      this._items = items;
      if (this._map) { this._update(); }
    },
    onAdd: function (m) {
      m.on("zoomend moveend resize", this._update, this);
      m.on("zoomstart", this._hide, this);
      this._update();
    },
    onRemove: function (m) {
      m.off("zoomend moveend resize", this._update, this);
      m.off("zoomstart", this._hide, this);
      this._items.forEach(function (it) { if (it.el) { it.el.classList.add("lb-hidden"); } });
    },
    _hide: function () { labelPane.style.visibility = "hidden"; },
    _ensure: function (it) {
      if (it.el) { return; }
      // Measured once in the page's own font, then fixed: the box placed is the box drawn.
      var d = document.createElement("div");
      d.className = "map-label lb-" + it.kind;
      d.style.visibility = "hidden";
      d.textContent = it.text;
      d.dataset.kind = it.kind;
      labelPane.appendChild(d);
      it.w = Math.ceil(d.getBoundingClientRect().width) + 2;
      it.h = Math.ceil(d.getBoundingClientRect().height);
      d.style.width = it.w + "px";
      d.classList.add("lb-hidden");
      d.style.visibility = "";
      it.el = d;
    },
    _update: function () {
      var m = this._map;
      if (!m) { return; }
      labelPane.style.visibility = "";
      var z = m.getZoom();
      var tier = z >= tiers.gridZoom ? "grid" : z >= tiers.commZoom ? "community" : "street";
      el.dataset.tier = tier;
      var size = m.getSize();
      var cell = 64, buckets = {}, shown = 0;
      function key(x, y) { return x + ":" + y; }
      function free(b) {
        for (var x = Math.floor(b[0] / cell); x <= Math.floor(b[2] / cell); x++) {
          for (var y = Math.floor(b[1] / cell); y <= Math.floor(b[3] / cell); y++) {
            var list = buckets[key(x, y)];
            if (!list) { continue; }
            for (var i = 0; i < list.length; i++) {
              var o = list[i];
              if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) { return false; }
            }
          }
        }
        return true;
      }
      function put(b) {
        for (var x = Math.floor(b[0] / cell); x <= Math.floor(b[2] / cell); x++) {
          for (var y = Math.floor(b[1] / cell); y <= Math.floor(b[3] / cell); y++) {
            (buckets[key(x, y)] = buckets[key(x, y)] || []).push(b);
          }
        }
      }
      var PAD = 3;  // pixels kept free around a label
      this._items.forEach(function (it) {
        if (it.kind !== tier) {
          if (it.el) { it.el.classList.add("lb-hidden"); }
          return;
        }
        var p = m.latLngToContainerPoint(it.latlng);
        if (p.x < -100 || p.y < -40 || p.x > size.x + 100 || p.y > size.y + 40) {
          if (it.el) { it.el.classList.add("lb-hidden"); }
          return;
        }
        this._ensure(it);
        var box = [p.x - it.w / 2 - PAD, p.y - it.h / 2 - PAD, p.x + it.w / 2 + PAD, p.y + it.h / 2 + PAD];
        if (!free(box)) {
          it.el.classList.add("lb-hidden");
          return;
        }
        put(box);
        shown += 1;
        var lp = m.latLngToLayerPoint(it.latlng);
        L.DomUtil.setPosition(it.el, L.point(Math.round(lp.x - it.w / 2), Math.round(lp.y - it.h / 2)));
        it.el.classList.remove("lb-hidden");
      }, this);
      el.dataset.labels = String(shown);
    }
  });
  labels = new LabelLayer();
  var boundaries = L.layerGroup([outlines, labels]);

  // ----------------------------------------------------------------------------- point layers
  var SEVERITY = {facilities: ["fault", "offline", "normal"], positions: ["fault", "offline", "normal"],
                  demands: ["overdue", "soon", "open"]};
  var points = {}, pointData = {};
  function clusterGroup(layer) {
    return L.markerClusterGroup({
      disableClusteringAtZoom: tiers.gridZoom, maxClusterRadius: 48, showCoverageOnHover: false,
      spiderfyOnMaxZoom: true, chunkedLoading: true,
      iconCreateFunction: function (cluster) {
        var children = cluster.getAllChildMarkers(), seen = {};
        children.forEach(function (mk) { seen[mk.options.cls] = true; });
        var worst = SEVERITY[layer].find(function (c) { return seen[c]; }) || SEVERITY[layer][2];
        var n = cluster.getChildCount();
        var d = document.createElement("div");
        d.style.borderColor = cfg.classes[layer][worst];
        d.textContent = n >= 1000 ? Math.round(n / 100) / 10 + "千" : String(n);
        var s = n < 10 ? 30 : n < 100 ? 36 : 42;
        return L.divIcon({html: d.outerHTML, className: "mk-cluster mk-cluster-" + layer + " mk-cluster-" + worst,
                          iconSize: [s, s]});
      }
    });
  }
  function markerIcon(layer, cls) {
    var size = layer === "positions" ? 18 : 14;
    var span = document.createElement("span");
    span.style.background = cfg.classes[layer][cls] || "#607d8b";
    if (layer === "positions") { span.textContent = "党"; }
    return L.divIcon({html: span.outerHTML, className: "mk mk-" + layer + " mk-c-" + cls, iconSize: [size, size]});
  }

  // -------------------------------------------------------------------------------- the card
  // Popups pan clear of the layer switcher (top right) and the legend (bottom right).
  var POPUP = {maxWidth: narrow ? 260 : 320, autoPanPaddingTopLeft: L.point(10, narrow ? 60 : 190),
               autoPanPaddingBottomRight: L.point(narrow ? 10 : 190, 10)};
  function card(title, lines, links) {
    var d = document.createElement("div");
    d.className = "map-card";
    var b = document.createElement("div");
    b.className = "fw-bold";
    b.textContent = title;
    d.appendChild(b);
    lines.forEach(function (t) {
      if (!t) { return; }
      var x = document.createElement("div");
      x.className = "card-kind";
      x.textContent = t;
      d.appendChild(x);
    });
    links.forEach(function (l, i) {
      var a = document.createElement("a");
      a.className = "btn btn-sm " + (i === 0 ? "btn-primary" : "btn-outline-primary") + (l[2] ? " " + l[2] : "");
      a.href = l[1];
      a.textContent = l[0];
      d.appendChild(a);
    });
    return d;
  }
  function pointCard(layer, p) {
    var links = [[layer === "demands" ? "查看诉求" : "查看详情", p.url, "card-open"]].concat(
      (p.actions || []).map(function (a) { return [a[0], a[1], "card-action"]; }));
    if (layer === "demands") {
      return card(p.name, ["编号 " + p.code + " · " + p.state + (p.escalated ? " · 已升级" : ""),
                           "办理时限 " + p.due], links);
    }
    return card(p.name, [p.kind + " · " + p.state], links);
  }

  // ------------------------------------------------------------------------------- the legend
  var legend = L.control({position: "bottomright"});
  var legendDiv = null;
  legend.onAdd = function () {
    legendDiv = L.DomUtil.create("div", "map-legend");
    L.DomEvent.disableClickPropagation(legendDiv);
    L.DomEvent.disableScrollPropagation(legendDiv);
    drawLegend();
    return legendDiv;
  };
  function legendRow(color, text, count, shape) {
    var row = document.createElement("div");
    row.className = "lg-row";
    var i = document.createElement("i");
    i.style.background = color;
    if (shape) { i.className = shape; }
    row.appendChild(i);
    row.appendChild(document.createTextNode(text));
    if (count !== undefined) {
      var c = document.createElement("span");
      c.className = "lg-count";
      c.textContent = "（" + count + "）";
      row.appendChild(c);
    }
    return row;
  }
  function legendTitle(text) {
    var t = document.createElement("div");
    t.className = "lg-title";
    t.textContent = text;
    return t;
  }
  function drawLegend() {
    if (!legendDiv) { return; }
    legendDiv.textContent = "";
    if (map.hasLayer(gridLayer) && gridData) {
      legendDiv.appendChild(legendTitle(gridData.metric_label));
      gridClasses.forEach(function (k) { legendDiv.appendChild(legendRow(k.color, k.label, k.count + "格", "sq")); });
      var none = gridData.features.filter(function (f) {
        return f.properties.layer === "grid" && (f.properties.value === null || f.properties.value === undefined);
      }).length;
      if (none) { legendDiv.appendChild(legendRow("#ddd", "无数据", none + "格", "sq")); }
    }
    ["facilities", "positions", "demands"].forEach(function (layer) {
      var data = pointData[layer];
      if (!data || !map.hasLayer(points[layer]) || !data.legend.length) { return; }
      legendDiv.appendChild(legendTitle(data.label + (data.truncated ? "（仅显示前十万个）" : "")));
      data.legend.forEach(function (c) {
        legendDiv.appendChild(legendRow(c.color, c.label, c.count, layer === "demands" ? "dm" : ""));
      });
    });
    legendDiv.style.display = legendDiv.childNodes.length ? "" : "none";
  }
  legend.addTo(map);

  // ------------------------------------------------------------------------- layer switcher
  var overlays = {"网格着色": gridLayer, "边界与名称": boundaries};
  Object.keys(cfg.layers).forEach(function (k) {
    points[k] = clusterGroup(k);
    overlays[cfg.layers[k]] = points[k];
  });
  var baseName = cfg.base === "tiles" ? "底图" : cfg.base === "pmtiles" ? "离线底图" : "网格底图";
  var bases = {};
  bases[baseName] = base;
  bases["无底图"] = L.layerGroup();
  L.control.layers(bases, overlays, {collapsed: narrow, position: "topright"}).addTo(map);
  gridLayer.addTo(map);
  boundaries.addTo(map);
  Object.keys(points).forEach(function (k) { points[k].addTo(map); });
  map.on("overlayadd overlayremove", drawLegend);

  // ------------------------------------------------------------------------------ loading
  function url(path, params) {
    var q = Object.keys(params).filter(function (k) { return params[k] !== ""; })
      .map(function (k) { return k + "=" + encodeURIComponent(params[k]); }).join("&");
    return path + (q ? "?" + q : "");
  }
  function getJSON(u) {
    return fetch(u, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    });
  }
  function median(xs) {
    if (!xs.length) { return 0; }
    xs = xs.slice().sort(function (a, b) { return a - b; });
    return xs[Math.floor(xs.length / 2)];
  }
  // The zoom at which a thing `deg` degrees wide is `px` pixels wide (Web Mercator x).
  function zoomFor(deg, px) {
    if (!(deg > 0)) { return null; }
    return Math.ceil(Math.log(px * 360 / (256 * deg)) / Math.LN2);
  }
  function setTiers(grids) {
    var gw = [], comm = {};
    grids.forEach(function (f) {
      var b = L.geoJSON(f).getBounds();
      gw.push(b.getEast() - b.getWest());
      var c = f.properties.community_id;
      comm[c] = comm[c] ? comm[c].extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
    });
    var cw = Object.keys(comm).map(function (k) { return comm[k].getEast() - comm[k].getWest(); });
    var g = zoomFor(median(gw), 110), c = zoomFor(median(cw), 90);
    if (g === null) { return; }
    g = Math.min(Math.max(g, 5), cfg.max_zoom);
    c = c === null ? g - 2 : Math.min(Math.max(c, 4), g - 1);
    tiers.gridZoom = g;
    tiers.commZoom = c;
    el.dataset.zooms = c + "," + g;
    // Clusters up to grid zoom; the groups read the option when they are added to the map.
    Object.keys(points).forEach(function (k) {
      var grp = points[k];
      if (grp.options.disableClusteringAtZoom === g) { return; }
      grp.options.disableClusteringAtZoom = g;
      if (map.hasLayer(grp)) { map.removeLayer(grp); map.addLayer(grp); }
    });
  }

  function drawGrids(data) {
    gridData = data;
    var grids = data.features.filter(function (f) { return f.properties.layer === "grid"; });
    var values = grids.map(function (f) { return f.properties.value; })
      .filter(function (v) { return v !== null && v !== undefined; });
    gridClasses = classify(values, data.unit || "", data.higher_is_better);
    gridLayer.clearLayers();
    gridLayer.options.style = function (f) {
      var k = classOf(gridClasses, f.properties.value, data.unit || "");
      return {color: "#546e7a", weight: 1, opacity: .8, fillOpacity: .5, fillColor: k ? k.color : "#ddd",
              className: "grid-poly grid-poly-" + f.properties.id};
    };
    gridLayer.options.onEachFeature = function (f, l) {
      var p = f.properties;
      var v = (p.value === null || p.value === undefined) ? "—" : fmt(p.value, data.unit || "") + (data.unit || "");
      var c = card(p.community + "·" + p.name, ["网格编码 " + p.code, data.metric_label + "：" + v],
                   [["查看一格一档", p.url, "profile-link"]]);
      l.bindPopup(c, POPUP);
    };
    gridLayer.addData(grids);
    drawLegend();
    return grids;
  }
  function gridLabelItems(grids) {
    return grids.map(function (f) {
      var p = f.properties;
      var c = p.center ? L.latLng(p.center[1], p.center[0]) : L.geoJSON(f).getBounds().getCenter();
      return {kind: "grid", text: p.community + "·" + p.name, latlng: c};
    });
  }
  function drawBase(data) {
    outlines.clearLayers();
    if (cfg.base === "drawn") { base.clearLayers(); }
    var items = [];
    data.features.forEach(function (f) {
      var p = f.properties;
      if (p.role === "land") {
        if (cfg.base === "drawn") {
          base.addLayer(L.geoJSON(f, {pane: "land", interactive: false,
            style: {stroke: false, fillColor: p.fill, fillOpacity: 1}}));
        }
      } else if (p.role === "street-line" || p.role === "community-line") {
        var street = p.role === "street-line";
        outlines.addLayer(L.geoJSON(f, {pane: "lines", interactive: false, style: {
          color: street ? "#5d4037" : "#8d6e63", weight: street ? 3 : 1.5, opacity: .9,
          dashArray: street ? "8 4" : null}}));
      } else if (p.role === "label") {
        var c = f.geometry.coordinates;
        items.push({kind: p.kind, text: p.name, latlng: L.latLng(c[1], c[0]), rank: p.rank});
      }
    });
    return items;
  }
  function drawPoints(layer, data) {
    pointData[layer] = data;
    var group = points[layer];
    group.clearLayers();
    var markers = data.features.map(function (f) {
      var c = f.geometry.coordinates, p = f.properties;
      var mk = L.marker([c[1], c[0]], {icon: markerIcon(layer, p.c), cls: p.c, title: p.name,
                                        keyboard: true});
      mk.bindPopup(function () { return pointCard(layer, p); }, POPUP);
      return mk;
    });
    group.addLayers(markers);
  }

  var seq = 0;
  function loadGrids(fit) {
    var region = regionSel.value, metric = metricSel.value, mine = ++seq;
    history.replaceState(null, "", "?region=" + region + "&metric=" + metric);
    status.textContent = "加载中…";
    var params = {region: region, crs: cfg.crs};
    var jobs = [getJSON(url(cfg.geojson, {region: region, metric: metric, crs: cfg.crs, points: "0"}))];
    if (fit) {
      jobs.push(getJSON(url(cfg.layer_url.replace("__layer__", "base"), params)));
      Object.keys(points).forEach(function (k) {
        jobs.push(getJSON(url(cfg.layer_url.replace("__layer__", k), params)));
      });
    }
    return Promise.all(jobs).then(function (res) {
      if (mine !== seq) { return; }  // a newer request superseded this one
      var grids = drawGrids(res[0]);
      if (fit) {
        setTiers(grids);
        var items = drawBase(res[1]).concat(gridLabelItems(grids));
        Object.keys(points).forEach(function (k, i) { drawPoints(k, res[2 + i]); });
        if (gridLayer.getLayers().length) {
          map.fitBounds(gridLayer.getBounds(), {animate: false, padding: [12, 12], maxZoom: Math.min(cfg.max_zoom, tiers.gridZoom + 1)});
        }
        labels.setItems(items);
        drawLegend();
      }
      var counts = ["网格 " + grids.length + " 个"];
      Object.keys(points).forEach(function (k) {
        if (pointData[k]) { counts.push(cfg.layers[k] + " " + pointData[k].count + " 个"); }
      });
      status.textContent = counts.join(" · ");
      el.dataset.loaded = res[0].metric;
    }).catch(function () {
      if (mine === seq) { status.textContent = "地图数据加载失败，请稍后重试"; }
    });
  }
  regionSel.addEventListener("change", function () { loadGrids(true); });
  metricSel.addEventListener("change", function () { loadGrids(false); });
  loadGrids(true);
})();
