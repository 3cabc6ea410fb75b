/// The queue's live script: it listens to `/api/v1/stream` (the session cookie goes with it, same origin), inserts a
/// new incident's row in queue order, updates a changed one, drops a resolved one, highlights what changed and says
/// so in the `aria-live` region, and beeps for a new emergency when the sound box is ticked (off by default). Values
/// go in with `textContent` only. Without JavaScript the page and its forms work the same, without the live part.
enum QueueScript {
    static let source = #"""
        (function () {
          "use strict";
          var body = document.querySelector("#queue tbody");
          var template = document.getElementById("row-template");
          var announce = document.getElementById("announce");
          var empty = document.getElementById("empty");
          var sound = document.getElementById("sound");
          var ranks = {emergency: 0, urgent: 1, routine: 2, technical: 3};
          function field(row, name) { return row.querySelector('[data-field="' + name + '"]'); }
          function fill(row, incident) {
            row.dataset.rank = String(ranks[incident.priority] === undefined ? 9 : ranks[incident.priority]);
            row.dataset.opened = String(Date.parse(incident.opened_at));
            var badge = field(row, "priority");
            badge.textContent = incident.priority;
            badge.className = "badge p-" + (ranks[incident.priority] === undefined ? "technical" : incident.priority);
            field(row, "kind").textContent = incident.kind;
            field(row, "summary").textContent = incident.summary;
            var home = field(row, "home");
            home.textContent = incident.home;
            home.setAttribute("href", "/homes/" + encodeURIComponent(incident.home));
            var opened = field(row, "opened");
            var time = document.createElement("time");
            time.setAttribute("datetime", incident.opened_at);
            time.textContent = new Date(incident.opened_at).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", hourCycle: "h23"});
            opened.replaceChildren(time);
            field(row, "state").textContent = incident.state;
            field(row, "acknowledged").textContent = incident.acknowledged_by ? " by " + incident.acknowledged_by : "";
            row.querySelector("form.ack").hidden = incident.state !== "open";
          }
          function newRow(id) {
            var row = template.content.firstElementChild.cloneNode(true);
            var all = [row].concat(Array.prototype.slice.call(row.querySelectorAll("[id], [for], [action]")));
            all.forEach(function (element) {
              ["id", "for", "action", "data-id"].forEach(function (name) {
                var value = element.getAttribute(name);
                if (value && value.indexOf("__ID__") >= 0) { element.setAttribute(name, value.split("__ID__").join(String(id))); }
              });
            });
            return row;
          }
          function before(a, b) {
            var ra = +a.dataset.rank, rb = +b.dataset.rank;
            if (ra !== rb) { return ra < rb; }
            var oa = +a.dataset.opened, ob = +b.dataset.opened;
            if (oa !== ob) { return oa < ob; }
            return +a.dataset.id < +b.dataset.id;
          }
          function place(row) {
            var rows = Array.prototype.slice.call(body.rows);
            for (var i = 0; i < rows.length; i++) {
              if (rows[i] !== row && before(row, rows[i])) { body.insertBefore(row, rows[i]); return; }
            }
            body.appendChild(row);
          }
          function beep() {
            try {
              var Context = window.AudioContext || window.webkitAudioContext;
              var context = new Context(), oscillator = context.createOscillator();
              oscillator.frequency.value = 880;
              oscillator.connect(context.destination);
              oscillator.start();
              oscillator.stop(context.currentTime + 0.4);
            } catch (error) { /* no sound on this device */ }
          }
          function say(text) {
            announce.hidden = false;
            announce.textContent = text;
          }
          var liveState = document.getElementById("live-state");
          function showLive(open) {
            liveState.hidden = false;
            liveState.textContent = open ? "Live: new and changed incidents appear here as they happen."
                                         : "Reconnecting: reload the page if this stays.";
            document.documentElement.dataset.live = open ? "open" : "closed";
          }
          var source = new EventSource("/api/v1/stream");
          source.addEventListener("open", function () { showLive(true); });
          source.addEventListener("error", function () { showLive(false); });
          source.addEventListener("incident", function (event) {
            var incident = JSON.parse(event.data);
            var row = document.getElementById("incident-" + incident.id);
            var what = incident.priority + " " + incident.kind + " at " + incident.home;
            if (incident.state === "resolved") {
              if (row) { row.remove(); say("Resolved: " + what + "."); }
            } else {
              var isNew = !row;
              if (isNew) { row = newRow(incident.id); }
              fill(row, incident);
              place(row);
              row.classList.add("fresh");
              window.setTimeout(function () { row.classList.remove("fresh"); }, 15000);
              say((isNew ? "New: " : incident.state === "acknowledged" ? "Acknowledged: " : "Changed: ") + what + ".");
              if (isNew && incident.priority === "emergency" && sound.checked) { beep(); }
            }
            empty.hidden = body.rows.length > 0;
          });
        })();
        """#
}
