/*
 * Dash 4 draws dcc.RadioItems and dcc.Checklist as role="listbox" holding role="option"
 * labels that wrap native radio buttons or checkboxes. Native inputs already carry their
 * own semantics, so the ARIA roles on top are wrong twice over: an interactive control
 * nested in an option, and a listbox without a name (axe: nested-interactive,
 * aria-input-field-name). Removing those roles leaves plain labelled inputs, grouped by the
 * page's fieldset and legend, which every screen reader announces correctly.
 */
(function () {
  "use strict";

  function repair(root) {
    var lists = root.querySelectorAll('[role="listbox"]');
    for (var i = 0; i < lists.length; i += 1) {
      var list = lists[i];
      if (!list.querySelector('input[type="radio"], input[type="checkbox"]')) {
        continue; // a real listbox (for example a dropdown menu): leave it alone
      }
      list.removeAttribute("role");
      var options = list.querySelectorAll('[role="option"]');
      for (var j = 0; j < options.length; j += 1) {
        options[j].removeAttribute("role");
        options[j].removeAttribute("aria-selected");
      }
    }
  }

  function start() {
    repair(document);
    new MutationObserver(function (changes) {
      for (var k = 0; k < changes.length; k += 1) {
        var change = changes[k];
        if (change.type === "attributes") {
          repair(change.target.parentNode || document);
        } else if (change.addedNodes.length) {
          repair(change.target);
        }
      }
    }).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["role", "aria-selected"],
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
