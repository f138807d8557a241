/* Perspectives: residents answer statements one at a time (phone), the room sees an
 * anonymous map of its opinion groups and its common ground (projector), the facilitator
 * sees everything with counts (console). Drawn from `state` as live.js folds it; the page's
 * own script calls `Facilitate.perspectives.render(state, room)` after its own drawing. */
(function () {
  "use strict";
  var F = window.Facilitate, t = F.t, el = F.el;
  var byId = function (id) { return document.getElementById(id); };
  var SVG = "http://www.w3.org/2000/svg";
  // Colours apart, and shapes too: a group is never told by colour alone.
  var COLOURS = ["#1f5fa8", "#b3471d", "#2e7d32", "#7b3fa0", "#8a6d00"];
  var SHAPES = ["circle", "square", "triangle", "diamond", "cross"];
  var skipped = {}; // statements this phone put aside for now, until the others are answered

  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function steps(state) {
    var found = [];
    state.phases.forEach(function (phase, index) { if (phase.kind === "perspectives") found.push(index); });
    return found;
  }

  function inStep(state) {
    return state.current_phase !== null && steps(state).indexOf(state.current_phase) >= 0;
  }

  /* The deck: statements of the perspectives steps the whole room sees. */
  function deck(state) {
    var at = steps(state);
    return state.contributions.filter(function (c) {
      return at.indexOf(c.phase) >= 0 && !c.waiting && !c.hidden;
    });
  }

  function groupIndex(label) { return label ? label.charCodeAt(0) - 65 : -1; }

  /* One mark on the map: the group's shape in its colour; hollow grey outside shown groups. */
  function mark(x, y, label, size, extra) {
    var i = groupIndex(label), r = size;
    var colour = i >= 0 ? COLOURS[i % COLOURS.length] : "#6b6b6b";
    var fill = i >= 0 ? colour : "none";
    var common = { fill: fill, stroke: colour, "stroke-width": String(r / 3) };
    var shape = i >= 0 ? SHAPES[i % SHAPES.length] : "circle";
    var node;
    if (shape === "circle") node = svg("circle", Object.assign({ cx: x, cy: y, r: r }, common));
    else if (shape === "square") node = svg("rect", Object.assign({ x: x - r, y: y - r, width: 2 * r, height: 2 * r }, common));
    else if (shape === "triangle") node = svg("polygon", Object.assign({ points: [x, y - r * 1.2, x + r * 1.1, y + r * 0.8, x - r * 1.1, y + r * 0.8].join(" ") }, common));
    else if (shape === "diamond") node = svg("polygon", Object.assign({ points: [x, y - r * 1.3, x + r * 1.3, y, x, y + r * 1.3, x - r * 1.3, y].join(" ") }, common));
    else node = svg("path", Object.assign({ d: "M" + (x - r) + " " + (y - r) + "L" + (x + r) + " " + (y + r) + "M" + (x + r) + " " + (y - r) + "L" + (x - r) + " " + (y + r) }, common, { "stroke-width": String(r / 1.5), fill: "none" }));
    if (extra) Object.keys(extra).forEach(function (key) { node.setAttribute(key, extra[key]); });
    return node;
  }

  /* The anonymous map: dots without ids, coloured and shaped by shown group; `me` is this
   * phone's own position, drawn as a ring with the word "You". */
  function map(view, me) {
    var R = 100, pad = 12, dot = 3.2;
    var place = function (v) { return v * (R - pad); };
    var marks = view.dots.map(function (d) { return mark(place(d[0]), -place(d[1]), d[2], dot); });
    var children = [svg("rect", { x: -R, y: -R, width: 2 * R, height: 2 * R, rx: 6, fill: "#fafafa", stroke: "#c8c8c8" })].concat(marks);
    if (me && me.position) {
      var x = place(me.position[0]), y = -place(me.position[1]);
      children.push(svg("circle", { cx: x, cy: y, r: dot * 2.6, fill: "none", stroke: "#111", "stroke-width": "1.4" }));
      var label = svg("text", { x: x, y: y - dot * 3.4, "text-anchor": "middle", "font-size": "9", fill: "#111" });
      label.textContent = t("You");
      children.push(label);
    }
    var title = t("Map of %(num)s people placed by how they answered", { num: view.placed });
    var drawing = svg("svg", { viewBox: [-R, -R, 2 * R, 2 * R].join(" "), role: "img", "aria-label": title, class: "perspectives-svg" }, children);
    var legend = el("ul", { class: "perspectives-legend" }, view.groups.map(function (g) {
      var key = svg("svg", { viewBox: "-6 -6 12 12", width: "18", height: "18", "aria-hidden": "true" }, [mark(0, 0, g.label, 3.6)]);
      return el("li", {}, [key, " ", t("Group %(label)s: %(num)s people", { label: g.label, num: g.size })]);
    }).concat(view.dots.some(function (d) { return !d[2]; }) ? [el("li", {}, [
      svg("svg", { viewBox: "-6 -6 12 12", width: "18", height: "18", "aria-hidden": "true" }, [mark(0, 0, null, 3.6)]),
      " ", t("Not in a group shown"),
    ])] : []));
    return el("figure", { class: "perspectives-figure" }, [drawing, legend]);
  }

  function share(value) { return Math.round(value * 100); }

  function answerWord(value) {
    if (value === 1) return t("You agreed");
    if (value === -1) return t("You disagreed");
    if (value === 0) return t("You passed");
    return t("You have not answered this one");
  }

  // -- the phone ---------------------------------------------------------------------------

  function answerButtons(room, statement, current) {
    var choices = [[1, "Agree", "agree"], [-1, "Disagree", "disagree"], [0, "Pass", "pass secondary"]];
    return el("div", { class: "perspectives-buttons" }, choices.map(function (choice) {
      return el("button", {
        type: "button", class: "big answer-" + choice[2], "data-key": "answer-" + statement.id + "-" + choice[0],
        "aria-pressed": current === choice[0] ? "true" : "false", text: t(choice[1]),
        onclick: function () {
          delete skipped[statement.id];
          room.send("statement_vote", { contribution_id: statement.id, value: choice[0] });
        },
      });
    }));
  }

  function renderPhone(state, room) {
    var section = byId("perspectives");
    if (!section) return;
    var open = state.meeting.status === "open" && inStep(state);
    section.hidden = !open;
    document.body.classList.toggle("perspectives-on", open);
    if (!open) return;
    var answers = state.me.answers || {};
    var statements = deck(state);
    var answered = statements.filter(function (c) { return answers[String(c.id)] !== undefined; });
    var waiting = statements.filter(function (c) { return answers[String(c.id)] === undefined; });
    // Put-aside ones last, so "skip" moves on rather than stays.
    var next = waiting.filter(function (c) { return !skipped[c.id]; })[0] || waiting[0];
    byId("perspectives-progress").textContent = statements.length
      ? t("%(num)s of %(total)s answered", { num: answered.length, total: statements.length }) : "";
    var card;
    if (!statements.length) card = el("p", { class: "muted", text: t("No statements yet.") });
    else if (!next) card = el("p", { class: "perspectives-done", text: t("You have answered every statement. Thank you!") });
    else {
      card = el("article", { class: "statement-card", "aria-labelledby": "statement-text" }, [
        el("p", { class: "muted", text: t("Statement %(num)s of %(total)s", { num: statements.indexOf(next) + 1, total: statements.length }) }),
        el("p", { id: "statement-text", class: "statement-text", dir: "auto", lang: next.language || null, text: next.text }),
        answerButtons(room, next, undefined),
        waiting.length > 1 ? el("button", { type: "button", class: "link-button", "data-key": "skip", text: t("Skip for now"), onclick: function () {
          skipped[next.id] = true;
          room.render(room.state, room);
        } }) : null,
      ]);
    }
    F.replace(byId("perspectives-card"), [card]);
    byId("perspectives-answered").hidden = !answered.length;
    F.replace(byId("perspectives-answered-list"), answered.map(function (c) {
      var value = answers[String(c.id)];
      return el("li", { class: "statement-answered" }, [
        el("p", { dir: "auto", text: c.text }),
        el("p", { class: "muted", text: answerWord(value) }),
        answerButtons(room, c, value),
      ]);
    }));
    renderWhere(state);
  }

  function renderWhere(state) {
    var me = state.me.perspectives;
    var box = byId("perspectives-me");
    box.hidden = !me;
    if (!me) return;
    var parts = [];
    if (!me.placed) {
      parts.push(el("p", { text: t("Answer at least %(num)s statements to see where you stand.", { num: me.needed }) }));
    } else {
      parts.push(el("p", { class: "where-group", text: me.group
        ? t("You are in group %(label)s, with %(num)s people who answered much like you.", { label: me.group.label, num: me.group.size })
        : t("Your answers are not close enough to a group of five or more to show one.") }));
      if (state.perspectives) parts.push(map(state.perspectives, me));
    }
    if (me.common_ground.length) {
      parts.push(el("h4", { text: t("What most of the room agrees with") }));
      parts.push(el("ul", { class: "perspectives-list" }, me.common_ground.map(function (s) {
        return el("li", {}, [
          el("p", { dir: "auto", text: s.text }),
          el("p", { class: "muted", text: t("%(share)s %% agree", { share: share(s.agree_share) }) + " · " + answerWord(s.mine) }),
        ]);
      })));
    }
    F.replace(byId("perspectives-me-body"), parts);
  }

  // -- the projector -----------------------------------------------------------------------

  function renderScreen(state) {
    var section = byId("perspectives-screen");
    if (!section) return;
    var on = inStep(state);
    section.hidden = !on;
    document.body.classList.toggle("perspectives-on", on);
    if (!on) return;
    var view = state.perspectives;
    var parts = [];
    if (!view || !view.placed) parts.push(el("p", { class: "muted", text: t("Not analysed yet: the analysis comes as answers arrive.") }));
    else parts.push(map(view, null));
    var common = view ? view.common_ground : [];
    parts.push(el("div", { class: "perspectives-common" }, [
      el("h2", { text: t("Common ground") }),
      common.length ? el("ol", { class: "common-big" }, common.map(function (s) {
        return el("li", {}, [
          el("p", { dir: "auto", class: "common-text", text: s.text }),
          el("p", { class: "common-share", text: t("%(share)s %% agree", { share: share(s.agree_share) }) }),
        ]);
      })) : el("p", { class: "muted", text: t("Nothing yet.") }),
    ]));
    F.replace(byId("perspectives-screen-body"), parts);
  }

  // -- the console -------------------------------------------------------------------------

  function scoreList(title, scores) {
    return el("section", { class: "perspectives-scores" }, [
      el("h3", { text: title }),
      scores.length ? el("ol", {}, scores.map(function (s) {
        return el("li", {}, [
          el("span", { dir: "auto", text: s.text }),
          el("span", { class: "muted", text: " · " + t("Agree %(agree)s · Disagree %(disagree)s · Pass %(pass)s",
            { agree: s.agree, disagree: s.disagree, pass: s.passed }) }),
        ]);
      })) : el("p", { class: "muted", text: t("Nothing yet.") }),
    ]);
  }

  function renderConsole(state) {
    var panel = byId("perspectives-panel");
    if (!panel) return;
    panel.hidden = !steps(state).length;
    if (panel.hidden) return;
    var view = state.perspectives;
    byId("perspectives-counts").textContent = view
      ? t("%(participants)s people answered %(answers)s times; %(placed)s placed", view)
      : t("Not analysed yet: the analysis comes as answers arrive.");
    var quote = byId("perspectives-quote");
    var quotes = state.quotes || [];
    quote.hidden = !(quotes.length && inStep(state) && state.meeting.status === "open");
    var select = byId("perspectives-quote-note");
    if (select.options.length !== quotes.length) {
      F.replace(select, quotes.map(function (q) {
        return el("option", { value: q.note_id, text: q.text.length > 90 ? q.text.slice(0, 89) + "…" : q.text });
      }));
    }
    if (!view) { F.replace(byId("perspectives-map"), []); F.replace(byId("perspectives-details"), []); return; }
    F.replace(byId("perspectives-map"), view.placed ? [map(view, null)] : []);
    var details = [
      el("ul", { class: "perspectives-groups" }, view.groups.map(function (g) {
        return el("li", {}, [t("Group %(label)s: %(num)s people", { label: g.label, num: g.size }),
          " (", g.shown ? t("shown") : t("too small to show"), ")"]);
      })),
      scoreList(t("Common ground"), view.common_ground),
      scoreList(t("Common disagreement"), view.common_disagreement),
      scoreList(t("Divisive"), view.divisive),
    ];
    view.groups.forEach(function (g) {
      details.push(scoreList(t("What sets group %(label)s apart", { label: g.label }), g.distinct));
    });
    F.replace(byId("perspectives-details"), details);
  }

  function bindConsole(room) {
    var form = byId("perspectives-quote");
    if (!form || form.dataset.bound) return;
    form.dataset.bound = "1";
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var note = parseInt(byId("perspectives-quote-note").value, 10);
      if (note) room.send("statement_quote", { note_id: note });
    });
  }

  F.perspectives = {
    render: function (state, room) {
      if (!state || !state.phases) return;
      renderPhone(state, room);
      renderScreen(state);
      renderConsole(state);
      bindConsole(room);
    },
  };
})();
