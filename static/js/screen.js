/* The projector: one screen that never scrolls, filled with what the facilitator chose on
 * the console (state.screen.mode): how to join, the step's question, the wall, the
 * residents' questions, the vote's results, who has the word, or the perspectives' map and
 * common ground. Every part is drawn from
 * the state on every change; the mode shows one, and what does not fit is hidden whole and
 * counted ("+ 34 more") or, for the results, paged through. */
(function () {
  "use strict";
  var F = window.Facilitate, t = F.t, el = F.el;
  var byId = function (id) { return document.getElementById(id); };
  var projector = byId("projector");
  var PAGE_MS = 12000; // long enough to read a page of results from the back of the hall
  var secondLanguage = null;
  var seen = null; // contribution ids already drawn: only newcomers fade in
  var page = { start: 0, next: 0, timer: null };
  var rendering = false; // inside renderResults: render() fits the screen once it has drawn it

  function card(c, questions) {
    var label = F.languageLabel(c);
    var second = c.translation && c.translation_language === secondLanguage ? " in-second-language" : "";
    var answered = F.questions.answeredLabel(c);
    var metoo = c.reactions || questions ? " · " + t("Me too") + " " + c.reactions : null;
    var arrived = seen && !seen[c.id] ? " arrived" : "";
    return el("li", { class: "contribution" + (c.pinned ? " pinned" : "") + (c.answered ? " answered" : "") + second + arrived, "data-id": c.id }, F.contributionText(c).concat([
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

  /* Shows the items of ``list`` from the first on as far as they fit inside it, whole, and
   * hides the rest; says how many were left out in ``more``. Returns how many are shown. */
  function fitList(list, items, more) {
    items.forEach(function (item) { item.hidden = false; });
    var box = list.getBoundingClientRect();
    var cut = items.length;
    for (var i = 0; i < items.length; i++) {
      var r = items[i].getBoundingClientRect();
      if (r.bottom > box.bottom + 0.5 || r.right > box.right + 0.5 || r.left < box.left - 0.5) { cut = i; break; }
    }
    for (var j = cut; j < items.length; j++) items[j].hidden = true;
    if (more) more.textContent = cut < items.length ? t("+ %(num)s more", { num: items.length - cut }) : "";
    return cut;
  }

  function children(list) {
    return list ? Array.prototype.slice.call(list.children) : [];
  }

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

  function renderPhase(state) {
    var phase = F.currentPhase(state);
    renderSecond(state, phase);
    byId("phase-step").textContent = phase
      ? t("Step %(num)s of %(total)s", { num: state.current_phase + 1, total: state.phases.length })
      : state.meeting.status === "closed" ? t("The meeting is closed. Thank you for taking part!")
        : t("The meeting has not started yet.");
    byId("phase-title").textContent = phase ? phase.title : state.meeting.title;
    byId("phase-prompt").textContent = phase ? phase.prompt : "";
    byId("phase-prompt").hidden = !(phase && phase.prompt);
  }

  function renderSpeaker(state) {
    var speaker = state.speaker;
    var node = byId("speaker");
    node.textContent = speaker ? speaker.name || t("anonymous") : t("Nobody has the word yet.");
    node.className = "speaker-name" + (speaker ? "" : " none");
    F.replace(byId("hands"), state.hands.length ? state.hands.map(function (hand) {
      // The name finds its own direction; the item keeps the page's, so its number does not
      // stick out on the other side (a Swedish name on an Arabic projector).
      return el("li", {}, [el("span", { dir: "auto", text: hand.name || t("anonymous") })]);
    }) : [el("li", { class: "muted", text: t("No hands raised.") })]);
  }

  function renderWall(state, mode) {
    var questions = mode === "questions";
    byId("questions-h").hidden = !questions;
    var wall = byId("wall");
    if (questions) { // every step's questions: asked early, answered when the room gets to them
      var asked = F.questions.ordered(state.contributions);
      wall.hidden = false;
      byId("groups").hidden = true;
      F.replace(wall, asked.length ? asked.map(function (c) { return card(c, true); })
        : [el("li", { class: "empty", text: t("No questions yet.") })]);
      return;
    }
    var now = state.contributions.filter(function (c) { return c.phase === state.current_phase; });
    var count = state.groups.count;
    wall.hidden = !!count;
    byId("groups").hidden = !count;
    if (count) {
      var columns = [];
      var column = function (title, items) {
        return el("section", { class: "group-column" }, [
          el("h2", { text: title }), el("ul", { class: "wall" }, ordered(items).map(function (c) { return card(c); })),
          el("p", { class: "more-count" }),
        ]);
      };
      for (var n = 1; n <= count; n++) {
        columns.push(column(t("Group %(num)s", { num: n }), now.filter(function (c) { return c.group === n; })));
      }
      var outside = now.filter(function (c) { return !c.group; });
      if (outside.length) columns.push(column(t("Outside the groups"), outside));
      F.replace(byId("groups"), columns);
      F.replace(wall, []);
    } else {
      F.replace(wall, now.length ? ordered(now).map(function (c) { return card(c); })
        : [el("li", { class: "empty", text: t("Nothing here yet.") })]);
    }
  }

  /* The vote's ballot when there has been a vote, else every proposal: drawn by
   * proposals.js as everywhere else, here without controls. */
  function renderResults(state, room) {
    var ballot = state.voting.status ? state.voting.proposal_ids || [] : null;
    var shown = ballot ? Object.assign({}, state, {
      proposals: state.proposals.filter(function (p) { return ballot.indexOf(p.id) >= 0; }),
    }) : state;
    rendering = true;
    F.proposals.render(byId("proposals"), room, shown, { drawn: chartDrawn });
    rendering = false;
  }

  /* The chart keeps to its own pace: one drawn after the rest of the page is fitted anew
     before it is seen (a frame, not a page turn). */
  function chartDrawn() {
    if (!rendering && projector.dataset.mode === "results") refit();
  }

  /* -- fitting what was drawn into the screen --------------------------------------- */

  /* The Question mode: the largest type that lets the whole step fit, down to a floor the
   * back row still reads; beyond it the question is cut after whole lines. */
  function fitQuestion() {
    var box = document.querySelector(".pj-phase");
    box.classList.remove("clamped");
    var fit = 1;
    box.style.setProperty("--fit", fit);
    while (box.scrollHeight > box.clientHeight + 1 && fit > 0.7) {
      fit = Math.round((fit - 0.05) * 100) / 100;
      box.style.setProperty("--fit", fit);
    }
    if (box.scrollHeight > box.clientHeight + 1) box.classList.add("clamped");
  }

  function fitWall() {
    var wall = byId("wall");
    if (!wall.hidden) fitList(wall, children(wall), byId("wall-more"));
    else byId("wall-more").textContent = "";
    document.querySelectorAll("#groups .group-column").forEach(function (column) {
      var list = column.querySelector("ul");
      fitList(list, children(list), column.querySelector(".more-count"));
    });
  }

  /* What the results mode pages through, in the order the room reads it: the chart's rows
   * by rank (their CSS order: charts.js keeps each row's place in the document so its bars
   * move in place), else, before a vote or while its results wait for the close, the
   * proposals. Where there is a chart it is the result: the list would repeat its titles. */
  function resultRows() {
    var box = byId("proposals");
    var list = box.querySelector("ul.proposals");
    var chart = box.querySelector(".chart-box:not([hidden]) .chart:not([hidden]) .chart-rows");
    if (list) list.hidden = !!chart;
    if (!chart) return { list: list, items: children(list), rows: false };
    var rank = function (row) { return Number(row.style.order) || 0; };
    return { list: chart, rows: true, items: children(chart).sort(function (a, b) { return rank(a) - rank(b); }) };
  }

  function inside(list, items) {
    var box = list.getBoundingClientRect();
    return items.every(function (item) {
      var r = item.getBoundingClientRect();
      return r.bottom <= box.bottom + 0.5 && r.right <= box.right + 0.5 && r.left >= box.left - 0.5;
    });
  }

  /* The chart's rows from ``start`` on, in the columns its grid has on this screen, filled
   * top to bottom: the most rows per column that fit whole, at least one row. Returns how
   * many are shown. */
  function fitChart(grid, items, start) {
    var style = window.getComputedStyle(grid);
    var columns = style.display === "grid" ? style.gridTemplateColumns.split(" ").length : 1;
    var show = function (per) {
      var end = Math.min(items.length, start + per * columns);
      items.forEach(function (item, index) { item.hidden = index < start || index >= end; });
      grid.style.setProperty("--rows", String(per));
      return items.slice(start, end);
    };
    var per = Math.ceil((items.length - start) / columns);
    var shown = show(per);
    if (inside(grid, shown)) return shown.length;
    // The first column says how many rows fit, all but exactly: a row's height is that of
    // the tallest beside it, and other rows will stand beside it. Down from there, then.
    var bottom = grid.getBoundingClientRect().bottom + 0.5, fits = 0;
    while (fits < per && shown[fits].getBoundingClientRect().bottom <= bottom) fits++;
    for (per = Math.max(fits, 1); per > 1; per--) {
      shown = show(per);
      if (inside(grid, shown)) return shown.length;
    }
    return show(1).length;
  }

  /* Results that do not fit are shown a page at a time, turning every PAGE_MS. */
  function fitResults() {
    var drawn = resultRows(), items = drawn.items;
    if (page.start >= items.length) page.start = 0;
    var shown;
    if (drawn.rows) shown = fitChart(drawn.list, items, page.start);
    else {
      items.forEach(function (item, index) { item.hidden = index < page.start; });
      shown = drawn.list ? fitList(drawn.list, items.slice(page.start), null) : 0;
    }
    var end = page.start + Math.max(shown, 1);
    var paged = page.start > 0 || end < items.length;
    byId("results-page").textContent = paged
      ? t("Proposals %(first)s–%(last)s of %(total)s", { first: page.start + 1, last: end, total: items.length }) : "";
    page.next = end < items.length ? end : 0;
    if (paged && !page.timer) {
      page.timer = window.setInterval(function () {
        page.start = page.next;
        page.turned = true;
        fit();
      }, PAGE_MS);
    } else if (!paged && page.timer) {
      window.clearInterval(page.timer);
      page.timer = null;
    }
    if (page.turned) { // a new page fades in, as a new contribution does
      items.forEach(function (item) { item.classList.remove("arrived"); });
      items.slice(page.start, end).forEach(function (item) { item.classList.add("arrived"); });
      page.turned = false;
    }
  }

  function fitSpeaker() {
    var list = byId("hands");
    fitList(list, children(list), byId("hands-more"));
  }

  /* The map scales itself (CSS); the common ground keeps the statements that fit, whole. */
  function fitPerspectives() {
    var list = document.querySelector("#perspectives-screen .common-big");
    if (list) fitList(list, children(list), null);
  }

  function fit() {
    var mode = projector.dataset.mode;
    if (mode === "question") fitQuestion();
    else if (mode === "wall" || mode === "questions") fitWall();
    else if (mode === "results") fitResults();
    else if (mode === "speaker") fitSpeaker();
    else if (mode === "perspectives") fitPerspectives();
    // Tests (and anyone curious) can tell a drawing of this size is done.
    projector.dataset.fitted = mode + " " + window.innerWidth + "x" + window.innerHeight;
  }

  function render(state, room) {
    var screen = state.screen || {};
    var mode = screen.mode || "wall";
    if (projector.dataset.mode !== mode) page.start = 0;
    projector.dataset.mode = mode;
    projector.dataset.theme = screen.theme === "dark" ? "dark" : "light";
    renderPhase(state);
    byId("presence").textContent = t("%(num)s online", { num: state.presence.online });
    renderSpeaker(state);
    renderWall(state, mode);
    renderResults(state, room);
    F.perspectives.render(state, room);
    seen = {};
    state.contributions.forEach(function (c) { seen[c.id] = true; });
    room.tick();
    fit();
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
  var pending = false;
  var refit = function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; if (room.state) fit(); });
  };
  window.addEventListener("resize", refit);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(refit);
})();
