/* 我的待办 on a phone: the tasks come first; the filter panel starts folded unless a filter is in use
   (web/static/app.css moves the saved views below the list on narrow screens). */
(function () {
  "use strict";
  var panel = document.querySelector("details.filter-panel");
  if (panel && !panel.hasAttribute("data-active") && window.matchMedia("(max-width: 720px)").matches) {
    panel.open = false;
  }
})();
