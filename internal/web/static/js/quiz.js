// GLC quiz page: saves each answer as soon as it changes, and never loses one.
//
// - Every change is debounced (400 ms), then queued in localStorage (key glc.quiz.<attempt>)
//   with an increasing seq, then sent with PUT /api/v1/attempts/<id>/answers/<question>.
//   An answer leaves the queue only when the server acknowledged that very seq (200): the
//   server commits it before answering, and keeps the highest seq, so a late retry of an
//   older answer cannot overwrite a newer one.
// - A lost connection shows at once (navigator.onLine, the offline event, or a failed
//   request); queued answers are retried with exponential backoff (1 s to 30 s) and as soon as
//   the browser is online again. Answers queued before a reload are restored into the form
//   and sent again.
// - A countdown runs from the server's deadline (corrected by the clock offset between server
//   and browser).
// - Submitting waits until the queue is empty.
// The page works without this script: each question is a form with its own save button.
(function () {
  "use strict";

  var root = document.getElementById("quiz-attempt");
  if (!root || root.getAttribute("data-status") !== "in_progress" || !window.fetch) {
    return;
  }
  var attemptId = root.getAttribute("data-attempt-id");
  var csrf = root.getAttribute("data-csrf");
  var key = "glc.quiz." + attemptId;
  var msg = function (name) { return root.getAttribute("data-msg-" + name) || ""; };
  var banner = document.getElementById("quiz-connection");
  var DEBOUNCE = 400, MIN_BACKOFF = 1000, MAX_BACKOFF = 30000;

  var pending = load();          // question id -> {response, seq}
  var inflight = {};             // question id -> seq being sent
  var debounce = {};             // question id -> timer
  var acked = {};                // question id -> last acknowledged seq
  var retryTimer = null, backoff = MIN_BACKOFF, closed = false, lastSeq = 0, offline = false;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }
  function persist() {
    try {
      if (Object.keys(pending).length === 0) { window.localStorage.removeItem(key); } else { window.localStorage.setItem(key, JSON.stringify(pending)); }
    } catch (e) { /* private mode or full: the in-memory queue still works */ }
  }

  // nextSeq is the time in microseconds, kept strictly increasing on this page.
  function nextSeq() {
    var s = Date.now() * 1000;
    if (s <= lastSeq) { s = lastSeq + 1; }
    lastSeq = s;
    return s;
  }

  function forms() { return Array.prototype.slice.call(root.querySelectorAll("form.quiz-question")); }
  function formOf(qid) { return document.getElementById("q-" + qid); }

  // status shows a question's save state: kind is "" (saved or saving), "queued" or "error".
  function status(qid, text, kind) {
    var el = document.getElementById("q-" + qid + "-status");
    if (el) {
      el.textContent = text;
      el.className = "quiz-status" + (kind ? " " + kind : "");
    }
  }

  // collect reads a question form into the response shape of the API, or null when the form
  // does not hold a valid answer yet.
  function collect(form) {
    var kind = form.getAttribute("data-kind");
    var els = form.elements, i, r = {};
    switch (kind) {
      case "single": case "true_false": case "multiple":
        r.option_ids = [];
        for (i = 0; i < els.length; i++) {
          if (els[i].name === "option" && els[i].checked) { r.option_ids.push(els[i].value); }
        }
        return r;
      case "short": case "essay":
        r.text = els.namedItem("text").value;
        return r;
      case "numeric":
        var raw = els.namedItem("number").value.trim().replace(/[\s\u00a0\u202f]/g, "");
        if (raw.indexOf(",") >= 0 && raw.indexOf(".") < 0) { raw = raw.replace(",", "."); }
        if (raw === "" || !isFinite(Number(raw))) { return null; }
        r.number = Number(raw);
        var unit = els.namedItem("unit");
        if (unit && unit.value) { r.unit = unit.value; }
        return r;
      case "matching":
        r.pairs = {};
        for (i = 0; i < els.length; i++) {
          if (els[i].name && els[i].name.indexOf("pair.") === 0 && els[i].value) { r.pairs[els[i].name.slice(5)] = els[i].value; }
        }
        return r;
      case "ordering":
        var slots = [], n = 0;
        for (i = 0; i < els.length; i++) {
          if (els[i].name && els[i].name.indexOf("pos.") === 0) {
            n++;
            var p = parseInt(els[i].value, 10);
            if (!(p >= 1) || slots[p - 1]) { return null; }
            slots[p - 1] = els[i].name.slice(4);
          }
        }
        for (i = 0; i < n; i++) { if (!slots[i]) { return null; } }
        r.order = slots;
        return r;
      case "cloze":
        r.blanks = [];
        for (i = 0; i < els.length; i++) {
          if (els[i].name && els[i].name.indexOf("blank.") === 0) { r.blanks[parseInt(els[i].name.slice(6), 10)] = els[i].value; }
        }
        for (i = 0; i < r.blanks.length; i++) { if (r.blanks[i] === undefined) { r.blanks[i] = ""; } }
        return r;
    }
    return null;
  }

  // restore puts a queued response back into its form (after a reload).
  function restore(form, r) {
    var els = form.elements, i;
    for (i = 0; i < els.length; i++) {
      var el = els[i], name = el.name;
      if (!name) { continue; }
      if (name === "option" && r.option_ids) { el.checked = r.option_ids.indexOf(el.value) >= 0; }
      else if (name === "text" && typeof r.text === "string") { el.value = r.text; }
      else if (name === "number" && typeof r.number === "number") { el.value = String(r.number); }
      else if (name === "unit") { el.value = r.unit || ""; }
      else if (name.indexOf("pair.") === 0 && r.pairs) { el.value = r.pairs[name.slice(5)] || ""; }
      else if (name.indexOf("pos.") === 0 && r.order) { el.value = String(r.order.indexOf(name.slice(4)) + 1); }
      else if (name.indexOf("blank.") === 0 && r.blanks) { el.value = r.blanks[parseInt(name.slice(6), 10)] || ""; }
    }
  }

  function showOffline() {
    offline = true;
    banner.textContent = msg("offline");
    banner.hidden = false;
  }
  function showOnline() {
    if (!offline) { return; }
    offline = false;
    banner.textContent = "";
    banner.hidden = true;
  }

  function enqueue(form) {
    if (closed) { return; }
    var qid = form.getAttribute("data-question-id");
    var r = collect(form);
    if (r === null) {
      status(qid, form.getAttribute("data-kind") === "ordering" ? msg("order") : msg("invalid"), "error");
      return;
    }
    pending[qid] = { response: r, seq: nextSeq() };
    persist();
    status(qid, navigator.onLine ? msg("saving") : msg("queued"), navigator.onLine ? "" : "queued");
    send(qid);
  }

  function scheduleRetry() {
    if (retryTimer || closed) { return; }
    retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF);
  }

  function flush() {
    Object.keys(pending).forEach(send);
  }

  function send(qid) {
    var item = pending[qid];
    if (!item || closed || inflight[qid] === item.seq) { return; }
    if (!navigator.onLine) {
      showOffline();
      status(qid, msg("queued"), "queued");
      scheduleRetry();
      return;
    }
    if (inflight[qid]) { return; } // the newer value goes when the request in flight ends
    inflight[qid] = item.seq;
    fetch("/api/v1/attempts/" + attemptId + "/answers/" + qid, {
      method: "PUT", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ response: item.response, seq: item.seq })
    }).then(function (res) {
      if (res.ok) {
        return res.json().then(function (body) {
          acked[qid] = Math.max(acked[qid] || 0, item.seq);
          if (pending[qid] && pending[qid].seq <= body.seq) { delete pending[qid]; persist(); }
          showOnline();
          backoff = MIN_BACKOFF;
          if (!pending[qid]) {
            var t = new Date(body.saved_at);
            status(qid, msg("saved") + " " + t.toLocaleTimeString());
          }
        });
      }
      if (res.status === 409) { return conflict(qid); }
      if (res.status === 422) {
        if (pending[qid] && pending[qid].seq === item.seq) { delete pending[qid]; persist(); }
        status(qid, msg("invalid"), "error");
        return;
      }
      if (res.status === 401 || res.status === 403) {
        status(qid, msg("auth"), "error");
        banner.textContent = msg("auth");
        banner.hidden = false;
      }
      throw new Error("status " + res.status);
    }).catch(function () {
      // Network failure or a server error: keep the answer queued and try again later.
      if (!navigator.onLine) { showOffline(); }
      else if (!banner.textContent) { banner.textContent = msg("offline"); banner.hidden = false; offline = true; }
      status(qid, msg("queued"), "queued");
      scheduleRetry();
    }).then(function () {
      delete inflight[qid];
      if (pending[qid] && pending[qid].seq !== item.seq) { send(qid); }
    });
  }

  // conflict: the attempt is finished or this question is locked (sequential navigation).
  function conflict(qid) {
    return fetch("/api/v1/attempts/" + attemptId, { credentials: "same-origin", cache: "no-store" }).then(function (res) {
      return res.ok ? res.json() : null;
    }).then(function (a) {
      if (!a || a.status !== "in_progress") {
        closeAll(msg("closed"));
        return;
      }
      delete pending[qid];
      persist();
      status(qid, msg("locked"), "error");
    });
  }

  function closeAll(text) {
    closed = true;
    pending = {};
    persist();
    banner.textContent = text;
    banner.hidden = false;
    forms().forEach(function (f) {
      var fs = f.querySelector("fieldset");
      if (fs) { fs.disabled = true; }
    });
    var btn = document.getElementById("quiz-submit-button");
    if (btn) { btn.disabled = true; }
  }

  // --- wiring ---
  forms().forEach(function (form) {
    var qid = form.getAttribute("data-question-id");
    var serverSeq = parseInt(form.getAttribute("data-seq") || "0", 10) || 0;
    lastSeq = Math.max(lastSeq, serverSeq);
    acked[qid] = serverSeq;
    var queued = pending[qid];
    if (queued) {
      if (queued.seq <= serverSeq) { delete pending[qid]; } else { restore(form, queued.response); status(qid, msg("queued"), "queued"); }
    }
    var onChange = function () {
      window.clearTimeout(debounce[qid]);
      debounce[qid] = window.setTimeout(function () { enqueue(form); }, DEBOUNCE);
    };
    form.addEventListener("input", onChange);
    form.addEventListener("change", onChange);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      window.clearTimeout(debounce[qid]);
      enqueue(form);
    });
  });
  Object.keys(pending).forEach(function (qid) { if (!formOf(qid)) { delete pending[qid]; } });
  Object.keys(pending).forEach(function (qid) { lastSeq = Math.max(lastSeq, pending[qid].seq); });
  persist();

  window.addEventListener("offline", function () { showOffline(); });
  window.addEventListener("online", function () {
    backoff = MIN_BACKOFF;
    if (retryTimer) { window.clearTimeout(retryTimer); retryTimer = null; }
    banner.textContent = msg("back");
    banner.hidden = false;
    offline = true;
    if (Object.keys(pending).length === 0) { showOnline(); }
    flush();
  });
  if (!navigator.onLine) { showOffline(); }

  // Submitting: send what is queued first; never submit while answers wait.
  var submit = document.getElementById("quiz-submit");
  if (submit) {
    submit.addEventListener("submit", function (ev) {
      Object.keys(debounce).forEach(function (qid) {
        window.clearTimeout(debounce[qid]);
        var f = formOf(qid);
        var r = f && collect(f);
        if (r && (!pending[qid] || JSON.stringify(pending[qid].response) !== JSON.stringify(r))) {
          pending[qid] = { response: r, seq: nextSeq() };
        }
      });
      debounce = {};
      persist();
      if (Object.keys(pending).length === 0) { return; }
      ev.preventDefault();
      var out = document.getElementById("quiz-submit-status");
      out.textContent = navigator.onLine ? msg("flushing") : msg("unsent");
      flush();
      var waited = 0;
      var wait = window.setInterval(function () {
        waited += 250;
        if (Object.keys(pending).length === 0) {
          window.clearInterval(wait);
          submit.submit();
        } else if (waited >= 15000 || closed) {
          window.clearInterval(wait);
          out.textContent = msg("unsent");
        }
      }, 250);
    });
  }

  // Countdown from the server's deadline.
  var timer = document.getElementById("quiz-timer");
  var deadline = Date.parse(root.getAttribute("data-deadline") || "");
  var skew = Date.parse(root.getAttribute("data-server-now") || "") - Date.now();
  if (timer && !isNaN(deadline)) {
    if (isNaN(skew)) { skew = 0; }
    var label = document.createElement("span");
    var clock = document.createElement("strong");
    label.textContent = msg("remaining") + " ";
    clock.id = "quiz-countdown";
    timer.textContent = "";
    timer.appendChild(label);
    timer.appendChild(clock);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var tick = function () {
      var left = Math.max(0, Math.floor((deadline - (Date.now() + skew)) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor(left / 60) % 60, s = left % 60;
      clock.textContent = (h > 0 ? h + ":" + pad(m) : String(m)) + ":" + pad(s);
      if (left === 0) {
        window.clearInterval(every);
        timer.setAttribute("aria-live", "assertive");
        label.textContent = msg("timeup");
        clock.textContent = "";
        closeAll(msg("timeup"));
        window.setTimeout(function () { window.location.reload(); }, 5000);
      }
    };
    var every = window.setInterval(tick, 1000);
    tick();
  }

  // For tests (chromedp) and debugging.
  window.GLCQuiz = {
    pending: function () { return JSON.parse(JSON.stringify(pending)); },
    acked: function () { return JSON.parse(JSON.stringify(acked)); },
    flush: flush,
    offline: function () { return offline; },
    closed: function () { return closed; }
  };
})();
