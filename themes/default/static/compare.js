// On a comparison page: the reader ticks places; a chart and the table then show only those,
// and the address keeps the choice (?places=a,b) so the view can be shared and reloaded.
// Without JavaScript the page shows every place and this does nothing.
(function () {
  "use strict";
  var picker = document.querySelector(".picker");
  var table = document.querySelector("table.figures");
  if (!picker || !table) return;
  // Each row's place is its header's link (to the programme page) and that link's text.
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-value]"));
  if (rows.length < 2) return;
  var SVG = "http://www.w3.org/2000/svg";
  function placeLink(r) {
    return r.querySelector("th a");
  }
  function idOf(href) {
    var m = /programmes\/([^/]+)\/?$/.exec(href);
    return m ? m[1] : href;
  }
  var places = [];
  var seen = {};
  rows.forEach(function (r) {
    var id = idOf(placeLink(r).getAttribute("href"));
    r.setAttribute("data-id", id);
    if (!seen[id]) {
      seen[id] = true;
      places.push({ id: id, name: placeLink(r).textContent });
    }
  });
  var options = picker.querySelector(".picker-options");
  places.forEach(function (p, i) {
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.value = p.id;
    box.id = "pick-" + i;
    label.htmlFor = box.id;
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + p.name));
    options.appendChild(label);
  });
  var boxes = Array.prototype.slice.call(options.querySelectorAll("input"));
  var figure = picker.querySelector(".picked-chart");
  var all = document.querySelector(".all-charts");

  function chosen() {
    return boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
  }
  // The unit of a figure as the table writes it: its value cell without the numbers.
  function unitOf(row) {
    var cell = row.querySelector("td.num");
    var text = cell ? cell.textContent : "";
    return text.replace(/[0-9.,\u2013\-\u2264\u2265~<>=\s]+/g, " ").trim();
  }
  function draw(list) {
    var title = picker.getAttribute("data-title");
    var width = 640, rowH = 44, top = 8;
    var max = {};
    list.forEach(function (r) {
      var u = unitOf(r), v = Math.abs(parseFloat(r.getAttribute("data-value")) || 0);
      max[u] = Math.max(max[u] || 0, v);
    });
    var svg = document.createElementNS(SVG, "svg");
    var height = top + rowH * list.length + 8;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("class", "chart-svg");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", "picked-title picked-desc");
    var t = document.createElementNS(SVG, "title");
    t.id = "picked-title";
    t.textContent = title;
    var d = document.createElementNS(SVG, "desc");
    d.id = "picked-desc";
    svg.appendChild(t);
    svg.appendChild(d);
    var said = [];
    list.forEach(function (r, i) {
      var y = top + i * rowH;
      var place = placeLink(r).textContent;
      var fig = r.querySelector(".figure-cell");
      var value = r.querySelector("td.num");
      var label = place + " · " + (fig ? fig.textContent.trim() : "");
      var shown = value ? value.textContent.replace(/\s+/g, " ").trim() : "";
      said.push(label + ": " + shown);
      var u = unitOf(r), v = Math.abs(parseFloat(r.getAttribute("data-value")) || 0);
      var w = max[u] > 0 ? Math.round((v / max[u]) * 380) : 0;
      var text = document.createElementNS(SVG, "text");
      text.setAttribute("x", 12);
      text.setAttribute("y", y + 13);
      text.setAttribute("font-size", 13);
      text.textContent = label.length > 80 ? label.slice(0, 79) + "…" : label;
      var bar = document.createElementNS(SVG, "rect");
      bar.setAttribute("x", 12);
      bar.setAttribute("y", y + 20);
      bar.setAttribute("width", Math.max(w, 1));
      bar.setAttribute("height", 16);
      bar.setAttribute("fill", "#0072B2");
      var end = document.createElementNS(SVG, "text");
      end.setAttribute("x", 12 + Math.max(w, 1) + 6);
      end.setAttribute("y", y + 33);
      end.setAttribute("font-size", 13);
      end.setAttribute("font-weight", "bold");
      end.textContent = shown;
      svg.appendChild(text);
      svg.appendChild(bar);
      svg.appendChild(end);
    });
    d.textContent = said.join("; ") + ". " + picker.getAttribute("data-all");
    var holder = figure.querySelector(".picked-svg");
    holder.textContent = "";
    holder.appendChild(svg);
    figure.querySelector("figcaption").textContent = title;
  }
  function apply(push) {
    var ids = chosen();
    var any = ids.length > 0;
    var shown = [];
    rows.forEach(function (r) {
      var keep = !any || ids.indexOf(r.getAttribute("data-id")) >= 0;
      r.hidden = !keep;
      if (keep) shown.push(r);
    });
    figure.hidden = !any;
    if (all) all.hidden = any;
    if (any) draw(shown);
    if (push) {
      var url = new URL(window.location.href);
      if (any) url.searchParams.set("places", ids.join(","));
      else url.searchParams.delete("places");
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    }
  }
  var wanted = (new URL(window.location.href).searchParams.get("places") || "").split(",");
  boxes.forEach(function (b) {
    b.checked = wanted.indexOf(b.value) >= 0;
    b.addEventListener("change", function () { apply(true); });
  });
  picker.querySelector(".picker-clear").addEventListener("click", function () {
    boxes.forEach(function (b) { b.checked = false; });
    apply(true);
  });
  picker.hidden = false;
  apply(false);
})();
