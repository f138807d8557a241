/* The facilitator's console: every facilitator event of the protocol, one control each. */
(function () {
  "use strict";
  var F = window.Facilitate, t = F.t, el = F.el;
  var byId = function (id) { return document.getElementById(id); };
  var room;
  var hiding = null; // the contribution whose hide form is open, kept across redraws
  var translating = null; // likewise for the translate form

  function button(label, onclick, cls, key) {
    return el("button", { type: "button", class: cls || "secondary", text: label, onclick: onclick, "data-key": key });
  }

  function renderAgenda(state) {
    F.replace(byId("agenda"), state.phases.map(function (phase, index) {
      var current = index === state.current_phase;
      return el("li", { class: current ? "current" : "", "aria-current": current ? "step" : null }, [
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
      }));
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
      actions.push(button(t("Make a proposal"), function () { room.send("proposal_promote", { contribution_id: c.id }); }));
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
    F.replace(byId("wall"), items.length ? items.map(function (c) { return wallItem(c, state); })
      : [el("li", { class: "empty muted", text: questions ? t("No questions yet.") : t("Nothing here yet.") })]);
  }

  function renderHands(state) {
    F.replace(byId("hands"), state.hands.length ? state.hands.map(function (hand) {
      return el("li", {}, [
        el("span", { dir: "auto", text: hand.name || t("anonymous") }),
        hand.on_behalf ? el("small", { class: "hand-for muted", text: t("raised for someone in the room") }) : null,
        el("div", { class: "item-actions" }, [
          button(t("Give the word"), function () { room.send("hand_give", { id: hand.id }); }, "small", "give-" + hand.id),
          hand.on_behalf ? button(t("Lower the hand"), function () {
            room.send("hand_lower_for", { id: hand.id });
          }, "secondary small", "lower-" + hand.id) : null,
        ]),
      ]);
    }) : [el("li", { class: "muted", text: t("No hands raised.") })]);
  }

  function renderScreen(state) {
    var select = byId("screen-language");
    if (document.activeElement !== select) select.value = (state.screen && state.screen.language) || "";
  }

  function renderPeople(state) {
    byId("presence").textContent = t("%(online)s online of %(joined)s joined", state.presence);
    F.replace(byId("people"), (state.presence.people || []).map(function (person) {
      return el("li", {}, [
        el("span", { dir: "auto", text: person.name || t("anonymous") }), " ",
        button(t("Block"), function (event) {
          if (event.target.dataset.armed) {
            room.send("participant_block", { participant_id: person.participant_id });
          } else { // a second click confirms: blocking hides everything they wrote
            event.target.dataset.armed = "yes";
            event.target.textContent = t("Block") + "?";
          }
        }, "secondary danger small"), " ",
        button(t("Erase their words"), function (event) {
          if (event.target.dataset.armed) {
            room.send("participant_erase", { participant_id: person.participant_id });
          } else { // on a resident's request; a second click confirms, it cannot be undone
            event.target.dataset.armed = "yes";
            event.target.textContent = t("Erase their words") + "?";
          }
        }, "secondary danger small"),
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
