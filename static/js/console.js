/* The facilitator's console: every facilitator event of the protocol, one control each. */
(function () {
  "use strict";
  var F = window.Facilitate, t = F.t, el = F.el;
  var byId = function (id) { return document.getElementById(id); };
  var room;
  var hiding = null; // the contribution whose hide form is open, kept across redraws
  var translating = null; // likewise for the translate form
  // Two-click confirmations armed by their first click, by key ("block-4"): kept here, not
  // on the button, so a redraw in a busy room cannot disarm them. Each lapses on its own.
  var ARMED_MS = 10000;
  var armed = {};

  function redraw() { if (room && room.state) room.render(room.state, room); }

  function isArmed(key) { return (armed[key] || 0) > Date.now(); }

  /* A button that acts on its second click within ARMED_MS, for what cannot be undone. */
  function confirmButton(label, key, act) {
    var on = isArmed(key);
    return button(on ? t(label) + "?" : t(label), function () {
      if (isArmed(key)) {
        delete armed[key];
        act();
      } else {
        armed[key] = Date.now() + ARMED_MS;
        window.setTimeout(redraw, ARMED_MS + 50);
      }
      redraw();
    }, "secondary danger small" + (on ? " armed" : ""), key);
  }

  function button(label, onclick, cls, key) {
    return el("button", { type: "button", class: cls || "secondary", text: label, onclick: onclick, "data-key": key });
  }

  function renderAgenda(state) {
    F.keep(byId("agenda"), state.phases.map(function (phase, index) {
      var current = index === state.current_phase;
      return el("li", { class: current ? "current" : "", "aria-current": current ? "step" : null, "data-key": "phase-" + index }, [
        el("span", { class: "phase-title", dir: "auto", text: phase.title }),
        el("span", { class: "muted", text: " · " + phase.minutes + " min" }),
        current ? el("strong", { class: "now", text: " " + t("Now") })
          : state.meeting.status === "open" ? button(t("Go to this step"), function () {
            room.send("phase_goto", { index: index });
          }, null, "go-" + index) : null,
      ]);
    }));
    var phase = F.currentPhase(state);
    var minutes = byId("timer-minutes");
    if (phase && document.activeElement !== minutes && !minutes.dataset.touched) minutes.value = phase.minutes;
  }

  function hideForm(c) {
    var reason = el("input", { maxlength: F.config.limits.reason, "aria-label": t("Reason"), placeholder: t("Reason"), required: true });
    var form = el("form", { class: "hide-form" }, [reason, el("button", { type: "submit", text: t("Hide") }),
      button(t("Cancel"), function () { hiding = null; room.render(room.state, room); })]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      room.send("contribution_hide", { id: c.id, reason: reason.value }, function (ack) {
        if (ack.ok) { hiding = null; room.render(room.state, room); }
      });
    });
    return form;
  }

  function translateForm(c) {
    var text = el("textarea", { rows: "2", maxlength: F.config.limits.translation, dir: "auto", "aria-label": t("Translation") });
    text.value = c.translation || "";
    var language = el("select", { "aria-label": t("Translated into") }, Object.keys(F.config.languages).map(function (code) {
      var option = el("option", { value: code, lang: code, text: F.config.languages[code] });
      if (code === (c.translation_language || F.config.language)) option.selected = true;
      return option;
    }));
    var form = el("form", { class: "translate-form" }, [text, language, el("button", { type: "submit", text: t("Save") }),
      button(t("Cancel"), function () { translating = null; room.render(room.state, room); })]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      room.send("contribution_translate", { id: c.id, text: text.value, language: language.value }, function (ack) {
        if (ack.ok) { translating = null; room.render(room.state, room); }
      });
    });
    return form;
  }

  function wallItem(c, state) {
    if (hiding && hiding.id === c.id) return hiding.node;
    if (translating && translating.id === c.id) return translating.node;
    var tags = [el("span", { class: "kind kind-" + c.kind, text: F.kindLabel(c.kind) })];
    var label = F.languageLabel(c);
    if (label) tags.push(" · ", label);
    if (c.group) tags.push(" · " + t("Group %(num)s", { num: c.group }));
    if (c.on_behalf) tags.push(" · " + t("typed in by a note-taker"));
    if (c.pinned) tags.push(" · " + t("Pinned"));
    tags.push(" · " + t("Me too") + " " + c.reactions);
    var answered = F.questions.answeredLabel(c);
    if (answered) tags.push(" · ", answered);
    var actions = [];
    if (c.hidden) {
      actions.push(el("span", { class: "hidden-reason", text: t("Hidden: %(reason)s", { reason: c.reason || "" }) }));
      actions.push(button(t("Show again"), function () { room.send("contribution_show", { id: c.id }); }, null, "show-" + c.id));
    } else {
      actions.push(button(t("Hide"), function () {
        var node = el("li", { class: "contribution", "data-id": c.id }, [el("p", { class: "text", dir: "auto", text: c.text }), hideForm(c)]);
        hiding = { id: c.id, node: node };
        room.render(room.state, room);
        node.querySelector("input").focus();
      }, null, "hide-" + c.id));
      actions.push(button(c.translation ? t("Edit translation") : t("Translate"), function () {
        var node = el("li", { class: "contribution", "data-id": c.id }, F.contributionText(c).concat([translateForm(c)]));
        translating = { id: c.id, node: node };
        room.render(room.state, room);
        node.querySelector("textarea").focus();
      }, null, "translate-" + c.id));
      actions.push(button(c.pinned ? t("Unpin") : t("Pin"), function () { room.send("contribution_pin", { id: c.id }); }, null, "pin-" + c.id));
      if (c.kind === "question") {
        actions.push(button(c.answered ? t("Not answered") : t("Mark answered"), function () {
          room.send("question_answer", { id: c.id, answered: !c.answered });
        }, null, "answer-" + c.id));
      }
      actions.push(button(t("Make a proposal"), function () {
        room.send("proposal_promote", { contribution_id: c.id });
      }, null, "promote-" + c.id));
    }
    return el("li", { class: "contribution" + (c.hidden ? " is-hidden" : "") + (c.pinned ? " pinned" : "") + (c.answered ? " answered" : ""), "data-id": c.id }, F.contributionText(c).concat([
      el("p", { class: "meta" }, tags),
      el("div", { class: "item-actions" }, actions),
    ]));
  }

  /* What waits for approval is in the queue, not on the wall; a rejected one is here, hidden. */
  function renderWall(state) {
    var all = byId("wall-filter").value === "all";
    var questions = byId("wall-order").value === "questions";
    var items = state.contributions.filter(function (c) {
      return (all || c.phase === state.current_phase) && !(c.waiting && !c.hidden);
    });
    if (questions) items = F.questions.ordered(items);
    F.keep(byId("wall"), items.length ? items.map(function (c) { return wallItem(c, state); })
      : [el("li", { class: "empty muted", "data-key": "empty", text: questions ? t("No questions yet.") : t("Nothing here yet.") })]);
  }

  function renderHands(state) {
    // Who has the word stays on the projector until the facilitator ends the speech.
    var speaker = state.speaker;
    byId("console-speaker").hidden = !speaker;
    byId("console-speaker-name").textContent = speaker
      ? t("Has the word: %(name)s", { name: "\u2068" + (speaker.name || t("anonymous")) + "\u2069" }) : "";
    F.keep(byId("hands"), state.hands.length ? state.hands.map(function (hand) {
      return el("li", { "data-key": "hand-" + hand.id }, [
        el("span", { dir: "auto", text: hand.name || t("anonymous") }),
        hand.on_behalf ? el("small", { class: "hand-for muted", text: t("raised for someone in the room") }) : null,
        el("div", { class: "item-actions" }, [
          button(t("Give the word"), function () { room.send("hand_give", { id: hand.id }); }, "small", "give-" + hand.id),
          hand.on_behalf ? button(t("Lower the hand"), function () {
            room.send("hand_lower_for", { id: hand.id });
          }, "secondary small", "lower-" + hand.id) : null,
        ]),
      ]);
    }) : [el("li", { class: "muted", "data-key": "none", text: t("No hands raised.") })]);
  }

  /* The projector's settings (screen_set): its second language, and the mode and theme
   * buttons, each pressed as state.screen says; a click sends the one it names. */
  function renderScreen(state) {
    var screen = state.screen || {};
    var select = byId("screen-language");
    if (document.activeElement !== select) select.value = screen.language || "";
    document.querySelectorAll("[data-screen-mode]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.dataset.screenMode === screen.mode ? "true" : "false");
    });
    document.querySelectorAll("[data-screen-theme]").forEach(function (b) {
      b.setAttribute("aria-pressed", screen.theme === "dark" ? "true" : "false");
    });
  }
  document.querySelectorAll("[data-screen-mode]").forEach(function (b) {
    b.addEventListener("click", function () { room.send("screen_set", { mode: b.dataset.screenMode }); });
  });
  document.querySelectorAll("[data-screen-theme]").forEach(function (b) {
    b.addEventListener("click", function () {
      room.send("screen_set", { theme: b.getAttribute("aria-pressed") === "true" ? "light" : "dark" });
    });
  });

  function renderPeople(state) {
    byId("presence").textContent = t("%(online)s online of %(joined)s joined", state.presence);
    F.keep(byId("people"), (state.presence.people || []).map(function (person) {
      var id = person.participant_id;
      return el("li", { "data-key": "person-" + id }, [
        el("span", { dir: "auto", text: person.name || t("anonymous") }), " ",
        // Blocking hides everything they wrote.
        confirmButton("Block", "block-" + id, function () {
          room.send("participant_block", { participant_id: id });
        }), " ",
        // On a resident's request; it cannot be undone.
        confirmButton("Erase their words", "erase-" + id, function () {
          room.send("participant_erase", { participant_id: id });
        }),
      ]);
    }));
  }

  function render(state, r) {
    room = r;
    var status = state.meeting.status;
    var badge = byId("status");
    badge.className = "badge badge-" + status;
    badge.textContent = t(status === "draft" ? "Draft" : status === "open" ? "Open" : "Closed");
    byId("meeting-open").hidden = status !== "draft";
    byId("meeting-close").hidden = status !== "open";
    renderAgenda(state);
    renderWall(state);
    F.moderation.renderQueue(byId("queue"), room, state, { facilitator: true });
    renderHands(state);
    renderScreen(state);
    renderPeople(state);
    var groups = state.groups.count;
    byId("groups-now").textContent = groups ? t("Groups running: %(num)s", { num: groups }) : "";
    byId("groups-end").hidden = !groups;
    byId("groups-form").hidden = !!groups;
    byId("voting-open").hidden = status !== "open" || state.voting.status === "open";
    byId("voting-close").hidden = state.voting.status !== "open";
    F.proposals.render(byId("proposals"), room, state, { staff: true, decide: true });
    F.perspectives.render(state, room);
    room.tick();
  }

  room = new F.Room({
    render: render,
    onEvent: function (name, payload) {
      if (name === "notice") {
        var node = byId("notice");
        node.textContent = payload.text;
        node.hidden = false;
      } else if (name === "proposal_duplicates") {
        showDuplicates(payload);
      }
    },
  });

  /* One action merges a new proposal into a likely duplicate of this meeting. */
  function showDuplicates(payload) {
    var box = byId("duplicates");
    var mine = room.state && room.state.proposals.find(function (p) { return p.id === payload.id; });
    var here = room.state ? room.state.meeting.id : null;
    F.replace(box, [el("p", { text: t("“%(title)s” may be the same as:", { title: mine ? mine.title : "#" + payload.id }) })]
      .concat(payload.candidates.map(function (c) {
        return el("p", {}, [el("span", { dir: "auto", text: c.title + " (" + c.score + " %)" }), " ",
          button(t("Merge into it"), function () {
            room.send("proposal_merge", { ids: [payload.id], into: c.id }, function (ack) { if (ack.ok) box.hidden = true; });
          }), c.meeting_id === here ? null : el("span", { class: "muted", text: " " + t("from another meeting of this theme") })]);
      })).concat([button(t("Not the same"), function () { box.hidden = true; })]));
    box.hidden = false;
  }

  /* Keyboard shortcuts. Which key does what is written once, in the "?" list of the
   * template (each row's data-shortcut and data-keys); here is what each action does. An
   * action answers whether it did anything, so only what happened is announced. */
  function visible(node) { return node && !node.hidden && !node.disabled; }

  function step(by) {
    var state = room.state;
    if (state.meeting.status !== "open" || state.current_phase === null) return false;
    var index = state.current_phase + by;
    if (index < 0 || index >= state.phases.length) return false;
    room.send("phase_goto", { index: index });
    return true;
  }

  function clickIf(node) {
    if (!visible(node)) return false;
    node.click();
    return true;
  }

  var ACTIONS = {
    next: function () { return step(1); },
    previous: function () { return step(-1); },
    timer: function () {
      var timer = room.state.timer;
      if (timer.running) room.send("timer_pause", {});
      else if (timer.remaining) room.send("timer_start", {}); // resume what is left
      else byId("timer-form").requestSubmit();
      return true;
    },
    plus: function () { return clickIf(byId("timer-plus")); },
    minus: function () { return clickIf(byId("timer-minus")); },
    vote: function () { return clickIf(byId("voting-open")) || clickIf(byId("voting-close")); },
    hand: function () {
      var next = room.state.hands[0];
      if (next) room.send("hand_give", { id: next.id });
      return !!next;
    },
    // The projector's mode buttons, when the console has them.
    screen: function (row) {
      return clickIf(document.querySelector('[data-screen-mode="' + row.dataset.mode + '"]'));
    },
    help: function () { openShortcuts(); return false; },
  };

  var dialog = byId("shortcuts");
  var opener = null;
  var bindings = {};
  dialog.querySelectorAll("[data-shortcut]").forEach(function (row) {
    row.dataset.keys.split(" ").forEach(function (key) { bindings[key] = row; });
  });

  /* The list, with the projector's modes that this console offers, named as their buttons. */
  function openShortcuts() {
    dialog.querySelectorAll("[data-shortcut=screen]").forEach(function (row) {
      var target = document.querySelector('[data-screen-mode="' + row.dataset.mode + '"]');
      row.hidden = !target;
      if (target) row.querySelector(".mode-name").textContent = target.textContent.trim();
    });
    opener = document.activeElement;
    dialog.showModal();
  }

  // A modal dialog keeps the page inert, yet Tab could still leave for the browser's own
  // controls: it goes round the dialog's instead.
  dialog.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") return;
    var items = dialog.querySelectorAll("button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])");
    var first = items[0], last = items[items.length - 1];
    if (event.shiftKey ? document.activeElement === first : document.activeElement === last) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  });

  dialog.addEventListener("close", function () {
    if (opener && document.body.contains(opener)) opener.focus();
    opener = null;
  });
  byId("shortcuts-open").addEventListener("click", openShortcuts);

  /* The key as the list names it. On a layout without Latin letters (Arabic, say) the
   * key in the same place on a Latin keyboard counts, so N is still N. */
  function keyOf(event) {
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    var place = /^(?:Key|Digit)(.)$/.exec(event.code || "");
    if (bindings[key] || /^[\x20-\x7e]$/.test(key) || !place) return key;
    return place[1].toLowerCase();
  }

  document.addEventListener("keydown", function (event) {
    if (dialog.open || event.repeat || !room.state || !F.mayShortcut(event)) return;
    var row = bindings[keyOf(event)];
    if (!row) return;
    event.preventDefault();
    if (ACTIONS[row.dataset.shortcut](row)) {
      byId("shortcut-said").textContent = row.querySelector(".action").textContent;
    }
  });

  byId("meeting-open").addEventListener("click", function () { room.send("meeting_open", {}); });
  byId("voting-open").addEventListener("click", function () { room.send("voting_open", {}); });
  byId("voting-close").addEventListener("click", function () { room.send("voting_close", {}); });
  byId("proposal-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var title = byId("proposal-title");
    if (!title.value.trim()) return;
    room.send("proposal_add", { title: title.value.trim() }, function (ack) { if (ack.ok) title.value = ""; });
  });
  byId("meeting-close").addEventListener("click", function (event) {
    if (!event.target.dataset.armed) {
      event.target.dataset.armed = "yes";
      event.target.textContent += "?";
      return;
    }
    room.send("meeting_close", {});
  });
  byId("timer-minutes").addEventListener("input", function (event) { event.target.dataset.touched = "yes"; });
  byId("timer-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var minutes = parseInt(byId("timer-minutes").value, 10);
    room.send("timer_start", isNaN(minutes) ? {} : { seconds: minutes * 60 });
    delete byId("timer-minutes").dataset.touched;
  });
  byId("timer-pause").addEventListener("click", function () { room.send("timer_pause", {}); });
  byId("timer-plus").addEventListener("click", function () { room.send("timer_add", { seconds: 60 }); });
  byId("timer-minus").addEventListener("click", function () { room.send("timer_add", { seconds: -60 }); });
  byId("wall-filter").addEventListener("change", function () { if (room.state) render(room.state, room); });
  byId("wall-order").addEventListener("change", function () { if (room.state) render(room.state, room); });
  byId("hands-clear").addEventListener("click", function () { room.send("hand_clear", {}); });
  byId("speaker-clear").addEventListener("click", function () { room.send("speaker_clear", {}); });
  byId("screen-language").addEventListener("change", function (event) {
    room.send("screen_set", { language: event.target.value || null });
  });
  byId("groups-form").addEventListener("submit", function (event) {
    event.preventDefault();
    room.send("groups_split", { count: parseInt(byId("groups-count").value, 10) || 0, by: byId("groups-by").value });
  });
  byId("groups-end").addEventListener("click", function () { room.send("groups_end", {}); });
  byId("notice-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = byId("notice-text");
    if (!input.value.trim()) return;
    room.send("notice", { text: input.value.trim() }, function (ack) { if (ack.ok) input.value = ""; });
  });
  byId("write").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = byId("write-text");
    var value = text.value.trim();
    if (!value) return;
    text.value = "";
    room.send("contribution_add", { text: value, on_behalf: byId("write-behalf").checked }, function (ack) {
      if (!ack.ok && !text.value) text.value = value;
    });
  });
})();
