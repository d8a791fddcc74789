// Every page: the phone menu's button, and focus on the first problem after a refused submit.
document.documentElement.classList.add("js"); // the menu folds only when this script can unfold it

document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".menu-toggle");
  if (!toggle) return;
  const open = toggle.closest(".top").classList.toggle("menu-open");
  toggle.setAttribute("aria-expanded", String(open));
});

// The field a refusal is about: the control just before its message, else the first one in its
// fieldset; a message about the whole form is focused itself (it is read out either way).
function fieldOf(error) {
  const usable = (control) => control && !control.disabled && control.type !== "hidden" && !control.hidden;
  const CONTROLS = "input, select, textarea";
  if (error.matches(CONTROLS)) return error; // Django marks a refused field aria-invalid itself
  const before = error.previousElementSibling;
  const near = before && (before.matches(CONTROLS) ? before : before.querySelector(CONTROLS));
  if (usable(near)) return near;
  const fieldset = error.closest("fieldset");
  const first = fieldset && Array.from(fieldset.querySelectorAll(CONTROLS)).find(usable);
  if (first) return first;
  error.tabIndex = -1;
  return error;
}

const PROBLEMS = [
  ".field-error:not([hidden])",
  "form p.error",
  "#flash .error",
  "form [aria-invalid=true]:is(input, select, textarea)",
].join(", ");

function focusFirstProblem(within) {
  const error = within.querySelector(PROBLEMS);
  if (error) fieldOf(error).focus();
  return Boolean(error);
}

// A page that comes back refused (a plain form post answered with its errors, or redirected with one).
focusFirstProblem(document);

// A refused htmx submit (4xx): the first problem inside the open dialog, else on the page.
document.addEventListener("htmx:afterSettle", (event) => {
  const status = event.detail.xhr && event.detail.xhr.status;
  if (!status || status < 400 || event.detail.requestConfig?.verb === "get") return;
  const dialog = document.querySelector("dialog[open]");
  focusFirstProblem(dialog || document);
});
