(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("#columns tbody tr"));
  var shown = document.getElementById("shown");
  var fields = {
    q: document.getElementById("q"),
    entity: document.getElementById("f-entity"),
    category: document.getElementById("f-category"),
    source: document.getElementById("f-source"),
    state: document.getElementById("f-state"),
    cpni: document.getElementById("f-cpni")
  };
  function has(list, item) { return list.indexOf("|" + item + "|") >= 0; }
  function apply() {
    var q = fields.q.value.trim().toLowerCase();
    var entity = fields.entity.value, category = fields.category.value;
    var source = fields.source.value, state = fields.state.value;
    var cpni = fields.cpni.checked;
    var n = 0;
    rows.forEach(function (row) {
      var d = row.dataset;
      var ok = (!q || d.search.indexOf(q) >= 0) &&
        (!entity || has(d.entities, entity)) &&
        (!category || has(d.categories, category)) &&
        (!source || d.source === source) &&
        (!state || d.state === state) &&
        (!cpni || d.cpni === "1");
      row.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = String(n);
  }
  function fromHash() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    if (params.has("q")) { fields.q.value = params.get("q"); }
    ["entity", "category", "source", "state"].forEach(function (key) {
      if (params.has(key)) { fields[key].value = params.get(key); }
    });
    if (params.has("cpni")) { fields.cpni.checked = params.get("cpni") === "1"; }
    apply();
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  window.addEventListener("hashchange", fromHash);
  fromHash();
}());
