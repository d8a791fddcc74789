// The upload box on the clips page: drop a file on it or pick one, and it goes to POST /api/clips
// with a progress bar (XMLHttpRequest reports upload progress; fetch does not). The server checks
// type and size again; checking the size here first spares sending a file that will be refused.
(function () {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const input = document.getElementById("upload-file");
  const bar = document.getElementById("upload-progress");
  const percent = document.getElementById("upload-percent");
  const status = document.getElementById("upload-status");
  const progress = form.querySelector(".upload-progress");
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];

  function humanSize(bytes) {
    const units = [["GB", 1024 ** 3], ["MB", 1024 ** 2], ["KB", 1024]];
    for (const [unit, scale] of units) {
      if (bytes >= scale) return `${(bytes / scale).toFixed(1).replace(/\.0$/, "")} ${unit}`;
    }
    return `${bytes} bytes`;
  }

  function say(message, isError) {
    status.textContent = message;
    status.className = isError ? "field-error" : "";
    status.setAttribute("role", isError ? "alert" : "status");
  }

  function tooLarge(file) {
    const image = IMAGE_TYPES.includes(file.type);
    const limit = Number(image ? form.dataset.maxImageBytes : form.dataset.maxBytes);
    if (file.size <= limit) return "";
    return `${file.name} is ${humanSize(file.size)}; the largest ${image ? "image " : ""}upload is ${humanSize(limit)}.`;
  }

  function upload(file) {
    const refusal = tooLarge(file);
    if (refusal) return say(refusal, true);
    const data = new FormData();
    data.append("file", file);
    const title = form.querySelector("[name=title]").value.trim();
    if (title) data.append("title", title);
    const request = new XMLHttpRequest();
    request.open("POST", form.dataset.apiUrl);
    request.setRequestHeader("X-CSRFToken", csrf);
    request.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const done = Math.floor((event.loaded / event.total) * 100);
      bar.value = done;
      percent.textContent = `${done}%`;
    });
    request.addEventListener("load", () => {
      let answer = {};
      try { answer = JSON.parse(request.responseText); } catch (e) { answer = {}; }
      form.classList.remove("uploading");
      if (request.status === 200 || request.status === 201) {
        bar.value = 100;
        percent.textContent = "100%";
        say(answer.note || `Uploaded “${answer.title}”.`, false);
        form.reset();
        htmx.ajax("GET", form.dataset.listUrl, { target: "#clip-list", swap: "outerHTML" });
      } else {
        progress.hidden = true;
        say(answer.error || `The upload failed (HTTP ${request.status}).`, true);
      }
    });
    request.addEventListener("error", () => {
      form.classList.remove("uploading");
      progress.hidden = true;
      say("The upload was interrupted (the connection failed); try again.", true);
    });
    bar.value = 0;
    percent.textContent = "0%";
    progress.hidden = false;
    form.classList.add("uploading");
    say(`Uploading ${file.name} (${humanSize(file.size)})…`, false);
    request.send(data);
  }

  input.addEventListener("change", () => { if (input.files.length) upload(input.files[0]); });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (input.files.length) upload(input.files[0]);
    else say("Pick a file first, or drag one here.", true);
  });
  ["dragenter", "dragover"].forEach((name) => form.addEventListener(name, (event) => {
    event.preventDefault();
    form.classList.add("dragging");
  }));
  ["dragleave", "drop"].forEach((name) => form.addEventListener(name, () => form.classList.remove("dragging")));
  form.addEventListener("drop", (event) => {
    event.preventDefault();
    const files = event.dataTransfer.files;
    if (files.length !== 1) return say("Drop one file at a time.", true);
    upload(files[0]);
  });
})();
