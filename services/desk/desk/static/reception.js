// The RO desk's two drawings (SC2): the walk-around's car diagram and the customer's signature.
// No rule lives here: the marks and the signature go to the desk's forms, and the API decides.
(function () {
  "use strict";

  // --- the walk-around: an area of the diagram (click, Enter or Space) picks the damage's area;
  // "Add mark" puts the mark on the list (a hidden `damage` input: area|kind|note each).
  function diagram(form) {
    var area = form.querySelector("#f-damage_area");
    var kind = form.querySelector("#f-damage_kind");
    var note = form.querySelector("#f-damage_note");
    var list = form.querySelector("[data-marks]");
    var incomplete = form.querySelector("[data-mark-incomplete]");
    var areas = form.querySelectorAll("[data-area]");

    function pick(name) {
      area.value = name;
      areas.forEach(function (shape) {
        shape.setAttribute("aria-pressed", shape.dataset.area === name ? "true" : "false");
      });
      kind.focus();
    }
    areas.forEach(function (shape) {
      shape.addEventListener("click", function () { pick(shape.dataset.area); });
      shape.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          pick(shape.dataset.area);
        }
      });
    });
    area.addEventListener("change", function () {
      areas.forEach(function (shape) {
        shape.setAttribute("aria-pressed", shape.dataset.area === area.value ? "true" : "false");
      });
    });

    function marked() {
      var names = {};
      list.querySelectorAll("input[name=damage]").forEach(function (input) { names[input.value.split("|")[0]] = true; });
      areas.forEach(function (shape) { shape.classList.toggle("damaged", !!names[shape.dataset.area]); });
    }

    form.querySelector("[data-add-mark]").addEventListener("click", function () {
      if (!area.value || !kind.value) {
        incomplete.hidden = false;
        (area.value ? kind : area).focus();
        return;
      }
      incomplete.hidden = true;
      var item = document.createElement("li");
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "damage";
      input.value = [area.value, kind.value, note.value.replace(/\|/g, "/")].join("|");
      var words = area.options[area.selectedIndex].text + ": " + kind.options[kind.selectedIndex].text;
      item.appendChild(document.createTextNode(note.value ? words + " (" + note.value + ")" : words));
      item.dataset.mark = input.value;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = list.dataset.removeLabel;
      remove.setAttribute("aria-label", list.dataset.removeLabel + " " + words);
      remove.addEventListener("click", function () { item.remove(); marked(); area.focus(); });
      item.appendChild(document.createTextNode(" "));
      item.appendChild(remove);
      item.appendChild(input);
      list.appendChild(item);
      area.value = "";
      kind.value = "";
      note.value = "";
      areas.forEach(function (shape) { shape.setAttribute("aria-pressed", "false"); });
      marked();
    });
  }

  // --- the signature: drawn on the pad; sent as the pad's PNG (a data URL) with the form.
  function signature(form) {
    var canvas = form.querySelector("[data-signature-pad]");
    var empty = form.querySelector("[data-signature-empty]");
    var pad = new window.SignaturePad(canvas, { penColor: "#000", backgroundColor: "rgba(0,0,0,0)" });
    form.querySelector("[data-signature-clear]").addEventListener("click", function () { pad.clear(); });
    pad.addEventListener("endStroke", function () { empty.hidden = true; });
    form.addEventListener("submit", function (event) {
      if (pad.isEmpty()) {
        event.preventDefault();
        empty.hidden = false;
        return;
      }
      form.querySelector("input[name=signature]").value = pad.toDataURL("image/png");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-walk-around-form]").forEach(diagram);
    if (window.SignaturePad) {
      document.querySelectorAll("[data-signature-form]").forEach(signature);
    }
  });
})();
