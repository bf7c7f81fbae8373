/* Registers GovSocial's service worker (/sw.js): the offline page and phone notifications. */
"use strict";
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(() => {
      /* No service worker (private window, old browser): the site works without it. */
    });
  });
}
