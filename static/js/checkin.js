// Check-in taps: a tap that did not reach the server (bad network, error) is shown as failed,
// never as done; the row only changes when the server's answer is swapped in.
document.addEventListener("htmx:beforeRequest", function (e) {
  var failed = e.target.closest("[data-checkin]") && e.target.querySelector(".failed");
  if (failed) failed.hidden = true;
});
["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
  document.addEventListener(name, function (e) {
    var form = e.target.closest("[data-checkin]");
    var failed = form && form.querySelector(".failed");
    if (failed) failed.hidden = false;
  });
});
