// The print button of a handout's print view (scripts are never inline: the CSP forbids them).
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
