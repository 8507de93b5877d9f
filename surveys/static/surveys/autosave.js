/* Autosave for a questionnaire page: each answer is saved when it changes
   (a radio at once, a text when the field is left), a quiet status says so,
   and leaving the page with an answer not yet saved asks first. Without
   scripts the page works as before: answers are saved by its buttons. The
   texts come from the form's data attributes, in the page's language. */
(function () {
  "use strict";
  var form = document.getElementById("answers");
  if (!form || !form.dataset.autosave || !window.fetch || !window.FormData) {
    return;
  }
  var status = form.querySelector(".autosave-status");
  var version = form.querySelector("input[name=version]");
  var dirty = false;
  var inflight = false;
  var again = false;

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

  function save() {
    if (inflight) {
      again = true;
      return;
    }
    inflight = true;
    again = false;
    show(form.dataset.saving);
    fetch(form.dataset.autosave, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    }).then(function (result) {
      version.value = result.version;
      markErrors(result.errors);
      if (Object.keys(result.errors).length) {
        show(form.dataset.invalid);
      } else if (!again) {
        dirty = false;
        show(form.dataset.saved);
      }
    }).catch(function () {
      show(form.dataset.failed);
    }).then(function () {
      inflight = false;
      if (again) {
        save();
      }
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name && event.target.name !== "version") {
      dirty = true;
      save();
    }
  });
  form.addEventListener("input", function () {
    dirty = true;
  });
  form.addEventListener("submit", function () {
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
