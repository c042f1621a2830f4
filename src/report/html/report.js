// Filters the violation examples as one types; the report reads the same without it.
(function () {
  document.documentElement.classList.add('js');
  function bind() {
    var box = document.getElementById('filter');
    if (!box || box.dataset.bound) return;
    box.dataset.bound = '1';
    var kind = document.getElementById('filter-kind');
    function apply() {
      var text = box.value.toLowerCase();
      var wanted = kind ? kind.value : '';
      document.querySelectorAll('#violations details').forEach(function (group) {
        var shown = 0;
        var kindOk = !wanted || group.dataset.kind === wanted;
        group.querySelectorAll('tbody tr').forEach(function (row) {
          var show = kindOk && (!text || row.textContent.toLowerCase().indexOf(text) >= 0);
          row.classList.toggle('hidden', !show);
          if (show) shown++;
        });
        group.classList.toggle('hidden', !kindOk || (text && shown === 0));
        // Groups the filter opened close again when it is cleared.
        if (text && shown > 0 && !group.open) {
          group.open = true;
          group.dataset.openedByFilter = '1';
        } else if (!text && group.dataset.openedByFilter) {
          group.open = false;
          delete group.dataset.openedByFilter;
        }
      });
    }
    box.addEventListener('input', apply);
    if (kind) kind.addEventListener('change', apply);
  }
  bind();
  window.plotlineBind = bind;
})();
