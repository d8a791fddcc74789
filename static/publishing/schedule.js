// The schedule dialog: open it when its form arrives, close it when the posts are scheduled,
// show each chosen platform's options and caption count, and fill the time from a chip.
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

document.addEventListener("htmx:afterSettle", (event) => {
  refreshScheduleForm();
  const dialog = document.getElementById("schedule-dialog");
  if (dialog && event.target.id === "schedule-dialog-body" && !dialog.open) dialog.showModal();
});

document.body.addEventListener("posts-changed", () => {
  const dialog = document.getElementById("schedule-dialog");
  if (dialog && dialog.open) dialog.close();
});

document.addEventListener("DOMContentLoaded", refreshScheduleForm);
