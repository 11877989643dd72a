// Uploads a package with a progress bar (XMLHttpRequest upload events), with the optional
// lesson settings, then opens the new lesson's page (settings and results; not the player,
// which would start a preview attempt). Without JavaScript the form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("package-upload");
  if (!form) {
    return;
  }
  var box = form.querySelector(".upload-progress");
  var bar = document.getElementById("package-progress");
  var status = document.getElementById("package-status");
  // follow polls a background import until it is done (open the lesson) or failed.
  function follow(url) {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
      return r.json();
    }).then(function (im) {
      if (im.status === "done" && im.lesson) {
        window.location.assign("/lessons/" + im.lesson.id + "/package?imported=1");
      } else if (im.status === "failed") {
        status.textContent = form.getAttribute("data-failed") + " " + (im.error || "");
      } else {
        window.setTimeout(function () { follow(url); }, 1500);
      }
    }).catch(function () {
      window.setTimeout(function () { follow(url); }, 3000);
    });
  }

  form.addEventListener("submit", function (ev) {
    var input = document.getElementById("package-file");
    if (!input.files || !input.files.length) {
      return;
    }
    ev.preventDefault();
    var data = new FormData();
    // The settings go before the file: the server reads them as the upload streams in.
    ["max_attempts", "mastery_score"].forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && field.value !== "") {
        data.append(name, field.value);
      }
    });
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
        window.location.assign("/lessons/" + body.id + "/package?imported=1");
        return;
      }
      var fields = (xhr.status === 422 && body.error && body.error.fields) || {};
      var bad = false;
      ["max_attempts", "mastery_score"].forEach(function (name) {
        var field = form.elements.namedItem(name);
        var msg = field && document.getElementById(field.id + "-error");
        if (!msg) {
          return;
        }
        var ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id !== msg.id; });
        if (fields[name]) {
          bad = true;
          msg.hidden = false;
          ids.push(msg.id);
          field.setAttribute("aria-invalid", "true");
        } else {
          msg.hidden = true;
          field.removeAttribute("aria-invalid");
        }
        field.setAttribute("aria-describedby", ids.join(" "));
      });
      if (bad) {
        // Bad settings: their messages show beside the fields.
        box.hidden = true;
        return;
      }
      if (xhr.status === 202 && body.status_url) {
        follow(body.status_url);
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
