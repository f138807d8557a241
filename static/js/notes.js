/* The note-taker's form: fast entry on someone's behalf, with what was sent listed below. */
(function () {
  "use strict";
  var F = window.Facilitate, t = F.t, el = F.el;
  var byId = function (id) { return document.getElementById(id); };

  var room = new F.Room({
    render: function (state, room) {
      var phase = F.currentPhase(state);
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
  byId("write-text").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); submit(); }
  });
})();
