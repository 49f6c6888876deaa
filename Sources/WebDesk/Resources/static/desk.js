// Gatehouse web desk: the little the pages do with JavaScript. Every page works without
// it; this only helps where it clearly does. Served from the desk itself ('self' in the
// Content-Security-Policy): no inline script anywhere.
(function () {
  "use strict";

  // Buttons that print the page (work order, callback plan, reports).
  document.addEventListener("click", function (e) {
    var t = e.target.closest("[data-print]");
    if (t) { e.preventDefault(); window.print(); }
  });

  // Forms that ask before an irreversible step (cancel a request, revoke a grant).
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });

  // Live refresh: an element with data-refresh="URL" is refreshed from that URL's JSON
  // every data-every seconds; children with data-field="a.b" take the value at that path,
  // data-class-field sets a class from one.
  function valueAt(obj, path) {
    return path.split(".").reduce(function (o, k) { return o == null ? o : o[k]; }, obj);
  }
  function refresh(el) {
    var url = el.getAttribute("data-refresh");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (r.status === 401) { window.location.reload(); } return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        el.querySelectorAll("[data-field]").forEach(function (f) {
          var v = valueAt(data, f.getAttribute("data-field"));
          f.textContent = v == null || v === "" ? "—" : String(v);
        });
        el.querySelectorAll("[data-class-field]").forEach(function (f) {
          var spec = f.getAttribute("data-class-field").split(":");
          var v = valueAt(data, spec[1]);
          f.className = spec[0] + (v ? " " + spec[0] + "-" + v : "");
        });
        if (data.rowsHTML !== undefined) {
          var body = el.querySelector("[data-rows]");
          if (body) { body.innerHTML = data.rowsHTML; }
        }
        var stamp = el.querySelector("[data-refreshed]");
        if (stamp) { stamp.textContent = data.generatedAtText || ""; }
      })
      .catch(function () { /* offline: try again next time */ });
  }
  document.querySelectorAll("[data-refresh]").forEach(function (el) {
    var every = parseInt(el.getAttribute("data-every") || "5", 10) * 1000;
    window.setInterval(function () { if (!document.hidden) { refresh(el); } }, every);
  });

  // Lookup as you type: an input with data-suggest="URL" shows the customers the desk
  // finds for what is typed so far (the server masks them as for any list).
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list) { return; }
    var timer = null, last = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var q = input.value.trim();
        if (q === last) { return; }
        last = q;
        if (q.length < 2) { list.innerHTML = ""; list.hidden = true; return; }
        fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q),
              { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) {
            if (input.value.trim() !== q) { return; }
            list.innerHTML = "";
            (data.items || []).forEach(function (it) {
              var li = document.createElement("li");
              var a = document.createElement("a");
              a.href = it.href;
              a.textContent = it.text;
              li.appendChild(a);
              list.appendChild(li);
            });
            list.hidden = list.children.length === 0;
          })
          .catch(function () {});
      }, 200);
    });
  });
})();
