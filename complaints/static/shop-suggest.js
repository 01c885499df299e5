/* The filing form's shop field suggests shops as the consumer types (a combobox with a listbox).
   Progressive enhancement: without this file the form still works and offers close matches
   after submitting. No inline script: the content security policy forbids it. */
(function () {
  "use strict";

  var wrapper = document.querySelector(".shop-suggest[data-suggest-url]");
  if (!wrapper || !window.fetch) { return; }
  var input = wrapper.querySelector("input[type=text], input:not([type])");
  var list = wrapper.querySelector("[role=listbox]");
  var status = wrapper.querySelector("[role=status]");
  if (!input || !list) { return; }

  var url = wrapper.getAttribute("data-suggest-url");
  var shops = [];
  var active = -1;
  var timer = null;
  var asked = 0;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  function say(text) { if (status) { status.textContent = text; } }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var options = list.querySelectorAll("[role=option]");
    active = index;
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute("aria-selected", i === index ? "true" : "false");
    }
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    var shop = shops[index];
    if (!shop) { return; }
    input.value = shop.label;
    var offered = document.querySelectorAll("input[name=shop_choice]");
    for (var i = 0; i < offered.length; i++) { offered[i].checked = false; }
    close();
    say(shop.label);
  }

  function show(found) {
    shops = found;
    list.textContent = "";
    found.forEach(function (shop, i) {
      var option = document.createElement("li");
      option.id = "shop-option-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      var name = document.createElement("span");
      name.textContent = shop.name;
      var code = document.createElement("span");
      code.className = "muted";
      code.textContent = " (" + shop.code + ")";
      option.appendChild(name);
      option.appendChild(code);
      option.addEventListener("mousedown", function (event) { event.preventDefault(); });
      option.addEventListener("click", function () { choose(i); input.focus(); });
      list.appendChild(option);
    });
    if (found.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(-1);
      say(wrapper.getAttribute("data-count").replace("{count}", String(found.length)));
    } else {
      close();
      say(wrapper.getAttribute("data-none"));
    }
  }

  function ask() {
    var text = input.value.trim();
    if (!text) { show([]); say(""); return; }
    var ticket = ++asked;
    fetch(url + "?q=" + encodeURIComponent(text), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : { shops: [] };
    }).then(function (body) {
      if (ticket === asked) { show(body.shops || []); }
    }).catch(function () { close(); });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 200);
  });

  input.addEventListener("keydown", function (event) {
    var open = !list.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) { if (shops.length) { show(shops); } else { ask(); } return; }
      highlight(active + 1 >= shops.length ? 0 : active + 1);
    } else if (event.key === "ArrowUp") {
      if (!open) { return; }
      event.preventDefault();
      highlight(active <= 0 ? shops.length - 1 : active - 1);
    } else if (event.key === "Enter") {
      if (open && active >= 0) {
        event.preventDefault();
        choose(active);
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        close();
      }
    }
  });

  input.addEventListener("blur", function () { window.setTimeout(close, 150); });
}());
