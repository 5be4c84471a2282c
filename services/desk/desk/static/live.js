// Live regions (desk/live.py; the `live_region` macro of _forms.html): a region reads itself
// again whenever its stream says so — first as the stream opens, since a change may have landed
// between the page's render and that moment. It takes what it read only when that differs from
// what it shows: the server sends the digest of what it rendered (`X-Region-Digest`), the region
// keeps the digest of its content (`data-digest`, rendered with the page; desk/regions.py). An
// answer that changes nothing is not swapped in, so a form being filled in a region keeps what was
// typed and a screen reader is not read the same list again.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    const region = event.detail.target;
    if (!(region instanceof HTMLElement) || !region.hasAttribute("data-live-region")) return;
    if (!event.detail.shouldSwap) return;
    const now = event.detail.xhr.getResponseHeader("X-Region-Digest");
    if (now !== null && now === region.dataset.digest) {
      event.detail.shouldSwap = false;
      return;
    }
    if (now !== null) region.dataset.digest = now;
  });
})();
