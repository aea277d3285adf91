// Runs inside the signing page's document frame (sandbox="allow-scripts",
// an opaque origin: it can reach nothing of the page but postMessage).
// Tells the page once the document was scrolled to its end (强制阅读) and
// takes the page's zoom. Messages carry no data worth keeping secret.
(function () {
  if (window.parent === window) return;
  var told = false;
  var parentOrigin = location.protocol + '//' + location.host;
  function check() {
    var el = document.scrollingElement || document.documentElement;
    if (!told && el.scrollTop + window.innerHeight >= el.scrollHeight - 8) {
      told = true;
      window.parent.postMessage({ type: 'signet:read-end' }, parentOrigin);
    }
  }
  window.addEventListener('scroll', check, { passive: true });
  window.addEventListener('resize', check);
  window.addEventListener('load', check);
  window.addEventListener('message', function (e) {
    if (e.source !== window.parent) return;
    var m = e.data;
    if (m && m.type === 'signet:zoom' && typeof m.scale === 'number' && m.scale >= 0.5 && m.scale <= 3) {
      document.body.style.zoom = String(m.scale);
      check();
    }
  });
  window.parent.postMessage({ type: 'signet:ready' }, parentOrigin);
  check();
})();
