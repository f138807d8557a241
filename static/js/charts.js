/* Results as pictures: the live tally drawn as bars, the same on the phone, the console and
 * the projector. No chart library: plain elements sized by CSS custom properties.
 *
 * A chart is built once per vote and then changed in place, row by row keyed by proposal
 * id, so a tally that arrives (at most about four a second, coalesced by the server) moves
 * bars smoothly instead of redrawing them: the widths transition in CSS, each row keeps its
 * element, and sorting only changes each row's `order`, never its place in the document.
 * The bars are a picture (aria-hidden); a table beside them says the same in text.
 */
(function () {
  "use strict";
  var F = window.Facilitate, t = F.t, el = F.el;

  var LEVELS = ["0", "1", "2", "3", "4", "5"];
  // Consent levels 0 and 1 are blocks (facilitate/proposals/tally.py).
  var BLOCKS = { "0": true, "1": true };
  var DECISIONS = { agreed: "Agreed", not_agreed: "Not agreed", parked: "Parked" };

  function mean(counts) {
    var voters = 0, sum = 0;
    LEVELS.forEach(function (level) { voters += counts[level]; sum += counts[level] * Number(level); });
    return voters ? sum / voters : 0;
  }

  /* Per method: the caption, the table's columns, and the order of the rows (best first). */
  var METHODS = {
    approval: {
      caption: "Support and opposition per proposal, most support first",
      columns: [["yes", "Support"], ["no", "Against"]],
      before: function (a, b) { return (b.yes - a.yes) || (a.no - b.no); },
    },
    agree: {
      caption: "Agree, pass and disagree per proposal, most agreement first",
      columns: [["agree", "Agree"], ["pass", "Pass"], ["disagree", "Disagree"]],
      before: function (a, b) { return (b.agree - a.agree) || (a.disagree - b.disagree); },
    },
    dots: {
      caption: "Dots per proposal, most dots first",
      columns: [["dots", "Dots"], ["voters", "Voters"]],
      before: function (a, b) { return (b.dots - a.dots) || (b.voters - a.voters); },
    },
    consent: {
      caption: "Consent from 0 to 5 per proposal, fewest blocks first; 0 and 1 are blocks",
      columns: LEVELS.map(function (level) { return [level, level]; }).concat([["blocks", "Blocks"]]),
      before: function (a, b) { return (a.blocks - b.blocks) || (mean(b) - mean(a)); },
    },
  };

  /* A bar with its number at its end; `--share` (0 to 1) sets its length. */
  function bar(kind) {
    var fill = el("span", { class: "bar bar-" + kind });
    var number = el("span", { class: "chart-num" });
    return { node: el("span", { class: "chart-track" }, [fill, number]), fill: fill, number: number };
  }

  function setBar(part, value, scale) {
    part.fill.style.setProperty("--share", scale ? String(value / scale) : "0");
    part.fill.classList.toggle("is-zero", !value);
    part.number.textContent = String(value);
  }

  /* One proposal's row: built once per vote, its parts kept to be updated in place. */
  function makeRow(method, id) {
    var row = { id: id, title: el("span", { class: "chart-title", dir: "auto" }), decision: el("span", { class: "chart-decision" }),
      parts: {}, text: el("p", { class: "chart-text" }) };
    var children = [el("p", { class: "chart-label" }, [row.title, " ", row.decision])];
    if (method === "approval") {
      [["yes", "Support"], ["no", "Against"]].forEach(function (pair) {
        row.parts[pair[0]] = bar(pair[0]);
        children.push(el("div", { class: "chart-line" }, [el("span", { class: "chart-key", text: t(pair[1]) }), row.parts[pair[0]].node]));
      });
    } else if (method === "agree") {
      var segments = [], keys = [];
      METHODS.agree.columns.forEach(function (pair) {
        var segment = el("span", { class: "seg seg-" + pair[0] });
        var number = el("span", { class: "chart-num" });
        row.parts[pair[0]] = { fill: segment, number: number };
        segments.push(segment);
        keys.push(el("span", { class: "chart-key" }, [el("span", { class: "swatch seg-" + pair[0] }), t(pair[1]) + " ", number]));
      });
      children.push(el("span", { class: "chart-track chart-stack" }, segments), el("p", { class: "chart-keys" }, keys));
    } else if (method === "dots") {
      row.parts.dots = bar("dots");
      children.push(el("div", { class: "chart-line" }, [row.parts.dots.node]));
    } else {
      children.push(el("div", { class: "chart-hist" }, LEVELS.map(function (level) {
        var fill = el("span", { class: "bar bar-level" + (BLOCKS[level] ? " bar-block" : "") });
        var number = el("span", { class: "chart-num" });
        row.parts[level] = { fill: fill, number: number };
        return el("span", { class: "chart-col" }, [number, el("span", { class: "chart-well" }, [fill]),
          el("span", { class: "chart-level" + (BLOCKS[level] ? " is-block" : ""), text: level })]);
      })));
    }
    children.push(row.text);
    row.node = el("div", { class: "chart-row", "data-id": id }, children);
    return row;
  }

  function updateRow(method, row, proposal, counts, scale) {
    row.title.textContent = proposal.title;
    var decided = DECISIONS[proposal.status];
    row.decision.textContent = decided ? t(decided) : "";
    row.decision.hidden = !decided;
    row.decision.className = "chart-decision" + (decided ? " decision-" + proposal.status : "");
    var paper = counts.paper ? t("of which %(paper)s on paper", counts) : "";
    if (method === "approval" || method === "agree") {
      // Support and opposition share the chart's scale; agree's parts fill its own bar.
      var total = counts.agree + counts.pass + counts.disagree;
      METHODS[method].columns.forEach(function (pair) {
        setBar(row.parts[pair[0]], counts[pair[0]], method === "agree" ? total : scale);
      });
      row.text.textContent = paper;
      row.text.hidden = !paper;
    } else if (method === "dots") {
      setBar(row.parts.dots, counts.dots, scale);
      row.text.textContent = F.proposals.countsText(method, counts);
    } else {
      LEVELS.forEach(function (level) { setBar(row.parts[level], counts[level], scale); });
      row.text.textContent = (counts.blocks ? "⚠ " : "") + t("Blocks: %(blocks)s", counts) + (paper ? " · " + paper : "");
      row.text.classList.toggle("has-blocks", !!counts.blocks);
    }
  }

  /* The longest bar's number: bars of one chart share a scale, so they compare. */
  function scaleOf(method, all) {
    var keys = method === "approval" ? ["yes", "no"] : method === "dots" ? ["dots"] : LEVELS;
    var most = 0;
    all.forEach(function (counts) { keys.forEach(function (key) { most = Math.max(most, counts[key]); }); });
    return most;
  }

  function build(method) {
    var chart = { method: method, rows: {}, caption: el("figcaption", { class: "chart-caption" }),
      ballots: el("span", { class: "chart-ballots" }),
      bars: el("div", { class: "chart-rows", "aria-hidden": "true" }),
      body: el("tbody") };
    var head = el("tr", {}, [el("th", { scope: "col", text: t("Proposal") })].concat(METHODS[method].columns.map(function (pair) {
      return el("th", { scope: "col", text: method === "consent" && pair[0] !== "blocks" ? pair[1] : t(pair[1]) });
    })).concat([el("th", { scope: "col", text: t("Decision") })]));
    chart.caption.appendChild(document.createTextNode(t(METHODS[method].caption)));
    chart.caption.appendChild(chart.ballots);
    chart.node = el("figure", { class: "chart chart-" + method, "data-method": method }, [
      chart.caption, chart.bars,
      // In a box of its own: a table grows to fit its cells, whatever width it is given.
      el("div", { class: "visually-hidden" }, [el("table", { class: "chart-table" }, [el("thead", {}, [head]), chart.body])]),
    ]);
    return chart;
  }

  /* The rows in the order the method ranks them; ties keep the ballot's order. */
  function ranked(method, ids, tally) {
    var place = {};
    ids.forEach(function (id, index) { place[id] = index; });
    return ids.slice().sort(function (a, b) {
      return METHODS[method].before(tally.proposals[a], tally.proposals[b]) || (place[a] - place[b]);
    });
  }

  function tableRow(method, proposal, counts) {
    var decided = DECISIONS[proposal.status];
    var name = proposal.title + (counts.paper ? " (" + t("of which %(paper)s on paper", counts) + ")" : "");
    return el("tr", { "data-id": proposal.id }, [el("th", { scope: "row", dir: "auto", text: name })].concat(
      METHODS[method].columns.map(function (pair) { return el("td", { text: String(counts[pair[0]]) }); }),
    ).concat([el("td", { text: decided ? t(decided) : "" })]));
  }

  // The server sends at most about four tallies a second; the chart keeps to that pace
  // too when other events redraw the page in between (a burst of votes, a reconnect).
  var PACE_MS = 250;

  /* The vote's result into ``box`` (kept between calls): the chart, or while results are
     hidden from this viewer the word that they come at the close. A call within PACE_MS of
     the last drawing is drawn at the end of that time, from the latest state. */
  function draw(box, state, opts) {
    box._latest = { state: state, opts: opts };
    if (box._timer) return;
    var wait = (box._drawnAt || 0) + PACE_MS - Date.now();
    if (wait > 0) {
      box._timer = window.setTimeout(function () {
        box._timer = null;
        paint(box, box._latest.state, box._latest.opts);
      }, wait);
      return;
    }
    paint(box, state, opts);
  }

  /* ``opts.drawn``, when given, hears of every drawing: a drawing that waited for its
     pace comes after the page around it was laid out (the projector fits it again). */
  function paint(box, state, opts) {
    box._drawnAt = Date.now();
    // Heard when a drawing starts, so the pace can be seen from outside (devtools, tests)
    // without the drawing's own length in it.
    box.dispatchEvent(new CustomEvent("chart-drawing"));
    drawNow(box, state, opts);
    if (opts.drawn) opts.drawn(box);
  }

  function drawNow(box, state, opts) {
    var voting = state.voting, tally = state.tally;
    if (!box._parts) {
      box._parts = {
        wait: el("p", { class: "chart-wait", text: t("Results appear when the vote closes.") }),
        note: el("p", { class: "chart-note muted", text: t("The room sees the results when the vote closes.") }),
        chart: null,
      };
      F.replace(box, [box._parts.wait, box._parts.note]);
    }
    var parts = box._parts;
    var hiddenNow = voting.status === "open" && voting.results === "hidden";
    parts.wait.hidden = !(hiddenNow && !tally);
    parts.note.hidden = !(hiddenNow && tally && opts.staff);
    var method = METHODS[voting.method] ? voting.method : null;
    if (!tally || !method || !voting.status) {
      if (parts.chart) parts.chart.node.hidden = true;
      box.hidden = parts.wait.hidden;
      return;
    }
    box.hidden = false;
    var chart = parts.chart;
    if (!chart || chart.method !== method) {
      if (chart) box.removeChild(chart.node);
      chart = parts.chart = build(method);
      box.appendChild(chart.node);
    }
    chart.node.hidden = false;
    var byId = {};
    state.proposals.forEach(function (p) { byId[String(p.id)] = p; });
    var ids = voting.proposal_ids.map(String).filter(function (id) { return tally.proposals[id] && byId[id]; });
    var scale = scaleOf(method, ids.map(function (id) { return tally.proposals[id]; }));
    var keep = {};
    ranked(method, ids, tally).forEach(function (id, index) {
      var row = chart.rows[id];
      if (!row) {
        row = chart.rows[id] = makeRow(method, id);
        chart.bars.appendChild(row.node);
      }
      row.node.style.order = String(index);
      updateRow(method, row, byId[id], tally.proposals[id], scale);
      keep[id] = true;
    });
    Object.keys(chart.rows).forEach(function (id) {
      if (keep[id]) return;
      chart.bars.removeChild(chart.rows[id].node);
      delete chart.rows[id];
    });
    // On a line of its own: a count that grows a digit does not rewrap the caption above.
    chart.ballots.textContent = opts.staff ? "" : t("%(num)s have voted", { num: tally.ballots });
    chart.ballots.hidden = !!opts.staff;
    F.replace(chart.body, ranked(method, ids, tally).map(function (id) {
      return tableRow(method, byId[id], tally.proposals[id]);
    }));
  }

  F.charts = { draw: draw };
})();
