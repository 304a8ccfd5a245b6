"use strict";
// Panel pack behaviour: seek the audio, keep answers (in this browser), reveal the automated
// scores only after every question for the call is answered, and save the answers to a file.
// Calls are named by this pack's pseudonyms (data-call, data.calls), never by the store's call ids.
(function () {
  var data = JSON.parse(document.getElementById("pack-data").textContent);
  var storeKey = "callqa-pack-" + data.pack_id;
  var questions = {};
  (data.questions || []).forEach(function (q) { questions[q.id] = q; });
  var state = load();

  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storeKey) || "null");
      if (saved && saved.calls) { return saved; }
    } catch (e) { /* storage may be off for file:// pages: answers then live in this page only */ }
    return { member: "", calls: {} };
  }

  function persist() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* see load() */ }
  }

  function callState(call) {
    if (!state.calls[call]) { state.calls[call] = { answers: {}, revealed_scores: false, answered_at: null }; }
    return state.calls[call];
  }

  function seek(section, seconds) {
    var audio = section.querySelector("audio");
    audio.currentTime = seconds;
    var played = audio.play();
    if (played && played.catch) { played.catch(function () { /* autoplay may be blocked: position is set */ }); }
  }

  function answeredAll(section) {
    var answers = callState(section.dataset.call).answers;
    return data.required.every(function (q) { return answers[q] !== undefined && answers[q] !== ""; });
  }

  // After the reveal, each question's row gets the member's own answer and whether the two views
  // are the same. What an answer means (met, not met, not compared) comes from the pack's data,
  // made by callqa/panel/pack_comparison.py the way calibration counts it.
  function compare(section) {
    var answers = callState(section.dataset.call).answers;
    var same = 0, compared = 0;
    section.querySelectorAll("tr.pair").forEach(function (row) {
      var q = questions[row.dataset.question] || { labels: {}, met: {} };
      var value = answers[row.dataset.question];
      var given = value !== undefined && value !== "";
      row.querySelector(".your-answer").textContent = given ? (q.labels[value] || String(value)) : "No answer";
      var mine = given && Object.prototype.hasOwnProperty.call(q.met, value) ? q.met[value] : null;
      var auto = row.dataset.autoMet === "met" ? true : (row.dataset.autoMet === "not_met" ? false : null);
      var outcome, words;
      if (value === "not_sure") {
        outcome = "not-compared"; words = "You were not sure";
      } else if (mine === null || auto === null) {
        outcome = "not-compared"; words = "Not compared";
      } else if (mine === auto) {
        outcome = "same"; words = "Same view"; same += 1; compared += 1;
      } else {
        outcome = "different"; words = "Different view"; compared += 1;
      }
      row.classList.remove("same", "different", "not-compared");
      row.classList.add(outcome);
      row.dataset.outcome = outcome;
      row.querySelector(".agreement").textContent = words;
    });
    section.querySelector(".compare-summary").textContent = compared
      ? "You and the automated check took the same view on " + same + " of the " + compared +
        " questions where both gave one." + (same < compared ? " Where the views differ, you may like to listen again." : "")
      : "None of your answers can be compared with an automated check on this call.";
  }

  function reveal(section, record) {
    compare(section);
    section.classList.add("revealed");
    section.querySelector(".prescores").hidden = false;
    section.querySelector(".reveal").disabled = true;
    section.querySelector(".reveal").textContent = "Automated scores shown";
    section.querySelectorAll(".questions input, .questions textarea").forEach(function (el) { el.disabled = true; });
    if (record) {
      callState(section.dataset.call).revealed_scores = true;
      persist();
    }
  }

  function refresh(section) {
    var st = callState(section.dataset.call);
    var complete = answeredAll(section);
    if (complete && !st.answered_at) { st.answered_at = new Date().toISOString(); persist(); }
    section.querySelector(".reveal").disabled = !complete || st.revealed_scores;
    var done = data.calls.filter(function (id) { return state.calls[id] && Object.keys(state.calls[id].answers).length; });
    document.getElementById("progress").textContent = done.length + " of " + data.calls.length + " calls answered";
    var link = document.querySelector('.call-nav a[data-call="' + CSS.escape(section.dataset.call) + '"]');
    if (link) { link.classList.toggle("done", complete); }
  }

  function restore(section) {
    var st = callState(section.dataset.call);
    Object.keys(st.answers).forEach(function (q) {
      var fieldset = section.querySelector('fieldset[data-question="' + CSS.escape(q) + '"]');
      if (!fieldset) { return; }
      var text = fieldset.querySelector("textarea");
      if (text) { text.value = st.answers[q]; return; }
      fieldset.querySelectorAll("input[type=radio]").forEach(function (input) {
        input.checked = input.value === String(st.answers[q]);
      });
    });
    if (st.revealed_scores) { reveal(section, false); }
    refresh(section);
  }

  document.querySelectorAll("section.call").forEach(function (section) {
    section.addEventListener("click", function (event) {
      var target = event.target.closest("[data-start]");
      if (target && (target.classList.contains("seek") || target.closest("svg"))) {
        seek(section, parseFloat(target.dataset.start));
      }
    });
    section.querySelector(".questions").addEventListener("change", function (event) {
      var fieldset = event.target.closest("fieldset");
      if (!fieldset || callState(section.dataset.call).revealed_scores) { return; }
      var value = event.target.value;
      var answers = callState(section.dataset.call).answers;
      if (value === "") { delete answers[fieldset.dataset.question]; } else { answers[fieldset.dataset.question] = value; }
      persist();
      refresh(section);
    });
    section.querySelector(".reveal").addEventListener("click", function () {
      if (answeredAll(section)) { reveal(section, true); refresh(section); }
    });
    restore(section);
  });

  var member = document.getElementById("member-name");
  member.value = state.member || "";
  member.addEventListener("input", function () { state.member = member.value; persist(); });

  document.getElementById("save-answers").addEventListener("click", function () {
    var status = document.getElementById("save-status");
    var name = member.value.trim();
    if (!name) { status.textContent = "Please enter your name or initials before saving."; member.focus(); return; }
    var calls = data.calls.filter(function (id) {
      return state.calls[id] && Object.keys(state.calls[id].answers).length;
    }).map(function (id) {
      var st = state.calls[id];
      return { call: id, answers: st.answers, revealed_scores: st.revealed_scores, answered_at: st.answered_at };
    });
    var out = { format: "callqa-panel-answers", format_version: data.answers_format_version, draw_id: data.draw_id,
      panel: data.panel,
      pack_id: data.pack_id, questionnaire: data.questionnaire, member: name,
      saved_at: new Date().toISOString(), calls: calls };
    var fileName = "answers-sample" + data.draw_id + "-" + name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "") + ".json";
    var blob = new Blob([JSON.stringify(out, null, 2)], { type: "application/json" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    status.textContent = "Saved " + calls.length + " call(s) to " + fileName + " (in your downloads folder).";
  });
})();
