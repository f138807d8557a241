/* The note-taker's form: fast entry on someone's behalf, with what was sent listed below. */
(function () {
  "use strict";
  var F = window.Facilitate, t = F.t, el = F.el;
  var byId = function (id) { return document.getElementById(id); };

  /* The room's queue; the hands raised here for someone can be lowered here too. */
  function renderHands(state, room) {
    F.replace(byId("hands"), state.hands.length ? state.hands.map(function (hand) {
      return el("li", {}, [
        el("span", { dir: "auto", text: hand.name || t("anonymous") }),
        hand.on_behalf ? " " : null,
        hand.on_behalf ? el("button", { type: "button", class: "secondary small", "data-key": "lower-" + hand.id,
          text: t("Lower the hand"), onclick: function () { room.send("hand_lower_for", { id: hand.id }); } }) : null,
      ]);
    }) : [el("li", { class: "muted", text: t("No hands raised.") })]);
  }

  var room = new F.Room({
    render: function (state, room) {
      var phase = F.currentPhase(state);
      renderHands(state, room);
      F.proposals.render(byId("proposals"), room, state, { staff: true });
      F.moderation.renderQueue(byId("queue"), room, state, { facilitator: false });
      byId("phase-now").textContent = phase
        ? t("Step %(num)s of %(total)s", { num: state.current_phase + 1, total: state.phases.length }) + ": " + phase.title
        : t("The meeting has not started yet.");
    },
  });

  function submit() {
    var text = byId("write-text");
    var value = text.value.trim();
    if (!value) { text.focus(); return; }
    var kind = document.querySelector("input[name=kind]:checked").value;
    var status = el("span", { class: "muted", text: " · " + t("Waiting to be sent") });
    var entry = el("li", {}, [el("span", { dir: "auto", text: value }), status]);
    byId("sent").insertBefore(entry, byId("sent").firstChild);
    text.value = "";
    text.focus();
    var language = byId("write-language").value || null;
    room.send("contribution_add", { text: value, kind: kind, on_behalf: true, language: language }, function (ack) {
      status.textContent = " · " + (ack.ok ? t("Sent") : (ack.error && ack.error.message) || "");
      if (!ack.ok) entry.classList.add("refused");
    });
  }

  byId("write").addEventListener("submit", function (event) { event.preventDefault(); submit(); });
  byId("hand-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var label = byId("hand-label");
    var value = label.value.trim();
    if (!value) { label.focus(); return; }
    label.value = "";
    room.send("hand_raise_for", { label: value }, function (ack) {
      if (!ack.ok && !label.value) label.value = value; // refused: give the words back
    });
  });
  byId("write-text").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); submit(); }
  });
})();
