// Small progressive enhancements; every page works without this file.
document.addEventListener("submit", function (e) {
  var form = e.target;
  var button = form.querySelector("button.danger");
  if (button && form.dataset.confirmed !== "1") {
    if (!window.confirm(button.textContent.trim() + "?")) { e.preventDefault(); return; }
    form.dataset.confirmed = "1";
  }
});
