(function () {
  "use strict";
  function mark(target, on) {
    var seg = target && target.closest ? target.closest("[data-bead]") : null;
    if (!seg) { return; }
    var cells = document.querySelectorAll('[data-bead="' + seg.getAttribute("data-bead") + '"]');
    for (var i = 0; i < cells.length; i++) { cells[i].classList.toggle("hl", on); }
  }
  document.addEventListener("mouseover", function (e) { mark(e.target, true); });
  document.addEventListener("mouseout", function (e) { mark(e.target, false); });
  document.addEventListener("focusin", function (e) { mark(e.target, true); });
  document.addEventListener("focusout", function (e) { mark(e.target, false); });
})();
