// The call page: clicking a flag or silence on the timeline, an evidence time or a transcript line
// seeks the recording there and plays; the line being heard is highlighted. No inline script: the
// page's Content-Security-Policy allows only files from this site.
"use strict";
(function () {
  const player = document.getElementById("player");
  if (!player) {
    return;
  }

  function seekTo(seconds) {
    if (!Number.isFinite(seconds)) {
      return;
    }
    player.currentTime = seconds;
    const playing = player.play();
    if (playing && playing.catch) {
      playing.catch(function () { /* autoplay refused: the position is still set */ });
    }
  }

  function startOf(element) {
    return parseFloat(element.getAttribute("data-start"));
  }

  document.addEventListener("click", function (event) {
    const target = event.target.closest("[data-start]");
    if (!target || target.closest("form")) {
      return;
    }
    event.preventDefault();
    seekTo(startOf(target));
  });

  // The timeline's flags are focusable (tabindex=0, role=button): Enter or Space seeks too.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") {
      return;
    }
    const target = event.target.closest ? event.target.closest("svg [data-start]") : null;
    if (target) {
      event.preventDefault();
      seekTo(startOf(target));
    }
  });

  const lines = Array.prototype.slice.call(document.querySelectorAll(".transcript .line"));
  let current = null;
  player.addEventListener("timeupdate", function () {
    const now = player.currentTime;
    let found = null;
    for (const line of lines) {
      if (startOf(line) <= now && now < parseFloat(line.getAttribute("data-end"))) {
        found = line;
      }
    }
    if (found !== current) {
      if (current) {
        current.classList.remove("current");
      }
      if (found) {
        found.classList.add("current");
      }
      current = found;
    }
  });

  // From the queue: /calls/ID?t=SECONDS opens the call at the flagged moment (without playing).
  const wanted = parseFloat(new URLSearchParams(window.location.search).get("t"));
  if (Number.isFinite(wanted)) {
    if (player.readyState >= 1) {
      player.currentTime = wanted;
    } else {
      player.addEventListener("loadedmetadata", function () { player.currentTime = wanted; }, { once: true });
    }
  }
})();
