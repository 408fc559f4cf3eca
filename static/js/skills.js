// Skill suggestions as you type: fills the page's <datalist> from /api/skills. Optional: the
// server-rendered datalist of common skills already works without JavaScript.
(function () {
  "use strict";
  var timer = null;
  var lastQuery = "";
  var controller = null;

  function fill(datalist, skills) {
    while (datalist.firstChild) { datalist.removeChild(datalist.firstChild); }
    skills.forEach(function (skill) {
      var option = document.createElement("option");
      option.value = skill.name;
      if (skill.label && skill.label !== skill.name) { option.label = skill.label; }
      datalist.appendChild(option);
    });
  }

  function suggest(input) {
    var listId = input.getAttribute("list");
    var datalist = listId && document.getElementById(listId);
    var url = datalist && datalist.getAttribute("data-suggest-url");
    var query = input.value.trim();
    if (!url || query.length < 1 || query === lastQuery) { return; }
    lastQuery = query;
    if (controller) { controller.abort(); }
    controller = typeof AbortController === "function" ? new AbortController() : null;
    fetch(url + "?q=" + encodeURIComponent(query), {
      headers: { "Accept": "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.ok ? response.json() : { skills: [] };
    }).then(function (data) {
      if (data && Array.isArray(data.skills) && data.skills.length) { fill(datalist, data.skills); }
    }).catch(function () { /* offline or aborted: keep the current suggestions */ });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-skill-input]")) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { suggest(input); }, 200);
  });
})();
