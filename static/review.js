// Review step: undo a proposed replacement, or mask the selected passage, inside the text areas.
// Everything happens in the reviewer's browser; nothing is sent until the form is submitted.
(function () {
  "use strict";
  var form = document.querySelector("form.review");
  if (!form) { return; }

  function area(name) { return form.querySelector("[name='" + name + "']"); }

  document.querySelectorAll(".replacements li").forEach(function (item) {
    var button = item.querySelector("button.undo");
    var target = area(item.dataset.field);
    if (!button || !target) { return; }
    button.hidden = false;
    // A stored draft keeps no original: the reviewer types the word to put back.
    var typed = item.querySelector("input.restore-word");
    item.querySelectorAll("label.restore").forEach(function (label) { label.hidden = false; });
    button.addEventListener("click", function () {
      var original = typed ? typed.value.trim() : item.dataset.original;
      var at = target.value.indexOf(item.dataset.replacement);
      if (at < 0 || !original) { if (!typed) { button.disabled = true; } return; }
      target.value = target.value.slice(0, at) + original +
        target.value.slice(at + item.dataset.replacement.length);
      if (!typed || target.value.indexOf(item.dataset.replacement) < 0) {
        item.classList.add("undone");
        button.disabled = true;
      }
    });
  });

  var mask = document.getElementById("mask-selection");
  var lastArea = null;
  form.querySelectorAll("textarea, input[type=text]").forEach(function (el) {
    el.addEventListener("select", function () { lastArea = el; });
    el.addEventListener("mouseup", function () { lastArea = el; });
    el.addEventListener("keyup", function () { lastArea = el; });
  });
  if (mask) {
    mask.hidden = false;
    mask.addEventListener("click", function () {
      if (!lastArea) { return; }
      var start = lastArea.selectionStart, end = lastArea.selectionEnd;
      if (start === end) { return; }
      lastArea.value = lastArea.value.slice(0, start) + "[Masqué]" + lastArea.value.slice(end);
      lastArea.focus();
    });
  }
})();
