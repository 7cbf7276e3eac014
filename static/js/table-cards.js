/* Phone card layout for list tables (one mechanism for every list page).
 *
 * Below 768 px every table of the page body that has a <thead> is shown as a stack of cards
 * (static/css/app.css, ".table-cards"): each row becomes a card, each cell a "label: value" line
 * whose label is its column's header. A header cell may give its column a part in the card:
 *   data-card="title"     the card's heading (default: the first column)
 *   data-card="state"     the state badge, top right
 *   data-card="deadline"  the deadline line, emphasised
 *   data-card="action"    the card's one action, at the bottom
 *   data-card="hide"      left out on phones
 * A table that is a matrix (statistics, calendars) opts out with class "table-keep": it keeps its
 * columns, scrolls sideways inside its .table-responsive and never wraps a cell's text.
 */
(function () {
  "use strict";
  var ROLES = ["title", "state", "deadline", "action", "hide"];

  function headerCells(table) {
    var row = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!row) return null;
    var cells = [];
    Array.prototype.forEach.call(row.cells, function (th) {
      var span = th.colSpan || 1;
      for (var i = 0; i < span; i++) cells.push(th);
    });
    return cells;
  }

  function prepare(table) {
    if (table.dataset.cardsReady || table.classList.contains("table-keep")) return;
    var heads = headerCells(table);
    if (!heads || !heads.length) return;
    var titleSet = heads.some(function (th) { return th.dataset.card === "title"; });
    table.classList.add("table-cards");
    Array.prototype.forEach.call(table.tBodies, function (tbody) {
      Array.prototype.forEach.call(tbody.rows, function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.cells, function (td) {
          var th = heads[col];
          col += td.colSpan || 1;
          if (td.colSpan > 1 || !th) { td.classList.add("card-wide"); return; }
          var role = th.dataset.card || (!titleSet && td.cellIndex === 0 ? "title" : "");
          if (ROLES.indexOf(role) >= 0) td.classList.add("card-" + role);
          if (!td.textContent.trim() && !td.querySelector("img, input, select, button, svg")) td.classList.add("card-empty");
          if (!td.hasAttribute("data-label")) td.setAttribute("data-label", th.textContent.trim());
          // The label sits in front of the value: a value's leading blank would indent it.
          var first = td.firstChild;
          if (first && first.nodeType === 3) first.textContent = first.textContent.replace(/^\s+/, "");
        });
      });
    });
    table.dataset.cardsReady = "1";
  }

  function run(root) {
    (root || document).querySelectorAll(".page-body table").forEach(prepare);
  }

  document.addEventListener("DOMContentLoaded", function () { run(document); });
  document.addEventListener("htmx:load", function (e) {
    var el = e.target;
    if (el.tagName === "TABLE") { delete el.dataset.cardsReady; prepare(el); }
    else if (el.querySelectorAll) run(el);
    var table = el.closest && el.closest("table");
    if (table) { delete table.dataset.cardsReady; prepare(table); }
  });
})();
