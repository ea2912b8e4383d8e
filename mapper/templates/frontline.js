/* Frontline map: the state on the slider's date, computed here from each place's intervals.
   Every user string reaches the page through textContent or an attribute set by the DOM API:
   nothing from the data is ever parsed as HTML. */
function frontlineApp(map, D, UI) {
  "use strict";
  var DAY_MS = 86400000;
  var nP = D.P.id.length;

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
  /* one character per small code (see mapper/payload.py), "." = -1 */
  var ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  var CODE = {".": -1};
  for (var ca = 0; ca < ALPHABET.length; ca++) CODE[ALPHABET[ca]] = ca;
  function codes(x) {
    if (typeof x !== "string") return x;
    var out = new Array(x.length);
    for (var k = 0; k < x.length; k++) out[k] = CODE[x[k]];
    return out;
  }
  ["p", "c", "s", "q", "k"].forEach(function (key) { D.O[key] = codes(D.O[key]); });
  ["c", "s", "q"].forEach(function (key) { D.I[key] = codes(D.I[key]); });
  if (D.I.g !== undefined) {  /* reconciliation: [confidence %, summary] per interval */
    var gpair = codes(D.I.g);
    D.I.w = gpair.map(function (v) { return D.I.gv[v][0]; });
    D.I.r = gpair.map(function (v) { return D.I.gv[v][1]; });
  }
  D.O.u = D.O.u.map(function (v) { return v - 1; });
  D.O.m = D.O.m.map(function (v) { return v - 1; });
  if (D.E) {
    for (var le = 1; le < D.E.l.length; le++) D.E.l[le] += D.E.l[le - 1];
    if (!D.E.i) D.E.i = D.E.l.map(function (_, idx) { return idx; });
  }
  var oOff = offsets(D.O.n), oDay = undelta(D.O.d, oOff);
  var iOff = offsets(D.I.n), iDay = undelta(D.I.d, iOff);
  var lat = D.P.y.map(function (v) { return v / 1e5; });
  var lon = D.P.x.map(function (v) { return v / 1e5; });
  /* localities (D.L, see mapper/payload.py): unreported gazetteer places drawn hollow in the
     state of the cell they lie in; the state is the cell place's, so no per-date data */
  var LOC = D.L || null, nL = LOC ? LOC.n.length : 0;
  var lLat = new Float64Array(nL), lLon = new Float64Array(nL), lCell = new Int32Array(nL);
  var lSrc = LOC ? codes(LOC.s) : [];
  for (var l0 = 0; l0 < nL; l0++) { lLat[l0] = LOC.y[l0] / 1e5; lLon[l0] = LOC.x[l0] / 1e5; lCell[l0] = LOC.c[l0]; }

  /* ---------- small helpers ---------- */
  /* Canvas resolution: the screen's, capped at 2 (per-date work is per pixel). */
  function pixelRatio() { return Math.min(window.devicePixelRatio || 1, 2); }
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

  /* ---------- drawing: one canvas per layer, each layer drawn in a few batched paths ----------
     Places, cells and edges are projected once per zoom (Web Mercator, as the map) and a date
     change repaints whole layers with one path per faction: constant cost per date, whatever
     changed, and no per-feature Leaflet objects. */
  var MAXLAT = 85.0511287798, R2D = Math.PI / 180;
  function unitX(lonv) { return (lonv + 180) / 360; }
  function unitY(latv) {
    var s = Math.sin(Math.max(Math.min(latv, MAXLAT), -MAXLAT) * R2D);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }
  function unitLines(list) {  /* delta-encoded int lines -> flat unit coords + offsets */
    var total = 0, k;
    for (k = 0; k < list.length; k++) total += list[k].length / 2;
    var xy = new Float64Array(total * 2), off = new Int32Array(list.length + 1), n = 0;
    for (k = 0; k < list.length; k++) {
      var g = list[k], x = 0, y = 0;
      for (var j = 0; j < g.length; j += 2) {
        x += g[j]; y += g[j + 1];
        xy[2 * n] = unitX(x / 1e4); xy[2 * n + 1] = unitY(y / 1e4); n++;
      }
      off[k + 1] = n;
    }
    return {xy: xy, off: off};
  }
  var pX = new Float64Array(nP), pY = new Float64Array(nP);
  for (var q0 = 0; q0 < nP; q0++) { pX[q0] = unitX(lon[q0]); pY[q0] = unitY(lat[q0]); }
  var lX = new Float64Array(nL), lY = new Float64Array(nL);
  for (var l1 = 0; l1 < nL; l1++) { lX[l1] = unitX(lLon[l1]); lY[l1] = unitY(lLat[l1]); }
  var cellGeo = D.C ? unitLines(D.C.g) : null;
  var cellRingOff = new Int32Array(nP + 1);  /* rings of place p: cellRingOff[p]..[p+1] */
  if (D.C) {
    for (var r0 = 0; r0 < D.C.p.length; r0++) cellRingOff[D.C.p[r0] + 1]++;
    for (var p0 = 0; p0 < nP; p0++) cellRingOff[p0 + 1] += cellRingOff[p0];
  }
  var edgeGeo = D.E ? unitLines(D.E.g) : null;
  var frontOn = new Uint8Array(D.E ? D.E.i.length : 0), frontCount = 0;

  var CanvasLayer = L.Layer.extend({
    initialize: function (draw) { this._draw = draw; },
    onAdd: function () {
      this._canvas = L.DomUtil.create("canvas", "fl-canvas leaflet-zoom-hide");
      this.getPane().appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", this._reset, this);
      this._reset();
    },
    onRemove: function () {
      L.DomUtil.remove(this._canvas);
      map.off("moveend zoomend resize viewreset", this._reset, this);
    },
    _reset: function () {
      var size = map.getSize(), pad = 0.05;
      var topLeft = map.containerPointToLayerPoint(size.multiplyBy(-pad)).round();
      var w = Math.round(size.x * (1 + 2 * pad)), h = Math.round(size.y * (1 + 2 * pad));
      var dpr = pixelRatio();
      this._canvas.width = Math.round(w * dpr); this._canvas.height = Math.round(h * dpr);
      this._canvas.style.width = w + "px"; this._canvas.style.height = h + "px";
      L.DomUtil.setPosition(this._canvas, topLeft);
      this._topLeft = topLeft; this._w = w; this._h = h; this._dpr = dpr;
      this.redraw();
    },
    redraw: function () {
      if (!this._map) return;
      var ctx = this._canvas.getContext("2d"), origin = map.getPixelOrigin();
      ctx.setTransform(this._dpr, 0, 0, this._dpr, 0, 0);
      ctx.clearRect(0, 0, this._w, this._h);
      /* canvas pixel of a unit coordinate u: u * scale - (pixel origin + canvas top-left) */
      this._draw(ctx, 256 * Math.pow(2, map.getZoom()), origin.x + this._topLeft.x,
                 origin.y + this._topLeft.y, this._w, this._h);
    }
  });

  function codeOf(i) { return ctrlOf(cur[i]); }
  function statusOf(i) { return cur[i] >= 0 ? D.I.s[cur[i]] : -1; }
  function isContested(i) { var s = statusOf(i); return s >= 0 && s !== HELD; }
  function isClaimed(i) { return cur[i] >= 0 && D.I.q[cur[i]] === CLAIMED; }
  function ringPath(ctx, geo, r, s, ox, oy) {
    var a = geo.off[r], b = geo.off[r + 1], xy = geo.xy;
    ctx.moveTo(xy[2 * a] * s - ox, xy[2 * a + 1] * s - oy);
    for (var v = a + 1; v < b; v++) ctx.lineTo(xy[2 * v] * s - ox, xy[2 * v + 1] * s - oy);
    ctx.closePath();
  }
  /* Canvas paths with thousands of sub-paths are very slow to build (measured: ~1 s for 6,000
     cells in one path), so every layer is painted in batches of BATCH sub-paths (~7 ms). */
  var BATCH = 64;
  function batched(ctx, want, add, paint) {
    var inPath = 0;
    ctx.beginPath();
    for (var i = 0; i < nP; i++) {
      if (!want(i)) continue;
      add(i);
      if (++inPath === BATCH) { paint(); ctx.beginPath(); inPath = 0; }
    }
    if (inPath) paint();
  }
  function cellsPaint(ctx, s, ox, oy, want, paint) {
    batched(ctx, want, function (i) {
      for (var r = cellRingOff[i]; r < cellRingOff[i + 1]; r++) ringPath(ctx, cellGeo, r, s, ox, oy);
    }, paint);
  }
  /* Territory through an id buffer: once per view (pan/zoom), every cell is scan-converted
     into a buffer of place ids, one per device pixel; a date change then only maps ids to
     translucent colours in one pass over the pixels. The cost per date is constant, whatever
     the number of places or how many changed. */
  var idView = null, ids = null;
  function rgba(hex, alpha) {
    var m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(hex || "")), v = m ? m[1] : "999999";
    if (v.length === 3) v = v[0] + v[0] + v[1] + v[1] + v[2] + v[2];
    var n = parseInt(v, 16);
    /* ImageData is RGBA in memory; a little-endian Uint32 view reads it as ABGR */
    return ((alpha << 24) | ((n & 0xff) << 16) | (n & 0xff00) | ((n >> 16) & 0xff)) >>> 0;
  }
  function buildIds(s, ox, oy, sw, sh, k) {
    ids = new Int32Array(sw * sh);
    var xs = [], crossings = [];
    for (var i = 0; i < nP; i++) {
      var r0 = cellRingOff[i], r1 = cellRingOff[i + 1];
      if (r0 === r1) continue;
      var a = cellGeo.off[r0], b = cellGeo.off[r1], ymin = Infinity, ymax = -Infinity;
      xs.length = 0;
      for (var v = a; v < b; v++) {
        var x = (cellGeo.xy[2 * v] * s - ox) * k, y = (cellGeo.xy[2 * v + 1] * s - oy) * k;
        xs.push(x, y);
        if (y < ymin) ymin = y;
        if (y > ymax) ymax = y;
      }
      var row0 = Math.max(0, Math.ceil(ymin - 0.5)), row1 = Math.min(sh - 1, Math.floor(ymax - 0.5));
      for (var row = row0; row <= row1; row++) {
        var yc = row + 0.5;
        crossings.length = 0;
        for (var r = r0; r < r1; r++) {
          var ra = cellGeo.off[r] - a, rb = cellGeo.off[r + 1] - a;
          for (var p = ra, q = rb - 1; p < rb; q = p++) {
            var y1 = xs[2 * p + 1], y2 = xs[2 * q + 1];
            if ((y1 > yc) !== (y2 > yc)) crossings.push(xs[2 * p] + (yc - y1) * (xs[2 * q] - xs[2 * p]) / (y2 - y1));
          }
        }
        crossings.sort(function (m1, m2) { return m1 - m2; });
        var base = row * sw;
        for (var c = 0; c + 1 < crossings.length; c += 2) {
          var from = Math.max(0, Math.ceil(crossings[c] - 0.5)), to = Math.min(sw - 1, Math.floor(crossings[c + 1] - 0.5));
          for (var col = from; col <= to; col++) ids[base + col] = i + 1;
        }
      }
    }
  }
  /* Territory and (many) front edges into the page image ``out`` (Uint32 RGBA, sw×sh). */
  function paintTerritory(out, sw, sh) {
    var table = new Uint32Array(nP + 1);
    for (var i = 0; i < nP; i++) {
      var c = codeOf(i);
      table[i + 1] = c < 0 ? 0 : rgba(D.F[c][2], isContested(i) ? 38 : 97);
    }
    var n = ids.length;
    for (var px = 0; px < n; px++) out[px] = table[ids[px]];
    if (shown.front && frontCount > VECTOR_FRONT_MAX) {
      /* Many front edges: trace them in the id buffer (a pixel whose right or lower neighbour
         belongs to a known, different controller), constant cost instead of stroking them. */
      var code = new Int16Array(nP + 1), black = rgba(UI.front_colour, 235);
      code[0] = -1;
      for (var j = 0; j < nP; j++) code[j + 1] = codeOf(j);
      for (var row = 0; row + 1 < sh; row++) {
        for (var p = row * sw, end = p + sw - 1; p < end; p++) {
          var a = code[ids[p]];
          if (a < 0) continue;
          var right = code[ids[p + 1]], down = code[ids[p + sw]];
          if (right >= 0 && right !== a) { out[p] = black; out[p + 1] = black; }
          if (down >= 0 && down !== a) { out[p] = black; out[p + sw] = black; }
        }
      }
    }
  }
  function strokeContestedCells(ctx, s, ox, oy) {
    ctx.globalAlpha = 0.9; ctx.lineWidth = 1.5; ctx.strokeStyle = UI.contested_colour;
    ctx.setLineDash([4, 4]);
    cellsPaint(ctx, s, ox, oy, isContested, function () { ctx.stroke(); });
    ctx.setLineDash([]); ctx.globalAlpha = 1;
  }
  var VECTOR_FRONT_MAX = 3000;  /* above this many front edges the id buffer traces them */
  function drawFront(ctx, s, ox, oy) {
    if (!D.E || !frontCount || (frontCount > VECTOR_FRONT_MAX && D.C && shown.territory)) return;
    ctx.setLineDash([]);
    var xy = edgeGeo.xy, off = edgeGeo.off, inPath = 0;
    ctx.strokeStyle = UI.front_colour; ctx.lineWidth = 2.5; ctx.globalAlpha = 1;
    ctx.lineCap = "butt"; ctx.lineJoin = "bevel";
    ctx.beginPath();
    for (var e = 0; e < frontOn.length; e++) {
      if (!frontOn[e]) continue;
      ctx.moveTo(xy[2 * off[e]] * s - ox, xy[2 * off[e] + 1] * s - oy);
      for (var v = off[e] + 1; v < off[e + 1]; v++) ctx.lineTo(xy[2 * v] * s - ox, xy[2 * v + 1] * s - oy);
      if (++inPath === BATCH) { ctx.stroke(); ctx.beginPath(); inPath = 0; }
    }
    if (inPath) ctx.stroke();
    ctx.globalAlpha = 1;
  }
  /* Markers and rings are copied pixel by pixel from small pre-drawn sprites into one image
     (measured: 6,000 drawImage calls ~60 ms, this ~15 ms), then laid on the map at once. */
  var sprites = {};
  function sprite(key, radius, paint) {
    var dpr = pixelRatio(), id = key + "@" + dpr;
    if (!sprites[id]) {
      var n = Math.ceil((2 * radius + 6) * dpr), c = document.createElement("canvas");
      c.width = n; c.height = n;
      var g = c.getContext("2d");
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.beginPath(); g.arc(n / dpr / 2, n / dpr / 2, radius, 0, 2 * Math.PI);
      paint(g);
      sprites[id] = {n: n, data: new Uint32Array(g.getImageData(0, 0, n, n).data.buffer)};
    }
    return sprites[id];
  }
  function markerSprite(f, claimed) {
    return sprite("m" + f + (claimed ? "c" : ""), UI.radius, function (g) {
      g.fillStyle = colour(f); g.globalAlpha = f < 0 ? 0.9 : (claimed ? 0.55 : 0.95); g.fill();
      g.globalAlpha = 1; g.lineWidth = 1.5; g.strokeStyle = f < 0 ? "#888888" : "#222222";
      if (claimed) g.setLineDash([3, 3]);
      g.stroke();
    });
  }
  function ringSprite(radius, colourValue, width, dash) {
    return sprite("r" + radius + colourValue + width, radius, function (g) {
      g.strokeStyle = colourValue; g.lineWidth = width; g.setLineDash(dash); g.stroke();
    });
  }
  function blit(u, W, H, s, ox, oy, dpr, pick) { blitAt(u, W, H, s, ox, oy, dpr, pick, nP, pX, pY); }
  function blitAt(u, W, H, s, ox, oy, dpr, pick, count, xs, ys) {
    for (var i = 0; i < count; i++) {
      var sp = pick(i);
      if (!sp) continue;
      var n = sp.n, x0 = Math.round((xs[i] * s - ox) * dpr - n / 2), y0 = Math.round((ys[i] * s - oy) * dpr - n / 2);
      if (x0 >= W || y0 >= H || x0 + n <= 0 || y0 + n <= 0) continue;
      var c0 = Math.max(0, -x0), c1 = Math.min(n, W - x0), r0 = Math.max(0, -y0), r1 = Math.min(n, H - y0);
      for (var r = r0; r < r1; r++) {
        var src = r * n, dst = (y0 + r) * W + x0;
        for (var c = c0; c < c1; c++) { var v = sp.data[src + c]; if (v >>> 24) u[dst + c] = v; }
      }
    }
  }
  /* Locality state: its cell's, i.e. the code of the cell's place on this date; co-located
     places (D.L.g pairs) make the cell unknown when they disagree, as layers/cells.py does. */
  var siteCode = new Int16Array(nP).fill(-1);
  function updateSiteCodes() {
    if (!LOC) return;
    for (var i = 0; i < nP; i++) siteCode[i] = codeOf(i);
    for (var g = 0; g + 1 < LOC.g.length; g += 2) {
      var a = codeOf(LOC.g[g]), f = LOC.g[g + 1];
      if (a < 0) continue;
      if (siteCode[f] === -1) siteCode[f] = a; else if (siteCode[f] >= 0 && siteCode[f] !== a) siteCode[f] = -2;
    }
  }
  function localityCode(j) { return lCell[j] >= 0 ? siteCode[lCell[j]] : -1; }
  var LOCALITY_RADIUS = Math.max(2, UI.radius - 2.5);
  function localitySprite(f) {  /* hollow: a faint fill, a ring in the cell's colour */
    return sprite("l" + f, LOCALITY_RADIUS, function (g) {
      g.fillStyle = f < 0 ? "#ffffff" : colour(f); g.globalAlpha = 0.3; g.fill();
      g.globalAlpha = 0.95; g.lineWidth = 1.3; g.strokeStyle = f < 0 ? "#8a8a8a" : colour(f); g.stroke();
    });
  }
  var changeWindow = {from: -Infinity, to: -Infinity};
  function inChangeWindow(i) { var k = cur[i]; return k >= 0 && iDay[k] > changeWindow.from && iDay[k] <= changeWindow.to; }
  /* One image per frame: territory (id buffer), then markers and rings blitted on top, written
     with a single putImageData (nothing to scale or composite); contested cell outlines and a
     short front line are stroked over it. */
  var image = null;
  function paint(ctx, s, ox, oy, w, h) {
    var dpr = pixelRatio(), W = Math.round(w * dpr), H = Math.round(h * dpr);
    if (!image || image.width !== W || image.height !== H) image = ctx.createImageData(W, H);
    var u = new Uint32Array(image.data.buffer);
    if (D.C && shown.territory) {
      var view = [s, ox, oy, W, H].join(",");
      if (view !== idView) { idView = view; buildIds(s, ox, oy, W, H, dpr); }
      paintTerritory(u, W, H);
    } else u.fill(0);
    if (LOC && shown.localities) {
      var lSprites = {};
      blitAt(u, W, H, s, ox, oy, dpr, function (j) {
        var c = localityCode(j);
        return lSprites[c] || (lSprites[c] = localitySprite(c < 0 ? -1 : c));
      }, nL, lX, lY);
    }
    if (shown.contested) {
      var contestedRing = ringSprite(UI.radius + 6, UI.contested_colour, 2, [2, 3]);
      blit(u, W, H, s, ox, oy, dpr, function (i) { return isContested(i) ? contestedRing : null; });
    }
    if (shown.places) blit(u, W, H, s, ox, oy, dpr, function (i) { return markerSprite(codeOf(i), isClaimed(i)); });
    if (shown.changes) {
      var changeRing = ringSprite(UI.radius + 4, UI.change_colour, 3, []);
      blit(u, W, H, s, ox, oy, dpr, function (i) { return inChangeWindow(i) ? changeRing : null; });
    }
    ctx.putImageData(image, 0, 0);
    if (D.C && shown.territory) strokeContestedCells(ctx, s, ox, oy);
    if (shown.front) drawFront(ctx, s, ox, oy);
  }
  var shown = {territory: true, front: true, contested: true, places: true, changes: true};
  if (LOC) shown.localities = true;
  var painter = new CanvasLayer(paint);
  var Toggle = L.Layer.extend({
    initialize: function (name) { this._name = name; },
    onAdd: function () { shown[this._name] = true; painter.redraw(); },
    onRemove: function () { shown[this._name] = false; painter.redraw(); }
  });
  var layers = {outline: L.layerGroup()};
  Object.keys(shown).forEach(function (name) { layers[name] = new Toggle(name); });
  if (D.B) {
    L.polyline(D.B.g.map(latlngs), {color: "#555", weight: 1.2, opacity: 0.8, interactive: false})
      .addTo(layers.outline);
  }
  ["outline", "territory", "front", "contested", "places", "changes"].forEach(function (k) {
    layers[k].addTo(map);
  });
  if (LOC) layers.localities.addTo(map);
  painter.addTo(map);
  var overlays = {};
  overlays[UI.layer_places] = layers.places;
  if (LOC) overlays[UI.layer_localities] = layers.localities;
  if (D.C) overlays[UI.layer_territory] = layers.territory;
  if (D.E) overlays[UI.layer_front] = layers.front;
  overlays[UI.layer_changes] = layers.changes;
  overlays[UI.layer_contested] = layers.contested;
  if (D.B) overlays[UI.layer_outline] = layers.outline;
  L.control.layers(null, overlays, {collapsed: true, position: "topright"}).addTo(map);

  /* ---------- optional tiles: added only once a probe tile loads. Offline (a train, a USB stick,
     a blocked proxy) the probe fails once, silently: no tile layer, no broken images, and the
     outlines stay the base map. Later tile errors (the network drops) remove the layer. ---------- */
  var tiles = {state: UI.tiles ? "probing" : "off", layer: null};
  if (UI.tiles) {
    var probe = new Image();
    probe.onload = function () {
      tiles.state = "on";
      tiles.layer = L.tileLayer(UI.tiles.url, {attribution: UI.tiles.attribution,
        subdomains: UI.tiles.subdomains, maxZoom: UI.tiles.max_zoom, errorTileUrl: ""});
      var failures = 0;
      tiles.layer.on("tileerror", function () {
        failures += 1;
        if (failures >= 4 && tiles.layer && map.hasLayer(tiles.layer)) {
          map.removeLayer(tiles.layer); tiles.state = "failed";
        }
      });
      tiles.layer.on("tileload", function () { failures = 0; });
      tiles.layer.addTo(map);
    };
    probe.onerror = function () { tiles.state = "failed"; };
    probe.alt = "";
    probe.src = L.Util.template(UI.tiles.url, {s: UI.tiles.subdomains.charAt(0), z: 0, x: 0, y: 0, r: ""});
  }

  /* ---------- hit testing: a click or hover finds the place (marker, else its cell) ---------- */
  function toContainer() {
    var s = 256 * Math.pow(2, map.getZoom()), origin = map.getPixelOrigin();
    var off = map.layerPointToContainerPoint([0, 0]);
    return {s: s, ox: origin.x - off.x, oy: origin.y - off.y};
  }
  function nearestPlace(cp, maxPx) {
    var t = toContainer(), best = -1, bestD = maxPx * maxPx;
    for (var i = 0; i < nP; i++) {
      var dx = pX[i] * t.s - t.ox - cp.x, dy = pY[i] * t.s - t.oy - cp.y, d = dx * dx + dy * dy;
      if (d <= bestD) { bestD = d; best = i; }
    }
    return best;
  }
  function insideCell(i, cp, t) {
    var inside = false;
    for (var r = cellRingOff[i]; r < cellRingOff[i + 1]; r++) {
      var a = cellGeo.off[r], b = cellGeo.off[r + 1], xy = cellGeo.xy;
      for (var v = a, u = b - 1; v < b; u = v++) {
        var xv = xy[2 * v] * t.s - t.ox, yv = xy[2 * v + 1] * t.s - t.oy;
        var xu = xy[2 * u] * t.s - t.ox, yu = xy[2 * u + 1] * t.s - t.oy;
        if ((yv > cp.y) !== (yu > cp.y) && cp.x < (xu - xv) * (cp.y - yv) / (yu - yv) + xv) inside = !inside;
      }
    }
    return inside;
  }
  function cellAt(cp) {
    if (!D.C || !map.hasLayer(layers.territory)) return -1;
    var t = toContainer(), order = [];
    for (var i = 0; i < nP; i++) {
      var dx = pX[i] * t.s - t.ox - cp.x, dy = pY[i] * t.s - t.oy - cp.y;
      order.push([dx * dx + dy * dy, i]);
    }
    order.sort(function (a, b) { return a[0] - b[0]; });
    for (var k = 0; k < Math.min(8, order.length); k++) if (insideCell(order[k][1], cp, t)) return order[k][1];
    return -1;
  }
  function nearestLocality(cp, maxPx) {
    if (!LOC || !map.hasLayer(layers.localities)) return -1;
    var t = toContainer(), best = -1, bestD = maxPx * maxPx;
    for (var j = 0; j < nL; j++) {
      var dx = lX[j] * t.s - t.ox - cp.x, dy = lY[j] * t.s - t.oy - cp.y, d = dx * dx + dy * dy;
      if (d <= bestD) { bestD = d; best = j; }
    }
    return best;
  }
  var popup = L.popup({maxWidth: 340, minWidth: 220, autoPanPadding: [20, 60], offset: [0, -4]});
  var openPlace = -1, openLocality = -1;
  function openPopupAt(i) {
    openPlace = i; openLocality = -1;
    popup.setLatLng([lat[i], lon[i]]).setContent(popupFor(i)).openOn(map);
  }
  function openLocalityAt(j) {
    openPlace = -1; openLocality = j;
    popup.setLatLng([lLat[j], lLon[j]]).setContent(localityPopup(j)).openOn(map);
  }
  map.on("popupclose", function (ev) { if (ev.popup === popup) { openPlace = -1; openLocality = -1; } });
  map.on("click", function (ev) {
    var i = map.hasLayer(layers.places) ? nearestPlace(ev.containerPoint, UI.radius + 5) : -1;
    if (i < 0) { var j = nearestLocality(ev.containerPoint, LOCALITY_RADIUS + 3); if (j >= 0) return openLocalityAt(j); }
    if (i < 0) i = cellAt(ev.containerPoint);
    if (i >= 0) openPopupAt(i);
  });
  var hoverTip = L.tooltip({direction: "top", offset: [0, -UI.radius - 2]}), hovered = -1;
  map.on("mousemove", function (ev) {
    var i = map.hasLayer(layers.places) ? nearestPlace(ev.containerPoint, UI.radius + 3) : -1;
    var j = i < 0 ? nearestLocality(ev.containerPoint, LOCALITY_RADIUS + 2) : -1;
    var key = i >= 0 ? i : (j >= 0 ? -3 - j : -1);
    if (key === hovered) return;
    hovered = key;
    map.getContainer().style.cursor = key !== -1 ? "pointer" : "";
    if (key === -1) { map.closeTooltip(hoverTip); return; }
    if (i >= 0) hoverTip.setLatLng([lat[i], lon[i]]).setContent(ut("span", null, D.P.n[i]));
    else hoverTip.setLatLng([lLat[j], lLon[j]]).setContent(ut("span", null, LOC.n[j] + " (" + UI.inferred + ")"));
    map.openTooltip(hoverTip);
  });

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
      if (k !== cur[i]) { cur[i] = k; anyChange = true; }
    }
    if (anyChange) { updateFront(); updateSiteCodes(); }
    var windowMoved = changeWindow.from !== prevStop || changeWindow.to !== day;
    changeWindow.from = prevStop; changeWindow.to = day;
    if (anyChange || (windowMoved && shown.changes)) painter.redraw();
    if ((openPlace >= 0 || openLocality >= 0) && popup.isOpen()) popup.update();
    ui.date.textContent = iso(day);
    ui.slider.value = String(state.index);
    ui.slider.setAttribute("aria-valuetext", iso(day));
    ui.count.textContent = (state.index + 1) + " / " + T.length;
    updateLegendCounts();
    if (!opts.keepHash) writeHash();
  }
  function updateFront() {
    if (!D.E) return;
    frontCount = 0;
    for (var e = 0; e < frontOn.length; e++) {
      var edge = D.E.i[e], a = codeOf(D.E.l[edge]), b = codeOf(D.E.r[edge]);
      frontOn[e] = a >= 0 && b >= 0 && a !== b ? 1 : 0;
      frontCount += frontOn[e];
    }
  }

  /* ---------- popups: why this colour on this date ---------- */
  /* several sources for one report group (layers/reconcile.py): confidence, the summary
     ("3 sources agree" / "sources disagree: A says X, B says Y") and, when the group has more
     than one report, each report with its controller and source (links only for http(s)) */
  function reconciled(k, i, fact) {
    if (!D.I.w) return;
    if (D.I.w[k] >= 0) fact(UI.confidence, el("span", "fl-confidence", D.I.w[k] + " %"));
    if (D.I.r[k] >= 0) fact(UI.sources_summary, ut("span", "fl-sources", D.S[D.I.r[k]]));
    var first = iDay[k], last = first + (D.I.z ? D.I.z[k] : 0), members = [];
    for (var o = oOff[i]; o < oOff[i + 1]; o++) if (oDay[o] >= first && oDay[o] <= last) members.push(o);
    if (members.length < 2) return;
    var ul = el("ul", "fl-group");
    members.forEach(function (o) {
      var li = el("li");
      var sw = el("span", "fl-swatch"); sw.style.background = colour(D.O.c[o]); li.appendChild(sw);
      li.appendChild(ut("span", null, factionLabel(D.O.c[o])));
      if (D.O.q[o] >= 0) li.appendChild(el("span", "fl-muted", " (" + certaintyName(D.O.q[o]) + ") "));
      li.appendChild(sourceNode(D.O.u[o]));
      ul.appendChild(li);
    });
    fact(UI.group_reports, ul);
  }
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
        } else fact(UI.source, el("span", "fl-muted", UI.disagreement));
        reconciled(k, i, fact);
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

  /* ---------- popups of inferred localities: the observation their colour comes from ---------- */
  function localityPopup(j) {
    return function () {
      var box = el("div", "fl-popup fl-locality-popup");
      box.setAttribute("dir", UI.dir);
      box.appendChild(ut("div", "fl-popup-title", LOC.n[j]));
      var c = localityCode(j), line = el("div", "fl-state");
      var sw = el("span", "fl-swatch fl-swatch-inferred"); sw.style.borderColor = colour(c); line.appendChild(sw);
      line.appendChild(ut("strong", null, factionLabel(c)));
      line.appendChild(el("span", "fl-muted", " (" + UI.inferred + ")"));
      box.appendChild(line);
      var why = el("div", "fl-inferred-from"), p = lCell[j];
      var k = p >= 0 ? cur[p] : -1, oi = k >= 0 && D.I.o[k] >= 0 ? oOff[p] + D.I.o[k] : -1;
      if (p < 0) why.appendChild(el("span", "fl-muted", UI.locality_no_cell));
      else if (c === -2) why.appendChild(el("span", "fl-muted", UI.locality_disagree));
      else if (k < 0) why.appendChild(el("span", "fl-muted", UI.locality_nothing));
      else {
        why.appendChild(document.createTextNode(UI.inferred_from + " "));
        why.appendChild(ut("b", null, D.P.n[p]));
        if (oi >= 0) {
          var parts = [];
          if (D.O.r) parts.push(UI.line + " " + D.O.r[oi]);
          parts.push(dateText(oDay[oi], D.O.p[oi]));
          why.appendChild(document.createTextNode(" \u2014 " + parts.join(", ") + ", " + UI.source_word + " "));
          why.appendChild(sourceNode(D.O.u[oi]));
          if (D.O.m[oi] >= 0) why.appendChild(ut("div", "fl-small fl-note", D.S[D.O.m[oi]]));
        } else why.appendChild(el("span", "fl-muted", " \u2014 " + UI.disagreement));
      }
      box.appendChild(why);
      var dl = el("dl", "fl-facts");
      dl.appendChild(el("dt", null, UI.on_date)); var dd = el("dd"); dd.appendChild(el("span", null, iso(state.day))); dl.appendChild(dd);
      dl.appendChild(el("dt", null, UI.locality_source)); dd = el("dd"); dd.appendChild(ut("span", null, lSrc[j] >= 0 ? LOC.src[lSrc[j]] : "")); dl.appendChild(dd);
      box.appendChild(dl);
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
  if (window.innerWidth <= 640) {  /* phones start with the slider only; ☰ opens the rest */
    ui.panel.classList.add("fl-collapsed");
    ui.toggle.setAttribute("aria-expanded", "false");
  }
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
  if (LOC) {
    var locRow = el("div", "fl-legend-row fl-small");
    locRow.appendChild(el("span", "fl-key-locality"));
    locRow.appendChild(el("span", null, UI.locality_key + " (" + nL + ")"));
    ui.legend.appendChild(locRow);
  }
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
  /* localities are found too, after the observed places (entry nP + j) */
  for (var sl = 0; sl < nL; sl++) index.push([fold(LOC.n[sl]), nP + sl, LOC.n[sl]]);
  function entryLabel(k) { return k < nP ? D.P.n[k] : LOC.n[k - nP]; }
  function goTo(i) {
    if (i >= nP) {
      var j = i - nP;
      map.setView([lLat[j], lLon[j]], Math.max(map.getZoom(), UI.search_zoom));
      layers.localities.addTo(map);
      return openLocalityAt(j);
    }
    map.setView([lat[i], lon[i]], Math.max(map.getZoom(), UI.search_zoom));
    layers.places.addTo(map);
    openPopupAt(i);
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
      var li = el("li"), b = ut("button", "fl-result", entryLabel(h[1]));
      b.type = "button";
      if (h[2] !== entryLabel(h[1])) b.appendChild(el("span", "fl-muted", " (" + h[2] + ")"));
      if (h[1] >= nP) b.appendChild(el("span", "fl-muted", " (" + UI.inferred + ")"));
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
  /* The URL follows the slider, at most every 300 ms (browsers throttle history updates). */
  var hashTimer = null;
  function writeHash() {
    if (hashTimer === null) hashTimer = setTimeout(writeHashNow, 300);
  }
  function writeHashNow() {
    hashTimer = null;
    var c = map.getCenter();
    var h = "#date=" + iso(state.day) + "&z=" + map.getZoom() + "&ll=" + c.lat.toFixed(4) + "," + c.lng.toFixed(4);
    if (h === location.hash) return;
    lastHash = h;
    try { history.replaceState(null, "", h); } catch (e) { location.hash = h; }
  }
  function applyHash() {
    var h = readHash(), day = parseDay(h.date), view = false;
    if (h.ll && /^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/.test(h.ll)) {
      var ll = h.ll.split(",").map(Number), z = /^\d{1,2}(\.\d+)?$/.test(h.z || "") ? +h.z : map.getZoom();
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
    if (nP && bounds.isValid()) {
      /* keep the places clear of the panel: beside it on wide screens, above it on phones */
      var narrow = window.innerWidth <= 640, panel = ui.panel;
      map.fitBounds(bounds.pad(0.1), {animate: false, maxZoom: 11,
        paddingTopLeft: narrow || UI.dir === "rtl" ? [10, 10] : [panel.offsetLeft + panel.offsetWidth, 10],
        paddingBottomRight: narrow ? [10, panel.offsetHeight + 10] :
          (UI.dir === "rtl" ? [window.innerWidth - panel.offsetLeft, 10] : [10, 10])});
    }
  }
  if (!fromHash) setDay(state.day, {keepHash: true});
  else if (parseDay(readHash().date) === null) setDay(state.day, {keepHash: true});

  /* test and scripting hook */
  function findPlace(name) {
    var f = fold(name);
    for (var k = 0; k < index.length; k++) if (index[k][0] === f && index[k][1] < nP) return index[k][1];
    return -1;
  }
  window.frontline = {
    ready: true,
    map: map,
    tiles: function () { return tiles.state; },
    dates: function () { return T.map(iso); },
    date: function () { return iso(state.day); },
    setDate: function (s) { var d = parseDay(s); if (d === null) throw new Error("bad date " + s); stop(); setDay(d); return iso(d); },
    stateOf: function (name) {
      var i = findPlace(name);
      if (i < 0) return null;
      var k = cur[i], oi = k >= 0 && D.I.o[k] >= 0 ? oOff[i] + D.I.o[k] : -1;
      return {place: D.P.n[i], id: D.P.id[i], controller: k >= 0 && ctrlOf(k) >= 0 ? D.F[ctrlOf(k)][0] : null,
        status: k >= 0 ? D.ST[D.I.s[k]] || null : null, certainty: k >= 0 ? D.Q[D.I.q[k]] || null : null,
        since: k >= 0 ? iso(iDay[k]) : null, source: oi >= 0 && D.O.u[oi] >= 0 ? D.S[D.O.u[oi]] : null,
        confidence: k >= 0 && D.I.w && D.I.w[k] >= 0 ? D.I.w[k] / 100 : null,
        sources: k >= 0 && D.I.r && D.I.r[k] >= 0 ? D.S[D.I.r[k]] : null};
    },
    openPopup: function (name) { var i = findPlace(name); if (i < 0) return false; goTo(i); return true; },
    frontSegments: function () { return frontCount; },
    colourOf: function (name) { var i = findPlace(name); return i < 0 ? null : colour(codeOf(i)); },
    focus: function (name) {
      var i = findPlace(name);
      if (i < 0) return null;
      map.setView([lat[i], lon[i]], Math.max(map.getZoom(), UI.search_zoom), {animate: false});
      return map.latLngToContainerPoint([lat[i], lon[i]]);
    },
    point: function (name) { var i = findPlace(name); return i < 0 ? null : map.latLngToContainerPoint([lat[i], lon[i]]); },
    localityCount: function () { return nL; },
    localityStates: function () {  /* controller id (null: unknown) of every locality, in order */
      var out = new Array(nL);
      for (var j = 0; j < nL; j++) { var c = localityCode(j); out[j] = c >= 0 ? D.F[c][0] : null; }
      return out;
    },
    openLocalityPopup: function (j) { if (!(j >= 0 && j < nL)) return false; openLocalityAt(j); return true; },
    localityPoint: function (j) { return j >= 0 && j < nL ? map.latLngToContainerPoint([lLat[j], lLon[j]]) : null; }
  };
}
