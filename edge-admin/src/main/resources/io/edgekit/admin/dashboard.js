// The Edgekit admin dashboard: polls the admin API every second and redraws the tables. No build step,
// no library: what the admin listener serves is all it needs.
(function () {
  "use strict";
  var previous = {}; // route id -> {time, total, errors}

  function cell(row, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    row.appendChild(td);
    return td;
  }

  function get(path) {
    return fetch(path, {cache: "no-store"}).then(function (r) {
      if (!r.ok) { throw new Error(path + ": " + r.status); }
      return r.json();
    });
  }

  function drawRoutes(routes, metrics) {
    var byId = {};
    metrics.routes.forEach(function (m) { byId[m.id] = m; });
    var body = document.querySelector("#routes tbody");
    body.textContent = "";
    var now = Date.now();
    routes.forEach(function (route) {
      var m = byId[route.id] || {requests: {}, errors: 0, latencyMillis: {}};
      var total = 0;
      Object.keys(m.requests).forEach(function (k) { total += m.requests[k]; });
      var before = previous[route.id];
      var rate = "-", errorRate = "-";
      if (before && now > before.time) {
        var seconds = (now - before.time) / 1000;
        rate = ((total - before.total) / seconds).toFixed(1);
        errorRate = ((m.errors - before.errors) / seconds).toFixed(1);
      }
      previous[route.id] = {time: now, total: total, errors: m.errors};
      var row = document.createElement("tr");
      row.setAttribute("data-route", route.id);
      cell(row, route.id, "id");
      cell(row, route.path, "path");
      cell(row, String(total), "requests");
      cell(row, rate, "rate");
      cell(row, errorRate, "errors");
      ["p50", "p90", "p99"].forEach(function (p) {
        var v = m.latencyMillis[p];
        cell(row, v === undefined || v === null ? "-" : v.toFixed(1), p);
      });
      body.appendChild(row);
    });
  }

  function drawUpstreams(upstreams) {
    var body = document.querySelector("#upstreams tbody");
    body.textContent = "";
    upstreams.forEach(function (u) {
      u.endpoints.forEach(function (e) {
        var row = document.createElement("tr");
        row.setAttribute("data-endpoint", u.name + "/" + e.address);
        cell(row, u.name, "upstream");
        cell(row, e.address, "address");
        cell(row, e.status, "state " + e.status);
        cell(row, String(e.weight), "weight");
        cell(row, String(e.inFlight), "inflight");
        cell(row, e.ejectedForMillis > 0 ? (e.ejectedForMillis / 1000).toFixed(0) + " s" : "-", "ejected");
        body.appendChild(row);
      });
    });
  }

  function refresh() {
    Promise.all([get("/api/routes"), get("/api/metrics"), get("/api/upstreams")]).then(function (all) {
      drawRoutes(all[0], all[1]);
      drawUpstreams(all[2]);
      document.getElementById("inflight").textContent = String(all[1].inFlight);
      document.getElementById("status").textContent = "updated " + new Date().toLocaleTimeString();
    }).catch(function (e) {
      document.getElementById("status").textContent = "cannot reach the admin API: " + e.message;
    }).then(function () {
      setTimeout(refresh, 1000);
    });
  }

  refresh();
}());
