/* The header navigation follows the visitor: links to the LA profile, Compare and Coverage
   carry the local authority last chosen on any page, and the current section is marked with
   aria-current. The chosen area is what dcc.Store(id="chosen-area", storage_type="local")
   writes to localStorage: JSON.stringify of its data under the key "chosen-area" (a code
   string, or an object with a "code"). Loaded from assets/ because the Content Security
   Policy allows no inline script.
   Pages re-render from their URL (dcc.Location refresh="callback-nav"), which replaces their
   elements, so this script also keeps three things a re-render would lose: the text of any
   element marked data-announce is copied into the shell's persistent live region (a replaced
   live region is never announced); keyboard focus goes back to the control that had it, when
   that control is still on the page; and a #fragment is scrolled to once Dash has drawn it, so
   links such as /glossary#term-cin land on their entry. */
(function () {
  "use strict";

  var STORE_KEY = "chosen-area";
  var ANNOUNCER_ID = "announcer";
  var AREA_CODE = /^E\d{8}$/;

  function chosenArea() {
    var raw = null;
    try {
      raw = window.localStorage.getItem(STORE_KEY);
    } catch (error) {
      return null; /* storage blocked: links stay as served */
    }
    if (!raw) {
      return null;
    }
    var value;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      return null;
    }
    if (value && typeof value === "object") {
      value = value.code || value.area || null;
    }
    return typeof value === "string" && AREA_CODE.test(value) ? value : null;
  }

  function updateLinks() {
    var area = chosenArea();
    var links = document.querySelectorAll("a[data-nav-area]");
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      var base = link.getAttribute("data-nav-base") || link.getAttribute("href");
      var mode = link.getAttribute("data-nav-area");
      var href = base;
      if (area && mode === "path") {
        href = base + "/" + encodeURIComponent(area);
      } else if (area && mode === "query") {
        href = base + "?area=" + encodeURIComponent(area);
      }
      if (link.getAttribute("href") !== href) {
        link.setAttribute("href", href);
      }
    }
  }

  function inSection(path, prefix) {
    if (prefix === "/") {
      return path === "/";
    }
    return path === prefix || path.indexOf(prefix + "/") === 0;
  }

  function markCurrent() {
    var path = window.location.pathname.replace(/\/+$/, "") || "/";
    var links = document.querySelectorAll("a[data-nav-sections]");
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      var prefixes = (link.getAttribute("data-nav-sections") || "").split(" ");
      var base = link.getAttribute("data-nav-base") || link.getAttribute("href").split("?")[0];
      var current = null;
      for (var j = 0; j < prefixes.length; j++) {
        if (prefixes[j] && inSection(path, prefixes[j])) {
          current = path === base || (base !== "/" && path.indexOf(base + "/") === 0) ? "page" : "true";
          break;
        }
      }
      var item = link.parentNode;
      if (current) {
        link.setAttribute("aria-current", current);
        item.classList.add("govuk-service-navigation__item--active");
      } else {
        link.removeAttribute("aria-current");
        item.classList.remove("govuk-service-navigation__item--active");
      }
    }
  }

  var scrolledTo = null;

  function scrollToFragment() {
    var hash = window.location.hash;
    if (!hash || hash.length < 2 || hash === scrolledTo) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) {
      return;
    }
    scrolledTo = hash;
    target.scrollIntoView();
  }

  /* The first text seen on a page is what the visitor reads on arrival; only changes after that
     are news worth announcing. */
  var announcedPath = null;
  var lastAnnounced = null;

  function announce() {
    var source = document.querySelector("[data-announce]");
    var region = document.getElementById(ANNOUNCER_ID);
    if (!source || !region) {
      return;
    }
    var text = source.textContent;
    var path = window.location.pathname;
    if (announcedPath !== path) {
      announcedPath = path;
      lastAnnounced = text;
      return;
    }
    if (text !== lastAnnounced) {
      lastAnnounced = text;
      region.textContent = text;
    }
  }

  var focusId = null;
  var focusPath = null;

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target && target.id && target !== document.body) {
      focusId = target.id;
      focusPath = window.location.pathname;
    }
  });
  document.addEventListener("focusout", function (event) {
    var target = event.target;
    window.setTimeout(function () {
      /* Focus moved away on purpose (the element is still there): forget it. A removed
         element is a re-render, and its successor should get focus back. */
      if (target && target.isConnected && target.id === focusId &&
          document.activeElement !== target) {
        focusId = null;
      }
    }, 0);
  });

  function restoreFocus() {
    var active = document.activeElement;
    if (!focusId || (active && active !== document.body) || focusPath !== window.location.pathname) {
      return;
    }
    var element = document.getElementById(focusId);
    if (element && typeof element.focus === "function") {
      element.focus({ preventScroll: true });
    }
  }

  function refresh() {
    updateLinks();
    markCurrent();
    scrollToFragment();
    announce();
  }

  /* Dash's client-side navigation (dcc.Link, dcc.Location) goes through the History API. */
  ["pushState", "replaceState"].forEach(function (name) {
    var original = window.history[name];
    window.history[name] = function () {
      var result = original.apply(this, arguments);
      scrolledTo = null;
      window.setTimeout(refresh, 0);
      return result;
    };
  });
  window.addEventListener("popstate", function () {
    scrolledTo = null;
    refresh();
  });
  window.addEventListener("hashchange", function () {
    scrolledTo = null;
    refresh();
  });
  /* Another tab chose an area. */
  window.addEventListener("storage", function (event) {
    if (event.key === STORE_KEY) {
      updateLinks();
    }
  });
  /* This tab's Dash store writes without an event: read it again just before a link is used. */
  ["pointerdown", "focusin", "mouseover", "keydown"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var target = event.target;
      if (target && target.closest && target.closest("a[data-nav-area]")) {
        updateLinks();
      }
    });
  });

  /* Dash draws the page after load; the fragment's target appears then. */
  function watchForFragment() {
    refresh();
    if (!window.MutationObserver) {
      return;
    }
    var observer = new MutationObserver(function () {
      if (window.location.hash && window.location.hash !== scrolledTo) {
        scrollToFragment();
      }
      announce();
      restoreFocus();
    });
    observer.observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watchForFragment);
  } else {
    watchForFragment();
  }
})();
