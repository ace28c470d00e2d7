// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-autosubmit]")) {
      target.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".nav-toggle");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", String(!open));
    nav.classList.toggle("open", !open);
  });
  // A <details data-open-when-wide> is folded on a phone (as served) and opened on a wider
  // screen, where there is room for it beside the results.
  var wide = window.matchMedia("(min-width: 761px)");
  function openWhenWide() {
    if (!wide.matches) return;
    document.querySelectorAll("details[data-open-when-wide]").forEach(function (details) {
      details.open = true;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", openWhenWide);
  } else {
    openWhenWide();
  }
  // Ask before a form with data-confirm is submitted.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
