/* Proposals and votes, drawn the same way on the phone, the console and the projector. */
(function () {
  "use strict";
  var F = window.Facilitate, t = F.t, el = F.el;

  var STATUS = { open: "Proposed", voting: "In the vote", agreed: "Agreed", not_agreed: "Not agreed", parked: "Parked" };
  var CHOICES = {
    approval: [[1, "Support"], [0, "Against"]],
    agree: [[1, "Agree"], [-1, "Disagree"], [0, "Pass"]],
    consent: [[0, "0"], [1, "1"], [2, "2"], [3, "3"], [4, "4"], [5, "5"]],
  };

  /* A tally's counts in words, per method. */
  function countsText(method, counts) {
    if (!counts) return "";
    var text;
    if (method === "approval") text = t("Support %(yes)s · Against %(no)s", counts);
    else if (method === "agree") text = t("Agree %(agree)s · Disagree %(disagree)s · Pass %(pass)s", counts);
    else if (method === "dots") text = t("Dots %(dots)s · Voters %(voters)s", counts);
    else {
      text = [0, 1, 2, 3, 4, 5].map(function (n) { return n + ": " + counts[String(n)]; }).join(" · ");
      text += " · " + t("Blocks: %(blocks)s", counts);
    }
    if (counts.paper) text += " · " + t("of which %(paper)s on paper", counts);
    return text;
  }

  function voteControls(room, state, p) {
    var method = state.voting.method;
    var mine = state.me.votes[String(p.id)];
    var cast = function (value) { room.send("vote_cast", { proposal_id: p.id, value: value }); };
    if (method === "dots") {
      var given = mine || 0;
      return el("div", { class: "vote-row dots" }, [
        el("button", { type: "button", class: "secondary", "aria-label": t("One dot less"), disabled: given === 0,
          "data-key": "less-" + p.id,
          text: "−", onclick: function () { cast(given - 1); } }),
        el("span", { class: "dots-given", text: t("%(num)s dots", { num: given }) }),
        el("button", { type: "button", "aria-label": t("One dot more"), "data-key": "more-" + p.id,
          disabled: given >= state.voting.cap || !state.me.remaining,
          text: "+", onclick: function () { cast(given + 1); } }),
      ]);
    }
    return el("div", { class: "vote-row " + method, role: "group", "aria-label": t("Your vote") },
      CHOICES[method].map(function (choice) {
        return el("button", { type: "button", class: "secondary choice", "aria-pressed": mine === choice[0] ? "true" : "false",
          "data-key": "vote-" + p.id + "-" + choice[0],
          text: method === "consent" ? choice[1] : t(choice[1]), onclick: function () { cast(choice[0]); } });
      }));
  }

  /* One proposal. ``opts.vote``: vote controls; ``opts.staff``: paper counts, and with
     ``opts.decide`` (the facilitator) decide and merge too. */
  function item(room, state, p, opts, kept) {
    var voting = state.voting.status === "open" && p.on_ballot;
    var counts = state.tally && state.tally.proposals[String(p.id)];
    var children = [
      el("p", { class: "text", dir: "auto" }, [el("strong", { text: p.title })]),
      p.body ? el("p", { class: "body", dir: "auto", text: p.body }) : null,
      el("p", { class: "meta" }, [el("span", { class: "status status-" + p.status, text: t(STATUS[p.status] || p.status) }),
        p.note ? " · " + p.note : null,
        p.waiting ? " · " : null, p.waiting ? el("strong", { class: "waiting", text: t("waiting for approval") }) : null,
        p.hidden ? " · " : null, p.hidden ? el("span", { class: "hidden-reason", text: t("Rejected: %(reason)s", { reason: p.reason || "" }) }) : null]),
    ];
    // The room reads the numbers off the chart; staff keep them beside the decision too.
    if (counts && opts.staff) children.push(el("p", { class: "counts", text: countsText(state.voting.method, counts) }));
    if (opts.vote && voting && state.me.participant_id) children.push(voteControls(room, state, p));
    if (opts.staff && !p.hidden) children.push(staffControls(room, state, p, voting, opts, kept));
    return el("li", { class: "proposal" + (p.hidden ? " is-hidden" : ""), "data-id": p.id }, children);
  }

  function staffControls(room, state, p, voting, opts, kept) {
    var parts = [];
    if (!voting && opts.decide) {
      var suggestion = state.tally && state.tally.suggestions && state.tally.suggestions[String(p.id)];
      if (suggestion) parts.push(el("span", { class: "muted", text: t("Suggested: %(outcome)s", { outcome: t(STATUS[suggestion]) }) }));
      [["agreed", "Agreed"], ["not_agreed", "Not agreed"], ["parked", "Parked"]].forEach(function (o) {
        parts.push(el("button", { type: "button", class: "secondary small", "aria-pressed": p.status === o[0] ? "true" : "false",
          "data-key": "decide-" + p.id + "-" + o[0],
          text: t(o[1]), onclick: function () { room.send("proposal_decide", { proposal_id: p.id, outcome: o[0] }); } }));
      });
      var others = state.proposals.filter(function (q) { return q.id !== p.id && !q.waiting && !q.hidden; });
      if (others.length) {
        var select = el("select", { "aria-label": t("Merge into") }, others.map(function (q) {
          return el("option", { value: q.id, text: q.title });
        }));
        parts.push(el("span", { class: "merge" }, [select, el("button", { type: "button", class: "secondary small", text: t("Merge into"),
          onclick: function () { room.send("proposal_merge", { ids: [p.id], into: parseInt(select.value, 10) }); } })]));
      }
    }
    if (p.on_ballot && state.voting.status) parts.push(paperForm(room, state, p, kept, opts.decide));
    return el("div", { class: "item-actions" }, parts);
  }

  var PAPER_KEYS = { approval: ["yes", "no"], agree: ["agree", "disagree", "pass"], dots: ["dots", "voters"],
    consent: ["0", "1", "2", "3", "4", "5"] };
  // Each count's label in the page's language, as the tally names it.
  var PAPER_LABELS = { yes: "Support", no: "Against", agree: "Agree", disagree: "Disagree", pass: "Pass",
    dots: "Dots", voters: "Voters" };

  /* A proposal's paper counts, the same form from redraw to redraw: a tally redraws the list
     several times a second while a vote is open, and what a note-taker is typing stays, with
     its focus (Room.render puts that back on the element). ``kept``: the list's forms.
     ``folded``: on the facilitator's console, where counts from paper are the note-taker's
     work more often than theirs, behind a summary, so that a long ballot's cards stay short;
     opened, it stays open across redraws too. */
  function paperForm(room, state, p, kept, folded) {
    var key = p.id + ":" + state.voting.method;
    kept.used[key] = true;
    if (kept.forms[key]) return kept.forms[key];
    var inputs = PAPER_KEYS[state.voting.method].map(function (key) {
      var label = PAPER_LABELS[key] ? t(PAPER_LABELS[key]) : key;  // consent's levels are numbers
      return el("label", { class: "paper-count" }, [label + " ", el("input", { type: "number", min: "0", inputmode: "numeric", name: key })]);
    });
    // Folded, its summary names it already.
    var form = el("form", { class: "paper-form" }, [folded ? null : el("span", { class: "muted", text: t("Paper or hands:") })].concat(inputs)
      .concat([el("button", { type: "submit", class: "small", text: t("Add") })]));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var counts = {};
      form.querySelectorAll("input").forEach(function (input) {
        if (input.value !== "") counts[input.name] = parseInt(input.value, 10);
      });
      room.send("paper_votes_add", { proposal_id: p.id, counts: counts }, function (ack) { if (ack.ok) form.reset(); });
    });
    var node = folded ? el("details", { class: "paper" }, [el("summary", { text: t("Paper or hands") }), form]) : form;
    kept.forms[key] = node;
    return node;
  }

  /* The whole list into ``node``: the vote's state on top, the chart of the result, the
     proposals. The chart's box is kept from call to call, so its bars move in place. */
  function render(node, room, state, opts) {
    if (!node) return;
    var parts = node._proposals;
    if (!parts || parts.head.parentNode !== node) {
      parts = node._proposals = { head: el("div", { class: "proposals-head" }), chart: el("div", { class: "chart-box" }),
        list: el("ul", { class: "wall proposals" }), kept: { forms: {}, used: {} } };
      // On the console the chart folds away: with many proposals it stood between the
      // vote's state and the cards staff decide on (20 consent rows: some 3,000 px).
      parts.fold = opts.decide ? el("details", { class: "chart-fold", open: true },
        [el("summary", { text: t("Results") }), parts.chart]) : null;
      F.replace(node, [parts.head, parts.fold || parts.chart, parts.list]);
    }
    var head = [];
    if (state.voting.status === "open") head.push(el("p", { class: "voting-open", text: t("Voting is open") }));
    if (state.voting.status === "open" && state.voting.method === "dots" && state.me.remaining !== null && opts.vote) {
      head.push(el("p", { class: "dots-left", text: t("Dots left: %(num)s", { num: state.me.remaining }) }));
    }
    if (opts.staff && state.tally) {
      head.push(el("p", { class: "muted", text: t("%(ballots)s voted of %(joined)s joined", state.tally) }));
    }
    // Staff find a waiting proposal in the queue (moderation.js), not here.
    parts.kept.used = {};
    var items = state.proposals.filter(function (p) { return !(opts.staff && p.waiting); })
      .map(function (p) { return item(room, state, p, opts, parts.kept); });
    Object.keys(parts.kept.forms).forEach(function (key) { if (!parts.kept.used[key]) delete parts.kept.forms[key]; });
    if (!items.length) items = [el("li", { class: "empty muted", text: t("No proposals yet.") })];
    F.replace(parts.head, head);
    F.replace(parts.list, items);
    // A phone voting has its ballot first and the live result after it; elsewhere the
    // result leads. Moved only when that changes: a moved chart restarts its transitions.
    var after = opts.vote && state.voting.status === "open" ? parts.list : parts.head;
    var placed = parts.fold || parts.chart;
    if (after.nextSibling !== placed) node.insertBefore(placed, after.nextSibling);
    F.charts.draw(parts.chart, state, opts);
  }

  F.proposals = { render: render, countsText: countsText };
})();
