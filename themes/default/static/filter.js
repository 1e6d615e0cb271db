// Filters the list of places on the home page as the reader types. Without JavaScript the page
// lists every place, grouped by province; this only hides what does not match.
(function () {
  "use strict";
  var box = document.querySelector(".place-filter");
  var input = document.getElementById("place-filter-input");
  if (!box || !input) return;
  var groups = Array.prototype.slice.call(document.querySelectorAll(".province-group"));
  var count = box.querySelector(".place-filter-count");
  var shownWord = box.getAttribute("data-shown") || "";
  box.hidden = false;
  function norm(s) { return s.toLowerCase().replace(/\s+/g, " ").trim(); }
  function apply() {
    var q = norm(input.value);
    var shown = 0;
    groups.forEach(function (g) {
      var heading = norm(g.querySelector("h3").textContent);
      var any = false;
      g.querySelectorAll("li").forEach(function (li) {
        var hit = q === "" || heading.indexOf(q) >= 0 || norm(li.textContent).indexOf(q) >= 0;
        li.hidden = !hit;
        if (hit) { any = true; shown += 1; }
      });
      g.hidden = !any;
    });
    if (count) count.textContent = q === "" ? "" : shown + " " + shownWord;
  }
  input.addEventListener("input", apply);
  apply();
})();
