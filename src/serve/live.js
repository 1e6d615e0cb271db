// policydash serve: reloads the page when the site is rebuilt and shows build errors over
// it. Added by the preview server only; pages written by `policydash build` never carry it.
(function () {
  "use strict";
  var me = document.currentScript;
  var generation = Number(me && me.getAttribute("data-generation"));
  var key = "policydash-scroll:" + location.pathname;
  var saved = null;
  try { saved = sessionStorage.getItem(key); sessionStorage.removeItem(key); } catch (e) { /* storage off */ }
  if (saved) {
    var xy = saved.split(",").map(Number);
    var restore = function () { window.scrollTo(xy[0], xy[1]); };
    restore();
    window.addEventListener("load", restore);
  }
  var lang = (document.documentElement.getAttribute("lang") || "en").slice(0, 2);
  var events = new EventSource("/__policydash/events?lang=" + encodeURIComponent(lang));
  events.addEventListener("state", function (message) {
    var state = JSON.parse(message.data);
    var shown = document.getElementById("policydash-preview-error");
    if (state.error) {
      if (shown) { shown.outerHTML = state.error; } else { document.body.insertAdjacentHTML("beforeend", state.error); }
      return;
    }
    if (state.generation !== generation) {
      try { sessionStorage.setItem(key, window.scrollX + "," + window.scrollY); } catch (e) { /* storage off */ }
      events.close();
      location.reload();
      return;
    }
    if (shown) { shown.remove(); }
  });
})();
