// Drag to reorder the fields of the form designer. Without JavaScript the 上移/下移 buttons do the same;
// this only posts the new order to the same server check (legal.form_reorder) as a plain form would.
(function () {
  "use strict";
  var list = document.getElementById("designer-fields");
  if (!list || !list.dataset.reorder) { return; }
  var dragged = null;
  list.addEventListener("dragstart", function (e) {
    dragged = e.target.closest("li.designer-field");
    if (e.dataTransfer) { e.dataTransfer.effectAllowed = "move"; }
  });
  list.addEventListener("dragover", function (e) {
    var over = e.target.closest("li.designer-field");
    if (!dragged || !over || over === dragged) { return; }
    e.preventDefault();
    var box = over.getBoundingClientRect();
    list.insertBefore(dragged, e.clientY > box.top + box.height / 2 ? over.nextSibling : over);
  });
  list.addEventListener("drop", function (e) {
    if (!dragged) { return; }
    e.preventDefault();
    dragged = null;
    var order = Array.prototype.map.call(list.querySelectorAll(":scope > li.designer-field"),
      function (li) { return li.dataset.index; });
    var token = document.querySelector("input[name=csrf_token]");
    var form = document.createElement("form");
    form.method = "post";
    form.action = list.dataset.reorder;
    [["order", order.join(",")], ["csrf_token", token ? token.value : ""]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  });
}());
