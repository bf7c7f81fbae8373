/* The devices page: turn phone notifications on or off for this browser (docs/coverage.md). */
"use strict";
(function () {
  const section = document.getElementById("push-this-device");
  if (!section) {
    return;
  }
  const status = document.getElementById("push-status");
  const enable = document.getElementById("push-enable");
  const disable = document.getElementById("push-disable");
  const data = section.dataset;

  function say(text) {
    status.textContent = text;
  }

  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": data.csrf},
      body: JSON.stringify(body),
    }).then((response) => response.json().then((json) => {
      if (!response.ok) {
        throw new Error(json.error || response.statusText);
      }
      return json;
    }));
  }

  function show(subscribed) {
    enable.hidden = subscribed;
    disable.hidden = !subscribed;
    say(subscribed ? data.msgOn : data.msgOff);
  }

  async function turnOn() {
    enable.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say(data.msgDenied);
        return;
      }
      const registration = await navigator.serviceWorker.register("/sw.js", {scope: "/"});
      await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(data.publicKey),
      });
      await post(data.subscribeUrl, {subscription: subscription.toJSON(), label: navigator.userAgent});
      window.location.reload();
    } catch (error) {
      say(data.msgFailed + " " + error.message);
    } finally {
      enable.disabled = false;
    }
  }

  async function turnOff() {
    disable.disabled = true;
    try {
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        await post(data.unsubscribeUrl, {endpoint: subscription.endpoint});
        await subscription.unsubscribe();
      }
      window.location.reload();
    } catch (error) {
      say(data.msgFailed + " " + error.message);
    } finally {
      disable.disabled = false;
    }
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say(data.msgUnsupported);
    return;
  }
  if (Notification.permission === "denied") {
    say(data.msgDenied);
    return;
  }
  enable.addEventListener("click", turnOn);
  disable.addEventListener("click", turnOff);
  navigator.serviceWorker.getRegistration("/").then((registration) => {
    return registration ? registration.pushManager.getSubscription() : null;
  }).then((subscription) => show(Boolean(subscription))).catch(() => show(false));
})();
