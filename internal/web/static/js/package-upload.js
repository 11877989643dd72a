// Uploads a package with a progress bar (XMLHttpRequest upload events), then opens the new
// lesson. Without JavaScript the form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("package-upload");
  if (!form) {
    return;
  }
  var box = form.querySelector(".upload-progress");
  var bar = document.getElementById("package-progress");
  var status = document.getElementById("package-status");
  form.addEventListener("submit", function (ev) {
    var input = document.getElementById("package-file");
    if (!input.files || !input.files.length) {
      return;
    }
    ev.preventDefault();
    var data = new FormData();
    data.append("file", input.files[0]);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("data-api"));
    xhr.setRequestHeader("X-CSRF-Token", form.getAttribute("data-csrf"));
    xhr.setRequestHeader("Accept", "application/json");
    box.hidden = false;
    bar.value = 0;
    status.textContent = "";
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      status.textContent = form.getAttribute("data-processing");
    });
    xhr.addEventListener("load", function () {
      var body = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch (e) {
        body = {};
      }
      if (xhr.status === 201 && body.id) {
        window.location.assign("/lessons/" + body.id + "/play");
        return;
      }
      status.textContent = form.getAttribute("data-failed") + " " + ((body.error && body.error.message) || "");
    });
    xhr.addEventListener("error", function () {
      status.textContent = form.getAttribute("data-failed");
    });
    xhr.send(data);
  });
})();
