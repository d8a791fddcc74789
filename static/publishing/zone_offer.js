// First login: offer the browser's time zone, if it differs from the one the calendar uses. The
// server checks the name (an alias such as Asia/Calcutta is read as Asia/Kolkata).
(() => {
  const offer = document.getElementById("zone-offer");
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!offer || !zone || zone === offer.dataset.current) return;
  offer.querySelector("input[name=zone]").value = zone;
  offer.querySelectorAll(".zone-name").forEach((name) => {
    name.textContent = zone;
  });
  offer.hidden = false;
})();
