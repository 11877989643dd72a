// The cmi5 player page: it lists the course's units with their status and launches the chosen
// one through the launch API (with the learner's session and CSRF token), in the page's frame
// or, when the unit asks for its own window (launchMethod OwnWindow, or a unit elsewhere on
// the web), in a new window. When a unit ends it sends the learner to the return page, which
// tells this page (same origin) to refresh the statuses.
//
// On the return page itself the script only tells the player that the unit has ended.
(function () {
  "use strict";
  var back = document.getElementById("cmi5-return");
  if (back) {
    var msg = { type: "cmi5-returned", lesson: back.getAttribute("data-lesson") };
    try {
      if (window.parent && window.parent !== window) {
        window.parent.postMessage(msg, window.location.origin);
      } else if (window.opener) {
        window.opener.postMessage(msg, window.location.origin);
        window.close();
      }
    } catch (e) { /* another origin: the page's link leads back */ }
    return;
  }
  var root = document.getElementById("cmi5-player");
  if (!root) {
    return;
  }
  var lesson = root.getAttribute("data-lesson");
  var csrf = root.getAttribute("data-csrf");
  var frame = document.getElementById("cmi5-frame");
  var message = document.getElementById("cmi5-message");
  var lessonStatus = document.getElementById("cmi5-status");
  var labels = JSON.parse(document.getElementById("cmi5-labels").textContent || "{}");
  var open = null; // the window of a unit launched in its own window
  var timer = null;

  function say(text) {
    message.textContent = text || "";
  }

  function refresh() {
    fetch("/api/v1/lessons/" + lesson + "/cmi5", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (c) {
        if (!c) {
          return;
        }
        (c.items || []).forEach(function (it) {
          if (it.kind !== "au") {
            return;
          }
          var el = document.querySelector('[data-status-for="' + it.index + '"]');
          if (el && labels[it.status]) {
            el.textContent = labels[it.status];
          }
        });
        if (labels[c.status]) {
          lessonStatus.textContent = labels[c.status];
          lessonStatus.setAttribute("data-status", c.status);
        }
      })
      .catch(function () {});
  }

  function follow() {
    if (timer) {
      return;
    }
    timer = window.setInterval(function () {
      refresh();
      if (open && open.closed) {
        open = null;
        window.clearInterval(timer);
        timer = null;
        say(labels._returned || root.getAttribute("data-returned"));
      }
    }, 5000);
  }

  function launch(btn) {
    var au = parseInt(btn.getAttribute("data-au"), 10);
    var own = btn.getAttribute("data-method") === "OwnWindow" || btn.hasAttribute("data-remote");
    // A window opened now, while the click is being handled, is not blocked as a pop-up.
    var win = own ? window.open("about:blank", "_blank") : null;
    say(root.getAttribute("data-loading"));
    fetch("/api/v1/lessons/" + lesson + "/launches", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ au: au })
    })
      .then(function (r) {
        if (!r.ok) {
          throw new Error("launch " + r.status);
        }
        return r.json();
      })
      .then(function (l) {
        if (own || l.launch_method === "OwnWindow") {
          if (!win) {
            win = window.open("about:blank", "_blank");
          }
          if (win) {
            win.location.href = l.url;
            open = win;
            say(root.getAttribute("data-opened"));
          } else {
            window.location.href = l.url; // pop-ups blocked: this window goes to the unit
            return;
          }
        } else {
          frame.hidden = false;
          frame.src = l.url;
          say("");
          frame.focus();
        }
        follow();
        refresh();
      })
      .catch(function () {
        if (win) {
          win.close();
        }
        say(root.getAttribute("data-error"));
      });
  }

  document.querySelectorAll(".cmi5-launch").forEach(function (btn) {
    btn.addEventListener("click", function () { launch(btn); });
  });
  window.addEventListener("message", function (ev) {
    if (ev.origin !== window.location.origin || !ev.data || ev.data.type !== "cmi5-returned") {
      return;
    }
    frame.hidden = true;
    frame.removeAttribute("src");
    say(root.getAttribute("data-returned"));
    refresh();
  });
  window.addEventListener("focus", refresh);
})();
