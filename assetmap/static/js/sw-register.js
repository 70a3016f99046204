// Register the service worker (served at the site's root, so it looks after every page), where
// the browser has them and the page is in a secure context. Without it everything still works:
// pages simply are not kept for when there is no connection.
(function () {
  "use strict";

  const data = document.getElementById("assetmap-offline");
  if (!data || !("serviceWorker" in navigator) || !window.isSecureContext) {
    return;
  }
  const settings = JSON.parse(data.textContent);
  navigator.serviceWorker.register(settings.worker).catch(() => {
    // A browser that refuses the worker (private browsing, say) still has the whole site.
  });
})();
