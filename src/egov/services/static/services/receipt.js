// The receipt page while its submission waits (受理中): ask the receipts API every 2 s and reload
// the page once the state has changed (the case got its number, or the submission failed), so
// the applicant need not press "Check again". Stops after 10 minutes.
(function () {
  var holder = document.getElementById("intake-poll");
  if (!holder || !window.fetch) { return; }
  var url = holder.getAttribute("data-url");
  var tries = 0;
  function poll() {
    tries += 1;
    if (tries > 300) { return; }
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && body.state && body.state !== "waiting") { window.location.reload(); } else { setTimeout(poll, 2000); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
}());
