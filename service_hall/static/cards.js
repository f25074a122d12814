// Phones: a list table reads as a column of cards under 600 px (app.css, "Tables as cards"). Each body
// cell is labelled with its column's header (data-label) unless the template labelled it already.
// Without JavaScript, tables the templates mark as cards still turn into cards; the others scroll
// sideways inside their frame rather than squeeze their words into one character per line.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".table-wrap > table, table.cards").forEach(function (table) {
    var head = table.tHead;
    if (!head || !head.rows.length) { return; }
    var labels = [];
    Array.prototype.forEach.call(head.rows[head.rows.length - 1].cells, function (cell) {
      for (var i = 0; i < (cell.colSpan || 1); i++) { labels.push(cell.textContent.replace(/\s+/g, " ").trim()); }
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && (cell.colSpan || 1) === 1 && labels[column]) {
            cell.setAttribute("data-label", labels[column]);
          }
          column += cell.colSpan || 1;
        });
      });
    });
    table.classList.add("cards");
  });
});
