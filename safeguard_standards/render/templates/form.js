/* safeguard-standards: the offline audit form.
 * Shows and hides conditional questions from the answers, counts progress per section, saves
 * the answers to a JSON file ({set, version, answers, evidence, details}) and loads one back.
 * No network: everything happens in the page. */
(function () {
  "use strict";
  var form = document.getElementById("sg-form");
  if (!form) { return; }
  var meta = JSON.parse(document.getElementById("sg-meta").textContent);
  var statusEl = document.getElementById("sg-status");
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  var byId = {};
  questions.forEach(function (q) { byId[q.getAttribute("data-qid")] = q; });

  function controls(name) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
  }

  /* The answer of one question: a string, a list (multi-choice) or "" when unanswered. */
  function answerOf(qid) {
    var els = controls(qid);
    if (!els.length) { return ""; }
    var type = els[0].type;
    if (type === "radio") {
      for (var i = 0; i < els.length; i++) { if (els[i].checked) { return els[i].value; } }
      return "";
    }
    if (type === "checkbox") {
      return els.filter(function (e) { return e.checked; }).map(function (e) { return e.value; });
    }
    return els[0].value.trim();
  }

  function answered(value) {
    return Array.isArray(value) ? value.length > 0 : value !== "";
  }

  /* The same rules as Condition.holds in the Python library. */
  function holds(cond, answers) {
    if (cond.op === "all") { return cond.conditions.every(function (c) { return holds(c, answers); }); }
    if (cond.op === "any") { return cond.conditions.some(function (c) { return holds(c, answers); }); }
    var given = answers[cond.question];
    if (given === undefined || !answered(given)) { return false; }
    var chosen = Array.isArray(given) ? given : [String(given)];
    var hit = chosen.some(function (v) { return cond.values.indexOf(v) >= 0; });
    return cond.op === "not_equals" ? !hit : hit;
  }

  function isAsked(q, answers) {
    var raw = q.getAttribute("data-ask-if");
    return raw ? holds(JSON.parse(raw), answers) : true;
  }

  function currentAnswers() {
    var answers = {};
    questions.forEach(function (q) {
      var qid = q.getAttribute("data-qid");
      answers[qid] = answerOf(qid);
    });
    return answers;
  }

  /* Show or hide conditional questions until nothing changes, then count progress. */
  function update() {
    var answers = currentAnswers();
    var asked = {};
    for (var round = 0; round < 10; round++) {
      var changed = false;
      var visible = {};
      questions.forEach(function (q) {
        var qid = q.getAttribute("data-qid");
        visible[qid] = isAsked(q, answers);
      });
      questions.forEach(function (q) {
        var qid = q.getAttribute("data-qid");
        if (!visible[qid] && answered(answers[qid])) { answers[qid] = ""; changed = true; }
      });
      asked = visible;
      if (!changed) { break; }
    }
    questions.forEach(function (q) { q.hidden = !asked[q.getAttribute("data-qid")]; });
    var total = 0, done = 0;
    Array.prototype.forEach.call(form.querySelectorAll("section.section"), function (section) {
      var n = 0, k = 0;
      Array.prototype.forEach.call(section.querySelectorAll("fieldset.question"), function (q) {
        var qid = q.getAttribute("data-qid");
        if (!asked[qid]) { return; }
        n += 1;
        if (answered(answers[qid])) { k += 1; }
      });
      total += n; done += k;
      var p = form.querySelector('[data-progress="' + section.getAttribute("data-section") + '"]');
      if (p) {
        p.querySelector(".count").textContent = k + " of " + n + " answered";
        var bar = p.querySelector("progress");
        bar.max = Math.max(n, 1); bar.value = k;
      }
    });
    document.getElementById("sg-overall").textContent = done + " of " + total + " questions answered";
    return { answers: answers, asked: asked };
  }

  function say(text) { statusEl.textContent = text; }

  function collect() {
    var state = update();
    var out = { set: meta.set, version: meta.version, kind: meta.kind, answers: {}, evidence: {}, details: {} };
    questions.forEach(function (q) {
      var qid = q.getAttribute("data-qid");
      if (!state.asked[qid]) { return; }
      var v = state.answers[qid];
      if (answered(v)) {
        var el = controls(qid)[0];
        out.answers[qid] = (el.type === "number" && !isNaN(Number(v))) ? Number(v) : v;
      }
      var ev = controls(qid + ".evidence")[0];
      if (ev && ev.value.trim() !== "") { out.evidence[qid] = ev.value; }
    });
    meta.details.forEach(function (name) {
      var el = controls(name)[0];
      if (el && el.value.trim() !== "") { out.details[name] = el.value; }
    });
    return out;
  }

  function save() {
    var data = collect();
    var blob = new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = meta.set + "-" + meta.version + "-answers.json";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    say("Saved " + Object.keys(data.answers).length + " answers to " + a.download + ".");
  }

  function setValue(name, value) {
    var els = controls(name);
    if (!els.length) { return false; }
    var type = els[0].type;
    if (type === "radio") {
      els.forEach(function (e) { e.checked = e.value === String(value); });
    } else if (type === "checkbox") {
      var list = Array.isArray(value) ? value.map(String) : [String(value)];
      els.forEach(function (e) { e.checked = list.indexOf(e.value) >= 0; });
    } else {
      els[0].value = value === null || value === undefined ? "" : String(value);
    }
    return true;
  }

  function fill(data) {
    if (!data || typeof data !== "object" || typeof data.answers !== "object") {
      say("That file is not a saved answers file."); return;
    }
    if (data.set !== meta.set) {
      say("That file holds answers for " + data.set + ", not " + meta.set + "; nothing was loaded."); return;
    }
    form.reset();
    var n = 0, skipped = 0;
    Object.keys(data.answers).forEach(function (qid) {
      if (byId[qid] && setValue(qid, data.answers[qid])) { n += 1; } else { skipped += 1; }
    });
    Object.keys(data.evidence || {}).forEach(function (qid) { setValue(qid + ".evidence", data.evidence[qid]); });
    Object.keys(data.details || {}).forEach(function (name) {
      if (meta.details.indexOf(name) >= 0) { setValue(name, data.details[name]); }
    });
    update();
    var msg = "Loaded " + n + " answers.";
    if (data.version !== meta.version) { msg += " They were saved from version " + data.version + "; this form is " + meta.version + ": check them."; }
    if (skipped) { msg += " " + skipped + " answers are for questions not on this form."; }
    say(msg);
  }

  function load(event) {
    var file = event.target.files && event.target.files[0];
    if (!file) { return; }
    var reader = new FileReader();
    reader.onload = function () {
      try { fill(JSON.parse(String(reader.result))); }
      catch (e) { say("That file could not be read as JSON: " + e.message); }
      event.target.value = "";
    };
    reader.readAsText(file);
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  document.getElementById("sg-save").addEventListener("click", save);
  document.getElementById("sg-load").addEventListener("change", load);
  window.safeguardForm = { collect: collect, fill: fill, update: update };
  update();
})();
