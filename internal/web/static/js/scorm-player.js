// The SCORM player page: the outline, previous/next, and the API frame that runs each SCO.
// It asks the server to launch an item (with the learner's session and CSRF token), hands the
// launch data to the API frame by postMessage, and follows the frame's reports (commits,
// terminations, navigation requests). It never gives the frame anything but the launch data.
(function () {
  "use strict";
  var root = document.getElementById("scorm-player");
  if (!root) {
    return;
  }
  var attempt = root.getAttribute("data-attempt");
  var csrf = root.getAttribute("data-csrf");
  var standard = root.getAttribute("data-standard");
  var frameURL = root.getAttribute("data-frame-url");
  var frameOrigin = root.getAttribute("data-frame-origin");
  var sameOrigin = frameOrigin === window.location.origin;
  var outline = JSON.parse(document.getElementById("scorm-outline").textContent || "[]");
  var labels = JSON.parse(document.getElementById("scorm-labels").textContent || "{}");
  var frame = document.getElementById("scorm-frame");
  var message = document.getElementById("scorm-message");
  var prev = document.getElementById("scorm-prev");
  var next = document.getElementById("scorm-next");
  var current = null;
  var pending = null;

  var items = outline.filter(function (r) { return r.launchable && !r.hidden; });

  function say(text) {
    message.textContent = text || "";
  }

  function row(id) {
    for (var i = 0; i < items.length; i++) {
      if (items[i].id === id) {
        return i;
      }
    }
    return -1;
  }

  function flowAllowed() {
    var i = row(current);
    return standard !== "scorm2004" || (i >= 0 && items[i].flow);
  }

  function updateNav() {
    var i = row(current);
    var flow = flowAllowed() && items.length > 1;
    prev.hidden = !flow || i <= 0 || (i >= 0 && items[i].forward_only);
    next.hidden = !flow || i < 0 || i >= items.length - 1;
    var links = root.querySelectorAll(".scorm-item");
    for (var j = 0; j < links.length; j++) {
      if (links[j].getAttribute("data-item") === current) {
        links[j].setAttribute("aria-current", "step");
      } else {
        links[j].removeAttribute("aria-current");
      }
    }
  }

  function launch(id) {
    say(root.getAttribute("data-loading"));
    fetch("/api/v1/scorm/attempts/" + attempt + "/launch", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(id ? { item: id } : {})
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) {
          throw new Error((body.error && body.error.message) || ("HTTP " + r.status));
        }
        return body;
      });
    }).then(function (ld) {
      current = ld.item;
      pending = ld;
      frame.src = frameURL;
      updateNav();
      say("");
    }).catch(function (err) {
      say(root.getAttribute("data-error") + " " + err.message);
    });
  }

  function finish() {
    current = null;
    frame.src = "about:blank";
    updateNav();
    say(root.getAttribute("data-finished"));
  }

  function status12(item) {
    if (item.success_status === "passed" || item.success_status === "failed") {
      return item.success_status;
    }
    return item.completion_status;
  }

  function onCommitted(m) {
    var res = m.result || {};
    if (res.item) {
      var el = root.querySelector('[data-status-for="' + CSS.escape(res.item.identifier) + '"]');
      if (el) {
        el.textContent = labels[status12(res.item)] || labels.unknown;
      }
    }
    if (res.attempt) {
      var st = document.getElementById("scorm-attempt-status");
      st.textContent = labels[status12(res.attempt)] || labels.unknown;
    }
  }

  // onTerminated follows the SCO's navigation request (SCORM 2004 adl.nav.request); after a
  // SCORM 1.2 SCO finishes, the next item in the outline opens.
  function onTerminated(m) {
    var nav = String(m.nav || "_none_");
    var i = row(m.item);
    var choice = /^\{target=([^}]+)\}(choice|jump)$/.exec(nav);
    if (choice) {
      launch(choice[1]);
    } else if (nav === "continue" || (standard !== "scorm2004" && nav === "_none_")) {
      if (i >= 0 && i < items.length - 1) {
        launch(items[i + 1].id);
      } else {
        finish();
      }
    } else if (nav === "previous" && i > 0) {
      launch(items[i - 1].id);
    } else {
      finish();
    }
  }

  window.addEventListener("message", function (ev) {
    if (ev.origin !== frameOrigin || ev.source !== frame.contentWindow) {
      return;
    }
    var m = ev.data || {};
    if (m.type === "ready" && pending) {
      frame.contentWindow.postMessage({ type: "launch", data: pending, csrf: sameOrigin ? csrf : "" }, frameOrigin);
      pending = null;
    } else if (m.type === "committed") {
      onCommitted(m);
    } else if (m.type === "terminated") {
      onTerminated(m);
    }
  });

  root.addEventListener("click", function (ev) {
    var a = ev.target.closest(".scorm-item");
    if (!a) {
      return;
    }
    ev.preventDefault();
    if (a.getAttribute("aria-disabled") === "true") {
      return;
    }
    launch(a.getAttribute("data-item"));
  });
  prev.addEventListener("click", function () {
    var i = row(current);
    if (i > 0) {
      launch(items[i - 1].id);
    }
  });
  next.addEventListener("click", function () {
    var i = row(current);
    if (i >= 0 && i < items.length - 1) {
      launch(items[i + 1].id);
    }
  });

  var start = decodeURIComponent((window.location.hash || "").slice(1));
  launch(row(start) >= 0 ? start : "");
})();
