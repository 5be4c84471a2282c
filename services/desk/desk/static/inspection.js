// The inspection's uploads with a progress bar: a photo or video from the tablet's camera is sent
// with XMLHttpRequest so its progress shows; the desk answers as for the plain form (which still
// works without this script): the inspection page again, or the page with the refusal.
(function () {
  "use strict";
  function send(form) {
    var bar = form.querySelector("progress");
    var status = form.querySelector(".upload-status");
    var button = form.querySelector("button");
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) { return; }
      bar.value = Math.round((event.loaded / event.total) * 100);
      status.textContent = bar.value + "%";
    });
    request.addEventListener("load", function () {
      // The page the plain form would have shown (after the desk's redirect, or with the
      // refusal), in place of this one, at the item the photo was for.
      var item = form.closest("[data-item]");
      var url = request.status < 400 && request.responseURL ? request.responseURL : window.location.href;
      document.open();
      document.write(request.responseText);
      document.close();
      window.history.replaceState(null, "", url.split("#")[0] + (item ? "#" + item.id : ""));
      var target = item && document.getElementById(item.id);
      if (target) { target.scrollIntoView(); }
    });
    request.addEventListener("error", function () {
      button.disabled = false;
      bar.hidden = true;
      status.textContent = form.getAttribute("data-failed") || "×";
    });
    bar.hidden = false;
    bar.value = 0;
    button.disabled = true;
    request.send(new FormData(form));
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-upload")) { return; }
    event.preventDefault();
    send(form);
  });
})();
