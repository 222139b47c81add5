// A printed agenda names its meeting at the top of every page. The page-margin boxes of
// agenda_print.css read the name from --print-title, which only the page itself knows: copy it
// from the element that carries it (a stylesheet cannot, and inline styles are not allowed).
(function () {
  "use strict";
  var source = document.querySelector("[data-print-title]");
  if (!source) {
    return;
  }
  var title = source.getAttribute("data-print-title").replace(/[\r\n]+/g, " ").replace(/["\\]/g, "\\$&");
  document.documentElement.style.setProperty("--print-title", '"' + title + '"');
})();
