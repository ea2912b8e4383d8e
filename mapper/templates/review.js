/* Frontline review page: accept / edit / reject proposals, download the accepted rows as an
   events CSV. Every string from the data goes into the DOM as textContent or an attribute value
   set through the DOM API; nothing is parsed as HTML. Only http(s) URLs become links. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("rv-data").textContent);
  var ROWS = DATA.rows;
  var FIELDS = ["date", "controller", "kind", "certainty", "place", "lat", "lon", "source"];
  var state = [];
  var STORE = "frontline-review:" + DATA.key;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) {
      node.setAttribute(k, attrs[k]);
    }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) {
      node.setAttribute(k, String(attrs[k]));
    }
    return node;
  }
  function httpUrl(value) {
    if (typeof value !== "string" || /\s/.test(value)) return null;
    try {
      var u = new URL(value);
      return (u.protocol === "http:" || u.protocol === "https:") && u.host ? u.href : null;
    } catch (e) { return null; }
  }
  function str(v) { return v === null || v === undefined ? "" : String(v); }

  /* ---------------------------------------------------------------- the small map (SVG) */
  var EXT = DATA.extent, W = 200, H = 150;
  var COS = Math.cos(((EXT[1] + EXT[3]) / 2) * Math.PI / 180) || 1;
  var K = Math.min(W / ((EXT[2] - EXT[0]) * COS), H / (EXT[3] - EXT[1]));
  var X0 = (W - (EXT[2] - EXT[0]) * COS * K) / 2, Y0 = (H - (EXT[3] - EXT[1]) * K) / 2;
  function project(lat, lon) {
    return [X0 + (lon - EXT[0]) * COS * K, Y0 + (EXT[3] - lat) * K];
  }
  var OTHERS = (function () {
    var d = "";
    ROWS.forEach(function (r) {
      if (r.lat === null || r.lon === null) return;
      var p = project(r.lat, r.lon);
      d += "M" + (p[0] - 1.5).toFixed(1) + "," + p[1].toFixed(1) + "a1.5,1.5 0 1,0 3,0a1.5,1.5 0 1,0 -3,0";
    });
    return d;
  })();
  var BORDERS = (function () {
    var d = "";
    (DATA.outlines || []).forEach(function (line) {
      for (var j = 0; j + 1 < line.length; j += 2) {
        var p = project(line[j + 1], line[j]);
        d += (j ? "L" : "M") + p[0].toFixed(1) + "," + p[1].toFixed(1);
      }
    });
    return d;
  })();
  function step(span) {
    var steps = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60];
    for (var i = 0; i < steps.length; i++) if (span / steps[i] <= 4) return steps[i];
    return 90;
  }
  function drawMap(box, lat, lon) {
    box.textContent = "";
    var s = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img" });
    var st = step(Math.max(EXT[2] - EXT[0], EXT[3] - EXT[1]));
    for (var x = Math.ceil(EXT[0] / st) * st; x <= EXT[2]; x += st) {
      var a = project(EXT[1], x), b = project(EXT[3], x);
      s.appendChild(svg("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], "class": "rv-grid" }));
      var t = svg("text", { x: a[0] + 2, y: H - 3 }); t.textContent = +x.toFixed(2) + "°E";
      s.appendChild(t);
    }
    for (var y = Math.ceil(EXT[1] / st) * st; y <= EXT[3]; y += st) {
      var c = project(y, EXT[0]), d = project(y, EXT[2]);
      s.appendChild(svg("line", { x1: c[0], y1: c[1], x2: d[0], y2: d[1], "class": "rv-grid" }));
      var u = svg("text", { x: 2, y: c[1] - 2 }); u.textContent = +y.toFixed(2) + "°N";
      s.appendChild(u);
    }
    if (BORDERS) s.appendChild(svg("path", { d: BORDERS, "class": "rv-border" }));
    if (OTHERS) s.appendChild(svg("path", { d: OTHERS, "class": "rv-other" }));
    var caption;
    if (lat !== null && lon !== null && isFinite(lat) && isFinite(lon)) {
      var p = project(lat, lon);
      s.appendChild(svg("circle", { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 5, "class": "rv-here" }));
      caption = lat.toFixed(4) + ", " + lon.toFixed(4);
    } else {
      caption = "no coordinates yet";
    }
    s.setAttribute("aria-label", caption);
    box.appendChild(s);
    box.appendChild(el("p", null, caption));
  }

  /* ---------------------------------------------------------------- rows */
  function initial(r) {
    return { date: r.date, controller: r.controller, kind: r.kind, certainty: r.certainty,
             place: r.place, lat: r.lat === null ? "" : String(r.lat),
             lon: r.lon === null ? "" : String(r.lon), source: r.source };
  }
  function edited(i, f) { return str(state[i].values[f]) !== str(initial(ROWS[i])[f]); }

  function field(i, name, label, input) {
    input.setAttribute("data-field", name);
    input.value = str(state[i].values[name]);
    input.addEventListener("input", function () {
      state[i].values[name] = input.value;
      input.classList.toggle("rv-edited", edited(i, name));
      if (name === "lat" || name === "lon") {
        var v = coords(i);
        drawMap(document.querySelector("#rv-row-" + i + " .rv-map"), v ? v[0] : null, v ? v[1] : null);
      }
      save();
    });
    input.classList.toggle("rv-edited", edited(i, name));
    var wrap = el("label", null, label);
    wrap.appendChild(input);
    return wrap;
  }
  function select(options, current) {
    var s = el("select");
    var seen = false;
    options.forEach(function (o) {
      var opt = el("option", { value: o[0] }, o[1]);
      if (o[0] === current) seen = true;
      s.appendChild(opt);
    });
    if (!seen && current) s.insertBefore(el("option", { value: current }, current + " (not in factions file)"), s.firstChild);
    return s;
  }

  function coords(i) {
    var v = state[i].values;
    if (str(v.lat).trim() === "" || str(v.lon).trim() === "") return null;
    var lat = Number(v.lat), lon = Number(v.lon);
    if (!isFinite(lat) || !isFinite(lon)) return null;
    return [lat, lon];
  }

  function buildRow(i) {
    var r = ROWS[i];
    var card = el("article", { "class": "rv-row", id: "rv-row-" + i, "data-index": String(i) });
    var body = el("div", { "class": "rv-body" });
    var meta = el("div", { "class": "rv-meta" });
    meta.appendChild(el("span", null, "#" + (i + 1) + " · line " + r.line + " · "));
    var url = r.url && httpUrl(r.url);
    if (url) {
      var a = el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, r.source);
      meta.appendChild(a);
    } else {
      meta.appendChild(el("span", { "class": "rv-source" }, r.source || r.source_file));
    }
    if (r.confidence) meta.appendChild(el("span", { "class": "rv-badge" }, "confidence " + r.confidence));
    if (r.needs_place) meta.appendChild(el("span", { "class": "rv-badge rv-needs" }, "needs place"));
    body.appendChild(meta);

    var ev = el("p", { "class": "rv-evidence" });
    if (r.span) {
      ev.appendChild(document.createTextNode(r.evidence.slice(0, r.span[0])));
      ev.appendChild(el("mark", null, r.evidence.slice(r.span[0], r.span[1])));
      ev.appendChild(document.createTextNode(r.evidence.slice(r.span[1])));
    } else {
      ev.textContent = r.evidence;
    }
    body.appendChild(ev);

    var fields = el("div", { "class": "rv-fields" });
    fields.appendChild(field(i, "date", "date", el("input", { type: "text", size: "10", placeholder: "YYYY-MM-DD" })));
    var fopts = DATA.factions.map(function (f) { return [f[0], f[1]]; });
    fopts.push(["contested", "contested"]);
    fields.appendChild(field(i, "controller", "controller", select(fopts, r.controller)));
    fields.appendChild(field(i, "kind", "kind", select(DATA.kinds.map(function (k) { return [k, k]; }), r.kind)));
    fields.appendChild(field(i, "certainty", "certainty", select(DATA.certainties.map(function (k) { return [k, k]; }), r.certainty)));
    var place = el("input", { type: "text", size: "18", list: "rv-sugg-" + i });
    fields.appendChild(field(i, "place", "place", place));
    var dl = el("datalist", { id: "rv-sugg-" + i });
    r.suggestions.forEach(function (s) { dl.appendChild(el("option", { value: s })); });
    fields.appendChild(dl);
    fields.appendChild(field(i, "lat", "lat", el("input", { type: "text", "class": "rv-num", inputmode: "decimal" })));
    fields.appendChild(field(i, "lon", "lon", el("input", { type: "text", "class": "rv-num", inputmode: "decimal" })));
    fields.appendChild(field(i, "source", "source", el("input", { type: "text", size: "24" })));
    body.appendChild(fields);
    if (r.suggestions.length) {
      body.appendChild(el("div", { "class": "rv-meta" }, "did you mean: " + r.suggestions.join(", ")));
    }

    var actions = el("div", { "class": "rv-actions" });
    [["accept", "Accept"], ["reject", "Reject"], ["reset", "Reset"]].forEach(function (b) {
      var btn = el("button", { type: "button", "data-action": b[0] }, b[1]);
      btn.addEventListener("click", function () { act(i, b[0]); });
      actions.appendChild(btn);
    });
    actions.appendChild(el("span", { "class": "rv-status" }));
    actions.appendChild(el("span", { "class": "rv-error", role: "alert" }));
    body.appendChild(actions);
    card.appendChild(body);
    var map = el("div", { "class": "rv-map" });
    card.appendChild(map);
    var c = coords(i);
    drawMap(map, c ? c[0] : null, c ? c[1] : null);
    return card;
  }

  /* ---------------------------------------------------------------- checks and actions */
  var DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
  function problems(i) {
    var v = state[i].values, r = ROWS[i], out = [];
    var m = DATE.exec(str(v.date).trim());
    if (!m) out.push("date: write YYYY-MM-DD, YYYY-MM or YYYY");
    else if (m[2] && (+m[2] < 1 || +m[2] > 12)) out.push("date: month must be 01-12");
    else if (m[3]) {
      var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
      if (d.getUTCDate() !== +m[3]) out.push("date: no such day");
    }
    if (!str(v.controller)) out.push("controller: choose a faction");
    var hasLat = str(v.lat).trim() !== "", hasLon = str(v.lon).trim() !== "";
    if (hasLat || hasLon) {
      var lat = Number(v.lat), lon = Number(v.lon);
      if (!hasLat || !hasLon || !isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
        out.push("lat/lon: give both in decimal degrees (lat -90..90, lon -180..180)");
      }
    }
    if (!str(v.place).trim() && !(hasLat && hasLon)) out.push("place: give a name or lat/lon");
    if (r.needs_place && !(hasLat && hasLon) && !edited(i, "place")) {
      out.push("needs place: the gazetteer did not resolve '" + r.place + "'; give lat and lon, or a name it knows" +
               (r.suggestions.length ? " (did you mean " + r.suggestions.join(", ") + "?)" : ""));
    }
    return out;
  }

  function act(i, action) {
    var s = state[i];
    if (action === "accept") {
      var p = problems(i);
      s.error = p.join("; ");
      if (!p.length) s.status = "accepted";
    } else if (action === "reject") {
      s.status = "rejected"; s.error = "";
    } else {
      state[i] = { status: "pending", values: initial(ROWS[i]), error: "" };
      var old = document.getElementById("rv-row-" + i);
      old.parentNode.replaceChild(buildRow(i), old);
    }
    paint(i);
    save();
  }

  function paint(i) {
    var card = document.getElementById("rv-row-" + i), s = state[i];
    card.setAttribute("data-status", s.status);
    card.querySelector(".rv-status").textContent = s.status;
    card.querySelector(".rv-error").textContent = s.error || "";
    var f = document.getElementById("rv-filter").value;
    card.hidden = !(f === "all" || f === s.status);
    counts();
  }

  function counts() {
    var c = { pending: 0, accepted: 0, rejected: 0 };
    state.forEach(function (s) { c[s.status] += 1; });
    document.getElementById("rv-counts").textContent = ROWS.length + " proposals: " + c.accepted +
      " accepted, " + c.rejected + " rejected, " + c.pending + " pending";
    return c;
  }

  /* ---------------------------------------------------------------- the events CSV */
  function eventRow(i) {
    var v = state[i].values, r = ROWS[i];
    var placeEdited = edited(i, "place"), coordsEdited = edited(i, "lat") || edited(i, "lon");
    var c = coords(i);
    var pid = (!placeEdited && !coordsEdited && !r.needs_place) ? r.place_id : "";
    var lat = "", lon = "";
    if (!pid && c && (coordsEdited || !placeEdited)) { lat = String(c[0]); lon = String(c[1]); }
    var note = "extracted from " + (r.source_file || DATA.file) + ": " + r.evidence;
    return { date: str(v.date).trim(), place: str(v.place).trim(), place_id: pid, lat: lat, lon: lon,
             controller: v.controller, status: "held", kind: v.kind, certainty: v.certainty,
             source: str(v.source).trim(), note: note };
  }
  function csvField(value) {
    var s = str(value);
    return /[",\r\n]|^\s|\s$/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function acceptedRows() {
    var out = [];
    state.forEach(function (s, i) { if (s.status === "accepted") out.push(eventRow(i)); });
    return out;
  }
  function csv() {
    var lines = [DATA.columns.join(",")];
    acceptedRows().forEach(function (row) {
      lines.push(DATA.columns.map(function (c) { return csvField(row[c]); }).join(","));
    });
    return lines.join("\n") + "\n";
  }
  function download() {
    if (!counts().accepted) {
      document.getElementById("rv-counts").textContent += " — accept rows before downloading";
      return;
    }
    var blob = new Blob([csv()], { type: "text/csv;charset=utf-8" });
    var a = el("a", { download: DATA.download });
    a.href = URL.createObjectURL(blob);
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  /* ---------------------------------------------------------------- keep work across reloads */
  function save() {
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function restore() {
    try {
      var saved = JSON.parse(localStorage.getItem(STORE) || "null");
      if (Array.isArray(saved) && saved.length === ROWS.length) return saved;
    } catch (e) { /* ignore a damaged store */ }
    return null;
  }

  /* ---------------------------------------------------------------- start */
  document.getElementById("rv-title").textContent = DATA.title;
  var saved = restore();
  ROWS.forEach(function (r, i) {
    var s = saved && saved[i];
    state.push(s && s.values && /^(pending|accepted|rejected)$/.test(s.status)
      ? { status: s.status, values: s.values, error: "" }
      : { status: "pending", values: initial(r), error: "" });
  });
  var main = document.getElementById("rv-rows");
  ROWS.forEach(function (r, i) { main.appendChild(buildRow(i)); });
  ROWS.forEach(function (r, i) { paint(i); });
  counts();
  document.getElementById("rv-filter").addEventListener("change", function () {
    ROWS.forEach(function (r, i) { paint(i); });
  });
  document.getElementById("rv-download").addEventListener("click", download);
  window.review = { ready: true, rows: ROWS, state: function (i) { return state[i]; },
                    accepted: acceptedRows, csv: csv, counts: counts, problems: problems };
})();
