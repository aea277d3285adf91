// Shows the seal chosen in the upload form before it is sent, as a data:
// URL (the page's policy allows data: images, not blob:).
document.addEventListener('change', function (e) {
  var input = e.target;
  if (!input.matches || !input.matches('input[data-seal-preview]')) return;
  var img = document.getElementById(input.getAttribute('data-seal-preview'));
  var file = input.files && input.files[0];
  if (!img) return;
  if (!file) { img.hidden = true; return; }
  var reader = new FileReader();
  reader.onload = function () { img.src = reader.result; img.hidden = false; };
  reader.readAsDataURL(file);
});
