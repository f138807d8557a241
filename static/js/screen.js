/* The projector: phase, timer, the wall (or the groups side by side), hands, the join code. */
(function () {
  "use strict";
  var F = window.Facilitate, t = F.t, el = F.el;
  var byId = function (id) { return document.getElementById(id); };
  // The questions view (most "me too" first, answered last): a button here, or #questions.
  var questions = window.location.hash === "#questions";

  function card(c) {
    var label = F.languageLabel(c);
    var second = c.translation && c.translation_language === secondLanguage ? " in-second-language" : "";
    var answered = F.questions.answeredLabel(c);
    var metoo = c.reactions || questions ? " · " + t("Me too") + " " + c.reactions : null;
    return el("li", { class: "contribution" + (c.pinned ? " pinned" : "") + (c.answered ? " answered" : "") + second, "data-id": c.id }, F.contributionText(c).concat([
      el("p", { class: "meta" }, [
        el("span", { class: "kind kind-" + c.kind, text: F.kindLabel(c.kind) }),
        label ? " · " : null, label, metoo, answered ? " · " : null, answered,
      ]),
    ]));
  }

  /* Pinned first, then the newest on top: the room reads what was just said. */
  function ordered(items) {
    return items.slice().sort(function (a, b) {
      return (b.pinned - a.pinned) || (b.id - a.id);
    });
  }

  var secondLanguage = null;

  /* The step's title and question again in the language the facilitator chose, beneath
   * the original: only where a translation was given, and never the original twice. */
  function renderSecond(state, phase) {
    var code = state.screen && state.screen.language;
    secondLanguage = code && code !== F.config.original_language ? code : null;
    var title = phase && secondLanguage ? (phase.titles || {})[secondLanguage] : "";
    var prompt = phase && secondLanguage ? (phase.prompts || {})[secondLanguage] : "";
    var box = byId("phase-second");
    box.hidden = !(title || prompt);
    box.setAttribute("lang", secondLanguage || "");
    box.setAttribute("dir", F.direction(secondLanguage));
    byId("phase-title-second").textContent = title || "";
    byId("phase-title-second").hidden = !title;
    byId("phase-prompt-second").textContent = prompt || "";
    byId("phase-prompt-second").hidden = !prompt;
  }

  function render(state, room) {
    var phase = F.currentPhase(state);
    renderSecond(state, phase);
    byId("phase-step").textContent = phase
      ? t("Step %(num)s of %(total)s", { num: state.current_phase + 1, total: state.phases.length })
      : state.meeting.status === "closed" ? t("The meeting is closed. Thank you for taking part!")
        : t("The meeting has not started yet.");
    byId("phase-title").textContent = phase ? phase.title : state.meeting.title;
    byId("phase-prompt").textContent = phase ? phase.prompt : "";
    byId("presence").textContent = t("%(num)s online", { num: state.presence.online });
    F.replace(byId("hands"), state.hands.length ? state.hands.map(function (hand) {
      // The name finds its own direction; the item keeps the page's, so its number does not
      // stick out on the other side (a Swedish name on an Arabic projector).
      return el("li", {}, [el("span", { dir: "auto", text: hand.name || t("anonymous") })]);
    }) : [el("li", { class: "muted", text: t("No hands raised.") })]);

    var toggle = byId("questions-toggle");
    toggle.setAttribute("aria-pressed", questions ? "true" : "false");
    toggle.textContent = questions ? t("Show the wall") : t("Show the questions");
    byId("questions-h").hidden = !questions;
    if (questions) { // every step's questions: asked early, answered when the room gets to them
      var asked = F.questions.ordered(state.contributions);
      byId("wall").hidden = false;
      byId("groups").hidden = true;
      F.replace(byId("wall"), asked.length ? asked.map(card) : [el("li", { class: "empty muted", text: t("No questions yet.") })]);
      finish(state, room);
      return;
    }
    var now = state.contributions.filter(function (c) { return c.phase === state.current_phase; });
    var count = state.groups.count;
    byId("wall").hidden = !!count;
    byId("groups").hidden = !count;
    if (count) {
      var columns = [];
      for (var n = 1; n <= count; n++) {
        var mine = now.filter(function (c) { return c.group === n; });
        columns.push(el("section", { class: "group-column" }, [
          el("h2", { text: t("Group %(num)s", { num: n }) }),
          el("ul", { class: "wall" }, ordered(mine).map(card)),
        ]));
      }
      var outside = now.filter(function (c) { return !c.group; });
      if (outside.length) {
        columns.push(el("section", { class: "group-column" }, [
          el("h2", { text: t("Outside the groups") }), el("ul", { class: "wall" }, ordered(outside).map(card)),
        ]));
      }
      F.replace(byId("groups"), columns);
    } else {
      F.replace(byId("wall"), ordered(now).map(card));
    }
    finish(state, room);
  }

  function finish(state, room) {
    var proposals = byId("proposals");
    proposals.hidden = !state.proposals.length;
    F.proposals.render(proposals, room, state, {});
    F.perspectives.render(state, room);
    room.tick();
  }

  var room = new F.Room({
    render: render,
    onEvent: function (name, payload) {
      if (name !== "notice") return;
      var node = byId("notice");
      node.textContent = payload.text;
      node.hidden = false;
      window.clearTimeout(node.timer);
      node.timer = window.setTimeout(function () { node.hidden = true; }, 60000);
    },
  });
  byId("questions-toggle").addEventListener("click", function () {
    questions = !questions;
    window.history.replaceState(null, "", questions ? "#questions" : window.location.pathname + window.location.search);
    if (room.state) room.render(room.state, room);
  });
})();
