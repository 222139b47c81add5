// Agenda page: drag-and-drop reordering for coordinators, and keeping the keyboard focus where
// it was when htmx swaps the agenda in. The page works without this file: the Up/Down buttons
// are plain forms.
(function () {
  "use strict";

  var dragged = null;

  function itemsList() {
    return document.getElementById("agenda-items");
  }

  function editable() {
    var agenda = document.getElementById("agenda");
    return agenda && agenda.classList.contains("is-editable") && document.getElementById("reorder-form");
  }

  function enableDragging() {
    var list = itemsList();
    if (!list || !editable()) return;
    list.querySelectorAll(":scope > li[data-item-id]").forEach(function (li) {
      li.setAttribute("draggable", "true");
      li.classList.add("is-draggable");
    });
  }

  function itemFrom(target) {
    return target && target.closest ? target.closest("#agenda-items > li[data-item-id]") : null;
  }

  function sendOrder() {
    var form = document.getElementById("reorder-form");
    var list = itemsList();
    if (!form || !list) return;
    var ids = Array.prototype.map.call(list.querySelectorAll(":scope > li[data-item-id]"), function (li) {
      return li.getAttribute("data-item-id");
    });
    form.querySelector("input[name=order]").value = ids.join(",");
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  document.addEventListener("dragstart", function (event) {
    var li = itemFrom(event.target);
    if (!li || !editable()) return;
    // Dragging text out of a form field is not a reorder.
    if (event.target.closest("input, textarea, select, details")) return;
    dragged = li;
    li.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", li.getAttribute("data-item-id"));
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var over = itemFrom(event.target);
    if (!over || over === dragged) return;
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
  });

  document.addEventListener("drop", function (event) {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", function () {
    if (!dragged) return;
    var moved = dragged;
    dragged = null;
    moved.classList.remove("is-dragging");
    sendOrder();
  });

  // Keep focus on the control that was used (an Up button stays focused on its item after the
  // swap), or announce the result, so keyboard and screen-reader users are not thrown to the top.
  var pending = false;
  var focusId = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var agenda = document.getElementById("agenda");
    if (!agenda || !agenda.contains(event.target)) return;
    pending = true;
    var active = document.activeElement;
    focusId = active && active.id && agenda.contains(active) ? active.id : null;
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!pending) return;
    pending = false;
    enableDragging();
    var again = focusId && document.getElementById(focusId);
    if (again && !again.disabled) {
      again.focus();
    } else {
      var status = document.getElementById("agenda-status");
      if (status) status.focus();
    }
    focusId = null;
  });

  // An item's text field belongs to the page's one form, whose default button does nothing (so
  // that Enter never presses another item's button): Enter presses the field's own item button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    var field = event.target;
    if (!field.matches || !field.matches("#agenda-items input[form]:is([type=text], [type=number])")) return;
    var fields = field.closest(".remove-fields, .plan-fields");
    var button = fields && fields.querySelector("button[formaction]");
    if (!button) return;
    event.preventDefault();
    button.click();
  });

  document.addEventListener("DOMContentLoaded", enableDragging);
})();
