// The signing page: a signature drawn on a canvas (pointer events, touch
// where there are none), the document's zoom, and 强制阅读 (the sign
// button waits until the document frame says it was read to its end).
// Without script the page still signs with the typed name.
(function () {
  var form = document.querySelector('form[data-sign-form]');
  var frame = document.querySelector('iframe[data-sign-frame]');
  if (!form) return;
  var button = form.querySelector('button[type=submit]');
  var readInput = form.querySelector('input[name=read_to_end]');
  var mustRead = form.hasAttribute('data-require-read');
  var note = document.querySelector('[data-read-note]');

  // Zoom: the frame scales its own document on the page's word.
  var scale = 1;
  var zoom = document.querySelector('[data-zoom-controls]');
  function sendZoom() {
    if (frame && frame.contentWindow) frame.contentWindow.postMessage({ type: 'signet:zoom', scale: scale }, '*');
  }
  if (zoom) {
    zoom.hidden = false;
    zoom.addEventListener('click', function (e) {
      var b = e.target.closest('[data-zoom]');
      if (!b) return;
      scale = parseFloat(b.getAttribute('data-zoom'));
      zoom.querySelectorAll('[data-zoom]').forEach(function (x) { x.setAttribute('aria-pressed', String(x === b)); });
      sendZoom();
    });
  }

  function markRead() {
    if (readInput) readInput.value = '1';
    if (mustRead) {
      button.disabled = false;
      if (note) { note.textContent = note.getAttribute('data-read-done'); note.classList.add('done'); }
    }
  }
  window.addEventListener('message', function (e) {
    if (!frame || e.source !== frame.contentWindow) return;
    var m = e.data;
    if (!m) return;
    if (m.type === 'signet:read-end') markRead();
    if (m.type === 'signet:ready') {
      frame.setAttribute('data-ready', '');
      if (scale !== 1) sendZoom();
    }
  });
  // A frame that loaded before this script ran told an empty room: ask it
  // again (its ready, and its read-end if the document was read).
  function hello() {
    if (frame && frame.contentWindow) frame.contentWindow.postMessage({ type: 'signet:hello' }, '*');
  }
  if (frame) frame.addEventListener('load', hello);
  hello();

  // The drawing pad.
  var pad = document.querySelector('[data-drawpad]');
  if (!pad) return;
  var canvas = pad.querySelector('canvas');
  var out = form.querySelector('input[name=signature_image]');
  var ctx = canvas.getContext && canvas.getContext('2d');
  if (!ctx || !out) return;
  pad.hidden = false;
  var drawing = false, inked = false, last = null;
  function fit() {
    var r = canvas.getBoundingClientRect(), d = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(r.width * d));
    canvas.height = Math.max(1, Math.round(r.height * d));
    ctx.setTransform(d, 0, 0, d, 0, 0);
    ctx.lineWidth = 2.4; ctx.lineCap = 'round'; ctx.lineJoin = 'round'; ctx.strokeStyle = '#0b2a6f';
    inked = false; out.value = '';
    pad.classList.remove('inked');
  }
  function at(x, y) { var r = canvas.getBoundingClientRect(); return { x: x - r.left, y: y - r.top }; }
  function start(p) { drawing = true; last = p; ctx.beginPath(); ctx.moveTo(p.x, p.y); ctx.lineTo(p.x + 0.1, p.y + 0.1); ctx.stroke(); }
  function move(p) {
    if (!drawing) return;
    ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
    last = p; inked = true;
  }
  function end() {
    if (!drawing) return;
    drawing = false;
    if (inked) { out.value = canvas.toDataURL('image/png'); pad.classList.add('inked'); }
  }
  if (window.PointerEvent) {
    canvas.addEventListener('pointerdown', function (e) {
      e.preventDefault();
      if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId);
      start(at(e.clientX, e.clientY));
    });
    canvas.addEventListener('pointermove', function (e) { if (drawing) { e.preventDefault(); move(at(e.clientX, e.clientY)); } });
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  } else {
    canvas.addEventListener('touchstart', function (e) { e.preventDefault(); var t = e.touches[0]; start(at(t.clientX, t.clientY)); }, { passive: false });
    canvas.addEventListener('touchmove', function (e) { e.preventDefault(); var t = e.touches[0]; move(at(t.clientX, t.clientY)); }, { passive: false });
    canvas.addEventListener('touchend', end);
    canvas.addEventListener('mousedown', function (e) { start(at(e.clientX, e.clientY)); });
    canvas.addEventListener('mousemove', function (e) { move(at(e.clientX, e.clientY)); });
    window.addEventListener('mouseup', end);
  }
  var clear = pad.querySelector('[data-drawpad-clear]');
  if (clear) clear.addEventListener('click', function () { ctx.clearRect(0, 0, canvas.width, canvas.height); fit(); });
  fit();
})();
