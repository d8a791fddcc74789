// The schedule dialog: open it when its form arrives, close it when the posts are scheduled,
// show each chosen platform's options and caption count, and fill the time from a chip.
// Once per page: htmx runs a restored page's scripts again (Back), which must not add every
// listener a second time.
if (!window.scheduleDialogReady) {
  window.scheduleDialogReady = true;
  function scheduleForm() {
    return document.getElementById("schedule-form");
  }

  function refreshScheduleForm() {
    const form = scheduleForm();
    if (!form || form.tagName !== "FORM") return;
    const checked = Array.from(form.querySelectorAll("input[name=platforms]:checked"));
    const chosen = new Set(checked.map((box) => box.value));
    form.querySelectorAll("fieldset.platform-options").forEach((fieldset) => {
      fieldset.hidden = !chosen.has(fieldset.dataset.platform);
    });
    const text = form.querySelector("textarea[name=caption]").value;
    const counter = form.querySelector(".caption-counter");
    counter.replaceChildren(
      ...checked.map((box) => {
        // Counted as the platform counts (caption_count.js), so the numbers are the server's.
        const used = captionCount(text, box.dataset.measure);
        const limit = Number(box.dataset.limit);
        const item = document.createElement("li");
        item.dataset.platform = box.value;
        item.dataset.length = used;
        item.className = used > limit ? "over" : "";
        item.title = box.dataset.measureExplained;
        item.textContent = `${box.dataset.label} ${used} / ${limit}${box.dataset.unit === "bytes" ? " bytes" : ""}`;
        return item;
      }),
    );
    drawPreview(form, checked, text);
  }

  // Roughly how each chosen platform shows the post: the caption up to its "… more" point (or the
  // whole of it where the platform shows it all), and the clip's thumbnail when it has one.
  function drawPreview(form, checked, text) {
    const preview = form.querySelector(".platform-preview");
    if (!preview) return;
    const clip = form.querySelector("input[name=clip_id]:checked");
    const thumbnail = clip && clip.dataset.thumbnail;
    const characters = Array.from(text.trim());
    preview.replaceChildren(
      ...checked.map((box) => {
        const item = document.createElement("li");
        item.dataset.platform = box.value;
        const who = document.createElement("span");
        who.className = "who";
        who.textContent = `${box.dataset.label}: `;
        const fold = Number(box.dataset.fold) || characters.length;
        const shown = document.createElement("span");
        shown.className = "shown";
        shown.textContent = characters.slice(0, fold).join("") || "(no caption)";
        item.append(who, shown);
        if (characters.length > fold) {
          const more = document.createElement("span");
          more.className = "fold";
          more.textContent = "… more";
          item.append(more);
        }
        // Past the limit the platform shows nothing at all: it refuses the post.
        if (captionCount(text, box.dataset.measure) > Number(box.dataset.limit)) {
          const over = document.createElement("strong");
          over.className = "over-limit";
          over.textContent = ` Too long for ${box.dataset.label}: it would be refused.`;
          item.append(over);
        }
        if (thumbnail) {
          const image = document.createElement("img");
          image.src = thumbnail;
          image.alt = "The clip's thumbnail";
          item.append(image);
        }
        return item;
      }),
    );
  }

  document.addEventListener("input", (event) => {
    if (event.target.closest("#schedule-form")) refreshScheduleForm();
  });
  document.addEventListener("change", (event) => {
    if (event.target.closest("#schedule-form")) refreshScheduleForm();
  });

  document.addEventListener("click", (event) => {
    const chip = event.target.closest("[data-fill-time]");
    if (!chip) return;
    const form = chip.closest("form");
    form.querySelector("input[name=time]").value = chip.dataset.fillTime;
    form.querySelector("input[name=date]").value = chip.dataset.fillDate;
  });

  // Focus goes back to what opened the dialog when it closes. The calendar may have been redrawn
  // meanwhile (a saved post), so the opener is found again by its card and kind.
  let opener = null;

  function openerSelector(element) {
    const card = element.closest(".post-card[id]");
    const kind = ["edit", "duplicate", "new-post"].find((name) => element.classList.contains(name));
    if (card && kind) return `#${card.id} .${kind}`;
    return kind ? `.${kind}` : null;
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    const dialog = document.getElementById("schedule-dialog");
    if (!dialog || dialog.open || event.detail.target?.id !== "schedule-dialog-body") return;
    opener = { element: event.detail.elt, selector: openerSelector(event.detail.elt) };
  });

  function focusOpener() {
    if (!opener) return;
    const target = opener.element.isConnected ? opener.element : document.querySelector(opener.selector);
    if (target) target.focus();
  }

  document.addEventListener("close", (event) => {
    if (event.target.id === "schedule-dialog") focusOpener();
  }, true);

  document.addEventListener("htmx:afterSettle", (event) => {
    refreshScheduleForm();
    const dialog = document.getElementById("schedule-dialog");
    if (dialog && event.target.id === "schedule-dialog-body" && !dialog.open) dialog.showModal();
    // The grid redrawn after a save replaced the opener: focus its successor, once.
    if (event.target.id === "calendar-grid" && opener && !dialog?.open) {
      if (!document.activeElement || document.activeElement === document.body) focusOpener();
      opener = null;
    }
  });

  document.body.addEventListener("posts-changed", () => {
    const dialog = document.getElementById("schedule-dialog");
    if (dialog && dialog.open) dialog.close();
  });

  document.addEventListener("DOMContentLoaded", refreshScheduleForm);
}
