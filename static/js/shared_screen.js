/* A digital meeting's shared screen on the phone (templates/live/_shared_screen.html):
 * who has the word and the queue of hands, as the projector shows them, for residents who
 * take part from home. Who has the word is `state.speaker`, so a phone that joins late knows
 * it too. phone.js calls render; nothing runs without the section. */
(function () {
  "use strict";
  var F = window.Facilitate, el = F.el;
  var box = document.getElementById("shared-screen");
  if (!box) return;
  var strings = JSON.parse(document.getElementById("shared-screen-strings").textContent);
  function t(key, params) { return F.t(strings[key] || key, params); }

  function render(state) {
    box.hidden = state.meeting.status !== "open";
    var me = state.me.participant_id;
    var given = state.speaker;
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

  F.sharedScreen = { render: render };
})();
