/* A digital meeting's shared screen on the phone (templates/live/_shared_screen.html):
 * who has the word and the queue of hands, as the projector shows them, for residents who
 * take part from home. phone.js calls render and onEvent; nothing runs without the section. */
(function () {
  "use strict";
  var F = window.Facilitate, el = F.el;
  var box = document.getElementById("shared-screen");
  if (!box) return;
  var strings = JSON.parse(document.getElementById("shared-screen-strings").textContent);
  function t(key, params) { return F.t(strings[key] || key, params); }
  // `hand_given` names the hand by id only, and the `hands` before it has already taken it
  // out of the queue: the names of the hands seen are kept to say who has the word.
  var names = {};
  var speaker = null; // {id, phase}: the hand last given the word in this step

  function render(state) {
    box.hidden = state.meeting.status !== "open";
    var me = state.me.participant_id;
    state.hands.forEach(function (hand) { names[hand.id] = hand; });
    if (speaker && speaker.phase !== state.current_phase) speaker = null;
    var given = speaker && names[speaker.id];
    var line = document.getElementById("speaker");
    if (!given) line.textContent = t("Nobody has the word yet.");
    else if (given.participant_id !== null && given.participant_id === me) line.textContent = t("You have the word");
    else line.textContent = t("Has the word: %(name)s", { name: "\u2068" + (given.name || t("anonymous")) + "\u2069" });
    F.replace(document.getElementById("queue"), state.hands.length ? state.hands.map(function (hand) {
      var mine = hand.participant_id !== null && hand.participant_id === me;
      return el("li", { class: mine ? "mine" : null }, [
        el("span", { dir: "auto", text: hand.name || t("anonymous") }),
        mine ? " " + t("(you)") : null,
      ]);
    }) : [el("li", { class: "muted", text: t("No hands raised.") })]);
  }

  function onEvent(name, payload, room) {
    if (name !== "hand_given" || !room.state) return;
    speaker = { id: payload.id, phase: room.state.current_phase };
    render(room.state);
  }

  F.sharedScreen = { render: render, onEvent: onEvent };
})();
