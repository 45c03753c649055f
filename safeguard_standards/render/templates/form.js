/* safeguard-standards: the offline audit form.
 * Shows and hides conditional questions from the answers, counts progress per section, saves
 * the answers to a JSON file ({set, version, kind, envelope, answers, evidence, actions, details}) and
 * loads one back, and keeps them in this browser as they are typed (restored on reload). Field names come from the page (data-evidence, data-action, the details list): none is
 * made here.
 * No network: everything happens in the page. */
(function () {
  "use strict";
  var form = document.getElementById("sg-form");
  if (!form) { return; }
  var meta = JSON.parse(document.getElementById("sg-meta").textContent);
  var envelopeEl = document.getElementById("sg-envelope");
  var envelope = envelopeEl ? JSON.parse(envelopeEl.textContent) : null;
  var statusEl = document.getElementById("sg-status");
  var keptEl = document.getElementById("sg-kept");
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));

  /* Everything that does not change while the page is open is indexed once, so that one
   * answer costs work in proportion to the questions that depend on it, not to the form. */
  var byId = {};          /* question id -> its fieldset */
  var byName = {};        /* control name -> its form controls, in document order */
  var conditions = {};    /* question id -> its parsed condition (conditional questions only) */
  var dependants = {};    /* question id -> ids of the questions whose condition names it */
  var sectionOf = {};     /* question id -> index into sections */
  var sections = [];      /* {bar, count, asked, done} for each section with a progress line */
  var raw = {};           /* question id -> the answer its controls hold */
  var asked = {};         /* question id -> whether its condition holds (true without one) */
  var overall = document.getElementById("sg-overall");
  var total = 0, done = 0;

  Array.prototype.forEach.call(form.elements, function (el) {
    if (!el.name) { return; }
    (byName[el.name] = byName[el.name] || []).push(el);
  });

  function controls(name) { return byName[name] || []; }
  /* The name of a question's evidence box, as the page gives it. */
  function evidenceName(qid) { return byId[qid] ? byId[qid].getAttribute("data-evidence") : null; }
  /* The name of a question's action box, or null for a question without one. */
  function actionName(qid) { return byId[qid] ? byId[qid].getAttribute("data-action") : null; }

  function names(cond, out) {
    if (cond.op === "all" || cond.op === "any") {
      cond.conditions.forEach(function (c) { names(c, out); });
    } else if (out.indexOf(cond.question) < 0) {
      out.push(cond.question);
    }
    return out;
  }

  questions.forEach(function (q) {
    var qid = q.getAttribute("data-qid");
    byId[qid] = q;
    var rawCond = q.getAttribute("data-ask-if");
    if (rawCond) {
      conditions[qid] = JSON.parse(rawCond);
      names(conditions[qid], []).forEach(function (dep) {
        (dependants[dep] = dependants[dep] || []).push(qid);
      });
    }
  });
  Array.prototype.forEach.call(form.querySelectorAll("section.section"), function (section) {
    var p = form.querySelector('[data-progress="' + section.getAttribute("data-section") + '"]');
    var entry = p ? { bar: p.querySelector("progress"), count: p.querySelector(".count"), asked: 0, done: 0 }
                  : { bar: null, count: null, asked: 0, done: 0 };
    sections.push(entry);
    Array.prototype.forEach.call(section.querySelectorAll("fieldset.question"), function (q) {
      sectionOf[q.getAttribute("data-qid")] = sections.length - 1;
    });
  });

  /* Every question, each after the questions its condition names (a depth-first walk). */
  var order = (function () {
    var out = [], state = {};
    questions.forEach(function (q) {
      var start = q.getAttribute("data-qid");
      if (state[start]) { return; }
      var stack = [[start, 0]];
      state[start] = 1;
      while (stack.length) {
        var top = stack[stack.length - 1];
        var deps = conditions[top[0]] ? names(conditions[top[0]], []) : [];
        if (top[1] < deps.length) {
          var dep = deps[top[1]++];
          if (byId[dep] && !state[dep]) { state[dep] = 1; stack.push([dep, 0]); }
        } else {
          state[top[0]] = 2; out.push(top[0]); stack.pop();
        }
      }
    });
    return out;
  })();

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

  /* The answer a condition sees: none for a question that is not asked. */
  function effective(qid) {
    if (!byId[qid]) { return undefined; }
    return asked[qid] ? raw[qid] : "";
  }

  /* The same rules as Condition.holds in the Python library. */
  function holds(cond) {
    if (cond.op === "all") { return cond.conditions.every(holds); }
    if (cond.op === "any") { return cond.conditions.some(holds); }
    var given = effective(cond.question);
    if (given === undefined || !answered(given)) { return false; }
    var chosen = Array.isArray(given) ? given : [String(given)];
    var hit = chosen.some(function (v) { return cond.values.indexOf(v) >= 0; });
    return cond.op === "not_equals" ? !hit : hit;
  }

  function isAsked(qid) {
    return conditions[qid] ? holds(conditions[qid]) : true;
  }

  /* Move a question's part of the progress counts from what it was to what it is now. */
  var counted = {};       /* question id -> [asked, answered] as counted */
  var touched = [];       /* sections whose progress line needs writing */
  function recount(qid) {
    var was = counted[qid] || [false, false];
    var now = [asked[qid], asked[qid] && answered(raw[qid])];
    if (was[0] === now[0] && was[1] === now[1]) { return; }
    counted[qid] = now;
    var da = (now[0] ? 1 : 0) - (was[0] ? 1 : 0), dd = (now[1] ? 1 : 0) - (was[1] ? 1 : 0);
    total += da; done += dd;
    var s = sectionOf[qid];
    if (s !== undefined) {
      sections[s].asked += da; sections[s].done += dd;
      if (touched.indexOf(s) < 0) { touched.push(s); }
    }
  }

  function show() {
    touched.forEach(function (s) {
      var e = sections[s];
      if (!e.count) { return; }
      e.count.textContent = e.done + " of " + e.asked + " answered";
      e.bar.max = Math.max(e.asked, 1); e.bar.value = e.done;
    });
    touched = [];
    overall.textContent = done + " of " + count(total, "question") + " answered";
  }

  /* Everything from scratch (on load, after loading answers): one pass in dependency order. */
  function update() {
    questions.forEach(function (q) { raw[q.getAttribute("data-qid")] = answerOf(q.getAttribute("data-qid")); });
    order.forEach(function (qid) {
      asked[qid] = isAsked(qid);
      byId[qid].hidden = !asked[qid];
      recount(qid);
    });
    sections.forEach(function (e, s) { if (touched.indexOf(s) < 0) { touched.push(s); } });
    show();
    var answers = {};
    questions.forEach(function (q) { var qid = q.getAttribute("data-qid"); answers[qid] = effective(qid); });
    return { answers: answers, asked: asked };
  }

  /* One control changed: re-read its question, then re-check only the questions that depend
   * on it (and on those, as far as the change reaches). */
  function changed(event) {
    var qid = event.target && event.target.name;
    if (!qid || !byId[qid]) { return; }  /* evidence and details count for nothing here */
    var before = effective(qid);
    raw[qid] = answerOf(qid);
    recount(qid);
    var queue = [], steps = 0;
    if (JSON.stringify(before) !== JSON.stringify(effective(qid))) { queue.push(qid); }
    while (queue.length && steps++ < 4 * questions.length) {  /* the bound: conditions form no cycles */
      var next = dependants[queue.shift()] || [];
      for (var i = 0; i < next.length; i++) {
        var d = next[i];
        var was = effective(d), wasAsked = asked[d];
        asked[d] = isAsked(d);
        if (asked[d] !== wasAsked) { byId[d].hidden = !asked[d]; recount(d); }
        if (JSON.stringify(was) !== JSON.stringify(effective(d))) { queue.push(d); }
      }
    }
    show();
  }

  function say(text) { statusEl.textContent = text; }

  /* "1 answer", "2 answers". */
  function count(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  /* The answers file, from the state as it is kept up to date answer by answer. */
  function gather() {
    var out = { set: meta.set, version: meta.version, kind: meta.kind, envelope: envelope, answers: {}, evidence: {}, actions: {}, details: {} };
    questions.forEach(function (q) {
      var qid = q.getAttribute("data-qid");
      if (!asked[qid]) { return; }
      var v = raw[qid];
      if (answered(v)) {
        var el = controls(qid)[0];
        out.answers[qid] = (el.type === "number" && !isNaN(Number(v))) ? Number(v) : v;
      }
      var ev = controls(evidenceName(qid))[0];
      if (ev && ev.value.trim() !== "") { out.evidence[qid] = ev.value; }
      var act = controls(actionName(qid))[0];
      if (act && act.value.trim() !== "") { out.actions[qid] = act.value; }
    });
    meta.details.forEach(function (name) {
      var el = controls(name)[0];
      if (el && el.value.trim() !== "") { out.details[name] = el.value; }
    });
    return out;
  }

  /* The same, after re-reading every control. */
  function collect() { update(); return gather(); }

  function save() {
    var data = collect();
    var blob = new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = meta.set + "-" + meta.version + "-answers.json";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    say("Saved " + count(Object.keys(data.answers).length, "answer") + " to " + a.download + ".");
  }

  /* Autosave: the answers are kept in this browser's localStorage, in a slot of their own for
   * each form (its set, version, kind, audience and content hash), so two forms never share one.
   * The time of saving is this browser's and is kept only there, never in the page or the file.
   * A form made from a completed return (data-prefilled) starts from the answers in its controls
   * and keeps edits to them in a slot of its own, never in the blank form's. */
  var prefilled = form.getAttribute("data-prefilled");
  var slot = "safeguard-form:" + JSON.stringify((envelope
    ? [envelope.set, envelope.set_version, envelope.kind, envelope.audience, envelope.content_hash]
    : [meta.set, meta.version, meta.kind]).concat(prefilled ? ["return", prefilled] : []));
  var store = (function () {
    try {
      var s = window.localStorage, probe = slot + ":probe";
      s.setItem(probe, "1"); s.removeItem(probe);
      return s;
    } catch (e) { return null; }
  })();
  var NO_STORE = "This browser does not let the page keep your answers: use Save answers to keep them in a file.";
  var timer = null;

  function clock(ms) {
    var d = new Date(ms);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(d.getHours()) + ":" + two(d.getMinutes());
  }

  function kept(text) { keptEl.textContent = text; }

  function keep() {
    timer = null;
    if (!store) { return; }
    var at = Date.now();
    try {
      store.setItem(slot, JSON.stringify({ at: at, data: gather() }));
      kept("Saved in this browser at " + clock(at));
    } catch (e) {
      kept("Not saved in this browser");
      say("Your answers could not be kept in this browser (" + e.name + "): use Save answers to keep them in a file.");
    }
  }

  function soon() {
    if (timer !== null) { clearTimeout(timer); }
    if (store) { kept("Saving…"); }
    timer = setTimeout(keep, 400);
  }

  function clearAll() {
    if (!window.confirm("Clear every answer on this form and the copy kept in this browser? This cannot be undone.")) { return; }
    if (timer !== null) { clearTimeout(timer); timer = null; }
    try { if (store) { store.removeItem(slot); } } catch (e) { /* the form is cleared all the same */ }
    form.reset();
    update();
    kept("");
    say(store ? "Cleared: the form is empty and nothing is kept in this browser." : "Cleared: the form is empty.");
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

  /* Why an answer cannot go in its question's controls, or "" when it can. */
  function unfit(qid, value) {
    var els = controls(qid);
    var type = els[0].type;
    if (type === "radio" || type === "checkbox") {
      var allowed = els.map(function (e) { return e.value; });
      var list = Array.isArray(value) ? value : [value];
      if (type === "radio" && Array.isArray(value)) { return "choice"; }
      for (var i = 0; i < list.length; i++) {
        if (allowed.indexOf(String(list[i])) < 0) { return "choice"; }
      }
      return "";
    }
    if (value === null || typeof value === "object") { return "choice"; }
    if (type === "number" && (String(value).trim() === "" || isNaN(Number(value)))) { return "choice"; }
    return "";
  }

  /* Fill the form from saved answers and say truthfully what went in and what did not. */
  function fill(data, restoredAt) {
    if (!data || typeof data !== "object" || !data.answers || typeof data.answers !== "object") {
      say("That file is not a saved answers file."); return;
    }
    var env = data.envelope && typeof data.envelope === "object" ? data.envelope : {};
    var set = env.set || data.set, version = env.set_version || data.version;
    if (set !== meta.set) {
      say("That file holds answers for " + set + ", not " + meta.set + "; nothing was loaded."); return;
    }
    if (restoredAt === undefined && version !== meta.version) {
      var anyway = window.confirm("That file holds answers for version " + version + " of " + set +
        "; this form is version " + meta.version + ". Load the answers whose questions are on this form anyway?");
      if (!anyway) {
        say("That file holds answers for version " + version + " of " + set + "; this form is version " +
          meta.version + ", so nothing was loaded. Open the form of version " + version + " to load it.");
        return;
      }
    }
    form.reset();
    var given = Object.keys(data.answers), unknown = [], badValue = [], tried = [];
    given.forEach(function (qid) {
      if (!byId[qid] || !controls(qid).length) { unknown.push(qid); return; }
      if (unfit(qid, data.answers[qid])) { badValue.push(qid); return; }
      setValue(qid, data.answers[qid]);
      tried.push(qid);
    });
    Object.keys(data.evidence || {}).forEach(function (qid) {
      var name = evidenceName(qid);
      if (name) { setValue(name, data.evidence[qid]); }
    });
    Object.keys(data.actions || {}).forEach(function (qid) {
      var name = actionName(qid);
      if (name) { setValue(name, data.actions[qid]); }
    });
    Object.keys(data.details || {}).forEach(function (name) {
      if (meta.details.indexOf(name) >= 0) { setValue(name, data.details[name]); }
    });
    var state = update();
    var notAsked = tried.filter(function (qid) { return !state.asked[qid]; });
    var n = tried.length - notAsked.length;
    var msg = restoredAt !== undefined
      ? "Restored " + count(n, "answer") + " saved in this browser at " + clock(restoredAt) + "."
      : (given.length === n ? "Loaded " + count(n, "answer") + "."
                            : "Loaded " + n + " of " + count(given.length, "answer") + ".");
    var why = [];
    function list(ids) { return ids.length > 3 ? ids.slice(0, 3).join(", ") + " and " + (ids.length - 3) + " more" : ids.join(", "); }
    if (unknown.length) { why.push(count(unknown.length, "answer") + " for a question not on this form (" + list(unknown) + ")"); }
    if (badValue.length) { why.push(count(badValue.length, "answer") + " not among the question's choices (" + list(badValue) + ")"); }
    if (notAsked.length) { why.push(count(notAsked.length, "answer") + " to a question not asked, as its condition does not hold (" + list(notAsked) + ")"); }
    if (why.length) { msg += " Skipped " + why.join("; ") + "."; }
    if (version !== meta.version) { msg += " They were saved from version " + version + "; this form is " + meta.version + ": check them."; }
    say(msg);
    if (restoredAt === undefined) { soon(); }
  }

  function load(event) {
    var file = event.target.files && event.target.files[0];
    if (!file) { return; }
    var reader = new FileReader();
    reader.onload = function () {
      var data;
      try { data = JSON.parse(String(reader.result)); }
      catch (e) { say("That file could not be read as JSON: " + e.message); event.target.value = ""; return; }
      fill(data);
      event.target.value = "";
    };
    reader.readAsText(file);
  }

  function edited(event) {
    changed(event);
    if (event.target && event.target.id === "sg-load") { return; }
    soon();
  }

  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  document.getElementById("sg-save").addEventListener("click", save);
  document.getElementById("sg-load").addEventListener("change", load);
  document.getElementById("sg-clear").addEventListener("click", clearAll);
  window.safeguardForm = { collect: collect, fill: fill, update: update };
  update();
  if (!store) { kept("Not saved in this browser"); say(NO_STORE); return; }
  var stored = null;
  try { stored = JSON.parse(store.getItem(slot) || "null"); } catch (e) { stored = null; }
  if (stored && stored.data) {
    var at = Number(stored.at) || Date.now();
    fill(stored.data, at);
    kept("Saved in this browser at " + clock(at));
  }
})();
