// Prepple: the practice recorder (camera/microphone, countdown, timer, review) and the
// resumable upload. The page (prepple/pages/practice.py) renders the elements; this script
// binds to them by id and shows one phase at a time through the root's data-phase attribute
// (CSS in prepple.css). Every take is kept in IndexedDB until the server confirms it is
// stored, so a dropped connection or a closed tab means "upload again", never "record again".
(function () {
  "use strict";
  var CHUNK = 1024 * 1024;
  var REQUEST_TIMEOUT_MS = 60000;
  var RETRY_DELAYS = [1000, 2000, 4000, 8000, 8000, 8000];  // then the user is asked
  var MIN_TAKE_SECONDS = 1;  // a shorter take is no answer: it isn't kept or saved
  var SILENT_LEVEL = 0.02;   // the meter's level (0-1) below which we hear nothing
  var SILENT_SECONDS = 3;    // this long without a sound while recording: "we can't hear you"
  var DB_NAME = "prepple";
  var STORE = "takes";

  var stream = null;
  var recorder = null;
  var parts = [];
  var take = null; // {id, qid, cheat, mime, created, size, duration, blob, rid, token}
  var startedAt = 0;
  var timerHandle = null;
  var countdownHandle = null;
  var uploading = false;
  var infoAt = 0; // when Save last asked for the take (a double click must not save twice)

  function $(id) { return document.getElementById(id); }
  function root() { return $("recorder"); }
  function setPhase(phase) {
    var el = root();
    if (el) el.setAttribute("data-phase", phase);
  }
  function phase() {
    var el = root();
    return el ? el.getAttribute("data-phase") || "off" : "off";
  }
  function say(text, kind) {
    var el = $("rec-status");
    if (!el) return;
    el.textContent = text || "";
    el.setAttribute("data-kind", kind || "info");
  }
  function fmt(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  function num(attr, fallback) {
    var el = root();
    var v = el ? parseFloat(el.getAttribute(attr)) : NaN;
    return isNaN(v) ? fallback : v;
  }
  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return "t" + Date.now() + Math.random().toString(16).slice(2);
  }

  // ---- IndexedDB: takes waiting for the server -------------------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var req = window.indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "id" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = fn(t.objectStore(STORE));
        t.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); db.close(); };
        t.onerror = function () { reject(t.error); db.close(); };
        t.onabort = function () { reject(t.error || new Error("aborted")); db.close(); };  // e.g. storage full
      });
    });
  }
  function keep(item) {
    return tx("readwrite", function (s) { return s.put(item); }).then(function () { return true; }, function () {
      say("This browser couldn't keep a copy of your recording (storage full or blocked). Save it before leaving the page.", "warn");
      return false;
    });
  }
  function forget(id) { return tx("readwrite", function (s) { return s.delete(id); }).catch(function () {}); }
  function pending() { return tx("readonly", function (s) { return s.getAll(); }).catch(function () { return []; }); }

  // ---- Camera and microphone --------------------------------------------------------------
  function audioOnly() { var el = $("rec-audio-only"); return !!(el && el.checked); }
  function constraints() {
    var cam = $("rec-camera");
    var mic = $("rec-mic");
    var audio = mic && mic.value ? { deviceId: { exact: mic.value } } : true;
    var video = false;
    if (!audioOnly()) {
      video = cam && cam.value ? { deviceId: { exact: cam.value } } : { width: { ideal: 1280 }, height: { ideal: 720 } };
    }
    return { audio: audio, video: video };
  }
  // A live microphone level, so people see their voice is picked up before they answer. While
  // recording, a level near zero for a few seconds shows "We can't hear you" (a muted or wrong
  // microphone would otherwise cost a whole answer); the first sound hides it again.
  var meter = null;
  var quietSince = 0;
  function showSilence(on) {
    var box = $("rec-silence");
    if (box && box.hidden === on) box.hidden = !on;
    var el = root();
    if (el && el.getAttribute("data-silent") !== (on ? "yes" : "no")) el.setAttribute("data-silent", on ? "yes" : "no");
  }
  function hearing(level) {
    if (phase() !== "recording") { quietSince = 0; showSilence(false); return; }
    var now = Date.now();
    if (level >= SILENT_LEVEL) { quietSince = 0; showSilence(false); return; }
    if (!quietSince) quietSince = now;
    showSilence(now - quietSince >= SILENT_SECONDS * 1000);
  }
  function startMeter(s) {
    stopMeter();
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx || !s.getAudioTracks().length) return;
    try {
      var ctx = new Ctx();
      var analyser = ctx.createAnalyser();
      analyser.fftSize = 512;
      ctx.createMediaStreamSource(s).connect(analyser);
      var data = new Uint8Array(analyser.fftSize);
      meter = { ctx: ctx, frame: 0 };
      var draw = function () {
        analyser.getByteTimeDomainData(data);
        var sum = 0;
        for (var i = 0; i < data.length; i++) { var v = (data[i] - 128) / 128; sum += v * v; }
        var level = Math.min(1, Math.sqrt(sum / data.length) * 4);
        var bar = $("rec-level-fill");
        if (bar) bar.style.width = Math.round(level * 100) + "%";
        hearing(level);
        if (meter) meter.frame = window.requestAnimationFrame(draw);
      };
      draw();
    } catch (e) { meter = null; }
  }
  function stopMeter() {
    showSilence(false);
    quietSince = 0;
    if (!meter) return;
    window.cancelAnimationFrame(meter.frame);
    try { meter.ctx.close(); } catch (e) { /* already closed */ }
    meter = null;
  }
  function stopStream() {
    stopMeter();
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
  }
  function fillDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return;
    navigator.mediaDevices.enumerateDevices().then(function (devices) {
      [["rec-camera", "videoinput", "Camera"], ["rec-mic", "audioinput", "Microphone"]].forEach(function (spec) {
        var select = $(spec[0]);
        if (!select) return;
        var current = select.value;
        while (select.options.length) select.remove(0);
        devices.filter(function (d) { return d.kind === spec[1]; }).forEach(function (d, i) {
          var opt = document.createElement("option");
          opt.value = d.deviceId;
          opt.textContent = d.label || spec[2] + " " + (i + 1);
          select.appendChild(opt);
        });
        if (current) select.value = current;
      });
    });
  }
  function enable() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      say("This browser can't record. Try a recent Chrome, Edge, Firefox or Safari.", "error");
      return Promise.resolve(false);
    }
    stopStream();
    say("Asking for your camera and microphone…");
    return navigator.mediaDevices.getUserMedia(constraints()).then(function (s) {
      stream = s;
      var video = $("rec-preview");
      if (video) {
        video.srcObject = audioOnly() ? null : s;
        video.muted = true;
        var playing = video.play();
        if (playing && playing.catch) playing.catch(function () {});
      }
      fillDevices();
      startMeter(s);
      setPhase("preview");
      say(audioOnly() ? "Microphone on. Press Start when you're ready." : "Camera on. Press Start when you're ready.");
      return true;
    }).catch(function (err) {
      var name = err && err.name;
      if (name === "NotAllowedError" || name === "SecurityError") {
        say("Your browser blocked the camera or microphone. Allow them in the address bar, then press “Turn on camera” again.", "error");
      } else if (name === "NotFoundError" || name === "OverconstrainedError") {
        say("We couldn't find that device. Pick another one, or tick “Audio only”.", "error");
      } else if (name === "NotReadableError") {
        say("Another app is using your camera or microphone. Close it and try again.", "error");
      } else {
        say("We couldn't start your camera or microphone (" + (err && err.message || name || "unknown error") + ").", "error");
      }
      setPhase("off");
      return false;
    });
  }

  // ---- Recording --------------------------------------------------------------------------
  function pickMime() {
    var options = audioOnly()
      ? ["audio/webm;codecs=opus", "audio/webm", "audio/mp4", "audio/ogg;codecs=opus"]
      : ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm", "video/mp4"];
    for (var i = 0; i < options.length; i++) {
      if (window.MediaRecorder.isTypeSupported && window.MediaRecorder.isTypeSupported(options[i])) return options[i];
    }
    return "";
  }
  function tick() {
    var elapsed = (Date.now() - startedAt) / 1000;
    var lo = num("data-target-min", 120);
    var hi = num("data-target-max", 180);
    var max = num("data-max-seconds", 900);
    var timer = $("rec-timer");
    if (timer) timer.textContent = fmt(elapsed) + " / " + fmt(hi);
    var bar = $("rec-timer-bar");
    if (bar) {
      bar.style.width = Math.min(100, (elapsed / hi) * 100) + "%";
      bar.setAttribute("data-zone", elapsed < lo ? "short" : elapsed <= hi ? "target" : "long");
    }
    if (elapsed >= max) stop();
  }
  function start() {
    if (!stream) { enable().then(function (ok) { if (ok) start(); }); return; }
    var count = 3;
    setPhase("countdown");
    var box = $("rec-countdown");
    if (box) box.textContent = String(count);
    say("Recording starts in 3 seconds.");
    countdownHandle = window.setInterval(function () {
      count -= 1;
      if (count > 0) { if (box) box.textContent = String(count); return; }
      window.clearInterval(countdownHandle);
      countdownHandle = null;
      begin();
    }, 1000);
  }
  function begin() {
    var mime = pickMime();
    try {
      recorder = mime ? new window.MediaRecorder(stream, { mimeType: mime }) : new window.MediaRecorder(stream);
    } catch (err) {
      say("Recording couldn't start: " + err.message, "error");
      setPhase("preview");
      return;
    }
    parts = [];
    recorder.ondataavailable = function (e) { if (e.data && e.data.size) parts.push(e.data); };
    recorder.onstop = finish;
    recorder.start(1000);
    startedAt = Date.now();
    quietSince = 0;
    tick();
    timerHandle = window.setInterval(tick, 250);
    setPhase("recording");
    say("Recording. Answer as you would in the interview; press Stop when you're done.");
  }
  function stop() {
    if (countdownHandle) {
      window.clearInterval(countdownHandle);
      countdownHandle = null;
      setPhase("preview");
      say("Cancelled.");
      return;
    }
    if (recorder && recorder.state !== "inactive") recorder.stop();
    if (timerHandle) window.clearInterval(timerHandle);
    timerHandle = null;
  }
  function finish() {
    if (timerHandle) window.clearInterval(timerHandle);  // also when the track ended by itself
    timerHandle = null;
    var type = (recorder && recorder.mimeType) || (parts[0] && parts[0].type) || "video/webm";
    var blob = new Blob(parts, { type: type });
    parts = [];
    var el = root();
    take = {
      id: uuid(),
      qid: el ? parseInt(el.getAttribute("data-qid"), 10) || 0 : 0,
      cheat: el ? el.getAttribute("data-cheat") || "none" : "none",
      mime: type,
      created: Date.now(),
      size: blob.size,
      duration: (Date.now() - startedAt) / 1000,
      blob: blob,
      rid: 0,
      token: "",
    };
    showSilence(false);
    if (!blob.size) {
      take = null;
      setPhase(stream ? "preview" : "off");
      say("Nothing was recorded. Check that your microphone works, then try again.", "error");
      return;
    }
    if (take.duration < MIN_TAKE_SECONDS) {
      // Stopped at 0:00: nothing to watch or save. Say so instead of offering an empty take.
      take = null;
      setPhase(stream ? "preview" : "off");
      say("That take was under a second, too short to save. Press Start, answer, then press Stop.", "error");
      return;
    }
    keep(take);
    review();
  }
  function review() {
    infoAt = 0;
    var player = $("rec-playback");
    if (player && take) {
      if (player.src) URL.revokeObjectURL(player.src);
      player.src = URL.createObjectURL(take.blob);
    }
    var len = $("rec-length");
    if (len && take) len.textContent = fmt(take.duration);
    setPhase("review");
    say("Watch it back. Save it to get a transcript and feedback, or record it again.");
  }
  function drop() {
    if (take) forget(take.id);
    take = null;
    var player = $("rec-playback");
    if (player) {
      if (player.src) URL.revokeObjectURL(player.src);
      player.removeAttribute("src");
      player.load && player.load();
    }
    setPhase(stream ? "preview" : "off");
    say(stream ? "Take discarded. Press Start when you're ready." : "");
    showPending();
  }

  // ---- Upload -----------------------------------------------------------------------------
  function sleep(ms) { return new Promise(function (r) { window.setTimeout(r, ms); }); }
  function progress(fraction) {
    var bar = $("rec-upload-bar");
    if (bar) bar.style.width = Math.round(fraction * 100) + "%";
    var label = $("rec-upload-label");
    if (label) label.textContent = "Uploading… " + Math.round(fraction * 100) + "%";
  }
  function request(method, url, token, body) {
    var attempt = 0;
    function go() {
      // A stalled connection must not hang the upload: each request gets a minute.
      var abort = window.AbortController ? new window.AbortController() : null;
      var timer = abort ? window.setTimeout(function () { abort.abort(); }, REQUEST_TIMEOUT_MS) : null;
      return fetch(url, {
        method: method, headers: { "X-Upload-Token": token }, body: body, cache: "no-store",
        signal: abort ? abort.signal : undefined,
      })
        .finally(function () { if (timer) window.clearTimeout(timer); })
        .then(function (res) {
          return res.json().catch(function () { return {}; }).then(function (data) {
            data.httpStatus = res.status;
            if (res.status >= 500 && attempt < RETRY_DELAYS.length) throw new Error("server " + res.status);
            return data;
          });
        })
        .catch(function (err) {
          if (attempt >= RETRY_DELAYS.length) throw err;
          var wait = RETRY_DELAYS[attempt++];
          say("Connection trouble; trying again in " + Math.round(wait / 1000) + " s… (your recording is safe here)", "warn");
          return sleep(wait).then(go);
        });
    }
    return go();
  }
  function upload(rid, token) {
    if (!take) return Promise.resolve({ ok: false, error: "There is no recording to save." });
    if (uploading) return Promise.resolve({ ok: false, error: "Already uploading." });
    uploading = true;
    infoAt = 0;
    take.rid = rid;
    take.token = token;
    keep(take);
    setPhase("uploading");
    progress(0);
    say("Uploading your recording…");
    var base = "/api/recordings/" + rid + "/upload";
    var item = take;
    function send(offset) {
      if (offset >= item.size) return complete();
      progress(offset / item.size);
      var body = item.blob.slice(offset, Math.min(item.size, offset + CHUNK));
      return request("PUT", base + "?offset=" + offset, token, body).then(function (data) {
        if (data.ok) return send(data.received);
        if (data.httpStatus === 409 && typeof data.received === "number") return send(data.received);
        throw { userMessage: data.error || "The upload was refused." };
      });
    }
    function complete() {
      progress(1);
      say("Checking your recording…");
      return request("POST", base + "/complete?total=" + item.size, token, null).then(function (data) {
        if (data.ok || data.stored) {
          forget(item.id);
          take = null;
          setPhase("saved");
          say(data.ok ? "Saved. We're transcribing it now." : data.error, data.ok ? "ok" : "error");
          return { ok: !!data.ok, stored: !!data.stored, id: data.id, error: data.error || "" };
        }
        if (data.httpStatus === 409 && typeof data.received === "number") return send(data.received);
        throw { userMessage: data.error || "The upload was refused." };
      });
    }
    return request("GET", base, token, undefined)
      .then(function (data) {
        if (!data.ok) throw { userMessage: data.error || "The upload was refused." };
        // Already stored (the answer to an earlier attempt was lost): just confirm it.
        if (data.status !== "uploading") return complete();
        return send(data.received || 0);
      })
      .catch(function (err) {
        var message = (err && err.userMessage) ||
          "The upload stopped: the connection was lost. Your recording is safe in this browser; press Save to try again.";
        setPhase("review");
        say(message, "error");
        return { ok: false, error: message };
      })
      .then(function (result) { uploading = false; return result; });
  }
  function info() {
    if (!take || uploading) return null;
    if (Date.now() - infoAt < 5000) return null;  // a double click: one Save is on its way
    infoAt = Date.now();
    return { qid: take.qid, cheat_sheet: take.cheat, mime: take.mime, size: take.size, duration: take.duration, rid: take.rid || 0 };
  }
  function failed(message) {
    infoAt = 0;
    setPhase(take ? "review" : "off");
    say(message, "error");
  }

  // ---- Takes left from an earlier visit ----------------------------------------------------
  // The take waiting for this question, as the banner shows it. React may redraw the banner
  // (a fresh node, hidden again) after we showed it, so a MutationObserver re-applies it.
  var waiting = null; // {id, text} or null
  function applyPending() {
    var banner = $("rec-pending");
    if (!banner) return;
    if (!waiting) {
      if (!banner.hidden) banner.hidden = true;
      return;
    }
    var text = $("rec-pending-text");
    if (text && text.textContent !== waiting.text) text.textContent = waiting.text;
    if (banner.getAttribute("data-take") !== waiting.id) banner.setAttribute("data-take", waiting.id);
    if (banner.hidden) banner.hidden = false;
  }
  if (window.MutationObserver) {
    new window.MutationObserver(applyPending).observe(document.documentElement, { childList: true, subtree: true });
  }
  function showPending() {
    var el = root();
    var qid = el ? parseInt(el.getAttribute("data-qid"), 10) || 0 : 0;
    pending().then(function (items) {
      items = (items || []).filter(function (t) { return t.qid === qid && (!take || t.id !== take.id); });
      items.sort(function (a, b) { return b.created - a.created; });
      var newest = items[0];
      waiting = newest ? {
        id: newest.id,
        text: "You have a recording of this question from " + new Date(newest.created).toLocaleString() +
          " (" + fmt(newest.duration) + ") that isn't saved yet.",
      } : null;
      applyPending();
    });
  }
  function restore() {
    var id = waiting && waiting.id;
    if (!id) return;
    pending().then(function (items) {
      var found = (items || []).filter(function (t) { return t.id === id; })[0];
      if (!found) return;
      take = found;
      waiting = null;
      applyPending();
      review();
    });
  }
  function dropPending() {
    var id = waiting && waiting.id;
    if (id) forget(id).then(showPending);
  }

  // Called by the page's load handler. Its script can run just before React has drawn the
  // question it loaded, so wait (briefly) until the recorder shows a question id.
  function pageReady(tries) {
    tries = tries || 0;
    var el = root();
    if ((!el || !(parseInt(el.getAttribute("data-qid"), 10) > 0)) && tries < 50) {
      window.setTimeout(function () { pageReady(tries + 1); }, 100);
      return;
    }
    if (phase() === "recording" || uploading) return;
    infoAt = 0;
    take = null;
    waiting = null;
    setPhase(stream ? "preview" : "off");
    say("");
    showPending();
  }

  // ---- Wiring: one delegated listener for every recorder button and transcript word -------
  var actions = {
    enable: enable, start: start, stop: stop, retake: drop, discard: drop,
    restore: restore, "drop-pending": dropPending,
  };
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-rec-action]");
    if (button && actions[button.getAttribute("data-rec-action")]) {
      event.preventDefault();
      actions[button.getAttribute("data-rec-action")]();
      return;
    }
    var word = event.target.closest && event.target.closest("[data-seek]");
    if (word) seekTo(word);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") return;
    var word = event.target.closest && event.target.closest("[data-seek]");
    if (word) { event.preventDefault(); seekTo(word); }
  });
  document.addEventListener("change", function (event) {
    var id = event.target && event.target.id;
    if (id === "comment-pin") event.target.setAttribute("data-touched", "1");
    // A new device or audio-only while the preview runs: restart it with the new choice.
    if ((id === "rec-camera" || id === "rec-mic" || id === "rec-audio-only") && stream && phase() === "preview") {
      enable();
    }
  });
  // The shared-answer page: a comment "at this moment" takes the player's current time.
  // (Media events don't bubble, but a capturing listener on the document sees them.)
  document.addEventListener("timeupdate", function (event) {
    if (!event.target || event.target.id !== "result-player") return;
    var at = $("comment-at"), label = $("comment-at-label");
    var t = event.target.currentTime || 0;
    if (at) at.value = t.toFixed(2);
    // Pinned to the moment once the video has moved, unless the reviewer chose otherwise.
    var pin = $("comment-pin");
    if (pin && !pin.hasAttribute("data-touched") && t > 0.3) pin.checked = true;
    if (label) label.textContent = Math.floor(t / 60) + ":" + String(Math.floor(t % 60)).padStart(2, "0");
  }, true);
  function seekTo(el) {
    var player = $("result-player");
    var at = parseFloat(el.getAttribute("data-seek"));
    if (!player || isNaN(at)) return;
    player.currentTime = at;
    var p = player.play();
    if (p && p.catch) p.catch(function () {});
  }
  // Left the practice page inside the app: turn the camera off.
  window.setInterval(function () {
    if (stream && !root() && !(recorder && recorder.state === "recording")) stopStream();
  }, 2000);
  // Leaving the page while recording or uploading: the browser asks first.
  window.addEventListener("beforeunload", function (event) {
    if (phase() === "recording" || uploading) { event.preventDefault(); event.returnValue = ""; }
  });

  // Tests shorten the retry schedule (a real connection gets about 30 s to come back).
  function configure(options) {
    if (options && Array.isArray(options.retryDelays)) RETRY_DELAYS = options.retryDelays.slice();
    if (options && typeof options.silentSeconds === "number") SILENT_SECONDS = options.silentSeconds;
  }

  // This script can load after the page's load handler already asked for pageReady.
  if (root()) pageReady();

  window.preppleRecorder = {
    pageReady: pageReady, info: info, upload: upload, failed: failed,
    enable: enable, start: start, stop: stop, pending: pending, configure: configure,
  };
})();
