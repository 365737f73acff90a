/* 协商 forms: a little help on top of server-rendered forms that work without it.
   - conditional fields ([data-show-if]) show only while their condition holds (hidden ones are disabled, so not sent)
   - repeated groups ([data-group]) add and remove rows in the page instead of a round trip
   - a chosen file is uploaded at once (the form is kept as a draft on the way) */
(function () {
  "use strict";

  function valuesOf(form, name) {
    var values = [];
    form.querySelectorAll("[name]").forEach(function (input) {
      if (input.name !== name || input.disabled) return;
      if (input.type === "radio") { if (input.checked) values.push(input.value); }
      else if (input.type === "checkbox") {
        if (form.querySelectorAll('input[type=checkbox][name="' + CSS.escape(name) + '"]').length === 1) {
          values.push(input.checked ? "true" : "false");
        } else if (input.checked) values.push(input.value);
      } else if (input.tagName === "SELECT" && input.multiple) {
        Array.prototype.forEach.call(input.selectedOptions, function (o) { values.push(o.value); });
      } else values.push(input.value);
    });
    return values;
  }

  function applyConditions(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (field) {
      var rule = JSON.parse(field.getAttribute("data-show-if"));
      var show = Object.keys(rule).some(function (key) {
        return valuesOf(form, key).some(function (v) { return rule[key].indexOf(v) >= 0; });
      });
      field.hidden = !show;
      field.querySelectorAll("input, select, textarea, button").forEach(function (el) { el.disabled = !show; });
    });
  }

  function renumber(group) {
    group.querySelectorAll(".group-rows > .group-row").forEach(function (row, i) {
      var label = row.querySelector(".row-no");
      if (label) label.textContent = label.textContent.replace(/\d+|__n__/, String(i + 1));
    });
  }

  function wireRow(group, row) {
    var remove = row.querySelector(".row-remove");
    if (!remove) return;
    remove.hidden = false;
    remove.addEventListener("click", function () {
      var rows = group.querySelector(".group-rows");
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber(group);
      var target = next ? next.querySelector("input, select, textarea") : group.querySelector(".add-row");
      if (target) target.focus();
      if (!rows.children.length) addRow(group);
    });
  }

  function addRow(group) {
    var template = group.querySelector("template.row-template");
    var rows = group.querySelector(".group-rows");
    var index = parseInt(group.getAttribute("data-next"), 10) || rows.children.length;
    group.setAttribute("data-next", String(index + 1));
    var html = template.innerHTML.split("__i__").join(String(index)).split("__n__").join(String(rows.children.length + 1));
    rows.insertAdjacentHTML("beforeend", html);
    var row = rows.lastElementChild;
    if (window.xieshangWidgets) window.xieshangWidgets(row);  // pickers and date pickers in the new row
    wireRow(group, row);
    var first = row.querySelector("input, select, textarea");
    if (first) first.focus();
  }

  function wireGroup(group) {
    group.querySelectorAll(".group-rows > .group-row").forEach(function (row) { wireRow(group, row); });
    var add = group.querySelector(".add-row");
    if (!add) return;
    add.hidden = false;
    add.addEventListener("click", function (event) { event.preventDefault(); addRow(group); });
  }

  function wireUploads(form) {
    form.querySelectorAll('input[type=file][name^="upload:"]').forEach(function (input) {
      input.addEventListener("change", function () {
        var line = input.closest(".upload-line") || input.parentNode;
        var button = line.querySelector("button.upload");
        if (!input.files.length || !button) return;
        var max = parseInt(input.getAttribute("data-max"), 10);
        if (max && input.files[0].size > max) {
          input.setCustomValidity(input.getAttribute("data-too-large") || "");
          input.reportValidity();
          input.value = "";
          input.setCustomValidity("");
          return;
        }
        form.requestSubmit ? form.requestSubmit(button) : button.click();
      });
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-show-if], [data-group], input[type=file]")) return;
    form.querySelectorAll("[data-group]").forEach(wireGroup);
    wireUploads(form);
    applyConditions(form);
    form.addEventListener("change", function () { applyConditions(form); });
  });
})();
