// The review queue: "tick every call on this page", and a ticked call shows its flags ticked (the
// server decides a ticked call's shown flags either way, so the page works without this script).
"use strict";
(function () {
  const all = document.getElementById("tick-all");
  const calls = Array.prototype.slice.call(document.querySelectorAll("tr.call-row input[name=call]"));

  function follow(box) {
    const row = box.closest("tr");
    row.querySelectorAll("input[name=flag]").forEach(function (flag) { flag.checked = box.checked; });
  }

  calls.forEach(function (box) {
    box.addEventListener("change", function () {
      follow(box);
      if (all) {
        all.checked = calls.every(function (b) { return b.checked; });
      }
    });
  });
  // Unticking one flag of a ticked call unticks the call, so only the flags still ticked are decided.
  document.querySelectorAll("tr.call-row input[name=flag]").forEach(function (flag) {
    flag.addEventListener("change", function () {
      const call = flag.closest("tr").querySelector("input[name=call]");
      if (!flag.checked && call) {
        call.checked = false;
        if (all) {
          all.checked = false;
        }
      }
    });
  });
  if (all) {
    all.addEventListener("change", function () {
      calls.forEach(function (box) { box.checked = all.checked; follow(box); });
    });
  }
})();
