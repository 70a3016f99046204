// A budget ballot's running total: as projects are ticked, say how much is chosen and how
// much of the budget is left, or by how much the choices go over it. Without this script the
// ballot works the same; the server checks every ballot again whatever this says.
(function () {
  "use strict";

  const form = document.querySelector("[data-fund-ballot]");
  const status = form && form.querySelector("[data-ballot-status]");
  if (!status) {
    return;
  }
  const budget = Number(form.dataset.budgetPence);
  const boxes = Array.from(form.querySelectorAll("input[data-amount-pence]"));
  const within = status.querySelector("[data-ballot-within]");
  const over = status.querySelector("[data-ballot-over]");

  // As assetmap.domain.funds.pounds says an amount: "£1,250" or "£12.50".
  function pounds(pence) {
    const whole = Math.floor(pence / 100);
    const part = pence % 100;
    const grouped = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return part === 0 ? `£${grouped}` : `£${grouped}.${String(part).padStart(2, "0")}`;
  }

  function fill(selector, text) {
    status.querySelectorAll(selector).forEach((element) => {
      element.textContent = text;
    });
  }

  function show() {
    const chosen = boxes
      .filter((box) => box.checked)
      .reduce((sum, box) => sum + Number(box.dataset.amountPence), 0);
    fill("[data-chosen]", pounds(chosen));
    fill("[data-left]", pounds(Math.max(budget - chosen, 0)));
    fill("[data-over-by]", pounds(Math.max(chosen - budget, 0)));
    within.hidden = chosen > budget;
    over.hidden = chosen <= budget;
  }

  boxes.forEach((box) => box.addEventListener("change", show));
  status.hidden = false;
  show();
})();
