// The unsubscribe page: a person who followed the link in a mail has chosen, so the page
// sends its one button's POST by itself. Link checkers in mail programs fetch the page
// without running scripts and so end nothing; without JavaScript the button is there.
(function () {
  "use strict";
  var form = document.getElementById("unsubscribe-form");
  if (!form) return;
  document.getElementById("unsubscribe-busy").hidden = false;
  form.querySelector("button").disabled = true;
  form.submit();
})();
