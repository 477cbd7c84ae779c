// The site's small script: theme, mobile menu, copy buttons, search.
// Loaded in <head>: the theme is applied before display (no flash).
(function () {
  var root = document.documentElement;
  root.classList.add("js");
  var saved = null;
  try { saved = localStorage.getItem("theme"); } catch (e) {}
  if (saved === "light" || saved === "dark") root.dataset.theme = saved;

  function ready() {
    // Theme: toggles between light and dark, remembered; otherwise follows the system.
    var toggle = document.querySelector(".theme-toggle");
    if (toggle) toggle.addEventListener("click", function () {
      var dark = root.dataset.theme ? root.dataset.theme === "dark"
        : matchMedia("(prefers-color-scheme: dark)").matches;
      root.dataset.theme = dark ? "light" : "dark";
      try { localStorage.setItem("theme", root.dataset.theme); } catch (e) {}
    });

    // Exercise menu on mobile.
    var menu = document.querySelector(".menu-toggle"), nav = document.getElementById("sommaire");
    if (menu && nav) menu.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      menu.setAttribute("aria-expanded", open);
    });

    // Copy: data-copy holds the exact text (the command alone, no prompt or output);
    // data-copy-from="next" copies the code block that follows the button.
    document.addEventListener("click", function (ev) {
      var b = ev.target.closest(".copy");
      if (!b) return;
      var text = b.dataset.copy;
      if (text === undefined) {
        var box = b.closest(".file, .codeblock"), code = box && box.querySelector("pre code, pre");
        text = code ? code.innerText.replace(/\n$/, "") : "";
      }
      navigator.clipboard.writeText(text).then(function () {
        var old = b.textContent;
        b.textContent = "Copié"; b.classList.add("done");
        setTimeout(function () { b.textContent = old; b.classList.remove("done"); }, 1500);
      });
    });

    // Outputs and code that scroll: reachable by keyboard (tabindex), and
    // only those, so as not to add one tab stop per block. Each block is
    // measured when it comes near the screen, once the browser has laid it
    // out: measuring them all at load would lay out the whole page at once.
    function fit(el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
      if (scrolls && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
      else if (!scrolls && el.getAttribute("tabindex") === "0") el.removeAttribute("tabindex");
    }
    var blocks = document.querySelectorAll("pre, .out");
    var near = new Set();
    var watch = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { near.add(e.target); fit(e.target); } else near.delete(e.target);
      });
    }, { rootMargin: "100% 0px" }) : null;
    blocks.forEach(function (el) { if (watch) watch.observe(el); else fit(el); });
    var resizing;
    addEventListener("resize", function () { clearTimeout(resizing); resizing = setTimeout(function () { near.forEach(fit); }, 150); });
    document.addEventListener("toggle", function (e) { e.target.querySelectorAll("pre, .out").forEach(fit); }, true);

    // Printing: open the collapsed details.
    addEventListener("beforeprint", function () {
      document.querySelectorAll("details").forEach(function (d) {
        if (!d.closest(".verified, .more-steps")) { d.open = true; }
      });
    });

    search();
  }

  // Search: JSON index produced by Hugo (home.json), insensitive to accents,
  // case and simple plurals ("conteneurs" finds "conteneur").
  function norm(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function stem(w) { return w.length > 3 ? w.replace(/(s|x)$/, "") : w; }
  function search() {
    var form = document.querySelector(".search"), input = form && form.querySelector("input"),
        list = form && form.querySelector(".search-results"), index = null;
    if (!input) return;
    // The form is never submitted: Enter opens the first result (keydown below).
    // Handled here rather than by an onsubmit attribute, which the Content
    // Security Policy would block.
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    function load() {
      if (!index) index = fetch(form.dataset.index).then(function (r) { return r.json(); })
        .then(function (pages) {
          return pages.map(function (p) { p.n = norm(p.title + " " + p.text); p.nt = norm(p.title); return p; });
        });
      return index;
    }
    function show(pages, q) {
      var terms = norm(q).split(/[^a-z0-9.\-]+/).filter(function (t) { return t.length > 1; }).map(stem);
      list.innerHTML = "";
      if (!terms.length) { list.hidden = true; return; }
      var hits = pages.map(function (p) {
        var score = 0;
        for (var i = 0; i < terms.length; i++) {
          if (p.n.indexOf(terms[i]) < 0) return null;
          score += (p.nt.indexOf(terms[i]) >= 0 ? 10 : 0) + p.n.split(terms[i]).length;
        }
        return { p: p, score: score };
      }).filter(Boolean).sort(function (a, b) { return b.score - a.score; }).slice(0, 8);
      if (!hits.length) {
        var li = document.createElement("li");
        li.textContent = "Aucun résultat pour « " + q + " »";
        list.appendChild(li);
      }
      hits.forEach(function (h) {
        var at = Math.max(0, h.p.n.indexOf(terms[0]) - 60);
        var li = document.createElement("li"), a = document.createElement("a"),
            t = document.createElement("strong"), s = document.createElement("small");
        a.href = h.p.url; t.textContent = h.p.title;
        s.textContent = (at > 0 ? "… " : "") + h.p.text.substr(at, 160) + " …";
        a.append(t, s); li.appendChild(a); list.appendChild(li);
      });
      list.hidden = false;
    }
    input.addEventListener("focus", load);
    input.addEventListener("input", function () { load().then(function (p) { show(p, input.value); }); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { input.value = ""; list.hidden = true; }
      if (e.key === "Enter") { var a = list.querySelector("a"); if (a) location.href = a.href; }
    });
    document.addEventListener("click", function (e) { if (!form.contains(e.target)) list.hidden = true; });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
