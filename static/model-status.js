// Intake page: says whether the anonymiser is ready. Opening the page starts loading its model on the
// server (12-24 s after a start); this polls /intake/model-status and shows "Prêt" once it is loaded.
// Without JavaScript nothing shows and the form works the same (the first submission waits for the model).
(function () {
  "use strict";
  var status = document.getElementById("model-status");
  if (!status || !window.fetch) { return; }
  var url = status.dataset.url;
  var tries = 0;

  function show(text, ready) {
    status.textContent = text;
    status.classList.toggle("ready", ready);
    status.hidden = false;
  }

  function poll() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        if (data.ready) { show("Prêt", true); return; }
        if (tries < 120) { window.setTimeout(poll, 1500); }
      })
      .catch(function () { status.hidden = true; });
  }

  if (status.dataset.ready === "1") { show("Prêt", true); return; }
  show("Préparation de l'anonymiseur…", false);
  poll();
})();
