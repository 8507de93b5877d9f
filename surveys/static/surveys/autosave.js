/* Autosave for a questionnaire page: each answer is saved when it changes
   (a radio at once, a text when the field is left), a quiet status says so,
   and leaving the page with an answer not yet saved asks first. Only the
   answers changed on this page are sent, each with the version it was last
   saved at, so that an answer another device changed meanwhile is never
   overwritten unseen. Without scripts the page works as before: answers are
   saved by its buttons. The texts come from the form's data attributes, in
   the page's language. */
(function () {
  "use strict";
  var form = document.getElementById("answers");
  if (!form || !form.dataset.autosave || !window.fetch || !window.FormData) {
    return;
  }
  var FIXED = ["csrfmiddlewaretoken", "version", "field_versions", "shown"];
  var status = form.querySelector(".autosave-status");
  var versionsField = form.querySelector("input[name=field_versions]");
  var fieldVersions = {};
  try {
    fieldVersions = JSON.parse(versionsField.value || "{}");
  } catch (error) {
    fieldVersions = {};
  }
  var edited = {};
  var dirty = false;
  var inflight = false;
  var again = false;
  var waitingSubmit = null;

  function show(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function markErrors(errors) {
    var old = form.querySelectorAll(".autosave-error");
    for (var i = 0; i < old.length; i += 1) {
      old[i].parentNode.removeChild(old[i]);
    }
    Object.keys(errors).forEach(function (name) {
      var holder = document.getElementById("div_id_" + name);
      if (!holder) {
        return;
      }
      var message = document.createElement("div");
      message.className = "autosave-error invalid-feedback d-block";
      message.textContent = errors[name];
      holder.appendChild(message);
    });
  }

  function payload(names) {
    var all = new FormData(form);
    var data = new FormData();
    all.forEach(function (value, name) {
      if (FIXED.indexOf(name) >= 0 || names.indexOf(name) >= 0) {
        data.append(name, value);
      }
    });
    names.forEach(function (name) {
      data.append("autosave_fields", name);
    });
    return data;
  }

  function finished() {
    inflight = false;
    if (again) {
      save();
    } else if (waitingSubmit !== null) {
      var submitter = waitingSubmit;
      waitingSubmit = null;
      form.requestSubmit(submitter || undefined);
    }
  }

  function save() {
    var names = Object.keys(edited);
    if (inflight) {
      again = true;
      return;
    }
    again = false;
    if (!names.length) {
      finished();
      return;
    }
    edited = {};
    inflight = true;
    show(form.dataset.saving);
    fetch(form.dataset.autosave, {
      method: "POST",
      body: payload(names),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (result) {
        if (!response.ok) {
          var refused = new Error(result.error || form.dataset.failed);
          refused.fromServer = true;
          throw refused;
        }
        return result;
      });
    }).then(function (result) {
      names.forEach(function (name) {
        fieldVersions[name] = result.version;
      });
      versionsField.value = JSON.stringify(fieldVersions);
      markErrors(result.errors || {});
      if (Object.keys(result.errors || {}).length) {
        show(form.dataset.invalid);
      } else if (result.opened) {
        show(form.dataset.opened);
      } else if (!again && !Object.keys(edited).length) {
        dirty = false;
        show(form.dataset.saved);
      }
    }).catch(function (error) {
      names.forEach(function (name) {
        edited[name] = true;
      });
      show(error && error.fromServer ? error.message : form.dataset.failed);
    }).then(finished);
  }

  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (name && FIXED.indexOf(name) < 0 && name !== "lang") {
      edited[name] = true;
      dirty = true;
      save();
    }
  });
  form.addEventListener("input", function () {
    dirty = true;
  });
  form.addEventListener("submit", function (event) {
    if (inflight) {
      // The answer being saved must be saved first, or this page's own
      // answer would come back as changed by someone else.
      event.preventDefault();
      waitingSubmit = event.submitter || null;
      return;
    }
    dirty = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = form.dataset.leave;
      return form.dataset.leave;
    }
    return undefined;
  });
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
}());
