// Prepple: keep a copy of what the user types in the planner until the server has saved it.
// If the connection drops or the page is reloaded before the autosave lands, the next visit
// offers to restore the text. Only fields marked data-draft-key take part; a copy is filed
// under the page's path and the field's key (the page works even before the server answers).
(function () {
  "use strict";
  var KEY = "prepple_unsynced";
  var MAX_AGE_MS = 7 * 24 * 3600 * 1000;

  function load() {
    try {
      var data = JSON.parse(window.localStorage.getItem(KEY) || "{}");
      return data && typeof data === "object" ? data : {};
    } catch (e) {
      return {};
    }
  }
  function store(data) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(data));
    } catch (e) { /* storage full or blocked: nothing we can do */ }
  }
  function fields() {
    return Array.prototype.slice.call(document.querySelectorAll("textarea[data-draft-key]"));
  }
  function keyOf(el) {
    var path = window.location.pathname.replace(/\/+$/, "");
    return path + "#" + el.getAttribute("data-draft-key");
  }
  function setValue(el, text) {
    var setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value").set;
    setter.call(el, text);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // 1. Every keystroke in a draft field is copied to localStorage.
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!el || !el.matches || !el.matches("textarea[data-draft-key]") || event.prepple) return;
    var data = load();
    data[keyOf(el)] = { text: el.value, at: Date.now() };
    store(data);
  }, true);

  // 2. When the server confirms a save (the status element's revision changes), copies that
  //    match what is on screen are no longer needed.
  function settle() {
    var status = document.getElementById("save-status");
    if (!status) return;
    var state = status.getAttribute("data-status") || "";
    if (state.indexOf("saved") !== 0) return;
    var data = load();
    var changed = false;
    fields().forEach(function (el) {
      var key = keyOf(el);
      if (data[key] && data[key].text === el.value) {
        delete data[key];
        changed = true;
      }
    });
    Object.keys(data).forEach(function (key) {
      if (Date.now() - (data[key].at || 0) > MAX_AGE_MS) {
        delete data[key];
        changed = true;
      }
    });
    if (changed) store(data);
  }

  // 3. On a page with draft fields, offer to restore copies that differ from the saved text.
  var offered = {};
  var loadedPath = null;
  // The planner calls this at the end of its load, once the saved text is known: only then
  // can a copy be compared with what the server has (a reloaded tab first shows its old state).
  window.preppleDraftsReady = function () {
    var path = window.location.pathname;
    var tries = 0;
    (function wait() {
      // Give React a moment to put the loaded text into the fields.
      if (++tries < 20 && !document.querySelector("textarea[data-draft-key]")) {
        setTimeout(wait, 50);
        return;
      }
      setTimeout(function () {
        loadedPath = path;
        offer();
      }, 150);
    })();
  };
  function offer() {
    if (loadedPath !== window.location.pathname) return;
    var data = load();
    var pending = fields().filter(function (el) {
      var key = keyOf(el);
      return data[key] && data[key].text !== el.value && !offered[key];
    });
    if (!pending.length || document.getElementById("draft-restore")) return;
    pending.forEach(function (el) { offered[keyOf(el)] = true; });
    var bar = document.createElement("div");
    bar.id = "draft-restore";
    bar.setAttribute("role", "status");
    bar.className = "draft-restore";
    var text = document.createElement("span");
    text.textContent = "You have text that wasn't saved last time. ";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.id = "draft-restore-yes";
    restore.textContent = "Restore it";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.id = "draft-restore-no";
    discard.textContent = "Discard";
    restore.addEventListener("click", function () {
      var current = load();
      pending.forEach(function (el) {
        var key = keyOf(el);
        if (current[key]) setValue(el, current[key].text);
      });
      bar.remove();
    });
    discard.addEventListener("click", function () {
      var current = load();
      pending.forEach(function (el) { delete current[keyOf(el)]; });
      store(current);
      bar.remove();
    });
    bar.appendChild(text);
    bar.appendChild(restore);
    bar.appendChild(discard);
    document.body.appendChild(bar);
  }

  var observer = new MutationObserver(function () {
    settle();
    offer();
  });
  function start() {
    observer.observe(document.body, {
      subtree: true, childList: true, attributes: true,
      attributeFilter: ["data-status", "data-revision"],
    });
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
