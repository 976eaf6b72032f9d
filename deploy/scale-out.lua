-- wrk script of deploy/scale-out.sh: logged-in members browse, reply in a discussion, RSVP
-- (to their event and to one contested event with few places) and vote, through the balancer.
-- Usage: wrk ... -s deploy/scale-out.lua URL -- SESSIONS_FILE ACKED_FILE
--
-- Unlike bench/load.lua, every write is tagged (X-Request-Id, echoed by nginx and the app) and
-- only adds: a reply, a "je viens", a vote option added. So each write answered 200 or 303 is a
-- row the database must hold afterwards; done() writes those acknowledged writes to ACKED_FILE,
-- one a line ("post TOKEN", "rsvp MEMBER EVENT", "vote MEMBER OPTION"), for the SQL checks.
-- A member never has two requests in flight (bench/members.lua); members start at different
-- points of the cycle, so a short run has every kind of request.

dofile("bench/members.lua")

function init(args)
  sessions, acked, n = {}, {}, 0
  for _, row in ipairs(members.read(args[1], id)) do
    local f = row.fields
    local options = {}
    for o in f[10]:gmatch("%d+") do table.insert(options, o) end
    table.insert(sessions, {cookie = f[1], csrf = f[2], event = f[3], consultation = f[4],
                            group = f[6], member = f[7], thread = f[8], contested = f[9],
                            options = options, step = row.line % 8})
  end
  acked_file = args[2]
end

local function headers(s, tag, write)
  local h = {Cookie = s.cookie, ["User-Agent"] = members.AGENT, ["X-Request-Id"] = tag}
  if write then
    h["X-CSRFToken"] = s.csrf
    h["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return h
end

local function write(s, tag, path, body, htmx)
  local h = headers(s, tag, true)
  if htmx then h["HX-Request"] = "true" end
  return wrk.format("POST", path, h, body or "")
end

function request()
  -- the next idle member (there are more members than connections)
  local s, k = members.next_idle(sessions)
  if s == nil then return wrk.format("GET", "/healthz") end
  s.step = s.step + 1
  n = n + 1
  local base = "s" .. k .. "-"
  local step = s.step % 8
  if step == 0 then return wrk.format("GET", "/", headers(s, base .. "get")) end
  if step == 1 then return wrk.format("GET", "/events/", headers(s, base .. "get")) end
  if step == 2 then
    local token = "t" .. id .. "x" .. n
    return write(s, base .. "post-" .. token,
                 "/groups/" .. s.group .. "/threads/" .. s.thread .. "/reply",
                 "body=Message+de+charge+" .. token, false)
  end
  if step == 3 then return wrk.format("GET", "/groups/" .. s.group, headers(s, base .. "get")) end
  if step == 4 then
    return write(s, base .. "rsvp-" .. s.member .. "-" .. s.contested,
                 "/events/" .. s.contested .. "/rsvp", "", true)
  end
  if step == 5 then
    local option = s.options[math.floor(s.step / 8) % #s.options + 1]
    return write(s, base .. "vote-" .. s.member .. "-" .. option,
                 "/consultations/" .. s.consultation .. "/vote/tap",
                 "option=" .. option .. "&action=add", true)
  end
  if step == 6 then return wrk.format("GET", "/events/" .. s.event, headers(s, base .. "get")) end
  return write(s, base .. "rsvp-" .. s.member .. "-" .. s.event,
               "/events/" .. s.event .. "/rsvp", "", true)
end

function response(status, headers, body)
  local tag = members.release(headers)
  local k, kind, rest = tag:match("^s(%d+)%-(%a+)%-?(.*)$")
  if k == nil then return end
  if kind ~= "get" and (status == 200 or status == 303) then
    table.insert(acked, kind .. " " .. (rest:gsub("%-", " ")))
  end
  statuses = statuses or {}
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local out = io.open(members.threads[1]:get("acked_file"), "w")
  local codes = {}
  for _, t in ipairs(members.threads) do
    for _, line in ipairs(t:get("acked")) do out:write(line, "\n") end
    for code, count in pairs(t:get("statuses") or {}) do
      codes[code] = (codes[code] or 0) + count
    end
  end
  out:close()
  local parts = {}
  for code, count in pairs(codes) do table.insert(parts, code .. ":" .. count) end
  table.sort(parts)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
                 + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.1f %.1f %.1f %d %d %d %s\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, errors, summary.requests,
    summary.errors.timeout + summary.errors.connect + summary.errors.read, table.concat(parts, ",")))
end
