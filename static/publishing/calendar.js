// Move a post to another day or hour: by mouse (HTML5 drag and drop), by finger (pointer events
// on the card's grip) or by keyboard (the card's "Move…" dialog). All three post to the same
// endpoint, which moves it (or refuses) and answers with the whole grid, so a refused move
// simply snaps back with its message.
// Once per page: htmx runs a restored page's scripts again (Back), which must not add every
// listener a second time.
if (!window.calendarMovesReady) {
  window.calendarMovesReady = true;
  // The view, date and filters being looked at go along, so the grid redrawn is this one. Only
  // those keys are taken from the state; the time comes from the cell or the picker.
  function sendMove(url, scheduledTime, extra = {}) {
    const state = JSON.parse(document.getElementById("calendar-state").dataset.state);
    return htmx.ajax("POST", url, {
      source: "#calendar-state",
      target: "#calendar-grid",
      swap: "outerHTML",
      values: {
        view: state.view,
        date: state.date,
        platform: state.platform,
        status: state.status,
        q: state.q,
        scheduled_time: scheduledTime,
        ...extra,
      },
    });
  }

  // --- mouse ---------------------------------------------------------------------------------
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
    sendMove(url, slot.dataset.slot);
  });

  // --- touch and pen -------------------------------------------------------------------------
  // Touch screens have no HTML5 drag. The grip has `touch-action: none`, so a finger on it moves
  // the card (a ghost follows the finger) instead of scrolling; lifting it over a cell drops there.
  let touchDrag = null;

  function slotUnder(x, y) {
    const under = document.elementFromPoint(x, y);
    return under && under.closest("#calendar-grid [data-slot]");
  }

  function markDropTarget(slot) {
    if (touchDrag.over === slot) return;
    touchDrag.over?.classList.remove("drop-here");
    slot?.classList.add("drop-here");
    touchDrag.over = slot;
  }

  function endTouchDrag() {
    if (!touchDrag) return;
    touchDrag.ghost.remove();
    touchDrag.card.classList.remove("touch-dragging");
    touchDrag.over?.classList.remove("drop-here");
    touchDrag = null;
  }

  document.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "mouse" || !event.target.closest) return;
    const grip = event.target.closest(".grip");
    const card = grip && grip.closest("[data-move-url]");
    if (!card) return;
    event.preventDefault();
    const ghost = card.cloneNode(true);
    ghost.removeAttribute("id");
    ghost.setAttribute("aria-hidden", "true");
    ghost.classList.add("touch-ghost");
    ghost.style.left = `${event.clientX}px`;
    ghost.style.top = `${event.clientY}px`;
    document.body.append(ghost);
    card.classList.add("touch-dragging");
    touchDrag = { card, ghost, pointerId: event.pointerId, over: null };
  });

  document.addEventListener("pointermove", (event) => {
    if (!touchDrag || event.pointerId !== touchDrag.pointerId) return;
    touchDrag.ghost.style.left = `${event.clientX}px`;
    touchDrag.ghost.style.top = `${event.clientY}px`;
    markDropTarget(slotUnder(event.clientX, event.clientY));
  });

  document.addEventListener("pointerup", (event) => {
    if (!touchDrag || event.pointerId !== touchDrag.pointerId) return;
    const slot = slotUnder(event.clientX, event.clientY);
    const url = touchDrag.card.dataset.moveUrl;
    endTouchDrag();
    if (slot) sendMove(url, slot.dataset.slot);
  });

  document.addEventListener("pointercancel", endTouchDrag);

  // --- keyboard ------------------------------------------------------------------------------
  // "Move…" on a card opens a date and time picker; the time picked is taken as it is (`picked`),
  // and the server applies the same rules as to a drop. Focus goes back to the card's button.
  let moving = null;

  function moveDialog() {
    return document.getElementById("move-dialog");
  }

  function showMoveProblem(text) {
    const dialog = moveDialog();
    const problem = dialog.querySelector(".field-error");
    const input = dialog.querySelector("input[name=scheduled_time]");
    problem.textContent = text;
    problem.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest(".card-action.move");
    if (!button) return;
    const card = button.closest(".post-card");
    const dialog = moveDialog();
    moving = { url: button.dataset.pickerUrl, cardId: card.id };
    dialog.querySelector(".move-what").textContent = card.getAttribute("aria-label");
    const input = dialog.querySelector("input[name=scheduled_time]");
    input.value = button.dataset.current;
    input.removeAttribute("aria-invalid");
    dialog.querySelector(".field-error").hidden = true;
    dialog.showModal();
    input.focus();
  });

  document.addEventListener("submit", (event) => {
    if (event.target.id !== "move-form") return;
    event.preventDefault();
    const value = event.target.querySelector("input[name=scheduled_time]").value;
    if (!value) {
      showMoveProblem("Pick a date and a time.");
      return;
    }
    sendMove(moving.url, value, { picked: "1" }).then(() => {
      const problem = document.querySelector("#calendar-grid .problem");
      if (problem) {
        showMoveProblem(problem.textContent);
        return;
      }
      moveDialog().close();
    });
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("#move-dialog .cancel")) moveDialog().close();
  });

  document.addEventListener("close", (event) => {
    if (event.target.id !== "move-dialog" || !moving) return;
    const back = document.querySelector(`#${moving.cardId} .card-action.move`) || document.getElementById(moving.cardId);
    back?.focus();
    moving = null;
  }, true);
}
