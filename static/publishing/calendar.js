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
  // hx-vals on #calendar-state carries the current view, date and filters along with the move.
  htmx.ajax("POST", url, {
    source: "#calendar-state",
    target: "#calendar-grid",
    swap: "outerHTML",
    values: { scheduled_time: slot.dataset.slot },
  });
});
