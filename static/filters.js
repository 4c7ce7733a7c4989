// On a wide screen the search filters stand open beside the results; on a phone they stay folded
// behind their summary, below the query box. CSS does the same in browsers that know ::details-content.
(function () {
  var filters = document.getElementById("filters");
  if (!filters) { return; }
  var wide = window.matchMedia("(min-width: 50.01rem)");
  function follow() { filters.open = wide.matches; }
  follow();
  wide.addEventListener("change", follow);
})();
