/* The desk's reply box: "Insert" adds the chosen canned reply in place, without reloading the
   page, so files already chosen stay chosen. Progressive enhancement: without this file the
   button posts the form and the page comes back with the text inserted. No inline script: the
   content security policy forbids it. */
(function () {
  "use strict";

  var picker = document.querySelector("[data-canned-insert]");
  if (!picker || !window.fetch || !window.FormData) { return; }
  var form = picker.closest("form");
  var button = picker.querySelector("button[formaction]");
  var select = picker.querySelector("select");
  var status = picker.querySelector("[data-canned-status]");
  var body = form && form.querySelector("textarea[name=reply_body]");
  if (!form || !button || !select || !body) { return; }

  function say(text) { if (status) { status.textContent = text; } }

  button.addEventListener("click", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    data.delete("reply_files"); // the text is all the insert needs
    button.disabled = true;
    fetch(button.formAction, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
    }).then(function (result) {
      if (!result.ok || !result.answer.text) {
        say(result.answer.error || "");
        select.focus();
        return;
      }
      var typed = body.value.replace(/\s+$/, "");
      body.value = typed ? typed + "\n\n" + result.answer.text : result.answer.text;
      say(button.getAttribute("data-done") || "");
      body.focus();
      body.setSelectionRange(body.value.length, body.value.length);
    }).catch(function () {
      // No answer: post the form to the insert view as if there were no script.
      if (form.requestSubmit) { form.requestSubmit(button); }
    }).then(function () { button.disabled = false; });
  });
})();
