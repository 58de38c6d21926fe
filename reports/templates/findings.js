// Sorting and filtering of the findings table. The report's Content-Security-Policy
// admits this script by its SHA-256 hash alone: no other script, inline or fetched, runs.
// It only reorders and hides rows the page already holds; it reads and writes no value.
(function () {
  'use strict';
  var table = document.getElementById('findings-table');
  var form = document.getElementById('finding-filters');
  if (!table || !form) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var text = document.getElementById('f-text');
  var step = document.getElementById('f-step');
  var sens = document.getElementById('f-sens');
  var changed = document.getElementById('f-changed');
  var count = document.getElementById('f-count');
  form.hidden = false;

  function key(row, i) {
    var cell = row.cells[i];
    var k = cell.getAttribute('data-key');
    return k === null ? cell.textContent.trim().toLowerCase() : parseFloat(k);
  }

  function filter() {
    var q = text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var change = row.getAttribute('data-change');
      var ok = (!q || row.textContent.toLowerCase().indexOf(q) >= 0) &&
        (!step.value || row.getAttribute('data-step') === step.value) &&
        (!sens.value || row.getAttribute('data-sens') === sens.value) &&
        (!changed || !changed.checked || change === 'new' || change === 'changed');
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + ' of ' + rows.length + ' columns shown';
  }

  heads.forEach(function (th, i) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'sort';
    button.textContent = th.textContent;
    th.textContent = '';
    th.appendChild(button);
    button.addEventListener('click', function () {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      rows.sort(function (a, b) {
        var x = key(a, i);
        var y = key(b, i);
        return (x < y ? -1 : (x > y ? 1 : 0)) * dir;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  [text, step, sens, changed].forEach(function (el) {
    if (el) {
      el.addEventListener('input', filter);
      el.addEventListener('change', filter);
    }
  });
  filter();
}());
