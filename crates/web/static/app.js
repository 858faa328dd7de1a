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
// On a deliberation's voting card, A agrees, D disagrees and P passes: the
// key clicks the button that carries it, so the vote goes through the same
// form as a click (and works the same without this file).
document.addEventListener("keydown", function (e) {
  if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) { return; }
  var t = e.target;
  if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) { return; }
  var key = (e.key || "").toLowerCase();
  if (key !== "a" && key !== "d" && key !== "p") { return; }
  var button = document.querySelector(".vote-buttons button[data-key='" + key + "']");
  if (!button || button.form.dataset.sent === "1") { return; }
  e.preventDefault();
  // One vote per key press, however long the key is held.
  button.form.dataset.sent = "1";
  if (button.form.requestSubmit) { button.form.requestSubmit(button); } else { button.click(); }
});
// On an open deliberation's results page the results refresh themselves:
// every few seconds the page is asked for again with the tag of what it
// shows, and its results are replaced only when the server has newer ones
// (an unchanged page answers 304 with nothing to send). Without this file
// a reader reloads the page.
(function () {
  var live = document.getElementById("live-results");
  if (!live || !live.dataset.every || !window.fetch || !window.DOMParser) { return; }
  var timer = setInterval(function () {
    if (document.visibilityState === "hidden") { return; }
    fetch(location.pathname + location.search, {
      headers: { "If-None-Match": "\"" + live.dataset.live + "\"" },
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (r) {
      return r.status === 200 ? r.text() : null;
    }).then(function (page) {
      if (!page) { return; }
      var fresh = new DOMParser().parseFromString(page, "text/html").getElementById("live-results");
      if (!fresh || fresh.dataset.live === live.dataset.live) { return; }
      live.innerHTML = fresh.innerHTML;
      live.dataset.live = fresh.dataset.live;
      var status = document.getElementById("live-status");
      var at = document.getElementById("computed-at");
      if (status && at) { status.textContent = at.textContent; }
      if (!fresh.dataset.every) { clearInterval(timer); }
    }).catch(function () {});
  }, Number(live.dataset.every) * 1000);
})();
// A navigation bar too wide for the screen (a phone's) scrolls sideways;
// it starts scrolled so that the entry of the page shown is in view.
document.querySelectorAll("nav.main, nav.sub").forEach(function (bar) {
  var a = bar.querySelector("a[aria-current]");
  if (!a) { return; }
  var over = a.getBoundingClientRect().right - bar.getBoundingClientRect().right;
  if (over > 0) { bar.scrollLeft += over + 24; }
});
