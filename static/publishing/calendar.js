// Drag a scheduled post's card onto another day or hour: the server moves it (or refuses) and
// answers with the whole grid, so a refused move simply snaps back with its message.
document.addEventListener("dragstart", (event) => {
  const card = event.target.closest && event.target.closest("[data-move-url]");
  if (!card) return;
  event.dataTransfer.setData("text/plain", card.dataset.moveUrl);
  event.dataTransfer.effectAllowed = "move";
});

document.addEventListener("dragover", (event) => {
  if (event.target.closest && event.target.closest("[data-slot]")) event.preventDefault();
});

document.addEventListener("drop", (event) => {
  const slot = event.target.closest && event.target.closest("[data-slot]");
  const url = event.dataTransfer.getData("text/plain");
  if (!slot || !url) return;
  event.preventDefault();
  // The view, date and filters being looked at go along, so the grid redrawn is this one. Only
  // those keys are taken from the state, and the time only from the cell dropped on.
  const state = JSON.parse(document.getElementById("calendar-state").dataset.state);
  htmx.ajax("POST", url, {
    source: "#calendar-state",
    target: "#calendar-grid",
    swap: "outerHTML",
    values: {
      view: state.view,
      date: state.date,
      platform: state.platform,
      status: state.status,
      q: state.q,
      scheduled_time: slot.dataset.slot,
    },
  });
});
