// The SCORM API frame. It runs on the content origin (GLC_CONTENT_ORIGIN, or the portal's own
// origin when that is unset), holds the scorm-again runtime as window.API (SCORM 1.2) or
// window.API_1484_11 (SCORM 2004) for the SCO framed inside it, and commits the SCO's data to
// the server with the session's commit token. It takes its launch data from the player page by
// postMessage (accepted only from the portal's origin) and tells the player page about
// commits, terminations and navigation requests the same way.
(function () {
  "use strict";
  var body = document.body;
  var parentOrigin = body.getAttribute("data-parent-origin");
  var standard = body.getAttribute("data-standard");
  var sco = document.getElementById("sco");
  var api = null;
  var launch = null;
  var csrf = "";
  var seq = 0;
  var dirty = false;
  var terminated = false;
  var timer = null;

  function tell(msg) {
    window.parent.postMessage(msg, parentOrigin);
  }

  // commit sends the whole data model. keepalive lets the last commit finish after the page
  // is gone (fetch keepalive caps bodies at 64 KiB, so larger ones go without it).
  function commit(isFinal, keepalive) {
    if (!api || !launch) {
      return Promise.resolve();
    }
    seq += 1;
    dirty = false;
    var payload = JSON.stringify({
      item: launch.item, session: launch.session, seq: seq, terminated: !!isFinal,
      cmi: api.renderCMIToJSONObject()
    });
    var headers = { "Content-Type": "application/json", "X-SCORM-Commit-Token": launch.commit_token };
    if (csrf) {
      headers["X-CSRF-Token"] = csrf;
    }
    var opts = { method: "POST", headers: headers, body: payload, credentials: "same-origin" };
    if (keepalive && payload.length < 60000) {
      opts.keepalive = true;
    }
    return fetch(launch.commit_url, opts).then(function (r) {
      if (!r.ok) {
        throw new Error("commit " + r.status);
      }
      return r.json();
    }).then(function (res) {
      tell({ type: "committed", item: launch.item, result: res });
    }).catch(function (err) {
      dirty = true;
      tell({ type: "commit-failed", item: launch.item, error: String(err) });
    });
  }

  function navRequest() {
    try {
      var req = api.GetValue ? api.adl.nav.request : "";
      return req || "_none_";
    } catch (e) {
      return "_none_";
    }
  }

  function start(data) {
    launch = data;
    var settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5, autoProgress: false };
    var Ctor = standard === "scorm2004" ? window.Scorm2004API : window.Scorm12API;
    if (standard === "scorm2004" && data.sequencing) {
      try {
        api = new Ctor(Object.assign({}, settings, { sequencing: data.sequencing }));
      } catch (e) {
        api = null;
      }
    }
    if (!api) {
      api = new Ctor(settings);
    }
    api.loadFromJSON(data.cmi || {});
    // scorm-again's sequencer starts at the first activity; move it to the one launched, so
    // that adl.nav.request_valid.* answer for this SCO.
    if (standard === "scorm2004" && data.sequencing && api.getSequencingState) {
      try {
        var state = api.getSequencingState();
        if (!state.currentActivity || state.currentActivity.id !== data.item) {
          api.processNavigationRequest("jump", data.item);
        }
      } catch (e) {
        // sequencing is an aid here; the player decides the navigation
      }
    }
    var set = standard === "scorm2004" ? "SetValue" : "LMSSetValue";
    var cmt = standard === "scorm2004" ? "Commit" : "LMSCommit";
    var fin = standard === "scorm2004" ? "Terminate" : "LMSFinish";
    api.on(set, function () { dirty = true; });
    api.on(cmt, function () { commit(false, false); });
    api.on(fin, function () {
      terminated = true;
      var nav = standard === "scorm2004" ? navRequest() : "_none_";
      // Tell the player once the final commit is acknowledged (or failed), so that the
      // outline shows the final status before the player moves on.
      commit(true, true).then(function () {
        tell({ type: "terminated", item: launch.item, nav: nav });
      });
    });
    if (standard === "scorm2004") {
      window.API_1484_11 = api;
    } else {
      window.API = api;
    }
    timer = window.setInterval(function () {
      if (dirty && !terminated) {
        commit(false, false);
      }
    }, 30000);
    sco.title = data.title || sco.title;
    sco.src = data.url;
  }

  window.addEventListener("message", function (ev) {
    if (ev.origin !== parentOrigin || ev.source !== window.parent) {
      return;
    }
    var m = ev.data || {};
    if (m.type === "launch" && !launch && m.data) {
      csrf = m.csrf || "";
      start(m.data);
    }
  });

  // The page is going away (the learner moved on or closed the tab): the SCO's own unload
  // handlers ran first; send what it left uncommitted.
  window.addEventListener("pagehide", function () {
    if (timer) {
      window.clearInterval(timer);
    }
    if (api && dirty && !terminated) {
      commit(false, true);
    }
  });

  tell({ type: "ready" });
})();
