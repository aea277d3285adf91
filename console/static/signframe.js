// Runs inside the signing page's document frame (sandbox="allow-scripts",
// an opaque origin: it can reach nothing of the page but postMessage).
// Tells the page once the document was scrolled to its end (强制阅读) and
// takes the page's zoom. Messages carry no data worth keeping secret.
(function () {
  if (window.parent === window) return;
  var told = false;
  var parentOrigin = location.protocol + '//' + location.host;
  function tell() {
    if (told) return;
    told = true;
    window.parent.postMessage({ type: 'signet:read-end' }, parentOrigin);
  }
  // The end is read once a mark after the last line is on screen: an
  // observer sees the frame's clipping too, so a frame not yet laid out
  // (no size) or scrolled off the page never counts.
  var mark = document.createElement('div');
  mark.style.height = '1px';
  document.body.appendChild(mark);
  var seen = null;
  if (window.IntersectionObserver) {
    seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) { if (e.isIntersecting) tell(); });
    });
    seen.observe(mark);
  }
  function check() {
    if (seen) return;
    var el = document.scrollingElement || document.documentElement;
    if (window.innerHeight > 0 && el.scrollHeight > 0 && el.scrollTop + window.innerHeight >= el.scrollHeight - 8) tell();
  }
  window.addEventListener('scroll', check, { passive: true });
  window.addEventListener('resize', check);
  window.addEventListener('load', check);
  window.addEventListener('message', function (e) {
    if (e.source !== window.parent) return;
    var m = e.data;
    if (m && m.type === 'signet:hello') {
      // The page listens now: what was said before it did is said again.
      window.parent.postMessage({ type: 'signet:ready' }, parentOrigin);
      if (told) window.parent.postMessage({ type: 'signet:read-end' }, parentOrigin);
      return;
    }
    if (m && m.type === 'signet:zoom' && typeof m.scale === 'number' && m.scale >= 0.5 && m.scale <= 3) {
      document.body.style.zoom = String(m.scale);
      check();
    }
  });
  window.parent.postMessage({ type: 'signet:ready' }, parentOrigin);
  check();
})();
