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

  // Search: JSON index produced by Hugo (home.json), one entry per section
  // of a page, insensitive to accents, case and simple plurals ("conteneurs"
  // finds "conteneur"). A result opens the section, and shows the text
  // around the first match with the words found marked.
  function norm(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  // fold returns the normalized text and, for each of its characters, the
  // position of the character of s it comes from: a match found in the
  // normalized text is shown at the right place of the original.
  function fold(s) {
    var n = "", at = [];
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i) < 128 ? s[i].toLowerCase() : norm(s[i]);
      n += c;
      for (var k = 0; k < c.length; k++) at.push(i);
    }
    at.push(s.length);
    return { n: n, at: at };
  }
  function stem(w) { return w.length > 3 ? w.replace(/(s|x)$/, "") : w; }
  // marked appends to el the text s[from, to) with the occurrences of the
  // terms in <mark> elements, built as DOM nodes (never parsed as HTML).
  function marked(el, s, f, terms, from, to) {
    var ranges = [];
    terms.forEach(function (t) {
      for (var j = f.n.indexOf(t); j >= 0; j = f.n.indexOf(t, j + 1)) {
        var a = f.at[j], b = f.at[j + t.length - 1] + 1;
        if (a >= from && b <= to) ranges.push([a, b]);
      }
    });
    ranges.sort(function (x, y) { return x[0] - y[0]; });
    var pos = from;
    ranges.forEach(function (r) {
      if (r[0] < pos) return; // overlaps the previous one
      if (r[0] > pos) el.append(s.slice(pos, r[0]));
      var m = document.createElement("mark");
      m.textContent = s.slice(r[0], r[1]);
      el.append(m);
      pos = r[1];
    });
    if (pos < to) el.append(s.slice(pos, to));
  }
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
        .then(function (entries) {
          return entries.map(function (e) {
            e.head = e.section ? e.title + " · " + e.section : e.title;
            e.fh = fold(e.head); e.ft = fold(e.text);
            return e;
          });
        });
      return index;
    }
    function show(entries, q) {
      var terms = norm(q).split(/[^a-z0-9.\-]+/).filter(function (t) { return t.length > 1; }).map(stem);
      list.replaceChildren();
      if (!terms.length) { list.hidden = true; return; }
      var hits = entries.map(function (e) {
        var score = 0;
        for (var i = 0; i < terms.length; i++) {
          var inHead = e.fh.n.indexOf(terms[i]) >= 0, count = e.ft.n.split(terms[i]).length - 1;
          if (!inHead && !count) return null;
          score += (inHead ? 10 : 0) + count;
        }
        return { e: e, score: score };
      }).filter(Boolean).sort(function (a, b) { return b.score - a.score; }).slice(0, 8);
      if (!hits.length) {
        var li = document.createElement("li");
        li.textContent = "Aucun résultat pour « " + q + " »";
        list.appendChild(li);
      }
      hits.forEach(function (h) {
        var e = h.e, text = e.text, first = -1;
        terms.forEach(function (t) {
          var j = e.ft.n.indexOf(t);
          if (j >= 0 && (first < 0 || j < first)) first = j;
        });
        // About 60 characters before the first match, 180 in all, cut
        // between words.
        var from = first < 0 ? 0 : Math.max(0, e.ft.at[first] - 60), to = Math.min(text.length, from + 180);
        if (from > 0) { var sp = text.indexOf(" ", from); if (sp >= 0 && sp < e.ft.at[first]) from = sp + 1; }
        if (to < text.length) { var cut = text.lastIndexOf(" ", to); if (cut > from) to = cut; }
        var li = document.createElement("li"), a = document.createElement("a"),
            t = document.createElement("strong"), s = document.createElement("small");
        a.href = e.url;
        marked(t, e.head, e.fh, terms, 0, e.head.length);
        if (from > 0) s.append("… ");
        marked(s, text, e.ft, terms, from, to);
        if (to < text.length) s.append(" …");
        a.append(t, s); li.appendChild(a); list.appendChild(li);
      });
      list.hidden = false;
    }
    input.addEventListener("focus", load);
    input.addEventListener("input", function () { load().then(function (p) { show(p, input.value); }); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { input.value = ""; list.hidden = true; }
      if (e.key === "Enter") { var a = list.querySelector("a"); if (a) { list.hidden = true; location.href = a.href; } }
    });
    // A result may be a section of the page already open: close the list.
    list.addEventListener("click", function (e) { if (e.target.closest("a")) list.hidden = true; });
    document.addEventListener("click", function (e) { if (!form.contains(e.target)) list.hidden = true; });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
