/* The resident's phone: the current phase on top, then what the moment asks for (the vote
 * while it is open, its result until the next step), the write form, the hand, the wall. */
(function () {
  "use strict";
  var F = window.Facilitate, t = F.t, el = F.el;
  var editing = null; // {id, node}: an open edit survives redraws, focus and all
  var confirming = null; // the id whose delete waits for its second tap
  var byId = function (id) { return document.getElementById(id); };
  var preview = F.config.view === "preview"; // staff looking, read-only (live.preview)
  // The wall: the newest first, a page at a time. Once "show more" was used, everything
  // from the oldest revealed on stays shown as new contributions arrive on top.
  var PAGE = parseInt(byId("wall").dataset.page, 10) || 20;
  var wall = { phase: undefined, shown: PAGE, from: null, mine: false, visible: 0 };

  /* The contribution as the room has it now (a kept element's handler may outlive its data). */
  function latest(room, c) {
    return room.state.contributions.find(function (x) { return x.id === c.id; }) || c;
  }

  function meta(c) {
    var parts = [el("span", { class: "kind kind-" + c.kind, text: F.kindLabel(c.kind) })];
    if (c.own) parts.push(" · " + t("mine"));
    if (c.waiting) parts.push(" · ", el("strong", { class: "waiting", text: t("waiting for approval") }));
    if (c.on_behalf) parts.push(" · " + t("typed in by a note-taker"));
    return el("p", { class: "meta" }, parts);
  }

  function editForm(room, c) {
    var area = el("textarea", { rows: "3", maxlength: F.config.limits.contribution, dir: "auto", "aria-label": t("Edit") });
    area.value = c.text;
    var form = el("form", { class: "edit-form" }, [
      area,
      el("div", { class: "write-row" }, [
        el("button", { type: "submit", text: t("Save") }),
        el("button", { type: "button", class: "secondary", text: t("Cancel"), onclick: function () {
          editing = null; room.render(room.state, room);
        } }),
      ]),
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      room.send("contribution_edit", { id: c.id, text: area.value }, function (ack) {
        if (ack.ok) { editing = null; room.render(room.state, room); }
      });
    });
    return form;
  }

  function item(room, c, current) {
    if (editing && editing.id === c.id && current) return editing.node;
    var buttons = [];
    if (!c.own) {
      buttons.push(el("button", {
        type: "button", class: "metoo", "aria-pressed": c.reacted ? "true" : "false", "data-key": "metoo-" + c.id,
        text: t("Me too") + " · " + c.reactions,
        onclick: function () {
          room.send(latest(room, c).reacted ? "reaction_remove" : "reaction_add", { contribution_id: c.id });
        },
      }));
    } else {
      buttons.push(el("span", { class: "metoo-count muted", text: t("Me too") + " · " + c.reactions }));
      if (current) {
        buttons.push(el("button", { type: "button", class: "secondary", text: t("Edit"), onclick: function () {
          var node = el("li", { class: "contribution own editing", "data-id": c.id }, [editForm(room, latest(room, c))]);
          editing = { id: c.id, node: node };
          room.render(room.state, room);
          node.querySelector("textarea").focus();
        } }));
      }
      // Two taps, so a thumb's slip deletes nothing; the first is kept across redraws.
      var armed = confirming === c.id;
      buttons.push(el("button", {
        type: "button", class: "secondary danger", "data-key": "delete-" + c.id,
        text: armed ? t("Really delete?") : t("Delete"),
        onclick: function () {
          if (confirming !== c.id) {
            confirming = c.id;
            room.render(room.state, room);
            return;
          }
          confirming = null;
          room.send("contribution_delete", { id: c.id });
        },
      }));
    }
    return el("li", { class: "contribution" + (c.own ? " own" : ""), "data-id": c.id }, F.contributionText(c).concat([
      meta(c),
      el("div", { class: "item-actions" }, buttons),
    ]));
  }

  function renderPhase(state) {
    var box = byId("phase");
    var timer = box.querySelector("[data-timer]");
    var phase = F.currentPhase(state);
    var children = [];
    if (state.meeting.status === "closed") {
      children.push(el("p", { text: t("The meeting is closed. Thank you for taking part!") }));
    } else if (!phase) {
      children.push(el("p", { text: t("The meeting has not started yet.") }));
      var intro = F.inMyLanguage(state.meeting.intro, state.meeting.intros);
      if (intro) children.push(el("p", { class: "intro", dir: "auto", text: intro }));
    } else {
      children.push(el("p", { class: "phase-step", text: t("Step %(num)s of %(total)s", { num: state.current_phase + 1, total: state.phases.length }) }));
      children.push(el("h2", { dir: "auto", text: F.inMyLanguage(phase.title, phase.titles) }));
      var prompt = F.inMyLanguage(phase.prompt, phase.prompts);
      if (prompt) children.push(el("p", { class: "prompt", dir: "auto", text: prompt }));
    }
    children.push(timer);
    F.replace(box, children);
  }

  /* The newest first, as many as the resident asked to see; or only their own. */
  function renderWall(state, room) {
    if (wall.phase !== state.current_phase) wall = { phase: state.current_phase, shown: PAGE, from: null, mine: false, visible: 0 };
    var now = state.contributions.filter(function (c) { return c.phase === state.current_phase; }).reverse();
    var own = now.filter(function (c) { return c.own; });
    if (!own.length) wall.mine = false;
    var mine = byId("mine");
    mine.hidden = !own.length;
    mine.textContent = t("Only mine (%(num)s)", { num: own.length });
    mine.setAttribute("aria-pressed", wall.mine ? "true" : "false");
    var shown = wall.mine ? own : now.filter(function (c, index) {
      return index < wall.shown || (wall.from !== null && c.id >= wall.from);
    });
    if (!wall.mine) wall.visible = shown.length;
    var left = wall.mine ? 0 : now.length - shown.length;
    var more = byId("more");
    more.hidden = !left;
    more.textContent = t("Show %(num)s more", { num: Math.min(PAGE, left) });
    var count = byId("wall-count");
    count.hidden = !left;
    count.textContent = t("Showing %(shown)s of %(total)s", { shown: shown.length, total: now.length });
    var items = shown.map(function (c) { return item(room, c, true); });
    if (!items.length) items = [el("li", { class: "empty muted", text: t("Nothing here yet.") })];
    keep(byId("wall"), items);
    return { shown: shown, total: now.length };
  }

  /* Puts ``nodes`` into ``list``, keeping each element that is unchanged: the page keeps
     its place (scroll anchoring holds on to kept elements) and nothing flickers. */
  function keep(list, nodes) {
    var old = {};
    Array.prototype.forEach.call(list.children, function (n) { if (n.dataset.id) old[n.dataset.id] = n; });
    nodes = nodes.map(function (n) {
      var was = n.dataset.id && old[n.dataset.id];
      return was && (was === n || was.isEqualNode(n)) ? was : n;
    });
    Array.prototype.slice.call(list.children).forEach(function (n) {
      if (nodes.indexOf(n) < 0) list.removeChild(n);
    });
    nodes.forEach(function (n, index) {
      if (list.children[index] !== n) list.insertBefore(n, list.children[index] || null);
    });
  }

  /* While a vote is open, and after it closes until the next step, the proposals come right
     under the step; otherwise after the wall. The step a result was first seen in is kept
     per meeting, so a reload does not bring an old result back to the top. */
  function resultFirst(state) {
    var key = "facilitate:result:" + F.config.meeting_id;
    var ballot = state.voting.proposal_ids.join(",");
    var seen = null;
    try {
      if (state.voting.status !== "closed") { window.localStorage.removeItem(key); return false; }
      seen = JSON.parse(window.localStorage.getItem(key) || "null");
      if (!seen || seen.ballot !== ballot) {
        seen = { phase: state.current_phase, ballot: ballot };
        window.localStorage.setItem(key, JSON.stringify(seen));
      }
    } catch (e) { /* private mode: the result shows first as long as the page lives */ }
    return !seen || seen.phase === state.current_phase;
  }

  function placeProposals(state) {
    var section = byId("proposals-section");
    var result = state.current_phase !== null && resultFirst(state);
    var first = state.current_phase !== null && (state.voting.status === "open" || result);
    var after = first ? byId("phase") : byId("wall-section");
    // Moved only when its place changes: a moved element loses the focus.
    if (after.nextElementSibling !== section) after.parentNode.insertBefore(section, after.nextElementSibling);
    byId("proposals-h").textContent = result ? t("Result of the vote") : t("Proposals");
  }

  function render(state, room) {
    var open = state.meeting.status === "open";
    renderPhase(state);
    byId("write").hidden = !open;
    var hand = byId("hand");
    var raised = state.hands.some(function (h) { return h.participant_id === state.me.participant_id; });
    hand.hidden = !open;
    hand.textContent = raised ? t("Lower my hand") : t("Raise my hand");
    hand.setAttribute("aria-pressed", raised ? "true" : "false");
    byId("presence").textContent = t("%(num)s online", { num: state.presence.online });
    var call = state.meeting.video_url || "";
    byId("call-box").hidden = !call;
    if (call) byId("call").href = call;
    var group = byId("group");
    group.hidden = !state.me.group;
    group.textContent = state.me.group ? t("You are in group %(num)s", { num: state.me.group }) : "";

    renderWall(state, room);
    placeProposals(state);

    var earlier = [];
    state.phases.forEach(function (phase, index) {
      if (state.current_phase === null || index >= state.current_phase) return;
      var items = state.contributions.filter(function (c) { return c.phase === index; });
      earlier.push(el("h3", { dir: "auto", text: F.inMyLanguage(phase.title, phase.titles) }));
      earlier.push(el("ul", { class: "wall" }, items.length ? items.map(function (c) { return item(room, c, false); })
        : [el("li", { class: "empty muted", text: t("Nothing here yet.") })]));
    });
    byId("earlier").hidden = !earlier.length;
    F.replace(byId("earlier-list"), earlier);
    byId("propose").hidden = !open;
    F.proposals.render(byId("proposals"), room, state, { vote: true });
    if (preview) lock();
    if (F.sharedScreen) F.sharedScreen.render(state, room); // a digital meeting's
    F.perspectives.render(state, room);
    room.tick();
  }

  /* Staff's preview shows every control a resident has, but none of them works. */
  function lock() {
    document.querySelectorAll("#write :is(textarea, select, button), #proposal-form :is(input, textarea, button), " +
      "#hand, .metoo, #proposals :is(button, input)").forEach(function (node) { node.disabled = true; });
  }

  function flash(id, text, seconds) {
    var node = byId(id);
    if (text) node.textContent = text;
    node.hidden = false;
    window.clearTimeout(node.timer);
    node.timer = window.setTimeout(function () { node.hidden = true; }, seconds * 1000);
  }

  var room = new F.Room({
    render: render,
    onEvent: function (name, payload, room) {
      var me = room.state && room.state.me.participant_id;
      if (name === "hand_given" && me && payload.participant_id === me) {
        flash("given", t("You have the word"), 60);
        if (navigator.vibrate) navigator.vibrate(300);
      } else if (name === "notice") {
        flash("notice", payload.text, 60);
      }
    },
  });

  byId("write").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = byId("write-text");
    var value = text.value.trim();
    if (!value) { text.focus(); return; }
    text.value = ""; // queued on the phone now; it is sent when the network lets it
    room.send("contribution_add", { text: value, kind: byId("write-kind").value }, function (ack) {
      if (!ack.ok && !text.value) text.value = value; // refused: give the words back
    });
  });
  byId("proposal-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var title = byId("proposal-title"), body = byId("proposal-body");
    var sent = { title: title.value.trim(), body: body.value.trim() };
    if (!sent.title) { title.focus(); return; }
    title.value = ""; body.value = "";
    room.send("proposal_add", sent, function (ack) {
      if (!ack.ok && !title.value) { title.value = sent.title; body.value = sent.body; }
    });
  });
  function say(seen) {
    byId("wall-said").textContent = t("Showing %(shown)s of %(total)s", { shown: seen.shown.length, total: seen.total });
  }
  byId("more").addEventListener("click", function () {
    if (!room.state) return;
    wall.shown = wall.visible + PAGE;
    var seen = renderWall(room.state, room);
    var oldest = seen.shown[seen.shown.length - 1];
    wall.from = oldest ? oldest.id : null;
    say(seen);
    // All shown: the button goes, and the focus to the wall's heading rather than nowhere.
    if (byId("more").hidden) byId("wall-h").focus();
  });
  byId("mine").addEventListener("click", function () {
    if (!room.state) return;
    wall.mine = !wall.mine;
    say(renderWall(room.state, room));
  });
  byId("hand").addEventListener("click", function () {
    var raised = byId("hand").getAttribute("aria-pressed") === "true";
    room.send(raised ? "hand_lower" : "hand_raise", {});
  });
})();
