/// The API's OpenAPI description, served at `/api/v1/openapi.yaml`. Written by hand beside the routes it describes;
/// `OpenAPIRoutesTests` fails when a route is missing from it or it names a route the router does not have.
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.0.3
info:
  title: CareHub API
  version: "1.1"
  description: >-
    The care team's incidents, homes and events (contract section 7). Every request needs
    `Authorization: Bearer TOKEN` (from `carehub users token NAME`) or the session cookie from POST /login;
    state-changing requests with the cookie also need the session's CSRF token in `X-CSRF-Token`.
    Errors are application/problem+json (RFC 9457).
security:
  - bearer: []
  - session: []
paths:
  /login:
    get:
      summary: The console's sign-in page (HTML, for people; documented because it shares its path with POST)
      security: []
      parameters:
        - name: then
          in: query
          required: false
          description: The console page to open once signed in (anything else opens the queue)
          schema: {type: string}
      responses:
        "200":
          description: The sign-in form
          content:
            text/html:
              schema: {type: string}
    post:
      summary: Sign in; sets the session cookie
      security: []
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [name, password]
              properties:
                name: {type: string, minLength: 1}
                password: {type: string, minLength: 1}
      responses:
        "200":
          description: Signed in
          content:
            application/json:
              schema:
                type: object
                required: [name, role, csrf_token]
                properties:
                  name: {type: string}
                  role: {$ref: "#/components/schemas/Role"}
                  csrf_token: {type: string}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "429": {$ref: "#/components/responses/TooManyRequests"}
  /logout:
    post:
      summary: End the browser session
      responses:
        "204": {description: Signed out}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
  /api/v1/openapi.yaml:
    get:
      summary: This description
      responses:
        "200":
          description: The OpenAPI description
          content:
            application/yaml: {}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /api/v1/incidents:
    get:
      summary: Incidents, most urgent and oldest first
      parameters:
        - name: state
          in: query
          description: Default open and acknowledged.
          schema: {type: string, enum: [open, acknowledged, resolved, all]}
        - {name: home, in: query, schema: {type: string, minLength: 1}}
        - name: priority
          in: query
          schema: {$ref: "#/components/schemas/Priority"}
        - name: kind
          in: query
          schema: {$ref: "#/components/schemas/Kind"}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
      responses:
        "200":
          description: Incident records
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Incident"}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /api/v1/incidents/{id}:
    get:
      summary: One incident with its trigger, the home's activity before it, its notifications and its timeline
      parameters:
        - $ref: "#/components/parameters/IncidentID"
      responses:
        "200":
          description: The incident
          content:
            application/json:
              schema: {$ref: "#/components/schemas/IncidentDetail"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /api/v1/incidents/{id}/ack:
    post:
      summary: Acknowledge; 409 if someone else acknowledged first
      parameters:
        - $ref: "#/components/parameters/IncidentID"
      requestBody:
        required: false
        content:
          application/json:
            schema:
              type: object
              properties:
                note: {$ref: "#/components/schemas/Note"}
      responses:
        "200": {$ref: "#/components/responses/IncidentAfterAction"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /api/v1/incidents/{id}/note:
    post:
      summary: Add a note to the timeline
      parameters:
        - $ref: "#/components/parameters/IncidentID"
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [text]
              properties:
                text: {type: string, minLength: 1, maxLength: 2000, pattern: "\\S"}
      responses:
        "200": {$ref: "#/components/responses/IncidentAfterAction"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
  /api/v1/incidents/{id}/resolve:
    post:
      summary: Resolve with an outcome; 409 if already resolved
      parameters:
        - $ref: "#/components/parameters/IncidentID"
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [outcome]
              properties:
                outcome: {type: string, enum: [resident_ok, visited, false_alarm, ambulance, device_fault, other]}
                note: {$ref: "#/components/schemas/Note"}
      responses:
        "200": {$ref: "#/components/responses/IncidentAfterAction"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /api/v1/incidents/{id}/assign:
    post:
      summary: Assign to a named person (lead or admin); 409 if already resolved
      parameters:
        - $ref: "#/components/parameters/IncidentID"
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [to]
              properties:
                to: {$ref: "#/components/schemas/Name"}
      responses:
        "200": {$ref: "#/components/responses/IncidentAfterAction"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /api/v1/homes:
    get:
      summary: Every home at a glance
      responses:
        "200":
          description: Home records
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Home"}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /api/v1/homes/{home}:
    get:
      summary: One home (recorded in the audit as viewed by the account)
      parameters:
        - $ref: "#/components/parameters/Home"
      responses:
        "200": {$ref: "#/components/responses/HomeRecord"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /api/v1/homes/{home}/away:
    post:
      summary: The resident is away until a time (lead or admin)
      parameters:
        - $ref: "#/components/parameters/Home"
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [until]
              properties:
                until: {type: string, minLength: 1, description: "In the future: RFC 3339, or a local date or date and time"}
      responses:
        "200": {$ref: "#/components/responses/HomeRecord"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
  /api/v1/homes/{home}/visit:
    post:
      summary: A visit is in progress for a while, at most 12 h (lead or admin)
      parameters:
        - $ref: "#/components/parameters/Home"
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [for]
              properties:
                for: {type: string, pattern: "^([0-9]+[smhd])+$", description: "A duration such as 45m, 2h or 1h30m, at most 12h"}
      responses:
        "200": {$ref: "#/components/responses/HomeRecord"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
  /api/v1/homes/{home}/back:
    post:
      summary: End an away or a visit now (lead or admin)
      parameters:
        - $ref: "#/components/parameters/Home"
      responses:
        "200": {$ref: "#/components/responses/HomeRecord"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
  /api/v1/events:
    get:
      summary: Stored events, newest first
      parameters:
        - {name: home, in: query, schema: {type: string, minLength: 1}}
        - name: since
          in: query
          description: An RFC 3339 time, a date, or an age such as 2h or 7d.
          schema: {type: string, minLength: 1}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
      responses:
        "200":
          description: Event records
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Event"}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /api/v1/status:
    get:
      summary: The hub's counts, as `carehub status --format json`
      responses:
        "200":
          description: Counts
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Status"}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /api/v1/users:
    get:
      summary: Accounts and roles, never secrets (admin)
      responses:
        "200":
          description: Accounts
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Account"}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
  /api/v1/stream:
    get:
      summary: Server-Sent Events, one `incident` event per incident raised or changed
      description: >-
        Each event's data is the incident record and its id the change's sequence number; send it back as
        Last-Event-ID to resume. A comment line comes at least every 15 s; the server closes a stream after an hour.
      parameters:
        - {name: Last-Event-ID, in: header, schema: {type: integer, minimum: 0}}
      responses:
        "200":
          description: The event stream
          content:
            text/event-stream:
              schema: {type: string}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /metrics:
    get:
      summary: Prometheus metrics (no credentials; no home, device or person in any label)
      security: []
      responses:
        "200":
          description: The Prometheus text exposition format
          content:
            text/plain: {schema: {type: string}}
        "500":
          description: The metrics could not be read from the database
          content:
            text/plain: {schema: {type: string}}
  /healthz:
    get:
      summary: 200 while the process serves (no credentials)
      security: []
      responses:
        "200":
          description: Serving
          content:
            text/plain: {schema: {type: string}}
  /readyz:
    get:
      summary: 200 when connected to the broker and the rules have caught up; 503 with the reason otherwise (no credentials)
      security: []
      responses:
        "200":
          description: Ready
          content:
            text/plain: {schema: {type: string}}
        "503":
          description: Not ready, and why
          content:
            text/plain: {schema: {type: string}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    session: {type: apiKey, in: cookie, name: carehub_session}
  parameters:
    IncidentID:
      {name: id, in: path, required: true, schema: {type: integer, minimum: 1, format: int64}}
    Home:
      {name: home, in: path, required: true, schema: {type: string}}
  responses:
    IncidentAfterAction:
      description: The incident record after the action
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Incident"}
    HomeRecord:
      description: The home record
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Home"}
    BadRequest: {description: A malformed body or parameter, content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}}
    Unauthorized: {description: No credentials, or wrong ones, content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}}
    Forbidden: {description: The account's role may not do this, or a missing CSRF token, content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}}
    NotFound: {description: Unknown incident or home, content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}}
    Conflict: {description: Someone else acted on the incident first, content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}}
    TooManyRequests: {description: Too many failed sign-ins, content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}}
  schemas:
    Problem:
      type: object
      required: [type, title, status, detail]
      properties:
        type: {type: string}
        title: {type: string}
        status: {type: integer}
        detail: {type: string}
    Role: {type: string, enum: [carer, lead, admin]}
    Note:
      description: 1 to 2,000 characters, not all white space; null is the same as none.
      type: string
      nullable: true
      minLength: 1
      maxLength: 2000
      pattern: "\\S"
    Name:
      description: 1 to 64 characters, no control characters, no white space at either end.
      type: string
      minLength: 1
      maxLength: 64
      pattern: "^[^\\s\\x00-\\x1f\\x7f-\\x9f]([^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f])?$"
    Priority: {type: string, enum: [emergency, urgent, routine, technical]}
    Kind:
      type: string
      enum: [pendant, fall, smoke, co, flood, inactivity, not_up, out_of_bed, bathroom_long, night_door, cold_home, hot_home,
             fridge_unused, device_offline, low_battery, gateway_offline, no_data, data_fault, notification_failed, quota_exceeded,
             night_visits_rising, activity_falling, rising_later, kitchen_use_falling, time_in_bed_rising, outings_falling]
    Incident:
      type: object
      required: [id, priority, kind, home, device, state, age, opened_at, acknowledged_at, acknowledged_by, resolved_at,
                 resolved_by, outcome, triggers, last_triggered_at, trigger_event, escalation_level, assigned_to, flags, summary]
      properties:
        id: {type: integer, format: int64}
        priority: {$ref: "#/components/schemas/Priority"}
        kind: {type: string}
        home: {type: string}
        device: {type: string, nullable: true}
        state: {type: string, enum: [open, acknowledged, resolved]}
        age: {type: string}
        opened_at: {type: string, format: date-time}
        acknowledged_at: {type: string, format: date-time, nullable: true}
        acknowledged_by: {type: string, nullable: true}
        resolved_at: {type: string, format: date-time, nullable: true}
        resolved_by: {type: string, nullable: true}
        outcome: {type: string, nullable: true}
        triggers: {type: integer}
        last_triggered_at: {type: string, format: date-time}
        trigger_event: {type: string, nullable: true}
        escalation_level: {type: integer}
        assigned_to: {type: string, nullable: true}
        flags: {type: string, nullable: true}
        summary: {type: string}
    IncidentDetail:
      allOf:
        - $ref: "#/components/schemas/Incident"
        - type: object
          required: [trigger, events_before, notifications, timeline]
          properties:
            trigger:
              nullable: true
              allOf: [{$ref: "#/components/schemas/Event"}]
            events_before: {type: array, items: {$ref: "#/components/schemas/Event"}}
            notifications:
              type: array
              items:
                type: object
                required: [channel, target, state, queued_at, delivered_at, attempts, last_error]
                properties:
                  channel: {type: string}
                  target: {type: string}
                  state: {type: string}
                  queued_at: {type: string, format: date-time}
                  delivered_at: {type: string, format: date-time, nullable: true}
                  attempts: {type: integer}
                  last_error: {type: string, nullable: true}
            timeline:
              type: array
              items:
                type: object
                required: [at, actor, action, note, details]
                properties:
                  at: {type: string, format: date-time}
                  actor: {type: string}
                  action: {type: string}
                  note: {type: string, nullable: true}
                  details: {nullable: true}
    Event:
      type: object
      required: [id, home, device, type, value, ts, received_at, room, battery, seq, test, flags]
      properties:
        id: {type: string}
        home: {type: string}
        device: {type: string}
        type: {type: string}
        value: {nullable: true}
        ts: {type: string, format: date-time}
        received_at: {type: string, format: date-time}
        room: {type: string, nullable: true}
        battery: {type: number, nullable: true}
        seq: {type: integer, nullable: true}
        test: {type: boolean}
        flags: {type: string, nullable: true}
    Home:
      type: object
      required: [home, status, last_activity_at, last_activity_room, last_message_at, gateway, open_incidents, devices,
                 devices_low_battery, devices_offline, possible_lost_events, away_until, timezone]
      properties:
        home: {type: string}
        status: {type: string}
        last_activity_at: {type: string, format: date-time, nullable: true}
        last_activity_room: {type: string, nullable: true}
        last_message_at: {type: string, format: date-time, nullable: true}
        gateway: {type: string, nullable: true}
        open_incidents: {type: integer}
        devices: {type: integer}
        devices_low_battery: {type: integer}
        devices_offline: {type: integer}
        possible_lost_events: {type: integer}
        away_until: {type: string, format: date-time, nullable: true}
        timezone: {type: string}
    Status:
      type: object
      required: [events_stored, events_refused, incidents]
      properties:
        events_stored: {type: integer}
        events_refused: {type: integer}
        duplicates_ignored: {type: integer}
        incidents:
          type: object
          required: [open, acknowledged, resolved]
          properties:
            open: {type: integer}
            acknowledged: {type: integer}
            resolved: {type: integer}
        homes: {type: integer}
    Account:
      type: object
      required: [name, role, created_at, revoked_at, tokens]
      properties:
        name: {type: string}
        role: {$ref: "#/components/schemas/Role"}
        created_at: {type: string, format: date-time}
        revoked_at: {type: string, format: date-time, nullable: true}
        tokens: {type: integer}
"""#
}
