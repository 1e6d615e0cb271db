// Tells the page that frames this one how tall it is, whenever that changes (a folded
// section opened, the frame resized), so the host's snippet can fit the frame to it.
(function () {
  if (window.parent === window) return;
  var last = 0;
  function post() {
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h === last) return;
    last = h;
    window.parent.postMessage({ type: "policydash:height", height: h }, "*");
  }
  window.addEventListener("load", post);
  document.addEventListener("toggle", post, true);
  if (window.ResizeObserver) new ResizeObserver(post).observe(document.body);
  else window.addEventListener("resize", post);
})();
