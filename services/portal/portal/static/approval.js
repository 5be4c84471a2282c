// The approval page's running total: what is already agreed (data-base, from the API) plus the
// price of each item the customer marks to approve. Formatting only: the API records the total.
(function () {
  "use strict";
  var form = document.querySelector("form[data-approval]");
  var out = document.getElementById("approval-total");
  if (!form || !out) { return; }
  var symbols = { CNY: "\u00a5" };
  function money(fen, currency) {
    var sign = fen < 0 ? "-" : "";
    fen = Math.abs(fen);
    var yuan = Math.floor(fen / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var rest = ("0" + (fen % 100)).slice(-2);
    return sign + (symbols[currency] || currency + " ") + yuan + "." + rest;
  }
  function update() {
    var total = parseInt(out.getAttribute("data-base"), 10) || 0;
    form.querySelectorAll("li[data-item]").forEach(function (item) {
      var approve = item.querySelector("input[data-approve]");
      if (approve && approve.checked) { total += parseInt(item.getAttribute("data-price"), 10) || 0; }
    });
    out.textContent = money(total, out.getAttribute("data-currency"));
  }
  form.addEventListener("change", update);
  update();
})();
