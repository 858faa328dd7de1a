// Small progressive enhancements; every page works without this file.
document.addEventListener("submit", function (e) {
  var form = e.target;
  var button = form.querySelector("button.danger");
  if (button && form.dataset.confirmed !== "1") {
    if (!window.confirm(button.textContent.trim() + "?")) { e.preventDefault(); return; }
    form.dataset.confirmed = "1";
  }
});
// On a draft regulation, selecting a passage of a paragraph quotes it in
// that paragraph's comment form and opens the form.
document.addEventListener("mouseup", function () {
  var sel = window.getSelection();
  if (!sel || sel.isCollapsed) { return; }
  var node = sel.anchorNode && (sel.anchorNode.nodeType === 1 ? sel.anchorNode : sel.anchorNode.parentElement);
  var para = node && node.closest ? node.closest(".paragraph") : null;
  if (!para) { return; }
  var field = para.querySelector(".quote-field");
  var text = sel.toString().trim();
  if (!field || !text || text.length > 1000) { return; }
  field.value = text;
  var details = field.closest("details");
  if (details) { details.open = true; }
});
