/* Frontline map: the state on the slider's date, computed here from each place's intervals.
   Every user string reaches the page through textContent or an attribute set by the DOM API:
   nothing from the data is ever parsed as HTML. */
function frontlineApp(map, D, UI) {
  "use strict";
  var DAY_MS = 86400000;
  var nP = D.P.id.length;
  var canvas = nP > D.meta.canvas_above ? L.canvas({padding: 0.2}) : undefined;

  /* ---------- decoding ---------- */
  function offsets(counts) {
    var off = new Int32Array(counts.length + 1);
    for (var i = 0; i < counts.length; i++) off[i + 1] = off[i] + counts[i];
    return off;
  }
  function undelta(deltas, off) {
    var out = new Int32Array(deltas.length);
    for (var i = 0; i + 1 < off.length; i++) {
      var acc = 0;
      for (var k = off[i]; k < off[i + 1]; k++) { acc = (k === off[i]) ? deltas[k] : acc + deltas[k]; out[k] = acc; }
    }
    return out;
  }
  function latlngs(g) {
    var pts = new Array(g.length / 2), x = 0, y = 0;
    for (var k = 0; k < g.length; k += 2) { x += g[k]; y += g[k + 1]; pts[k / 2] = [y / 1e4, x / 1e4]; }
    return pts;
  }
  var oOff = offsets(D.O.n), oDay = undelta(D.O.d, oOff);
  var iOff = offsets(D.I.n), iDay = undelta(D.I.d, iOff);
  var lat = D.P.y.map(function (v) { return v / 1e5; });
  var lon = D.P.x.map(function (v) { return v / 1e5; });

  /* ---------- small helpers ---------- */
  function iso(day) { return new Date(day * DAY_MS).toISOString().slice(0, 10); }
  function parseDay(s) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s || "")) return null;
    var t = Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10));
    return isNaN(t) ? null : Math.floor(t / DAY_MS);
  }
  function dateText(day, precision) {
    var s = iso(day);
    return precision === 2 ? s.slice(0, 4) : precision === 1 ? s.slice(0, 7) : s;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  /* user text (names, sources, notes, labels) keeps its own direction inside RTL/LTR pages */
  function ut(tag, cls, text) { var e = el(tag, cls, text); e.setAttribute("dir", "auto"); return e; }
  function safeUrl(s) {
    if (typeof s !== "string" || /[\s\u0000-\u001f]/.test(s)) return null;
    try { var u = new URL(s); } catch (e) { return null; }
    return (u.protocol === "http:" || u.protocol === "https:") && u.host ? u.href : null;
  }
  function sourceNode(idx) {
    if (idx < 0) return el("span", "fl-muted", UI.no_source);
    var s = D.S[idx], href = safeUrl(s);
    if (!href) return ut("span", "fl-source", s);
    var a = ut("a", "fl-source", s);
    a.setAttribute("href", href);
    a.setAttribute("target", "_blank");
    a.setAttribute("rel", "noopener noreferrer");
    return a;
  }
  function faction(c) { return c >= 0 ? D.F[c] : null; }
  function factionLabel(c) { var f = faction(c); return f ? f[1] : UI.unknown; }
  function colour(c) { var f = faction(c); return f ? f[2] : UI.unknown_colour; }
  function statusName(s) { return s >= 0 ? (UI.statuses[D.ST[s]] || D.ST[s]) : ""; }
  function certaintyName(q) { return q >= 0 ? (UI.certainties[D.Q[q]] || D.Q[q]) : ""; }
  var HELD = D.ST.indexOf("held"), CLAIMED = D.Q.indexOf("claimed");

  /* ---------- state: binary search per place ---------- */
  function intervalAt(i, day) {
    var lo = iOff[i], hi = iOff[i + 1] - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (iDay[mid] <= day) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }
  var cur = new Int32Array(nP).fill(-2);
  function ctrlOf(k) { return k >= 0 ? D.I.c[k] : -1; }

  /* ---------- layers ---------- */
  var layers = {
    territory: L.layerGroup(), front: L.layerGroup(), places: L.layerGroup(),
    changes: L.layerGroup(), contested: L.layerGroup(), outline: L.layerGroup()
  };
  if (D.B) {
    L.polyline(D.B.g.map(latlngs), {color: "#555", weight: 1.2, opacity: 0.8, interactive: false,
      renderer: canvas}).addTo(layers.outline);
  }
  var cells = new Array(nP);
  if (D.C) {
    var rings = new Array(nP);
    for (var r = 0; r < D.C.p.length; r++) {
      var p = D.C.p[r];
      if (!rings[p]) rings[p] = [];
      if (D.C.e[r]) rings[p].push([]);
      rings[p][rings[p].length - 1].push(latlngs(D.C.g[r]));
    }
    for (var ci = 0; ci < nP; ci++) {
      if (!rings[ci]) continue;
      cells[ci] = L.polygon(rings[ci], {stroke: true, weight: 0.4, color: "#ffffff", opacity: 0.6,
        fillOpacity: 0, renderer: canvas, bubblingMouseEvents: false});
      cells[ci].on("click", cellClick(ci));
      cells[ci].addTo(layers.territory);
    }
  }
  var edgeLines = [];
  if (D.E) for (var e = 0; e < D.E.i.length; e++) edgeLines.push(latlngs(D.E.g[e]));
  var frontLine = L.polyline([], {color: UI.front_colour, weight: 3, opacity: 0.9, interactive: false,
    renderer: canvas}).addTo(layers.front);

  var markers = new Array(nP);
  for (var m = 0; m < nP; m++) {
    markers[m] = L.circleMarker([lat[m], lon[m]], {radius: UI.radius, weight: 1.5, color: "#222",
      fillOpacity: 0.9, fillColor: UI.unknown_colour, renderer: canvas});
    markers[m].bindPopup(popupFor(m), {maxWidth: 340, minWidth: 220, autoPanPadding: [20, 60]});
    markers[m].bindTooltip(String(D.P.n[m]), {direction: "top", offset: [0, -6]});
    markers[m].addTo(layers.places);
  }
  var openPlace = -1;
  map.on("popupopen", function (ev) { openPlace = markers.indexOf(ev.popup._source); });
  map.on("popupclose", function () { openPlace = -1; });
  function cellClick(i) { return function () { markers[i].openPopup(); }; }

  ["outline", "territory", "front", "places", "changes", "contested"].forEach(function (k) {
    layers[k].addTo(map);
  });
  var overlays = {};
  overlays[UI.layer_places] = layers.places;
  if (D.C) overlays[UI.layer_territory] = layers.territory;
  if (D.E) overlays[UI.layer_front] = layers.front;
  overlays[UI.layer_changes] = layers.changes;
  overlays[UI.layer_contested] = layers.contested;
  if (D.B) overlays[UI.layer_outline] = layers.outline;
  L.control.layers(null, overlays, {collapsed: true, position: "topright"}).addTo(map);

  /* ---------- styles ---------- */
  function markerStyle(k) {
    var c = ctrlOf(k), s = k >= 0 ? D.I.s[k] : -1, q = k >= 0 ? D.I.q[k] : -1;
    return {
      fillColor: colour(c), fillOpacity: c < 0 ? 0.25 : (q === CLAIMED ? 0.55 : 0.95),
      color: s >= 0 && s !== HELD ? UI.contested_colour : "#222",
      weight: s >= 0 && s !== HELD ? 3 : 1.5, dashArray: q === CLAIMED ? "3 3" : null
    };
  }
  function cellStyle(k) {
    var c = ctrlOf(k), s = k >= 0 ? D.I.s[k] : -1, contested = s >= 0 && s !== HELD;
    return {fillColor: colour(c), fillOpacity: c < 0 ? 0 : (contested ? 0.15 : 0.38),
      dashArray: contested ? "4 4" : null, color: contested ? UI.contested_colour : "#ffffff",
      weight: contested ? 1.5 : 0.4};
  }

  /* ---------- date ---------- */
  var T = D.T, state = {day: D.at, index: 0, playing: null};
  function stopIndex(day) {
    var lo = 0, hi = T.length - 1, found = 0;
    while (lo <= hi) { var mid = (lo + hi) >> 1; if (T[mid] <= day) { found = mid; lo = mid + 1; } else hi = mid - 1; }
    return found;
  }
  function setDay(day, opts) {
    opts = opts || {};
    state.day = day;
    state.index = stopIndex(day);
    var prevStop = state.index > 0 && T[state.index] === day ? T[state.index - 1] : (T[state.index] < day ? T[state.index] : -Infinity);
    var anyChange = false;
    for (var i = 0; i < nP; i++) {
      var k = intervalAt(i, day);
      if (k !== cur[i]) {
        cur[i] = k;
        anyChange = true;
        markers[i].setStyle(markerStyle(k));
        if (cells[i]) cells[i].setStyle(cellStyle(k));
      }
    }
    if (anyChange) { redrawFront(); redrawContested(); }
    redrawChanges(prevStop, day);
    if (openPlace >= 0 && markers[openPlace].isPopupOpen()) markers[openPlace].getPopup().update();
    ui.date.textContent = iso(day);
    ui.slider.value = String(state.index);
    ui.slider.setAttribute("aria-valuetext", iso(day));
    ui.count.textContent = (state.index + 1) + " / " + T.length;
    updateLegendCounts();
    if (!opts.keepHash) writeHash();
  }
  function redrawFront() {
    if (!D.E) return;
    var lines = [];
    for (var e = 0; e < D.E.i.length; e++) {
      var edge = D.E.i[e], a = ctrlOf(cur[D.E.l[edge]]), b = ctrlOf(cur[D.E.r[edge]]);
      if (a >= 0 && b >= 0 && a !== b) lines.push(edgeLines[e]);
    }
    frontLine.setLatLngs(lines);
  }
  function redrawContested() {
    layers.contested.clearLayers();
    for (var i = 0; i < nP; i++) {
      var k = cur[i];
      if (k >= 0 && D.I.s[k] >= 0 && D.I.s[k] !== HELD) {
        L.circleMarker([lat[i], lon[i]], {radius: UI.radius + 6, color: UI.contested_colour, weight: 2,
          dashArray: "2 3", fill: false, interactive: false, renderer: canvas}).addTo(layers.contested);
      }
    }
  }
  function redrawChanges(prevStop, day) {
    layers.changes.clearLayers();
    for (var i = 0; i < nP; i++) {
      var k = cur[i];
      if (k >= 0 && iDay[k] > prevStop && iDay[k] <= day) {
        L.circleMarker([lat[i], lon[i]], {radius: UI.radius + 4, color: UI.change_colour, weight: 3,
          fill: false, interactive: false, renderer: canvas}).addTo(layers.changes);
      }
    }
  }

  /* ---------- popups: why this colour on this date ---------- */
  function popupFor(i) {
    return function () {
      var box = el("div", "fl-popup");
      box.setAttribute("dir", UI.dir);
      box.appendChild(ut("div", "fl-popup-title", D.P.n[i]));
      if (D.P.a[i]) box.appendChild(ut("div", "fl-muted fl-aliases", D.P.a[i].split("|").slice(0, 6).join(" · ")));
      var k = cur[i] >= -1 ? cur[i] : intervalAt(i, state.day);
      var line = el("div", "fl-state");
      var sw = el("span", "fl-swatch"); sw.style.background = colour(ctrlOf(k)); line.appendChild(sw);
      line.appendChild(ut("strong", null, factionLabel(ctrlOf(k))));
      box.appendChild(line);
      var dl = el("dl", "fl-facts");
      function fact(name, node) { dl.appendChild(el("dt", null, name)); var dd = el("dd"); dd.appendChild(node); dl.appendChild(dd); }
      if (k >= 0) {
        var oi = D.I.o[k] >= 0 ? oOff[i] + D.I.o[k] : -1;
        fact(UI.on_date, el("span", null, iso(state.day)));
        var run = k;
        while (run > iOff[i] && D.I.c[run - 1] === D.I.c[k]) run--;
        fact(UI.since, el("span", null, iso(iDay[run])));
        fact(UI.observed, el("span", null, oi >= 0 ? dateText(oDay[oi], D.O.p[oi]) : iso(iDay[k])));
        fact(UI.status, el("span", null, statusName(D.I.s[k])));
        fact(UI.certainty, el("span", "fl-cert-" + (D.Q[D.I.q[k]] || "unknown"), certaintyName(D.I.q[k])));
        if (oi >= 0) {
          fact(UI.source, sourceNode(D.O.u[oi]));
          if (D.O.m[oi] >= 0) fact(UI.note, ut("span", null, D.S[D.O.m[oi]]));
          if (D.O.r[oi] >= 0) fact(UI.row, el("span", null, String(D.O.r[oi])));
        } else fact(UI.source, el("span", "fl-muted", UI.disagreement));
      } else {
        fact(UI.on_date, el("span", null, iso(state.day)));
        fact(UI.status, el("span", "fl-muted", UI.no_observation));
      }
      box.appendChild(dl);
      var n = oOff[i + 1] - oOff[i];
      var details = el("details", "fl-history");
      if (n <= 4) details.open = true;
      details.appendChild(el("summary", null, UI.history + " (" + n + ")"));
      var ol = el("ol");
      for (var o = oOff[i]; o < oOff[i + 1]; o++) {
        var li = el("li", o === oi ? "fl-current" : null);
        if (oDay[o] > state.day) li.className += " fl-future";
        var head = el("div");
        var swatch = el("span", "fl-swatch"); swatch.style.background = colour(D.O.c[o]); head.appendChild(swatch);
        head.appendChild(el("b", null, dateText(oDay[o], D.O.p[o])));
        head.appendChild(document.createTextNode(" "));
        head.appendChild(ut("span", null, factionLabel(D.O.c[o])));
        var extra = [];
        if (D.O.s[o] >= 0 && D.O.s[o] !== HELD) extra.push(statusName(D.O.s[o]));
        if (D.O.q[o] >= 0) extra.push(certaintyName(D.O.q[o]));
        if (D.O.k[o] >= 0) extra.push(UI.kinds[D.K[D.O.k[o]]] || D.K[D.O.k[o]]);
        head.appendChild(el("span", "fl-muted", " (" + extra.join(", ") + ")"));
        li.appendChild(head);
        var src = el("div", "fl-small"); src.appendChild(sourceNode(D.O.u[o])); li.appendChild(src);
        if (D.O.m[o] >= 0) li.appendChild(ut("div", "fl-small fl-note", D.S[D.O.m[o]]));
        ol.appendChild(li);
      }
      details.appendChild(ol);
      box.appendChild(details);
      return box;
    };
  }

  /* ---------- panel: title, date, slider, play, search, legend ---------- */
  var ui = {
    panel: document.getElementById("fl-panel"), date: document.getElementById("fl-date"),
    slider: document.getElementById("fl-slider"), play: document.getElementById("fl-play"),
    prev: document.getElementById("fl-prev"), next: document.getElementById("fl-next"),
    count: document.getElementById("fl-count"), search: document.getElementById("fl-search"),
    results: document.getElementById("fl-results"), legend: document.getElementById("fl-legend"),
    toggle: document.getElementById("fl-toggle")
  };
  L.DomEvent.disableClickPropagation(ui.panel);
  L.DomEvent.disableScrollPropagation(ui.panel);
  ui.slider.max = String(Math.max(0, T.length - 1));
  ui.slider.addEventListener("input", function () { stop(); setDay(T[+ui.slider.value]); });
  function step(delta) {
    var idx = T[state.index] === state.day || delta > 0 ? state.index + delta : state.index;
    idx = Math.max(0, Math.min(T.length - 1, idx));
    setDay(T[idx]);
  }
  ui.prev.addEventListener("click", function () { stop(); step(-1); });
  ui.next.addEventListener("click", function () { stop(); step(1); });
  function stop() {
    if (state.playing) { clearInterval(state.playing); state.playing = null; }
    ui.play.textContent = "\u25B6"; ui.play.setAttribute("aria-label", UI.play);
  }
  function play() {
    if (state.playing) return stop();
    if (state.index >= T.length - 1) setDay(T[0]);
    ui.play.textContent = "\u275A\u275A"; ui.play.setAttribute("aria-label", UI.pause);
    state.playing = setInterval(function () {
      if (state.index >= T.length - 1) return stop();
      step(1);
    }, UI.play_ms);
  }
  ui.play.addEventListener("click", play);
  ui.toggle.addEventListener("click", function () {
    var collapsed = ui.panel.classList.toggle("fl-collapsed");
    ui.toggle.setAttribute("aria-expanded", collapsed ? "false" : "true");
  });
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable)) return;
    var rtl = UI.dir === "rtl";
    if (ev.key === "ArrowRight" || ev.key === "PageDown") { stop(); step(rtl ? -1 : 1); }
    else if (ev.key === "ArrowLeft" || ev.key === "PageUp") { stop(); step(rtl ? 1 : -1); }
    else if (ev.key === "Home") { stop(); setDay(T[0]); }
    else if (ev.key === "End") { stop(); setDay(T[T.length - 1]); }
    else if (ev.key === " " || ev.key === "k") play();
    else return;
    ev.preventDefault();
  });

  /* legend from the factions file (those present in the data) */
  var used = new Set(D.I.c.concat(D.O.c));
  var legendCounts = {};
  D.F.forEach(function (f, idx) {
    if (!used.has(idx)) return;
    var row = el("div", "fl-legend-row");
    var sw = el("span", "fl-swatch"); sw.style.background = f[2]; row.appendChild(sw);
    row.appendChild(ut("span", null, f[1]));
    legendCounts[idx] = el("span", "fl-muted fl-legend-count", "");
    row.appendChild(legendCounts[idx]);
    ui.legend.appendChild(row);
  });
  var unknownRow = el("div", "fl-legend-row");
  var usw = el("span", "fl-swatch fl-swatch-unknown"); usw.style.background = UI.unknown_colour;
  unknownRow.appendChild(usw); unknownRow.appendChild(el("span", null, UI.unknown));
  legendCounts[-1] = el("span", "fl-muted fl-legend-count", ""); unknownRow.appendChild(legendCounts[-1]);
  ui.legend.appendChild(unknownRow);
  var keyRow = el("div", "fl-legend-row fl-small");
  keyRow.appendChild(el("span", "fl-key-claimed")); keyRow.appendChild(el("span", null, UI.claimed_key));
  keyRow.appendChild(el("span", "fl-key-contested")); keyRow.appendChild(el("span", null, UI.contested_key));
  ui.legend.appendChild(keyRow);
  function updateLegendCounts() {
    var counts = {};
    for (var i = 0; i < nP; i++) { var c = ctrlOf(cur[i]); counts[c] = (counts[c] || 0) + 1; }
    Object.keys(legendCounts).forEach(function (c) { legendCounts[c].textContent = " " + (counts[c] || 0); });
  }

  /* search over every name and alias */
  function fold(s) { return String(s).normalize("NFKD").replace(/[\u0300-\u036f\u064b-\u065f\u0670'`\u2018\u2019\u02bf\u02be-]/g, "").toLowerCase(); }
  var index = [];
  for (var s = 0; s < nP; s++) {
    index.push([fold(D.P.n[s]), s, D.P.n[s]]);
    if (D.P.a[s]) D.P.a[s].split("|").forEach(function (name) { index.push([fold(name), s, name]); });
  }
  function goTo(i) {
    map.setView([lat[i], lon[i]], Math.max(map.getZoom(), UI.search_zoom));
    layers.places.addTo(map);
    markers[i].openPopup();
  }
  ui.search.addEventListener("input", function () {
    var q = fold(ui.search.value.trim());
    ui.results.textContent = "";
    if (!q) return;
    var seen = {}, hits = [];
    for (var k = 0; k < index.length && hits.length < 12; k++) {
      if (index[k][0].indexOf(q) >= 0 && !seen[index[k][1]]) { seen[index[k][1]] = 1; hits.push(index[k]); }
    }
    if (!hits.length) { ui.results.appendChild(el("li", "fl-muted", UI.no_match)); return; }
    hits.forEach(function (h) {
      var li = el("li"), b = ut("button", "fl-result", D.P.n[h[1]]);
      b.type = "button";
      if (h[2] !== D.P.n[h[1]]) b.appendChild(el("span", "fl-muted", " (" + h[2] + ")"));
      b.addEventListener("click", function () { ui.results.textContent = ""; goTo(h[1]); });
      li.appendChild(b); ui.results.appendChild(li);
    });
  });
  ui.search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var b = ui.results.querySelector("button"); if (b) b.click(); }
    else if (ev.key === "Escape") { ui.search.value = ""; ui.results.textContent = ""; }
  });

  /* ---------- permalink: #date=YYYY-MM-DD&z=Z&ll=lat,lon ---------- */
  function readHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) out[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1));
    });
    return out;
  }
  var lastHash = null;
  function writeHash() {
    var c = map.getCenter();
    var h = "#date=" + iso(state.day) + "&z=" + map.getZoom() + "&ll=" + c.lat.toFixed(4) + "," + c.lng.toFixed(4);
    if (h === location.hash) return;
    lastHash = h;
    try { history.replaceState(null, "", h); } catch (e) { location.hash = h; }
  }
  function applyHash() {
    var h = readHash(), day = parseDay(h.date), view = false;
    if (h.ll && /^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/.test(h.ll)) {
      var ll = h.ll.split(",").map(Number), z = /^\d{1,2}$/.test(h.z || "") ? +h.z : map.getZoom();
      map.setView(ll, z, {animate: false}); view = true;
    }
    setDay(day !== null ? day : state.day, {keepHash: true});
    return view;
  }
  window.addEventListener("hashchange", function () { if (location.hash !== lastHash) applyHash(); });
  map.on("moveend", function () { writeHash(); });

  /* ---------- start ---------- */
  var bounds = L.latLngBounds(lat.map(function (y, i) { return [y, lon[i]]; }));
  var fromHash = location.hash.length > 1;
  if (!fromHash || !applyHash()) {
    if (nP && bounds.isValid()) map.fitBounds(bounds.pad(0.15), {animate: false, maxZoom: 11});
  }
  if (!fromHash) setDay(state.day, {keepHash: true});
  else if (parseDay(readHash().date) === null) setDay(state.day, {keepHash: true});

  /* test and scripting hook */
  function findPlace(name) {
    var f = fold(name);
    for (var k = 0; k < index.length; k++) if (index[k][0] === f) return index[k][1];
    return -1;
  }
  window.frontline = {
    ready: true,
    map: map,
    dates: function () { return T.map(iso); },
    date: function () { return iso(state.day); },
    setDate: function (s) { var d = parseDay(s); if (d === null) throw new Error("bad date " + s); stop(); setDay(d); return iso(d); },
    stateOf: function (name) {
      var i = findPlace(name);
      if (i < 0) return null;
      var k = cur[i], oi = k >= 0 && D.I.o[k] >= 0 ? oOff[i] + D.I.o[k] : -1;
      return {place: D.P.n[i], id: D.P.id[i], controller: k >= 0 && ctrlOf(k) >= 0 ? D.F[ctrlOf(k)][0] : null,
        status: k >= 0 ? D.ST[D.I.s[k]] || null : null, certainty: k >= 0 ? D.Q[D.I.q[k]] || null : null,
        since: k >= 0 ? iso(iDay[k]) : null, source: oi >= 0 && D.O.u[oi] >= 0 ? D.S[D.O.u[oi]] : null};
    },
    openPopup: function (name) { var i = findPlace(name); if (i < 0) return false; goTo(i); return true; },
    frontSegments: function () { return frontLine.getLatLngs().length; },
    colourOf: function (name) { var i = findPlace(name); return i < 0 ? null : markers[i].options.fillColor; },
    focus: function (name) {
      var i = findPlace(name);
      if (i < 0) return null;
      map.setView([lat[i], lon[i]], Math.max(map.getZoom(), UI.search_zoom), {animate: false});
      return map.latLngToContainerPoint([lat[i], lon[i]]);
    },
    point: function (name) { var i = findPlace(name); return i < 0 ? null : map.latLngToContainerPoint([lat[i], lon[i]]); }
  };
}
