/* Facilitate live rooms: one Socket.IO connection, the picture it keeps, and writes that
 * survive a dropped network. Every view (phone, console, projector, notes) builds on this.
 *
 * The picture is the last `state` plus the events after it, folded by `apply` exactly as
 * docs/protocol.md ("Keeping state") says; the server re-sends `state` on every connect.
 * Writes wait in localStorage until acknowledged and are re-sent with the same client_id
 * after a reconnect or a reload: the server applies a client_id once.
 */
(function () {
  "use strict";

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  }

  var config = readJSON("room-config");
  // A view's own strings (the console's, say) beside those every live page shares.
  var strings = Object.assign(readJSON("room-strings"), readJSON("view-strings"),
    readJSON("perspectives-strings"), readJSON("perspectives-staff-strings"));

  // The page's language decides which plural form a count takes (CLDR's categories, as
  // the server named the forms: facilitate/i18n.py, plural_forms).
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "sv") : null;

  /* A translated string with %(name)s placeholders filled in. A text with a count comes
   * as its forms by plural category; params.num is the count that picks one. */
  function t(key, params) {
    var text = typeof key === "string" ? strings[key] || key : key;
    if (typeof text === "object") {
      var count = params ? Number(params.num) : NaN;
      text = (plurals && !isNaN(count) && text[plurals.select(count)]) || text.other;
    }
    if (params) {
      Object.keys(params).forEach(function (name) {
        text = text.split("%(" + name + ")s").join(String(params[name]));
        text = text.split("%(" + name + ")d").join(String(params[name]));
      });
    }
    return text;
  }

  /* Elements from data only: text goes in as text, never as HTML. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function replace(node, children) {
    if (!node) return;
    while (node.firstChild) node.removeChild(node.firstChild);
    children.forEach(function (child) { if (child) node.appendChild(child); });
  }

  /* Puts ``children`` into ``node`` in place: a child whose key (data-key, else data-id) an
   * equal old child has keeps the old element, and no kept element is moved unless the
   * order changed. So a redraw in a busy room leaves what did not change alone: the focus,
   * a half-typed reason, the scroll position. */
  function keep(node, children) {
    if (!node) return;
    var old = {};
    Array.prototype.forEach.call(node.children, function (n) {
      var key = n.dataset.key || n.dataset.id;
      if (key) old[key] = n;
    });
    children = children.filter(Boolean).map(function (n) {
      var key = n.dataset.key || n.dataset.id;
      var was = key && old[key];
      return was && (was === n || was.isEqualNode(n)) ? was : n;
    });
    Array.prototype.slice.call(node.childNodes).forEach(function (n) {
      if (children.indexOf(n) < 0) node.removeChild(n);
    });
    children.forEach(function (n, index) {
      if (node.children[index] !== n) node.insertBefore(n, node.children[index] || null);
    });
  }

  function clientId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  /* How a client folds an event into its state (the reference is in the protocol tests). */
  function apply(state, name, payload) {
    if (name === "state") return JSON.parse(JSON.stringify(payload));
    if (!state) return state;
    if (name === "meeting") state.meeting = payload;
    else if (name === "phases") state.phases = payload.phases;
    else if (name === "phase") state.current_phase = payload.current_phase;
    else if (name === "timer" || name === "groups" || name === "presence" || name === "screen") state[name] = payload;
    else if (name === "hands") state.hands = payload.hands;
    else if (name === "speaker") state.speaker = payload.speaker;
    else if (name === "contribution") {
      var current = state.contributions.find(function (c) { return c.id === payload.id; });
      if (current) Object.assign(current, payload);
      else {
        state.contributions.push(Object.assign({ reacted: false }, payload));
        state.contributions.sort(function (a, b) { return a.id - b.id; });
      }
    } else if (name === "contribution_removed") {
      state.contributions = state.contributions.filter(function (c) { return c.id !== payload.id; });
    } else if (name === "reaction") {
      state.contributions.forEach(function (item) {
        if (item.id !== payload.contribution_id) return;
        item.reactions = payload.reactions;
        if ("reacted" in payload) item.reacted = payload.reacted;
      });
    } else if (name === "proposal") {
      state.proposals = state.proposals.filter(function (p) { return p.id !== payload.id; });
      state.proposals.push(payload);
      state.proposals.sort(function (a, b) { return a.id - b.id; });
    } else if (name === "proposal_removed") {
      state.proposals = state.proposals.filter(function (p) { return p.id !== payload.id; });
    } else if (name === "voting" || name === "tally") {
      state[name] = payload;
    } else if (name === "statement_vote") {
      state.me.answers[String(payload.contribution_id)] = payload.value;
    } else if (name === "perspectives") {
      state.perspectives = payload;
    } else if (name === "perspectives_me") {
      state.me.perspectives = payload;
    } else if (name === "vote") {
      var key = String(payload.proposal_id);
      if (payload.value === 0 && state.voting.method === "dots") delete state.me.votes[key];
      else state.me.votes[key] = payload.value;
      state.me.remaining = payload.remaining;
    }
    return state;
  }

  /* Refusals that say "not now" rather than "no": the write stays in the outbox. */
  var RETRY = ["unavailable", "rate_limited"];

  var FOLDED = ["meeting", "phases", "phase", "screen", "timer", "groups", "presence", "hands", "speaker", "contribution",
    "contribution_removed", "reaction", "proposal", "proposal_removed", "voting", "tally", "vote",
    "statement_vote", "perspectives", "perspectives_me"];

  /* Seconds left on the timer, by the server's clock as it was when the timer was sent. */
  function timerSeconds(timer, skew) {
    if (!timer) return null;
    if (timer.running && timer.ends_at) {
      var left = (Date.parse(timer.ends_at) - (Date.now() + skew)) / 1000;
      return Math.max(0, Math.ceil(left));
    }
    return timer.remaining === null || timer.remaining === undefined ? null : timer.remaining;
  }

  function clock(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  /* The live connection of this page. `render(state, room)` redraws; `on` gets every event. */
  function Room(options) {
    var room = this;
    room.state = null;
    room.skew = 0; // server clock minus ours, in ms
    var draw = options.render || function () {};
    // Redraws may rebuild or move elements; a keyboard user's focus goes back to the same
    // control: the element itself when it was only moved, else the one with its data-key.
    room.render = function (state, r) {
      var active = document.activeElement;
      var key = active && active.dataset ? active.dataset.key : null;
      draw(state, r);
      if (!active || active === document.body || document.activeElement === active) return;
      if (document.body.contains(active)) { active.focus({ preventScroll: true }); return; }
      var again = key && document.querySelector('[data-key="' + window.CSS.escape(key) + '"]');
      if (again) again.focus({ preventScroll: true });
    };
    room.onEvent = options.onEvent || function () {};
    room.queueKey = "facilitate:queue:" + config.meeting_id + ":" + config.view;
    room.queue = room.loadQueue();
    room.status = document.getElementById("conn");
    var auth = { meeting_id: config.meeting_id };
    // The read-only views say so; the server refuses their writes (docs/protocol.md).
    if (config.view === "screen" || config.view === "preview") auth.view = config.view;
    // Both transports: long-polling first gets through proxies that block WebSocket.
    room.socket = window.io("/live", { auth: auth, reconnectionDelayMax: 10000 });
    room.socket.on("connect", function () { room.showStatus("online"); });
    room.socket.on("disconnect", function () { room.showStatus("offline"); });
    room.socket.on("connect_error", function (error) {
      room.showStatus("offline");
      var data = error && error.data;
      if (data && data.code && data.code !== "unauthorized") room.alert(data.message || "");
      if (data && data.code === "unauthorized") room.socket.disconnect();
    });
    room.socket.on("state", function (payload) {
      room.state = apply(null, "state", payload);
      room.skew = Date.parse(payload.timer.now) - Date.now();
      room.render(room.state, room);
      room.flush(); // what waited while offline goes out once the room is known again
    });
    FOLDED.forEach(function (name) {
      room.socket.on(name, function (payload) { room.hear(name, payload); });
    });
    ["hand_given", "notice", "proposal_duplicates"].forEach(function (name) {
      room.socket.on(name, function (payload) { room.onEvent(name, payload, room); });
    });
    window.setInterval(function () { room.tick(); }, 500);
  }

  /* An event, whether it came as a message or in the answer to this phone's own write. */
  Room.prototype.hear = function (name, payload) {
    if (name === "timer") this.skew = Date.parse(payload.now) - Date.now();
    this.state = apply(this.state, name, payload);
    this.onEvent(name, payload, this);
    if (this.state) this.render(this.state, this);
  };

  Room.prototype.loadQueue = function () {
    try { return JSON.parse(window.localStorage.getItem(this.queueKey) || "[]"); }
    catch (e) { return []; }
  };

  Room.prototype.saveQueue = function () {
    try { window.localStorage.setItem(this.queueKey, JSON.stringify(this.queue)); }
    catch (e) { /* private mode: the queue still lives as long as the page */ }
    this.showStatus(this.socket && this.socket.connected ? "online" : "offline");
  };

  Room.prototype.showStatus = function (which) {
    if (!this.status) return;
    var waiting = this.queue ? this.queue.length : 0;
    this.status.dataset.state = which;
    var text = which === "online" ? t("Connected") : t("Offline: reconnecting…");
    if (waiting) text += " · " + t("%(num)s waiting to be sent", { num: waiting });
    this.status.textContent = text;
  };

  Room.prototype.alert = function (message) {
    var box = document.getElementById("alert");
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
    window.clearTimeout(this.alertTimer);
    this.alertTimer = window.setTimeout(function () { box.hidden = true; }, 8000);
  };

  /* A write: kept until the server answers, so a dropped network loses nothing. */
  Room.prototype.send = function (event, payload, done) {
    if (config.view === "preview") return; // nothing to keep: the server would refuse it
    var item = { event: event, payload: Object.assign({ client_id: clientId() }, payload) };
    this.queue.push(item);
    this.saveQueue();
    if (done) this.waiting = Object.assign(this.waiting || {}, { [item.payload.client_id]: done });
    if (this.socket.connected && this.state) this.emit(item);
  };

  Room.prototype.emit = function (item) {
    var room = this;
    if (item.inFlight) return;
    item.inFlight = true;
    room.socket.timeout(15000).emit(item.event, item.payload, function (error, ack) {
      item.inFlight = false;
      // Still queued: asked again shortly while connected (its client_id makes that
      // safe), else on the next connect.
      var later = function () {
        window.setTimeout(function () {
          if (room.socket.connected && room.queue.indexOf(item) >= 0) room.emit(item);
        }, 5000);
      };
      if (error) { later(); return; } // no answer in time
      // The write's own events (a vote's, say) come in its answer, not as messages.
      if (ack && ack.ok !== false && ack.events && room.state) {
        Object.keys(ack.events).forEach(function (name) { room.hear(name, ack.events[name]); });
      }
      if (ack && ack.ok === false && RETRY.indexOf(ack.error && ack.error.code) >= 0) {
        later(); // not saved, through no fault of the write
        room.showStatus("online");
        return;
      }
      room.queue = room.queue.filter(function (q) { return q.payload.client_id !== item.payload.client_id; });
      room.saveQueue();
      var done = room.waiting && room.waiting[item.payload.client_id];
      if (done) delete room.waiting[item.payload.client_id];
      if (ack && ack.ok === false) room.alert(ack.error && ack.error.message);
      if (done) done(ack || { ok: false });
    });
  };

  Room.prototype.flush = function () {
    var room = this;
    room.queue.forEach(function (item) { item.inFlight = false; room.emit(item); });
  };

  Room.prototype.tick = function () {
    var nodes = document.querySelectorAll("[data-timer]");
    if (!nodes.length || !this.state) return;
    var seconds = timerSeconds(this.state.timer, this.skew);
    var running = this.state.timer.running;
    nodes.forEach(function (node) {
      node.hidden = seconds === null;
      if (seconds === null) return;
      node.dataset.running = running ? "yes" : "no";
      node.dataset.up = seconds === 0 ? "yes" : "no";
      node.textContent = seconds === 0 ? t("Time is up") : clock(seconds) + (running ? "" : " " + t("(paused)"));
    });
  };

  /* The current phase, or null before the meeting opens. */
  function currentPhase(state) {
    return state.current_phase === null ? null : state.phases[state.current_phase] || null;
  }

  /* Content given in several languages: the viewer's when someone wrote it, else the original. */
  function inMyLanguage(original, translations) {
    var mine = translations && translations[config.language];
    return mine || original || "";
  }

  /* A contribution's text with its language, a small label when it is not the original
   * language (so the facilitator can find someone to help), and any translation beneath. */
  function contributionText(c) {
    var nodes = [el("p", { class: "text", dir: "auto", lang: c.language || null, text: c.text })];
    if (c.translation) {
      nodes.push(el("p", { class: "translation", dir: "auto", lang: c.translation_language || null }, [
        el("span", { class: "translation-label", text: t("Translation") + ": " }),
        el("bdi", { dir: direction(c.translation_language), text: c.translation }),
      ]));
    }
    return nodes;
  }

  /* How text in a language runs: "rtl" for Arabic, whatever the page's own direction. */
  function direction(code) {
    return (code && (config.directions || {})[code]) || "auto";
  }

  function languageLabel(c) {
    if (!c.language || c.language === config.original_language) return null;
    var name = (config.languages || {})[c.language] || c.language;
    return el("span", { class: "lang-label", lang: c.language, title: name, text: c.language.toUpperCase() + " · " + name });
  }

  /* Inputs nobody types in: a letter or a digit means nothing to them, so a shortcut works
   * while one has the focus (a box just ticked with the mouse keeps it). */
  var UNTYPED = ["checkbox", "radio", "button", "submit", "reset"];

  /* Whether a key press may act as a page's shortcut: never with Ctrl, Alt or Meta (the
   * browser's and the system's), never while typing in a field. */
  function mayShortcut(event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return false;
    var target = event.target;
    if (!target || !target.closest) return true;
    if (target.isContentEditable) return false;
    var field = target.closest("input, textarea, select, [contenteditable]");
    return !field || (field.tagName === "INPUT" && UNTYPED.indexOf(field.type) >= 0);
  }

  var KIND_KEYS = { experience: "Experience", cause: "Cause", idea: "Idea", question: "Question" };

  window.Facilitate = {
    config: config, t: t, el: el, replace: replace, keep: keep, apply: apply, Room: Room,
    currentPhase: currentPhase, clock: clock, mayShortcut: mayShortcut, inMyLanguage: inMyLanguage, direction: direction,
    contributionText: contributionText, languageLabel: languageLabel, kindLabel: function (kind) { return t(KIND_KEYS[kind] || kind); },
  };
})();
