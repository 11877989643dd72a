// media-progress.js: reports a lesson video's position and the share actually watched to
// POST /api/v1/lessons/{id}/progress, and resumes where the learner stopped. The video carries
// data-progress-url, data-csrf (the CSRF token: the cookie is HttpOnly) and data-position.
(function () {
  "use strict";
  var video = document.querySelector("video[data-progress-url]");
  if (!video || !window.fetch) { return; }
  var url = video.getAttribute("data-progress-url");
  var csrf = video.getAttribute("data-csrf");
  var resumeAt = parseFloat(video.getAttribute("data-position") || "0");
  var lastSent = 0;

  function watchedPercent() {
    var d = video.duration, seen = 0, r = video.played;
    if (!d || !isFinite(d)) { return 0; }
    for (var i = 0; i < r.length; i++) { seen += r.end(i) - r.start(i); }
    return Math.min(100, Math.floor(seen * 100 / d));
  }

  function send() {
    lastSent = Date.now();
    var body = { event: "position", position_seconds: Math.round(video.currentTime * 10) / 10, watched_percent: watchedPercent() };
    if (video.duration && isFinite(video.duration)) { body.duration_seconds = Math.round(video.duration); }
    fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).catch(function () { /* offline: the next report carries the latest position */ });
  }

  video.addEventListener("loadedmetadata", function () {
    if (resumeAt > 0 && resumeAt < video.duration - 5) { video.currentTime = resumeAt; }
  });
  video.addEventListener("timeupdate", function () {
    if (!video.paused && Date.now() - lastSent > 15000) { send(); }
  });
  video.addEventListener("pause", send);
  video.addEventListener("ended", send);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && video.currentTime > 0) { send(); }
  });
})();
