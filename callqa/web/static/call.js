// The call page: clicking a flag or silence on the timeline, an evidence time or a transcript line
// seeks the recording there and plays; the line being heard is highlighted; the card or line the
// page opens at is kept clear of the sticky player; a dismissal without a reason says so on its
// card. No inline script: the page's Content-Security-Policy allows only files from this site.
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
    if (!target || target.closest("form") || event.target.closest("a")) {
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

  // The sticky player must never cover the card or line the page scrolls to: its height (which
  // depends on the window's width) becomes --player-h, which scroll-margin-top uses in app.css.
  const box = document.getElementById("player-box");
  function keepClearOfPlayer() {
    if (box) {
      document.documentElement.style.setProperty("--player-h", Math.ceil(box.getBoundingClientRect().height) + "px");
    }
  }
  keepClearOfPlayer();
  window.addEventListener("resize", keepClearOfPlayer);
  function showTarget() {
    const id = decodeURIComponent(window.location.hash.slice(1));
    const target = id ? document.getElementById(id) : null;
    if (target) {
      target.scrollIntoView({ block: "start" });
    }
  }
  // The browser scrolled to #flag-N before the margin was known: scroll again, and again once the
  // timeline and fonts have settled (load).
  showTarget();
  window.addEventListener("load", function () { keepClearOfPlayer(); showTarget(); });
  window.addEventListener("hashchange", showTarget);

  // A dismissal without a reason: the browser refuses the form (the field is `required`); say why on
  // the flag's own card and bring the card into view below the player.
  document.addEventListener("invalid", function (event) {
    const card = event.target.closest ? event.target.closest(".flag-card") : null;
    if (!card) {
      return;
    }
    event.preventDefault();  // no browser bubble: the card says it
    const error = card.querySelector(".card-error");
    if (error) {
      error.hidden = false;
    }
    event.target.setAttribute("aria-invalid", "true");
    card.scrollIntoView({ block: "start" });
    event.target.focus({ preventScroll: true });
  }, true);
  document.addEventListener("input", function (event) {
    const card = event.target.closest ? event.target.closest(".flag-card") : null;
    if (card && event.target.name === "reason" && event.target.value.trim()) {
      const error = card.querySelector(".card-error");
      if (error) {
        error.hidden = true;
      }
      event.target.removeAttribute("aria-invalid");
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
