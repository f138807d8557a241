/* Pre-moderation's queue (console and note-taker) and the questions view (console and
 * projector). docs/protocol.md, "Pre-moderation" and "Questions". */
(function () {
  "use strict";
  var F = window.Facilitate, t = F.t, el = F.el;
  var rejecting = null; // {key, node}: an open reason form survives redraws, typing and all

  /* What waits for approval: contributions first, then proposals, each in the order written.
     A rejected one (hidden) no longer waits. */
  function waiting(state) {
    return state.contributions.filter(function (c) { return c.waiting && !c.hidden; })
      .map(function (c) { return { kind: "contribution", item: c }; })
      .concat(state.proposals.filter(function (p) { return p.waiting && !p.hidden; })
        .map(function (p) { return { kind: "proposal", item: p }; }));
  }

  function reasonForm(room, entry, key) {
    var proposal = entry.kind === "proposal";
    var reason = el("input", { maxlength: F.config.limits.reason, "aria-label": t("Reason"), placeholder: t("Reason"), required: true });
    var close = function () { rejecting = null; room.render(room.state, room); };
    var form = el("form", { class: "hide-form" }, [reason,
      el("button", { type: "submit", text: proposal ? t("Reject") : t("Hide") }),
      el("button", { type: "button", class: "secondary", text: t("Cancel"), onclick: close })]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = proposal ? "proposal_reject" : "contribution_hide";
      room.send(name, { id: entry.item.id, reason: reason.value }, function (ack) { if (ack.ok) close(); });
    });
    var node = el("li", { class: "contribution queued", "data-key": key }, [queuedText(entry), form]);
    rejecting = { key: key, node: node };
    room.render(room.state, room);
    node.querySelector("input").focus();
  }

  function queuedText(entry) {
    if (entry.kind === "proposal") {
      var p = entry.item;
      return el("div", {}, [
        el("p", { class: "text", dir: "auto" }, [el("strong", { text: p.title })]),
        p.body ? el("p", { class: "body", dir: "auto", text: p.body }) : null,
      ]);
    }
    return el("div", {}, F.contributionText(entry.item));
  }

  function queueItem(room, entry, opts) {
    var key = entry.kind + "-" + entry.item.id;
    if (rejecting && rejecting.key === key) return rejecting.node;
    var c = entry.item;
    var tags = [el("span", { class: "kind kind-" + (entry.kind === "proposal" ? "proposal" : c.kind),
      text: entry.kind === "proposal" ? t("Proposal") : F.kindLabel(c.kind) })];
    if (entry.kind === "contribution") {
      var label = F.languageLabel(c);
      if (label) tags.push(" · ", label);
      if (c.group) tags.push(" · " + t("Group %(num)s", { num: c.group }));
    }
    var actions = [el("button", { type: "button", class: "small", "data-key": "approve-" + key, text: t("Approve"),
      onclick: function () { room.send(entry.kind + "_approve", { id: c.id }); } })];
    if (opts.facilitator) {
      actions.push(el("button", { type: "button", class: "secondary small", "data-key": "reject-" + key,
        text: entry.kind === "proposal" ? t("Reject") : t("Hide"),
        onclick: function () { reasonForm(room, entry, key); } }));
    }
    return el("li", { class: "contribution queued", "data-id": c.id, "data-key": key }, [queuedText(entry),
      el("p", { class: "meta" }, tags), el("div", { class: "item-actions" }, actions)]);
  }

  /* The queue into ``node``: its count, what pre-moderation does now, and each waiting item
     with Approve (and, for the facilitator, Hide or Reject). ``opts.facilitator`` also gets
     the switch. */
  function renderQueue(node, room, state, opts) {
    if (!node) return;
    var items = waiting(state);
    var on = !!state.meeting.premoderation;
    var idle = !on && !items.length; // nothing to do: only the switch, quietly
    node.hidden = !opts.facilitator && idle;
    node.classList.toggle("idle", idle);
    var children = idle ? [el("h2", { id: "queue-h", class: "visually-hidden", "data-key": "heading", text: t("Pre-moderation") })]
      : [el("h2", { id: "queue-h", "data-key": "heading", text: t("Waiting for approval: %(num)s", { num: items.length }) })];
    if (opts.facilitator) {
      var box = el("input", { type: "checkbox", id: "premoderation", "data-key": "premoderation", checked: on,
        onchange: function (event) { room.send("premoderation_set", { on: event.target.checked }); } });
      children.push(el("p", { class: "premoderation-switch", "data-key": "switch" }, [el("label", {}, [box, " " + t("Pre-moderation")])]));
    }
    var explain = on ? t("Residents' contributions and proposals wait here; the wall and the projector show them once approved.")
      : items.length ? t("Pre-moderation is off: new writing shows at once. What still waits here stays off the wall until it is approved or hidden.")
        : t("Pre-moderation is off: residents' writing shows at once.");
    children.push(el("p", { class: "muted queue-explain", "data-key": "explain", text: explain }));
    if (items.length) {
      // The list stays one element, updated in place: a busy room moves no focus in it.
      var list = node.querySelector("ul.queue") || el("ul", { class: "wall queue", "data-key": "list" });
      F.keep(list, items.map(function (entry) { return queueItem(room, entry, opts); }));
      children.push(list);
    } else if (on) {
      children.push(el("p", { class: "muted", "data-key": "nothing", text: t("Nothing is waiting.") }));
    }
    F.keep(node, children);
  }

  /* Questions only: the one most people share first, answered ones last, then as written. */
  function questionsOrdered(items) {
    return items.filter(function (c) { return c.kind === "question"; }).sort(function (a, b) {
      return (a.answered - b.answered) || (b.reactions - a.reactions) || (a.id - b.id);
    });
  }

  /* "Answered" in words, never by colour alone. */
  function answeredLabel(c) {
    return c.kind === "question" && c.answered ? el("strong", { class: "answered-label", text: "✓ " + t("Answered") }) : null;
  }

  F.moderation = { renderQueue: renderQueue, waiting: waiting };
  F.questions = { ordered: questionsOrdered, answeredLabel: answeredLabel };
})();
