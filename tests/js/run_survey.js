// Loads a SurveyJS form in the SurveyJS runtime (survey-core) and answers it.
//
// Reads one JSON object from standard input: {"form": <form JSON>, "fillings": [<data>...]}.
// Writes one JSON object: {"errors": [...the runtime's JSON errors...], "results": [{"visible":
// [names of visible questions], "data": <survey.data>, "invalid": [names failing validation
// among the visible questions]}...]}. Used by tests/test_render_surveyjs.py only.
"use strict";
const { Model } = require("survey-core");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const probe = new Model(request.form);
  const errors = (probe.jsonErrors || []).map((e) => String(e.message || e));
  // One model answers every filling in turn: setting survey.data replaces every value and
  // runs the conditions once (setValue per question would run them once per value).
  const survey = probe;
  const results = request.fillings.map((filling) => {
    survey.data = filling;
    const visible = survey.getAllQuestions(true).map((q) => q.name);
    const invalid = survey
      .getAllQuestions(true)
      .filter((q) => !q.isEmpty() && q.hasErrors(false))
      .map((q) => q.name);
    return { visible, data: survey.data, invalid };
  });
  process.stdout.write(JSON.stringify({ errors, results }));
});
