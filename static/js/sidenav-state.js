// Loaded in <head> (not deferred) on pages with the side navigation: a side navigation the person
// collapsed stays collapsed from the first paint, without a flash. static/js/govsocial.js holds
// the toggle and writes the same key. A static file, so the Content Security Policy stays strict.
"use strict";
try {
  if (window.localStorage.getItem("govsocial.sidenav") === "collapsed") {
    document.documentElement.classList.add("sidenav-collapsed");
  }
} catch {
  // Storage refused (private mode, policy): the side navigation simply starts expanded.
}
